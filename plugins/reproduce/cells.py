"""Table cells as a page shows them: one number format per column.

A reader compares numbers down a column, so the column decides the format, not the cell:
``5.0627e-05`` under ``0.00361585`` reads as a typo and hides which value is larger. For
the floats of a column we pick one of two notations:

- **fixed**, when every nonzero value lies within four decades of the others and between
  1e-4 and 1e6: all cells get the same number of decimals, enough to show the smallest
  value to six significant digits (``0.46740123`` over ``0.00502508``), less when every
  cell would end in the same zeros (``0.2``, ``0.5``, ``1.0`` for exact parameters);
- **scientific** otherwise: every cell as ``m×10ⁿ`` with a six-digit mantissa, trimmed of
  the zeros all cells share (``1.1×10⁻⁹``, ``3.4×10⁻³``).

Integers stay integers, and so does a column whose floats are all whole numbers. Text
cells are left as they are; NaN shows as a dash. The CSV keeps the exact values.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

SIGNIFICANT = 6
# Widest spread of decades (and the range) that fixed notation shows without a run of
# leading zeros or of digits beyond the six significant ones of the smallest value.
DECADES = 4
SMALLEST, LARGEST = -4, 6
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def is_number(cell: Any) -> bool:
    """Real numbers (numpy's too), not booleans."""
    return isinstance(cell, numbers.Real) and not isinstance(cell, bool)


def format_column(cells: Sequence[Any]) -> list[str]:
    """The cells of one column as text, the floats among them in one notation."""
    floats = [float(c) for c in cells if is_number(c) and not isinstance(c, numbers.Integral)]
    finite = [x for x in floats if math.isfinite(x)]
    if all(x.is_integer() and abs(x) < 10**15 for x in finite):
        shown = {x: f"{int(x)}" for x in finite}
    else:
        shown = _fixed(finite) or _scientific(finite)
    return [_cell(c, shown) for c in cells]


def _cell(cell: Any, shown: dict[float, str]) -> str:
    if not is_number(cell) or isinstance(cell, numbers.Integral):
        return str(cell)
    value = float(cell)
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return shown[value]


def _exponent(value: float) -> int:
    """The decade of ``value`` after rounding it to the significant digits shown."""
    return int(f"{value:.{SIGNIFICANT - 1}e}".partition("e")[2])


def _fixed(values: list[float]) -> dict[float, str] | None:
    exponents = [_exponent(x) for x in values if x]
    if not exponents:
        return {x: "0" for x in values}
    low, high = min(exponents), max(exponents)
    if low < SMALLEST or high >= LARGEST or high - low >= DECADES:
        return None
    decimals = max(0, SIGNIFICANT - 1 - low)
    texts = {x: f"{x:.{decimals}f}" for x in values}
    while decimals > 1 and all(t.endswith("0") for t in texts.values()):
        decimals -= 1
        texts = {x: t[:-1] for x, t in texts.items()}
    return texts


def _scientific(values: list[float]) -> dict[float, str]:
    parts = {x: f"{x:.{SIGNIFICANT - 1}e}".partition("e")[::2] for x in values if x}
    while any("." in m for m, _ in parts.values()) and all(m.endswith("0") for m, _ in parts.values()):
        parts = {x: (m[:-1].rstrip("."), power) for x, (m, power) in parts.items()}
    shown = {x: f"{m}×10{str(int(power)).translate(_SUPERSCRIPT)}" for x, (m, power) in parts.items()}
    return shown | {x: "0" for x in values if not x}
