"""The run stage of the elliptical-sheets post: what is computed for each directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Nothing here is random, so no run declares a generator; the numbers
are those the one-stage reports computed, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

import annotated_types
import numpy as np

from computations.results import Array

from .gluing import (
    Isometry,
    Seam,
    SeamComparison,
    compare_with_differences,
    difference_seam,
    glue_seam,
    height_table,
    measure_isometry,
    solid_volume,
)
from .perimeters import (
    PERIODIC_POINTS,
    height_grid_error,
    height_grid_quarter_perimeter,
    perimeter_by_quadrature,
    quarter_perimeter,
    ramanujan_first,
    ramanujan_second,
)

AxisRatio = Annotated[float, annotated_types.Interval(ge=1.0, le=20.0)]
AxisRatios = Annotated[tuple[AxisRatio, ...], annotated_types.Len(min_length=1, max_length=8)]
PerimeterRatio = Annotated[float, annotated_types.Interval(ge=1.0, le=100.0)]
PerimeterRatios = Annotated[tuple[PerimeterRatio, ...], annotated_types.Len(min_length=1, max_length=12)]
GridRatio = Annotated[float, annotated_types.Interval(ge=1.0, le=10.0)]
HeightStep = Annotated[int, annotated_types.Interval(ge=10, le=2_000_000)]
HeightSteps = Annotated[
    tuple[HeightStep, ...],
    annotated_types.Len(min_length=1, max_length=8),
]
MinorAxis = Annotated[float, annotated_types.Interval(ge=0.01, le=100.0)]
SolidRatio = Annotated[float, annotated_types.Interval(ge=1.05, le=10.0)]
#: Intervals of the arc-length grid: a multiple of 4, so that the grid and every other
#: point of it both suit Simpson's rule.
Intervals = Annotated[int, annotated_types.Interval(ge=400, le=40_000), annotated_types.MultipleOf(4)]

#: The curve of Ramanujan's errors is drawn on this many a/b values from 1.01 to 100.
_CURVE_POINTS = 120


# --------------------------------------------------------------------------- perimeter


@dataclass(frozen=True)
class PerimeterEstimates:
    """The perimeter of the ellipse with semi-axes a = ratio, b = 1, four ways.

    Attributes:
        ratio: a/b.
        parameter: m = 1 − b²/a², the elliptic integral's parameter.
        exact: 4aE(m).
        quadrature: the periodic trapezoidal rule in the eccentric angle.
        quadrature_error: its change when the nodes are halved (a bound on its error).
        first: Ramanujan's first approximation.
        second: Ramanujan's second approximation.
    """

    ratio: float
    parameter: float
    exact: float
    quadrature: float
    quadrature_error: float
    first: float
    second: float


@dataclass(frozen=True)
class RamanujanCurve:
    """Exact and approximate perimeters (b = 1) on a geometric grid of a/b, for the figure."""

    a_over_b: Array
    perimeter: Array
    first: Array
    second: Array


@dataclass(frozen=True)
class HeightGridEstimate:
    """The article's y-grid quarter perimeter for one number of steps, and its predicted error.

    Attributes:
        steps: n; the step is h = 1/n (b = 1).
        step: h.
        value: the trapezoidal quarter perimeter on the y grid.
        error: value − l.
        first: the √h term of the predicted error.
        second: the h√h term of the predicted error.
    """

    steps: int
    step: float
    value: float
    error: float
    first: float
    second: float


@dataclass(frozen=True)
class PerimeterRun:
    """Perimeters per a/b, Ramanujan's error curve, the y-grid errors and the a = 2, b = 1 perimeter.

    Attributes:
        periodic_points: nodes of the periodic trapezoidal rule.
        estimates: one per distinct a/b, sorted.
        curve: the figure's curve.
        height_grid_ratio: a/b of the ellipse on the y grid (b = 1).
        height_grid: one per distinct number of steps, sorted.
        perimeter_2_1: 4aE(m) for a = 2, b = 1, compared with a reference value whatever the
            parameters.
    """

    periodic_points: int
    estimates: tuple[PerimeterEstimates, ...]
    curve: RamanujanCurve
    height_grid_ratio: float
    height_grid: tuple[HeightGridEstimate, ...]
    perimeter_2_1: float


def perimeter(
    *,
    ratios: PerimeterRatios = (1, 1.2, 1.5, 2, 3, 5, 10, 100),
    height_grid_ratio: GridRatio = 2.0,
    height_steps: HeightSteps = (100, 1_000, 10_000, 100_000, 1_000_000),
) -> PerimeterRun:
    """Ellipse perimeters: the elliptic integral, an independent quadrature, Ramanujan I and II.

    The perimeter 4aE(1 − b²/a²) is compared with a periodic trapezoidal rule in the
    eccentric angle and with Ramanujan's two approximations. The y-grid estimates show why
    the seam is computed in the angle t: the article's code integrates ds/dy on a y grid that
    stops one step short of the singularity at y = b, and its error follows
    (ζ(½) − ½)·a√(h/(2b)) to the next order.

    Args:
        ratios: a/b values for the table (b = 1; relative errors depend on a/b only),
            duplicates dropped, sorted, 1 to 100.
        height_grid_ratio: a/b of the ellipse for the y-grid table (b = 1).
        height_steps: numbers of steps n of the y grid (step b/n), 10 to 2·10⁶ each; 10⁶
            steps, the article's choice, take about 30 ms.
    """
    estimates = tuple(_perimeter_estimates(ratio) for ratio in _distinct(ratios))
    grid = np.geomspace(1.01, 100.0, _CURVE_POINTS)
    curve = RamanujanCurve(
        a_over_b=grid,
        perimeter=np.array([4.0 * quarter_perimeter(a=r, b=1.0) for r in grid]),
        first=np.array([ramanujan_first(a=r, b=1.0) for r in grid]),
        second=np.array([ramanujan_second(a=r, b=1.0) for r in grid]),
    )
    height_grid = tuple(_height_grid_estimate(height_grid_ratio, n) for n in sorted(set(height_steps)))
    return PerimeterRun(
        periodic_points=PERIODIC_POINTS,
        estimates=estimates,
        curve=curve,
        height_grid_ratio=height_grid_ratio,
        height_grid=height_grid,
        perimeter_2_1=4.0 * quarter_perimeter(a=2.0, b=1.0),
    )


def _perimeter_estimates(ratio: float) -> PerimeterEstimates:
    quadrature, error = perimeter_by_quadrature(a=ratio, b=1.0, points=PERIODIC_POINTS)
    return PerimeterEstimates(
        ratio=ratio,
        parameter=1.0 - 1.0 / ratio**2,
        exact=4.0 * quarter_perimeter(a=ratio, b=1.0),
        quadrature=quadrature,
        quadrature_error=error,
        first=ramanujan_first(a=ratio, b=1.0),
        second=ramanujan_second(a=ratio, b=1.0),
    )


def _height_grid_estimate(ratio: float, steps: int) -> HeightGridEstimate:
    value = height_grid_quarter_perimeter(a=ratio, b=1.0, steps=steps)
    first, second = height_grid_error(a=ratio, b=1.0, steps=steps)
    return HeightGridEstimate(
        steps=steps,
        step=1.0 / steps,
        value=value,
        error=value - quarter_perimeter(a=ratio, b=1.0),
        first=first,
        second=second,
    )


# --------------------------------------------------------------------------- seam


@dataclass(frozen=True)
class GluedPair:
    """Two a × b sheets glued: the seam and the solid's volume.

    Attributes:
        ratio: a/b as the author wrote it (a = ratio·b need not divide back exactly).
        seam: the first-octant quarter of the seam.
        volume: V by Simpson's rule.
        volume_error: |V_N − V_{N/2}| + 16ε·V.
    """

    ratio: float
    seam: Seam
    volume: float
    volume_error: float


@dataclass(frozen=True)
class SeamRun:
    """Seams and volumes for several a/b at one minor semi-axis b.

    Attributes:
        b: the minor semi-axis.
        intervals: arc-length steps per seam.
        pairs: one per distinct a/b, sorted.
    """

    b: float
    intervals: int
    pairs: tuple[GluedPair, ...]


def seam(
    *,
    ratios: AxisRatios = (1, 1.2, 1.5, 2, 3, 5, 10),
    b: MinorAxis = 1.0,
    intervals: Intervals = 4000,
) -> SeamRun:
    """The gluing criterion D(s) for several ellipses, and the seam's and solid's numbers.

    For each a = ratio·b the seam is computed on ``intervals`` equal arc-length steps, with
    x(s), D(s) and the solid's volume V; the page checks D ≥ 0, where D vanishes and peaks,
    and compares l, X, D(l/2) and V with a reference table.

    Args:
        ratios: a/b values (duplicates dropped, sorted), 1 to 20. Ratios within about 1e−8
            of 1 make D too small to tell from rounding, and "zero only at the ends" fails.
        b: minor semi-axis; the shape depends on a/b only, lengths scale with b.
        intervals: arc-length steps per ellipse, a multiple of 4 (4000: about 0.1 s in all).
    """
    return SeamRun(b=b, intervals=intervals, pairs=tuple(_glue(ratio, b, intervals) for ratio in _distinct(ratios)))


def _glue(ratio: float, b: float, intervals: int) -> GluedPair:
    glued = glue_seam(a=ratio * b, b=b, intervals=intervals)
    volume, volume_error = solid_volume(glued)
    return GluedPair(ratio=ratio, seam=glued, volume=volume, volume_error=volume_error)


# --------------------------------------------------------------------------- solid


@dataclass(frozen=True)
class ArticleConstruction:
    """The article's own construction on its height grid, and the quantity its assertion tests.

    Attributes:
        steps: n; the grid is y_k = k·b/n for k < n, step h = b/n.
        step: h.
        length: the table's quarter perimeter (short of l: the grid stops before y = b).
        end_x: X of this construction.
        volume: V of this construction.
        lowest: the least radicand 1 − h'(s)² − h'(l − s)²; the article asserts it exceeds −10h.
    """

    steps: int
    step: float
    length: float
    end_x: float
    volume: float
    lowest: float


@dataclass(frozen=True)
class SolidRun:
    """One pair of glued sheets, measured on the bent surfaces and built again two other ways.

    Attributes:
        pair: the seam and the solid's volume.
        isometry: lengths and area measured on the bent sheets.
        comparison: the article's finite-difference construction on an angle grid against ours.
        article: the article's construction on its own height grid.
    """

    pair: GluedPair
    isometry: Isometry
    comparison: SeamComparison
    article: ArticleConstruction


def solid(
    *,
    ratio: SolidRatio = 2.0,
    b: MinorAxis = 1.0,
    intervals: Intervals = 4000,
    article_steps: HeightStep = 1_000_000,
) -> SolidRun:
    """One pair of bent sheets for the 3-D figure, measured, and built again independently.

    The second sheet is the first turned by (x, y, z) ↦ (X − x, z, y). Measured on the bent
    surfaces, each with its change when the step is doubled: the bent long axis's length
    (should be a) and one sheet's area (πab). Built again by the article's construction
    (difference quotients and interpolation, no elliptic integral) on 2·``intervals`` equal
    eccentric angles, and on the article's own height grid of ``article_steps`` steps.

    Args:
        ratio: a/b of the sheets, 1.05 to 10 (a circle lies flat and draws nothing).
        b: minor semi-axis.
        intervals: arc-length steps along the quarter seam, a multiple of 4.
        article_steps: steps n of the article's height grid (step b/n; the article's 10⁶
            take about 0.2 s).
    """
    pair = _glue(ratio, b, intervals)
    table = difference_seam(*height_table(a=pair.seam.a, b=b, steps=article_steps))
    return SolidRun(
        pair=pair,
        isometry=measure_isometry(pair.seam),
        comparison=compare_with_differences(pair.seam, steps=2 * intervals),
        article=ArticleConstruction(
            steps=article_steps,
            step=b / article_steps,
            length=table.length,
            end_x=table.end_x,
            volume=table.volume,
            lowest=float(table.radicand.min()),
        ),
    )


def _distinct(values: Iterable[float]) -> list[float]:
    out = sorted({float(v) for v in values})
    if not out:
        raise ValueError("at least one axis ratio is needed")
    return out
