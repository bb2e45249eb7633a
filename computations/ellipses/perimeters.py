"""The perimeter of an ellipse, four ways, and the error of the article's quadrature in y.

The exact quarter perimeter is l = a E(1 − b²/a²). An independent route is the periodic
trapezoidal rule in the eccentric angle; Ramanujan's two approximations are compared with
both. The article's code instead integrates ds/dy on a y grid that stops one step short of
the singularity at y = b; :func:`height_grid_error` gives that scheme's √h error law. No
figures and no wording here: ``experiments`` runs these, ``pages`` shows the results.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from scipy import special

#: Relative errors of Ramanujan's approximations in the limit b → 0 (a segment of length 2a,
#: perimeter 4a): 1 − π(3 − √3)/4 and 1 − 14π/44. Both errors grow with the eccentricity.
RAMANUJAN_FIRST_LIMIT: Final = 1.0 - math.pi * (3.0 - math.sqrt(3.0)) / 4.0
RAMANUJAN_SECOND_LIMIT: Final = 1.0 - 14.0 * math.pi / 44.0

#: Nodes of :func:`perimeter_by_quadrature` on one period unless told otherwise.
PERIODIC_POINTS: Final = 1 << 14


def quarter_perimeter(*, a: float, b: float) -> float:
    """l = a E(m), m = 1 − b²/a², the arc of the ellipse from (a, 0) to (0, b).

    ``scipy.special.ellipe`` takes the parameter m = k², not the modulus k.

    Args:
        a: major semi-axis.
        b: minor semi-axis, 0 < b ≤ a.
    """
    require_axes(a, b)
    return float(a * special.ellipe(1.0 - (b / a) ** 2))


def perimeter_by_quadrature(*, a: float, b: float, points: int = PERIODIC_POINTS) -> tuple[float, float]:
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
    require_axes(a, b)

    def rule(n: int) -> float:
        t = np.arange(n) * (2.0 * math.pi / n)
        return float(np.sqrt((a * np.sin(t)) ** 2 + (b * np.cos(t)) ** 2).mean() * 2.0 * math.pi)

    fine = rule(points)
    return fine, abs(fine - rule(points // 2))


def ramanujan_first(*, a: float, b: float) -> float:
    """Ramanujan's first approximation π[3(a + b) − √((3a + b)(a + 3b))] of the perimeter."""
    require_axes(a, b)
    return math.pi * (3.0 * (a + b) - math.sqrt((3.0 * a + b) * (a + 3.0 * b)))


def ramanujan_second(*, a: float, b: float) -> float:
    """Ramanujan's second approximation π(a + b)[1 + 3λ²/(10 + √(4 − 3λ²))], λ = (a − b)/(a + b)."""
    require_axes(a, b)
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
    require_axes(a, b)
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
    require_axes(a, b)
    h = b / steps
    phi0 = a / math.sqrt(2.0 * b)
    dphi0 = phi0 * (4.0 * b * b - 3.0 * a * a) / (4.0 * a * a * b)
    return (
        (float(special.zeta(0.5)) - 0.5) * phi0 * math.sqrt(h),
        (float(special.zeta(-0.5)) - 0.5) * dphi0 * h**1.5,
    )


def require_axes(a: float, b: float) -> None:
    """Reject semi-axes that are not a ≥ b > 0 (finite).

    Raises:
        ValueError: naming both values.
    """
    if not (b > 0.0 and a >= b and math.isfinite(a)):
        raise ValueError(f"need semi-axes a ≥ b > 0, got a = {a!r}, b = {b!r}")
