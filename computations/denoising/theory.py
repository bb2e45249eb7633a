"""The mathematics of the optimal denoiser on a Gaussian mixture in the plane.

For p = Σ_k w_k N(μ_k, Σ_k) everything has closed forms: p_σ = p * N(0, σ²I) is the mixture
with covariances Σ_k + σ²I, its score is Σ_k γ_k(y) (Σ_k + σ²I)⁻¹ (μ_k − y) with γ_k the
responsibilities under p_σ, and the posterior mean is Σ_k γ_k(y) [μ_k + Σ_k (Σ_k + σ²I)⁻¹ (y − μ_k)]
(Gaussian conditioning per component). :func:`posterior_mean_by_quadrature` computes E[x | y] a
third way, from the defining integrals ∫ x p(x) u(y − x) dx / ∫ p(x) u(y − x) dx on a grid,
knowing nothing of the mixture. No figures and no wording here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Half-width of the square [−5, 5]² on which fields are compared and drawn.
VIEW_HALF_WIDTH: Final = 5.0


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


#: The data distribution of every directive: a small round mode (weight 0.2) and a large
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
    log_terms, _, _ = _component_terms(as_points(points), mixture)
    return _normalise(log_terms)[1]


def responsibilities(points: npt.ArrayLike, *, mixture: GaussianMixture) -> FloatArray:
    """γ_k(y) = w_k N(y; μ_k, Σ_k) / p(y) at points of shape (n, 2); returns shape (n, K)."""
    log_terms, _, _ = _component_terms(as_points(points), mixture)
    return _normalise(log_terms)[0].T


def score(points: npt.ArrayLike, *, mixture: GaussianMixture) -> FloatArray:
    """∇ log p(y) = Σ_k γ_k(y) Σ_k⁻¹ (μ_k − y) at points of shape (n, 2); returns (n, 2)."""
    log_terms, g0, g1 = _component_terms(as_points(points), mixture)
    gamma, _ = _normalise(log_terms)
    return -np.stack([(gamma * g0).sum(axis=0), (gamma * g1).sum(axis=0)], axis=1)


def mixture_moments(mixture: GaussianMixture) -> tuple[FloatArray, FloatArray]:
    """Mean (2,) and covariance (2, 2) of the mixture: Σ w_k μ_k and Σ w_k (Σ_k + μ_kμ_kᵀ) − mmᵀ."""
    mean = mixture.weights @ mixture.means
    outer = mixture.means[:, :, None] * mixture.means[:, None, :]
    second = np.einsum("k,kij->ij", mixture.weights, mixture.covariances + outer)
    return mean, second - np.outer(mean, mean)


def sample_mixture(*, mixture: GaussianMixture, size: int, rng: np.random.Generator) -> tuple[FloatArray, IntArray]:
    """``size`` independent draws of the mixture and the component each came from.

    All labels are drawn first, then one (size, 2) block of standard normals.

    Returns:
        (points of shape (size, 2), labels of shape (size,) in 0 … K−1).
    """
    labels = rng.choice(mixture.components, size=size, p=mixture.weights)
    factors = np.linalg.cholesky(mixture.covariances)
    normals = rng.standard_normal((size, 2))
    points = mixture.means[labels] + np.einsum("nij,nj->ni", factors[labels], normals)
    return points, labels.astype(np.int64)


def assign_modes(points: FloatArray, *, mixture: GaussianMixture) -> IntArray:
    """The component of largest responsibility for each point: a fixed partition of the plane."""
    return np.argmax(responsibilities(points, mixture=mixture), axis=1).astype(np.int64)


def mode_shares(points: FloatArray, *, partition: GaussianMixture) -> list[float]:
    """Fraction of ``points`` (shape (n, 2)) in each cell of :func:`assign_modes`; length K."""
    counts = np.bincount(assign_modes(points, mixture=partition), minlength=partition.components)
    return (counts / points.shape[0]).tolist()


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


def dense_points(lattice: FloatArray, mixture: GaussianMixture) -> FloatArray:
    """The lattice points where the mixture's density is at least 1 % of its largest value there."""
    density = np.exp(log_density(lattice, mixture=mixture))
    return lattice[density >= 0.01 * density.max()]


def as_points(points: npt.ArrayLike) -> FloatArray:
    """``points`` as a float array of shape (n, 2).

    Raises:
        ValueError: the shape is not (n, 2).
    """
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {array.shape}")
    return array


# --------------------------------------------------------------------------- three routes to E[x | y]


def tweedie_denoiser(noisy: npt.ArrayLike, *, mixture: GaussianMixture, sigma: float) -> FloatArray:
    """y + σ² ∇log p_σ(y), the right-hand side of the article's basic result; shape (n, 2)."""
    noisy = as_points(noisy)
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
    gamma, centres = _component_posteriors(as_points(noisy), mixture=mixture, sigma=sigma)
    return np.einsum("nk,nki->ni", gamma, centres)


def posterior_variance(noisy: npt.ArrayLike, *, mixture: GaussianMixture, sigma: float) -> FloatArray:
    """tr Cov(x | y), the DAE loss the optimal denoiser must have at y, by Gaussian conditioning.

    By the law of total variance over the component k, Cov(x | y) = Σ_k γ_k(y) [σ²Σ_k(Σ_k + σ²I)⁻¹
    + (m_k − m)(m_k − m)ᵀ], with m_k the component's posterior mean and m = Σ_k γ_k m_k. Since
    E‖r*(y) − x‖² = E tr Cov(x | y), this is an expected loss of r* computed without r*.

    Args:
        noisy: points y, shape (n, 2).
        mixture: the clean distribution p.
        sigma: noise standard deviation σ > 0.

    Returns:
        Array of shape (n,).
    """
    gamma, centres = _component_posteriors(as_points(noisy), mixture=mixture, sigma=sigma)
    smoothed = smooth(mixture, sigma=sigma)
    within = sigma**2 * np.trace(mixture.covariances @ smoothed.precisions, axis1=1, axis2=2)  # (K,)
    mean = np.einsum("nk,nki->ni", gamma, centres)
    between = ((centres - mean[:, None, :]) ** 2).sum(axis=2)  # (n, K)
    return (gamma * (within[None, :] + between)).sum(axis=1)


def _component_posteriors(
    noisy: FloatArray, *, mixture: GaussianMixture, sigma: float
) -> tuple[FloatArray, FloatArray]:
    """γ_k(y) under p_σ, shape (n, K), and E[x | y, k] = μ_k + Σ_k(Σ_k + σ²I)⁻¹(y − μ_k), (n, K, 2)."""
    smoothed = smooth(mixture, sigma=sigma)
    gamma = responsibilities(noisy, mixture=smoothed)
    gains = mixture.covariances @ smoothed.precisions  # Σ_k (Σ_k + σ²I)⁻¹, (K, 2, 2)
    offsets = noisy[:, None, :] - mixture.means[None, :, :]
    return gamma, mixture.means[None] + np.einsum("kij,nkj->nki", gains, offsets)


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


def quadrature_nodes(*, step: float, half_width: float) -> FloatArray:
    """The nodes of one axis of the quadrature grid: spacing ``step`` on [−half_width, half_width]."""
    return np.arange(-half_width, half_width + 0.5 * step, step)


def posterior_mean_by_quadrature(
    noisy: npt.ArrayLike,
    *,
    density: Callable[[FloatArray], FloatArray],
    sigma: float,
    step: float,
    half_width: float,
) -> FloatArray:
    """E[x | y] = ∫ x p(x) u(y − x) dx / ∫ p(x) u(y − x) dx on a square grid (trapezoidal rule).

    ``density`` is evaluated once on the grid g × g (:func:`quadrature_nodes`), as a black box.
    The Gaussian kernel factorises, u(y − x) ∝ a(y₁ − x₁) a(y₂ − x₂), so for the density matrix
    P each integral is Σ_ij A_mi P_ij B_mj, two matrix products for all queries at once. The
    endpoint weights of the trapezoidal rule are dropped: the integrand is negligible at the edges.

    Args:
        noisy: points y, shape (n, 2).
        density: p at points of shape (m, 2), returning shape (m,); need not be normalised.
        sigma: noise standard deviation σ.
        step: grid spacing h.
        half_width: the grid covers [−half_width, half_width]².

    Returns:
        Array of shape (n, 2).
    """
    noisy = as_points(noisy)
    nodes = quadrature_nodes(step=step, half_width=half_width)
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
    noisy = as_points(noisy)
    mean, covariance = mixture_moments(mixture)
    gain = covariance @ np.linalg.inv(covariance + sigma**2 * np.eye(2))
    return mean + (noisy - mean) @ gain.T


# --------------------------------------------------------------------------- the DAE loss


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


def denoiser_loss(output: FloatArray, *, best: FloatArray, clean: FloatArray) -> DenoiserLoss:
    """Split the DAE loss of a denoiser's ``output`` into loss(r*) + distance + cross term.

    Because r* is the posterior mean, E⟨r(y) − r*(y), r*(y) − x⟩ = 0 for every r, so the cross
    term has expectation 0 and loss(r) − loss(r*) estimates E‖r − r*‖².

    Args:
        output: r(y_n), shape (N, 2).
        best: r*(y_n), shape (N, 2).
        clean: x_n, shape (N, 2).
    """
    gap = output - best
    cross = 2.0 * (gap * (best - clean)).sum(axis=1)
    return DenoiserLoss(
        loss=float(((output - clean) ** 2).sum(axis=1).mean()),
        distance=float((gap**2).sum(axis=1).mean()),
        cross=float(cross.mean()),
        cross_se=float(cross.std(ddof=1) / math.sqrt(output.shape[0])),
    )


@dataclass(frozen=True)
class BayesRisk:
    """The DAE loss of r* against the loss it must have, E tr Cov(x | y), on the same pairs.

    Attributes:
        loss: mean‖r*(y) − x‖².
        expected: mean tr Cov(x | y) over the same y (:func:`posterior_variance`).
        se: standard error of the mean of ‖r*(y) − x‖² − tr Cov(x | y), whose expectation is 0
            given each y when r* is the posterior mean.
    """

    loss: float
    expected: float
    se: float


def bayes_risk(best: FloatArray, *, clean: FloatArray, variance: FloatArray) -> BayesRisk:
    """Compare r*'s squared errors with the posterior variances at the same noisy points.

    Args:
        best: r*(y_n), shape (N, 2).
        clean: x_n, shape (N, 2).
        variance: tr Cov(x | y_n), shape (N,).
    """
    squares = ((best - clean) ** 2).sum(axis=1)
    return BayesRisk(
        loss=float(squares.mean()),
        expected=float(variance.mean()),
        se=float((squares - variance).std(ddof=1) / math.sqrt(squares.size)),
    )


# --------------------------------------------------------------------------- where fields are compared


def lattice(size: int, half_width: float = VIEW_HALF_WIDTH) -> FloatArray:
    """size × size points on [−half_width, half_width]², first coordinate varying slowest; (size², 2)."""
    axis = np.linspace(-half_width, half_width, size)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([first.ravel(), second.ravel()], axis=1)


def mode_direction(mixture: GaussianMixture) -> FloatArray:
    """Unit vector from the first mean to the second."""
    delta = mixture.means[1] - mixture.means[0]
    return delta / np.linalg.norm(delta)


def mode_line(mixture: GaussianMixture, *, count: int) -> tuple[FloatArray, FloatArray]:
    """Points on the line through the first two means, t ∈ [−5.5, 5.5] from their midpoint.

    Returns:
        (t of shape (count,), points of shape (count, 2)).
    """
    t = np.linspace(-5.5, 5.5, count)
    centre = 0.5 * (mixture.means[0] + mixture.means[1])
    return t, centre + t[:, None] * mode_direction(mixture)
