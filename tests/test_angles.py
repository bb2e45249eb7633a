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
from reports import assert_well_formed, render_with_site_font, report_numbers, two_stage
from scipy import integrate

from computations.angles import experiments, pages
from computations.angles import theory as angles
from computations.checks import FALSE_ALARM_RATE
from computations.report import Check, Figure, Report, Table

STAGES = {
    "density_report": (experiments.density, pages.density),
    "moments_report": (experiments.moments, pages.moments),
    "concentration_report": (experiments.concentration, pages.concentration),
}
K_SE = 4.0  # Monte Carlo tolerance in standard errors: false alarm ≈ 6e-5 per comparison.


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
        ("moments_report", [Table, Check, Check, Check]),
        ("concentration_report", [Figure, Table, Check, Check]),
    ],
)
def test_reports_at_defaults(default_reports: dict[str, Report], name: str, kinds: list) -> None:
    report = default_reports[name]
    assert_well_formed(report, kinds)


def test_moments_table_rows(default_reports: dict[str, Report]) -> None:
    table = default_reports["moments_report"].items[0]
    assert isinstance(table, Table)
    assert [row[0] for row in table.rows] == [3, 10, 20, 50, 100, 200, 1000]
    assert [row[1] for row in table.rows] == list(ARTICLE_TABLE.values())
    for row in table.rows:
        n = row[0]
        assert row[6] == pytest.approx(1 / (n - 2))
        assert row[7] == pytest.approx(1 / (n - 1))


@pytest.mark.parametrize("name", ["density_report", "concentration_report"])
def test_figures_render_with_the_site_font(default_reports: dict[str, Report], name: str) -> None:
    figure = default_reports[name].items[0]
    assert isinstance(figure, Figure)
    render_with_site_font(figure.figure)


SMALL = {"dims": [3, 30], "samples": 1_000}


@pytest.mark.parametrize("stages", STAGES.values(), ids=STAGES)
def test_reports_are_reproducible_from_the_seed(stages: tuple[typing.Callable[..., typing.Any], ...]) -> None:
    first = report_numbers(two_stage(*stages, **SMALL, rng=np.random.default_rng(1)))
    again = report_numbers(two_stage(*stages, **SMALL, rng=np.random.default_rng(1)))
    other = report_numbers(two_stage(*stages, **SMALL, rng=np.random.default_rng(2)))
    assert first == again
    assert first != other


def test_duplicate_and_unsorted_dims_are_normalised() -> None:
    report = two_stage(*STAGES["moments_report"], dims=[10, 3, 10], samples=1_000, rng=np.random.default_rng(3))
    table = report.items[0]
    assert isinstance(table, Table)
    assert [row[0] for row in table.rows] == [3, 10]


def test_checks_fail_when_the_sampler_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    real = experiments.sample_angles

    def one_dimension_too_many(*, n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
        return real(n=n + 1, samples=samples, rng=rng)

    monkeypatch.setattr(experiments, "sample_angles", one_dimension_too_many)
    report = two_stage(*STAGES["moments_report"], dims=[5], samples=20_000, rng=np.random.default_rng(4))
    by_claim = {item.claim: item.passed for item in report.items if isinstance(item, Check)}
    assert [passed for claim, passed in by_claim.items() if "方差" in claim and "蒙特卡洛" in claim] == [False]


def test_article_check_fails_on_a_misprint(monkeypatch: pytest.MonkeyPatch) -> None:
    # One unit in the last printed digit is already beyond the half-unit rounding tolerance.
    monkeypatch.setattr(pages, "ARTICLE_VARIANCES", {**pages.ARTICLE_VARIANCES, 3: "0.467402"})
    report = two_stage(*STAGES["moments_report"], dims=[3], samples=1_000, rng=np.random.default_rng(5))
    article_check = report.items[1]
    assert isinstance(article_check, Check)
    assert "文章" in article_check.claim
    assert not article_check.passed


# --------------------------------------------------------------------------- the plugin contract


@pytest.mark.parametrize(
    ("name", "bad"),
    [("dims", [1]), ("dims", []), ("dims", [20_000]), ("samples", 10), ("samples", 10**9)],
)
def test_parameter_ranges_reject_bad_values(name: str, bad: object) -> None:
    hints = typing.get_type_hints(experiments.moments, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)
