"""Measurements that show what each output of a masked Transformer depends on.

Two probes: replace inputs and watch every output move (:func:`measure_leaks`), and run a
permuted language model both as a shuffled mask and as a causal mask on reordered inputs
(:func:`compare_orders`). Results are frozen dataclasses of arrays, stored as they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from computations.results import Array

from .theory import BoolArray, MaskSpec, causal_mask, lm_spec
from .transformer import FloatArray, Transformer, forward, position_embeddings

#: An output counts as unchanged when it moved by at most this much (with −∞ in the mask the
#: measured change is exactly 0).
HIDDEN_TOLERANCE: Final = 1e-12
#: An output counts as changed when it moved by at least this much (measured minima are
#: around 0.1 with the default stack: five orders of magnitude of margin).
VISIBLE_THRESHOLD: Final = 1e-6


@dataclass(frozen=True)
class LeakMeasurement:
    """How much each output moved when inputs were replaced by other tokens' embeddings.

    Attributes:
        spec: the mask under test.
        single: (n, n); ``single[i, j]`` = max over features of |Δ output i| when input j
            alone is replaced.
        all_hidden: (n,); max |Δ output i| when every input that i must not see is replaced
            at once (NaN where i sees everything).
        first_layer: (n, n); as ``single``, for the first block of the stack alone (same
            inputs and substitutes). One attention layer reads exactly what the mask allows,
            so comparing it with ``single`` shows whether stacking blocks opened new paths.
    """

    spec: MaskSpec
    single: Array
    all_hidden: Array
    first_layer: Array

    @property
    def hidden_max(self) -> float:
        """Largest change of any output under any perturbation of inputs it must not see."""
        hidden = ~self.spec.allowed
        if not hidden.any():
            return 0.0
        return max(float(self.single[hidden].max()), float(np.nanmax(self.all_hidden)))

    @property
    def visible_min(self) -> float:
        """Smallest change of an output when one input it may see is replaced."""
        return float(self.single[self.spec.allowed].min())

    @property
    def measured(self) -> BoolArray:
        """Which outputs responded to which inputs (change above the visibility threshold)."""
        return self.single >= VISIBLE_THRESHOLD

    @property
    def measured_first_layer(self) -> BoolArray:
        """Which outputs of the first block alone responded to which inputs."""
        return self.first_layer >= VISIBLE_THRESHOLD


def measure_leaks(spec: MaskSpec, model: Transformer, rng: np.random.Generator) -> LeakMeasurement:
    """Replace inputs of ``spec``'s sequence and record how every output moves.

    Inputs are random token embeddings (N(0, 1) per feature) plus sinusoidal positions; a
    replaced input gets a fresh token embedding at the same position, as if another token
    stood there. One forward pass per replaced input gives a whole column of ``single``; the
    same passes through the first block alone give ``first_layer``.
    ``rng`` draws the inputs (n × d normals), then the substitutes (n × d normals).
    """
    n, width = len(spec.tokens), model.width
    positions = position_embeddings(n, width)
    x = rng.standard_normal((n, width)) + positions
    substitutes = rng.standard_normal((n, width)) + positions

    def changes(stack: Transformer, replaced: BoolArray, base: FloatArray) -> FloatArray:
        moved = forward(stack, np.where(replaced[:, None], substitutes, x), spec.allowed)
        return np.abs(moved - base).max(axis=1)

    def columns(stack: Transformer) -> FloatArray:
        base, eye = forward(stack, x, spec.allowed), np.eye(n, dtype=bool)
        return np.column_stack([changes(stack, eye[j], base) for j in range(n)])

    first = Transformer(blocks=model.blocks[:1], heads=model.heads)
    base = forward(model, x, spec.allowed)
    all_hidden = np.array(
        [changes(model, ~spec.allowed[i], base)[i] if not spec.allowed[i].all() else np.nan for i in range(n)]
    )
    return LeakMeasurement(spec=spec, single=columns(model), all_hidden=all_hidden, first_layer=columns(first))


@dataclass(frozen=True)
class OrderComparison:
    """The shuffled-mask model against the causal model on reordered inputs, for one order.

    Attributes:
        order: 1-based generation order of the sentence's characters.
        travelling: max |Δ| when each token keeps its position embedding (the article's
            input of (token, original position) pairs in generation order); expected at
            rounding level.
        renumbered: max |Δ| when positions are renumbered 0…n−1 after reordering; expected
            of order 1, showing the position ids are what carries the order.
    """

    order: tuple[int, ...]
    travelling: float
    renumbered: float


def compare_orders(
    model: Transformer, *, sentence: str, order: Sequence[int], rng: np.random.Generator
) -> OrderComparison:
    """Run one permuted language model both ways (see :class:`OrderComparison`).

    ``rng`` draws the token embeddings (n × d normals) of ``<s>`` + ``sentence``.
    """
    spec = lm_spec("shuffled", sentence, order)
    assert spec.ranks is not None  # a language model's spec always has them
    n, width = len(spec.tokens), model.width
    tokens = rng.standard_normal((n, width))
    positions = position_embeddings(n, width)
    shuffled = forward(model, tokens + positions, spec.allowed)
    read = np.argsort(spec.ranks)  # read[r] = position read at step r
    causal = causal_mask(n)
    travelling = forward(model, (tokens + positions)[read], causal)
    renumbered = forward(model, tokens[read] + positions, causal)
    return OrderComparison(
        order=tuple(order),
        travelling=float(np.abs(travelling - shuffled[read]).max()),
        renumbered=float(np.abs(renumbered - shuffled[read]).max()),
    )


def distinct_orders(first: Sequence[int], *, extra: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """``first`` followed by ``extra`` other generation orders drawn uniformly without repeats.

    Fewer are returned when the sentence has fewer than ``extra`` + 1 orders in all (m!).
    """
    wanted = 1 + min(extra, math.factorial(len(first)) - 1)
    orders = {tuple(first): None}
    while len(orders) < wanted:
        orders.setdefault(tuple(int(p) + 1 for p in rng.permutation(len(first))), None)
    return list(orders)
