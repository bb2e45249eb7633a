"""The run stage of the angle post: what is sampled and computed for each directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Random numbers are drawn in the same order as the one-stage reports
did, so the same seed gives the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Final

import annotated_types
import numpy as np

from computations.results import Array

from .theory import (
    AngleMoments,
    CosineVariance,
    angle_variance,
    angle_variance_series,
    angle_variance_series_tail_bound,
    concentration_probability,
    distinct_dimensions,
    estimate_cosine_variance,
    estimate_moments,
    histogram_p_value,
    sample_angles,
    sample_cosines,
)

Dimension = Annotated[int, annotated_types.Interval(ge=2, le=10_000)]
Dimensions = Annotated[tuple[Dimension, ...], annotated_types.Len(min_length=1, max_length=12)]
SampleSize = Annotated[int, annotated_types.Interval(ge=1_000, le=200_000)]
BinCount = Annotated[int, annotated_types.Interval(ge=10, le=200)]
DeltaDegrees = Annotated[float, annotated_types.Interval(gt=0.0, lt=90.0)]


@dataclass(frozen=True)
class DensityRun:
    """Histograms of sampled angles per dimension, with their moments and χ² p-values.

    Attributes:
        ns: the distinct dimensions, sorted.
        samples: pairs of vectors per dimension.
        edges: histogram bin edges on [0, π], shape (bins + 1,).
        mc_density: n → normalised histogram, shape (bins,).
        moments: n → mean and variance of θ with standard errors.
        exact_variance: n → Var_n(θ) by quadrature.
        p_values: n → χ² goodness-of-fit p-value against p_n.
    """

    ns: tuple[int, ...]
    samples: int
    edges: Array
    mc_density: dict[int, Array]
    moments: dict[int, AngleMoments]
    exact_variance: dict[int, float]
    p_values: dict[int, float]


def density(
    *,
    dims: Dimensions = (2, 3, 5, 10, 20, 50, 100),
    samples: SampleSize = 20_000,
    bins: BinCount = 60,
    rng: np.random.Generator,
) -> DensityRun:
    """Monte Carlo histograms of θ, to be drawn against the closed-form density p_n(θ).

    For each n, draws ``samples`` pairs of N(0, I_n) vectors and bins their angles (the
    article's figure of p(θ)).

    Args:
        dims: dimensions n to draw (duplicates dropped, sorted), each 2 to 10 000.
        samples: pairs of vectors per dimension. Sampling costs about 0.25 s per 10⁷
            pairs × dimensions on the build machine (n = 1000 with 20 000 pairs: 0.45 s).
        bins: histogram bins on [0, π].
        rng: the only source of randomness.
    """
    ns = distinct_dimensions(dims)
    edges = np.linspace(0.0, math.pi, bins + 1)
    mc_density, moments, p_values = {}, {}, {}
    for n in ns:
        theta = sample_angles(n=n, samples=samples, rng=rng)
        moments[n] = estimate_moments(theta)
        p_values[n] = histogram_p_value(theta, n=n, edges=edges)
        mc_density[n], _ = np.histogram(theta, bins=edges, density=True)
    exact = {n: angle_variance(n=n) for n in ns}
    return DensityRun(tuple(ns), samples, edges, mc_density, moments, exact, p_values)


#: Terms of the series for Var_n(θ); its truncation error is bounded by
#: :func:`~.theory.angle_variance_series_tail_bound`.
SERIES_TERMS: Final = 100_000
#: Relative error allowed between quadrature and series beyond the series' truncation: the
#: quadrature's 1e-12 (see :func:`~.theory.angle_variance`) plus rounding in a sum of
#: SERIES_TERMS positive terms (at most one unit in the last place, 2⁻⁵², per term).
SERIES_ROUNDING: Final = 1e-12 + SERIES_TERMS * 2.0**-52


@dataclass(frozen=True)
class MomentsRun:
    """Exact and Monte Carlo moments of θ per dimension (the article's variance table).

    Attributes:
        ns: the distinct dimensions, sorted.
        samples: pairs of vectors per dimension.
        exact_variance: n → Var_n(θ) by quadrature.
        series_variance: n → Var_n(θ) by the series, SERIES_TERMS terms.
        series_tolerance: n → how far quadrature and series may differ: the series' tail
            bound plus SERIES_ROUNDING relative.
        moments: n → Monte Carlo mean and variance of θ with standard errors.
        cosine_variance: n → Monte Carlo Var(cos θ) of the same pairs, to compare with 1/n.
    """

    ns: tuple[int, ...]
    samples: int
    exact_variance: dict[int, float]
    series_variance: dict[int, float]
    series_tolerance: dict[int, float]
    moments: dict[int, AngleMoments]
    cosine_variance: dict[int, CosineVariance]


def moments(
    *,
    dims: Dimensions = (3, 10, 20, 50, 100, 200, 1000),
    samples: SampleSize = 20_000,
    rng: np.random.Generator,
) -> MomentsRun:
    """The article's variance table, recomputed exactly (quadrature and series) and by Monte Carlo.

    The angles are the arccosines of the sampled cosines, so one draw per n gives both the
    moments of θ and Var(cos θ) (the same random numbers as drawing the angles directly).

    Args:
        dims: dimensions n, one table row each (duplicates dropped, sorted), 2 to 10 000.
        samples: pairs of vectors per dimension. Sampling costs about 0.25 s per 10⁷
            pairs × dimensions on the build machine (n = 1000 with 20 000 pairs: 0.45 s).
        rng: the only source of randomness.
    """
    ns = distinct_dimensions(dims)
    exact = {n: angle_variance(n=n) for n in ns}
    series = {n: angle_variance_series(n=n, terms=SERIES_TERMS) for n in ns}
    tolerance = {n: angle_variance_series_tail_bound(n=n, terms=SERIES_TERMS) + SERIES_ROUNDING * exact[n] for n in ns}
    estimates, cosine = {}, {}
    for n in ns:
        cosines = sample_cosines(n=n, samples=samples, rng=rng)
        estimates[n] = estimate_moments(np.arccos(cosines))
        cosine[n] = estimate_cosine_variance(cosines)
    return MomentsRun(tuple(ns), samples, exact, series, tolerance, estimates, cosine)


@dataclass(frozen=True)
class ConcentrationRun:
    """How the angle concentrates at 90°: exact and sampled P(|θ − π/2| < δ) and sd(θ).

    Attributes:
        observed: n → fraction of sampled angles within δ of π/2.
        binomial_se: n → √(p(1−p)/N) with the exact p.
    """

    ns: tuple[int, ...]
    samples: int
    delta_degrees: float
    exact_probability: dict[int, float]
    exact_sd: dict[int, float]
    observed: dict[int, float]
    binomial_se: dict[int, float]
    moments: dict[int, AngleMoments]


def concentration(
    *,
    dims: Dimensions = (2, 3, 5, 10, 20, 50, 100, 200, 500, 1000),
    delta_degrees: DeltaDegrees = 5.0,
    samples: SampleSize = 20_000,
    rng: np.random.Generator,
) -> ConcentrationRun:
    """P(|θ − π/2| < δ) and sd(θ), exact (I_{sin² δ}(½, (n−1)/2) and √Var_n) and sampled.

    Args:
        dims: dimensions n with Monte Carlo estimates (duplicates dropped, sorted), 2 to 10 000.
        delta_degrees: half-width δ of the band around 90°, in degrees.
        samples: pairs of vectors per dimension. Sampling costs about 0.25 s per 10⁷
            pairs × dimensions on the build machine (n = 1000 with 20 000 pairs: 0.45 s).
        rng: the only source of randomness.
    """
    ns = distinct_dimensions(dims)
    delta = math.radians(delta_degrees)
    exact_p = {n: concentration_probability(n=n, delta=delta) for n in ns}
    exact_sd = {n: math.sqrt(angle_variance(n=n)) for n in ns}
    observed, estimates = {}, {}
    for n in ns:
        theta = sample_angles(n=n, samples=samples, rng=rng)
        observed[n] = float(np.mean(np.abs(theta - math.pi / 2.0) < delta))
        estimates[n] = estimate_moments(theta)
    binomial_se = {n: math.sqrt(exact_p[n] * (1.0 - exact_p[n]) / samples) for n in ns}
    return ConcentrationRun(tuple(ns), samples, delta_degrees, exact_p, exact_sd, observed, binomial_se, estimates)
