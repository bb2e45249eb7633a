"""The seam of two bent elliptical sheets, the gluing criterion D(s) and the closed solid.

Everything goes through the eccentric angle t (x = a cos t, y = b sin t). The arc length
s(t) = b E(t | 1 − a²/b²) is an incomplete elliptic integral of a smooth integrand; its
inverse is taken by Newton's method. With q(t) = a² sin² t + b² cos² t the squared slopes are
h'(s)² = b² cos² t / q and g'(s)² = a² sin² t / q = 1 − h'(s)², g being the ellipse's x
coordinate, so D = g'(s)² − h'(l − s)² is evaluated without cancellation and without the
1/√(b − y) singularity met when integrating in y (see ``perimeters``).

Tolerances come from the mathematics: our quadrature error is bounded by the change of the
result when the step is doubled (Simpson's error is about 1/15 of that change); rounding
bounds for D come from the derivative of the slopes and Newton's final residual. No figures
and no wording here: ``experiments`` runs these, ``pages`` shows the results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import integrate, special

from computations.results import Array

from .perimeters import quarter_perimeter, require_axes

FloatArray = npt.NDArray[np.float64]

_HALF_PI: Final = math.pi / 2.0
_EPS: Final = float(np.finfo(np.float64).eps)
_NEWTON_ITERATIONS: Final = 60


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
    require_axes(a, b)
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

    The arrays are annotated :data:`~computations.results.Array` because the run stage
    returns seams as they are, and pages draw them; a decoded seam's arrays are read-only.

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
    s: Array
    t: Array
    x: Array
    y: Array
    z: Array
    discriminant: Array
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
    three times the error of the fine value. (The seam's own length is not measured: x(s) is
    built from √D at unit speed, so it equals l by construction.)

    Attributes:
        axis_length: length of the bent long axis (x(s), 0, z(s)) from tip to centre; should be a.
        axis_length_error: its change on the coarse grid.
        sheet_area: area of one bent sheet, 4 ∫ 2h·|d(axis)|/2 by trapezoids; should be πab.
        sheet_area_error: its change on the coarse grid.
    """

    axis_length: float
    axis_length_error: float
    sheet_area: float
    sheet_area_error: float


def measure_isometry(seam: Seam) -> Isometry:
    """Measure the bent sheets of ``seam`` directly from its grid; see :class:`Isometry`."""

    def measures(every: int) -> tuple[float, float]:
        x, y, z = seam.x[::every], seam.y[::every], seam.z[::every]
        axis_steps = np.hypot(np.diff(x), np.diff(z))
        # Upper half of the sheet: rulings of length 2h(s) along the axis; the lower half
        # is its mirror image, hence the factor 2 (and 2·2h/2 for the trapezoid average).
        area = 2.0 * float(np.sum((y[:-1] + y[1:]) * axis_steps))
        return float(axis_steps.sum()), area

    fine, coarse = measures(1), measures(2)
    return Isometry(
        axis_length=fine[0],
        axis_length_error=abs(fine[0] - coarse[0]),
        sheet_area=fine[1],
        sheet_area_error=abs(fine[1] - coarse[1]),
    )


# --------------------------------------------------------------------------- the article's construction


@dataclass(frozen=True)
class DifferenceSeam:
    """The seam by the article's construction: a table of (arc length, height), difference
    quotients for the slopes, interpolation at l − s, and a cumulative trapezoidal rule.

    Attributes:
        s: the table's arc lengths, increasing from 0 to its own l, shape (n + 1,).
        x: x(s), the cumulative trapezoidal integral of √max(radicand, 0).
        y: the table's heights h(s).
        z: h(l − s), linearly interpolated in the table.
        radicand: 1 − h'(s)² − h'(l − s)², the article's ``dx2``; h' by second-order
            difference quotients, h'(l − s) by linear interpolation of them.
        volume: ∫ 4 h(s) h(l − s) √radicand ds by the trapezoidal rule.
    """

    s: Array
    x: Array
    y: Array
    z: Array
    radicand: Array
    volume: float

    @property
    def length(self) -> float:
        """The table's quarter perimeter."""
        return float(self.s[-1])

    @property
    def end_x(self) -> float:
        """X = x(l) of this construction."""
        return float(self.x[-1])


def difference_seam(arcs: FloatArray, heights: FloatArray) -> DifferenceSeam:
    """The seam from a table of heights h against arc lengths s, as the article builds it.

    Nothing here knows the ellipse: no elliptic integral, no Newton inversion, no slope
    formula, and l − s is generally not a node, so nothing is symmetric by construction.
    Every step is second order in the table's spacing.

    Args:
        arcs: increasing arc lengths from 0, shape (n + 1,).
        heights: the heights at those arc lengths.
    """
    length = float(arcs[-1])
    slope = np.gradient(heights, arcs)
    radicand = 1.0 - slope**2 - np.interp(length - arcs, arcs, slope) ** 2
    root = np.sqrt(np.clip(radicand, 0.0, None))
    z = np.interp(length - arcs, arcs, heights)
    return DifferenceSeam(
        s=arcs,
        x=integrate.cumulative_trapezoid(root, arcs, initial=0.0),
        y=heights,
        z=z,
        radicand=radicand,
        volume=float(integrate.trapezoid(4.0 * heights * z * root, arcs)),
    )


def angle_table(*, a: float, b: float, steps: int) -> tuple[FloatArray, FloatArray]:
    """(s, h) at ``steps`` + 1 equal eccentric angles, s measured as a polyline through the ellipse.

    The chords underestimate each arc by O(Δt³), so s is off by O(Δt²) in all; nothing
    but the ellipse's points is used.
    """
    require_axes(a, b)
    t = np.linspace(0.0, _HALF_PI, steps + 1)
    chords = np.hypot(np.diff(a * np.cos(t)), np.diff(b * np.sin(t)))
    return np.concatenate([[0.0], np.cumsum(chords)]), b * np.sin(t)


def height_table(*, a: float, b: float, steps: int) -> tuple[FloatArray, FloatArray]:
    """(s, y) on the article's height grid y_k = k·b/n, k < n, s by the cumulative trapezoidal rule.

    As in the article's code the grid stops one step short of y = b, where ds/dy is
    infinite, so the table's l is short by about 1.46·a·√(h/(2b)) (see ``perimeters``).
    """
    require_axes(a, b)
    step = b / steps
    y = np.arange(steps) * step
    speed = np.sqrt(1.0 + (a * y) ** 2 / (b * b * (b - y) * (b + y)))
    return integrate.cumulative_trapezoid(speed, dx=step, initial=0.0), y


@dataclass(frozen=True)
class SeamComparison:
    """Our seam against :func:`difference_seam` on :func:`angle_table`, with error bounds.

    Attributes:
        steps: angle steps of the fine construction; the coarse one has half as many.
        length: the construction's l; length_change: its change when the steps halve.
        end_x: its X; end_x_change: the change when the steps halve.
        volume: its V; volume_change: the change when the steps halve.
        gap: max over its nodes of |x_fd(s) − x(s)|, ours linearly interpolated.
        change: max over the coarse nodes of |x_fd − x_fd,coarse|, which bounds the
            construction's error (second order: the change is about three times the error).
        closure: max over its nodes of |x_fd(s) + x_fd(l − s) − X_fd|, x_fd(l − s) linearly
            interpolated; 0 iff the second sheet meets the first along the whole seam.
        interpolation: Δ²/8·max|x''| with Δ the widest step of either grid (ours and the
            construction's), max|x''| taken as the largest difference quotient of √D on our
            grid (x' = √D).
        lowest: the least radicand of the construction.
    """

    steps: int
    length: float
    length_change: float
    end_x: float
    end_x_change: float
    volume: float
    volume_change: float
    gap: float
    change: float
    closure: float
    interpolation: float
    lowest: float


def compare_with_differences(seam: Seam, *, steps: int) -> SeamComparison:
    """Build the seam of ``seam``'s ellipse again by the article's construction and compare.

    Args:
        seam: our seam.
        steps: angle steps of the finer construction, even.
    """
    fine = difference_seam(*angle_table(a=seam.a, b=seam.b, steps=steps))
    coarse = difference_seam(*angle_table(a=seam.a, b=seam.b, steps=steps // 2))
    root = np.sqrt(np.clip(seam.discriminant, 0.0, None))
    curvature = float(np.max(np.abs(np.diff(root)) / np.diff(seam.s)))
    widest = max(float(np.max(np.diff(fine.s))), float(np.max(np.diff(seam.s))))
    mirrored = np.interp(fine.length - fine.s, fine.s, fine.x)
    return SeamComparison(
        steps=steps,
        length=fine.length,
        length_change=abs(fine.length - coarse.length),
        end_x=fine.end_x,
        end_x_change=abs(fine.end_x - coarse.end_x),
        volume=fine.volume,
        volume_change=abs(fine.volume - coarse.volume),
        gap=float(np.max(np.abs(fine.x - np.interp(fine.s, seam.s, seam.x)))),
        change=float(np.max(np.abs(fine.x[::2] - coarse.x))),
        closure=float(np.max(np.abs(fine.x + mirrored - fine.end_x))),
        interpolation=widest**2 / 8.0 * curvature,
        lowest=float(fine.radicand.min()),
    )
