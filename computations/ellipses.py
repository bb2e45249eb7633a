"""Two equal elliptical sheets bent and glued into a closed solid (spaces.ac.cn/archives/6818).

Su Jianlin asks whether two identical elliptical sheets, each bent cylindrically, can be
glued rim to rim into a closed solid, the way the two halves of a tennis ball close up. Take
the ellipse x²/a² + y²/b² = 1 with a ≥ b > 0, measure arc length s from the tip (a, 0), call
h(s) the height y reached there and l = a E(1 − b²/a²) the quarter perimeter. Bending is an
isometry, so the first-octant quarter of the seam, parametrised by s, has y = h(s),
z = h(l − s) and

    x(s) = ∫₀ˢ √D(σ) dσ,   D(s) = 1 − h'(s)² − h'(l − s)²;

the sheets close up iff D ≥ 0 on [0, l]. The article proves that it always is, and draws
the bent sheet for a = 2, b = 1.

Everything here goes through the eccentric angle t (x = a cos t, y = b sin t). The arc
length s(t) = b E(t | 1 − a²/b²) is an incomplete elliptic integral of a smooth integrand;
its inverse is taken by Newton's method. With q(t) = a² sin² t + b² cos² t the squared slopes
are h'(s)² = b² cos² t / q and g'(s)² = a² sin² t / q = 1 − h'(s)², g being the ellipse's
x coordinate, so D = g'(s)² − h'(l − s)² is evaluated without cancellation and without the
1/√(b − y) singularity met when integrating in y (:func:`height_grid_quarter_perimeter`
reproduces that scheme, which the article's code uses, and its error law).

Reports:

* :func:`perimeter_report` — perimeters by the complete elliptic integral, by a periodic
  trapezoidal rule and by Ramanujan's two approximations; the y-grid scheme's √h error;
* :func:`seam_report` — D(s) for several ellipses and the table of l, X = x(l), max D and
  the solid's volume V;
* :func:`solid_report` — the bent sheet and the closed solid in 3-D, with isometry checks.

Tolerances come from the mathematics: half a unit of the last printed digit of a reference
value plus our quadrature error, bounded by the change of the result when the step is
doubled (Simpson's error is about 1/15 of that change); rounding bounds for D come from the
derivative of the slopes and Newton's final residual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Final

import annotated_types
import numpy as np
import numpy.typing as npt
from matplotlib import colormaps, ticker
from matplotlib.axes import Axes
from matplotlib.colors import LightSource
from matplotlib.figure import Figure as MplFigure
from mpl_toolkits.mplot3d.art3d import Poly3DCollection
from scipy import integrate, special

from computations.report import Cell, Check, Figure, Report, Table

FloatArray = npt.NDArray[np.float64]

AxisRatio = Annotated[float, annotated_types.Interval(ge=1.0, le=20.0)]
AxisRatios = Annotated[list[AxisRatio], annotated_types.Len(min_length=1, max_length=8)]
PerimeterRatio = Annotated[float, annotated_types.Interval(ge=1.0, le=100.0)]
PerimeterRatios = Annotated[list[PerimeterRatio], annotated_types.Len(min_length=1, max_length=12)]
GridRatio = Annotated[float, annotated_types.Interval(ge=1.0, le=10.0)]
HeightSteps = Annotated[
    list[Annotated[int, annotated_types.Interval(ge=10, le=2_000_000)]],
    annotated_types.Len(min_length=1, max_length=8),
]
MinorAxis = Annotated[float, annotated_types.Interval(ge=0.01, le=100.0)]
SolidRatio = Annotated[float, annotated_types.Interval(ge=1.05, le=10.0)]
#: Intervals of the arc-length grid: a multiple of 4, so that the grid and every other
#: point of it both suit Simpson's rule.
Intervals = Annotated[int, annotated_types.Interval(ge=400, le=40_000), annotated_types.MultipleOf(4)]

#: Values for b = 1 computed independently for ARTICLES-DETAIL.md §1 (t-parametrisation on
#: 2·10⁵ points), keyed by a/b: (l, X = x(l), D(l/2), V). The article itself prints none of
#: them. Strings keep the printed digits, hence the rounding tolerance, with the number.
REFERENCE_VALUES: Final[Mapping[float, tuple[str, str, str, str]]] = {
    1.0: ("1.570796", "0", "0", "0"),
    1.2: ("1.731448", "0.576874", "0.265941", "0.986702"),
    1.5: ("1.983180", "0.986712", "0.535615", "1.838366"),
    2.0: ("2.422112", "1.569757", "0.759578", "3.167464"),
    3.0: ("3.341223", "2.657293", "0.906662", "5.737269"),
    5.0: ("5.252511", "4.747271", "0.970156", "10.685298"),
    10.0: ("10.159935", "9.840043", "0.993077", "22.634546"),
}
#: More reference numbers for a = 2, b = 1 (same source): the full perimeter, the seam's
#: height y = z and its x at s = l/2.
REFERENCE_2_1: Final[Mapping[str, str]] = {"perimeter": "9.688448", "mid_height": "0.804116", "mid_x": "0.784879"}

#: Relative errors of Ramanujan's approximations in the limit b → 0 (a segment of length 2a,
#: perimeter 4a): 1 − π(3 − √3)/4 and 1 − 14π/44. Both errors grow with the eccentricity.
RAMANUJAN_FIRST_LIMIT: Final = 1.0 - math.pi * (3.0 - math.sqrt(3.0)) / 4.0
RAMANUJAN_SECOND_LIMIT: Final = 1.0 - 14.0 * math.pi / 44.0

_HALF_PI: Final = math.pi / 2.0
_EPS: Final = float(np.finfo(np.float64).eps)
_NEWTON_ITERATIONS: Final = 60
_PERIODIC_POINTS: Final = 1 << 14


# --------------------------------------------------------------------------- perimeters


def quarter_perimeter(*, a: float, b: float) -> float:
    """l = a E(m), m = 1 − b²/a², the arc of the ellipse from (a, 0) to (0, b).

    ``scipy.special.ellipe`` takes the parameter m = k², not the modulus k.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
    """
    _require_axes(a, b)
    return float(a * special.ellipe(1.0 - (b / a) ** 2))


def perimeter_by_quadrature(*, a: float, b: float, points: int = _PERIODIC_POINTS) -> tuple[float, float]:
    """Perimeter ∫₀^{2π} √(a² sin² t + b² cos² t) dt by the trapezoidal rule, with an error bound.

    The integrand is analytic and 2π-periodic, so the rule converges geometrically, like
    exp(−points·artanh(b/a)); it shares no code with the elliptic-integral routines.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
        points: equally spaced nodes on one period (even).

    Returns:
        (perimeter, |T(points) − T(points/2)|); the second bounds the error of the coarser
        rule and hence, with room to spare, that of the finer one.
    """
    _require_axes(a, b)

    def rule(n: int) -> float:
        t = np.arange(n) * (2.0 * math.pi / n)
        return float(np.sqrt((a * np.sin(t)) ** 2 + (b * np.cos(t)) ** 2).mean() * 2.0 * math.pi)

    fine = rule(points)
    return fine, abs(fine - rule(points // 2))


def ramanujan_first(*, a: float, b: float) -> float:
    """Ramanujan's first approximation π[3(a + b) − √((3a + b)(a + 3b))] of the perimeter."""
    _require_axes(a, b)
    return math.pi * (3.0 * (a + b) - math.sqrt((3.0 * a + b) * (a + 3.0 * b)))


def ramanujan_second(*, a: float, b: float) -> float:
    """Ramanujan's second approximation π(a + b)[1 + 3λ²/(10 + √(4 − 3λ²))], λ = (a − b)/(a + b)."""
    _require_axes(a, b)
    lam2 = ((a - b) / (a + b)) ** 2
    return math.pi * (a + b) * (1.0 + 3.0 * lam2 / (10.0 + math.sqrt(4.0 - 3.0 * lam2)))


def height_grid_quarter_perimeter(*, a: float, b: float, steps: int) -> float:
    """The quarter perimeter as the article's code gets it: trapezoidal rule in the height y.

    Nodes y_k = k·b/n for k = 0 … n − 1: the integrand ds/dy = √(1 + a²y²/(b²(b² − y²)))
    is infinite at y = b, so the last node is b − b/n and the tail of the arc is lost.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
        steps: n, the number of steps of length b/n.
    """
    _require_axes(a, b)
    step = b / steps
    y = np.arange(steps) * step
    speed = np.sqrt(1.0 + (a * y) ** 2 / (b * b * (b - y) * (b + y)))
    return float(np.trapezoid(speed, dx=step))


def height_grid_error(*, a: float, b: float, steps: int) -> tuple[float, float]:
    """Leading terms of the error of :func:`height_grid_quarter_perimeter`.

    Near y = b, with u = b − y, the integrand is u^{−1/2} φ(u), φ analytic with
    φ(0) = a/√(2b) and φ'(0)/φ(0) = (4b² − 3a²)/(4a²b). The generalised Euler–Maclaurin
    formula (Navot) for the rule that stops at u = h with half weight gives

        l_h − l = (ζ(½) − ½) φ(0) h^{1/2} + (ζ(−½) − ½) φ'(0) h^{3/2} + O(h^{5/2}),

    the other end contributing only O(h⁴) because ds/dy is even in y.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
        steps: n; the step is h = b/n.

    Returns:
        (first term, second term); the error is about their sum.
    """
    _require_axes(a, b)
    h = b / steps
    phi0 = a / math.sqrt(2.0 * b)
    dphi0 = phi0 * (4.0 * b * b - 3.0 * a * a) / (4.0 * a * a * b)
    return (
        (float(special.zeta(0.5)) - 0.5) * phi0 * math.sqrt(h),
        (float(special.zeta(-0.5)) - 0.5) * dphi0 * h**1.5,
    )


# --------------------------------------------------------------------------- arc length and slopes


def arc_length(t: npt.ArrayLike, *, a: float, b: float) -> FloatArray:
    """s(t) = ∫₀ᵗ √(a² sin² τ + b² cos² τ) dτ = b E(t | 1 − a²/b²), the arc from (a, 0).

    The parameter 1 − a²/b² is ≤ 0 (imaginary modulus), which ``ellipeinc`` accepts; this
    form needs no subtraction, so small arcs keep their relative accuracy.

    Args:
        t: eccentric angles in [0, π/2], any shape.
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
    """
    _require_axes(a, b)
    return b * special.ellipeinc(np.asarray(t, dtype=np.float64), 1.0 - (a / b) ** 2)


def arc_speed(t: npt.ArrayLike, *, a: float, b: float) -> FloatArray:
    """ds/dt = √(a² sin² t + b² cos² t), increasing from b at t = 0 to a at t = π/2."""
    t = np.asarray(t, dtype=np.float64)
    return np.sqrt((a * np.sin(t)) ** 2 + (b * np.cos(t)) ** 2)


def angle_at_arc_length(s: npt.ArrayLike, *, a: float, b: float) -> FloatArray:
    """The eccentric angle t with s(t) = s, by Newton's method; inverse of :func:`arc_length`.

    s(t) is increasing and convex on [0, π/2] (its speed increases), so the chord guess
    t = (π/2)·s/l lies left of the root and Newton's iterates, after one overshoot, decrease
    monotonically to it. Iteration stops when every step is below the rounding level of
    s(t) divided by the smallest speed b.

    Args:
        s: arc lengths, clipped to [0, l], any shape.
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.

    Returns:
        Angles in [0, π/2], the shape of ``s``.
    """
    length = quarter_perimeter(a=a, b=b)
    target = np.clip(np.asarray(s, dtype=np.float64), 0.0, length)
    t = target * (_HALF_PI / length)
    resolution = 16.0 * _EPS * (1.0 + length / b)
    for _ in range(_NEWTON_ITERATIONS):
        step = (arc_length(t, a=a, b=b) - target) / arc_speed(t, a=a, b=b)
        t = np.clip(t - step, 0.0, _HALF_PI)
        if not step.size or np.max(np.abs(step)) <= resolution:
            break
    return t


def squared_slopes(t: npt.ArrayLike, *, a: float, b: float) -> tuple[FloatArray, FloatArray]:
    """(g'(s)², h'(s)²) at the ellipse point of eccentric angle t; they sum to 1.

    g = a cos t and h = b sin t are the ellipse's coordinates as functions of arc length,
    so g'(s) = −a sin t / √q and h'(s) = b cos t / √q with q = a² sin² t + b² cos² t.
    """
    t = np.asarray(t, dtype=np.float64)
    along = (a * np.sin(t)) ** 2
    across = (b * np.cos(t)) ** 2
    speed2 = along + across
    return along / speed2, across / speed2


def gluing_discriminant(s: npt.ArrayLike, *, a: float, b: float) -> FloatArray:
    """D(s) = 1 − h'(s)² − h'(l − s)², evaluated as g'(s)² − h'(l − s)².

    Gluing is possible iff D ≥ 0 on [0, l]. The article's lemma is exactly g'(s)² ≥
    h'(l − s)². Accurate to :func:`discriminant_rounding`.

    Args:
        s: arc lengths in [0, l], any shape.
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
    """
    length = quarter_perimeter(a=a, b=b)
    s = np.asarray(s, dtype=np.float64)
    along, _ = squared_slopes(angle_at_arc_length(s, a=a, b=b), a=a, b=b)
    _, across = squared_slopes(angle_at_arc_length(length - s, a=a, b=b), a=a, b=b)
    return along - across


def discriminant_rounding(*, a: float, b: float) -> float:
    """A bound on the rounding error of :func:`gluing_discriminant`.

    Newton leaves t with an error of at most 16ε(1 + l/b) (the stopping rule), and
    |d(h'²)/dt| = 2a²b²|sin t cos t|/q² ≤ a²/b², so each squared slope is off by at most
    16ε(1 + l/b)·a²/b² plus a few ε from its own evaluation; D is a difference of two.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
    """
    length = quarter_perimeter(a=a, b=b)
    return 2.0 * (16.0 * _EPS * (1.0 + length / b) * (a / b) ** 2 + 8.0 * _EPS)


# --------------------------------------------------------------------------- the seam


@dataclass(frozen=True)
class Seam:
    """The first-octant quarter of the seam on a uniform arc-length grid s_k = k·l/N.

    Attributes:
        a: major semi-axis.
        b: minor semi-axis.
        s: arc lengths, shape (N + 1,).
        t: eccentric angle of the ellipse point at arc length s_k.
        x: x(s) = ∫₀ˢ √D, by cumulative Simpson.
        y: h(s) = b sin t.
        z: h(l − s), which on this grid is ``y[::-1]``.
        discriminant: D(s_k).
        x_error: max over even k of |x_N(s_k) − x_{N/2}(s_k)|, the change when the step is
            doubled; Simpson's error of x_N is about 1/15 of it.
        rounding: :func:`discriminant_rounding` for these axes.
    """

    a: float
    b: float
    s: FloatArray
    t: FloatArray
    x: FloatArray
    y: FloatArray
    z: FloatArray
    discriminant: FloatArray
    x_error: float
    rounding: float

    @property
    def length(self) -> float:
        """l, the quarter perimeter and the length of this piece of seam."""
        return float(self.s[-1])

    @property
    def end_x(self) -> float:
        """X = x(l): the solid's extent along x."""
        return float(self.x[-1])

    @property
    def middle(self) -> int:
        """Index of s = l/2."""
        return (self.s.size - 1) // 2


def glue_seam(*, a: float, b: float, intervals: int = 4000) -> Seam:
    """The seam of two bent a × b elliptical sheets on N = ``intervals`` equal arc-length steps.

    The grid is symmetric, so the point at l − s_k is the grid point N − k and
    h'(l − s_k)² needs no second inversion. √D is smooth (D ≈ c s² at both ends, D even
    about them), so Simpson's rule keeps its h⁴ rate; a negative D within rounding is
    clipped to 0 before the root.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
        intervals: N, a multiple of 4.
    """
    if intervals % 4 or intervals < 4:
        raise ValueError(f"intervals must be a positive multiple of 4, got {intervals}")
    length = quarter_perimeter(a=a, b=b)
    s = np.linspace(0.0, length, intervals + 1)
    t = angle_at_arc_length(s, a=a, b=b)
    along, across = squared_slopes(t, a=a, b=b)
    discriminant = along - across[::-1]
    root = np.sqrt(np.clip(discriminant, 0.0, None))
    step = length / intervals
    x = integrate.cumulative_simpson(root, dx=step, initial=0.0)
    coarse = integrate.cumulative_simpson(root[::2], dx=2.0 * step, initial=0.0)
    y = b * np.sin(t)
    return Seam(
        a=a,
        b=b,
        s=s,
        t=t,
        x=x,
        y=y,
        z=y[::-1].copy(),
        discriminant=discriminant,
        x_error=float(np.max(np.abs(x[::2] - coarse))),
        rounding=discriminant_rounding(a=a, b=b),
    )


def solid_volume(seam: Seam) -> tuple[float, float]:
    """V = ∫₀ˡ 4 h(s) h(l − s) x'(s) ds, the cross-section at x(s) being a 2h(s) × 2h(l − s) rectangle.

    The integrand extends to a smooth even function about s = 0 and s = l, so the rules
    converge much faster than h⁴ and the two grids agree to rounding; 16ε·V covers that.

    Returns:
        (V by Simpson's rule, |V_N − V_{N/2}| + 16ε·V).
    """
    integrand = 4.0 * seam.y * seam.z * np.sqrt(np.clip(seam.discriminant, 0.0, None))
    step = seam.length / (seam.s.size - 1)
    fine = float(integrate.simpson(integrand, dx=step))
    coarse = float(integrate.simpson(integrand[::2], dx=2.0 * step))
    return fine, abs(fine - coarse) + 16.0 * _EPS * abs(fine)


@dataclass(frozen=True)
class Isometry:
    """Lengths and area measured on the bent surfaces, to compare with the flat ellipse.

    Polylines and trapezoids through the grid points underestimate lengths by O(Δs²); each
    ``*_error`` is the change of its quantity when every other point is dropped, about
    three times the error of the fine value.

    Attributes:
        seam_length: length of the polyline through (x, y, z); should be l.
        seam_length_error: its change on the coarse grid.
        axis_length: length of the bent long axis (x(s), 0, z(s)); should be a.
        axis_length_error: its change on the coarse grid.
        sheet_area: area of one bent sheet, 4 ∫ 2h·|d(axis)|/2 by trapezoids; should be πab.
        sheet_area_error: its change on the coarse grid.
        closure: max |x(s) + x(l − s) − X|, which is 0 iff the second sheet (the first one
            turned by (x, y, z) ↦ (X − x, z, y)) meets the first along the whole seam.
    """

    seam_length: float
    seam_length_error: float
    axis_length: float
    axis_length_error: float
    sheet_area: float
    sheet_area_error: float
    closure: float


def measure_isometry(seam: Seam) -> Isometry:
    """Measure the bent sheets of ``seam`` directly from its grid; see :class:`Isometry`."""

    def measures(every: int) -> tuple[float, float, float]:
        x, y, z = seam.x[::every], seam.y[::every], seam.z[::every]
        seam_steps = np.sqrt(np.diff(x) ** 2 + np.diff(y) ** 2 + np.diff(z) ** 2)
        axis_steps = np.hypot(np.diff(x), np.diff(z))
        # Upper half of the sheet: rulings of length 2h(s) along the axis; the lower half
        # is its mirror image, hence the factor 2 (and 2·2h/2 for the trapezoid average).
        area = 2.0 * float(np.sum((y[:-1] + y[1:]) * axis_steps))
        return float(seam_steps.sum()), float(axis_steps.sum()), area

    fine, coarse = measures(1), measures(2)
    return Isometry(
        seam_length=fine[0],
        seam_length_error=abs(fine[0] - coarse[0]),
        axis_length=fine[1],
        axis_length_error=abs(fine[1] - coarse[1]),
        sheet_area=fine[2],
        sheet_area_error=abs(fine[2] - coarse[2]),
        closure=float(np.max(np.abs(seam.x + seam.x[::-1] - seam.end_x))),
    )


# --------------------------------------------------------------------------- reports


def perimeter_report(
    *,
    ratios: PerimeterRatios = [1, 1.2, 1.5, 2, 3, 5, 10, 100],  # noqa: B006 (never mutated; YAML list)
    height_grid_ratio: GridRatio = 2.0,
    height_steps: HeightSteps = [100, 1_000, 10_000, 100_000, 1_000_000],  # noqa: B006
    rng: np.random.Generator,
) -> Report:
    """Ellipse perimeters: the elliptic integral, an independent quadrature, Ramanujan I and II.

    The perimeter 4aE(1 − b²/a²) is compared with a periodic trapezoidal rule in the
    eccentric angle and with Ramanujan's two approximations (relative errors in a table and
    a log-log figure). A second table shows why the seam is computed in the angle t: the
    article's code integrates ds/dy on a y grid that stops one step short of the
    singularity at y = b, and its error follows (ζ(½) − ½)·a√(h/(2b)) to the next order.

    Args:
        ratios: a/b values for the table (b = 1; relative errors depend on a/b only),
            duplicates dropped, sorted, 1 to 100.
        height_grid_ratio: a/b of the ellipse for the y-grid table (b = 1).
        height_steps: numbers of steps n of the y grid (step b/n), 10 to 2·10⁶ each; 10⁶
            steps, the article's choice, take about 30 ms.
        rng: unused (the computation is deterministic); required by the site.

    Returns:
        Report of one figure, two tables and four checks.
    """
    del rng
    values = _distinct(ratios)
    rows = [_perimeter_row(ratio) for ratio in values]
    table = Table(
        caption=(
            "半轴为 a、b = 1 的椭圆周长 4aE(m)（m = 1 − b²/a²），对离心角 t 的周期梯形公式"
            f"（{_PERIODIC_POINTS} 个节点）与它之差，以及拉马努金两个近似公式 I、II 的相对误差（近似值/精确值 − 1）。"
        ),
        columns=(
            "a/b",
            "m",
            "周长 4aE(m)",
            "梯形 − 4aE(m)",
            "I 相对误差",
            "II 相对误差",
        ),
        rows=tuple(r.cells() for r in rows),
    )
    steps = sorted(set(height_steps))
    grid_rows = [_height_grid_row(height_grid_ratio, n) for n in steps]
    grid_table = Table(
        caption=(
            f"对 a = {height_grid_ratio:g}、b = 1 的椭圆按高度 y 取 n 步梯形公式求四分之一周长 l（原文代码的做法），"
            "与精确值之差及其两项渐近预测 (ζ(½) − ½)·φ(0)·√h + (ζ(−½) − ½)·φ′(0)·h√h。"
        ),
        columns=("步数 n", "步长 h", "按 y 积分的 l", "误差 l_h − l", "首项预测", "两项预测", "误差 / 首项"),
        rows=tuple(
            (g.steps, g.step, g.value, g.error, g.first, g.first + g.second, g.error / g.first) for g in grid_rows
        ),
    )
    return Report(
        items=(
            _ramanujan_figure(values),
            table,
            grid_table,
            _perimeter_quadrature_check(rows),
            _ramanujan_check(rows),
            _perimeter_reference_check(),
            _height_grid_check(grid_rows, ratio=height_grid_ratio),
        )
    )


def seam_report(
    *,
    ratios: AxisRatios = [1, 1.2, 1.5, 2, 3, 5, 10],  # noqa: B006 (never mutated; YAML list)
    b: MinorAxis = 1.0,
    intervals: Intervals = 4000,
    rng: np.random.Generator,
) -> Report:
    """The gluing criterion D(s) for several ellipses, and the seam's and solid's numbers.

    For each a = ratio·b the seam is computed on ``intervals`` equal arc-length steps.
    Figure: D(s) against s/l. Table: l, X = x(l), D(l/2), the smallest D at interior grid
    points, the solid's volume V and the quadrature error bound of X. Checks: D ≥ 0 everywhere
    (within rounding), D = 0 only at s = 0 and s = l (identically for the circle), the
    maximum sits at s = l/2, a circle gives X = 0, and the numbers match the reference table
    (scaled by b, b³ for V) within half a printed unit plus the quadrature error.

    Args:
        ratios: a/b values (duplicates dropped, sorted), 1 to 20. Ratios within about 1e−8
            of 1 make D too small to tell from rounding, and "zero only at the ends" fails.
        b: minor semi-axis; the shape depends on a/b only, lengths scale with b.
        intervals: arc-length steps per ellipse, a multiple of 4 (4000: about 0.1 s in all).
        rng: unused (the computation is deterministic); required by the site.

    Returns:
        Report of one figure, one table and three to six checks (the circle and reference
        checks only for ratios that have them).
    """
    del rng
    seams = {ratio: glue_seam(a=ratio * b, b=b, intervals=intervals) for ratio in _distinct(ratios)}
    volumes = {ratio: solid_volume(seam) for ratio, seam in seams.items()}
    table = Table(
        caption=(
            f"b = {b:g} 时各椭圆的接缝与立体：四分之一周长 l、接缝在 x 方向的总长 X = x(l)、"
            f"判别式的中点值（即最大值）与内部网格点上的最小值、立体体积 V，以及 X 的求积误差界"
            f"（每条接缝 {intervals} 个等弧长步）。"
        ),
        columns=(
            "a/b",
            "l",
            "X",
            "D(l/2)",
            "内部 min D",
            "体积 V",
            "X 误差界",
        ),
        rows=tuple(_seam_row(ratio, seam, volumes[ratio]) for ratio, seam in seams.items()),
    )
    checks = [
        _nonnegative_check(seams),
        _zeros_check(seams),
        _maximum_check(seams),
    ]
    if 1.0 in seams:
        checks.append(_circle_check(seams[1.0]))
    if 2.0 in seams:
        checks.append(_two_by_one_check(seams[2.0], volumes[2.0]))
    others = {r: s for r, s in seams.items() if r in REFERENCE_VALUES and r not in (1.0, 2.0)}
    if others:
        checks.append(_reference_table_check(others, {r: volumes[r] for r in others}))
    return Report(items=(_discriminant_figure(seams), table, *checks))


def solid_report(
    *,
    ratio: SolidRatio = 2.0,
    b: MinorAxis = 1.0,
    intervals: Intervals = 4000,
    rng: np.random.Generator,
) -> Report:
    """The bent sheet and the closed solid in 3-D, with checks that the bending is an isometry.

    Left panel: one sheet as the article draws it (seam halves in blue and green, the bent
    long axis in red, straight rulings across). Right panel: both sheets, the second being
    the first turned by (x, y, z) ↦ (X − x, z, y). Checks, each within the change of the
    measured quantity when the step is doubled: the seam polyline has length l, the bent
    long axis length a, one sheet's area is πab, and the two sheets meet along the whole
    seam (x(s) + x(l − s) = X).

    Args:
        ratio: a/b of the sheets, 1.05 to 10 (a circle lies flat and draws nothing).
        b: minor semi-axis.
        intervals: arc-length steps along the quarter seam, a multiple of 4.
        rng: unused (the computation is deterministic); required by the site.

    Returns:
        Report of one figure, one table and four checks.
    """
    del rng
    a = ratio * b
    seam = glue_seam(a=a, b=b, intervals=intervals)
    iso = measure_isometry(seam)
    volume, volume_error = solid_volume(seam)
    mid = seam.middle
    table = Table(
        caption=f"a = {a:g}、b = {b:g} 的两张椭圆片粘成的立体：在弯曲后的曲面上量出的长度与面积，及其应有的值。",
        columns=("量", "计算值", "应有的值", "差"),
        rows=(
            ("接缝（四分之一）的长度", iso.seam_length, seam.length, iso.seam_length - seam.length),
            ("弯曲后长轴（半条）的长度", iso.axis_length, a, iso.axis_length - a),
            ("一张椭圆片的面积", iso.sheet_area, math.pi * a * b, iso.sheet_area - math.pi * a * b),
            ("x(l/2)，应为 X/2", float(seam.x[mid]), seam.end_x / 2.0, float(seam.x[mid]) - seam.end_x / 2.0),
            ("接缝中点的 y 与 z", float(seam.y[mid]), float(seam.z[mid]), float(seam.y[mid] - seam.z[mid])),
            ("立体沿 x 的长度 X", seam.end_x, "—", "—"),
            ("立体体积 V", volume, "—", "—"),
            ("V 的求积误差界", volume_error, "—", "—"),
        ),
    )
    return Report(
        items=(
            _solid_figure(seam),
            table,
            _length_check(
                "接缝的长度等于四分之一周长 l（按弧长参数化）",
                measured=(iso.seam_length, iso.seam_length_error),
                expected=seam.length,
                x_effect=2.0 * seam.x_error,
            ),
            _length_check(
                "弯曲后长轴的长度仍为 a（柱面弯曲不伸缩）",
                measured=(iso.axis_length, iso.axis_length_error),
                expected=a,
                x_effect=2.0 * seam.x_error,
            ),
            _length_check(
                "弯曲后一张椭圆片的面积仍为 πab",
                measured=(iso.sheet_area, iso.sheet_area_error),
                expected=math.pi * a * b,
                x_effect=8.0 * b * seam.x_error,
            ),
            _closure_check(iso, seam),
        )
    )


# --------------------------------------------------------------------------- table rows


@dataclass(frozen=True)
class _PerimeterRow:
    ratio: float
    parameter: float
    exact: float
    quadrature: float
    quadrature_error: float
    first: float
    second: float

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.ratio,
            self.parameter,
            self.exact,
            self.quadrature - self.exact,
            self.first / self.exact - 1.0,
            self.second / self.exact - 1.0,
        )


def _perimeter_row(ratio: float) -> _PerimeterRow:
    quadrature, error = perimeter_by_quadrature(a=ratio, b=1.0)
    return _PerimeterRow(
        ratio=ratio,
        parameter=1.0 - 1.0 / ratio**2,
        exact=4.0 * quarter_perimeter(a=ratio, b=1.0),
        quadrature=quadrature,
        quadrature_error=error,
        first=ramanujan_first(a=ratio, b=1.0),
        second=ramanujan_second(a=ratio, b=1.0),
    )


@dataclass(frozen=True)
class _HeightGridRow:
    steps: int
    step: float
    value: float
    error: float
    first: float
    second: float


def _height_grid_row(ratio: float, steps: int) -> _HeightGridRow:
    value = height_grid_quarter_perimeter(a=ratio, b=1.0, steps=steps)
    first, second = height_grid_error(a=ratio, b=1.0, steps=steps)
    return _HeightGridRow(
        steps=steps,
        step=1.0 / steps,
        value=value,
        error=value - quarter_perimeter(a=ratio, b=1.0),
        first=first,
        second=second,
    )


def _seam_row(ratio: float, seam: Seam, volume: tuple[float, float]) -> tuple[Cell, ...]:
    return (
        ratio,
        seam.length,
        seam.end_x,
        float(seam.discriminant[seam.middle]),
        float(seam.discriminant[1:-1].min()),
        volume[0],
        seam.x_error,
    )


# --------------------------------------------------------------------------- figures


def _ramanujan_figure(table_ratios: Sequence[float]) -> Figure:
    grid = np.geomspace(1.01, 100.0, 120)
    exact = np.array([4.0 * quarter_perimeter(a=r, b=1.0) for r in grid])
    first = np.array([ramanujan_first(a=r, b=1.0) for r in grid])
    second = np.array([ramanujan_second(a=r, b=1.0) for r in grid])
    err1, err2 = 1.0 - first / exact, 1.0 - second / exact
    fig = MplFigure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    # Below ~1e-13 the differences are rounding noise of the two perimeters, not the formulas.
    floor = 1e-13
    for errors, color, name in ((err1, "C0", "拉马努金 I"), (err2, "C3", "拉马努金 II")):
        ax.loglog(grid, np.where(errors > floor, errors, np.nan), color=color, label=name)
    ax.axhline(RAMANUJAN_FIRST_LIMIT, color="C0", linestyle=":", linewidth=1.0, label="I 在 b → 0 时的极限")
    ax.axhline(RAMANUJAN_SECOND_LIMIT, color="C3", linestyle=":", linewidth=1.0, label="II 在 b → 0 时的极限")
    for row in (_perimeter_row(r) for r in table_ratios):
        for value, color in ((row.first, "C0"), (row.second, "C3")):
            error = 1.0 - value / row.exact
            if error > floor:
                ax.plot([row.ratio], [error], "o", color=color, markersize=4)
    ax.set_ylim(floor, 3e-2)
    ax.set_xlabel("长短轴之比 a/b（对数坐标；圆点为表中的 a/b）")
    ax.set_ylabel("相对误差 1 − 近似值/精确值")
    ax.set_title("拉马努金周长公式的相对误差")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    ax.legend(loc="lower right", fontsize="small")
    i2 = int(np.argmin(np.abs(grid - 2.0)))
    return Figure(
        figure=fig,
        caption="拉马努金两个周长近似公式的相对误差随长短轴之比的变化（b = 1，精确值为 4aE(m)）。",
        alt=(
            "双对数坐标，横轴 a/b 从 1.01 到 100，纵轴为相对误差。两条曲线都单调上升并趋于各自的虚线极限："
            f"公式 I 从 {err1[0]:.1e} 升到约 {err1[-1]:.1e}（a/b = 2 时 {err1[i2]:.1e}），"
            f"公式 II 在 a/b 接近 1 时低于舍入误差，a/b = 2 时 {err2[i2]:.1e}，升到约 {err2[-1]:.1e}，"
            "始终比公式 I 小几个数量级；两个公式都低估周长。"
        ),
        data={"a_over_b": grid.tolist(), "perimeter": exact.tolist(), "ramanujan_first": first.tolist(),
              "ramanujan_second": second.tolist(), "relative_error_first": err1.tolist(),
              "relative_error_second": err2.tolist()},
    )  # fmt: skip


def _discriminant_figure(seams: Mapping[float, Seam]) -> Figure:
    fig = MplFigure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    data: dict[str, list[Cell]] = {"a_over_b": [], "s": [], "s_over_l": [], "D": [], "x": [], "y": [], "z": []}
    for (ratio, seam), color in zip(seams.items(), _colors(len(seams)), strict=True):
        every = max(1, (seam.s.size - 1) // 400)
        u = seam.s / seam.length
        ax.plot(u, seam.discriminant, color=color, linewidth=1.6, label=f"{ratio:g}")
        ax.plot([0.5], [seam.discriminant[seam.middle]], "o", color=color, markersize=4)
        data["a_over_b"] += [ratio] * u[::every].size
        data["s"] += seam.s[::every].tolist()
        data["s_over_l"] += u[::every].tolist()
        data["D"] += seam.discriminant[::every].tolist()
        data["x"] += seam.x[::every].tolist()
        data["y"] += seam.y[::every].tolist()
        data["z"] += seam.z[::every].tolist()
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-0.03, 1.0)
    ax.set_xlabel("接缝上的弧长位置 $s/l$")
    ax.set_ylabel(r"$D(s)=1-h'(s)^2-h'(l-s)^2$")
    ax.set_title("粘合判别式：处处非负，两端为零，中点最大")
    fig.legend(loc="outside right center", fontsize="small", title="长短轴之比")
    ratios = list(seams)
    peaks = [float(s.discriminant[s.middle]) for s in seams.values()]
    return Figure(
        figure=fig,
        caption="不同长短轴之比的椭圆的粘合判别式 D(s)；圆点为 s = l/2 处的值。",
        alt=(
            f"横轴为 s/l（0 到 1），纵轴为 D(s)。a/b = {', '.join(f'{r:g}' for r in ratios)}。"
            "每条曲线都在 0 以上，两端为 0，关于 s/l = 1/2 对称，中点处最大；"
            f"中点值依次为 {', '.join(f'{p:.3f}' for p in peaks)}，a/b 越大曲线越高、越接近 1。"
            + ("a/b = 1（圆）的曲线与横轴重合。" if 1.0 in seams else "")
        ),
        data=data,
    )


def _solid_figure(seam: Seam) -> Figure:
    a, b, big_x = seam.a, seam.b, seam.end_x
    # Constrained layout clips 3-D axes' titles and labels; place them by hand.
    fig = MplFigure(figsize=(8.4, 4.4))
    fig.subplots_adjust(left=0.0, right=0.97, bottom=0.05, top=0.92, wspace=0.0)
    left = fig.add_subplot(1, 2, 1, projection="3d")
    right = fig.add_subplot(1, 2, 2, projection="3d")
    _draw_bent_sheet(left, seam)
    _draw_solid(right, seam)
    for ax, (elevation, azimuth) in ((left, (24, -58)), (right, (32, -65))):
        ax.set_xlim(0.0, big_x)
        ax.set_ylim(-1.1 * b, 1.1 * b)
        ax.set_zlim(-1.1 * b, 1.1 * b)
        ax.set_box_aspect((big_x, 2.2 * b, 2.2 * b), zoom=0.92)
        ax.view_init(elev=elevation, azim=azimuth)
        ax.xaxis.set_major_locator(ticker.MaxNLocator(4, steps=[1, 2, 5, 10]))
        for axis in (ax.yaxis, ax.zaxis):
            axis.set_major_locator(ticker.FixedLocator([-b, 0.0, b]))
        for axis, name in ((ax.xaxis, "$x$"), (ax.yaxis, "$y$"), (ax.zaxis, "$z$")):
            axis.set_label_text(name)
        ax.tick_params(labelsize="small", pad=0)
    left.set_title("一张椭圆片弯曲后的形状")
    right.set_title("两张椭圆片粘合成的立体")
    every = max(1, (seam.s.size - 1) // 400)
    return Figure(
        figure=fig,
        caption=(
            f"a = {a:g}、b = {b:g}：左为一张椭圆片弯曲后的形状（蓝、绿为接缝，红为弯曲后的长轴，直线为母线），"
            "右为两张椭圆片（蓝、橙，后者是前者绕对角轴转过 180° 所得）沿黑色接缝粘成的封闭立体。"
        ),
        alt=(
            f"两幅三维图，x 从 0 到 X = {big_x:.3f}，y、z 从 −{b:g} 到 {b:g}。左图：一张弯成槽形的椭圆片，"
            f"两端尖点在 (0, 0, ±{b:g})，最低处是中心 ({big_x:.3f}, 0, 0)，母线平行于 y 轴；"
            f"右图：另一张母线平行于 z 轴、两端尖点在 ({big_x:.3f}, ±{b:g}, 0) 的椭圆片与之沿边缘相合，"
            f"截面是长方形，x = 0 处退化为长 {2 * b:g} 的竖直线段，x = X 处退化为水平线段。"
        ),
        data={"s": seam.s[::every].tolist(), "x": seam.x[::every].tolist(), "y": seam.y[::every].tolist(),
              "z": seam.z[::every].tolist(), "D": seam.discriminant[::every].tolist()},
    )  # fmt: skip


def _plotted(seam: Seam) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The seam thinned to at most ~400 points (keeping both ends): enough for a smooth line."""
    k = np.unique(np.linspace(0, seam.s.size - 1, 401).astype(int))
    return seam.x[k], seam.y[k], seam.z[k]


def _draw_bent_sheet(ax: Axes, seam: Seam) -> None:
    x, y, z = _plotted(seam)
    for sign, color in ((1.0, "tab:blue"), (-1.0, "tab:green")):
        ax.plot(x, y, sign * z, color=color, linewidth=1.4)
        ax.plot(x, -y, sign * z, color=color, linewidth=1.4)
        ax.plot(x, np.zeros_like(x), sign * z, color="tab:red", linewidth=1.4)
        for k in np.linspace(0, x.size - 1, 13).astype(int)[1:]:
            ax.plot([x[k], x[k]], [y[k], -y[k]], [sign * z[k]] * 2, color=color, linewidth=0.6, alpha=0.8)
    xs, ys, zs = _sheet_mesh(seam)
    ax.plot_surface(xs, ys, zs, color="tab:blue", alpha=0.12, linewidth=0, shade=False)


def _draw_solid(ax: Axes, seam: Seam) -> None:
    # Both sheets go into one collection: matplotlib orders polygons by depth only within a
    # collection, so two separate surfaces would be drawn one over the other.
    xs, ys, zs = _sheet_mesh(seam)
    first = _quads(xs, ys, zs)
    # The second sheet: the first turned half a turn about the line x = X/2, y = z.
    second = _quads(seam.end_x - xs, zs, ys)
    colors = ["#4f8fc9"] * len(first) + ["#f2a05a"] * len(second)
    ax.add_collection3d(
        Poly3DCollection(
            first + second,
            facecolors=colors,
            edgecolors="white",
            linewidths=0.25,
            shade=True,
            lightsource=LightSource(azdeg=300, altdeg=50),
        )
    )
    x, y, z = _plotted(seam)
    for sy in (1.0, -1.0):
        for sz in (1.0, -1.0):
            ax.plot(x, sy * y, sz * z, color="0.1", linewidth=1.2)


def _quads(xs: FloatArray, ys: FloatArray, zs: FloatArray) -> list[FloatArray]:
    """The cells of a parametrised surface as 4 × 3 vertex arrays."""
    points = np.stack([xs, ys, zs], axis=-1)
    corners = [points[:-1, :-1], points[1:, :-1], points[1:, 1:], points[:-1, 1:]]
    return list(np.stack(corners, axis=-2).reshape(-1, 4, 3))


def _sheet_mesh(seam: Seam, *, along: int = 36, across: int = 5) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Upper and lower halves of the first sheet as one (2·along − 1) × across grid.

    The sheet is the cylinder over the bent axis (x(s), ±z(s)), its ruling at s running
    from y = −h(s) to h(s).
    """
    k = np.linspace(0, seam.s.size - 1, along).astype(int)
    x = np.concatenate([seam.x[k], seam.x[k[::-1]][1:]])
    z = np.concatenate([seam.z[k], -seam.z[k[::-1]][1:]])
    half = np.concatenate([seam.y[k], seam.y[k[::-1]][1:]])
    v = np.linspace(-1.0, 1.0, across)
    return np.repeat(x[:, None], across, axis=1), half[:, None] * v[None, :], np.repeat(z[:, None], across, axis=1)


def _colors(count: int) -> list[tuple[float, ...]]:
    cmap = colormaps["viridis"]
    return [tuple(cmap(x)) for x in np.linspace(0.0, 0.85, count)]


# --------------------------------------------------------------------------- checks


def _perimeter_quadrature_check(rows: Sequence[_PerimeterRow]) -> Check:
    parts = []
    passed = True
    for r in rows:
        bound = r.quadrature_error + 16.0 * _EPS * r.exact
        ok = abs(r.quadrature - r.exact) <= bound
        passed &= ok
        parts.append(f"a/b={r.ratio:g}：差 {abs(r.quadrature - r.exact):.1e} ≤ {bound:.1e}{_mark(ok)}")
    return Check(
        claim="完全椭圆积分 4aE(m) 与对离心角的周期梯形公式给出相同的周长",
        passed=passed,
        detail="容差为梯形公式节点数减半时的变化加 16ε 的舍入；" + "；".join(parts),
    )


def _ramanujan_check(rows: Sequence[_PerimeterRow]) -> Check:
    parts = []
    passed = True
    for r in rows:
        e1, e2 = 1.0 - r.first / r.exact, 1.0 - r.second / r.exact
        slack = 8.0 * _EPS
        ok = -slack <= e2 <= e1 + slack and e1 <= RAMANUJAN_FIRST_LIMIT and e2 <= RAMANUJAN_SECOND_LIMIT
        passed &= ok
        parts.append(f"a/b={r.ratio:g}：I {e1:.2e}，II {e2:.2e}{_mark(ok)}")
    return Check(
        claim="拉马努金两个公式都不高估周长，公式 II 的误差不超过公式 I，且都不超过 b → 0 时的极限",
        passed=passed,
        detail=(
            f"相对误差 1 − 近似/精确；极限 I {RAMANUJAN_FIRST_LIMIT:.4e}、II {RAMANUJAN_SECOND_LIMIT:.4e}；"
            "允许 8ε 的舍入；" + "；".join(parts)
        ),
    )


def _perimeter_reference_check() -> Check:
    value = 4.0 * quarter_perimeter(a=2.0, b=1.0)
    printed = REFERENCE_2_1["perimeter"]
    ok, text = _matches(value, printed, 16.0 * _EPS * value)
    return Check(
        claim="a = 2、b = 1 的椭圆周长与参考值 9.688448 一致",
        passed=ok,
        detail="参考值由 ARTICLES-DETAIL 独立算出（原文未给数值）；" + text,
    )


def _height_grid_check(rows: Sequence[_HeightGridRow], *, ratio: float) -> Check:
    parts = []
    passed = True
    for g in rows:
        residual = abs(g.error - g.first - g.second)
        ok = residual <= abs(g.second)
        passed &= ok
        parts.append(f"n={g.steps}：|误差 − 两项预测| = {residual:.1e} ≤ |第二项| {abs(g.second):.1e}{_mark(ok)}")
    return Check(
        claim=f"按 y 积分的误差服从 √h 规律：a/b = {ratio:g} 时两项渐近公式的余项小于它的第二项",
        passed=passed,
        detail="余项应为 O(h²√h)，比第二项 O(h√h) 高一阶；" + "；".join(parts),
    )


def _nonnegative_check(seams: Mapping[float, Seam]) -> Check:
    parts = []
    passed = True
    for ratio, seam in seams.items():
        low = float(seam.discriminant.min())
        ok = low >= -seam.rounding
        passed &= ok
        parts.append(f"a/b={ratio:g}：min D = {low:.2e}（舍入界 {seam.rounding:.1e}）{_mark(ok)}")
    count = next(iter(seams.values())).s.size
    return Check(
        claim="每个椭圆的判别式 D(s) 在整条接缝上都不小于 0：两张相同的椭圆片总能粘合",
        passed=passed,
        detail=f"每条接缝 {count} 个等弧长点，D 以 g'(s)² − h'(l−s)² 计算；" + "；".join(parts),
    )


def _zeros_check(seams: Mapping[float, Seam]) -> Check:
    parts = []
    passed = True
    for ratio, seam in seams.items():
        d, tol = seam.discriminant, seam.rounding
        ends = max(abs(d[0]), abs(d[-1]))
        if seam.a == seam.b:
            ok = float(np.max(np.abs(d))) <= tol
            parts.append(f"a/b=1：max |D| = {np.max(np.abs(d)):.1e}{_mark(ok)}")
        else:
            ok = ends <= tol and float(d[1:-1].min()) > tol
            parts.append(f"a/b={ratio:g}：两端 |D| ≤ {ends:.1e}，内部 min D = {d[1:-1].min():.2e}{_mark(ok)}")
        passed &= ok
    return Check(
        claim="D(s) 只在 s = 0 与 s = l 处为 0（圆则处处为 0）",
        passed=passed,
        detail="“为 0”指不超过舍入界；内部点要求 D 大于舍入界；" + "；".join(parts),
    )


def _maximum_check(seams: Mapping[float, Seam]) -> Check:
    parts = []
    passed = True
    for ratio, seam in seams.items():
        d = seam.discriminant
        top = float(d.max())
        mirror = float(np.max(np.abs(d - d[::-1])))
        ok = d[seam.middle] >= top - seam.rounding and mirror <= seam.rounding
        passed &= ok
        parts.append(f"a/b={ratio:g}：D(l/2) = {d[seam.middle]:.6f}，max D = {top:.6f}，不对称 {mirror:.0e}{_mark(ok)}")
    return Check(
        claim="D(s) 关于 s = l/2 对称，并在 s = l/2 处取最大值",
        passed=passed,
        detail="在网格上比较，允许舍入界；" + "；".join(parts),
    )


def _circle_check(seam: Seam) -> Check:
    # X = ∫√D ≤ l·√(max D) with max D within rounding.
    bound = seam.length * math.sqrt(seam.rounding)
    ok = abs(seam.end_x) <= bound
    return Check(
        claim="圆（a = b）的两张圆片只能平贴在一起：X = 0",
        passed=ok,
        detail=f"X = {seam.end_x:.2e} ≤ l·√(舍入界) = {bound:.1e}{_mark(ok)}",
    )


def _two_by_one_check(seam: Seam, volume: tuple[float, float]) -> Check:
    b = seam.b
    ref = REFERENCE_VALUES[2.0]
    mid = seam.middle
    results = [
        ("l", seam.length, ref[0], b, 16.0 * _EPS * seam.length),
        ("X", seam.end_x, ref[1], b, seam.x_error),
        ("D(l/2)", float(seam.discriminant[mid]), ref[2], 1.0, seam.rounding),
        ("V", volume[0], ref[3], b**3, volume[1]),
        ("接缝中点高度", float(seam.y[mid]), REFERENCE_2_1["mid_height"], b, 16.0 * _EPS),
        ("x(l/2)", float(seam.x[mid]), REFERENCE_2_1["mid_x"], b, seam.x_error),
    ]
    parts = []
    passed = True
    for name, value, printed, scale, error in results:
        ok, text = _matches(value, printed, error, scale=scale)
        passed &= ok
        parts.append(f"{name}：{text}")
    return Check(
        claim=(f"a/b = 2（b = {b:g}）的 l、X、max D = D(l/2) 与 V 均与参考值一致（b = 1 时依次为 {'、'.join(ref)}）"),
        passed=passed,
        detail=(
            "参考值来自 ARTICLES-DETAIL 的独立计算（原文只说此例通过数值检验）；b ≠ 1 时按 b、b³ 缩放；"
            "容差为所印末位的半个单位乘缩放因子，加上求积误差界；" + "；".join(parts)
        ),
    )


def _reference_table_check(seams: Mapping[float, Seam], volumes: Mapping[float, tuple[float, float]]) -> Check:
    parts = []
    passed = True
    for ratio, seam in seams.items():
        ref = REFERENCE_VALUES[ratio]
        b = seam.b
        for name, value, printed, scale, error in (
            ("l", seam.length, ref[0], b, 16.0 * _EPS * seam.length),
            ("X", seam.end_x, ref[1], b, seam.x_error),
            ("D(l/2)", float(seam.discriminant[seam.middle]), ref[2], 1.0, seam.rounding),
            ("V", volumes[ratio][0], ref[3], b**3, volumes[ratio][1]),
        ):
            ok, text = _matches(value, printed, error, scale=scale)
            passed &= ok
            if not ok:
                parts.append(f"a/b={ratio:g} 的 {name}：{text}")
    listed = "、".join(f"{r:g}" for r in seams)
    return Check(
        claim=f"a/b = {listed} 的 l、X、D(l/2)、V 与参考表一致",
        passed=passed,
        detail="参考表来自 ARTICLES-DETAIL 的独立计算；容差同上；" + ("；".join(parts) if parts else "全部在容差之内"),
    )


def _length_check(claim: str, *, measured: tuple[float, float], expected: float, x_effect: float) -> Check:
    """``measured`` = (value, its change when the step doubles); ``x_effect`` bounds what the
    quadrature error of x(s) can do to the value: a length changes by at most the total
    variation of the error of x, taken as twice its maximum, and the area by 4b times that."""
    value, change = measured
    bound = change + x_effect + 16.0 * _EPS * abs(expected)
    ok = abs(value - expected) <= bound
    return Check(
        claim=claim,
        passed=ok,
        detail=(
            f"折线/梯形量得 {value:.9f}，应为 {expected:.9f}，差 {abs(value - expected):.1e} ≤ {bound:.1e}"
            f"（步长加倍时的变化 {change:.1e}，加 x(s) 的求积误差的影响 {x_effect:.1e}）{_mark(ok)}"
        ),
    )


def _closure_check(iso: Isometry, seam: Seam) -> Check:
    bound = 2.0 * seam.x_error + 16.0 * _EPS * seam.end_x
    ok = iso.closure <= bound
    return Check(
        claim="第二张椭圆片（第一张经 (x, y, z) ↦ (X − x, z, y) 转过去）沿整条接缝与第一张重合：x(s) + x(l − s) = X",
        passed=ok,
        detail=f"max |x(s) + x(l−s) − X| = {iso.closure:.1e} ≤ 2 × x 的求积误差界 = {bound:.1e}{_mark(ok)}",
    )


def _matches(value: float, printed: str, error: float, *, scale: float = 1.0) -> tuple[bool, str]:
    half_unit = 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent * scale
    expected = float(printed) * scale
    tolerance = half_unit + error
    ok = abs(value - expected) <= tolerance
    return ok, f"{value:.9f} 对 {expected:.6f}，差 {abs(value - expected):.1e} ≤ {tolerance:.1e}{_mark(ok)}"


def _mark(ok: bool) -> str:
    return "" if ok else " ✗"


# --------------------------------------------------------------------------- validation


def _require_axes(a: float, b: float) -> None:
    if not (b > 0.0 and a >= b and math.isfinite(a)):
        raise ValueError(f"need semi-axes a ≥ b > 0, got a = {a!r}, b = {b!r}")


def _distinct(values: Iterable[float]) -> list[float]:
    out = sorted({float(v) for v in values})
    if not out:
        raise ValueError("at least one axis ratio is needed")
    return out
