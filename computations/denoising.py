"""The optimal denoiser is a score: from denoising autoencoders to samplers (spaces.ac.cn/archives/7038).

Su Jianlin's article rests on one fact about denoising autoencoders (DAE). For x ~ p in ℝᵈ and
noise ε ~ N(0, σ²I), the function r minimising E‖r(x + ε) − x‖² is the posterior mean, and

    r*(y) = E[x | y] = y + σ² ∇ log p_σ(y),   p_σ = p * N(0, σ²I)

(Tweedie's / Miyasawa's formula). So r*(y) − y estimates σ² times the score of the noisy data
density. One paper of the article (DDE) fits a scalar energy E whose gradient is the denoiser's
displacement, E = σ² log p_σ + C; the other (ADSM) feeds the score to Langevin dynamics
x ← x + ½α ∇log p_σ(x) + √α z, annealing σ from large to small.

Everything here is worked out on a two-dimensional Gaussian mixture p = Σ_k w_k N(μ_k, Σ_k),
where all of it has closed forms: p_σ is the mixture with covariances Σ_k + σ²I, its score is
Σ_k γ_k(y) (Σ_k + σ²I)⁻¹ (μ_k − y) with γ_k the responsibilities under p_σ, and the posterior
mean is Σ_k γ_k(y) [μ_k + Σ_k (Σ_k + σ²I)⁻¹ (y − μ_k)] (Gaussian conditioning per component).
:func:`posterior_mean_by_quadrature` computes E[x | y] a third way, from the defining integrals
∫ x p(x) u(y − x) dx / ∫ p(x) u(y − x) dx on a grid, knowing nothing of the mixture.

Reports:

* :func:`identity_report` — r* = y + σ²∇log p_σ checked against quadrature to rounding error,
  and the DAE loss of r* against other denoisers (orthogonality of the posterior mean);
* :func:`learned_score_report` — a DDE-style energy with random Fourier features, fitted by
  least squares in closed form, and its implied score field against the exact one;
* :func:`langevin_report` — plain and annealed Langevin from a poor start, and the mode
  weights each recovers, against the truth.

Monte Carlo claims are checked at 4 standard errors (two-sided false alarm ≈ 6e-5 each).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Final

import annotated_types
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from computations.report import Cell, Check, Figure, Report, Table

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ScoreField = Callable[[FloatArray], FloatArray]

NoiseLevel = Annotated[float, annotated_types.Interval(ge=0.05, le=3.0)]
NoiseLevels = Annotated[list[NoiseLevel], annotated_types.Len(min_length=1, max_length=6)]
GridSize = Annotated[int, annotated_types.Interval(ge=11, le=61)]
PairCount = Annotated[int, annotated_types.Interval(ge=1_000, le=200_000)]
FeatureCount = Annotated[int, annotated_types.Interval(ge=8, le=1_024)]
FrequencyScale = Annotated[float, annotated_types.Interval(gt=0.0, le=10.0)]
Ridge = Annotated[float, annotated_types.Interval(ge=0.0, le=1.0)]
ChainCount = Annotated[int, annotated_types.Interval(ge=500, le=50_000)]
LevelCount = Annotated[int, annotated_types.Interval(ge=2, le=100)]
StepsPerLevel = Annotated[int, annotated_types.Interval(ge=1, le=2_000)]
StepSize = Annotated[float, annotated_types.Interval(gt=0.0, le=1.0)]
AnnealTop = Annotated[float, annotated_types.Interval(ge=0.1, le=20.0)]
HalfWidth = Annotated[float, annotated_types.Interval(ge=1.0, le=20.0)]

#: Monte Carlo estimates must lie within this many standard errors of the exact value.
SE_TOLERANCE: Final = 4.0
#: Largest disagreement allowed between the three routes to E[x | y]. Rounding alone gives
#: about 1e-14 here (sums of ~10⁵ positive terms, coordinates of size 10); the quadrature grid
#: is chosen so that its discretisation error is below e⁻⁸⁸ (see :func:`quadrature_grid`).
IDENTITY_TOLERANCE: Final = 1e-10
#: Half-width of the square [−5, 5]² on which fields are compared and drawn.
VIEW_HALF_WIDTH: Final = 5.0
#: Lattice points per axis on which learned and exact fields are compared and drawn.
FIELD_LATTICE: Final = 61
#: Displacement arrows are drawn this many times shorter than they are.
ARROW_SHRINK: Final = 2.0


# --------------------------------------------------------------------------- the mixture


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A mixture Σ_k w_k N(μ_k, Σ_k) in the plane.

    Attributes:
        weights: shape (K,), positive, summing to 1.
        means: shape (K, 2).
        covariances: shape (K, 2, 2), symmetric positive definite.
        precisions: Σ_k⁻¹, shape (K, 2, 2), derived.
        log_normalizers: log w_k − ½ log det(2πΣ_k), shape (K,), derived.
    """

    weights: FloatArray
    means: FloatArray
    covariances: FloatArray
    precisions: FloatArray = field(init=False, repr=False)
    log_normalizers: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        weights = np.asarray(self.weights, dtype=np.float64)
        means = np.asarray(self.means, dtype=np.float64)
        covariances = np.asarray(self.covariances, dtype=np.float64)
        count = weights.shape[0]
        if weights.ndim != 1 or means.shape != (count, 2) or covariances.shape != (count, 2, 2):
            raise ValueError("need weights (K,), means (K, 2) and covariances (K, 2, 2)")
        if np.any(weights <= 0.0) or abs(weights.sum() - 1.0) > 1e-12:
            raise ValueError(f"weights must be positive and sum to 1, got {weights.tolist()}")
        if not np.allclose(covariances, covariances.transpose(0, 2, 1)):
            raise ValueError("covariances must be symmetric")
        if np.any(np.linalg.eigvalsh(covariances) <= 0.0):
            raise ValueError("covariances must be positive definite")
        _, log_det = np.linalg.slogdet(2.0 * math.pi * covariances)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covariances)
        object.__setattr__(self, "precisions", np.linalg.inv(covariances))
        object.__setattr__(self, "log_normalizers", np.log(weights) - 0.5 * log_det)

    @property
    def components(self) -> int:
        """K, the number of components."""
        return self.weights.shape[0]


#: The data distribution of every report: a small round mode (weight 0.2) and a large
#: tilted one (weight 0.8), about 5.4 apart, so that Langevin dynamics at small σ cannot cross.
MIXTURE: Final = GaussianMixture(
    weights=np.array([0.2, 0.8]),
    means=np.array([[-2.5, 1.5], [2.0, -1.5]]),
    covariances=np.array([[[0.35, 0.0], [0.0, 0.35]], [[0.8, 0.45], [0.45, 0.5]]]),
)


def smooth(mixture: GaussianMixture, *, sigma: float) -> GaussianMixture:
    """p_σ = p * N(0, σ²I): the same mixture with covariances Σ_k + σ²I."""
    return GaussianMixture(
        weights=mixture.weights,
        means=mixture.means,
        covariances=mixture.covariances + sigma**2 * np.eye(2),
    )


def _component_terms(points: FloatArray, mixture: GaussianMixture) -> tuple[FloatArray, FloatArray, FloatArray]:
    """log(w_k N(y; μ_k, Σ_k)) and the two coordinates of Σ_k⁻¹(y − μ_k), each of shape (K, n).

    Written out for 2 × 2 matrices with the component axis first: reductions over a short
    last axis are ten times slower in numpy, and Langevin calls this thousands of times.
    """
    prec = mixture.precisions
    d0 = points[:, 0][None, :] - mixture.means[:, 0, None]
    d1 = points[:, 1][None, :] - mixture.means[:, 1, None]
    g0 = prec[:, 0, 0, None] * d0 + prec[:, 0, 1, None] * d1
    g1 = prec[:, 1, 0, None] * d0 + prec[:, 1, 1, None] * d1
    log_terms = mixture.log_normalizers[:, None] - 0.5 * (d0 * g0 + d1 * g1)
    return log_terms, g0, g1


def _normalise(log_terms: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Responsibilities (K, n) and log Σ_k exp(log_terms) (n,), shifted to avoid underflow."""
    top = log_terms.max(axis=0)
    terms = np.exp(log_terms - top)
    total = terms.sum(axis=0)
    return terms / total, top + np.log(total)


def log_density(points: npt.ArrayLike, *, mixture: GaussianMixture) -> FloatArray:
    """log p(y) of the mixture at points of shape (n, 2); returns shape (n,)."""
    log_terms, _, _ = _component_terms(_as_points(points), mixture)
    return _normalise(log_terms)[1]


def responsibilities(points: npt.ArrayLike, *, mixture: GaussianMixture) -> FloatArray:
    """γ_k(y) = w_k N(y; μ_k, Σ_k) / p(y) at points of shape (n, 2); returns shape (n, K)."""
    log_terms, _, _ = _component_terms(_as_points(points), mixture)
    return _normalise(log_terms)[0].T


def score(points: npt.ArrayLike, *, mixture: GaussianMixture) -> FloatArray:
    """∇ log p(y) = Σ_k γ_k(y) Σ_k⁻¹ (μ_k − y) at points of shape (n, 2); returns (n, 2)."""
    log_terms, g0, g1 = _component_terms(_as_points(points), mixture)
    gamma, _ = _normalise(log_terms)
    return -np.stack([(gamma * g0).sum(axis=0), (gamma * g1).sum(axis=0)], axis=1)


def tweedie_denoiser(noisy: npt.ArrayLike, *, mixture: GaussianMixture, sigma: float) -> FloatArray:
    """y + σ² ∇log p_σ(y), the right-hand side of the article's basic result; shape (n, 2)."""
    noisy = _as_points(noisy)
    return noisy + sigma**2 * score(noisy, mixture=smooth(mixture, sigma=sigma))


def posterior_mean(noisy: npt.ArrayLike, *, mixture: GaussianMixture, sigma: float) -> FloatArray:
    """E[x | y] for y = x + ε, x ~ p, ε ~ N(0, σ²I), by Gaussian conditioning.

    Given the component k, x | y ~ N(μ_k + Σ_k(Σ_k + σ²I)⁻¹(y − μ_k), ·); the component's
    posterior probability is its responsibility under p_σ. No score appears anywhere.

    Args:
        noisy: points y, shape (n, 2).
        mixture: the clean distribution p.
        sigma: noise standard deviation σ > 0.

    Returns:
        Array of shape (n, 2).
    """
    noisy = _as_points(noisy)
    smoothed = smooth(mixture, sigma=sigma)
    gamma = responsibilities(noisy, mixture=smoothed)  # (n, K)
    gains = mixture.covariances @ smoothed.precisions  # Σ_k (Σ_k + σ²I)⁻¹, (K, 2, 2)
    offsets = noisy[:, None, :] - mixture.means[None, :, :]  # (n, K, 2)
    centres = mixture.means[None] + np.einsum("kij,nkj->nki", gains, offsets)
    return np.einsum("nk,nki->ni", gamma, centres)


def quadrature_grid(*, mixture: GaussianMixture, sigma: float, reach: float) -> tuple[float, float]:
    """Step h and half-width H of a grid on which the posterior integrals converge to rounding.

    The integrand p(x) u(y − x) is, per component, a Gaussian in x whose covariance
    (Σ_k⁻¹ + σ⁻²I)⁻¹ has every standard deviation τ ≥ min(s, σ)/√2, s the smallest standard
    deviation of any Σ_k. The trapezoidal rule on a Gaussian of standard deviation τ errs by
    about 2 exp(−2π²τ²/h²); h = min(s, σ)/3 makes that below exp(−88). The posterior centres
    lie between μ_k and y, so H = reach + max|μ| + 10 s_max truncates less than exp(−50).

    Args:
        mixture: the clean distribution p.
        sigma: noise standard deviation.
        reach: largest |coordinate| of the query points y.

    Returns:
        (step, half_width).
    """
    eigenvalues = np.linalg.eigvalsh(mixture.covariances)
    step = min(math.sqrt(eigenvalues.min()), sigma) / 3.0
    half_width = max(reach, float(np.abs(mixture.means).max())) + 10.0 * math.sqrt(eigenvalues.max())
    return step, half_width


def posterior_mean_by_quadrature(
    noisy: npt.ArrayLike,
    *,
    density: Callable[[FloatArray], FloatArray],
    sigma: float,
    step: float,
    half_width: float,
) -> FloatArray:
    """E[x | y] = ∫ x p(x) u(y − x) dx / ∫ p(x) u(y − x) dx on a square grid (trapezoidal rule).

    ``density`` is evaluated once on the grid g × g (g with spacing ``step`` on
    [−half_width, half_width]), as a black box. The Gaussian kernel factorises,
    u(y − x) ∝ a(y₁ − x₁) a(y₂ − x₂), so for the density matrix P each integral is
    Σ_ij A_mi P_ij B_mj, two matrix products for all queries at once. The endpoint weights of
    the trapezoidal rule are dropped: the integrand is negligible at the edges.

    Args:
        noisy: points y, shape (n, 2).
        density: p at points of shape (m, 2), returning shape (m,); need not be normalised.
        sigma: noise standard deviation σ.
        step: grid spacing h.
        half_width: the grid covers [−half_width, half_width]².

    Returns:
        Array of shape (n, 2).
    """
    noisy = _as_points(noisy)
    nodes = np.arange(-half_width, half_width + 0.5 * step, step)
    first, second = np.meshgrid(nodes, nodes, indexing="ij")
    matrix = density(np.stack([first.ravel(), second.ravel()], axis=1)).reshape(first.shape)
    kernel_1 = np.exp(-0.5 * ((noisy[:, 0, None] - nodes[None, :]) / sigma) ** 2)
    kernel_2 = np.exp(-0.5 * ((noisy[:, 1, None] - nodes[None, :]) / sigma) ** 2)
    left = kernel_1 @ matrix
    mass = (left * kernel_2).sum(axis=1)
    moment_1 = ((kernel_1 * nodes) @ matrix * kernel_2).sum(axis=1)
    moment_2 = (left * (kernel_2 * nodes)).sum(axis=1)
    return np.stack([moment_1 / mass, moment_2 / mass], axis=1)


def wiener_denoiser(noisy: npt.ArrayLike, *, mixture: GaussianMixture, sigma: float) -> FloatArray:
    """The best affine denoiser m + C(C + σ²I)⁻¹(y − m), m and C the mean and covariance of p."""
    noisy = _as_points(noisy)
    mean, covariance = mixture_moments(mixture)
    gain = covariance @ np.linalg.inv(covariance + sigma**2 * np.eye(2))
    return mean + (noisy - mean) @ gain.T


def mixture_moments(mixture: GaussianMixture) -> tuple[FloatArray, FloatArray]:
    """Mean (2,) and covariance (2, 2) of the mixture: Σ w_k μ_k and Σ w_k (Σ_k + μ_kμ_kᵀ) − mmᵀ."""
    mean = mixture.weights @ mixture.means
    outer = mixture.means[:, :, None] * mixture.means[:, None, :]
    second = np.einsum("k,kij->ij", mixture.weights, mixture.covariances + outer)
    return mean, second - np.outer(mean, mean)


def sample_mixture(*, mixture: GaussianMixture, size: int, rng: np.random.Generator) -> tuple[FloatArray, IntArray]:
    """``size`` independent draws of the mixture and the component each came from.

    Returns:
        (points of shape (size, 2), labels of shape (size,) in 0 … K−1).
    """
    labels = rng.choice(mixture.components, size=size, p=mixture.weights)
    factors = np.linalg.cholesky(mixture.covariances)
    normals = rng.standard_normal((size, 2))
    points = mixture.means[labels] + np.einsum("nij,nj->ni", factors[labels], normals)
    return points, labels.astype(np.int64)


def _as_points(points: npt.ArrayLike) -> FloatArray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {array.shape}")
    return array


# --------------------------------------------------------------------------- a learned denoiser


@dataclass(frozen=True, eq=False)
class FourierEnergy:
    """E(y) = Σ_j a_j cos(ω_j·y + b_j), a scalar energy whose gradient is a denoiser's displacement.

    As in DDE, y + ∇E(y) is the denoiser, so ∇E(y)/σ² is the implied score and E/σ² the implied
    log p_σ up to a constant.

    Attributes:
        frequencies: ω_j, shape (D, 2).
        phases: b_j, shape (D,).
        amplitudes: a_j, shape (D,), the fitted weights.
    """

    frequencies: FloatArray
    phases: FloatArray
    amplitudes: FloatArray

    def energy(self, points: npt.ArrayLike) -> FloatArray:
        """E at points of shape (n, 2); returns shape (n,)."""
        return np.cos(_as_points(points) @ self.frequencies.T + self.phases) @ self.amplitudes

    def gradient(self, points: npt.ArrayLike) -> FloatArray:
        """∇E = −Σ_j a_j sin(ω_j·y + b_j) ω_j at points of shape (n, 2); returns (n, 2)."""
        sines = np.sin(_as_points(points) @ self.frequencies.T + self.phases)
        return -(sines * self.amplitudes) @ self.frequencies


def fit_fourier_energy(
    *,
    noisy: FloatArray,
    noise: FloatArray,
    features: int,
    frequency_scale: float,
    ridge: float,
    rng: np.random.Generator,
) -> FourierEnergy:
    """Fit the DDE objective min_E mean‖∇E(x + ε) + ε‖² + λ‖a‖² over random Fourier energies.

    With ω_j ~ N(0, frequency_scale² I) and b_j ~ U[0, 2π) drawn once, ∇E is linear in the
    amplitudes a: ∇E(y) = J(y) a with J(y)_{dj} = −sin(ω_j·y + b_j) ω_{jd}. The objective is a
    ridge regression of −ε on J, solved through its normal equations. With S_nj = sin(ω_j·y_n +
    b_j) they are [(SᵀS) ∘ (ΩΩᵀ) + λN I] a = Σ_d ω_{·d} ∘ (Sᵀε)_{·d}, where ∘ is the entrywise
    product and Ω the (D, 2) matrix of frequencies: O(N D²) work, no (2N, D) design matrix.

    Args:
        noisy: y_n = x_n + ε_n, shape (N, 2).
        noise: ε_n, shape (N, 2).
        features: D.
        frequency_scale: standard deviation of each frequency coordinate (inverse length).
        ridge: λ ≥ 0, relative to the number of pairs N.
        rng: draws the frequencies and phases.
    """
    frequencies = frequency_scale * rng.standard_normal((features, 2))
    phases = rng.uniform(0.0, 2.0 * math.pi, size=features)
    sines = np.sin(noisy @ frequencies.T + phases)  # (N, D)
    gram = (sines.T @ sines) * (frequencies @ frequencies.T)
    right = ((sines.T @ noise) * frequencies).sum(axis=1)
    gram[np.diag_indices_from(gram)] += ridge * noisy.shape[0]
    amplitudes = np.linalg.solve(gram, right)
    return FourierEnergy(frequencies=frequencies, phases=phases, amplitudes=amplitudes)


# --------------------------------------------------------------------------- Langevin dynamics


def langevin(
    start: FloatArray,
    *,
    score_field: ScoreField,
    step: float,
    steps: int,
    record_every: int,
    rng: np.random.Generator,
) -> FloatArray:
    """The article's Langevin iteration x ← x + ½α ∇log p(x) + √α z, z ~ N(0, I), for many chains.

    Args:
        start: initial points, shape (n, 2), one chain each.
        score_field: ∇log p at points of shape (n, 2).
        step: α > 0.
        steps: number of iterations.
        record_every: keep the chains after every ``record_every`` iterations.
        rng: the only source of randomness (one (n, 2) normal block per iteration).

    Returns:
        Snapshots of shape (steps // record_every, n, 2); the last is the final state when
        ``record_every`` divides ``steps``.
    """
    points = np.array(start, dtype=np.float64)
    root = math.sqrt(step)
    snapshots = []
    for iteration in range(1, steps + 1):
        points += 0.5 * step * score_field(points) + root * rng.standard_normal(points.shape)
        if iteration % record_every == 0:
            snapshots.append(points.copy())
    return np.asarray(snapshots).reshape(-1, *points.shape)


def annealed_langevin(
    start: FloatArray,
    *,
    score_at: Callable[[float], ScoreField],
    sigmas: Sequence[float],
    step: float,
    steps_per_level: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Annealed Langevin dynamics (Song & Ermon 2019, algorithm 1).

    For each σ_i of the decreasing ``sigmas`` in turn, run ``steps_per_level`` Langevin steps on
    p_{σ_i} with step α_i = step · σ_i²/σ_L², starting from where the previous level stopped.
    The step is ∝ σ_i² so that α_i/Var keeps the same order at every level.

    Args:
        start: initial points, shape (n, 2).
        score_at: σ ↦ the score field of p_σ.
        sigmas: σ_1 > … > σ_L.
        step: α_L, the step at the last (smallest) level.
        steps_per_level: T.
        rng: the only source of randomness.

    Returns:
        The chains at the end of every level, shape (L, n, 2).
    """
    last = sigmas[-1]
    points = np.array(start, dtype=np.float64)
    snapshots = []
    for sigma in sigmas:
        alpha = step * (sigma / last) ** 2
        points = langevin(
            points, score_field=score_at(sigma), step=alpha, steps=steps_per_level,
            record_every=steps_per_level, rng=rng,
        )[-1]  # fmt: skip
        snapshots.append(points)
    return np.asarray(snapshots)


def gradient_flow(start: FloatArray, *, score_field: ScoreField, step: float, steps: int) -> FloatArray:
    """Langevin without noise, x ← x + ½α ∇log p(x): where each start point drains to."""
    points = np.array(start, dtype=np.float64)
    for _ in range(steps):
        points += 0.5 * step * score_field(points)
    return points


def assign_modes(points: FloatArray, *, mixture: GaussianMixture) -> IntArray:
    """The component of largest responsibility for each point: a fixed partition of the plane."""
    return np.argmax(responsibilities(points, mixture=mixture), axis=1).astype(np.int64)


def cell_probabilities(*, mixture: GaussianMixture, partition: GaussianMixture, step: float = 0.04) -> FloatArray:
    """P_mixture(cell_k) for the cells of :func:`assign_modes` under ``partition``, by quadrature.

    A midpoint rule on a square grid covering every component by ±10 standard deviations. Its
    error is of the order of the step times the density on the cell boundaries: negligible
    when the modes are far apart compared with their spread, as in :data:`MIXTURE`.

    Returns:
        Array of shape (K,) summing to the grid's total mass (1 up to the truncation).
    """
    spread = math.sqrt(np.linalg.eigvalsh(mixture.covariances).max())
    lower = mixture.means.min(axis=0) - 10.0 * spread
    upper = mixture.means.max(axis=0) + 10.0 * spread
    first = np.arange(lower[0], upper[0], step) + 0.5 * step
    second = np.arange(lower[1], upper[1], step) + 0.5 * step
    grid = np.stack(np.meshgrid(first, second, indexing="ij"), axis=-1).reshape(-1, 2)
    mass = np.exp(log_density(grid, mixture=mixture)) * step**2
    cells = assign_modes(grid, mixture=partition)
    return np.bincount(cells, weights=mass, minlength=mixture.components)


# --------------------------------------------------------------------------- reports


def identity_report(
    *,
    sigmas: NoiseLevels = [0.2, 0.5, 1.0],  # noqa: B006 (never mutated; YAML list)
    grid: GridSize = 31,
    test_pairs: PairCount = 20_000,
    rng: np.random.Generator,
) -> Report:
    """The article's basic result r*(y) = E[x | y] = y + σ²∇log p_σ(y), checked three ways.

    On a grid × grid lattice of [−5, 5]² and on the line through the two modes, E[x | y] is
    computed by quadrature of its defining integrals (:func:`posterior_mean_by_quadrature`, p
    as a black box) and by Gaussian conditioning (:func:`posterior_mean`), and both are
    compared with y + σ² times the closed-form score of p_σ. Then ``test_pairs`` fresh pairs
    (x, y = x + ε) measure the DAE loss mean‖r(y) − x‖² of r*, of the best affine denoiser and
    of doing nothing (r(y) = y). Because r* is the posterior mean, E⟨r(y) − r*(y), r*(y) − x⟩ = 0
    for every r, so loss(r) − loss(r*) = E‖r − r*‖²: the DAE loss ranks denoisers by their
    distance to r*, which is why minimising it learns the score.

    Args:
        sigmas: noise levels σ (duplicates dropped, sorted), 0.05 to 3.
        grid: lattice points per axis on [−5, 5]².
        test_pairs: Monte Carlo pairs per σ for the DAE losses.
        rng: the only source of randomness.

    Returns:
        Report of one figure (displacement along the line through the modes, and the
        disagreement of the three routes), two tables and three checks.
    """
    levels = sorted(set(sigmas))
    lattice = _lattice(grid)
    line_t, line_points = _mode_line(MIXTURE, count=121)
    agreement = {sigma: _identity_agreement(np.concatenate([lattice, line_points]), sigma=sigma) for sigma in levels}
    losses = {sigma: _denoiser_losses(sigma=sigma, pairs=test_pairs, learned=None, rng=rng) for sigma in levels}
    table = Table(
        caption=(
            f"在 [−5, 5]² 的 {grid}×{grid} 格点与两峰连线上（共 {lattice.shape[0] + line_points.shape[0]} 个点），"
            "数值积分与高斯条件期望算出的 E[x|y] 各自与 y + σ²∇log p_σ(y) 的最大差距（欧氏范数）；"
            "最后一列是被比较的位移 ‖σ²∇log p_σ‖ 本身的最大值。"
        ),
        columns=("σ", "积分步长", "积分点数", "数值积分之差", "条件期望之差", "最大位移"),
        rows=tuple(
            (sigma, a.step, a.nodes**2, a.quadrature_gap, a.conditioning_gap, a.largest_shift)
            for sigma, a in agreement.items()
        ),
    )
    return Report(
        items=(
            _identity_figure(line_t, line_points, agreement, lattice_size=lattice.shape[0]),
            table,
            _loss_table(losses, pairs=test_pairs),
            _identity_check(agreement),
            _orthogonality_check(losses),
        )
    )


@dataclass(frozen=True)
class IdentityAgreement:
    """The three routes to E[x | y] at one σ, on the report's points.

    Attributes:
        step: quadrature grid spacing.
        nodes: quadrature nodes per axis.
        points: the query points y, shape (n, 2).
        tweedie: y + σ²∇log p_σ(y), shape (n, 2).
        quadrature: E[x | y] by quadrature, shape (n, 2).
        conditioning: E[x | y] by Gaussian conditioning, shape (n, 2).
    """

    step: float
    nodes: int
    points: FloatArray
    tweedie: FloatArray
    quadrature: FloatArray
    conditioning: FloatArray

    @property
    def quadrature_gap(self) -> float:
        """max_y ‖quadrature − tweedie‖."""
        return float(np.linalg.norm(self.quadrature - self.tweedie, axis=1).max())

    @property
    def conditioning_gap(self) -> float:
        """max_y ‖conditioning − tweedie‖."""
        return float(np.linalg.norm(self.conditioning - self.tweedie, axis=1).max())

    @property
    def largest_shift(self) -> float:
        """max_y ‖σ²∇log p_σ(y)‖, the scale the gaps are measured against."""
        return float(np.linalg.norm(self.tweedie - self.points, axis=1).max())


def _identity_agreement(points: FloatArray, *, sigma: float) -> IdentityAgreement:
    reach = float(np.abs(points).max())
    step, half_width = quadrature_grid(mixture=MIXTURE, sigma=sigma, reach=reach)
    quadrature = posterior_mean_by_quadrature(
        points, density=lambda x: np.exp(log_density(x, mixture=MIXTURE)), sigma=sigma, step=step,
        half_width=half_width,
    )  # fmt: skip
    return IdentityAgreement(
        step=step,
        nodes=np.arange(-half_width, half_width + 0.5 * step, step).size,
        points=points,
        tweedie=tweedie_denoiser(points, mixture=MIXTURE, sigma=sigma),
        quadrature=quadrature,
        conditioning=posterior_mean(points, mixture=MIXTURE, sigma=sigma),
    )


@dataclass(frozen=True)
class DenoiserLoss:
    """Monte Carlo DAE loss of one denoiser r at one σ, relative to the optimal r*.

    Attributes:
        loss: mean‖r(y) − x‖².
        distance: mean‖r(y) − r*(y)‖².
        cross: mean 2⟨r(y) − r*(y), r*(y) − x⟩ = loss − loss(r*) − distance, exactly.
        cross_se: its standard error sd/√N.
    """

    loss: float
    distance: float
    cross: float
    cross_se: float

    @property
    def z(self) -> float:
        """cross / cross_se (0 for r* itself)."""
        return self.cross / self.cross_se if self.cross_se > 0.0 else 0.0


def _denoiser_losses(
    *, sigma: float, pairs: int, learned: FourierEnergy | None, rng: np.random.Generator
) -> dict[str, DenoiserLoss]:
    """DAE losses of r*, the best affine denoiser, no denoising and (if given) a learned one."""
    clean, _ = sample_mixture(mixture=MIXTURE, size=pairs, rng=rng)
    noisy = clean + sigma * rng.standard_normal(clean.shape)
    best = tweedie_denoiser(noisy, mixture=MIXTURE, sigma=sigma)
    candidates = {
        "最优 r*": best,
        "维纳滤波": wiener_denoiser(noisy, mixture=MIXTURE, sigma=sigma),
        "不去噪": noisy,
    }
    if learned is not None:
        candidates["学到的 y+∇E"] = noisy + learned.gradient(noisy)
    residual = best - clean
    out = {}
    for name, output in candidates.items():
        gap = output - best
        cross = 2.0 * (gap * residual).sum(axis=1)
        out[name] = DenoiserLoss(
            loss=float(((output - clean) ** 2).sum(axis=1).mean()),
            distance=float((gap**2).sum(axis=1).mean()),
            cross=float(cross.mean()),
            cross_se=float(cross.std(ddof=1) / math.sqrt(pairs)),
        )
    return out


def _loss_table(losses: dict[float, dict[str, DenoiserLoss]], *, pairs: int) -> Table:
    return Table(
        caption=(
            f"去噪自编码器损失 mean‖r(y)−x‖²（每个 σ 取 {pairs} 对新样本）。r* = y + σ²∇log p_σ；"
            "维纳滤波是最优的仿射去噪器；“不去噪”即 r(y) = y。交叉项 = 损失 − 最优损失 − mean‖r−r*‖²，"
            "r* 是后验均值，它的期望恰为 0。"
        ),
        columns=("σ", "去噪器", "损失", "mean‖r−r*‖²", "交叉项", "交叉项 / 标准误"),
        rows=tuple(
            (sigma, name, item.loss, item.distance, item.cross, item.z)
            for sigma, by_name in losses.items()
            for name, item in by_name.items()
        ),
    )


def _identity_check(agreement: dict[float, IdentityAgreement]) -> Check:
    worst = max(max(a.quadrature_gap, a.conditioning_gap) for a in agreement.values())
    parts = [
        f"σ={sigma:g}：数值积分差 {a.quadrature_gap:.1e}，条件期望差 {a.conditioning_gap:.1e}"
        for sigma, a in agreement.items()
    ]
    return Check(
        claim="最优去噪器 E[x|y]（两种独立算法）与 y + σ²∇log p_σ(y) 处处一致，差距只剩舍入误差",
        passed=worst <= IDENTITY_TOLERANCE,
        detail=(
            f"容差 {IDENTITY_TOLERANCE:.0e}：积分网格的离散误差小于 e⁻⁸⁸，截断误差小于 e⁻⁵⁰，"
            "其余是双精度舍入；" + "；".join(parts)
        ),
    )


def _orthogonality_check(losses: dict[float, dict[str, DenoiserLoss]]) -> Check:
    worst = max(abs(item.z) for by_name in losses.values() for item in by_name.values())
    parts = [
        f"σ={sigma:g}：" + "，".join(f"{name} z={item.z:+.2f}" for name, item in by_name.items())
        for sigma, by_name in losses.items()
    ]
    return Check(
        claim="对每个去噪器 r，损失(r) − 损失(r*) 与 mean‖r − r*‖² 之差都在 4 个标准误之内（后验均值的正交性）",
        passed=worst <= SE_TOLERANCE,
        detail="差值即交叉项 2⟨r−r*, r*−x⟩ 的样本均值，期望为 0；" + "；".join(parts),
    )


def _identity_figure(
    line_t: FloatArray, line_points: FloatArray, agreement: dict[float, IdentityAgreement], *, lattice_size: int
) -> Figure:
    direction = _mode_direction(MIXTURE)
    mode_t = (MIXTURE.means - line_points[0]) @ direction + line_t[0]
    fig = MplFigure(figsize=(6.4, 6.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    data: dict[str, list[Cell]] = {key: [] for key in ("sigma", "t", "y1", "y2", "shift_tweedie", "shift_quadrature",
                                                       "gap_quadrature", "gap_conditioning")}  # fmt: skip
    for index, (sigma, a) in enumerate(agreement.items()):
        rows = slice(lattice_size, None)
        shift = (a.tweedie[rows] - line_points) @ direction
        shift_quadrature = (a.quadrature[rows] - line_points) @ direction
        gap_q = np.linalg.norm(a.quadrature[rows] - a.tweedie[rows], axis=1)
        gap_c = np.linalg.norm(a.conditioning[rows] - a.tweedie[rows], axis=1)
        color = f"C{index}"
        top.plot(line_t, shift, color=color, linewidth=1.6, label=rf"$\sigma={sigma:g}$：$\sigma^2\nabla\log p_\sigma$")
        top.plot(line_t[::4], shift_quadrature[::4], "o", color=color, markersize=3.5, markerfacecolor="none")
        floor = 1e-17  # exact zeros drawn at the bottom of the log axis
        bottom.semilogy(line_t, np.maximum(gap_q, floor), "o", color=color, markersize=2.5, alpha=0.7)
        bottom.semilogy(line_t, np.maximum(gap_c, floor), "x", color=color, markersize=2.5, alpha=0.7)
        for key, values in (("sigma", [sigma] * line_t.size), ("t", line_t), ("y1", line_points[:, 0]),
                            ("y2", line_points[:, 1]), ("shift_tweedie", shift),
                            ("shift_quadrature", shift_quadrature), ("gap_quadrature", gap_q),
                            ("gap_conditioning", gap_c)):  # fmt: skip
            data[key] += [float(v) for v in values]
    for ax in (top, bottom):
        for t in mode_t:
            ax.axvline(t, color="0.6", linewidth=0.8, linestyle="--")
    top.axhline(0.0, color="0.3", linewidth=0.6)
    top.plot([], [], "o", color="0.3", markerfacecolor="none", markersize=3.5, label="数值积分的 E[x|y] − y")
    top.set_ylabel(r"去噪位移沿两峰连线的分量")
    top.set_title(r"最优去噪器把带噪点拉向数据：$E[x|y]-y$ 与 $\sigma^2\nabla\log p_\sigma(y)$")
    top.legend(loc="upper right", fontsize="small")
    top.text(mode_t[0], top.get_ylim()[0], " 小峰 (0.2)", fontsize="small", va="bottom")
    top.text(mode_t[1], top.get_ylim()[0], " 大峰 (0.8)", fontsize="small", va="bottom")
    bottom.axhline(IDENTITY_TOLERANCE, color="C3", linewidth=1.0, linestyle="--", label="自检容差")
    bottom.plot([], [], "o", color="0.3", markersize=2.5, label=r"数值积分 vs $y+\sigma^2\nabla\log p_\sigma$")
    bottom.plot([], [], "x", color="0.3", markersize=2.5, label=r"高斯条件期望 vs $y+\sigma^2\nabla\log p_\sigma$")
    bottom.set_ylim(1e-17, 1e-9)
    bottom.set_xlabel(r"沿两峰连线的位置 $t$（两峰中点为 0）")
    bottom.set_ylabel("差距（欧氏范数）")
    bottom.legend(loc="center right", fontsize="small")
    worst = max(max(a.quadrature_gap, a.conditioning_gap) for a in agreement.values())
    return Figure(
        figure=fig,
        caption="沿两峰连线，最优去噪器的位移（上）与三种算法之间的差距（下，对数坐标）。",
        alt=(
            "上图：横轴是沿两峰连线的位置，纵轴是去噪位移；每个 σ 一条曲线，在两峰之间穿过零点，"
            "空心圆（数值积分）全部落在曲线上；σ 越大曲线越平缓、幅度越大。下图：三种算法的差距在 "
            f"1e-17 到 1e-9 的对数坐标里，最大值 {worst:.1e}。"
        ),
        data=data,
    )


def _mode_direction(mixture: GaussianMixture) -> FloatArray:
    """Unit vector from the first mean to the second."""
    delta = mixture.means[1] - mixture.means[0]
    return delta / np.linalg.norm(delta)


def _mode_line(mixture: GaussianMixture, *, count: int) -> tuple[FloatArray, FloatArray]:
    """Points on the line through the first two means, t ∈ [−5.5, 5.5] from their midpoint."""
    t = np.linspace(-5.5, 5.5, count)
    centre = 0.5 * (mixture.means[0] + mixture.means[1])
    return t, centre + t[:, None] * _mode_direction(mixture)


def _lattice(size: int, half_width: float = VIEW_HALF_WIDTH) -> FloatArray:
    """size × size points on [−half_width, half_width]², first coordinate varying slowest."""
    axis = np.linspace(-half_width, half_width, size)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([first.ravel(), second.ravel()], axis=1)


def learned_score_report(
    *,
    sigma: NoiseLevel = 0.5,
    pairs: PairCount = 20_000,
    features: FeatureCount = 256,
    frequency_scale: FrequencyScale = 1.2,
    ridge: Ridge = 1e-4,
    test_pairs: PairCount = 10_000,
    rng: np.random.Generator,
) -> Report:
    """Learn a DAE from samples (the DDE way) and compare its implied score with the exact one.

    Draws ``pairs`` clean points x ~ p and noise ε ~ N(0, σ²I), fits the energy
    E(y) = Σ_j a_j cos(ω_j·y + b_j) by minimising mean‖∇E(x + ε) + ε‖² (a ridge regression,
    :func:`fit_fourier_energy`), and reads off the denoiser y + ∇E(y), the score ∇E/σ² and the
    log-density E/σ² + C. These are compared with the exact σ²∇log p_σ and σ² log p_σ on
    fresh samples of p_σ (where a DAE sees data), on the part of [−5, 5]² where p_σ is at least
    1 % of its peak, and on the whole square (where it has seen almost none). The DAE losses on
    fresh pairs are decomposed as in :func:`identity_report`.

    Args:
        sigma: noise level σ of the DAE.
        pairs: training pairs (x, ε).
        features: random Fourier features D. Fitting costs O(pairs × features²): about 0.2 s
            at the defaults.
        frequency_scale: standard deviation of the random frequencies ω (inverse length).
        ridge: ridge penalty λ per training pair.
        test_pairs: fresh pairs for the losses, and fresh points of p_σ for the field errors.
        rng: the only source of randomness.

    Returns:
        Report of one figure (exact field, learned field, error map), three tables (field
        errors, the relative height of the two modes, DAE losses) and one check.
    """
    clean, _ = sample_mixture(mixture=MIXTURE, size=pairs, rng=rng)
    noise = sigma * rng.standard_normal(clean.shape)
    model = fit_fourier_energy(
        noisy=clean + noise, noise=noise, features=features, frequency_scale=frequency_scale, ridge=ridge, rng=rng
    )
    smoothed = smooth(MIXTURE, sigma=sigma)
    test_points, _ = sample_mixture(mixture=smoothed, size=test_pairs, rng=rng)
    losses = {sigma: _denoiser_losses(sigma=sigma, pairs=test_pairs, learned=model, rng=rng)}
    field_rows = _field_error_rows(model, sigma=sigma, test_points=test_points)
    fields = Table(
        caption=(
            f"学到的能量模型（{features} 个随机傅里叶特征、{pairs} 对训练样本、σ = {sigma:g}）与精确值的差距。"
            "相对误差 = 误差的均方根 / 精确值的均方根；能量的误差先减去使它最小的常数（整体一个，或每个峰一个）。"
        ),
        columns=("比较对象", "区域", "点数", "相对误差", "误差均方根", "精确值均方根"),
        rows=field_rows,
    )
    return Report(
        items=(
            _field_figure(model, sigma=sigma),
            fields,
            _mode_balance_table(model, sigma=sigma),
            _loss_table(losses, pairs=test_pairs),
            _orthogonality_check(losses),
        )
    )


def _field_error_rows(model: FourierEnergy, *, sigma: float, test_points: FloatArray) -> tuple[tuple[Cell, ...], ...]:
    smoothed = smooth(MIXTURE, sigma=sigma)
    lattice = _lattice(FIELD_LATTICE)
    regions = (
        ("p_σ 的新样本", test_points),
        ("p_σ ≥ 峰值 1% 的格点", _dense_points(lattice, smoothed)),
        ("整个 [−5, 5]² 的格点", lattice),
    )
    rows: list[tuple[Cell, ...]] = []
    for name, points in regions:
        exact = sigma**2 * score(points, mixture=smoothed)
        error = model.gradient(points) - exact
        rows.append(("去噪位移 σ²∇log p_σ", name, points.shape[0], *_relative_rms(error, exact)))
    exact_energy = sigma**2 * log_density(test_points, mixture=smoothed)
    gap = model.energy(test_points) - exact_energy
    rows.append(
        (
            "能量 E − σ² log p_σ，整体减一个常数",
            "p_σ 的新样本",
            test_points.shape[0],
            *_relative_rms(gap - gap.mean(), exact_energy - exact_energy.mean()),
        )
    )
    cells = assign_modes(test_points, mixture=smoothed)
    per_cell = gap - (np.bincount(cells, weights=gap) / np.bincount(cells))[cells]
    rows.append(
        (
            "能量 E − σ² log p_σ，每个峰各减一个常数",
            "p_σ 的新样本",
            test_points.shape[0],
            *_relative_rms(per_cell, exact_energy - exact_energy.mean()),
        )
    )
    return tuple(rows)


def _mode_balance_table(model: FourierEnergy, *, sigma: float) -> Table:
    """How high the learned log-density puts one mode relative to the other."""
    smoothed = smooth(MIXTURE, sigma=sigma)
    means = MIXTURE.means[:2]
    learned_gap = float(np.diff(model.energy(means))[0]) / sigma**2
    exact_gap = float(np.diff(log_density(means, mixture=smoothed))[0])
    dense = _dense_points(_lattice(FIELD_LATTICE), smoothed)
    small = assign_modes(dense, mixture=smoothed) == 0
    learned_log = model.energy(dense) / sigma**2
    exact_log = log_density(dense, mixture=smoothed)
    return Table(
        caption=(
            "两个峰的相对高低：学到的能量给出的 log p_σ 只差一个常数，但两峰之间的落差决定了它们的相对权重。"
            "份额按 p_σ ≥ 峰值 1% 的格点求和（小峰一侧 / 全部）。"
        ),
        columns=("量", "由学到的 E/σ² 算出", "精确值（由 log p_σ 算出）"),
        rows=(
            ("大峰中心与小峰中心的对数密度差", learned_gap, exact_gap),
            ("高密度区中小峰所占份额", _cell_share(learned_log, small), _cell_share(exact_log, small)),
        ),
    )


def _cell_share(log_values: FloatArray, inside: npt.NDArray[np.bool_]) -> float:
    """Σ_inside e^{log_values} / Σ e^{log_values}, shifted against overflow."""
    weights = np.exp(log_values - log_values.max())
    return float(weights[inside].sum() / weights.sum())


def _dense_points(lattice: FloatArray, smoothed: GaussianMixture) -> FloatArray:
    """The lattice points where p_σ is at least 1 % of its largest value on the lattice."""
    density = np.exp(log_density(lattice, mixture=smoothed))
    return lattice[density >= 0.01 * density.max()]


def _relative_rms(error: FloatArray, exact: FloatArray) -> tuple[float, float, float]:
    """(relative error, rms error, rms exact) with rms over points of ‖·‖ (vectors) or |·|."""
    rms_error = math.sqrt(float((error**2).sum()) / error.shape[0])
    rms_exact = math.sqrt(float((exact**2).sum()) / exact.shape[0])
    return rms_error / rms_exact, rms_error, rms_exact


def _field_figure(model: FourierEnergy, *, sigma: float) -> Figure:
    smoothed = smooth(MIXTURE, sigma=sigma)
    lattice = _lattice(FIELD_LATTICE)
    exact_log = log_density(lattice, mixture=smoothed)
    learned_log = model.energy(lattice) / sigma**2
    exact_shift = sigma**2 * score(lattice, mixture=smoothed)
    learned_shift = model.gradient(lattice)
    error = np.linalg.norm(learned_shift - exact_shift, axis=1)
    line_t, line_points = _mode_line(MIXTURE, count=221)
    line_exact = log_density(line_points, mixture=smoothed)
    line_learned = model.energy(line_points) / sigma**2
    big = int(np.argmin(np.linalg.norm(line_points - MIXTURE.means[1], axis=1)))
    line_learned += line_exact[big] - line_learned[big]  # E/σ² is log p_σ up to a constant: match at the big mode

    fig = MplFigure(figsize=(7.4, 7.6), layout="constrained")
    (exact_ax, learned_ax), (error_ax, line_ax) = fig.subplots(2, 2)
    arrows = _lattice(13)
    _draw_field(exact_ax, exact_log, sigma**2 * score(arrows, mixture=smoothed), arrows=arrows, color="black")
    exact_ax.set_title(r"精确：$\sigma^2\nabla\log p_\sigma$，底色 $p_\sigma$")
    _draw_field(learned_ax, learned_log, model.gradient(arrows), arrows=arrows, color="C3")
    learned_ax.set_title(r"学到的：$\nabla E$，底色 $e^{E/\sigma^2}$")
    _draw_error(error_ax, error, exact_log)
    line_ax.plot(line_t, line_exact, color="black", linewidth=1.6, label=r"$\log p_\sigma$（精确）")
    line_ax.plot(
        line_t, line_learned, color="C3", linewidth=1.4, linestyle="--", label=r"$E/\sigma^2$（学到的，在大峰处对齐）"
    )
    mode_t = (MIXTURE.means - line_points[0]) @ _mode_direction(MIXTURE) + line_t[0]
    for t, name in zip(mode_t, MODE_NAMES, strict=True):
        line_ax.axvline(t, color="0.6", linewidth=0.8, linestyle=":")
        line_ax.text(t, 0.02, f" {name}", transform=line_ax.get_xaxis_transform(), fontsize="small")
    line_ax.set_ylim(max(float(line_exact.min()), float(line_exact.max()) - 12.0), float(line_exact.max()) + 1.0)
    line_ax.set_xlabel(r"沿两峰连线的位置 $t$")
    line_ax.set_ylabel("对数密度")
    line_ax.set_title("沿两峰连线的对数密度")
    line_ax.legend(loc="upper left", fontsize="small")
    data: dict[str, list[Cell]] = {
        "kind": ["lattice"] * lattice.shape[0] + ["line"] * line_t.size,
        "y1": [*lattice[:, 0].tolist(), *line_points[:, 0].tolist()],
        "y2": [*lattice[:, 1].tolist(), *line_points[:, 1].tolist()],
        "t": [""] * lattice.shape[0] + line_t.tolist(),
        "log_p_sigma": [*exact_log.tolist(), *line_exact.tolist()],
        "energy_over_sigma2": [*learned_log.tolist(), *line_learned.tolist()],
    }
    for key, values in (
        ("exact_shift_1", exact_shift[:, 0]), ("exact_shift_2", exact_shift[:, 1]),
        ("learned_shift_1", learned_shift[:, 0]), ("learned_shift_2", learned_shift[:, 1]), ("error_norm", error),
    ):  # fmt: skip
        data[key] = [*values.tolist(), *[""] * line_t.size]
    gap = float(line_learned[np.argmin(np.abs(line_t - mode_t[0]))] - line_exact[np.argmin(np.abs(line_t - mode_t[0]))])
    return Figure(
        figure=fig,
        caption=(
            f"σ = {sigma:g}：精确的去噪位移场（左上）、学到的能量模型的位移场（右上）、两者之差（左下，"
            "对数色标，蓝线是 p_σ 为峰值 1%、10%、50% 的等高线），以及沿两峰连线的 log p_σ 与 E/σ²"
            f"（右下，学到的曲线平移到在大峰处重合）。底色都归一到峰值 1；箭头长度是实际位移的 1/{ARROW_SHRINK:g}。"
        ),
        alt=(
            "左上与右上：[−5, 5]² 上的箭头都指向两个峰，两幅在两峰附近几乎相同，远离数据的角落里方向开始偏离。"
            f"左下：误差在数据所在处最小，向角落增大，最大约 {error.max():.2g}。右下：两条对数密度曲线在大峰附近重合，"
            f"在小峰处学到的曲线比精确曲线高 {gap:+.2f}（负数表示低）。"
        ),
        data=data,
    )


def _draw_field(ax: Axes, log_values: FloatArray, shift: FloatArray, *, arrows: FloatArray, color: str) -> None:
    """Density e^{log_values} (lattice order, peak 1) as background, displacement arrows on top."""
    size = FIELD_LATTICE
    relative = np.exp(log_values - log_values.max()).reshape(size, size).T
    ax.imshow(relative, extent=_EXTENT, origin="lower", cmap="Blues", vmin=0.0, vmax=1.0, interpolation="bilinear")
    ax.quiver(arrows[:, 0], arrows[:, 1], shift[:, 0], shift[:, 1], color=color, angles="xy", scale_units="xy",
              scale=ARROW_SHRINK, width=0.005)  # fmt: skip
    _square_axes(ax)


def _draw_error(ax: Axes, error: FloatArray, exact_log: FloatArray) -> None:
    size = FIELD_LATTICE
    image = ax.imshow(
        error.reshape(size, size).T, extent=_EXTENT, origin="lower", cmap="magma_r", interpolation="bilinear",
        norm=LogNorm(vmin=1e-3, vmax=max(1.0, float(error.max()))),
    )  # fmt: skip
    lattice = _lattice(size)
    ax.contour(
        lattice[:, 0].reshape(size, size), lattice[:, 1].reshape(size, size),
        np.exp(exact_log - exact_log.max()).reshape(size, size), levels=[0.01, 0.1, 0.5], colors="C0", linewidths=0.8,
    )  # fmt: skip
    ax.set_title(r"误差 $\|\nabla E-\sigma^2\nabla\log p_\sigma\|$")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    _square_axes(ax)


def _square_axes(ax: Axes) -> None:
    ax.set_aspect("equal")
    ax.set_xlim(-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH)
    ax.set_ylim(-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH)
    ax.set_xlabel(r"$y_1$")
    ax.set_ylabel(r"$y_2$")


_EXTENT: Final = (-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH, -VIEW_HALF_WIDTH, VIEW_HALF_WIDTH)


def langevin_report(
    *,
    chains: ChainCount = 5_000,
    sigma_min: NoiseLevel = 0.2,
    sigma_max: AnnealTop = 6.0,
    levels: LevelCount = 20,
    steps_per_level: StepsPerLevel = 150,
    step: StepSize = 0.01,
    start_half_width: HalfWidth = 6.0,
    rng: np.random.Generator,
) -> Report:
    """Plain against annealed Langevin dynamics with the exact score, from a poor start.

    ``chains`` chains start uniformly on the square [−start_half_width, start_half_width]²,
    which ignores the 0.2 / 0.8 weights of :data:`MIXTURE`. Plain Langevin runs
    levels × steps_per_level steps of the article's iteration on p_{σ_min} with step ``step``;
    annealed Langevin runs the same number of steps through the geometric ladder
    σ_max → σ_min (:func:`annealed_langevin`). Each final point is assigned to the mode of
    largest responsibility under p_{σ_min}. The exact share of each cell is its probability
    under p_{σ_min} (:func:`cell_probabilities`), equal to the weight up to the overlap of the
    modes. For reference the report also draws ``chains`` exact samples of p_{σ_min}, and
    predicts plain Langevin's shares from where the noise-free flow x ← x + ½α∇log p carries a
    fine grid of the starting square (the basins of attraction).

    Checks (4 binomial standard errors): the exact samples and the annealed chains recover the
    cell probabilities. The second is not a theorem: chains freeze in their mode at some σ where
    the small mode's cell still holds a little more than its weight, so annealing leaves a small
    upward bias. At the defaults it is about +0.003 (12 seeds: mean 0.2032, binomial SE 0.0057),
    so the check fails with probability of order 1e-3 per seed. Plain Langevin's shares are
    reported, not checked: they depend on the starting square, not on the weights.

    Args:
        chains: number of independent chains (and exact samples).
        sigma_min: the noise level whose p_σ is sampled, σ_L.
        sigma_max: the first level σ_1 of the annealing ladder; must exceed ``sigma_min``.
        levels: L, noise levels on the geometric ladder.
        steps_per_level: T; plain Langevin runs L × T steps.
        step: α at σ_min; level i uses α σ_i²/σ_min².
        start_half_width: half-width of the square the chains start on.
        rng: the only source of randomness.

    Returns:
        Report of one figure (three sample clouds and the small mode's share along the run),
        one table and two checks.
    """
    if sigma_max <= sigma_min:
        raise ValueError(f"sigma_max must exceed sigma_min, got {sigma_max} ≤ {sigma_min}")
    target = smooth(MIXTURE, sigma=sigma_min)
    sigmas = np.geomspace(sigma_max, sigma_min, levels)
    start = rng.uniform(-start_half_width, start_half_width, size=(chains, 2))
    annealed = annealed_langevin(
        start, score_at=_exact_score_at, sigmas=sigmas.tolist(), step=step, steps_per_level=steps_per_level, rng=rng
    )
    plain = langevin(
        start, score_field=_exact_score_at(sigma_min), step=step, steps=levels * steps_per_level,
        record_every=steps_per_level, rng=rng,
    )  # fmt: skip
    direct, _ = sample_mixture(mixture=target, size=chains, rng=rng)
    exact = cell_probabilities(mixture=target, partition=target)
    basins = _basin_shares(target, half_width=start_half_width)
    finals = {"direct": direct, "plain": plain[-1], "annealed": annealed[-1]}
    shares = {name: _shares(points, target) for name, points in finals.items()}
    level_shares = _level_shares(sigmas, target=target, size=LEVEL_SAMPLES, rng=rng)
    table = Table(
        caption=(
            f"各模式所占比例：{chains} 条链从 [−{start_half_width:g}, {start_half_width:g}]² 上均匀出发，"
            f"普通 Langevin 在 σ = {sigma_min:g} 上跑 {levels * steps_per_level} 步，退火 Langevin 用 {levels} 个噪声级"
            f"（{sigma_max:g} → {sigma_min:g}）各跑 {steps_per_level} 步。每个点归入 p_σ 下责任最大的成分；"
            f"“区域概率”是该区域在 p_σ（σ = {sigma_min:g}）下的概率，“吸引盆”是起点方框中被无噪声梯度流"
            "带到该区域的面积比例，标准误为 √(p(1−p)/N)。"
        ),
        columns=("模式", "权重", "区域概率", "直接抽样", "普通 Langevin", "退火 Langevin", "吸引盆", "标准误"),
        rows=tuple(
            (
                MODE_NAMES[k],
                float(MIXTURE.weights[k]),
                float(exact[k]),
                shares["direct"][k],
                shares["plain"][k],
                shares["annealed"][k],
                float(basins[k]),
                math.sqrt(exact[k] * (1.0 - exact[k]) / chains),
            )
            for k in range(MIXTURE.components)
        ),
    )
    runs = {"plain": plain, "annealed": annealed}
    return Report(
        items=(
            _langevin_figure(
                target,
                direct=direct,
                runs=runs,
                sigmas=sigmas,
                level_shares=level_shares,
                basin_share=float(basins[0]),
                steps_per_level=steps_per_level,
                half_width=start_half_width,
            ),
            table,
            _share_check("直接从 p_σ 抽样", shares["direct"], exact, chains),
            _share_check("退火 Langevin", shares["annealed"], exact, chains),
        )
    )


#: Exact samples per noise level for the reference curve of the Langevin figure (SE ≤ 0.0036).
LEVEL_SAMPLES: Final = 20_000
#: Names of the components of :data:`MIXTURE` in tables.
MODE_NAMES: Final = ("小峰", "大峰")


def _exact_score_at(sigma: float) -> ScoreField:
    smoothed = smooth(MIXTURE, sigma=sigma)
    return lambda points: score(points, mixture=smoothed)


def _shares(points: FloatArray, partition: GaussianMixture) -> list[float]:
    counts = np.bincount(assign_modes(points, mixture=partition), minlength=partition.components)
    return (counts / points.shape[0]).tolist()


def _basin_shares(target: GaussianMixture, *, half_width: float) -> FloatArray:
    """Area shares of the starting square that the noise-free flow carries to each cell.

    The flow runs on the centres of a 100 × 100 grid of the square, with α half the smallest
    variance of p_σ (stable and monotone along the stiffest direction) for a total time of
    20 times the largest variance, enough to cross the square and settle.
    """
    eigenvalues = np.linalg.eigvalsh(target.covariances)
    alpha = 0.5 * float(eigenvalues.min())
    steps = math.ceil(40.0 * float(eigenvalues.max()) / alpha)
    centres = (np.arange(100) + 0.5) / 100 * 2.0 * half_width - half_width
    first, second = np.meshgrid(centres, centres, indexing="ij")
    start = np.stack([first.ravel(), second.ravel()], axis=1)
    field = lambda points: score(points, mixture=target)  # noqa: E731
    end = gradient_flow(start, score_field=field, step=alpha, steps=steps)
    return np.bincount(assign_modes(end, mixture=target), minlength=target.components) / start.shape[0]


def _level_shares(sigmas: FloatArray, *, target: GaussianMixture, size: int, rng: np.random.Generator) -> FloatArray:
    """Share of each cell under p_{σ_i}, estimated from ``size`` exact samples per level; (L, K)."""
    shares = []
    for sigma in sigmas:
        points, _ = sample_mixture(mixture=smooth(MIXTURE, sigma=float(sigma)), size=size, rng=rng)
        shares.append(_shares(points, target))
    return np.asarray(shares)


def _share_check(label: str, shares: Sequence[float], exact: FloatArray, count: int) -> Check:
    parts = []
    passed = True
    for k, (share, p) in enumerate(zip(shares, exact, strict=True)):
        se = math.sqrt(p * (1.0 - p) / count)
        ok = abs(share - p) <= SE_TOLERANCE * se
        passed &= ok
        parts.append(
            f"{MODE_NAMES[k]}：{share:.4f}，应为 {p:.4f}，|Δ|/SE = {abs(share - p) / se:.2f}{'' if ok else ' ✗'}"
        )
    return Check(
        claim=f"{label}：各模式所占比例与 p_σ 下的真实比例之差都在 4 个二项标准误之内",
        passed=bool(passed),
        detail=f"SE = √(p(1−p)/N)，N = {count}；" + "；".join(parts),
    )


#: Points drawn per sample cloud (the chains are exchangeable: the first ones are a random subset).
CLOUD_POINTS: Final = 1_500


def _langevin_figure(
    target: GaussianMixture,
    *,
    direct: FloatArray,
    runs: dict[str, FloatArray],
    sigmas: FloatArray,
    level_shares: FloatArray,
    basin_share: float,
    steps_per_level: int,
    half_width: float,
) -> Figure:
    fig = MplFigure(figsize=(9.0, 8.4), layout="constrained")
    axes = fig.subplots(2, 2)
    clouds = (
        ("direct", direct, r"直接从 $p_\sigma$ 抽样"),
        ("plain", runs["plain"][-1], "普通 Langevin"),
        ("annealed", runs["annealed"][-1], "退火 Langevin"),
    )
    data: dict[str, list[Cell]] = {key: [] for key in ("kind", "x1", "x2", "step", "small_mode_share")}
    for ax, (kind, points, title) in zip(axes.flat, clouds, strict=False):
        share = _shares(points, target)[0]
        _draw_cloud(ax, points[:CLOUD_POINTS], target=target, half_width=half_width)
        ax.set_title(f"{title}：小峰占 {share:.3f}")
        for x1, x2 in points[:CLOUD_POINTS]:
            _append_row(data, kind=kind, x1=float(x1), x2=float(x2))
    steps = steps_per_level * np.arange(1, sigmas.size + 1)
    curves = (
        ("plain", [_shares(s, target)[0] for s in runs["plain"]], "普通 Langevin", "C1"),
        ("annealed", [_shares(s, target)[0] for s in runs["annealed"]], "退火 Langevin", "C2"),
        ("exact_at_level", level_shares[:, 0].tolist(), r"$p_{\sigma_i}$ 下的真实比例（直接抽样）", "0.3"),
    )
    ax = axes[1, 1]
    for kind, values, label, color in curves:
        style = "--" if kind == "exact_at_level" else "-"
        ax.plot(steps, values, style, color=color, marker="o", markersize=3, label=label)
        for step_count, value in zip(steps, values, strict=True):
            _append_row(data, kind=kind, step=int(step_count), small_mode_share=float(value))
    ax.axhline(MIXTURE.weights[0], color="C3", linewidth=1.0, linestyle=":", label=f"权重 {MIXTURE.weights[0]:g}")
    ax.axhline(basin_share, color="C1", linewidth=1.0, linestyle=":", label="起点方框中流向小峰的面积比例")
    ax.set_ylim(0.0, 0.8)
    ax.set_xlabel("累计步数")
    ax.set_ylabel("小峰所占比例")
    ax.set_title("运行过程中小峰所占的比例")
    ax.legend(loc="upper right", fontsize="small")
    marks = sorted({0, sigmas.size // 3, (2 * sigmas.size) // 3, sigmas.size - 1})
    top = ax.secondary_xaxis("top")
    top.set_xticks(steps[marks], labels=[f"{sigmas[i]:.2g}" for i in marks])
    top.set_xlabel(r"退火的噪声级 $\sigma_i$", fontsize="small")
    final = {kind: _shares(points, target)[0] for kind, points, _ in clouds}
    return Figure(
        figure=fig,
        caption=(
            f"同一批从方框内均匀出发的链：普通 Langevin 与退火 Langevin 的终点（各画 {CLOUD_POINTS} 个点，"
            "虚线方框是出发区域，灰线是 p_σ 的等高线），与直接抽样对照；右下是小峰比例随步数的变化。"
        ),
        alt=(
            f"三幅散点图：直接抽样时小峰占 {final['direct']:.3f}，普通 Langevin 的终点小峰占 "
            f"{final['plain']:.3f}，退火 Langevin 占 {final['annealed']:.3f}。右下折线图：普通 Langevin 的比例"
            "从一开始就几乎不变；退火 Langevin 的比例跟着各噪声级的真实比例从高处降到 "
            f"{MIXTURE.weights[0]:g} 附近。"
        ),
        data=data,
    )


def _append_row(data: dict[str, list[Cell]], **values: Cell) -> None:
    for key, column in data.items():
        column.append(values.get(key, ""))


def _draw_cloud(ax: Axes, points: FloatArray, *, target: GaussianMixture, half_width: float) -> None:
    limit = half_width + 0.5
    axis = np.linspace(-limit, limit, 161)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    density = np.exp(log_density(np.stack([first.ravel(), second.ravel()], axis=1), mixture=target))
    levels = density.max() * np.array([0.01, 0.1, 0.4])
    ax.contour(first, second, density.reshape(first.shape), levels=levels, colors="0.55", linewidths=0.7)
    ax.scatter(points[:, 0], points[:, 1], s=2.0, color="C0", alpha=0.6, linewidths=0.0, rasterized=True)
    ax.add_patch(
        Rectangle((-half_width, -half_width), 2 * half_width, 2 * half_width, fill=False, linestyle="--",
                  edgecolor="0.4", linewidth=0.8)
    )  # fmt: skip
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
