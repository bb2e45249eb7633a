"""The run stage of the mask post: what is built and measured for each directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. The two figure directives only build masks (no random numbers, so no
``rng``); the leak test and the permutation test draw the Transformer's weights, then their
inputs, in the same order as the one-stage reports did, so the same seed gives the same
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import annotated_types
import numpy as np

from .probes import LeakMeasurement, OrderComparison, compare_orders, distinct_orders, measure_leaks
from .theory import ORDER, SENTENCE, SOURCE, TARGET, MaskSpec, build_masks, lm_spec
from .transformer import random_transformer

Text = Annotated[str, annotated_types.Len(min_length=2, max_length=12)]
Order = Annotated[tuple[int, ...], annotated_types.Len(min_length=2, max_length=12)]
Layers = Annotated[int, annotated_types.Interval(ge=1, le=12)]
Width = Annotated[int, annotated_types.Interval(ge=4, le=128)]
Heads = Annotated[int, annotated_types.Interval(ge=1, le=8)]
OrderCount = Annotated[int, annotated_types.Interval(ge=0, le=50)]
MaskKind = Literal["bidirectional", "unidirectional", "reverse", "shuffled", "naive_seq2seq", "unilm"]
MaskKinds = Annotated[tuple[MaskKind, ...], annotated_types.Len(min_length=1, max_length=6)]


@dataclass(frozen=True)
class LmFiguresRun:
    """The forward, shuffled and reverse language-model masks, in that order.

    Attributes:
        sentence: the example the masks are drawn for.
        order: the shuffled model's generation order (1-based positions of ``sentence``).
        masks: one spec per kind: unidirectional, shuffled, reverse.
    """

    sentence: str
    order: tuple[int, ...]
    masks: tuple[MaskSpec, ...]


def lm_figures(*, sentence: Text = SENTENCE, order: Order = ORDER) -> LmFiguresRun:
    """The forward, shuffled and reverse language-model masks on ``<s>`` + ``sentence``.

    Args:
        sentence: the example, one token per character (2–12 characters).
        order: generation order of the shuffled model, the 1-based positions of the
            sentence's characters (the article: 4, 2, 5, 3, 1).

    Raises:
        ValueError: ``order`` is not a generation order of ``sentence``.
    """
    specs = build_masks(["unidirectional", "shuffled", "reverse"], sentence=sentence, order=order)
    return LmFiguresRun(sentence=sentence, order=tuple(order), masks=tuple(specs))


@dataclass(frozen=True)
class Seq2SeqFiguresRun:
    """Three masks on ``[CLS] source [SEP] target [SEP]``: bidirectional, causal, UniLM."""

    source: str
    target: str
    masks: tuple[MaskSpec, ...]


def seq2seq_figures(*, source: Text = SOURCE, target: Text = TARGET) -> Seq2SeqFiguresRun:
    """The bidirectional, naive causal and UniLM masks on the concatenated pair.

    Args:
        source: the input sentence, one token per character (2–12 characters).
        target: the target sentence (2–12 characters).
    """
    specs = build_masks(["bidirectional", "naive_seq2seq", "unilm"], source=source, target=target)
    return Seq2SeqFiguresRun(source=source, target=target, masks=tuple(specs))


@dataclass(frozen=True)
class LeakTestRun:
    """One random Transformer's measured dependencies under each mask.

    Attributes:
        layers: blocks of the Transformer.
        width: its model width.
        heads: its attention heads.
        measurements: one per mask, in the order the directive named them (repeats dropped).
    """

    layers: int
    width: int
    heads: int
    measurements: tuple[LeakMeasurement, ...]


def leak_test(
    *,
    masks: MaskKinds = ("bidirectional", "unidirectional", "shuffled", "unilm"),
    sentence: Text = SENTENCE,
    order: Order = ORDER,
    source: Text = SOURCE,
    target: Text = TARGET,
    layers: Layers = 4,
    width: Width = 16,
    heads: Heads = 2,
    rng: np.random.Generator,
) -> LeakTestRun:
    """Perturb inputs of a random Transformer under each mask and record how outputs move.

    A random post-LN Transformer (``layers`` blocks, width ``width``, ``heads`` heads,
    residual connections and LayerNorm) runs on random token embeddings plus sinusoidal
    positions. For each mask and each output position i, every input i must not see is
    replaced at once, and then each input is replaced alone; the change of every output is
    recorded (:func:`~computations.masks.probes.measure_leaks`).

    Args:
        masks: which masks to test (``bidirectional``, ``unidirectional``, ``reverse``,
            ``shuffled``, ``naive_seq2seq``, ``unilm``); one measurement each, in this order.
        sentence: the language-model example (2–12 characters).
        order: generation order of the shuffled model, 1-based positions of ``sentence``.
        source: the seq2seq input sentence.
        target: the seq2seq target sentence.
        layers: Transformer blocks (1–12).
        width: model width (4–128), a multiple of ``heads``.
        heads: attention heads (1–8).
        rng: draws the weights, then for each mask the inputs and the replacement tokens.

    Raises:
        ValueError: ``heads`` does not divide ``width``, or ``order`` does not fit ``sentence``.
    """
    specs = build_masks(masks, sentence=sentence, order=order, source=source, target=target)
    model = random_transformer(layers=layers, width=width, heads=heads, rng=rng)
    measurements = tuple(measure_leaks(spec, model, rng) for spec in specs)
    return LeakTestRun(layers=layers, width=width, heads=heads, measurements=measurements)


@dataclass(frozen=True)
class PermutationRun:
    """The two implementations of a permuted language model, compared order by order.

    Attributes:
        sentence: the example.
        layers: blocks of the Transformer.
        width: its model width.
        heads: its attention heads.
        shuffled: the shuffled mask of the directive's order (drawn in the figure).
        comparisons: the directive's order first, then the randomly drawn ones.
    """

    sentence: str
    layers: int
    width: int
    heads: int
    shuffled: MaskSpec
    comparisons: tuple[OrderComparison, ...]


def permutation(
    *,
    sentence: Text = SENTENCE,
    order: Order = ORDER,
    random_orders: OrderCount = 10,
    layers: Layers = 4,
    width: Width = 16,
    heads: Heads = 2,
    rng: np.random.Generator,
) -> PermutationRun:
    """Run a permuted language model as a shuffled mask and as a causal mask on reordered inputs.

    For ``order`` and ``random_orders`` further orders drawn from ``rng``, the same random
    Transformer runs (a) on ``<s>`` + ``sentence`` in the original order under the shuffled
    mask, and (b) on the inputs reordered into generation order under the plain causal mask,
    each token keeping its position embedding; (c) repeats (b) with the positions renumbered
    after reordering (:func:`~computations.masks.probes.compare_orders`).

    Args:
        sentence: the language-model example (2–12 characters).
        order: the article's generation order, 1-based positions of ``sentence``.
        random_orders: how many other orders to try, drawn without repeats (0–50; fewer
            when the sentence has fewer orders).
        layers: Transformer blocks (1–12).
        width: model width (4–128), a multiple of ``heads``.
        heads: attention heads (1–8).
        rng: draws the weights, the orders and the inputs.

    Raises:
        ValueError: ``heads`` does not divide ``width``, or ``order`` does not fit ``sentence``.
    """
    shuffled = lm_spec("shuffled", sentence, order)
    model = random_transformer(layers=layers, width=width, heads=heads, rng=rng)
    orders = distinct_orders(order, extra=random_orders, rng=rng)
    comparisons = tuple(compare_orders(model, sentence=sentence, order=o, rng=rng) for o in orders)
    return PermutationRun(
        sentence=sentence, layers=layers, width=width, heads=heads, shuffled=shuffled, comparisons=comparisons
    )
