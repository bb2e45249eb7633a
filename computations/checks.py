"""One vocabulary for self-checks: every "within k standard errors" in one place.

A present stage states what must hold of its result with these functions; each returns a
:class:`~computations.report.Check` whose detail lists every case with its numbers and marks
the failing ones with ✗. The Monte Carlo tolerance is one constant for the whole site.

Cases are keyed by a short label shown in the detail (``"n=10"``), in display order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from computations.report import Check

#: Monte Carlo claims hold within this many standard errors: a two-sided false-alarm rate of
#: about 6e-5 per comparison under a normal approximation.
TOLERANCE_SE: Final = 4.0
#: The same level for tests that report a p-value (χ², permutation): reject below it.
FALSE_ALARM_RATE: Final = math.erfc(TOLERANCE_SE / math.sqrt(2.0))

_FAIL = " ✗"


def within_se(claim: str, cases: Mapping[str, tuple[float, float, float]], *, note: str = "") -> Check:
    """Each measured value is within :data:`TOLERANCE_SE` standard errors of the expected one.

    Args:
        claim: what should hold, in Chinese.
        cases: label → (measured, expected, standard error). A zero standard error demands
            equality (``≤``, so a probability that rounds to 1 with SE 0 still passes).
        note: how the standard error was obtained, shown first in the detail.
    """
    parts, passed = [], True
    for label, (measured, expected, se) in cases.items():
        ok = abs(measured - expected) <= TOLERANCE_SE * se
        passed &= ok
        ratio = f"{abs(measured - expected) / se:.2f}" if se > 0 else "—"
        parts.append(
            f"{label}：{measured:.6g} ± {se:.2g}（应为 {expected:.6g}），|Δ|/SE = {ratio}{'' if ok else _FAIL}"
        )
    return _check(claim, passed, note, parts)


def rounds_to(claim: str, cases: Mapping[str, tuple[float, str]], *, note: str = "") -> Check:
    """Each value rounds to a printed number: within half a unit of its last printed digit.

    Args:
        cases: label → (value, the number as printed, e.g. ``"0.110661"``).
    """
    parts, passed = [], True
    for label, (value, printed) in cases.items():
        half_unit = 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent
        ok = abs(value - float(printed)) <= half_unit
        passed &= ok
        parts.append(
            f"{label}：印 {printed}，算得 {value:.10g}，差 {abs(value - float(printed)):.1e} ≤ {half_unit:.0e}"
            + ("" if ok else _FAIL)
        )
    return _check(claim, passed, note or "容差为所印最后一位的半个单位", parts)


def at_least(claim: str, cases: Mapping[str, tuple[float, float]], *, note: str = "") -> Check:
    """Each value is at least its bound (e.g. a p-value against :data:`FALSE_ALARM_RATE`).

    Args:
        cases: label → (value, lower bound).
    """
    parts, passed = [], True
    for label, (value, bound) in cases.items():
        ok = value >= bound
        passed &= ok
        parts.append(f"{label}：{value:.3g}（下限 {bound:.2g}）{'' if ok else _FAIL}")
    return _check(claim, passed, note, parts)


def all_hold(claim: str, cases: Mapping[str, bool], *, note: str = "") -> Check:
    """Every named condition holds (exact facts: equal counts, identical tables, …)."""
    parts = [f"{label}{'' if ok else _FAIL}" for label, ok in cases.items()]
    return _check(claim, all(cases.values()), note, parts)


def _check(claim: str, passed: bool, note: str, parts: list[str]) -> Check:
    detail = "；".join(([note] if note else []) + parts)
    return Check(claim=claim, passed=bool(passed), detail=detail)


def within_tolerance(claim: str, cases: Mapping[str, tuple[float, float, float]], *, note: str = "") -> Check:
    """Each computed value is within a stated error bound of the expected one (deterministic).

    The counterpart of :func:`within_se` for computations without sampling error: the bound
    comes from the method (a quadrature's error estimate, rounding, a printed digit) and is
    used as it is, not multiplied by :data:`TOLERANCE_SE`.

    Args:
        claim: what should hold, in Chinese.
        cases: label → (computed, expected, tolerance); holds iff |computed − expected| ≤ tolerance.
        note: where the tolerances come from, shown first in the detail.
    """
    parts, passed = [], True
    for label, (value, expected, tolerance) in cases.items():
        ok = abs(value - expected) <= tolerance
        passed &= ok
        parts.append(
            f"{label}：{value:.10g}（应为 {expected:.10g}），差 {abs(value - expected):.1e} ≤ {tolerance:.1e}"
            + ("" if ok else _FAIL)
        )
    return _check(claim, passed, note, parts)


def at_most(claim: str, cases: Mapping[str, tuple[float, float]], *, note: str = "") -> Check:
    """Each value is at most its bound: an error or residual against the tolerance of its method.

    The mirror of :func:`at_least`, for deterministic quantities that should be small (a
    finite-difference error, an eigenpair's residual); a NaN value fails.

    Args:
        cases: label → (value, upper bound).
    """
    parts, passed = [], True
    for label, (value, bound) in cases.items():
        ok = value <= bound
        passed &= ok
        parts.append(f"{label}：{value:.2g}（上限 {bound:.2g}）{'' if ok else _FAIL}")
    return _check(claim, passed, note, parts)
