"""The run stage of the denoising post: what is sampled, fitted and computed for each directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Random numbers are drawn in the same order as the one-stage reports did,
so the same seed gives the same numbers. Denoisers, field comparisons and Langevin runs are
keyed by short English names; ``pages`` maps them to the words a reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

import annotated_types
import numpy as np

from computations.results import Array

# ``dynamics`` is imported as a module because its ``langevin`` would clash with the
# directive of that name below; the run looks its samplers up there.
from . import dynamics
from .dynamics import ScoreField
from .energy import FourierEnergy, cell_share, fit_fourier_energy, relative_rms
from .theory import (
    MIXTURE,
    BayesRisk,
    DenoiserLoss,
    FloatArray,
    GaussianMixture,
    assign_modes,
    bayes_risk,
    cell_probabilities,
    denoiser_loss,
    dense_points,
    lattice,
    log_density,
    mode_line,
    mode_shares,
    posterior_mean,
    posterior_mean_by_quadrature,
    posterior_variance,
    quadrature_grid,
    quadrature_nodes,
    sample_mixture,
    score,
    smooth,
    tweedie_denoiser,
    wiener_denoiser,
)

NoiseLevel = Annotated[float, annotated_types.Interval(ge=0.05, le=3.0)]
NoiseLevels = Annotated[tuple[NoiseLevel, ...], annotated_types.Len(min_length=1, max_length=6)]
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
RepeatCount = Annotated[int, annotated_types.Interval(ge=1, le=50)]

#: Points on the line through the two modes where the routes to E[x | y] are compared.
LINE_POINTS: Final = 121
#: Lattice points per axis on which learned and exact fields are compared (and drawn).
FIELD_LATTICE: Final = 61
#: Exact samples per noise level for the reference curve of the Langevin figure (SE ≤ 0.0036).
LEVEL_SAMPLES: Final = 20_000
#: Final points kept per sample cloud for the figure (the chains are exchangeable: the first
#: ones are a random subset).
CLOUD_POINTS: Final = 1_500


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class IdentityAgreement:
    """The three routes to E[x | y] at one σ.

    Attributes:
        step: quadrature grid spacing.
        nodes: quadrature nodes per axis.
        quadrature_gap: max_y ‖quadrature − tweedie‖ over the lattice and the line.
        conditioning_gap: max_y ‖conditioning − tweedie‖ over the lattice and the line.
        largest_shift: max_y ‖σ²∇log p_σ(y)‖, the scale the gaps are measured against.
        line_tweedie: y + σ²∇log p_σ(y) on the line through the modes, shape (LINE_POINTS, 2).
        line_quadrature: E[x | y] by quadrature on that line, same shape.
        line_conditioning: E[x | y] by Gaussian conditioning on that line, same shape.
    """

    step: float
    nodes: int
    quadrature_gap: float
    conditioning_gap: float
    largest_shift: float
    line_tweedie: Array
    line_quadrature: Array
    line_conditioning: Array


@dataclass(frozen=True)
class IdentityRun:
    """The article's basic result checked three ways, and DAE losses of three denoisers.

    Attributes:
        sigmas: the distinct noise levels, sorted.
        grid: lattice points per axis on [−5, 5]².
        test_pairs: Monte Carlo pairs per σ for the losses.
        lattice_points: grid², the number of lattice points compared.
        line_t: position along the line through the modes, shape (LINE_POINTS,).
        line_points: the points of that line, shape (LINE_POINTS, 2).
        agreement: σ → the three routes to E[x | y].
        losses: σ → denoiser ("optimal", "wiener", "none") → its DAE loss decomposition.
        bayes: σ → the loss of r* against E tr Cov(x | y) on the same pairs.
    """

    sigmas: tuple[float, ...]
    grid: int
    test_pairs: int
    lattice_points: int
    line_t: Array
    line_points: Array
    agreement: dict[float, IdentityAgreement]
    losses: dict[float, dict[str, DenoiserLoss]]
    bayes: dict[float, BayesRisk]


def identity(
    *,
    sigmas: NoiseLevels = (0.2, 0.5, 1.0),
    grid: GridSize = 31,
    test_pairs: PairCount = 20_000,
    rng: np.random.Generator,
) -> IdentityRun:
    """The article's basic result r*(y) = E[x | y] = y + σ²∇log p_σ(y), checked three ways.

    On a grid × grid lattice of [−5, 5]² and on the line through the two modes, E[x | y] is
    computed by quadrature of its defining integrals (p as a black box) and by Gaussian
    conditioning, and both are compared with y + σ² times the closed-form score of p_σ. Then
    ``test_pairs`` fresh pairs (x, y = x + ε) measure the DAE loss mean‖r(y) − x‖² of r*, of the
    best affine denoiser and of doing nothing (r(y) = y). Because r* is the posterior mean,
    loss(r) − loss(r*) = E‖r − r*‖² (:func:`~.theory.denoiser_loss`): the DAE loss ranks
    denoisers by their distance to r*, which is why minimising it learns the score. The loss of
    r* itself is set against the mean posterior variance tr Cov(x | y) at the same y
    (:func:`~.theory.posterior_variance`), computed without r*.

    Args:
        sigmas: noise levels σ (duplicates dropped, sorted), 0.05 to 3.
        grid: lattice points per axis on [−5, 5]².
        test_pairs: Monte Carlo pairs per σ for the DAE losses.
        rng: the only source of randomness (only the losses draw).
    """
    levels = sorted({float(sigma) for sigma in sigmas})
    on_lattice = lattice(grid)
    line_t, line_points = mode_line(MIXTURE, count=LINE_POINTS)
    points = np.concatenate([on_lattice, line_points])
    agreement = {sigma: _agreement(points, sigma=sigma, line_start=on_lattice.shape[0]) for sigma in levels}
    splits = {sigma: _denoiser_losses(sigma=sigma, pairs=test_pairs, learned=None, rng=rng) for sigma in levels}
    return IdentityRun(
        sigmas=tuple(levels),
        grid=grid,
        test_pairs=test_pairs,
        lattice_points=on_lattice.shape[0],
        line_t=line_t,
        line_points=line_points,
        agreement=agreement,
        losses={sigma: split.losses for sigma, split in splits.items()},
        bayes={sigma: split.bayes for sigma, split in splits.items()},
    )


def _agreement(points: FloatArray, *, sigma: float, line_start: int) -> IdentityAgreement:
    """The three routes at ``points`` (shape (n, 2)); rows from ``line_start`` on are the line."""
    reach = float(np.abs(points).max())
    step, half_width = quadrature_grid(mixture=MIXTURE, sigma=sigma, reach=reach)
    quadrature = posterior_mean_by_quadrature(
        points,
        density=lambda x: np.exp(log_density(x, mixture=MIXTURE)),
        sigma=sigma,
        step=step,
        half_width=half_width,
    )
    tweedie = tweedie_denoiser(points, mixture=MIXTURE, sigma=sigma)
    conditioning = posterior_mean(points, mixture=MIXTURE, sigma=sigma)
    return IdentityAgreement(
        step=step,
        nodes=quadrature_nodes(step=step, half_width=half_width).size,
        quadrature_gap=_largest_norm(quadrature - tweedie),
        conditioning_gap=_largest_norm(conditioning - tweedie),
        largest_shift=_largest_norm(tweedie - points),
        line_tweedie=tweedie[line_start:],
        line_quadrature=quadrature[line_start:],
        line_conditioning=conditioning[line_start:],
    )


def _largest_norm(vectors: FloatArray) -> float:
    return float(np.linalg.norm(vectors, axis=1).max())


@dataclass(frozen=True)
class LossSplit:
    """DAE losses of several denoisers on the same pairs, and r*'s loss against the posterior variance.

    Attributes:
        losses: denoiser name → its loss decomposition.
        bayes: the loss of r* against E tr Cov(x | y), computed without r*.
    """

    losses: dict[str, DenoiserLoss]
    bayes: BayesRisk


def _denoiser_losses(*, sigma: float, pairs: int, learned: FourierEnergy | None, rng: np.random.Generator) -> LossSplit:
    """DAE losses of r* ("optimal"), the best affine denoiser ("wiener"), no denoising ("none")
    and, if given, a learned one ("learned"), on ``pairs`` fresh pairs; no draws after the pairs."""
    clean, _ = sample_mixture(mixture=MIXTURE, size=pairs, rng=rng)
    noisy = clean + sigma * rng.standard_normal(clean.shape)
    best = tweedie_denoiser(noisy, mixture=MIXTURE, sigma=sigma)
    candidates = {
        "optimal": best,
        "wiener": wiener_denoiser(noisy, mixture=MIXTURE, sigma=sigma),
        "none": noisy,
    }
    if learned is not None:
        candidates["learned"] = noisy + learned.gradient(noisy)
    return LossSplit(
        losses={name: denoiser_loss(output, best=best, clean=clean) for name, output in candidates.items()},
        bayes=bayes_risk(best, clean=clean, variance=posterior_variance(noisy, mixture=MIXTURE, sigma=sigma)),
    )


# --------------------------------------------------------------------------- learned score


@dataclass(frozen=True)
class FieldError:
    """How far a learned quantity is from the exact one on one set of points.

    Attributes:
        quantity: "shift" (∇E against σ²∇log p_σ), "energy" (E − σ² log p_σ less one
            constant) or "energy_per_mode" (less one constant per mode's cell).
        region: "samples" (fresh points of p_σ), "dense" (lattice points where p_σ is at
            least 1 % of its peak) or "square" (the whole lattice of [−5, 5]²).
        points: number of points.
        relative: rms error / rms exact.
        rms_error: root mean square of the error (of its norm for vectors).
        rms_exact: root mean square of the exact value (centred for energies).
    """

    quantity: str
    region: str
    points: int
    relative: float
    rms_error: float
    rms_exact: float


@dataclass(frozen=True)
class ModeBalance:
    """The relative height of the two modes, from the learned E/σ² and from the exact log p_σ.

    Attributes:
        learned_gap: (E(μ_2) − E(μ_1)) / σ².
        exact_gap: log p_σ(μ_2) − log p_σ(μ_1).
        learned_share: share of e^{E/σ²} on the small mode's side of the dense lattice points.
        exact_share: the same share of p_σ.
    """

    learned_gap: float
    exact_gap: float
    learned_share: float
    exact_share: float


@dataclass(frozen=True)
class LearnedScoreRun:
    """A DDE-style energy fitted to samples, and how close its field is to the exact one.

    Attributes:
        sigma: noise level σ of the DAE.
        pairs: training pairs.
        features: random Fourier features D.
        test_pairs: fresh pairs for the losses and fresh points of p_σ for the field errors.
        model: the fitted energy E.
        field_errors: displacement errors on three regions, then the energy errors.
        mode_balance: the relative height of the modes.
        losses: denoiser ("optimal", "wiener", "none", "learned") → DAE loss decomposition.
    """

    sigma: float
    pairs: int
    features: int
    test_pairs: int
    model: FourierEnergy
    field_errors: tuple[FieldError, ...]
    mode_balance: ModeBalance
    losses: dict[str, DenoiserLoss]


def learned_score(
    *,
    sigma: NoiseLevel = 0.5,
    pairs: PairCount = 20_000,
    features: FeatureCount = 256,
    frequency_scale: FrequencyScale = 1.2,
    ridge: Ridge = 1e-4,
    test_pairs: PairCount = 10_000,
    rng: np.random.Generator,
) -> LearnedScoreRun:
    """Learn a DAE from samples (the DDE way) and compare its implied score with the exact one.

    Draws ``pairs`` clean points x ~ p and noise ε ~ N(0, σ²I), fits the energy
    E(y) = Σ_j a_j cos(ω_j·y + b_j) by minimising mean‖∇E(x + ε) + ε‖² (a ridge regression,
    :func:`~.energy.fit_fourier_energy`), and reads off the denoiser y + ∇E(y), the score ∇E/σ²
    and the log-density E/σ² + C. These are compared with the exact σ²∇log p_σ and σ² log p_σ
    on fresh samples of p_σ (where a DAE sees data), on the part of [−5, 5]² where p_σ is at
    least 1 % of its peak, and on the whole square (where it has seen almost none). The DAE
    losses on fresh pairs are decomposed as in :func:`identity`.

    Args:
        sigma: noise level σ of the DAE.
        pairs: training pairs (x, ε).
        features: random Fourier features D. Fitting costs O(pairs × features²): about 0.2 s
            at the defaults.
        frequency_scale: standard deviation of the random frequencies ω (inverse length).
        ridge: ridge penalty λ per training pair.
        test_pairs: fresh pairs for the losses, and fresh points of p_σ for the field errors.
        rng: the only source of randomness.
    """
    sigma = float(sigma)
    clean, _ = sample_mixture(mixture=MIXTURE, size=pairs, rng=rng)
    noise = sigma * rng.standard_normal(clean.shape)
    model = fit_fourier_energy(
        noisy=clean + noise, noise=noise, features=features, frequency_scale=frequency_scale, ridge=ridge, rng=rng
    )
    test_points, _ = sample_mixture(mixture=smooth(MIXTURE, sigma=sigma), size=test_pairs, rng=rng)
    losses = _denoiser_losses(sigma=sigma, pairs=test_pairs, learned=model, rng=rng)
    return LearnedScoreRun(
        sigma=sigma,
        pairs=pairs,
        features=features,
        test_pairs=test_pairs,
        model=model,
        field_errors=_field_errors(model, sigma=sigma, test_points=test_points),
        mode_balance=_mode_balance(model, sigma=sigma),
        losses=losses.losses,
    )


def _field_errors(model: FourierEnergy, *, sigma: float, test_points: FloatArray) -> tuple[FieldError, ...]:
    smoothed = smooth(MIXTURE, sigma=sigma)
    square = lattice(FIELD_LATTICE)
    regions = (("samples", test_points), ("dense", dense_points(square, smoothed)), ("square", square))
    errors = []
    for region, points in regions:
        exact = sigma**2 * score(points, mixture=smoothed)
        errors.append(
            FieldError("shift", region, points.shape[0], *relative_rms(model.gradient(points) - exact, exact))
        )
    exact_energy = sigma**2 * log_density(test_points, mixture=smoothed)
    centred = exact_energy - exact_energy.mean()
    gap = model.energy(test_points) - exact_energy
    # E/σ² is log p_σ only up to a constant: subtract the best one, overall or per mode's cell.
    errors.append(FieldError("energy", "samples", test_points.shape[0], *relative_rms(gap - gap.mean(), centred)))
    cells = assign_modes(test_points, mixture=smoothed)
    per_cell = gap - (np.bincount(cells, weights=gap) / np.bincount(cells))[cells]
    errors.append(FieldError("energy_per_mode", "samples", test_points.shape[0], *relative_rms(per_cell, centred)))
    return tuple(errors)


def _mode_balance(model: FourierEnergy, *, sigma: float) -> ModeBalance:
    smoothed = smooth(MIXTURE, sigma=sigma)
    means = MIXTURE.means[:2]
    dense = dense_points(lattice(FIELD_LATTICE), smoothed)
    small = assign_modes(dense, mixture=smoothed) == 0
    return ModeBalance(
        learned_gap=float(np.diff(model.energy(means))[0]) / sigma**2,
        exact_gap=float(np.diff(log_density(means, mixture=smoothed))[0]),
        learned_share=cell_share(model.energy(dense) / sigma**2, small),
        exact_share=cell_share(log_density(dense, mixture=smoothed), small),
    )


# --------------------------------------------------------------------------- Langevin


@dataclass(frozen=True)
class LangevinRun:
    """Plain and annealed Langevin from the same poor start, exact samples, and the truth.

    Attributes:
        chains: number of chains (and of exact samples).
        sigma_min: σ of the sampled p_σ.
        sigma_max: top of the annealing ladder.
        levels: L, noise levels on the ladder.
        steps_per_level: T; plain Langevin ran L × T steps.
        start_half_width: half-width of the square the chains started on.
        sigmas: the ladder σ_1 > … > σ_L, shape (L,).
        cell_probabilities: probability under p_{σ_min} of each mode's cell, shape (K,).
        basins: share of the start square the noise-free flow carries to each cell, shape (K,).
        shares: "direct", "plain", "annealed" → share of the final points in each cell (K).
        clouds: the same names → the first :data:`CLOUD_POINTS` final points, shape (≤1500, 2).
        small_share: "plain", "annealed" → the small mode's share after each level (L);
            "exact_at_level" → its share among :data:`LEVEL_SAMPLES` exact samples of p_{σ_i}.
        repeated_small_share: the small mode's final share in ``repeats`` independent annealed
            runs, each from a fresh start; the first is the run above.
        spread: "clean" → tr Σ of the large mode; "sampled" → tr of the covariance of the
            annealed final points in its cell; "denoised" → the same after r* at σ_min;
            "predicted" → tr Σ(Σ + σ²I)⁻¹Σ, what r* leaves of a lone Gaussian's spread.
    """

    chains: int
    sigma_min: float
    sigma_max: float
    levels: int
    steps_per_level: int
    start_half_width: float
    sigmas: Array
    cell_probabilities: Array
    basins: Array
    shares: dict[str, tuple[float, ...]]
    clouds: dict[str, Array]
    small_share: dict[str, tuple[float, ...]]
    repeated_small_share: tuple[float, ...]
    spread: dict[str, float]


def langevin(
    *,
    chains: ChainCount = 5_000,
    sigma_min: NoiseLevel = 0.2,
    sigma_max: AnnealTop = 6.0,
    levels: LevelCount = 20,
    steps_per_level: StepsPerLevel = 150,
    step: StepSize = 0.01,
    start_half_width: HalfWidth = 6.0,
    repeats: RepeatCount = 12,
    rng: np.random.Generator,
) -> LangevinRun:
    """Plain against annealed Langevin dynamics with the exact score, from a poor start.

    ``chains`` chains start uniformly on the square [−start_half_width, start_half_width]²,
    which ignores the 0.2 / 0.8 weights of :data:`~.theory.MIXTURE`. Plain Langevin runs
    levels × steps_per_level steps of the article's iteration on p_{σ_min} with step ``step``;
    annealed Langevin runs the same number of steps through the geometric ladder
    σ_max → σ_min. Each final point is assigned to the mode of largest responsibility under
    p_{σ_min}. The exact share of each cell is its probability under p_{σ_min}, equal to the
    weight up to the overlap of the modes. For reference the run also draws ``chains`` exact
    samples of p_{σ_min}, and predicts plain Langevin's shares from where the noise-free flow
    carries a fine grid of the starting square (the basins of attraction).

    Annealing is not exact: chains freeze in their mode at some σ where the small mode's cell
    still holds a little more than its weight, a small upward bias. To measure it, annealing is
    repeated ``repeats`` times in all from fresh starts (after every other draw, so the other
    numbers do not depend on ``repeats``). Finally the annealed points are denoised with r* at
    σ_min, the article's last step, and the large mode's spread is compared before and after.

    Args:
        chains: number of independent chains (and exact samples).
        sigma_min: the noise level whose p_σ is sampled, σ_L.
        sigma_max: the first level σ_1 of the annealing ladder; must exceed ``sigma_min``.
        levels: L, noise levels on the geometric ladder.
        steps_per_level: T; plain Langevin runs L × T steps.
        step: α at σ_min; level i uses α σ_i²/σ_min².
        start_half_width: half-width of the square the chains start on.
        repeats: independent annealed runs in all (the first is the one drawn), for the bias.
        rng: the only source of randomness: start points, annealed chains, plain chains,
            exact samples, the exact samples per level, then the repeated annealed runs
            (start points, chains), in this order.

    Raises:
        ValueError: ``sigma_max`` does not exceed ``sigma_min``.
    """
    if sigma_max <= sigma_min:
        raise ValueError(f"sigma_max must exceed sigma_min, got {sigma_max} ≤ {sigma_min}")
    target = smooth(MIXTURE, sigma=sigma_min)
    sigmas = np.geomspace(sigma_max, sigma_min, levels)
    start = rng.uniform(-start_half_width, start_half_width, size=(chains, 2))
    annealed = dynamics.annealed_langevin(
        start, score_at=_exact_score_at, sigmas=sigmas.tolist(), step=step, steps_per_level=steps_per_level, rng=rng
    )
    plain = dynamics.langevin(
        start,
        score_field=_exact_score_at(sigma_min),
        step=step,
        steps=levels * steps_per_level,
        record_every=steps_per_level,
        rng=rng,
    )
    direct, _ = sample_mixture(mixture=target, size=chains, rng=rng)
    finals = {"direct": direct, "plain": plain[-1], "annealed": annealed[-1]}
    level_shares = _level_shares(sigmas, target=target, size=LEVEL_SAMPLES, rng=rng)
    repeated = [mode_shares(annealed[-1], partition=target)[0]]
    for _ in range(repeats - 1):
        fresh = rng.uniform(-start_half_width, start_half_width, size=(chains, 2))
        again = dynamics.annealed_langevin(
            fresh, score_at=_exact_score_at, sigmas=sigmas.tolist(), step=step, steps_per_level=steps_per_level, rng=rng
        )
        repeated.append(mode_shares(again[-1], partition=target)[0])
    return LangevinRun(
        chains=chains,
        sigma_min=float(sigma_min),
        sigma_max=float(sigma_max),
        levels=levels,
        steps_per_level=steps_per_level,
        start_half_width=float(start_half_width),
        sigmas=sigmas,
        cell_probabilities=cell_probabilities(mixture=target, partition=target),
        basins=dynamics.basin_shares(target, half_width=start_half_width),
        shares={name: tuple(mode_shares(points, partition=target)) for name, points in finals.items()},
        clouds={name: points[:CLOUD_POINTS] for name, points in finals.items()},
        small_share={
            "plain": tuple(mode_shares(points, partition=target)[0] for points in plain),
            "annealed": tuple(mode_shares(points, partition=target)[0] for points in annealed),
            "exact_at_level": tuple(level_shares[:, 0].tolist()),
        },
        repeated_small_share=tuple(repeated),
        spread=_denoised_spread(annealed[-1], target=target, sigma=float(sigma_min)),
    )


def _exact_score_at(sigma: float) -> ScoreField:
    smoothed = smooth(MIXTURE, sigma=sigma)
    return lambda points: score(points, mixture=smoothed)


def _denoised_spread(points: FloatArray, *, target: GaussianMixture, sigma: float) -> dict[str, float]:
    """The large mode's total variance: of p, of the sampled points in its cell, after r*, predicted."""
    big = MIXTURE.components - 1
    inside = assign_modes(points, mixture=target) == big
    sampled = points[inside]
    denoised = tweedie_denoiser(sampled, mixture=MIXTURE, sigma=sigma)
    covariance = MIXTURE.covariances[big]
    kept = covariance @ np.linalg.inv(covariance + sigma**2 * np.eye(2)) @ covariance
    return {
        "clean": float(np.trace(covariance)),
        "sampled": float(np.trace(np.cov(sampled.T))),
        "denoised": float(np.trace(np.cov(denoised.T))),
        "predicted": float(np.trace(kept)),
    }


def _level_shares(sigmas: FloatArray, *, target: GaussianMixture, size: int, rng: np.random.Generator) -> FloatArray:
    """Share of each cell of ``target`` under p_{σ_i}, from ``size`` exact samples per level; (L, K)."""
    shares = []
    for sigma in sigmas:
        points, _ = sample_mixture(mixture=smooth(MIXTURE, sigma=float(sigma)), size=size, rng=rng)
        shares.append(mode_shares(points, partition=target))
    return np.asarray(shares)
