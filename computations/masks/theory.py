"""The masks themselves: which query may read which key, for each pre-training scheme.

Conventions. A mask is a boolean (n, n) array ``allowed``: row i is the query at position
i, column j the key at position j, and ``allowed[i, j]`` says whether output i may read
input j. Language models read ``<s> x_1 ... x_m`` and position i predicts the next token of
its generation order (the last one predicts ``<e>``); seq2seq masks read
``[CLS] source [SEP] target [SEP]`` with segment ids 0 for the source part and 1 for the
target part.

The article's examples (a five-character sentence generated in a shuffled order, and a
four-character question with a three-character answer) are Chinese text; they are read from
``examples.json`` beside this module, so that the code itself holds no Chinese text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from computations.results import Array

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

BOS: Final = "<s>"
EOS: Final = "<e>"
CLS: Final = "[CLS]"
SEP: Final = "[SEP]"

_EXAMPLES: Final[dict[str, str]] = json.loads(Path(__file__).with_name("examples.json").read_text(encoding="utf-8"))
#: The article's language-model sentence ("Beijing welcomes you", five characters).
SENTENCE: Final = _EXAMPLES["sentence"]
#: The article's shuffled generation order of SENTENCE: the 1-based positions 4, 2, 5, 3, 1.
ORDER: Final = (4, 2, 5, 3, 1)
#: The article's seq2seq pair ("what do you want to eat" → "white-cut chicken").
SOURCE: Final = _EXAMPLES["source"]
TARGET: Final = _EXAMPLES["target"]


# --------------------------------------------------------------------------- masks


def bidirectional_mask(n: int) -> BoolArray:
    """Every output reads every input: BERT's (and the masked language model's) mask."""
    return np.ones((n, n), dtype=bool)


def causal_mask(n: int) -> BoolArray:
    """Lower-triangular L with L[i, j] = [j ≤ i]: output i reads inputs 0…i only."""
    return np.tri(n, dtype=bool)


def order_mask(ranks: Sequence[int]) -> BoolArray:
    """Mask of a language model that generates the positions in the order given by ``ranks``.

    ``ranks[i]`` is the step at which position i is read (0 first). Output i may read input j
    iff j was read no later than i: ``allowed[i, j] = ranks[j] ≤ ranks[i]``.

    Raises:
        ValueError: ``ranks`` is not a permutation of 0…n−1.
    """
    r = np.asarray(ranks)
    if sorted(r.tolist()) != list(range(r.size)):
        raise ValueError(f"ranks must be a permutation of 0…{r.size - 1}, got {list(r)}")
    return r[None, :] <= r[:, None]


def permutation_matrix(ranks: Sequence[int]) -> IntArray:
    """P with P[r, i] = 1 iff position i has rank r, so that (P x)[r] is the r-th input read."""
    n = len(ranks)
    p = np.zeros((n, n), dtype=np.int64)
    p[np.asarray(ranks), np.arange(n)] = 1
    return p


def unilm_mask(segments: Sequence[int]) -> BoolArray:
    """UniLM's seq2seq mask from segment ids s (0 source, 1 target), as bert4keras built it.

    ``allowed[i, j] = (1 − s_i)(1 − s_j) + s_i·[j ≤ i]``: a source output reads the whole
    source and nothing of the target; a target output reads everything up to itself.

    Raises:
        ValueError: ``segments`` is not a run of zeros followed by a run of ones.
    """
    s = np.asarray(segments, dtype=np.int64)
    if s.ndim != 1 or not np.all((s == 0) | (s == 1)) or np.any(np.diff(s) < 0):
        raise ValueError(f"segments must be 0…0 1…1, got {list(s)}")
    below = np.tri(s.size, dtype=np.int64)
    return ((1 - s)[:, None] * (1 - s)[None, :] + s[:, None] * below) > 0


def unilm_mask_by_cumsum(segments: Sequence[int]) -> BoolArray:
    """The same mask as a one-liner: with c = cumsum(s), ``allowed[i, j] = c[j] ≤ c[i]``."""
    c = np.cumsum(np.asarray(segments, dtype=np.int64))
    return c[None, :] <= c[:, None]


def mask_by_reading_steps(steps: Sequence[Sequence[int]], n: int) -> BoolArray:
    """A mask built by simulating the reading, step by step, with plain loops over positions.

    At each step one group of positions is read; each of them may attend to every position
    read so far, its own group included. A language model reads one position per step
    (``<s>`` first, then its generation order); UniLM reads the whole source in one step and
    then the target one position at a time; a bidirectional model reads everything at once.
    The construction shares no code with :func:`order_mask`, :func:`causal_mask` or
    :func:`unilm_mask`, which is why the pages use it as their reference.

    Raises:
        ValueError: the steps do not read each of the positions 0…n−1 exactly once.
    """
    if sorted(position for group in steps for position in group) != list(range(n)):
        raise ValueError(f"the steps must read each of the positions 0…{n - 1} once, got {[list(g) for g in steps]}")
    allowed = np.zeros((n, n), dtype=bool)
    read: list[int] = []
    for group in steps:
        read.extend(group)
        for i in group:
            for j in read:
                allowed[i, j] = True
    return allowed


def reachable(allowed: BoolArray, *, layers: int) -> BoolArray:
    """Which inputs can influence which outputs through ``layers`` stacked attention layers.

    One layer lets output i read input j when ``allowed[i, j]``; residual connections keep
    every position connected to itself. Through L layers, i depends on j iff a path of at
    most L allowed steps leads from i to j: the boolean power (I ∨ A)^L.
    """
    step = (allowed | np.eye(allowed.shape[0], dtype=bool)).astype(np.int64)
    reach = np.eye(allowed.shape[0], dtype=np.int64)
    for _ in range(layers):
        reach = np.minimum(reach @ step, 1)
    return reach.astype(bool)


# --------------------------------------------------------------------------- masks on sequences


@dataclass(frozen=True)
class MaskSpec:
    """One mask with the sequence it is drawn for (stored in results, hence :data:`Array`).

    Attributes:
        kind: the directive-facing name (``"unilm"`` etc.); pages name it for readers.
        tokens: the input token at each position (row and column labels).
        allowed: boolean (n, n), rows queries, columns keys.
        predicts: for language models, the token that each position's output predicts.
        segments: for seq2seq masks, 0 (source) or 1 (target) per position.
        ranks: for language models, the step at which each position is read.
    """

    kind: str
    tokens: tuple[str, ...]
    allowed: Array
    predicts: tuple[str, ...] | None = None
    segments: tuple[int, ...] | None = None
    ranks: tuple[int, ...] | None = None


def lm_ranks(order: Sequence[int]) -> tuple[int, ...]:
    """Reading step of each position of ``<s> x_1 … x_m`` for a generation order of x.

    ``order`` lists the 1-based positions of x in the order they are generated; ``<s>`` is
    read first. Example: order (4, 2, 5, 3, 1) gives ranks (0, 5, 2, 4, 1, 3).

    Raises:
        ValueError: ``order`` does not list the positions 1…m once each.
    """
    m = len(order)
    if sorted(order) != list(range(1, m + 1)):
        raise ValueError(f"order must list the positions 1…{m} once each, got {list(order)}")
    ranks = [0] * (m + 1)
    for step, position in enumerate(order, start=1):
        ranks[position] = step
    return tuple(ranks)


def lm_spec(kind: str, sentence: str, order: Sequence[int]) -> MaskSpec:
    """A language-model mask on ``<s>`` + the characters of ``sentence``, read in ``order``.

    Raises:
        ValueError: ``order`` is not a generation order of the sentence's characters.
    """
    if len(order) != len(sentence):
        raise ValueError(f"order has {len(order)} positions but the sentence {sentence!r} has {len(sentence)}")
    tokens = (BOS, *sentence)
    ranks = lm_ranks(order)
    by_rank = sorted(range(len(tokens)), key=ranks.__getitem__)
    next_token = {by_rank[r]: tokens[by_rank[r + 1]] for r in range(len(tokens) - 1)} | {by_rank[-1]: EOS}
    return MaskSpec(
        kind=kind,
        tokens=tokens,
        allowed=order_mask(ranks),
        predicts=tuple(next_token[i] for i in range(len(tokens))),
        ranks=ranks,
    )


def seq2seq_spec(kind: str, source: str, target: str) -> MaskSpec:
    """A mask on ``[CLS] source [SEP] target [SEP]`` (one token per character)."""
    tokens = (CLS, *source, SEP, *target, SEP)
    segments = (0,) * (len(source) + 2) + (1,) * (len(target) + 1)
    n = len(tokens)
    builders = {
        "bidirectional": lambda: bidirectional_mask(n),
        "naive_seq2seq": lambda: causal_mask(n),
        "unilm": lambda: unilm_mask(segments),
    }
    return MaskSpec(kind=kind, tokens=tokens, allowed=builders[kind](), segments=segments)


def build_masks(
    kinds: Sequence[str],
    *,
    sentence: str = SENTENCE,
    order: Sequence[int] = ORDER,
    source: str = SOURCE,
    target: str = TARGET,
) -> list[MaskSpec]:
    """The masks named by ``kinds`` (repeats dropped, first occurrence kept).

    Language models (``unidirectional`` left to right, ``reverse`` right to left,
    ``shuffled`` in ``order``) read ``<s>`` + ``sentence``; ``bidirectional``,
    ``naive_seq2seq`` and ``unilm`` read ``[CLS] source [SEP] target [SEP]``.
    """
    m = len(sentence)
    orders = {"unidirectional": range(1, m + 1), "reverse": range(m, 0, -1), "shuffled": order}
    return [
        lm_spec(kind, sentence, orders[kind]) if kind in orders else seq2seq_spec(kind, source, target)
        for kind in dict.fromkeys(kinds)
    ]


def sorted_by_generation(spec: MaskSpec) -> MaskSpec:
    """A language model's mask with rows and columns in reading order: the plain lower triangle.

    This is Pᵀ L P turned back into L: the reordering that the permutation directive shows is
    the same model as feeding the inputs in generation order under a causal mask.
    """
    if spec.ranks is None:
        raise ValueError(f"{spec.kind} is not a language model's mask (it has no generation order)")
    read = np.argsort(spec.ranks)
    return MaskSpec(
        kind=spec.kind,
        tokens=tuple(spec.tokens[i] for i in read),
        allowed=spec.allowed[np.ix_(read, read)],
        predicts=tuple(spec.predicts[i] for i in read) if spec.predicts else None,
        ranks=tuple(range(len(read))),
    )
