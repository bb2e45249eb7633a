"""Behavioural tests of computations.hsic: estimators, closed forms, permutation tests, pages.

Deterministic comparisons use tolerances from floating-point error bounds; Monte Carlo
comparisons use local seeded generators and the site's tolerance of 4 standard errors
(two-sided false alarm ≈ 6e-5); counts of rejections are compared with binomial quantiles at
the same level. Pages are made as the site makes them: run, store, read back, present.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import typing

import numpy as np
import pydantic
import pytest
from reports import assert_well_formed, render_with_site_font, report_numbers, report_values, two_stage
from scipy import integrate, stats

from computations.checks import FALSE_ALARM_RATE, TOLERANCE_SE
from computations.hsic import estimators, experiments, gaussian, pages, relationships
from computations.report import Check, Figure, Report, Table, Value
from computations.results import decode, encode, result_type

K_SE = TOLERANCE_SE
FALSE_ALARM = FALSE_ALARM_RATE  # ≈ 6.3e-5, the level of the count tests
EPS = np.finfo(np.float64).eps
STAGES: dict[str, tuple[typing.Callable[..., typing.Any], typing.Callable[[typing.Any], Report]]] = {
    "dependence": (experiments.dependence, pages.dependence),
    "noise": (experiments.noise, pages.noise),
    "null": (experiments.null, pages.null),
    "article_demo": (experiments.article_demo, pages.article_demo),
}
SMALL: dict[str, dict[str, object]] = {
    "dependence": {"samples": 200, "permutations": 99},
    "noise": {"noise_levels": [0.1, 1.0], "samples": 60, "repeats": 5, "shape_samples": 40},
    "null": {"samples": 150, "permutations": 200},
    # n = 1000 as in the article: its "two orders of magnitude" holds there (the independent
    # mean falls like 1/n), not at n = 200.
    "article_demo": {"samples": 1000, "repeats": 10},
}


#: The values the post quotes (``@val:<label>.<name>``), by directive.
QUOTED: dict[str, set[str]] = {
    "dependence": {
        "alpha",
        "max_r_z",
        "r_verdict",
        "pearson_verdict",
        "hsic_verdict",
        "independent_p",
        "independent_verdict",
        "thesis_verdict",
    },
    "noise": {
        "k_se",
        "c_min",
        "c_max",
        "population_trend",
        "unbiased_trend",
        "bias_verdict",
        "share_min",
        "share_max",
        "share_trend",
        "signal_ratio_max",
        "unbiased_verdict",
        "biased_verdict",
    },
    "null": {
        "permutations",
        "relationship",
        "noise",
        "skew_independent",
        "skew_dependent",
        "skew_verdict",
        "independent_p",
        "dependent_p",
        "dependent_z",
        "independent_verdict",
        "dependent_verdict",
        "mean_verdict",
    },
    "article_demo": {
        "samples",
        "repeats",
        "population_linear",
        "forms_gap",
        "forms_verdict",
        "article_mean_independent",
        "bias_z",
        "bias_verdict",
        "exact_independent",
        "exact_z",
        "exact_verdict",
        "printed_sd_independent",
        "printed_independent_verdict",
        "printed_verdict",
        "unbiased_mean_independent",
        "unbiased_z",
        "unbiased_verdict",
        "ratio",
        "magnitude_verdict",
    },
}


def _shown(report: Report) -> Report:
    """The report without its values: what the shared helpers of tests/reports.py inspect."""
    return Report(items=tuple(item for item in report.items if not isinstance(item, Value)))


def _grams(x: np.ndarray, y: np.ndarray, sigma: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    return estimators.gaussian_gram(x, sigma=sigma), estimators.gaussian_gram(y, sigma=sigma)


# --------------------------------------------------------------------------- estimators against their definitions


@pytest.mark.parametrize(("n", "dims", "seed"), [(2, 1, 0), (5, 1, 1), (40, 1, 2), (33, 3, 3)])
def test_biased_estimate_equals_the_literal_trace(n: int, dims: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dims)).squeeze()
    y = np.sin(x if dims == 1 else x[:, 0]) + rng.standard_normal(n)
    k, l = _grams(x, y, sigma=0.8)  # noqa: E741
    literal = estimators.hsic_with_centring_matrix(k, l)
    assert abs(estimators.hsic_biased(k, l) - literal) <= 1e-10
    # The article's one-product formula is the same number scaled by n²/(n−1)².
    assert abs(estimators.hsic_article(k, l) - literal * n**2 / (n - 1) ** 2) <= 1e-10


def test_centred_gram_is_hkh() -> None:
    k = estimators.gaussian_gram(np.random.default_rng(4).standard_normal(30), sigma=1.0)
    h = np.eye(30) - 1.0 / 30
    # Entries are in (0, 1]; both sides are sums of O(n) such terms: error ≲ nε.
    np.testing.assert_allclose(estimators.centre_gram(k), h @ k @ h, rtol=0, atol=30 * 4 * EPS)


@pytest.mark.parametrize(("n", "dims", "seed"), [(4, 1, 5), (7, 1, 6), (8, 2, 7)])
def test_unbiased_estimate_is_the_u_statistic(n: int, dims: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dims)).squeeze()
    y = (x if dims == 1 else x[:, 0]) ** 2 + 0.3 * rng.standard_normal(n)
    k, l = _grams(x, y)  # noqa: E741
    # Song et al. (2012), Theorem 2: the mean over ordered 4-tuples of distinct indices.
    total = sum(
        k[i, j] * l[i, j] + k[i, j] * l[q, r] - 2.0 * k[i, j] * l[i, q]
        for i, j, q, r in itertools.permutations(range(n), 4)
    )
    assert estimators.hsic_unbiased(k, l) == pytest.approx(total / math.perm(n, 4), rel=0, abs=1e-13)


def test_estimators_refuse_too_few_samples_and_mismatched_grams() -> None:
    k = np.ones((3, 3))
    with pytest.raises(ValueError, match="at least 4"):
        estimators.hsic_unbiased(k, k)
    with pytest.raises(ValueError, match="equal size"):
        estimators.hsic_biased(k, np.ones((4, 4)))
    with pytest.raises(ValueError, match="coincide"):
        estimators.median_bandwidth(np.zeros(5))
    with pytest.raises(ValueError, match="positive"):
        estimators.gaussian_gram(np.arange(3.0), sigma=0.0)


def test_median_bandwidth_is_the_median_pairwise_distance() -> None:
    rng = np.random.default_rng(8)
    for points in (rng.standard_normal(41), rng.standard_normal(40), rng.standard_normal((25, 3))):
        pairs = itertools.combinations(np.atleast_2d(points.T).T, 2)
        expected = float(np.median([np.linalg.norm(a - b) for a, b in pairs]))
        assert estimators.median_bandwidth(points) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- invariances


@pytest.mark.parametrize("unbiased", [False, True])
def test_symmetry_in_x_and_y(unbiased: bool) -> None:
    rng = np.random.default_rng(9)
    x, y = relationships.sample_relationship("circle", samples=150, noise=0.1, rng=rng)
    forward = estimators.hsic(x, y, unbiased=unbiased)
    # tr(KHLH) = tr(LHKH); only the order of floating-point summation differs.
    assert estimators.hsic(y, x, unbiased=unbiased) == pytest.approx(forward, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("unbiased", [False, True])
def test_invariance_to_shifts_scales_and_sample_order(unbiased: bool) -> None:
    rng = np.random.default_rng(10)
    x, y = relationships.sample_relationship("quadratic", samples=120, noise=0.2, rng=rng)
    base = estimators.hsic(x, y, unbiased=unbiased)
    order = rng.permutation(x.size)
    # A shift by a changes each difference x_i − x_j by at most 2ε(|x| + |a|) ≈ 5e-15; the
    # Gaussian kernel's slope is below 1/σ, and HSIC is a combination of kernel entries with
    # total weight below 4, so changes stay under 1e-13. Median bandwidths follow a scaling
    # exactly, so a scale factor leaves every kernel entry unchanged up to rounding.
    assert estimators.hsic(x + 5.0, y - 3.0, unbiased=unbiased) == pytest.approx(base, rel=0, abs=1e-13)
    assert estimators.hsic(7.0 * x, 0.01 * y, unbiased=unbiased) == pytest.approx(base, rel=0, abs=1e-13)
    assert estimators.hsic(x[order], y[order], unbiased=unbiased) == pytest.approx(base, rel=0, abs=1e-13)


def test_fixed_bandwidth_is_not_scale_invariant() -> None:
    # The counterpart of the test above: the median heuristic is what buys scale invariance.
    rng = np.random.default_rng(11)
    x, y = relationships.sample_relationship("linear", samples=100, noise=0.1, rng=rng)
    assert estimators.hsic(10.0 * x, y, sigma_x=1.0, sigma_y=1.0) < 0.5 * estimators.hsic(
        x, y, sigma_x=1.0, sigma_y=1.0
    )


# --------------------------------------------------------------------------- closed forms


def test_population_value_of_the_article_case() -> None:
    cov = gaussian.linear_gaussian_covariance(0.1)
    terms = gaussian._population_terms(covariance=cov, sigma_x=1.0, sigma_y=1.0)
    # The project's notes (ARTICLES-DETAIL.md) give six decimals for the three terms and the total.
    assert terms == pytest.approx((0.329690, 0.199205, 0.217186), abs=5e-7)
    assert gaussian.population_hsic_gaussian(covariance=cov) == pytest.approx(0.094523, abs=5e-7)
    # E k = (1 + 4Var/σ²)^(−1/2) for a Gaussian difference.
    assert terms[1] == pytest.approx(1.0 / math.sqrt(5.0) / math.sqrt(1.0 + 4.0 * 1.01), rel=1e-13)


def _gaussian_expectation(f: typing.Callable[[np.ndarray, np.ndarray], np.ndarray], cov: np.ndarray) -> float:
    """E f(a, b) for (a, b) ~ N(0, cov), by the trapezoid rule in whitened coordinates.

    (a, b) = C z with C the Cholesky factor and z ~ N(0, I). For integrands analytic in a
    strip of half-width d around the real axis and decaying like these Gaussians, the
    trapezoid rule with step h errs by about exp(−2πd/h) (Trefethen & Weideman 2014); the
    narrowest factor below has standard deviation ≥ 1/3 in z, so h = 0.04 leaves ~e^(−50), and
    |z| ≤ 10 truncates below e^(−50) too. The answer is then limited by rounding only.
    """
    z = np.arange(-10.0, 10.0 + 1e-9, 0.04)
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    chol = np.linalg.cholesky(cov)
    a = chol[0, 0] * z1
    b = chol[1, 0] * z1 + chol[1, 1] * z2
    density = np.exp(-0.5 * (z1 * z1 + z2 * z2)) / (2.0 * math.pi)
    return float(np.sum(f(a, b) * density) * 0.04**2)


@pytest.mark.parametrize(("noise", "sigma"), [(0.1, 1.0), (1.0, 1.0), (0.5, 2.0)])
def test_population_terms_against_quadrature(noise: float, sigma: float) -> None:
    cov = gaussian.linear_gaussian_covariance(noise)
    same, _, shared = gaussian._population_terms(covariance=cov, sigma_x=sigma, sigma_y=sigma)
    # E k₁₂l₁₂: (u, v) = (x₁ − x₂, y₁ − y₂) ~ N(0, 2Σ).
    first = _gaussian_expectation(lambda u, v: np.exp(-(u * u + v * v) / sigma**2), 2.0 * cov)

    # E k₁₂l₁₃: averaging over the independent x₂ ~ N(0, s²) gives E exp(−(a − x₂)²/σ²) =
    # (1 + 2s²/σ²)^(−1/2) exp(−a²/(σ² + 2s²)); then integrate over (x₁, y₁) ~ N(0, Σ).
    def smooth(a: np.ndarray, var: float) -> np.ndarray:
        return np.exp(-a * a / (sigma**2 + 2.0 * var)) / math.sqrt(1.0 + 2.0 * var / sigma**2)

    third = _gaussian_expectation(lambda a, b: smooth(a, cov[0, 0]) * smooth(b, cov[1, 1]), cov)
    assert same == pytest.approx(first, rel=1e-12)
    assert shared == pytest.approx(third, rel=1e-12)


def test_population_hsic_vanishes_exactly_for_independent_gaussians() -> None:
    for variances in ((1.0, 1.0), (0.3, 4.0)):
        value = gaussian.population_hsic_gaussian(covariance=np.diag(variances), sigma_x=0.7, sigma_y=1.3)
        assert abs(value) <= 1e-15


@pytest.mark.parametrize("n", [2, 3, 10, 1000])
def test_expected_biased_estimate_for_independent_data(n: int) -> None:
    # Derivation in the module: E tr(KHLH) = tr(H E[K] H E[L]) = (n−1)(1 − E k)(1 − E l).
    mu_x, mu_y = 1.0 / math.sqrt(1.0 + 4.0 * 2.0 / 1.5**2), 1.0 / math.sqrt(5.0)
    expected = (n - 1) * (1.0 - mu_x) * (1.0 - mu_y) / n**2
    value = gaussian.expected_hsic_biased_gaussian(n=n, covariance=np.diag([2.0, 1.0]), sigma_x=1.5, sigma_y=1.0)
    assert value == pytest.approx(expected, rel=1e-12)


def test_expected_biased_estimate_against_monte_carlo_at_tiny_n() -> None:
    # n = 5 makes the O(1/n) terms large, so a wrong partition count would show.
    rng = np.random.default_rng(12)
    n, draws, noise = 5, 40_000, 0.5
    x = rng.standard_normal((draws, n))
    y = x + noise * rng.standard_normal((draws, n))
    k = np.exp(-((x[:, :, None] - x[:, None, :]) ** 2))
    l = np.exp(-((y[:, :, None] - y[:, None, :]) ** 2))  # noqa: E741
    kc = k - k.mean(axis=1, keepdims=True) - k.mean(axis=2, keepdims=True) + k.mean(axis=(1, 2), keepdims=True)
    values = np.einsum("sij,sij->s", kc, l) / n**2
    expected = gaussian.expected_hsic_biased_gaussian(n=n, covariance=gaussian.linear_gaussian_covariance(noise))
    se = values.std(ddof=1) / math.sqrt(draws)
    assert abs(values.mean() - expected) <= K_SE * se
    # And the bias is real at this n: the population value lies far outside.
    population = gaussian.population_hsic_gaussian(covariance=gaussian.linear_gaussian_covariance(noise))
    assert abs(values.mean() - population) > 10 * K_SE * se


def test_set_partitions_are_counted_by_bell_numbers() -> None:
    assert [len(list(gaussian._set_partitions(m))) for m in range(1, 6)] == [1, 2, 5, 15, 52]


def test_sine_frequency_makes_the_correlation_vanish() -> None:
    lam = relationships.sine_frequency()
    covariance, _ = integrate.quad(lambda t: t * math.sin(lam * t) / 2.0, -1.0, 1.0, epsabs=1e-14)
    assert abs(covariance) <= 1e-13
    assert math.tan(lam) == pytest.approx(lam, rel=1e-10)


# --------------------------------------------------------------------------- Monte Carlo: unbiasedness and bias


def test_unbiased_mean_matches_population_and_article_estimator_is_biased() -> None:
    rng = np.random.default_rng(13)
    n, draws = 40, 600
    cases = {"independent": np.eye(2), "dependent": gaussian.linear_gaussian_covariance(0.3)}
    for name, cov in cases.items():
        pairs = rng.multivariate_normal([0.0, 0.0], cov, size=(draws, n))
        unbiased, article = np.empty(draws), np.empty(draws)
        for i, sample in enumerate(pairs):
            k, l = _grams(sample[:, 0], sample[:, 1])  # noqa: E741
            unbiased[i] = estimators.hsic_unbiased(k, l)
            article[i] = estimators.hsic_article(k, l)
        population = gaussian.population_hsic_gaussian(covariance=cov)
        article_mean = gaussian.expected_hsic_biased_gaussian(n=n, covariance=cov) * n**2 / (n - 1) ** 2
        se_u, se_a = unbiased.std(ddof=1) / math.sqrt(draws), article.std(ddof=1) / math.sqrt(draws)
        assert abs(unbiased.mean() - population) <= K_SE * se_u, name
        assert abs(article.mean() - article_mean) <= K_SE * se_a, name
        if name == "independent":
            # The article's "unbiased" estimator: mean (1 − 1/√5)²/(n − 1), not 0.
            assert article.mean() > K_SE * se_a
            assert article_mean == pytest.approx((1.0 - 1.0 / math.sqrt(5.0)) ** 2 / (n - 1), rel=1e-12)


# --------------------------------------------------------------------------- permutation tests


def test_permutation_null_mean_is_the_mean_over_all_permutations() -> None:
    rng = np.random.default_rng(14)
    x, y = rng.standard_normal(6), rng.standard_normal(6)
    k, l = _grams(x, y)  # noqa: E741
    every = [estimators.hsic_biased(k, l[np.ix_(p, p)]) for p in map(list, itertools.permutations(range(6)))]
    assert estimators.permutation_null_mean(k, l) == pytest.approx(float(np.mean(every)), rel=1e-12)


def test_permutation_test_statistic_null_and_p_value() -> None:
    rng = np.random.default_rng(15)
    x, y = relationships.sample_relationship("sine", samples=50, noise=0.5, rng=rng)
    test = estimators.permutation_test(x, y, permutations=300, rng=np.random.default_rng(1))
    again = estimators.permutation_test(x, y, permutations=300, rng=np.random.default_rng(1))
    assert test.statistic == pytest.approx(estimators.hsic(x, y), rel=1e-12)
    assert test.permutations == 300
    assert np.array_equal(test.null, again.null)
    assert test.p_value == (1 + np.count_nonzero(test.null >= test.statistic)) / 301
    # The permuted statistics are HSIC of re-paired samples, so their mean is the exact one.
    k, l = estimators.gram_pair(x, y)  # noqa: E741
    se = test.null.std(ddof=1) / math.sqrt(test.permutations)
    assert abs(test.null.mean() - estimators.permutation_null_mean(k, l)) <= K_SE * se


def _rejections(p_values: np.ndarray, alpha: float) -> int:
    return int(np.count_nonzero(p_values <= alpha))


def test_independent_samples_are_rejected_at_the_nominal_rate() -> None:
    # With B = 99 permutations and continuous data, p = (1 + #{null ≥ observed})/100 is
    # uniform on {0.01, …, 1} under independence, so P(p ≤ α) = ⌊100α⌋/100 exactly and the
    # number of rejections in independent trials is binomial.
    rng = np.random.default_rng(16)
    trials, n, permutations = 200, 60, 99
    p_values = np.empty(trials)
    for t in range(trials):
        shape = "independent" if t % 2 else "circle"
        x, _ = relationships.sample_relationship(shape, samples=n, noise=0.1, rng=rng)
        y = rng.standard_normal(n) ** 3  # independent of x, heavy-tailed on purpose
        p_values[t] = estimators.permutation_test(x, y, permutations=permutations, rng=rng).p_value
    upper_001 = stats.binom.isf(FALSE_ALARM, trials, 0.01)
    assert _rejections(p_values, 0.01) <= upper_001
    lower_01 = stats.binom.ppf(FALSE_ALARM / 2, trials, 0.1)
    upper_01 = stats.binom.isf(FALSE_ALARM / 2, trials, 0.1)
    assert lower_01 <= _rejections(p_values, 0.1) <= upper_01


@pytest.mark.parametrize("shape", ["linear", "quadratic", "circle", "sine"])
def test_dependent_samples_are_rejected(shape: str) -> None:
    # At n = 200 and c = 0.1 the observed statistic of every shape lay at least 9.9 null
    # standard deviations above the null mean over 100 seeds (circle the closest, linear 93),
    # so all 99 permuted statistics fall below it and p reaches its minimum 1/100.
    rng = np.random.default_rng(17)
    for _ in range(10):
        x, y = relationships.sample_relationship(shape, samples=200, noise=0.1, rng=rng)  # type: ignore[arg-type]
        assert estimators.permutation_test(x, y, permutations=99, rng=rng).p_value <= 0.01


def test_pearson_permutation_test_misses_uncorrelated_dependence() -> None:
    # The contrast the post makes: |r| is blind to the circle; under ρ = 0 its permutation
    # p-values are close to uniform, so a sizeable share of 40 trials exceeds 0.1.
    rng = np.random.default_rng(18)
    p_values = []
    for _ in range(40):
        x, y = relationships.sample_relationship("circle", samples=200, noise=0.1, rng=rng)
        p_values.append(estimators.pearson_permutation_test(x, y, permutations=99, rng=rng).p_value)
    # P(p > 0.1) ≈ 0.9; the binomial lower quantile at the false-alarm level.
    assert sum(p > 0.1 for p in p_values) >= stats.binom.ppf(FALSE_ALARM, 40, 0.9)


# --------------------------------------------------------------------------- Pearson


def test_pearson_and_its_standard_error() -> None:
    rng = np.random.default_rng(19)
    x, y = rng.standard_normal(500), rng.standard_normal(500)
    assert estimators.pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-12)
    # Under ρ = 0, r/SE is asymptotically N(0, 1): E (r/SE)² ≈ 1 with standard error √(2/m).
    m = 400
    z2 = np.empty(m)
    for i in range(m):
        x, y = relationships.sample_relationship("circle", samples=300, noise=0.1, rng=rng)
        z2[i] = (estimators.pearson(x, y) / estimators.pearson_standard_error(x, y)) ** 2
    assert abs(z2.mean() - 1.0) <= K_SE * z2.std(ddof=1) / math.sqrt(m)


@pytest.mark.parametrize("shape", ["independent", "linear", "quadratic", "circle", "sine"])
def test_population_pearson(shape: str) -> None:
    rng = np.random.default_rng(20)
    x, y = relationships.sample_relationship(shape, samples=40_000, noise=0.4, rng=rng)  # type: ignore[arg-type]
    rho = relationships.population_pearson(shape, noise=0.4)  # type: ignore[arg-type]
    # 4 SE of the ρ = 0 delta-method formula: exact for the four uncorrelated shapes; for
    # "linear" (ρ = 0.82) it overstates the SE about fourfold, so there the test is loose.
    assert abs(estimators.pearson(x, y) - rho) <= K_SE * estimators.pearson_standard_error(x, y)


# --------------------------------------------------------------------------- pages


@pytest.fixture(scope="module")
def small_reports() -> dict[str, Report]:
    return {name: two_stage(*stages, **SMALL[name], rng=np.random.default_rng(2019)) for name, stages in STAGES.items()}


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("dependence", [Table, Figure, Check, Check, Check]),
        ("noise", [Figure, Check, Check]),
        ("null", [Figure, Check, Check, Check]),
        ("article_demo", [Table, Check, Check, Check, Check, Check, Check]),
    ],
)
def test_reports_items_and_checks(small_reports: dict[str, Report], name: str, kinds: list) -> None:
    report = small_reports[name]
    assert_well_formed(_shown(report), kinds)
    # Values come last, one per name, each a non-empty text: exactly those the post quotes.
    values = [item for item in report.items if isinstance(item, Value)]
    assert report.items[-len(values) :] == tuple(values)
    assert sorted(value.name for value in values) == sorted(QUOTED[name])
    assert all(value.text for value in values)


def test_article_demo_table(small_reports: dict[str, Report]) -> None:
    table = small_reports["article_demo"].items[0]
    assert isinstance(table, Table)
    assert table.rows[0][1:] == (0.0002, 0.096)
    assert table.rows[-1][1] == 0.0
    assert table.rows[-1][2] == pytest.approx(0.094523, abs=5e-7)


def test_dependence_report_keeps_requested_shapes() -> None:
    report = two_stage(
        *STAGES["dependence"],
        relationships=["circle", "independent", "circle"],
        samples=60,
        permutations=99,
        rng=np.random.default_rng(3),
    )
    table = report.items[0]
    assert isinstance(table, Table)
    assert table.columns[1:] == ("圆环", "独立")


@pytest.mark.parametrize("name", ["dependence", "noise", "null"])
def test_figures_render_with_the_site_font(small_reports: dict[str, Report], name: str) -> None:
    figure = next(item for item in small_reports[name].items if isinstance(item, Figure))
    render_with_site_font(figure.figure)


@pytest.mark.parametrize("name", STAGES)
def test_reports_are_reproducible_from_the_seed(name: str) -> None:
    # Reproducibility does not need the article's n (its O(n³) reference forms dominate there).
    stages, params = STAGES[name], {**SMALL, "article_demo": {"samples": 300, "repeats": 5}}[name]

    def numbers(seed: int) -> list:
        report = two_stage(*stages, **params, rng=np.random.default_rng(seed))
        return [*report_numbers(_shown(report)), report_values(report)]

    first, again, other = numbers(1), numbers(1), numbers(2)
    assert first == again
    assert first != other


def test_noise_check_fails_when_the_unbiased_estimator_is_biased(monkeypatch: pytest.MonkeyPatch) -> None:
    # Substituting the V-statistic shifts the mean by ≈ (1 − E k)(1 − E l)/n, which at n = 40
    # and c = 3 (population 0.0015) is many standard errors with 60 repeats. The run stage
    # looks the estimator up in its own module, so that is where it is replaced.
    monkeypatch.setattr(experiments, "hsic_unbiased", estimators.hsic_biased)
    report = two_stage(
        *STAGES["noise"],
        noise_levels=[2.0, 3.0],
        samples=40,
        repeats=60,
        shape_samples=20,
        rng=np.random.default_rng(5),
    )
    checks = [item for item in report.items if isinstance(item, Check)]
    assert [check.passed for check in checks] == [False, True]


def test_article_checks_fail_on_a_misprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "NOTED_POPULATION_HSIC", "0.094524")  # one unit in the last digit
    # 0.15 is about 20 sampling standard deviations above the mean 0.0947 at n = 1000.
    monkeypatch.setattr(pages, "ARTICLE_OUTPUTS", {"independent": "0.0002", "linear": "0.15"})
    report = two_stage(*STAGES["article_demo"], samples=1000, repeats=10, rng=np.random.default_rng(6))
    verdicts = {item.claim: item.passed for item in report.items if isinstance(item, Check)}
    assert [passed for claim, passed in verdicts.items() if "0.094524" in claim] == [False]
    assert [passed for claim, passed in verdicts.items() if "寻常值" in claim] == [False]


# --------------------------------------------------------------------------- each check guards its quantity


@pytest.fixture(scope="module")
def small_runs() -> dict[str, typing.Any]:
    """The run stage's results at SMALL, stored and read back as the site does."""
    runs = {}
    for name, (run, _) in STAGES.items():
        kind = result_type(run)
        runs[name] = decode(encode(run(**SMALL[name], rng=np.random.default_rng(2019)), kind=kind), kind=kind)
    return runs


def _replace_case(run: typing.Any, field: str, key: str, **changes: object) -> typing.Any:
    """``run`` with ``run.<field>[key]`` replaced by a copy carrying ``changes``."""
    cases = getattr(run, field)
    return dataclasses.replace(run, **{field: {**cases, key: dataclasses.replace(cases[key], **changes)}})


def _se(values: np.ndarray) -> float:
    return float(values.std(ddof=1)) / math.sqrt(values.size)


def _r_far_from_zero(run: experiments.DependenceRun) -> experiments.DependenceRun:
    circle = run.cases["circle"]
    return _replace_case(run, "cases", "circle", r=2 * K_SE * circle.r_se)


def _biased_mean_off(run: experiments.NoiseRun) -> experiments.NoiseRun:
    first = run.linear[0]
    shifted = dataclasses.replace(first, biased=first.biased + 10 * K_SE * _se(first.biased))
    return dataclasses.replace(run, linear=(shifted, *run.linear[1:]))


def _null_mean_off(run: experiments.NullRun) -> experiments.NullRun:
    panel = run.panels["independent"]
    return _replace_case(run, "panels", "independent", exact_mean=panel.exact_mean + 10 * K_SE * _se(panel.null))


def _forms_disagree(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    ours, article, literal = run.cases["linear"].first_forms
    return _replace_case(run, "cases", "linear", first_forms=(ours, article + 1e-9, literal))


def _unbiased_mean_off(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    unbiased = run.cases["linear"].unbiased
    return _replace_case(run, "cases", "linear", unbiased=unbiased + 10 * K_SE * _se(unbiased))


def _article_unbiased(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    article = run.cases["independent"].article
    return _replace_case(run, "cases", "independent", article=article - article.mean())


def _one_order_apart(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    linear, independent = run.cases["linear"].article, run.cases["independent"].article
    ratio = float(linear.mean()) / float(independent.mean())
    return _replace_case(run, "cases", "linear", article=linear * (50.0 / ratio))


def _unbiased_mean_off_at_first_level(run: experiments.NoiseRun) -> experiments.NoiseRun:
    first = run.linear[0]
    shifted = dataclasses.replace(first, unbiased=first.unbiased + 10 * K_SE * _se(first.unbiased))
    return dataclasses.replace(run, linear=(shifted, *run.linear[1:]))


def _population_misremembered(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    # Two half-units of the noted sixth decimal: far below every sampling error of the page.
    return _replace_case(run, "cases", "linear", population=run.cases["linear"].population + 1e-6)


def _exact_mean_off(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    linear = run.cases["linear"]
    return _replace_case(run, "cases", "linear", article_mean=linear.article_mean + 10 * K_SE * _se(linear.article))


def _closed_forms_disagree(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    # The partition sum against (1 − 1/√5)²/(n − 1): a relative change of 1e-6 is far beyond
    # rounding and far below the sampling error of the mean (so only the closed forms disagree).
    independent = run.cases["independent"]
    return _replace_case(run, "cases", "independent", article_mean=independent.article_mean * (1.0 + 1e-6))


def _printed_output_far(run: experiments.ArticleDemoRun) -> experiments.ArticleDemoRun:
    linear = run.cases["linear"].article
    return _replace_case(run, "cases", "linear", article=linear + 20.0 * float(linear.std(ddof=1)))


PERTURBATIONS = [
    pytest.param("dependence", _r_far_from_zero, "样本 $r$ 与 0", id="dependence-uncorrelated"),
    pytest.param(
        "dependence",
        lambda run: _replace_case(run, "cases", "sine", hsic_p=0.5),
        "拒绝每一种",
        id="dependence-rejected",
    ),
    pytest.param(
        "dependence",
        lambda run: _replace_case(run, "cases", "independent", hsic_p=1 / (run.permutations + 1)),
        "独立样本不被",
        id="dependence-independent",
    ),
    pytest.param("noise", _unbiased_mean_off_at_first_level, "无偏估计的均值与闭式总体值", id="noise-unbiased-mean"),
    pytest.param("noise", _biased_mean_off, "有偏估计", id="noise-biased-mean"),
    pytest.param("null", _null_mean_off, "精确均值", id="null-mean"),
    pytest.param(
        "null",
        lambda run: _replace_case(
            run, "panels", "independent", p_value=1 / (run.panels["independent"].permutations + 1)
        ),
        "落在零分布之中",
        id="null-independent",
    ),
    pytest.param(
        "null",
        lambda run: _replace_case(run, "panels", run.relationship, p_value=0.5),
        "远在零分布之外",
        id="null-dependent",
    ),
    pytest.param("article_demo", _forms_disagree, "同一个数", id="article-forms"),
    pytest.param("article_demo", _population_misremembered, "总体 HSIC 闭式值", id="article-noted-population"),
    pytest.param("article_demo", _unbiased_mean_off, "无偏估计的均值与总体值", id="article-means-unbiased"),
    pytest.param("article_demo", _exact_mean_off, "原文估计量的均值与其精确期望", id="article-means-exact"),
    pytest.param("article_demo", _article_unbiased, "其实有偏", id="article-bias"),
    pytest.param("article_demo", _closed_forms_disagree, "其实有偏", id="article-bias-closed-forms"),
    pytest.param("article_demo", _printed_output_far, "寻常值", id="article-printed-outputs"),
    pytest.param("article_demo", _one_order_apart, "两个数量级", id="article-magnitude"),
]


@pytest.mark.parametrize(("name", "perturb", "fragment"), PERTURBATIONS)
def test_a_check_fails_when_its_quantity_is_perturbed(
    small_runs: dict[str, typing.Any], name: str, perturb: typing.Callable[[typing.Any], typing.Any], fragment: str
) -> None:
    present = STAGES[name][1]

    def verdicts(run: typing.Any) -> dict[str, bool]:
        return {item.claim: item.passed for item in present(run).items if isinstance(item, Check)}

    before, after = verdicts(small_runs[name]), verdicts(perturb(small_runs[name]))
    (claim,) = [claim for claim in before if fragment in claim]
    assert before[claim] is True
    assert after[claim] is False


# --------------------------------------------------------------------------- the plugin contract


@pytest.mark.parametrize(
    ("function", "name", "bad"),
    [
        (experiments.dependence, "permutations", 50),
        (experiments.dependence, "relationships", ["square"]),
        (experiments.dependence, "relationships", []),
        (experiments.dependence, "samples", 5),
        (experiments.noise, "noise_levels", [0.0, 1.0]),
        (experiments.noise, "sigma", 0.0),
        (experiments.null, "noise", -1.0),
        (experiments.null, "relationship", "independent"),
    ],
)
def test_parameter_ranges_reject_bad_values(function: typing.Callable[..., typing.Any], name: str, bad: object) -> None:
    hints = typing.get_type_hints(function, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)


def test_posts_lists_are_accepted_for_tuple_parameters() -> None:
    hints = typing.get_type_hints(experiments.noise, include_extras=True)
    assert pydantic.TypeAdapter(hints["noise_levels"]).validate_python([0.5, 1.0]) == (0.5, 1.0)


def _noise_level_changed(run: experiments.NoiseRun, index: int, **changes: object) -> experiments.NoiseRun:
    linear = list(run.linear)
    linear[index] = dataclasses.replace(linear[index], **changes)
    return dataclasses.replace(run, linear=tuple(linear))


def _mirrored_null(run: experiments.NullRun) -> experiments.NullRun:
    null = run.panels["independent"].null
    return _replace_case(run, "panels", "independent", null=2.0 * null.mean() - null)


VERDICTS = [
    pytest.param("dependence", _r_far_from_zero, "r_verdict", id="dependence-r"),
    pytest.param(
        "dependence",
        lambda run: _replace_case(run, "cases", "circle", pearson_p=1 / (run.permutations + 1)),
        "pearson_verdict",
        id="dependence-pearson",
    ),
    pytest.param(
        "dependence", lambda run: _replace_case(run, "cases", "sine", hsic_p=0.5), "hsic_verdict", id="dependence-hsic"
    ),
    pytest.param(
        "dependence",
        lambda run: _replace_case(run, "cases", "independent", hsic_p=1 / (run.permutations + 1)),
        "independent_verdict",
        id="dependence-independent",
    ),
    pytest.param(
        "dependence",
        lambda run: _replace_case(run, "cases", "sine", hsic_p=0.5),
        "thesis_verdict",
        id="dependence-thesis",
    ),
    pytest.param(
        "noise",
        lambda run: _noise_level_changed(run, -1, population=2.0 * run.linear[0].population),
        "population_trend",
        id="noise-population-trend",
    ),
    pytest.param(
        "noise",
        lambda run: _noise_level_changed(run, -1, unbiased=run.linear[0].unbiased + 1.0),
        "unbiased_trend",
        id="noise-unbiased-trend",
    ),
    pytest.param(
        "noise",
        lambda run: _noise_level_changed(run, 0, population=run.linear[0].biased_mean + 1e-3),
        "bias_verdict",
        id="noise-bias-sign",
    ),
    pytest.param(
        "noise",
        lambda run: _noise_level_changed(run, -1, independent_mean=100.0 * run.linear[-1].independent_mean),
        "share_trend",
        id="noise-share-trend",
    ),
    pytest.param("noise", _unbiased_mean_off_at_first_level, "unbiased_verdict", id="noise-unbiased-mean"),
    pytest.param("noise", _biased_mean_off, "biased_verdict", id="noise-biased-mean"),
    pytest.param("null", _mirrored_null, "skew_verdict", id="null-skew"),
    pytest.param("null", _null_mean_off, "mean_verdict", id="null-mean"),
    pytest.param(
        "null",
        lambda run: _replace_case(
            run, "panels", "independent", p_value=1 / (run.panels["independent"].permutations + 1)
        ),
        "independent_verdict",
        id="null-independent",
    ),
    pytest.param(
        "null",
        lambda run: _replace_case(run, "panels", run.relationship, p_value=0.5),
        "dependent_verdict",
        id="null-dependent",
    ),
    pytest.param("article_demo", _forms_disagree, "forms_verdict", id="article-forms"),
    pytest.param("article_demo", _article_unbiased, "bias_verdict", id="article-bias"),
    pytest.param(
        "article_demo",
        lambda run: _replace_case(
            run,
            "cases",
            "independent",
            article_mean=run.cases["independent"].article_mean + 10 * K_SE * _se(run.cases["independent"].article),
        ),
        "exact_verdict",
        id="article-exact",
    ),
    pytest.param(
        "article_demo",
        lambda run: _replace_case(run, "cases", "independent", article=run.cases["independent"].article + 0.01),
        "printed_independent_verdict",
        id="article-printed-independent",
    ),
    pytest.param("article_demo", _printed_output_far, "printed_verdict", id="article-printed"),
    pytest.param(
        "article_demo",
        lambda run: _replace_case(run, "cases", "independent", unbiased=run.cases["independent"].unbiased + 0.01),
        "unbiased_verdict",
        id="article-unbiased-zero",
    ),
    pytest.param("article_demo", _one_order_apart, "magnitude_verdict", id="article-magnitude"),
]


@pytest.mark.parametrize(("name", "perturb", "value"), VERDICTS)
def test_a_quoted_verdict_flips_when_its_quantity_is_perturbed(
    small_runs: dict[str, typing.Any], name: str, perturb: typing.Callable[[typing.Any], typing.Any], value: str
) -> None:
    # The prose quotes these words; they must follow the data, not be fixed text.
    present = STAGES[name][1]
    before, after = (
        report_values(present(small_runs[name]))[value],
        report_values(present(perturb(small_runs[name])))[value],
    )
    assert before != after
