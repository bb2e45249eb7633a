"""Full-batch gradient descent on the network, and what it reveals about the loss landscape.

A run records the loss before every step; the curvature λ_max(∇²L) at a point comes from
Lanczos on Hessian-vector products; the smoothness measures of Santurkar et al. (2018, §3.1)
probe the gradient a few step lengths ahead along the trajectory. No figures and no wording
here. The loss is looked up as ``loss_and_gradient`` in this module, so a test can put a
quadratic with a known Hessian in its place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from computations.results import Array

from .network import Architecture, Dataset, FloatArray, Placement, loss_and_gradient, loss_gradient_and_pattern

#: A run counts as trained when its final loss is below this fraction of its initial loss.
TRAINED_FRACTION: Final = 0.1
#: A run is stopped as diverged once its loss exceeds this multiple of the initial loss.
DIVERGED_FACTOR: Final = 1_000.0

Outcome = Literal["diverged", "not_trained", "monotone", "rebounded"]


@dataclass(frozen=True)
class Run:
    """Full-batch gradient descent at one learning rate.

    Attributes:
        placement: where BN sits.
        learning_rate: η.
        losses: loss before each step, shape (steps + 1,); NaN after a divergence stop.
    """

    placement: Placement
    learning_rate: float
    losses: Array

    @property
    def initial(self) -> float:
        return float(self.losses[0])

    @property
    def diverged(self) -> bool:
        return bool(np.isnan(self.losses[-1]))

    @property
    def final(self) -> float:
        return float(self.losses[-1])

    @property
    def peak(self) -> float:
        return float(np.nanmax(self.losses))

    @property
    def trained(self) -> bool:
        return not self.diverged and self.final <= TRAINED_FRACTION * self.initial

    @property
    def rises(self) -> int:
        """Number of steps after which the loss was higher than before (a divergence counts)."""
        finite = self.losses[np.isfinite(self.losses)]
        return int(np.count_nonzero(np.diff(finite) > 0.0)) + int(self.diverged)

    @property
    def monotone(self) -> bool:
        """Trained, and the loss went down at every step: what the descent lemma promises for η < 2/L."""
        return self.trained and self.rises == 0

    @property
    def outcome(self) -> Outcome:
        """The run in one word: diverged, not trained, monotone, or trained after rebounds."""
        if self.diverged:
            return "diverged"
        if not self.trained:
            return "not_trained"
        return "monotone" if self.monotone else "rebounded"


def gradient_descent(
    theta: FloatArray,
    *,
    arch: Architecture,
    data: Dataset,
    learning_rate: float,
    steps: int,
    probe: Callable[[int, FloatArray, float, FloatArray], None] | None = None,
) -> Run:
    """θ ← θ − η ∇L(θ) for ``steps`` steps; stops once the loss is non-finite or > 1000× the start.

    ``probe(t, θ_t, L(θ_t), ∇L(θ_t))`` is called before every step (used to measure smoothness).
    """
    losses = np.full(steps + 1, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            loss, grad = loss_and_gradient(theta, arch=arch, data=data)
            if not math.isfinite(loss) or (t > 0 and loss > DIVERGED_FACTOR * losses[0]):
                break
            losses[t] = loss
            if t == steps:
                break
            if probe is not None:
                probe(t, theta, loss, grad)
            theta = theta - learning_rate * grad
    return Run(placement=arch.placement, learning_rate=learning_rate, losses=losses)


@dataclass(frozen=True)
class Curvature:
    """The top eigenvalue λ of a Hessian and the relative residual ‖Hv − λv‖/|λ| of its vector."""

    eigenvalue: float
    residual: float


def hessian_top_eigenvalue(
    theta: FloatArray, *, arch: Architecture, data: Dataset, rng: np.random.Generator
) -> Curvature:
    """λ_max(∇²L(θ)) by Lanczos (ARPACK) on finite-difference Hessian-vector products.

    Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε with ε = 1e-4 for unit v, with the ReLU pattern of θ
    frozen: the Hessian of a ReLU network is that of its current linear region, and a
    difference that let units switch on or off would not be a linear map of v. Truncation
    O(ε²), rounding about 1e-12. The residual of the returned pair is measured with a fresh
    product at ε/2, an independent check of the pair.
    """
    _, _, masks = loss_gradient_and_pattern(theta, arch=arch, data=data)

    def hvp(vector: FloatArray, eps: float = 1e-4) -> FloatArray:
        v = np.ravel(vector)
        scale = float(np.linalg.norm(v))
        if scale == 0.0:
            return np.zeros_like(v)
        u = eps * v / scale
        plus = loss_gradient_and_pattern(theta + u, arch=arch, data=data, masks=masks)[1]
        minus = loss_gradient_and_pattern(theta - u, arch=arch, data=data, masks=masks)[1]
        return (plus - minus) * (scale / (2.0 * eps))

    size = theta.size
    operator = LinearOperator((size, size), matvec=hvp, dtype=np.float64)
    values, vectors = eigsh(operator, k=1, which="LA", v0=rng.standard_normal(size), tol=1e-8, maxiter=400)
    value, vector = float(values[0]), vectors[:, 0]
    residual = float(np.linalg.norm(hvp(vector, eps=5e-5) - value * vector)) / abs(value)
    return Curvature(eigenvalue=value, residual=residual)


@dataclass(frozen=True)
class Smoothness:
    """Santurkar et al.'s landscape measures along one gradient-descent trajectory.

    At every probed iterate w_t with gradient g_t and for each probe step s = m·η (m in
    ``multiples``) the gradient ∇L(w_t − s g_t) and loss L(w_t − s g_t) are evaluated.

    Attributes:
        run: the trajectory itself.
        multiples: the probe steps in units of η, shape (m,).
        steps: probed iterations t, shape (p,).
        gradient_norm: ‖g_t‖, shape (p,).
        gradient_change: ‖∇L(w_t) − ∇L(w_t − s g_t)‖, shape (p, m).
        probe_loss: L(w_t − s g_t), shape (p, m).
    """

    run: Run
    multiples: Array
    steps: Array
    gradient_norm: Array
    gradient_change: Array
    probe_loss: Array

    @property
    def ratios(self) -> FloatArray:
        """‖∇L(w) − ∇L(w − s g)‖ / ‖s g‖ for every probe, shape (p, m)."""
        step_lengths = np.outer(self.gradient_norm, self.multiples * self.run.learning_rate)
        return self.gradient_change / step_lengths

    @property
    def beta(self) -> FloatArray:
        """Effective β-smoothness: the largest ratio over the probe steps, shape (p,)."""
        return self.ratios.max(axis=1)


def measure_smoothness(
    theta: FloatArray,
    *,
    arch: Architecture,
    data: Dataset,
    learning_rate: float,
    steps: int,
    every: int,
    multiples: Sequence[float],
) -> Smoothness:
    """Train by full-batch gradient descent and probe the landscape every ``every`` steps."""
    factors = np.asarray(sorted(set(multiples)), dtype=np.float64)
    probed: list[int] = []
    norms: list[float] = []
    changes: list[list[float]] = []
    losses: list[list[float]] = []

    def probe(t: int, w: FloatArray, _loss: float, grad: FloatArray) -> None:
        if t % every:
            return
        probed.append(t)
        norms.append(float(np.linalg.norm(grad)))
        row_change, row_loss = [], []
        for factor in factors:
            loss, moved = loss_and_gradient(w - factor * learning_rate * grad, arch=arch, data=data)
            row_change.append(float(np.linalg.norm(moved - grad)))
            row_loss.append(loss)
        changes.append(row_change)
        losses.append(row_loss)

    run = gradient_descent(theta, arch=arch, data=data, learning_rate=learning_rate, steps=steps, probe=probe)
    shape = (len(probed), factors.size)
    return Smoothness(
        run=run,
        multiples=factors,
        steps=np.asarray(probed, dtype=np.int64),
        gradient_norm=np.asarray(norms),
        gradient_change=np.asarray(changes, dtype=np.float64).reshape(shape),
        probe_loss=np.asarray(losses, dtype=np.float64).reshape(shape),
    )
