"""Behavioural tests of computations.denoising against closed forms and independent computations.

The mathematics (``theory``, ``energy``, ``dynamics``) is tested directly; the registered
directives go through both stages (``experiments`` then ``pages``) as the site runs them.
Deterministic tolerances come from the accuracy of the method under test (rounding, finite
differences, quadrature); Monte Carlo tests use local seeded generators and 4 standard errors.
"""

from __future__ import annotations

import dataclasses
import math
import typing

import numpy as np
import pydantic
import pytest
from reports import assert_well_formed, render_with_site_font, report_numbers, report_values, two_stage
from scipy import special, stats

from computations.denoising import dynamics, energy, experiments, pages, theory
from computations.denoising.theory import GaussianMixture
from computations.report import Check, Figure, Report, Table, Value

STAGES = {
    "identity": (experiments.identity, pages.identity),
    "learned_score": (experiments.learned_score, pages.learned_score),
    "langevin": (experiments.langevin, pages.langevin),
}
K_SE = 4.0  # Monte Carlo tolerance in standard errors: false alarm ≈ 6e-5 per comparison.

# A mixture unlike the module's: three components, one nearly degenerate, one off-diagonal.
THREE = GaussianMixture(
    weights=np.array([0.5, 0.3, 0.2]),
    means=np.array([[0.0, 0.0], [3.0, 1.0], [-1.0, 2.5]]),
    covariances=np.array([[[1.0, 0.0], [0.0, 0.3]], [[0.4, -0.2], [-0.2, 0.5]], [[0.2, 0.15], [0.15, 0.9]]]),
)


def _scipy_log_density(points: np.ndarray, mixture: GaussianMixture) -> np.ndarray:
    terms = [
        math.log(w) + stats.multivariate_normal(mean=m, cov=c).logpdf(points)
        for w, m, c in zip(mixture.weights, mixture.means, mixture.covariances, strict=True)
    ]
    return special.logsumexp(np.stack(terms), axis=0)


def _points(seed: int, count: int = 200, spread: float = 3.0) -> np.ndarray:
    return spread * np.random.default_rng(seed).standard_normal((count, 2))


# --------------------------------------------------------------------------- the mixture


def test_log_density_matches_scipy_and_integrates_to_one() -> None:
    points = _points(1)
    np.testing.assert_allclose(
        theory.log_density(points, mixture=THREE), _scipy_log_density(points, THREE), rtol=1e-12, atol=1e-12
    )
    axis = np.arange(-12.0, 15.0, 0.05)
    grid = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    total = np.exp(theory.log_density(grid, mixture=THREE)).sum() * 0.05**2
    assert total == pytest.approx(1.0, abs=1e-10)


def test_responsibilities_are_posterior_component_probabilities() -> None:
    points = _points(2)
    gamma = theory.responsibilities(points, mixture=THREE)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, rtol=1e-14)
    first = math.log(0.5) + stats.multivariate_normal(THREE.means[0], THREE.covariances[0]).logpdf(points)
    np.testing.assert_allclose(gamma[:, 0], np.exp(first - _scipy_log_density(points, THREE)), rtol=1e-10)


def test_score_is_the_gradient_of_the_log_density() -> None:
    points = _points(3)
    h = 1e-5
    numeric = np.stack(
        [
            (theory.log_density(points + h * e, mixture=THREE) - theory.log_density(points - h * e, mixture=THREE))
            / (2 * h)
            for e in np.eye(2)
        ],
        axis=1,
    )
    # Central differences: truncation ~h²·|∂³ log p| and rounding ~1e-16·|log p|/h, both < 1e-6 here.
    np.testing.assert_allclose(theory.score(points, mixture=THREE), numeric, atol=1e-6)


def test_smoothing_adds_the_noise_covariance() -> None:
    smoothed = theory.smooth(THREE, sigma=0.7)
    np.testing.assert_allclose(smoothed.covariances, THREE.covariances + 0.49 * np.eye(2), rtol=0, atol=1e-15)
    # p_σ is the law of x + ε: check its density against a Monte Carlo histogram cell.
    rng = np.random.default_rng(4)
    clean, _ = theory.sample_mixture(mixture=THREE, size=200_000, rng=rng)
    noisy = clean + 0.7 * rng.standard_normal(clean.shape)
    inside = np.all(np.abs(noisy - [0.5, 0.5]) < 0.25, axis=1)
    axis = 0.25 + (np.arange(200) + 0.5) * 0.0025  # midpoints of a 200 × 200 grid of the cell
    cell = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    exact = np.exp(theory.log_density(cell, mixture=smoothed)).mean() * 0.25
    se = math.sqrt(exact * (1 - exact) / noisy.shape[0])
    assert abs(inside.mean() - exact) <= K_SE * se


def test_mixture_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        GaussianMixture(weights=np.array([0.5, 0.6]), means=np.zeros((2, 2)), covariances=np.stack([np.eye(2)] * 2))
    with pytest.raises(ValueError, match="positive definite"):
        GaussianMixture(
            weights=np.array([1.0]), means=np.zeros((1, 2)), covariances=np.array([[[1.0, 2.0], [2.0, 1.0]]])
        )
    with pytest.raises(ValueError, match="shape"):
        theory.score(np.zeros(3), mixture=THREE)


def test_sampler_frequencies_and_means() -> None:
    points, labels = theory.sample_mixture(mixture=THREE, size=50_000, rng=np.random.default_rng(5))
    for k, weight in enumerate(THREE.weights):
        share = (labels == k).mean()
        assert abs(share - weight) <= K_SE * math.sqrt(weight * (1 - weight) / labels.size)
        mine = points[labels == k]
        se = np.sqrt(np.diag(THREE.covariances[k]) / mine.shape[0])
        assert np.all(np.abs(mine.mean(axis=0) - THREE.means[k]) <= K_SE * se)


# --------------------------------------------------------------------------- the basic result


@pytest.mark.parametrize("sigma", [0.2, 0.6, 2.0])
def test_three_routes_to_the_posterior_mean_agree(sigma: float) -> None:
    points = _points(6, count=150, spread=2.0)
    step, half_width = theory.quadrature_grid(mixture=THREE, sigma=sigma, reach=float(np.abs(points).max()))
    quadrature = theory.posterior_mean_by_quadrature(
        points,
        density=lambda x: np.exp(_scipy_log_density(x, THREE)),
        sigma=sigma,
        step=step,
        half_width=half_width,
    )
    tweedie = theory.tweedie_denoiser(points, mixture=THREE, sigma=sigma)
    conditioning = theory.posterior_mean(points, mixture=THREE, sigma=sigma)
    assert np.abs(quadrature - tweedie).max() < 1e-11
    assert np.abs(conditioning - tweedie).max() < 1e-12


def test_quadrature_matches_the_gaussian_closed_form() -> None:
    # p = N(m, s²I): E[x|y] = m + s²/(s² + σ²)(y − m). The density is an unnormalised lambda.
    m, s, sigma = np.array([0.7, -1.2]), 0.8, 0.5
    points = _points(7, count=50, spread=2.0)
    quadrature = theory.posterior_mean_by_quadrature(
        points,
        density=lambda x: np.exp(-0.5 * ((x - m) ** 2).sum(axis=1) / s**2),
        sigma=sigma,
        step=min(s, sigma) / 3,
        half_width=14.0,
    )
    np.testing.assert_allclose(quadrature, m + s**2 / (s**2 + sigma**2) * (points - m), rtol=0, atol=1e-12)


def test_coarse_quadrature_is_detectably_wrong() -> None:
    # The step rule matters: 4 times too coarse a grid leaves an error far above the tolerance.
    points = _points(8, count=50, spread=2.0)
    sigma = 0.1
    step, half_width = theory.quadrature_grid(mixture=THREE, sigma=sigma, reach=float(np.abs(points).max()))
    coarse = theory.posterior_mean_by_quadrature(
        points,
        density=lambda x: np.exp(_scipy_log_density(x, THREE)),
        sigma=sigma,
        step=4 * step,
        half_width=half_width,
    )
    assert np.abs(coarse - theory.tweedie_denoiser(points, mixture=THREE, sigma=sigma)).max() > 1e-6


def test_wiener_denoiser_is_exact_for_one_gaussian_and_mixture_moments_match_samples() -> None:
    single = GaussianMixture(weights=np.array([1.0]), means=np.array([[1.0, -2.0]]), covariances=THREE.covariances[1:2])
    points = _points(9)
    np.testing.assert_allclose(
        theory.wiener_denoiser(points, mixture=single, sigma=0.4),
        theory.posterior_mean(points, mixture=single, sigma=0.4),
        rtol=0,
        atol=1e-13,
    )
    mean, covariance = theory.mixture_moments(THREE)
    sample, _ = theory.sample_mixture(mixture=THREE, size=100_000, rng=np.random.default_rng(10))
    se = np.sqrt(np.diag(covariance) / sample.shape[0])
    assert np.all(np.abs(sample.mean(axis=0) - mean) <= K_SE * se)
    np.testing.assert_allclose(np.cov(sample.T), covariance, rtol=0.03)


def test_posterior_variance_of_one_gaussian_and_of_a_mixture() -> None:
    # One Gaussian: Cov(x | y) = σ²Σ(Σ + σ²I)⁻¹ at every y.
    single = GaussianMixture(weights=np.array([1.0]), means=np.array([[1.0, -2.0]]), covariances=THREE.covariances[1:2])
    expected = np.trace(0.36 * THREE.covariances[1] @ np.linalg.inv(THREE.covariances[1] + 0.36 * np.eye(2)))
    np.testing.assert_allclose(theory.posterior_variance(_points(24), mixture=single, sigma=0.6), expected, rtol=1e-13)
    # A mixture: the squared error of the posterior mean averages to it (Monte Carlo, 4 SE).
    rng = np.random.default_rng(25)
    clean, _ = theory.sample_mixture(mixture=THREE, size=50_000, rng=rng)
    noisy = clean + 0.8 * rng.standard_normal(clean.shape)
    risk = theory.bayes_risk(
        theory.posterior_mean(noisy, mixture=THREE, sigma=0.8),
        clean=clean,
        variance=theory.posterior_variance(noisy, mixture=THREE, sigma=0.8),
    )
    assert abs(risk.loss - risk.expected) <= K_SE * risk.se
    assert risk.se > 0.0


def test_denoising_loss_is_minimised_by_the_posterior_mean() -> None:
    rng = np.random.default_rng(11)
    sigma = 0.8
    clean, _ = theory.sample_mixture(mixture=THREE, size=100_000, rng=rng)
    noisy = clean + sigma * rng.standard_normal(clean.shape)
    best = theory.tweedie_denoiser(noisy, mixture=THREE, sigma=sigma)
    for scale in (0.8, 1.2):  # a wrong multiple of the score
        other = noisy + scale * (best - noisy)
        excess = ((other - clean) ** 2).sum(axis=1) - ((best - clean) ** 2).sum(axis=1)
        assert excess.mean() > K_SE * excess.std(ddof=1) / math.sqrt(excess.size)


# --------------------------------------------------------------------------- the learned energy


def _learning_data(seed: int, size: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    clean, _ = theory.sample_mixture(mixture=theory.MIXTURE, size=size, rng=rng)
    noise = sigma * rng.standard_normal(clean.shape)
    return clean + noise, noise


def test_fourier_energy_gradient_is_its_derivative() -> None:
    noisy, noise = _learning_data(12, 2_000, 0.5)
    model = energy.fit_fourier_energy(
        noisy=noisy, noise=noise, features=40, frequency_scale=1.0, ridge=1e-3, rng=np.random.default_rng(0)
    )
    points, h = _points(13, count=30, spread=2.0), 1e-6
    numeric = np.stack([(model.energy(points + h * e) - model.energy(points - h * e)) / (2 * h) for e in np.eye(2)], 1)
    np.testing.assert_allclose(model.gradient(points), numeric, atol=1e-6)


def test_fourier_fit_solves_the_ridge_problem_on_the_explicit_design() -> None:
    noisy, noise = _learning_data(14, 600, 0.5)
    features, ridge = 30, 1e-3
    model = energy.fit_fourier_energy(
        noisy=noisy, noise=noise, features=features, frequency_scale=1.3, ridge=ridge, rng=np.random.default_rng(1)
    )
    omega, phase = model.frequencies, model.phases
    sines = np.sin(noisy @ omega.T + phase)
    # Rows (n, d): ∂E/∂y_d at y_n = −Σ_j a_j sin(·) ω_jd; target −ε_nd; ridge as extra rows.
    design = np.concatenate([-sines * omega[:, 0], -sines * omega[:, 1], math.sqrt(ridge * 600) * np.eye(features)])
    target = np.concatenate([-noise[:, 0], -noise[:, 1], np.zeros(features)])
    expected, *_ = np.linalg.lstsq(design, target, rcond=None)
    np.testing.assert_allclose(model.amplitudes, expected, rtol=1e-7, atol=1e-9)


def test_learned_score_approaches_the_exact_one_with_more_data() -> None:
    sigma = 0.5
    smoothed = theory.smooth(theory.MIXTURE, sigma=sigma)
    test, _ = theory.sample_mixture(mixture=smoothed, size=5_000, rng=np.random.default_rng(15))
    exact = sigma**2 * theory.score(test, mixture=smoothed)
    errors = []
    for size in (500, 20_000):
        noisy, noise = _learning_data(16, size, sigma)
        model = energy.fit_fourier_energy(
            noisy=noisy, noise=noise, features=128, frequency_scale=1.2, ridge=1e-4, rng=np.random.default_rng(2)
        )
        errors.append(np.linalg.norm(model.gradient(test) - exact) / np.linalg.norm(exact))
    assert errors[1] < 0.5 * errors[0]
    assert errors[1] < 0.2


# --------------------------------------------------------------------------- Langevin


def _gaussian_score(mean: np.ndarray, variance: float) -> dynamics.ScoreField:
    return lambda points: (mean - points) / variance


def test_langevin_has_the_discretised_gaussian_stationary_law() -> None:
    # For N(m, vI) the iteration is AR(1): x' − m = (1 − α/2v)(x − m) + √α z, whose stationary
    # variance is v / (1 − α/4v) exactly (not v: the bias of the unadjusted scheme).
    mean, variance, step = np.array([1.0, -2.0]), 0.5, 0.2
    snapshots = dynamics.langevin(
        np.zeros((20_000, 2)),
        score_field=_gaussian_score(mean, variance),
        step=step,
        steps=200,
        record_every=100,
        rng=np.random.default_rng(17),
    )
    assert snapshots.shape == (2, 20_000, 2)
    final = snapshots[-1]
    target = variance / (1 - step / (4 * variance))
    # After 200 steps the start is forgotten: (1 − α/2v)^200 = 0.8^200 ≈ 4e-20.
    assert np.all(np.abs(final.mean(axis=0) - mean) <= K_SE * math.sqrt(target / final.shape[0]))
    centred_squares = (final - mean) ** 2
    se = centred_squares.std(ddof=1, axis=0) / math.sqrt(final.shape[0])
    assert np.all(np.abs(centred_squares.mean(axis=0) - target) <= K_SE * se)
    assert np.all(np.abs(centred_squares.mean(axis=0) - variance) > K_SE * se)  # the bias is visible


def test_annealed_langevin_is_langevin_level_by_level() -> None:
    start = _points(18, count=100)
    sigmas, step, steps = [2.0, 1.0, 0.5], 0.01, 7

    def score_at(sigma: float) -> dynamics.ScoreField:
        return _gaussian_score(np.zeros(2), 1.0 + sigma**2)

    annealed = dynamics.annealed_langevin(
        start, score_at=score_at, sigmas=sigmas, step=step, steps_per_level=steps, rng=np.random.default_rng(19)
    )
    rng, points = np.random.default_rng(19), start
    for sigma in sigmas:
        points = dynamics.langevin(
            points,
            score_field=score_at(sigma),
            step=step * (sigma / 0.5) ** 2,
            steps=steps,
            record_every=steps,
            rng=rng,
        )[-1]
    np.testing.assert_allclose(annealed[-1], points, rtol=0, atol=0)
    assert annealed.shape == (3, 100, 2)


def test_gradient_flow_drains_to_the_nearest_basin() -> None:
    two = GaussianMixture(
        weights=np.array([0.5, 0.5]), means=np.array([[-3.0, 0.0], [3.0, 0.0]]), covariances=np.stack([np.eye(2)] * 2)
    )
    start = np.array([[-0.5, 2.0], [0.5, -1.0], [-6.0, 5.0]])
    end = dynamics.gradient_flow(start, score_field=lambda p: theory.score(p, mixture=two), step=0.2, steps=500)
    np.testing.assert_allclose(end, [[-3.0, 0.0], [3.0, 0.0], [-3.0, 0.0]], atol=1e-6)


def test_cell_probabilities_for_a_straight_boundary() -> None:
    # Equal covariances s²I: the cells are half-planes, t < t* along the line of the means, with
    # t* = d/2 + s² log(w₁/w₂)/d, so P(cell 1) = w₁Φ(t*/s) + w₂Φ((t* − d)/s). The midpoint rule
    # misplaces at most a strip of width h along the boundary: error ≤ h × (density integrated
    # along the boundary) = h Σ_j w_j φ(t_j/s)/s.
    s, w, step = 1.1, np.array([0.3, 0.7]), 0.02
    means = np.array([[-1.0, 0.5], [1.4, 2.3]])
    two = GaussianMixture(weights=w, means=means, covariances=np.stack([s**2 * np.eye(2)] * 2))
    d = float(np.linalg.norm(means[1] - means[0]))
    t_star = d / 2 + s**2 * math.log(w[0] / w[1]) / d
    first = w[0] * stats.norm.cdf(t_star / s) + w[1] * stats.norm.cdf((t_star - d) / s)
    line_density = (w[0] * stats.norm.pdf(t_star / s) + w[1] * stats.norm.pdf((t_star - d) / s)) / s
    cells = theory.cell_probabilities(mixture=two, partition=two, step=step)
    np.testing.assert_allclose(cells, [first, 1 - first], atol=step * line_density)
    assert abs(cells[0] - w[0]) > 0.01  # the overlap matters here: the test is not just the weights


# --------------------------------------------------------------------------- registered reports


@pytest.fixture(scope="module")
def default_reports() -> dict[str, Report]:
    return {name: two_stage(*stages, rng=np.random.default_rng(7038)) for name, stages in STAGES.items()}


def _without_values(report: Report) -> Report:
    return Report(items=tuple(item for item in report.items if not isinstance(item, Value)))


@pytest.mark.parametrize(
    ("name", "kinds", "values"),
    [
        ("identity", [Figure, Table, Table, Check, Check, Check], 5),
        ("learned_score", [Figure, Table, Table, Table, Check, Check], 17),
        ("langevin", [Figure, Table, Check, Check], 31),
    ],
)
def test_reports_at_defaults(default_reports: dict[str, Report], name: str, kinds: list, values: int) -> None:
    report = default_reports[name]
    assert_well_formed(_without_values(report), kinds)
    assert [type(item) for item in report.items[len(kinds) :]] == [Value] * values
    assert len(report_values(report)) == values  # names are unique
    for item in report.items:
        if isinstance(item, Figure):
            assert len(render_with_site_font(item.figure)) < 1_500_000


def test_identity_table_reaches_rounding_error(default_reports: dict[str, Report]) -> None:
    table = default_reports["identity"].items[1]
    assert isinstance(table, Table)
    assert [row[0] for row in table.rows] == [0.2, 0.5, 1.0]
    for row in table.rows:
        assert row[3] < 1e-12
        assert row[4] < 1e-12
        assert row[5] > 0.5  # the displacement compared is not itself negligible


def test_langevin_table_against_the_weights(default_reports: dict[str, Report]) -> None:
    table = default_reports["langevin"].items[1]
    assert isinstance(table, Table)
    columns = {name: index for index, name in enumerate(table.columns)}
    small, large = table.rows
    assert small[columns["权重"]] == 0.2
    assert large[columns["权重"]] == 0.8
    # The modes are 5.4 apart with spreads below 1.1: the cells hold the weights to 1e-6.
    assert small[2] == pytest.approx(0.2, abs=1e-6)
    assert small[2] + large[2] == pytest.approx(1.0, abs=1e-9)
    # Plain Langevin keeps the share of the start square that drains to each mode.
    plain, basin = small[columns["普通 Langevin"]], small[columns["吸引盆"]]
    assert abs(plain - basin) <= K_SE * math.sqrt(basin * (1 - basin) / 5_000) + 0.01


def test_mode_balance_table_exact_column(default_reports: dict[str, Report]) -> None:
    table = default_reports["learned_score"].items[2]
    assert isinstance(table, Table)
    (_, learned_gap, exact_gap), (_, learned_share, exact_share) = table.rows
    smoothed = theory.smooth(theory.MIXTURE, sigma=0.5)
    at_means = _scipy_log_density(theory.MIXTURE.means, smoothed)
    assert exact_gap == pytest.approx(at_means[1] - at_means[0], rel=1e-12)
    # The 1 % region drops the tails, which hold far less than 0.01 of either mode's mass.
    assert exact_share == pytest.approx(0.2, abs=0.01)
    assert 0.0 < learned_share < 1.0
    assert math.isfinite(learned_gap)


def _checks(report: Report) -> list[Check]:
    return [item for item in report.items if isinstance(item, Check)]


def test_identity_check_fails_on_a_wrong_multiple_of_the_score(monkeypatch: pytest.MonkeyPatch) -> None:
    real = theory.tweedie_denoiser

    def off_by_one_percent(noisy: np.ndarray, *, mixture: GaussianMixture, sigma: float) -> np.ndarray:
        return noisy + 1.01 * (real(noisy, mixture=mixture, sigma=sigma) - noisy)

    monkeypatch.setattr(experiments, "tweedie_denoiser", off_by_one_percent)
    report = two_stage(*STAGES["identity"], sigmas=[0.5], grid=11, test_pairs=1_000, rng=np.random.default_rng(20))
    assert _checks(report)[0].passed is False


def test_orthogonality_check_fails_when_r_star_is_not_the_posterior_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    # With r* replaced by 0.7 of the displacement, other denoisers' cross terms are no longer 0.
    real = theory.tweedie_denoiser

    def shrunk(noisy: np.ndarray, *, mixture: GaussianMixture, sigma: float) -> np.ndarray:
        return noisy + 0.7 * (real(noisy, mixture=mixture, sigma=sigma) - noisy)

    monkeypatch.setattr(experiments, "tweedie_denoiser", shrunk)
    report = two_stage(*STAGES["identity"], sigmas=[1.0], grid=11, test_pairs=20_000, rng=np.random.default_rng(21))
    assert _checks(report)[1].passed is False


def test_bayes_risk_check_fails_when_r_star_is_not_the_posterior_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    # r*'s loss is compared with E tr Cov(x | y), computed by conditioning without r*: shrinking
    # r*'s displacement raises its loss by 0.09 E‖σ²∇log p_σ‖² ≈ 0.11, about 14 standard errors.
    params = {"sigmas": [1.0], "grid": 11, "test_pairs": 20_000}
    assert _checks(two_stage(*STAGES["identity"], **params, rng=np.random.default_rng(21)))[2].passed is True
    real = theory.tweedie_denoiser

    def shrunk(noisy: np.ndarray, *, mixture: GaussianMixture, sigma: float) -> np.ndarray:
        return noisy + 0.7 * (real(noisy, mixture=mixture, sigma=sigma) - noisy)

    monkeypatch.setattr(experiments, "tweedie_denoiser", shrunk)
    assert _checks(two_stage(*STAGES["identity"], **params, rng=np.random.default_rng(21)))[2].passed is False


def test_learned_field_check_fails_for_a_mis_scaled_energy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Amplitudes 20 % too large add 0.04 E‖σ²∇log p_σ‖² ≈ 0.008 to the error, four times the tolerance.
    assert _checks(two_stage(*STAGES["learned_score"], rng=np.random.default_rng(7038)))[1].passed is True
    real = energy.fit_fourier_energy

    def too_steep(**kwargs: typing.Any) -> energy.FourierEnergy:
        model = real(**kwargs)
        return dataclasses.replace(model, amplitudes=1.2 * model.amplitudes)

    monkeypatch.setattr(experiments, "fit_fourier_energy", too_steep)
    assert _checks(two_stage(*STAGES["learned_score"], rng=np.random.default_rng(7038)))[1].passed is False


def test_learned_field_check_fails_when_too_few_features_leave_a_bias() -> None:
    # 24 features cannot follow the field: the error is far above the estimation error.
    params = {"features": 24, "rng": np.random.default_rng(7038)}
    assert _checks(two_stage(*STAGES["learned_score"], **params))[1].passed is False


def test_learned_page_orthogonality_check_fails_when_r_star_is_not_the_posterior_mean(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same perturbation as above, seen by the learned-score page's only check.
    real = theory.tweedie_denoiser

    def shrunk(noisy: np.ndarray, *, mixture: GaussianMixture, sigma: float) -> np.ndarray:
        return noisy + 0.7 * (real(noisy, mixture=mixture, sigma=sigma) - noisy)

    params = {"pairs": 2_000, "features": 32, "test_pairs": 20_000, "rng": np.random.default_rng(23)}
    assert _checks(two_stage(*STAGES["learned_score"], **params))[0].passed is True
    monkeypatch.setattr(experiments, "tweedie_denoiser", shrunk)
    params["rng"] = np.random.default_rng(23)
    assert _checks(two_stage(*STAGES["learned_score"], **params))[0].passed is False


def test_annealing_check_fails_without_annealing(monkeypatch: pytest.MonkeyPatch) -> None:
    real = dynamics.annealed_langevin

    def last_level_only(start: np.ndarray, *, sigmas: list[float], steps_per_level: int, **kwargs: typing.Any):
        runs = real(start, sigmas=[sigmas[-1]] * len(sigmas), steps_per_level=steps_per_level, **kwargs)
        return runs

    # The run stage calls dynamics.annealed_langevin (the module attribute), so patch it there.
    monkeypatch.setattr(dynamics, "annealed_langevin", last_level_only)
    report = two_stage(*STAGES["langevin"], chains=2_000, levels=4, steps_per_level=100, rng=np.random.default_rng(22))
    assert [check.passed for check in _checks(report)] == [True, False]


def test_direct_sampling_check_fails_for_a_sampler_with_wrong_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check compares the sampler with quadrature of the mixture: a sampler that picks the
    # small mode with probability 0.25 instead of 0.2 is 5.6 binomial standard errors off at 2 000.
    real = theory.sample_mixture

    def tilted(*, mixture: GaussianMixture, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        wrong = GaussianMixture(weights=np.array([0.25, 0.75]), means=mixture.means, covariances=mixture.covariances)
        return real(mixture=wrong, size=size, rng=rng)

    monkeypatch.setattr(experiments, "sample_mixture", tilted)
    run = experiments.langevin(chains=2_000, levels=4, steps_per_level=100, repeats=1, rng=np.random.default_rng(22))
    assert [check.passed for check in _checks(pages.langevin(run))] == [False, True]


def test_direct_sampling_check_fails_on_wrong_shares() -> None:
    # 0.05 off the small mode's share is 5.6 binomial standard errors at 2 000 samples.
    run = experiments.langevin(chains=2_000, levels=4, steps_per_level=100, rng=np.random.default_rng(22))
    assert _checks(pages.langevin(run))[0].passed is True
    wrong = (run.cell_probabilities[0] + 0.05, run.cell_probabilities[1] - 0.05)
    broken = dataclasses.replace(run, shares={**run.shares, "direct": wrong})
    assert _checks(pages.langevin(broken))[0].passed is False


SMALL = {
    "identity": {"sigmas": [0.5], "grid": 11, "test_pairs": 1_000},
    "learned_score": {"pairs": 2_000, "features": 32, "test_pairs": 1_000},
    "langevin": {"chains": 500, "levels": 3, "steps_per_level": 20, "repeats": 2},
}


@pytest.mark.parametrize("name", STAGES)
def test_reports_are_reproducible_from_the_seed(name: str) -> None:
    stages, params = STAGES[name], SMALL[name]
    first = _numbers(two_stage(*stages, **params, rng=np.random.default_rng(1)))
    again = _numbers(two_stage(*stages, **params, rng=np.random.default_rng(1)))
    other = _numbers(two_stage(*stages, **params, rng=np.random.default_rng(2)))
    assert first == again
    assert first != other


def _numbers(report: Report) -> list:
    return [*report_numbers(_without_values(report)), report_values(report)]


def test_repeats_do_not_change_the_other_numbers() -> None:
    # The repeated annealing runs draw last: the rest of the result is the same for any count.
    one = experiments.langevin(**SMALL["langevin"] | {"repeats": 1}, rng=np.random.default_rng(3))
    three = experiments.langevin(**SMALL["langevin"] | {"repeats": 3}, rng=np.random.default_rng(3))
    assert one.shares == three.shares
    assert one.small_share == three.small_share
    assert three.repeated_small_share[0] == one.repeated_small_share[0] == one.shares["annealed"][0]
    assert len(set(three.repeated_small_share)) > 1


@pytest.fixture(scope="module")
def small_langevin() -> experiments.LangevinRun:
    return experiments.langevin(**SMALL["langevin"], rng=np.random.default_rng(4))


def test_plain_langevin_verdicts_follow_the_data(small_langevin: experiments.LangevinRun) -> None:
    run = small_langevin
    at_basin = dataclasses.replace(
        run, shares={**run.shares, "plain": (float(run.basins[0]), 1 - float(run.basins[0]))}
    )
    at_weight = dataclasses.replace(run, shares={**run.shares, "plain": (0.2, 0.8)})
    assert report_values(pages.langevin(at_basin))["plain_vs_basin"] == "接近"
    assert report_values(pages.langevin(at_weight))["plain_vs_weight"] == "与 0.2 相差不大"
    assert report_values(pages.langevin(at_weight))["plain_vs_basin"] == "明显偏离"
    drifting = dataclasses.replace(run, small_share={**run.small_share, "plain": (0.5, 0.4, 0.3)})
    assert report_values(pages.langevin(drifting))["plain_path"] == "在运行中仍在变化"
    steady = dataclasses.replace(run, small_share={**run.small_share, "plain": (0.43, 0.43, 0.43)})
    assert report_values(pages.langevin(steady))["plain_path"] == "从第一个记录点起就几乎不再变化"


def test_annealing_bias_verdicts_follow_the_data(small_langevin: experiments.LangevinRun) -> None:
    run = small_langevin  # 500 chains: single-run SE 0.0179, the mean of 4 repeats 0.0089
    cases = {(0.2, 0.2, 0.2, 0.2): "分辨不出", (0.25, 0.25, 0.25, 0.25): "向上", (0.15, 0.15, 0.15, 0.15): "偏低"}
    for shares, word in cases.items():
        values = report_values(pages.langevin(dataclasses.replace(run, repeated_small_share=shares)))
        assert word in values["bias_direction"]
        assert values["repeats"] == "4"
    far = report_values(pages.langevin(dataclasses.replace(run, repeated_small_share=(0.2, 0.2))))
    near = report_values(pages.langevin(dataclasses.replace(run, repeated_small_share=(0.26, 0.26))))
    assert far["bias_scale"].startswith("离") and near["bias_scale"].startswith("已不可忽略")


def test_denoising_the_samples_shrinks_their_spread_as_predicted(default_reports: dict[str, Report]) -> None:
    values = report_values(default_reports["langevin"])
    clean, denoised = float(values["spread_clean"]), float(values["spread_denoised"])
    predicted = float(values["spread_predicted"])
    assert denoised < clean
    assert values["spread_verdict"] == "比真实数据更集中"
    assert abs(denoised - predicted) < 0.05 * clean  # sampling error ~2 %, Langevin's bias ~1 %


def test_learned_verdicts_follow_the_data() -> None:
    run = experiments.learned_score(**SMALL["learned_score"], rng=np.random.default_rng(5))
    even = dataclasses.replace(
        run, mode_balance=dataclasses.replace(run.mode_balance, learned_share=0.2, exact_share=0.2)
    )
    assert report_values(pages.learned_score(even))["balance_verdict"] == "与精确值相差不大"
    off = dataclasses.replace(
        run, mode_balance=dataclasses.replace(run.mode_balance, learned_share=0.07, exact_share=0.2)
    )
    assert report_values(pages.learned_score(off))["balance_verdict"] == "与精确值明显不同"


def test_langevin_run_rejects_an_upside_down_ladder() -> None:
    with pytest.raises(ValueError, match="sigma_max"):
        experiments.langevin(sigma_min=0.5, sigma_max=0.4, rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- the plugin contract


@pytest.mark.parametrize(
    ("function", "name", "bad"),
    [
        (experiments.identity, "sigmas", []),
        (experiments.identity, "sigmas", [0.0]),
        (experiments.learned_score, "features", 2),
        (experiments.langevin, "chains", 10),
        (experiments.langevin, "step", 0.0),
    ],
)
def test_parameter_ranges_reject_bad_values(function: typing.Callable[..., typing.Any], name: str, bad: object) -> None:
    hints = typing.get_type_hints(function, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)


def test_a_list_of_noise_levels_is_accepted_as_in_the_post() -> None:
    hints = typing.get_type_hints(experiments.identity, include_extras=True)
    assert pydantic.TypeAdapter(hints["sigmas"]).validate_python([0.2, 0.5, 1.0]) == (0.2, 0.5, 1.0)
