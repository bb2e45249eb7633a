"""Langevin dynamics with a score field: plain, annealed (Song & Ermon 2019) and noise-free.

The article's iteration is x ← x + ½α ∇log p(x) + √α z, z ~ N(0, I). Between two well-separated
modes a chain practically never crosses, so plain Langevin keeps the share of chains each mode's
basin of attraction received at the start; annealing through a decreasing ladder of σ lets the
chains spread over one broad mode first. No figures and no wording here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .theory import FloatArray, GaussianMixture, assign_modes, score

ScoreField = Callable[[FloatArray], FloatArray]


def langevin(
    start: FloatArray,
    *,
    score_field: ScoreField,
    step: float,
    steps: int,
    record_every: int,
    rng: np.random.Generator,
) -> FloatArray:
    """The article's Langevin iteration x ← x + ½α ∇log p(x) + √α z, z ~ N(0, I), for many chains.

    Args:
        start: initial points, shape (n, 2), one chain each.
        score_field: ∇log p at points of shape (n, 2).
        step: α > 0.
        steps: number of iterations.
        record_every: keep the chains after every ``record_every`` iterations.
        rng: the only source of randomness (one (n, 2) normal block per iteration).

    Returns:
        Snapshots of shape (steps // record_every, n, 2); the last is the final state when
        ``record_every`` divides ``steps``.
    """
    points = np.array(start, dtype=np.float64)
    root = math.sqrt(step)
    snapshots = []
    for iteration in range(1, steps + 1):
        points += 0.5 * step * score_field(points) + root * rng.standard_normal(points.shape)
        if iteration % record_every == 0:
            snapshots.append(points.copy())
    return np.asarray(snapshots).reshape(-1, *points.shape)


def annealed_langevin(
    start: FloatArray,
    *,
    score_at: Callable[[float], ScoreField],
    sigmas: Sequence[float],
    step: float,
    steps_per_level: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Annealed Langevin dynamics (Song & Ermon 2019, algorithm 1).

    For each σ_i of the decreasing ``sigmas`` in turn, run ``steps_per_level`` Langevin steps on
    p_{σ_i} with step α_i = step · σ_i²/σ_L², starting from where the previous level stopped.
    The step is ∝ σ_i² so that α_i/Var keeps the same order at every level.

    Args:
        start: initial points, shape (n, 2).
        score_at: σ ↦ the score field of p_σ.
        sigmas: σ_1 > … > σ_L.
        step: α_L, the step at the last (smallest) level.
        steps_per_level: T.
        rng: the only source of randomness.

    Returns:
        The chains at the end of every level, shape (L, n, 2).
    """
    last = sigmas[-1]
    points = np.array(start, dtype=np.float64)
    snapshots = []
    for sigma in sigmas:
        alpha = step * (sigma / last) ** 2
        points = langevin(
            points,
            score_field=score_at(sigma),
            step=alpha,
            steps=steps_per_level,
            record_every=steps_per_level,
            rng=rng,
        )[-1]
        snapshots.append(points)
    return np.asarray(snapshots)


def gradient_flow(start: FloatArray, *, score_field: ScoreField, step: float, steps: int) -> FloatArray:
    """Langevin without noise, x ← x + ½α ∇log p(x): where each start point drains to."""
    points = np.array(start, dtype=np.float64)
    for _ in range(steps):
        points += 0.5 * step * score_field(points)
    return points


def basin_shares(target: GaussianMixture, *, half_width: float) -> FloatArray:
    """Area shares of the square [−half_width, half_width]² that the noise-free flow carries to each cell.

    The flow on ``target`` runs from the centres of a 100 × 100 grid of the square, with α half
    the smallest variance of ``target`` (stable and monotone along the stiffest direction) for a
    total time of 20 times the largest variance, enough to cross the square and settle. Each end
    point is assigned to its cell under ``target`` (:func:`~.theory.assign_modes`).

    Returns:
        Array of shape (K,) summing to 1.
    """
    eigenvalues = np.linalg.eigvalsh(target.covariances)
    alpha = 0.5 * float(eigenvalues.min())
    steps = math.ceil(40.0 * float(eigenvalues.max()) / alpha)
    centres = (np.arange(100) + 0.5) / 100 * 2.0 * half_width - half_width
    first, second = np.meshgrid(centres, centres, indexing="ij")
    start = np.stack([first.ravel(), second.ravel()], axis=1)
    end = gradient_flow(start, score_field=lambda points: score(points, mixture=target), step=alpha, steps=steps)
    return np.bincount(assign_modes(end, mixture=target), minlength=target.components) / start.shape[0]
