"""The run stage of the HSIC post: what is sampled and computed for each directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Random numbers are drawn in the same order as the one-stage reports
did, so the same seed gives the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Final

import annotated_types
import numpy as np

from computations.results import Array

from .estimators import (
    FloatArray,
    gaussian_gram,
    gram_pair,
    hsic,
    hsic_article,
    hsic_biased,
    hsic_unbiased,
    hsic_with_centring_matrix,
    pearson,
    pearson_permutation_test,
    pearson_standard_error,
    permutation_null_mean,
    permutation_test_from_grams,
)
from .gaussian import expected_hsic_biased_gaussian, linear_gaussian_covariance, population_hsic_gaussian
from .relationships import DependentRelationship, Relationship, population_pearson, sample_relationship

Relationships = Annotated[tuple[Relationship, ...], annotated_types.Len(min_length=1, max_length=5)]
SampleSize = Annotated[int, annotated_types.Interval(ge=20, le=2_000)]
PermutationCount = Annotated[int, annotated_types.Interval(ge=99, le=5_000)]
Noise = Annotated[float, annotated_types.Interval(ge=0.0, le=10.0)]
NoiseLevels = Annotated[
    tuple[Annotated[float, annotated_types.Interval(gt=0.0, le=10.0)], ...],
    annotated_types.Len(min_length=2, max_length=20),
]
Repeats = Annotated[int, annotated_types.Interval(ge=5, le=500)]
Bandwidth = Annotated[float, annotated_types.Interval(gt=0.0, le=100.0)]

#: The uncorrelated dependent shapes of the noise experiment's right panel, in drawing order.
UNCORRELATED_SHAPES: Final[tuple[Relationship, ...]] = ("quadratic", "circle", "sine")


# --------------------------------------------------------------------------- dependence


@dataclass(frozen=True)
class CaseRun:
    """One relationship's sample and what Pearson's r and HSIC make of it.

    Attributes:
        x: the sample's x values, shape (samples,).
        y: the paired y values, shape (samples,).
        population_r: the population correlation ρ of the shape.
        r: sample Pearson correlation.
        r_se: delta-method standard error of r under ρ = 0.
        hsic_biased: tr(KHLH)/n² with median bandwidths, the permutation test's statistic.
        hsic_unbiased: Song et al.'s unbiased estimate, same kernels.
        hsic_p: permutation p-value of the HSIC statistic.
        pearson_p: permutation p-value of |r| (same number of re-pairings).
    """

    x: Array
    y: Array
    population_r: float
    r: float
    r_se: float
    hsic_biased: float
    hsic_unbiased: float
    hsic_p: float
    pearson_p: float


@dataclass(frozen=True)
class DependenceRun:
    """Pearson's r against HSIC for each requested shape, in the requested order.

    Attributes:
        cases: relationship → its sample and statistics.
    """

    samples: int
    noise: float
    permutations: int
    cases: dict[Relationship, CaseRun]


def dependence(
    *,
    relationships: Relationships = ("independent", "linear", "quadratic", "circle", "sine"),
    samples: SampleSize = 500,
    noise: Noise = 0.1,
    permutations: PermutationCount = 200,
    rng: np.random.Generator,
) -> DependenceRun:
    """Pearson r against HSIC on shapes with and without correlation.

    For each relationship of :func:`~.relationships.sample_relationship`: the population and
    sample Pearson correlation, HSIC (biased and unbiased, median-heuristic bandwidths) and two
    permutation tests with the same number of re-pairings, one with the statistic HSIC and one
    with |r|.

    Args:
        relationships: shapes to draw, each once (duplicates dropped, order kept).
        samples: pairs per shape. A permutation costs about 0.3 ms at n = 500 and 3 ms at
            n = 1000 on the build machine.
        noise: noise scale c of the dependent shapes.
        permutations: random re-pairings per test; at least 99 so that p can reach α = 0.01.
        rng: the only source of randomness.
    """
    cases = {
        case: _analyse(case, samples=samples, noise=noise, permutations=permutations, rng=rng)
        for case in dict.fromkeys(relationships)
    }
    return DependenceRun(samples=samples, noise=noise, permutations=permutations, cases=cases)


def _analyse(case: Relationship, *, samples: int, noise: float, permutations: int, rng: np.random.Generator) -> CaseRun:
    x, y = sample_relationship(case, samples=samples, noise=noise, rng=rng)
    k, l = gram_pair(x, y)  # noqa: E741
    # The HSIC test draws its permutations before the |r| test: the order of the one-stage report.
    hsic_test = permutation_test_from_grams(k, l, permutations=permutations, rng=rng)
    pearson_test = pearson_permutation_test(x, y, permutations=permutations, rng=rng)
    return CaseRun(
        x=x,
        y=y,
        population_r=population_pearson(case, noise=noise),
        r=pearson(x, y),
        r_se=pearson_standard_error(x, y),
        hsic_biased=hsic_test.statistic,
        hsic_unbiased=hsic_unbiased(k, l),
        hsic_p=hsic_test.p_value,
        pearson_p=pearson_test.p_value,
    )


# --------------------------------------------------------------------------- noise


@dataclass(frozen=True)
class LinearEstimates:
    """Repeated estimates for y = x + c·ε (x, ε ~ N(0, 1)) at one noise level c, with closed forms.

    Attributes:
        biased: tr(KHLH)/n² per repeat, shape (repeats,).
        unbiased: Song et al.'s estimate per repeat, shape (repeats,).
        population: the population HSIC.
        biased_mean: the exact mean of tr(KHLH)/n² at this n.
        independent_mean: the exact mean of tr(KHLH)/n² at this n for independent x and y with
            the same marginals, (n − 1)(1 − E k)(1 − E l)/n²: the bias alone.
    """

    biased: Array
    unbiased: Array
    population: float
    biased_mean: float
    independent_mean: float


@dataclass(frozen=True)
class NoiseRun:
    """HSIC over noise levels: the linear Gaussian case and the uncorrelated shapes.

    Attributes:
        levels: the distinct noise scales c, sorted.
        linear: estimates at each level, aligned with ``levels``.
        shapes: shape → unbiased estimates at each level (each of shape (repeats,)), aligned
            with ``levels``; shapes in :data:`UNCORRELATED_SHAPES` order.
    """

    levels: tuple[float, ...]
    samples: int
    shape_samples: int
    repeats: int
    sigma: float
    linear: tuple[LinearEstimates, ...]
    shapes: dict[Relationship, tuple[Array, ...]]


def noise(
    *,
    noise_levels: NoiseLevels = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0),
    samples: SampleSize = 400,
    repeats: Repeats = 20,
    sigma: Bandwidth = 1.0,
    shape_samples: SampleSize = 200,
    rng: np.random.Generator,
) -> NoiseRun:
    """HSIC as the noise level c grows, with its closed form where one exists.

    Left panel: y = x + c·ε with x, ε ~ N(0, 1) and a fixed bandwidth σ (the article's σ = 1),
    so that the population HSIC and the exact mean of the biased estimate at n are known;
    ``repeats`` samples per c give the mean and spread of both estimators. Right panel: the
    uncorrelated shapes (quadratic, circle, sine) with median-heuristic bandwidths, unbiased
    HSIC only.

    Args:
        noise_levels: noise scales c (duplicates dropped, sorted), each in (0, 10].
        samples: pairs per sample on the left.
        repeats: samples per noise level (both panels).
        sigma: kernel bandwidth on the left, exp(−(x − x')²/σ²).
        shape_samples: pairs per sample on the right.
        rng: the only source of randomness.
    """
    levels = tuple(sorted(set(noise_levels)))
    linear = tuple(_linear_estimates(c, samples=samples, repeats=repeats, sigma=sigma, rng=rng) for c in levels)
    shapes = {
        case: tuple(_shape_estimates(case, c, samples=shape_samples, repeats=repeats, rng=rng) for c in levels)
        for case in UNCORRELATED_SHAPES
    }
    return NoiseRun(levels, samples, shape_samples, repeats, sigma, linear, shapes)


def _linear_estimates(
    noise: float, *, samples: int, repeats: int, sigma: float, rng: np.random.Generator
) -> LinearEstimates:
    biased, unbiased = np.empty(repeats), np.empty(repeats)
    for i in range(repeats):
        x = rng.standard_normal(samples)
        y = x + noise * rng.standard_normal(samples)
        k, l = gaussian_gram(x, sigma=sigma), gaussian_gram(y, sigma=sigma)  # noqa: E741
        biased[i], unbiased[i] = hsic_biased(k, l), hsic_unbiased(k, l)
    cov = linear_gaussian_covariance(noise)
    return LinearEstimates(
        biased=biased,
        unbiased=unbiased,
        population=population_hsic_gaussian(covariance=cov, sigma_x=sigma, sigma_y=sigma),
        biased_mean=expected_hsic_biased_gaussian(n=samples, covariance=cov, sigma_x=sigma, sigma_y=sigma),
        independent_mean=expected_hsic_biased_gaussian(
            n=samples, covariance=np.diag(np.diag(cov)), sigma_x=sigma, sigma_y=sigma
        ),
    )


def _shape_estimates(
    case: Relationship, noise: float, *, samples: int, repeats: int, rng: np.random.Generator
) -> FloatArray:
    unbiased = np.empty(repeats)
    for i in range(repeats):
        x, y = sample_relationship(case, samples=samples, noise=noise, rng=rng)
        unbiased[i] = hsic(x, y, unbiased=True)
    return unbiased


# --------------------------------------------------------------------------- permutation null


@dataclass(frozen=True)
class NullPanel:
    """One sample's permutation test, with the exact mean of its null distribution.

    Attributes:
        noise: the noise scale c the sample was drawn with (0 for the independent one).
        statistic: tr(KHLH)/n² of the observed pairing.
        p_value: (1 + #{null ≥ statistic}) / (1 + permutations).
        null: the statistic after each random re-pairing, shape (permutations,).
        exact_mean: the mean of the statistic over all n! re-pairings.
    """

    noise: float
    statistic: float
    p_value: float
    null: Array
    exact_mean: float

    @property
    def permutations(self) -> int:
        """Number of random re-pairings."""
        return int(self.null.size)


@dataclass(frozen=True)
class NullRun:
    """The permutation null of an independent sample and of one dependent shape.

    Attributes:
        panels: "independent", then ``relationship`` → its permutation test.
    """

    relationship: DependentRelationship
    noise: float
    samples: int
    panels: dict[Relationship, NullPanel]


def null(
    *,
    relationship: DependentRelationship = "quadratic",
    noise: Noise = 0.5,
    samples: SampleSize = 300,
    permutations: PermutationCount = 1_000,
    rng: np.random.Generator,
) -> NullRun:
    """The permutation null distribution of tr(KHLH)/n² against the observed statistic.

    Two samples: independent x, y ~ U[−1, 1], and one dependent shape. For each, the statistic
    over random re-pairings, its exact mean over all n! re-pairings
    (:func:`~.estimators.permutation_null_mean`) and the observed value.

    Args:
        relationship: the dependent shape (see :func:`~.relationships.sample_relationship`).
        noise: its noise scale c.
        samples: pairs per sample.
        permutations: random re-pairings per sample.
        rng: the only source of randomness.
    """
    panels = {}
    for case, c in (("independent", 0.0), (relationship, noise)):
        x, y = sample_relationship(case, samples=samples, noise=c, rng=rng)
        k, l = gram_pair(x, y)  # noqa: E741
        test = permutation_test_from_grams(k, l, permutations=permutations, rng=rng)
        panels[case] = NullPanel(
            noise=c,
            statistic=test.statistic,
            p_value=test.p_value,
            null=test.null,
            exact_mean=permutation_null_mean(k, l),
        )
    return NullRun(relationship=relationship, noise=noise, samples=samples, panels=panels)


# --------------------------------------------------------------------------- the article's demo


@dataclass(frozen=True)
class ArticleCase:
    """The article's estimator and the unbiased one over repeated samples of one case.

    Attributes:
        article: tr(KHLH)/(n−1)² per repeat (the article's estimator, computed in O(n²)),
            shape (repeats,).
        unbiased: Song et al.'s estimate per repeat, shape (repeats,).
        first_forms: on the first sample, the article's estimator three ways: the O(n²) form,
            the article's one-product code, and the literal trace with H, all scaled by
            1/(n−1)².
        population: the population HSIC in closed form.
        article_mean: the exact mean of the article's estimator at n.
    """

    article: Array
    unbiased: Array
    first_forms: tuple[float, float, float]
    population: float
    article_mean: float


@dataclass(frozen=True)
class ArticleDemoRun:
    """The article's numpy demo recomputed.

    Attributes:
        cases: "independent" (x, y ~ N(0, 1)) and "linear" (y = x + 0.1ε) → their runs.
    """

    samples: int
    repeats: int
    cases: dict[str, ArticleCase]


#: The article's two cases: covariance of (x, y) for x ~ N(0, 1).
ARTICLE_COVARIANCES: Final[Mapping[str, FloatArray]] = {
    "independent": np.eye(2),
    "linear": linear_gaussian_covariance(0.1),
}


def article_demo(
    *,
    samples: SampleSize = 1_000,
    repeats: Repeats = 20,
    rng: np.random.Generator,
) -> ArticleDemoRun:
    """The article's numpy demo, recomputed: n pairs, kernel exp(−(x − x')²), its estimator.

    Cases: x, y ~ N(0, 1) independent, and y = x + 0.1ε. For each, ``repeats`` samples of the
    article's estimator tr(KHLH)/(n−1)² and of the unbiased one, the three forms of the
    article's estimator on the first sample, the exact mean of the article's estimator at n,
    and the population HSIC in closed form.

    Args:
        samples: pairs per sample (the article: 1000). The O(n³) reference forms on the first
            sample dominate the cost at the article's n.
        repeats: samples per case for the means and standard deviations.
        rng: the only source of randomness.
    """
    cases = {
        case: _article_case(case, covariance, samples=samples, repeats=repeats, rng=rng)
        for case, covariance in ARTICLE_COVARIANCES.items()
    }
    return ArticleDemoRun(samples=samples, repeats=repeats, cases=cases)


def _article_case(
    case: str, covariance: FloatArray, *, samples: int, repeats: int, rng: np.random.Generator
) -> ArticleCase:
    article, unbiased = np.empty(repeats), np.empty(repeats)
    first_forms = (math.nan, math.nan, math.nan)
    scale = samples**2 / (samples - 1) ** 2
    for i in range(repeats):
        x = rng.standard_normal(samples)
        y = rng.standard_normal(samples) if case == "independent" else x + 0.1 * rng.standard_normal(samples)
        k, l = gaussian_gram(x, sigma=1.0), gaussian_gram(y, sigma=1.0)  # noqa: E741
        article[i], unbiased[i] = hsic_biased(k, l) * scale, hsic_unbiased(k, l)
        if i == 0:
            first_forms = (float(article[i]), hsic_article(k, l), hsic_with_centring_matrix(k, l) * scale)
    # The exact mean is of tr(KHLH)/n², rescaled as the article's estimator is (same order of
    # operations as the one-stage report, so the same rounding).
    exact_mean = expected_hsic_biased_gaussian(n=samples, covariance=covariance) * samples**2 / (samples - 1) ** 2
    return ArticleCase(
        article=article,
        unbiased=unbiased,
        first_forms=first_forms,
        population=population_hsic_gaussian(covariance=covariance),
        article_mean=exact_mean,
    )
