"""Behavioural tests of computations.angles against closed forms and the article's table.

Monte Carlo tests use local seeded generators and the module-wide 4-standard-error rule;
tolerances of deterministic tests come from the accuracy of the method being tested.
"""

from __future__ import annotations

import math
import typing
import warnings
from decimal import Decimal

import numpy as np
import pydantic
import pytest
from reports import assert_well_formed, render_with_site_font, report_numbers, report_values, two_stage
from scipy import integrate

from computations.angles import experiments, pages
from computations.angles import theory as angles
from computations.checks import FALSE_ALARM_RATE
from computations.report import Check, Figure, Report, Table, Value

STAGES = {
    "density_report": (experiments.density, pages.density),
    "moments_report": (experiments.moments, pages.moments),
    "concentration_report": (experiments.concentration, pages.concentration),
}
K_SE = 4.0  # Monte Carlo tolerance in standard errors: false alarm ≈ 6e-5 per comparison.


def _shown(report: Report) -> Report:
    """The report without its values: what the shared helpers (figures, tables, checks) read."""
    return Report(items=tuple(item for item in report.items if not isinstance(item, Value)))


def _checks(report: Report) -> dict[str, bool]:
    return {item.claim: item.passed for item in report.items if isinstance(item, Check)}


def _check_about(report: Report, *words: str) -> bool:
    """Whether the one check whose claim holds all ``words`` passed."""
    found = [passed for claim, passed in _checks(report).items() if all(word in claim for word in words)]
    assert len(found) == 1, (words, list(_checks(report)))
    return found[0]


def _integrate_density(n: int, lower: float, upper: float) -> float:
    """∫ p_n over [lower, upper] by quad, with breakpoints where a large-n peak sits."""
    width = 1.0 / math.sqrt(n)
    marks = [math.pi / 2 + s * k * width for k in (1, 4, 16) for s in (-1, 1)] + [math.pi / 2]
    points = sorted(p for p in marks if lower < p < upper)
    value, _ = integrate.quad(
        lambda t: float(angles.angle_density(t, n=n)),
        lower,
        upper,
        points=points or None,
        epsabs=1e-14,
        epsrel=1e-12,
        limit=200,
    )
    return value


# --------------------------------------------------------------------------- density and CDF


@pytest.mark.parametrize("n", [2, 3, 5, 50, 1000, 10_000])
def test_density_integrates_to_one(n: int) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        total = _integrate_density(n, 0.0, math.pi)
    assert total == pytest.approx(1.0, abs=1e-9)


def test_density_is_finite_at_the_ends_for_large_n() -> None:
    theta = np.array([-0.1, 0.0, 1e-300, math.pi / 2, math.pi, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            values = angles.angle_density(theta, n=1000)
    assert np.all(np.isfinite(values))
    assert values[[0, 1, 2, 4, 5]].tolist() == [0.0] * 5
    # Laplace: θ ≈ N(π/2, 1/(n−2)), so the peak is close to √((n−2)/(2π)).
    assert values[3] == pytest.approx(math.sqrt(998 / (2 * math.pi)), rel=1e-3)


def test_density_n2_is_uniform() -> None:
    theta = np.linspace(0.0, math.pi, 101)
    np.testing.assert_allclose(angles.angle_density(theta, n=2), 1.0 / math.pi, rtol=1e-14)
    assert angles.angle_density(np.array([-1e-9, math.pi + 1e-9]), n=2).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (3, lambda t: np.sin(t) / 2),
        (4, lambda t: 2 / math.pi * np.sin(t) ** 2),
        (5, lambda t: 0.75 * np.sin(t) ** 3),
    ],
)
def test_density_small_n_closed_forms(n: int, expected: typing.Callable) -> None:
    theta = np.linspace(0.0, math.pi, 101)
    np.testing.assert_allclose(angles.angle_density(theta, n=n), expected(theta), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("n", [2, 3, 7, 200])
def test_cdf_is_the_integral_of_the_density(n: int) -> None:
    for t in (0.3, 1.2, math.pi / 2, 1.9, 3.0):
        assert angles.angle_cdf(t, n=n) == pytest.approx(_integrate_density(n, 0.0, t), abs=1e-10)
    assert angles.angle_cdf(np.array([0.0, math.pi]), n=n).tolist() == [0.0, 1.0]


def test_cdf_small_n_closed_forms() -> None:
    theta = np.linspace(0.0, math.pi, 37)
    np.testing.assert_allclose(angles.angle_cdf(theta, n=2), theta / math.pi, atol=1e-14)
    np.testing.assert_allclose(angles.angle_cdf(theta, n=3), (1 - np.cos(theta)) / 2, atol=1e-14)


# --------------------------------------------------------------------------- variance


@pytest.mark.parametrize(
    ("n", "exact"),
    [(2, math.pi**2 / 12), (3, math.pi**2 / 4 - 2), (4, math.pi**2 / 12 - 0.5)],
)
def test_variance_closed_forms(n: int, exact: float) -> None:
    assert angles.angle_variance(n=n) == pytest.approx(exact, abs=1e-9)


# Copied from the article (spaces.ac.cn/archives/7076), as printed.
ARTICLE_TABLE = {
    3: "0.467401",
    10: "0.110661",
    20: "0.0525832",
    50: "0.0204053",
    100: "0.0101007",
    200: "0.00502508",
    1000: "0.001001",
}


@pytest.mark.parametrize(("n", "printed"), ARTICLE_TABLE.items())
def test_variance_rounds_to_the_article_table(n: int, printed: str) -> None:
    half_unit = 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent
    assert abs(angles.angle_variance(n=n) - float(printed)) <= half_unit
    assert pages.ARTICLE_VARIANCES[n] == printed


@pytest.mark.parametrize("n", [10, 50, 1000, 10_000])
def test_quadrature_agrees_with_series(n: int) -> None:
    # The truncated tail is about Γ(n/2) K^{−n/2} / n < 1e-20 for K = 10⁵ and n ≥ 10.
    series = angles.angle_variance_series(n=n, terms=100_000)
    assert angles.angle_variance(n=n) == pytest.approx(series, rel=1e-11)


def test_series_tail_for_n2_is_the_basel_tail() -> None:
    # n = 2: the terms are 1/(2k²); after K terms, ½ Σ_{k>K} 1/k² lies in (1/(2(K+1)), 1/(2K)).
    terms = 1000
    missing = math.pi**2 / 12 - angles.angle_variance_series(n=2, terms=terms)
    assert 1 / (2 * (terms + 1)) < missing < 1 / (2 * terms)


@pytest.mark.parametrize(("n", "terms"), [(2, 10), (3, 10), (2, 1000), (3, 1000), (4, 100), (7, 100), (12, 100)])
def test_series_tail_bound_bounds_the_tail_and_is_tight(n: int, terms: int) -> None:
    missing = angles.angle_variance(n=n) - angles.angle_variance_series(n=n, terms=terms)
    bound = angles.angle_variance_series_tail_bound(n=n, terms=terms)
    assert 0.0 < missing <= bound
    # Once K ≫ n the bound is the tail's leading term, not a loose guess.
    assert missing > 0.5 * bound


def test_variance_expansion_for_large_n() -> None:
    # Series: Var = 1/n + 1/(n(n+2)) + 8/(3n(n+2)(n+4)) + O(n⁻⁴).
    n = 2000
    leading = 1 / n + 1 / (n * (n + 2))
    third = 8 / (3 * n * (n + 2) * (n + 4))
    remainder = angles.angle_variance(n=n) - leading
    assert third < remainder < 1.01 * third


# --------------------------------------------------------------------------- concentration


@pytest.mark.parametrize("n", [2, 3, 10, 100, 1000])
@pytest.mark.parametrize("delta_degrees", [1.0, 5.0, 30.0])
def test_concentration_is_the_mass_around_right_angle(n: int, delta_degrees: float) -> None:
    delta = math.radians(delta_degrees)
    mass = _integrate_density(n, math.pi / 2 - delta, math.pi / 2 + delta)
    assert angles.concentration_probability(n=n, delta=delta) == pytest.approx(mass, abs=1e-10)


def test_concentration_small_n_closed_forms() -> None:
    for delta in (0.01, 0.3, 1.0, math.pi / 2):
        # n = 2: θ uniform on [0, π]; n = 3: cos θ uniform on [−1, 1].
        assert angles.concentration_probability(n=2, delta=delta) == pytest.approx(2 * delta / math.pi, rel=1e-13)
        assert angles.concentration_probability(n=3, delta=delta) == pytest.approx(math.sin(delta), rel=1e-13)
    with pytest.raises(ValueError, match="delta"):
        angles.concentration_probability(n=3, delta=2.0)


# --------------------------------------------------------------------------- Monte Carlo


@pytest.mark.parametrize(("n", "seed"), [(2, 1), (7, 2), (300, 3)])
def test_cosine_moments(n: int, seed: int) -> None:
    cosines = angles.sample_cosines(n=n, samples=20_000, rng=np.random.default_rng(seed))
    root = math.sqrt(cosines.size)
    # E cos θ = 0 and Var(cos θ) = E cos² θ = 1/n exactly.
    assert abs(cosines.mean()) <= K_SE * cosines.std(ddof=1) / root
    squares = cosines**2
    assert abs(squares.mean() - 1 / n) <= K_SE * squares.std(ddof=1) / root


def test_cosine_variance_estimate() -> None:
    cosines = np.array([0.5, -0.5, 1.0, 0.0])
    estimate = angles.estimate_cosine_variance(cosines)
    squares = cosines**2
    assert estimate.variance == pytest.approx(squares.mean())
    assert estimate.variance_se == pytest.approx(squares.std(ddof=1) / 2.0)


@pytest.mark.parametrize(("n", "seed"), [(2, 4), (3, 5), (40, 6)])
def test_angle_moments(n: int, seed: int) -> None:
    theta = angles.sample_angles(n=n, samples=20_000, rng=np.random.default_rng(seed))
    moments = angles.estimate_moments(theta)
    assert abs(moments.mean - math.pi / 2) <= K_SE * moments.mean_se
    assert abs(moments.variance - angles.angle_variance(n=n)) <= K_SE * moments.variance_se
    assert theta.shape == (20_000,)
    assert theta.min() >= 0.0
    assert theta.max() <= math.pi


def test_sampler_draws_two_gaussian_vectors_per_pair() -> None:
    n, samples = 6, 50
    rng = np.random.default_rng(7)
    cosines = angles.sample_cosines(n=n, samples=samples, rng=rng, max_chunk_elements=24)
    reference = np.random.default_rng(7).standard_normal((samples, 2, n))
    x, y = reference[:, 0], reference[:, 1]
    expected = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(cosines, expected, rtol=1e-12, atol=1e-15)
    # Exactly 2·n·samples normals were consumed.
    fresh = np.random.default_rng(7)
    fresh.standard_normal(2 * n * samples)
    assert rng.standard_normal() == fresh.standard_normal()


def test_sampling_does_not_depend_on_chunk_size() -> None:
    small = angles.sample_angles(n=33, samples=1_001, rng=np.random.default_rng(8), max_chunk_elements=100)
    large = angles.sample_angles(n=33, samples=1_001, rng=np.random.default_rng(8))
    np.testing.assert_allclose(small, large, rtol=1e-12, atol=1e-15)


def test_histogram_test_accepts_the_truth_and_rejects_a_neighbour() -> None:
    theta = angles.sample_angles(n=10, samples=20_000, rng=np.random.default_rng(9))
    edges = np.linspace(0.0, math.pi, 61)
    assert angles.histogram_p_value(theta, n=10, edges=edges) >= FALSE_ALARM_RATE
    # n = 13 has variance 0.0834 instead of 0.1107: far beyond sampling noise at N = 20 000.
    assert angles.histogram_p_value(theta, n=13, edges=edges) < FALSE_ALARM_RATE


# --------------------------------------------------------------------------- registered reports


@pytest.fixture(scope="module")
def default_reports() -> dict[str, Report]:
    return {name: two_stage(*stages, rng=np.random.default_rng(2019)) for name, stages in STAGES.items()}


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("density_report", [Figure, Check, Check, Check]),
        ("moments_report", [Table, Check, Check, Check, Check, Check]),
        ("concentration_report", [Figure, Table, Check, Check]),
    ],
)
def test_reports_at_defaults(default_reports: dict[str, Report], name: str, kinds: list) -> None:
    report = default_reports[name]
    assert_well_formed(_shown(report), kinds)
    assert report.items[len(kinds) :] == tuple(item for item in report.items if isinstance(item, Value))


@pytest.mark.parametrize("name", ["density_report", "concentration_report"])
def test_figure_alt_says_the_samples_agree_when_the_checks_pass(default_reports: dict[str, Report], name: str) -> None:
    figure = default_reports[name].items[0]
    assert isinstance(figure, Figure)
    assert "贴着曲线" in figure.alt or "落在曲线上" in figure.alt
    assert "偏离" not in figure.alt


def test_moments_table_rows(default_reports: dict[str, Report]) -> None:
    table = default_reports["moments_report"].items[0]
    assert isinstance(table, Table)
    assert [row[0] for row in table.rows] == [3, 10, 20, 50, 100, 200, 1000]
    assert [row[1] for row in table.rows] == list(ARTICLE_TABLE.values())
    for row in table.rows:
        n = row[0]
        assert row[3] == pytest.approx(angles.angle_variance_series(n=n), rel=1e-15)
        assert row[7] == pytest.approx(1 / (n - 2))
        assert row[8] == pytest.approx(1 / (n - 1))


def test_values_at_defaults(default_reports: dict[str, Report]) -> None:
    density = report_values(default_reports["density_report"])
    assert {key: density[key] for key in ("samples", "bins", "k_se", "fit_verdict", "moments_verdict")} == {
        "samples": "20000",
        "bins": "60",
        "k_se": "4",
        "fit_verdict": "在每个维数上都吻合",
        "moments_verdict": "都在",
    }
    moments = report_values(default_reports["moments_report"])
    assert moments["n_min"] == "3"
    assert moments["n_max"] == "1000"
    assert moments["article_verdict"] == "逐位复现"
    assert moments["series_verdict"] == "一致"
    assert moments["mc_verdict"] == "同样落在"
    assert moments["cosine_verdict"] == "都在"
    assert moments["closer"] == "每一行都是 1/(n−1) 更接近"
    # Exact numbers: 1/(n−2) is 114% off at n = 3 (1 against π²/4 − 2), 1/(n−1) 7.0% there.
    assert moments["n2_error_max"] == f"{1 / (math.pi**2 / 4 - 2) - 1:.0%}" == "114%"
    assert moments["n1_error_max"] == f"{0.5 / (math.pi**2 / 4 - 2) - 1:.1%}" == "7.0%"
    assert moments["n1_error_worst_n"] == "3"
    assert 0.95 < float(moments["cosine_min"]) <= float(moments["cosine_max"]) < 1.05
    concentration = report_values(default_reports["concentration_report"])
    assert concentration["delta"] == "5"
    assert concentration["exact_3"] == f"{math.sin(math.radians(5)):.1%}" == "8.7%"
    assert concentration["exact_1000"] == "99.4%"
    assert {f"observed_{n}" for n in (2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)} <= set(concentration)


@pytest.mark.parametrize("name", ["density_report", "concentration_report"])
def test_figures_render_with_the_site_font(default_reports: dict[str, Report], name: str) -> None:
    figure = default_reports[name].items[0]
    assert isinstance(figure, Figure)
    render_with_site_font(figure.figure)


SMALL = {"dims": [3, 30], "samples": 1_000}


@pytest.mark.parametrize("stages", STAGES.values(), ids=STAGES)
def test_reports_are_reproducible_from_the_seed(stages: tuple[typing.Callable[..., typing.Any], ...]) -> None:
    def numbers(seed: int) -> list:
        report = two_stage(*stages, **SMALL, rng=np.random.default_rng(seed))
        return [*report_numbers(_shown(report)), report_values(report)]

    first, again, other = numbers(1), numbers(1), numbers(2)
    assert first == again
    assert first != other


def test_duplicate_and_unsorted_dims_are_normalised() -> None:
    report = two_stage(*STAGES["moments_report"], dims=[10, 3, 10], samples=1_000, rng=np.random.default_rng(3))
    table = report.items[0]
    assert isinstance(table, Table)
    assert [row[0] for row in table.rows] == [3, 10]


# Each check of the pages is shown to fail when what it guards is wrong; each verdict value
# that quotes a check flips with it.


def _folded(real: typing.Callable[..., np.ndarray]) -> typing.Callable[..., np.ndarray]:
    """A sampler that folds θ onto [0, π/2]: (θ − π/2)² is unchanged, the mean is not."""

    def sampler(*, n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
        theta = real(n=n, samples=samples, rng=rng)
        return np.minimum(theta, math.pi - theta)

    return sampler


def _one_dimension_too_many(real: typing.Callable[..., np.ndarray]) -> typing.Callable[..., np.ndarray]:
    def sampler(*, n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
        return real(n=n + 1, samples=samples, rng=rng)

    return sampler


def _normal_with_the_right_variance(*, n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """θ ~ N(π/2, Var_n) clipped to [0, π]: nearly the right mean and variance, the wrong shape."""
    spread = math.sqrt(angles.angle_variance(n=n))
    return np.clip(rng.normal(math.pi / 2, spread, size=samples), 0.0, math.pi)


def _widened(real: typing.Callable[..., np.ndarray]) -> typing.Callable[..., np.ndarray]:
    """Angles 10% farther from π/2 than sampled: the right mean, too large a spread."""

    def sampler(*, n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
        theta = real(n=n, samples=samples, rng=rng)
        return np.clip(math.pi / 2 + 1.1 * (theta - math.pi / 2), 0.0, math.pi)

    return sampler


DENSITY_SMALL = {"dims": [3, 10], "samples": 20_000, "bins": 60}


def test_density_mean_check_fails_when_the_angles_are_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_angles", _folded(experiments.sample_angles))
    report = two_stage(*STAGES["density_report"], **DENSITY_SMALL, rng=np.random.default_rng(10))
    assert not _check_about(report, "均值")
    assert _check_about(report, "方差")  # folding keeps (θ − π/2)²: only the mean check can see it
    assert report_values(report)["moments_verdict"] == "并没有全部落在"


def test_density_variance_check_fails_when_the_sampler_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_angles", _one_dimension_too_many(experiments.sample_angles))
    report = two_stage(*STAGES["density_report"], **DENSITY_SMALL, rng=np.random.default_rng(11))
    assert not _check_about(report, "方差")
    assert report_values(report)["moments_verdict"] == "并没有全部落在"


def test_density_histogram_check_fails_when_the_shape_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_angles", _normal_with_the_right_variance)
    report = two_stage(*STAGES["density_report"], dims=[3], samples=20_000, rng=np.random.default_rng(12))
    assert _check_about(report, "均值")
    assert not _check_about(report, "卡方")
    assert report_values(report)["fit_verdict"] == "并非在每个维数上都吻合"
    figure = report.items[0]
    assert isinstance(figure, Figure)
    assert "偏离了曲线" in figure.alt


def _cosines_of(angle_sampler: typing.Callable[..., np.ndarray]) -> typing.Callable[..., np.ndarray]:
    """The moments run samples cosines; wrap an angle sampler as a cosine sampler."""

    def sampler(*, n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
        return np.cos(angle_sampler(n=n, samples=samples, rng=rng))

    return sampler


def test_moments_mean_check_fails_when_the_angles_are_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_cosines", _cosines_of(_folded(angles.sample_angles)))
    report = two_stage(*STAGES["moments_report"], dims=[5], samples=20_000, rng=np.random.default_rng(13))
    assert not _check_about(report, "均值")
    assert report_values(report)["mc_verdict"] == "并没有全部落在"


def test_moments_variance_check_fails_when_the_sampler_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_cosines", _one_dimension_too_many(angles.sample_cosines))
    report = two_stage(*STAGES["moments_report"], dims=[5], samples=20_000, rng=np.random.default_rng(4))
    assert not _check_about(report, "蒙特卡洛方差")
    assert report_values(report)["mc_verdict"] == "并没有全部落在"


def test_cosine_check_fails_when_the_sampler_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_cosines", _one_dimension_too_many(angles.sample_cosines))
    report = two_stage(*STAGES["moments_report"], dims=[5], samples=20_000, rng=np.random.default_rng(14))
    assert not _check_about(report, r"(\cos\theta)")
    assert report_values(report)["cosine_verdict"] == "并没有全部落在"


def test_cosine_check_passes_for_the_right_sampler() -> None:
    report = two_stage(*STAGES["moments_report"], dims=[5, 50], samples=20_000, rng=np.random.default_rng(14))
    assert _check_about(report, r"(\cos\theta)")
    assert report_values(report)["cosine_verdict"] == "都在"


def test_article_check_fails_on_a_misprint(monkeypatch: pytest.MonkeyPatch) -> None:
    # One unit in the last printed digit is already beyond the half-unit rounding tolerance.
    monkeypatch.setattr(pages, "ARTICLE_VARIANCES", {**pages.ARTICLE_VARIANCES, 3: "0.467402"})
    report = two_stage(*STAGES["moments_report"], dims=[3], samples=1_000, rng=np.random.default_rng(5))
    article_check = report.items[1]
    assert isinstance(article_check, Check)
    assert "文章" in article_check.claim
    assert not article_check.passed
    assert report_values(report)["article_verdict"] == "没能逐位复现"


def test_series_checks_fail_when_the_series_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    # A series for n + 1 differs from the quadrature for n by about 1/n², far beyond any tolerance.
    real = experiments.angle_variance_series
    monkeypatch.setattr(experiments, "angle_variance_series", lambda *, n, terms: real(n=n + 1, terms=terms))
    report = two_stage(*STAGES["moments_report"], dims=[10], samples=1_000, rng=np.random.default_rng(15))
    assert not _check_about(report, "两种方法")
    assert not _check_about(report, "文章")
    assert report_values(report)["series_verdict"] == "不一致"


def test_series_check_fails_when_the_quadrature_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    # One part in 10⁹ is below the article's printed digits but far above the series' tolerance.
    real = experiments.angle_variance
    monkeypatch.setattr(experiments, "angle_variance", lambda *, n: real(n=n) * (1 + 1e-9))
    report = two_stage(*STAGES["moments_report"], dims=[10, 100], samples=1_000, rng=np.random.default_rng(16))
    assert not _check_about(report, "两种方法")


def test_probability_check_fails_when_the_closed_form_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    real = experiments.concentration_probability
    monkeypatch.setattr(experiments, "concentration_probability", lambda *, n, delta: real(n=n, delta=1.2 * delta))
    report = two_stage(*STAGES["concentration_report"], dims=[10], samples=20_000, rng=np.random.default_rng(17))
    assert not _check_about(report, "频率")
    assert _check_about(report, "标准差")
    figure = report.items[0]
    assert isinstance(figure, Figure)
    assert "偏离了曲线" in figure.alt


def test_sd_check_fails_when_the_spread_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "sample_angles", _widened(experiments.sample_angles))
    report = two_stage(*STAGES["concentration_report"], dims=[10], samples=20_000, rng=np.random.default_rng(18))
    assert not _check_about(report, "标准差")


# --------------------------------------------------------------------------- the plugin contract


@pytest.mark.parametrize(
    ("name", "bad"),
    [("dims", [1]), ("dims", []), ("dims", [20_000]), ("samples", 10), ("samples", 10**9)],
)
def test_parameter_ranges_reject_bad_values(name: str, bad: object) -> None:
    hints = typing.get_type_hints(experiments.moments, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)
