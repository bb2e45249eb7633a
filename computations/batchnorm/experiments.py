"""The run stage of the batch-normalisation post: what is sampled, trained and measured per directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Random numbers are drawn in the same order as the one-stage reports
did, so the same seed gives the same numbers.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import annotated_types
import numpy as np

from .descent import Curvature, Run, Smoothness, gradient_descent, hessian_top_eigenvalue, measure_smoothness
from .features import CenteringRow, Spectra, centering_row, feature_spectra, he_weights
from .network import (
    Architecture,
    Dataset,
    FloatArray,
    Placement,
    draw_weights,
    gradient_check,
    initial_parameters,
    sampled_gradient_error,
    teacher_dataset,
)

Width = Annotated[int, annotated_types.Interval(ge=2, le=512)]
Widths = Annotated[tuple[Width, ...], annotated_types.Len(min_length=1, max_length=8)]
FeatureSamples = Annotated[int, annotated_types.Interval(ge=1_000, le=200_000)]
LearningRate = Annotated[float, annotated_types.Interval(gt=0.0, le=1_000.0)]
LearningRates = Annotated[tuple[LearningRate, ...], annotated_types.Len(min_length=1, max_length=8)]
Placements = Annotated[tuple[Placement, ...], annotated_types.Len(min_length=1, max_length=3)]
Steps = Annotated[int, annotated_types.Interval(ge=10, le=2_000)]
Hidden = Annotated[int, annotated_types.Interval(ge=4, le=256)]
InputDim = Annotated[int, annotated_types.Interval(ge=2, le=256)]
Classes = Annotated[int, annotated_types.Interval(ge=2, le=20)]
TrainSamples = Annotated[int, annotated_types.Interval(ge=32, le=4_096)]
Multiples = Annotated[
    tuple[Annotated[float, annotated_types.Interval(gt=0.0, le=100.0)], ...],
    annotated_types.Len(min_length=1, max_length=8),
]
Every = Annotated[int, annotated_types.Interval(ge=1, le=500)]

#: Every placement, in the order the pages list them.
PLACEMENTS: tuple[Placement, ...] = typing.get_args(Placement)
#: Random coordinates on which the full-size networks' gradients are differenced.
SAMPLED_COORDINATES = 24


@dataclass(frozen=True)
class CenteringRun:
    """Random ReLU layers of several widths, exact and sampled, and the spectra of the widest.

    Attributes:
        samples: feature vectors per width.
        rows: one per width, in increasing order.
        spectra: eigenvalues of another layer of the largest width (drawn after the rows).
    """

    samples: int
    rows: tuple[CenteringRow, ...]
    spectra: Spectra


def centering(
    *,
    widths: Widths = (16, 32, 64, 128, 256),
    samples: FeatureSamples = 20_000,
    rng: np.random.Generator,
) -> CenteringRun:
    """Top eigenvalue of E[xxᵀ] for ReLU features, raw, centred and standardised.

    For each width d a He-initialised layer x = ReLU(Wh), W ∈ ℝ^{d×d}, h ~ N(0, I) is drawn;
    its exact moments come from the arc-cosine kernel (``features.relu_feature_moments``) and
    ``samples`` feature vectors give Monte Carlo estimates. E[xxᵀ] = Σ + μμᵀ, so
    ‖μ‖² + μᵀΣμ/‖μ‖² ≤ λ_max(E[xxᵀ]) ≤ ‖μ‖² + λ_max(Σ) (Rayleigh quotient at μ; Weyl).

    Args:
        widths: layer widths d (duplicates dropped, sorted), 2 to 512.
        samples: feature vectors per width.
        rng: the only source of randomness.
    """
    ds = sorted(set(widths))
    rows = tuple(centering_row(width=d, samples=samples, rng=rng) for d in ds)
    spectra = feature_spectra(he_weights(ds[-1], rng=rng))
    return CenteringRun(samples=samples, rows=rows, spectra=spectra)


@dataclass(frozen=True)
class TrainingRun:
    """Gradient descent with each BN placement at each learning rate, from shared weights.

    Attributes:
        steps: gradient steps per run.
        learning_rates: the distinct rates, increasing.
        runs: placement → one run per learning rate, in the order of ``learning_rates``.
        curvature: placement → λ_max(∇²L) at the initial point, with its Lanczos residual.
        gradient_errors: placement → the largest relative error of the hand-written gradient
            against central differences on a tiny network (3 → 5 → 4 → 3), every coordinate.
        sizes: layer widths of the trained network, input first.
        samples: training points (the full batch).
    """

    steps: int
    learning_rates: tuple[float, ...]
    runs: dict[Placement, tuple[Run, ...]]
    curvature: dict[Placement, Curvature]
    gradient_errors: dict[Placement, float]
    sizes: tuple[int, ...]
    samples: int


def training(
    *,
    learning_rates: LearningRates = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
    placements: Placements = ("none", "before_activation", "before_linear"),
    steps: Steps = 200,
    samples: TrainSamples = 256,
    input_dim: InputDim = 16,
    hidden: Hidden = 64,
    classes: Classes = 4,
    rng: np.random.Generator,
) -> TrainingRun:
    """Full-batch gradient descent with and without BN at several learning rates.

    One teacher-labelled data set and one set of initial weight matrices are shared by all
    runs; a run stops as diverged when the loss leaves the floating-point range or exceeds
    1000× the start. The curvature λ_max(∇²L) at the initial point (Lanczos on
    finite-difference Hessian-vector products) gives the descent-lemma threshold 2/λ_max.

    Args:
        learning_rates: step sizes η (duplicates dropped, sorted).
        placements: BN placements to train: none, before_activation, before_linear.
        steps: gradient steps per run.
        samples: training points (the full batch).
        input_dim: input dimension.
        hidden: width of both hidden layers.
        classes: number of classes.
        rng: the only source of randomness.
    """
    rates = sorted(set(learning_rates))
    kinds = _distinct_placements(placements)
    data, sizes, weights = _problem(samples=samples, input_dim=input_dim, hidden=hidden, classes=classes, rng=rng)
    runs: dict[Placement, tuple[Run, ...]] = {}
    curvature: dict[Placement, Curvature] = {}
    for placement in kinds:
        arch = Architecture(sizes=sizes, placement=placement)
        theta = initial_parameters(arch, weights)
        curvature[placement] = hessian_top_eigenvalue(theta, arch=arch, data=data, rng=rng)
        runs[placement] = tuple(
            gradient_descent(theta, arch=arch, data=data, learning_rate=rate, steps=steps) for rate in rates
        )
    # Drawn last, after every Lanczos start vector, as the one-stage report did.
    gradient_errors = {placement: gradient_check(placement, rng=rng) for placement in kinds}
    return TrainingRun(steps, tuple(rates), runs, curvature, gradient_errors, sizes=sizes, samples=samples)


@dataclass(frozen=True)
class SmoothnessRun:
    """Smoothness measures along gradient-descent trajectories, from shared weights.

    Attributes:
        learning_rates: the distinct rates, increasing.
        traces: learning rate → placement → the trajectory and its probes.
        gradient_errors: placement → max |analytic − central difference| / ‖∇L‖ of the
            full-size network at its initial point, over :data:`SAMPLED_COORDINATES` coordinates.
    """

    learning_rates: tuple[float, ...]
    traces: dict[float, dict[Placement, Smoothness]]
    gradient_errors: dict[Placement, float]


def smoothness(
    *,
    learning_rates: LearningRates = (0.1, 1.0),
    placements: Placements = ("none", "before_activation", "before_linear"),
    steps: Steps = 200,
    every: Every = 10,
    multiples: Multiples = (0.5, 1.0, 2.0, 4.0),
    samples: TrainSamples = 256,
    input_dim: InputDim = 16,
    hidden: Hidden = 64,
    classes: Classes = 4,
    rng: np.random.Generator,
) -> SmoothnessRun:
    """Gradient predictiveness and effective β-smoothness along the training trajectory.

    Same data, network and initial weights as :func:`training` with the same seed. Every
    ``every`` steps, from the current iterate w with gradient g, the gradient is evaluated
    again at w − s g for s = m·η, m in ``multiples`` (Santurkar et al. 2018, §3.1).

    Args:
        learning_rates: step sizes η of the trajectories (duplicates dropped, sorted).
        placements: BN placements: none, before_activation, before_linear.
        steps: gradient steps per trajectory.
        every: probe the landscape every this many steps.
        multiples: probe steps in units of η.
        samples: training points (the full batch).
        input_dim: input dimension.
        hidden: width of both hidden layers.
        classes: number of classes.
        rng: the only source of randomness.
    """
    rates = sorted(set(learning_rates))
    kinds = _distinct_placements(placements)
    data, sizes, weights = _problem(samples=samples, input_dim=input_dim, hidden=hidden, classes=classes, rng=rng)
    traces: dict[float, dict[Placement, Smoothness]] = {rate: {} for rate in rates}
    errors: dict[Placement, float] = {}
    for placement in kinds:
        arch = Architecture(sizes=sizes, placement=placement)
        theta = initial_parameters(arch, weights)
        errors[placement] = sampled_gradient_error(
            theta, arch=arch, data=data, coordinates=SAMPLED_COORDINATES, rng=rng
        )
        for rate in rates:
            traces[rate][placement] = measure_smoothness(
                theta, arch=arch, data=data, learning_rate=rate, steps=steps, every=every, multiples=multiples
            )
    return SmoothnessRun(tuple(rates), traces, errors)


def _problem(
    *, samples: int, input_dim: int, hidden: int, classes: int, rng: np.random.Generator
) -> tuple[Dataset, tuple[int, ...], list[FloatArray]]:
    """The teacher's data and the network's sizes and initial weights, drawn in this order."""
    data = teacher_dataset(samples=samples, input_dim=input_dim, classes=classes, rng=rng)
    sizes = (input_dim, hidden, hidden, classes)
    return data, sizes, draw_weights(sizes, rng=rng)


def _distinct_placements(placements: Sequence[Placement]) -> list[Placement]:
    return sorted(set(placements), key=PLACEMENTS.index)
