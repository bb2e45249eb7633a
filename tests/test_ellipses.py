"""Behavioural tests of computations.ellipses against closed forms and independent routes.

The mathematics (``perimeters``, ``gluing``) is tested directly; reports go through both
stages (``two_stage``), and every page check is shown to fail when what it guards is wrong.

Independent routes: the Gauss–Kummer series and adaptive quadrature for perimeters and arc
lengths, the curvatures at the ellipse's vertices for D near the ends, series coefficients of
Ramanujan's errors, adaptive quadrature of √D for X and V, the solid's volume integrated
over its (y, z) shadow instead of along x, and the article's finite-difference construction
of the whole seam. Tolerances come from the accuracy of each method.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from fractions import Fraction

import matplotlib
import numpy as np
import pydantic
import pytest
from reports import CJK_FONT, assert_well_formed, render_with_site_font, report_values, two_stage
from scipy import integrate

from computations.ellipses import experiments, gluing, pages, perimeters
from computations.report import Check, Figure, Report, Table, Value
from computations.results import decode, encode, result_type

STAGES = {
    "perimeter": (experiments.perimeter, pages.perimeter),
    "seam": (experiments.seam, pages.seam),
    "solid": (experiments.solid, pages.solid),
}
EPS = float(np.finfo(np.float64).eps)


def _gauss_kummer_perimeter(a: float, b: float, terms: int = 4000) -> float:
    """π(a + b) Σ C(½, n)² λ^{2n}, λ = (a − b)/(a + b), summed smallest first."""
    lam2 = ((a - b) / (a + b)) ** 2
    coefficient = 1.0
    terms_out = [1.0]
    for n in range(1, terms):
        coefficient *= (0.5 - (n - 1)) / n
        terms_out.append(coefficient**2 * lam2**n)
    return math.pi * (a + b) * math.fsum(terms_out)


# --------------------------------------------------------------------------- perimeters


@pytest.mark.parametrize("ratio", [1.0, 1.2, 2.0, 5.0, 10.0])
def test_perimeter_matches_the_gauss_kummer_series(ratio: float) -> None:
    exact = 4.0 * perimeters.quarter_perimeter(a=ratio, b=1.0)
    assert exact == pytest.approx(_gauss_kummer_perimeter(ratio, 1.0), rel=1e-12)


def test_quarter_perimeter_of_a_circle_and_scaling() -> None:
    assert perimeters.quarter_perimeter(a=3.0, b=3.0) == pytest.approx(1.5 * math.pi, rel=1e-15)
    assert perimeters.quarter_perimeter(a=6.0, b=2.0) == pytest.approx(
        2.0 * perimeters.quarter_perimeter(a=3.0, b=1.0), rel=1e-14
    )


@pytest.mark.parametrize("ratio", [1.0, 1.5, 3.0, 20.0, 100.0])
def test_periodic_trapezoid_agrees_with_the_elliptic_integral(ratio: float) -> None:
    value, bound = perimeters.perimeter_by_quadrature(a=ratio, b=1.0)
    exact = 4.0 * perimeters.quarter_perimeter(a=ratio, b=1.0)
    assert abs(value - exact) <= bound + 16 * EPS * exact
    coarse, _ = perimeters.perimeter_by_quadrature(a=ratio, b=1.0, points=16)
    if ratio > 1.0:  # too few nodes must show up as a visible error
        assert abs(coarse - exact) > 1e-10 * exact


def _series_difference_coefficient(approximation: str) -> tuple[Fraction, Fraction, int]:
    """Leading two coefficients and power of (P − R)/(π(a + b)) in λ², by exact series."""
    n = 8
    sqrt_coeffs = [Fraction(1)]
    for k in range(1, n):
        sqrt_coeffs.append(sqrt_coeffs[-1] * (Fraction(1, 2) - (k - 1)) / k * -1)
    if approximation == "first":
        # R/(π(a+b)) = 3 − √(4 − x) = 3 − 2√(1 − x/4), x = λ².
        ratio = [3 - 2 * sqrt_coeffs[0]] + [-2 * c * Fraction(1, 4) ** k for k, c in enumerate(sqrt_coeffs) if k]
    else:
        # R/(π(a+b)) = 1 + 3x/(10 + 2√(1 − 3x/4)).
        den = [2 * c * Fraction(3, 4) ** k for k, c in enumerate(sqrt_coeffs)]
        den[0] += 10
        inv = [1 / den[0]]
        for k in range(1, n):
            inv.append(-sum(den[j] * inv[k - j] for j in range(1, k + 1)) / den[0])
        ratio = [Fraction(1)] + [3 * inv[k - 1] for k in range(1, n)]
    exact = []
    binom = Fraction(1)
    for k in range(n):
        exact.append(binom * binom)
        binom *= (Fraction(1, 2) - k) / (k + 1)
    diff = [e - r for e, r in zip(exact, ratio, strict=True)]
    first = next(k for k, d in enumerate(diff) if d != 0)
    return diff[first], diff[first + 1], first


@pytest.mark.parametrize(
    ("name", "function", "lam"),
    [("first", perimeters.ramanujan_first, 0.05), ("second", perimeters.ramanujan_second, 0.25)],
)
def test_ramanujan_errors_follow_their_series(name: str, function: typing.Callable[..., float], lam: float) -> None:
    c0, c1, power = _series_difference_coefficient(name)
    assert (name, power, c0) in {("first", 3, Fraction(1, 512)), ("second", 5, Fraction(3, 131072))}
    a, b = 1.0 + lam, 1.0 - lam  # a + b = 2, (a − b)/(a + b) = λ
    difference = 4.0 * perimeters.quarter_perimeter(a=a, b=b) - function(a=a, b=b)
    predicted = 2.0 * math.pi * (float(c0) * lam ** (2 * power) + float(c1) * lam ** (2 * power + 2))
    # The next series term is O(λ⁴) relative; rounding of the perimeter is ~1e-15 absolute.
    assert difference == pytest.approx(predicted, rel=5 * lam**4 + 1e-15 * 6 / predicted)


def test_ramanujan_limits_at_b_to_zero() -> None:
    a, b = 1.0, 1e-9
    exact = 4.0 * perimeters.quarter_perimeter(a=a, b=b)
    assert exact == pytest.approx(4.0, abs=1e-8)
    first, second = perimeters.ramanujan_first(a=a, b=b), perimeters.ramanujan_second(a=a, b=b)
    assert 1 - first / exact == pytest.approx(perimeters.RAMANUJAN_FIRST_LIMIT, abs=1e-8)
    assert 1 - second / exact == pytest.approx(perimeters.RAMANUJAN_SECOND_LIMIT, abs=1e-8)


def test_height_grid_reproduces_the_articles_code_and_its_sqrt_law() -> None:
    # The article's code, run as printed (a = 2, b = 1, step 1e−6): l = 2.4193397.
    value = perimeters.height_grid_quarter_perimeter(a=2.0, b=1.0, steps=1_000_000)
    assert value == pytest.approx(2.4193397, abs=5e-8)
    for ratio in (1.0, 3.0):
        exact = perimeters.quarter_perimeter(a=ratio, b=1.0)
        errors = [perimeters.height_grid_quarter_perimeter(a=ratio, b=1.0, steps=n) - exact for n in (10_000, 40_000)]
        assert errors[0] / errors[1] == pytest.approx(2.0, rel=1e-3)  # ∝ √h
        first, second = perimeters.height_grid_error(a=ratio, b=1.0, steps=40_000)
        assert abs(errors[1] - first - second) < 1e-3 * abs(second)


# --------------------------------------------------------------------------- arc length and slopes


@pytest.mark.parametrize("ratio", [1.0, 2.0, 20.0])
def test_arc_length_matches_adaptive_quadrature(ratio: float) -> None:
    a, b = ratio, 1.0
    for t in (0.0, 0.3, 1.0, math.pi / 2):
        value, _ = integrate.quad(lambda u: math.hypot(a * math.sin(u), b * math.cos(u)), 0.0, t, epsabs=1e-14)
        assert float(gluing.arc_length(t, a=a, b=b)) == pytest.approx(value, abs=1e-12 * ratio)
    length = perimeters.quarter_perimeter(a=a, b=b)
    assert float(gluing.arc_length(math.pi / 2, a=a, b=b)) == pytest.approx(length, rel=1e-14)


@pytest.mark.parametrize("ratio", [1.0, 1.01, 2.0, 20.0])
def test_newton_inverse_round_trips(ratio: float) -> None:
    a, b = ratio, 1.0
    length = perimeters.quarter_perimeter(a=a, b=b)
    s = np.linspace(0.0, length, 1001)
    t = gluing.angle_at_arc_length(s, a=a, b=b)
    assert t[0] == 0.0 and t[-1] == pytest.approx(math.pi / 2, abs=1e-13)
    assert np.all(np.diff(t) > 0)
    assert np.max(np.abs(gluing.arc_length(t, a=a, b=b) - s)) <= 64 * EPS * length


def test_squared_slopes_are_the_derivatives_of_the_coordinates() -> None:
    a, b = 2.0, 1.0
    length = perimeters.quarter_perimeter(a=a, b=b)
    s = np.linspace(0.05, length - 0.05, 37)
    step = 1e-5

    def coordinates(arc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = gluing.angle_at_arc_length(arc, a=a, b=b)
        return a * np.cos(t), b * np.sin(t)

    (g_plus, h_plus), (g_minus, h_minus) = coordinates(s + step), coordinates(s - step)
    along, across = gluing.squared_slopes(gluing.angle_at_arc_length(s, a=a, b=b), a=a, b=b)
    # Central differences: error O(step²·|h'''|) plus rounding ~ε/step.
    np.testing.assert_allclose(((g_plus - g_minus) / (2 * step)) ** 2, along, atol=1e-8)
    np.testing.assert_allclose(((h_plus - h_minus) / (2 * step)) ** 2, across, atol=1e-8)
    np.testing.assert_allclose(along + across, 1.0, atol=4 * EPS)


# --------------------------------------------------------------------------- the criterion D(s)


def test_discriminant_vanishes_for_a_circle() -> None:
    s = np.linspace(0.0, math.pi / 2, 501)
    d = gluing.gluing_discriminant(s, a=1.0, b=1.0)
    assert np.max(np.abs(d)) <= gluing.discriminant_rounding(a=1.0, b=1.0)


@pytest.mark.parametrize("ratio", [1.05, 1.5, 3.0, 20.0])
def test_discriminant_is_positive_inside_for_random_points(ratio: float) -> None:
    rng = np.random.default_rng(6818)
    length = perimeters.quarter_perimeter(a=ratio, b=1.0)
    s = rng.uniform(0.0, length, 2000)
    d = gluing.gluing_discriminant(s, a=ratio, b=1.0)
    assert np.all(d > 0.0)
    assert np.all(d < 1.0)
    # Symmetry D(s) = D(l − s).
    np.testing.assert_allclose(d, gluing.gluing_discriminant(length - s, a=ratio, b=1.0), atol=1e-13)


@pytest.mark.parametrize(("a", "b"), [(2.0, 1.0), (3.0, 2.0), (1.2, 1.0)])
def test_discriminant_near_the_ends_follows_the_vertex_curvatures(a: float, b: float) -> None:
    # g'(s) ≈ κ₀s with κ₀ = a/b² at (a, 0); h'(l − s) ≈ κ₁s with κ₁ = b/a² at (0, b).
    expected = (a / b**2) ** 2 - (b / a**2) ** 2
    s = 1e-4 * b
    length = perimeters.quarter_perimeter(a=a, b=b)
    for point in (s, length - s):
        value = float(gluing.gluing_discriminant(point, a=a, b=b))
        assert value / s**2 == pytest.approx(expected, rel=1e-5)


def test_the_articles_lemma_on_arcs() -> None:
    # The arc over [0, t] is never longer than the arc over [π/2 − t, π/2] (speed increases).
    for ratio in (1.0, 1.5, 4.0):
        length = perimeters.quarter_perimeter(a=ratio, b=1.0)
        t = np.linspace(0.0, math.pi / 4, 200)
        head = gluing.arc_length(t, a=ratio, b=1.0)
        tail = length - gluing.arc_length(math.pi / 2 - t, a=ratio, b=1.0)
        assert np.all(head <= tail + 1e-13 * length)


# --------------------------------------------------------------------------- seam and solid


@pytest.fixture(scope="module")
def seam_2_1() -> gluing.Seam:
    return gluing.glue_seam(a=2.0, b=1.0, intervals=4000)


def _root_discriminant(a: float, b: float) -> typing.Callable[[float], float]:
    return lambda s: math.sqrt(max(float(gluing.gluing_discriminant(s, a=a, b=b)), 0.0))


def test_seam_end_matches_adaptive_quadrature(seam_2_1: gluing.Seam) -> None:
    root = _root_discriminant(2.0, 1.0)
    value, quad_error = integrate.quad(root, 0.0, seam_2_1.length, epsabs=1e-12, epsrel=1e-12, limit=200)
    assert abs(seam_2_1.end_x - value) <= seam_2_1.x_error + quad_error + 1e-12
    middle, _ = integrate.quad(root, 0.0, seam_2_1.length / 2, epsabs=1e-12, epsrel=1e-12)
    assert seam_2_1.x[seam_2_1.middle] == pytest.approx(middle, abs=seam_2_1.x_error + 1e-11)


def test_seam_error_bound_is_a_bound_and_shrinks_like_h4() -> None:
    reference = gluing.glue_seam(a=3.0, b=1.0, intervals=16_000).end_x
    coarse = gluing.glue_seam(a=3.0, b=1.0, intervals=400)
    fine = gluing.glue_seam(a=3.0, b=1.0, intervals=800)
    assert abs(coarse.end_x - reference) <= coarse.x_error
    assert abs(fine.end_x - reference) <= fine.x_error
    assert coarse.x_error / fine.x_error == pytest.approx(16.0, rel=0.25)


def test_seam_geometry(seam_2_1: gluing.Seam) -> None:
    seam = seam_2_1
    np.testing.assert_array_equal(seam.z, seam.y[::-1])
    assert seam.y[0] == 0.0 and seam.z[0] == pytest.approx(1.0, abs=1e-15)
    assert np.all(np.diff(seam.x) >= 0)
    # x(s) + x(l − s) = X: the integrand is symmetric about l/2.
    assert np.max(np.abs(seam.x + seam.x[::-1] - seam.end_x)) <= 2 * seam.x_error + 1e-14
    # The seam is parametrised by arc length: x'² + y'² + z'² = 1 (central differences).
    ds = seam.s[1] - seam.s[0]
    speed2 = sum((np.diff(c[::2]) / (2 * ds)) ** 2 for c in (seam.x[1:], seam.y[1:], seam.z[1:]))
    np.testing.assert_allclose(speed2, 1.0, atol=5e-6)


def test_scaling_with_b() -> None:
    small = gluing.glue_seam(a=2.0, b=1.0, intervals=800)
    large = gluing.glue_seam(a=5.0, b=2.5, intervals=800)
    assert large.length == pytest.approx(2.5 * small.length, rel=1e-13)
    assert large.end_x == pytest.approx(2.5 * small.end_x, rel=1e-10)
    np.testing.assert_allclose(large.discriminant, small.discriminant, atol=1e-13)
    assert gluing.solid_volume(large)[0] == pytest.approx(2.5**3 * gluing.solid_volume(small)[0], rel=1e-10)


def test_circle_gives_a_flat_seam() -> None:
    seam = gluing.glue_seam(a=1.0, b=1.0, intervals=400)
    assert seam.end_x <= seam.length * math.sqrt(seam.rounding)
    np.testing.assert_allclose(seam.y**2 + seam.z**2, 1.0, atol=1e-14)  # the seam is the circle itself


def test_volume_over_the_shadow_agrees(seam_2_1: gluing.Seam) -> None:
    """V = 4 ∫∫_{[0,b]²} max(0, X − x(σ(y)) − x(σ(z))) dy dz, σ(y) the arc length at height y.

    A point (x, y, z) is inside iff |y| ≤ h(s) and |z| ≤ h(l − s) at x = x(s); h increases,
    so for fixed (y, z) the inside is x(σ(|y|)) ≤ x ≤ X − x(σ(|z|)).
    """
    seam, b, a = seam_2_1, 1.0, 2.0
    n = 1000
    heights = (np.arange(n) + 0.5) * (b / n)  # midpoint rule
    sigma = gluing.arc_length(np.arcsin(heights / b), a=a, b=b)
    x_at = np.interp(sigma, seam.s, seam.x)
    extent = np.maximum(seam.end_x - x_at[:, None] - x_at[None, :], 0.0)
    shadow = 4.0 * extent.sum() * (b / n) ** 2
    volume, error = gluing.solid_volume(seam)
    # Midpoint rule over a function with a kink along a curve (O(1/n²) ≈ 1e-6 here) and
    # linear interpolation of x between seam points (Δs²·max|x''|/8 ≈ 1e-7).
    assert shadow == pytest.approx(volume, abs=2e-6)
    root = _root_discriminant(a, b)

    def integrand(s: float) -> float:
        y = b * math.sin(float(gluing.angle_at_arc_length(s, a=a, b=b)))
        z = b * math.sin(float(gluing.angle_at_arc_length(seam.length - s, a=a, b=b)))
        return 4.0 * y * z * root(s)

    independent, quad_error = integrate.quad(integrand, 0.0, seam.length, epsabs=1e-12, epsrel=1e-12, limit=200)
    assert abs(volume - independent) <= error + quad_error + 1e-11


def test_isometry_measures(seam_2_1: gluing.Seam) -> None:
    iso = gluing.measure_isometry(seam_2_1)
    assert iso.axis_length <= 2.0 + 1e-12  # chords are shorter than arcs
    assert iso.axis_length == pytest.approx(2.0, abs=iso.axis_length_error)
    assert iso.sheet_area == pytest.approx(2.0 * math.pi, abs=iso.sheet_area_error)


@pytest.mark.parametrize("ratio", [1.2, 2.0, 5.0])
def test_difference_construction_converges_to_our_seam(ratio: float) -> None:
    """The article's construction on a fine angle grid lands on ours; its error bound is a bound."""
    seam = gluing.glue_seam(a=ratio, b=1.0, intervals=4000)
    comparison = gluing.compare_with_differences(seam, steps=8000)
    finest = gluing.difference_seam(*gluing.angle_table(a=ratio, b=1.0, steps=128_000))
    assert abs(comparison.end_x - finest.end_x) <= comparison.end_x_change
    assert abs(comparison.volume - finest.volume) <= comparison.volume_change
    assert abs(finest.end_x - seam.end_x) <= 1e-8 + seam.x_error
    assert comparison.gap <= comparison.change + seam.x_error + comparison.interpolation + comparison.length_change
    assert comparison.closure <= 3 * comparison.change + comparison.interpolation


def test_difference_construction_does_not_build_in_the_symmetry() -> None:
    # Off a symmetric grid, x(s) + x(l − s) = X holds only approximately: it is measured.
    built = gluing.difference_seam(*gluing.angle_table(a=2.0, b=1.0, steps=400))
    mirrored = np.interp(built.length - built.s, built.s, built.x)
    assert 1e-9 < np.max(np.abs(built.x + mirrored - built.end_x)) < 1e-4


def test_height_table_reproduces_the_articles_construction() -> None:
    # The article's grid (h = 1e−6) loses the tail near y = b, and its assertion dx2 > −10h holds.
    built = gluing.difference_seam(*gluing.height_table(a=2.0, b=1.0, steps=1_000_000))
    assert built.length == pytest.approx(2.4193397, abs=5e-8)
    assert built.end_x == pytest.approx(1.5669, abs=1e-4)  # the article's own code prints 1.566952
    assert -1e-5 < built.radicand.min() < 0.0


def test_bad_axes_and_grids_are_rejected() -> None:
    with pytest.raises(ValueError, match="a ≥ b > 0"):
        perimeters.quarter_perimeter(a=1.0, b=2.0)
    with pytest.raises(ValueError, match="multiple of 4"):
        gluing.glue_seam(a=2.0, b=1.0, intervals=402)


# --------------------------------------------------------------------------- reports


@pytest.fixture(scope="module")
def default_reports() -> dict[str, Report]:
    return {name: two_stage(*stages) for name, stages in STAGES.items()}


def _without_values(report: Report) -> Report:
    return Report(items=tuple(item for item in report.items if not isinstance(item, Value)))


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("perimeter", [Figure, Table, Table, Check, Check, Check, Check]),
        ("seam", [Figure, Table, Check, Check, Check, Check, Check, Check, Check]),
        ("solid", [Figure, Table, Check, Check, Check, Check, Check]),
    ],
)
def test_reports_at_defaults(default_reports: dict[str, Report], name: str, kinds: list) -> None:
    report = default_reports[name]
    assert_well_formed(_without_values(report), kinds)
    assert all(isinstance(item, Value) for item in report.items[len(kinds) :])


def test_the_values_the_post_quotes(default_reports: dict[str, Report]) -> None:
    """The post quotes these; the a = 2, b = 1 numbers agree with the reference table."""
    seam, solid, perimeter = (report_values(default_reports[name]) for name in ("seam", "solid", "perimeter"))
    assert [seam[name] for name in ("l_2", "x_2", "dmax_2", "volume_2")] == list(pages.REFERENCE_VALUES[2.0])
    assert (seam["mid_height_2"], seam["mid_x_2"]) == ("0.804116", "0.784879")
    assert seam["points"] == "4001" and seam["count"] == "7"
    assert solid["volume"] == seam["volume_2"]
    assert (perimeter["grid_l"], perimeter["exact_l"], perimeter["grid_error"]) == ("2.41934", "2.42211", "0.0028")
    verdicts = {
        "seam": ("conclusion", "nonnegative", "zeros", "circle", "peak", "rising", "reference_2", "reference_table"),
        "solid": ("fd_verdict", "closure", "isometry", "article_assert"),
        "perimeter": ("monotone", "quadrature", "ramanujan", "height"),
    }
    held = {
        "成立",
        "都不小于 0（出现的负值不超过舍入界）",
        "只在两端为零（圆则处处为零）",
        "不超过 D 的舍入噪声开方后所能留下的量，实际上就是",
        "在中点取最大值",
        "都越大",
        "在所印的六位小数上一致",
        "也与参考表一致",
        "都在误差界之内",
        "处处重合",
        "通过",
        "单调增大",
        "一致到舍入误差",
        "都低估周长，第二个始终更准，误差都不超过压扁极限下的值",
        "与渐近公式相符",
    }
    for name, names in verdicts.items():
        assert {report_values(default_reports[name])[v] for v in names} <= held


def test_runs_draw_no_random_numbers() -> None:
    # The site passes a generator only to a run that declares one.
    for run, _ in STAGES.values():
        assert "rng" not in typing.get_type_hints(run)


def test_seam_table_against_the_reference_values(default_reports: dict[str, Report]) -> None:
    table = default_reports["seam"].items[1]
    assert isinstance(table, Table)
    by_ratio = {row[0]: row for row in table.rows}
    assert set(by_ratio) == set(pages.REFERENCE_VALUES)
    for ratio, (length, end_x, middle, volume) in pages.REFERENCE_VALUES.items():
        row = by_ratio[ratio]
        assert row[1] == pytest.approx(float(length), abs=5e-7)
        assert row[2] == pytest.approx(float(end_x), abs=5e-7)
        assert row[3] == pytest.approx(float(middle), abs=5e-7)
        assert row[5] == pytest.approx(float(volume), abs=5e-7)
        if ratio > 1.0:
            assert 0.0 < row[4] < row[3]  # interior minimum positive, below the middle value


def test_reports_with_another_minor_axis_still_check_out() -> None:
    for report in (
        two_stage(*STAGES["seam"], ratios=[2.0, 3.0], b=0.5, intervals=800),
        two_stage(*STAGES["solid"], ratio=3.0, b=2.0, intervals=800),
    ):
        checks = [item for item in report.items if isinstance(item, Check)]
        assert checks and all(c.passed for c in checks), [c.detail for c in checks if not c.passed]


@pytest.mark.parametrize("name", list(STAGES))
def test_figures_render_with_the_site_font(default_reports: dict[str, Report], name: str) -> None:
    figure = default_reports[name].items[0]
    assert isinstance(figure, Figure)
    render_with_site_font(figure.figure)


# --------------------------------------------------------------------------- every check can fail


def _failing(report: Report) -> list[str]:
    return [item.claim for item in report.items if isinstance(item, Check) and not item.passed]


def _perturbed(name: str, change: typing.Callable[[typing.Any], typing.Any], **params: typing.Any) -> Report:
    """Like ``two_stage``, with ``change`` applied to the run's result before it is stored."""
    run, present = STAGES[name]
    kind = result_type(run)
    stored = encode(change(run(**params)), kind=kind)
    with matplotlib.rc_context({"font.family": CJK_FONT}):
        return present(decode(stored, kind=kind))


def _with_seam(run: typing.Any, **changes: typing.Any) -> typing.Any:
    """A seam run whose only glued pair has its seam changed."""
    (pair,) = run.pairs
    return dataclasses.replace(run, pairs=(dataclasses.replace(pair, seam=dataclasses.replace(pair.seam, **changes)),))


def _with_discriminant(run: typing.Any, edit: typing.Callable[[np.ndarray], None]) -> typing.Any:
    (pair,) = run.pairs
    d = pair.seam.discriminant.copy()
    edit(d)
    return _with_seam(run, discriminant=d)


def test_reference_check_fails_on_a_misprint(monkeypatch: pytest.MonkeyPatch) -> None:
    # One unit in the last printed digit is beyond half a unit plus the quadrature error.
    wrong = ("2.422112", "1.569758", "0.759578", "3.167464")
    monkeypatch.setattr(pages, "REFERENCE_VALUES", {**pages.REFERENCE_VALUES, 2.0: wrong})
    report = two_stage(*STAGES["seam"], ratios=[2.0])
    verdicts = {item.claim: item.passed for item in report.items if isinstance(item, Check)}
    assert [passed for claim, passed in verdicts.items() if claim.startswith("$a/b = 2$（")] == [False]
    assert sum(not passed for passed in verdicts.values()) == 1


def test_criterion_check_fails_without_complementarity(monkeypatch: pytest.MonkeyPatch) -> None:
    # If the seam used z = h(s) instead of h(l − s), D = 1 − 2h'(s)² would be negative near s = 0.
    def same_end(t: np.ndarray, *, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        along = (a * np.sin(t)) ** 2 / ((a * np.sin(t)) ** 2 + (b * np.cos(t)) ** 2)
        return along, (1.0 - along)[::-1]

    monkeypatch.setattr(gluing, "squared_slopes", same_end)  # where glue_seam looks it up
    report = two_stage(*STAGES["seam"], ratios=[2.0], intervals=400)
    verdicts = [item for item in report.items if isinstance(item, Check)]
    assert not verdicts[0].passed and "不小于 0" in verdicts[0].claim
    assert report_values(report)["conclusion"] == "在本次构建中没有得到验证"


def test_height_grid_check_fails_with_a_wrong_law(monkeypatch: pytest.MonkeyPatch) -> None:
    real = perimeters.height_grid_error

    def shrunk(*, a: float, b: float, steps: int) -> tuple[float, float]:
        first, second = real(a=a, b=b, steps=steps)
        return 0.9 * first, second

    monkeypatch.setattr(experiments, "height_grid_error", shrunk)  # where the run stage looks it up
    report = two_stage(*STAGES["perimeter"], ratios=[2.0], height_steps=[1000])
    (claim,) = _failing(report)
    assert claim.startswith("按 $y$ 积分的误差服从 $\\sqrt{h}$ 规律")
    assert report_values(report)["height"] == "与渐近公式不符"


def test_quadrature_check_fails_when_the_trapezoidal_perimeter_is_off() -> None:
    def off(run: experiments.PerimeterRun) -> experiments.PerimeterRun:
        (e,) = run.estimates
        return dataclasses.replace(run, estimates=(dataclasses.replace(e, quadrature=e.exact * (1.0 + 1e-12)),))

    report = _perturbed("perimeter", off, ratios=[2.0], height_steps=[1000])
    assert _failing(report) == ["完全椭圆积分 4aE(m) 与对离心角的周期梯形公式给出相同的周长"]
    assert report_values(report)["quadrature"] == "并不一致"


def test_ramanujan_check_fails_when_the_second_formula_is_worse() -> None:
    def swapped(run: experiments.PerimeterRun) -> experiments.PerimeterRun:
        (e,) = run.estimates
        return dataclasses.replace(run, estimates=(dataclasses.replace(e, first=e.second, second=e.first),))

    report = _perturbed("perimeter", swapped, ratios=[2.0], height_steps=[1000])
    (claim,) = _failing(report)
    assert claim.startswith("拉马努金两个公式都不高估周长")
    assert report_values(report)["ramanujan"] == "并非都低估周长且第二个更准"


def test_perimeter_reference_check_fails_on_a_wrong_perimeter() -> None:
    def off(run: experiments.PerimeterRun) -> experiments.PerimeterRun:
        return dataclasses.replace(run, perimeter_2_1=run.perimeter_2_1 + 1e-6)  # two units of the 6th decimal

    report = _perturbed("perimeter", off, ratios=[2.0], height_steps=[1000])
    assert _failing(report) == ["a = 2、b = 1 的椭圆周长与参考值 9.688448 一致"]


def test_zeros_check_fails_when_d_vanishes_inside() -> None:
    def vanish(d: np.ndarray) -> None:
        d[3] = d[-4] = 0.0  # symmetric, and away from the points the end-curvature check reads

    report = _perturbed("seam", lambda run: _with_discriminant(run, vanish), ratios=[2.0], intervals=400)
    assert _failing(report) == ["D(s) 只在 s = 0 与 s = l 处为 0（圆则处处为 0）"]


def test_maximum_check_fails_when_d_peaks_off_the_middle() -> None:
    def bump(d: np.ndarray) -> None:
        quarter = (d.size - 1) // 4
        d[quarter] = d[-1 - quarter] = d[(d.size - 1) // 2] + 1e-3

    report = _perturbed("seam", lambda run: _with_discriminant(run, bump), ratios=[2.0], intervals=400)
    assert _failing(report) == ["D(s) 在 s = l/2 处取最大值"]
    assert report_values(report)["peak"] == "并不都在中点取最大值"


def test_end_curvature_check_fails_when_d_is_off_near_the_start() -> None:
    def tilt(d: np.ndarray) -> None:
        d[1] *= 1.01  # still positive, still below the middle value
        d[2] *= 1.01

    report = _perturbed("seam", lambda run: _with_discriminant(run, tilt), ratios=[2.0], intervals=400)
    (claim,) = _failing(report)
    assert claim.startswith(r"接缝起点附近 $D(s) \approx (a^2/b^4 - b^2/a^4)s^2$")
    assert report_values(report)["peak"] == "在中点取最大值"


def test_end_curvature_check_fails_without_complementarity(monkeypatch: pytest.MonkeyPatch) -> None:
    # z = h(s) instead of h(l − s): D(s) = g'(s)² − h'(s)², which near s = 0 is about −1.
    def same_end(t: np.ndarray, *, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        along = (a * np.sin(t)) ** 2 / ((a * np.sin(t)) ** 2 + (b * np.cos(t)) ** 2)
        return along, (1.0 - along)[::-1]

    monkeypatch.setattr(gluing, "squared_slopes", same_end)
    report = two_stage(*STAGES["seam"], ratios=[2.0], intervals=400)
    assert any(claim.startswith("接缝起点附近") for claim in _failing(report))


def test_circle_check_fails_when_the_circle_has_an_extent() -> None:
    def spread(run: experiments.SeamRun) -> experiments.SeamRun:
        (pair,) = run.pairs
        x = pair.seam.x.copy()
        x[-1] = 1e-3
        return _with_seam(run, x=x)

    report = _perturbed("seam", spread, ratios=[1.0], intervals=400)
    assert _failing(report) == ["圆（$a = b$）的两张圆片只能平贴在一起：$X = 0$"]
    assert report_values(report)["circle"].endswith("并不")


def test_reference_table_check_fails_on_a_wrong_volume() -> None:
    def heavier(run: experiments.SeamRun) -> experiments.SeamRun:
        (pair,) = run.pairs
        return dataclasses.replace(run, pairs=(dataclasses.replace(pair, volume=pair.volume + 1e-5),))

    report = _perturbed("seam", heavier, ratios=[3.0], intervals=800)
    assert _failing(report) == ["$a/b$ = 3 的 $l$、$X$、$D(l/2)$、$V$ 与参考表一致"]


@pytest.mark.parametrize(("field", "position"), [("axis_length", 4), ("sheet_area", 5)])
def test_isometry_checks_fail_when_the_bent_sheet_is_stretched(field: str, position: int) -> None:
    def stretched(run: experiments.SolidRun) -> experiments.SolidRun:
        value = getattr(run.isometry, field)
        return dataclasses.replace(run, isometry=dataclasses.replace(run.isometry, **{field: value + 1e-4}))

    report = _perturbed("solid", stretched, intervals=800, article_steps=10_000)
    assert _failing(report) == [report.items[position].claim]
    assert report_values(report)["isometry"] == "超出了误差界"


_DIFFERENCE_CLAIM = "按原文的差分思路另算一遍"
_CLOSURE_CLAIM = "第二张椭圆片"


def _claims_starting(report: Report, *prefixes: str) -> bool:
    failing = _failing(report)
    return len(failing) == len(prefixes) and all(
        any(claim.startswith(prefix) for claim in failing) for prefix in prefixes
    )


def test_difference_check_fails_when_our_seam_drifts() -> None:
    # The seam stored by the run stage is off by 1e−4 at its far end: the independent
    # construction disagrees; nothing else looks at x(s) beyond its first points.
    def drift(run: experiments.SolidRun) -> experiments.SolidRun:
        glued = run.pair.seam
        seam = dataclasses.replace(glued, x=glued.x + 1e-4 * glued.s / glued.length)
        return dataclasses.replace(run, pair=dataclasses.replace(run.pair, seam=seam))

    report = _perturbed("solid", drift, intervals=800, article_steps=10_000)
    assert _claims_starting(report, _DIFFERENCE_CLAIM)
    assert report_values(report)["fd_verdict"] == "超出了误差界"


def test_difference_check_fails_when_the_volume_is_off() -> None:
    def heavier(run: experiments.SolidRun) -> experiments.SolidRun:
        return dataclasses.replace(run, pair=dataclasses.replace(run.pair, volume=run.pair.volume + 1e-4))

    report = _perturbed("solid", heavier, intervals=800, article_steps=10_000)
    assert _claims_starting(report, _DIFFERENCE_CLAIM)


def test_difference_and_closure_checks_fail_when_the_construction_loses_complementarity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # If the construction read h' at s instead of l − s (z = h(s)), its radicand 1 − 2h'(s)²
    # would not be symmetric: another curve, and x(s) + x(l − s) = X would fail.
    real = gluing.difference_seam

    def same_end(arcs: np.ndarray, heights: np.ndarray) -> gluing.DifferenceSeam:
        built = real(arcs, heights)
        radicand = 1.0 - 2.0 * np.gradient(heights, arcs) ** 2
        x = integrate.cumulative_trapezoid(np.sqrt(np.clip(radicand, 0.0, None)), arcs, initial=0.0)
        return dataclasses.replace(built, x=x, radicand=radicand)

    monkeypatch.setattr(gluing, "difference_seam", same_end)  # where compare_with_differences looks it up
    report = two_stage(*STAGES["solid"], intervals=800, article_steps=10_000)
    assert _claims_starting(report, _DIFFERENCE_CLAIM, _CLOSURE_CLAIM)


def test_closure_check_fails_when_the_rims_part() -> None:
    def parted(run: experiments.SolidRun) -> experiments.SolidRun:
        comparison = dataclasses.replace(run.comparison, closure=run.comparison.closure + 1e-4)
        return dataclasses.replace(run, comparison=comparison)

    report = _perturbed("solid", parted, intervals=800, article_steps=10_000)
    assert _claims_starting(report, _CLOSURE_CLAIM)
    assert report_values(report)["closure"] == "并不处处重合"


def test_article_check_fails_below_its_tolerance() -> None:
    def lower(run: experiments.SolidRun) -> experiments.SolidRun:
        article = dataclasses.replace(run.article, lowest=-11.0 * run.article.step)
        return dataclasses.replace(run, article=article)

    report = _perturbed("solid", lower, intervals=800, article_steps=10_000)
    assert _claims_starting(report, "原文代码的断言成立")
    assert report_values(report)["article_assert"] == "不通过"


# --------------------------------------------------------------------------- the plugin contract


@pytest.mark.parametrize(
    ("run", "name", "bad"),
    [
        (experiments.seam, "ratios", [0.5]),
        (experiments.seam, "ratios", []),
        (experiments.seam, "intervals", 4002),
        (experiments.seam, "intervals", 100),
        (experiments.seam, "b", 0.0),
        (experiments.solid, "ratio", 1.0),
        (experiments.perimeter, "height_steps", [5]),
        (experiments.perimeter, "ratios", [1000.0]),
    ],
)
def test_parameter_ranges_reject_bad_values(run: typing.Callable[..., typing.Any], name: str, bad: object) -> None:
    hints = typing.get_type_hints(run, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)


def test_list_parameters_as_posts_write_them_are_accepted() -> None:
    hints = typing.get_type_hints(experiments.perimeter, include_extras=True)
    assert pydantic.TypeAdapter(hints["ratios"]).validate_python([1, 1.2, 100]) == (1.0, 1.2, 100.0)


def test_the_ramanujan_alt_text_reads_its_words_from_the_errors() -> None:
    rising, first = np.array([1e-9, 1e-6, 1e-4]), np.array([1e-5, 1e-3, 1e-2])
    assert "都单调上升" in pages._error_shape(first, rising)
    assert "并不都单调上升" in pages._error_shape(first[::-1], rising)
    assert pages._error_sign(first, rising) == "公式 II 始终比公式 I 小一个数量级以上；两个公式都低估周长"
    assert "并不都低估周长" in pages._error_sign(first, -rising)
    assert "并不总比" in pages._error_sign(first, first)
