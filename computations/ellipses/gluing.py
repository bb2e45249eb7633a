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
