"""Attention masks: one Transformer, many models (spaces.ac.cn/archives/6933).

Su Jianlin's point is that self-attention builds an n×n matrix of query–key weights, and
that the pre-training schemes of 2019 differ only in which entries of that matrix they
forbid: all allowed is BERT (bidirectional), lower-triangular is a left-to-right language
model (GPT), a lower triangle shuffled by a permutation is XLNet's permuted language model,
and UniLM's block mask (bidirectional inside the source, causal inside the target) turns
one BERT into a seq2seq model.

Conventions. A mask is a boolean (n, n) array ``allowed``: row i is the query at position
i, column j the key at position j, and ``allowed[i, j]`` says whether output i may read
input j. Language models read ``<s> x_1 … x_m`` and position i predicts the next token of
its generation order (the last one predicts ``<e>``); seq2seq masks read
``[CLS] source [SEP] target [SEP]`` with segment ids 0 for the source part and 1 for the
target part. Attention is ``softmax(QKᵀ/√d_h + M) V`` with ``M = 0`` where allowed and
``−∞`` elsewhere, so a forbidden weight is exactly 0.

The module holds the masks, a small random post-LN Transformer in numpy, the measurements
that show what each output depends on, and three reports:

* :func:`lm_figures_report` and :func:`seq2seq_figures_report` — the masks as pictures,
  with structural checks;
* :func:`leak_test_report` — perturb inputs, watch outputs: hidden inputs change nothing
  (≤ 1e-12), visible ones always change something;
* :func:`permutation_report` — the shuffled mask on the original order equals the plain
  causal mask on inputs reordered with their position embeddings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Final, Literal

import annotated_types
import numpy as np
import numpy.typing as npt
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure as MplFigure

from computations.report import Cell, Check, Figure, Report, Table

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

Text = Annotated[str, annotated_types.Len(min_length=2, max_length=12)]
Order = Annotated[list[int], annotated_types.Len(min_length=2, max_length=12)]
Layers = Annotated[int, annotated_types.Interval(ge=1, le=12)]
Width = Annotated[int, annotated_types.Interval(ge=4, le=128)]
Heads = Annotated[int, annotated_types.Interval(ge=1, le=8)]
OrderCount = Annotated[int, annotated_types.Interval(ge=0, le=50)]
MaskKind = Literal["bidirectional", "unidirectional", "reverse", "shuffled", "naive_seq2seq", "unilm"]
MaskKinds = Annotated[list[MaskKind], annotated_types.Len(min_length=1, max_length=6)]

BOS: Final = "<s>"
EOS: Final = "<e>"
CLS: Final = "[CLS]"
SEP: Final = "[SEP]"

#: The article's examples: "北京欢迎你" (generated in the order <s> → 迎 → 京 → 你 → 欢 → 北 → <e>,
#: i.e. the 1-based positions 4, 2, 5, 3, 1: the reports' default ``order``) and the seq2seq
#: pair 你想吃啥 → 白切鸡.
SENTENCE: Final = "北京欢迎你"
SOURCE: Final = "你想吃啥"
TARGET: Final = "白切鸡"

#: An output counts as unchanged when it moved by at most this much (with −∞ in the mask the
#: measured change is exactly 0).
HIDDEN_TOLERANCE: Final = 1e-12
#: An output counts as changed when it moved by at least this much (measured minima are
#: around 0.1 with the default stack: five orders of magnitude of margin).
VISIBLE_THRESHOLD: Final = 1e-6

_TITLES: Final[Mapping[str, str]] = {
    "bidirectional": "双向（BERT）",
    "unidirectional": "单向语言模型（正向）",
    "reverse": "单向语言模型（反向）",
    "shuffled": "乱序语言模型（XLNet 式）",
    "naive_seq2seq": "拼接后直接用单向语言模型",
    "unilm": "UniLM 的 Seq2Seq",
}
_ALLOWED_COLOR: Final = "#3d72b8"  # the article's figures draw allowed cells in blue
_SEGMENT_COLOR: Final = "#d2462f"


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


@dataclass(frozen=True)
class MaskSpec:
    """One mask with the sequence it is drawn for.

    Attributes:
        kind: the registry-facing name (``"unilm"`` etc.).
        title: Chinese name used in figures, tables and checks.
        tokens: the input token at each position (row and column labels).
        allowed: boolean (n, n), rows queries, columns keys.
        predicts: for language models, the token that each position's output predicts.
        segments: for seq2seq masks, 0 (source) or 1 (target) per position.
        ranks: for language models, the step at which each position is read.
    """

    kind: str
    title: str
    tokens: tuple[str, ...]
    allowed: BoolArray
    predicts: tuple[str, ...] | None = None
    segments: tuple[int, ...] | None = None
    ranks: tuple[int, ...] | None = None


def lm_ranks(order: Sequence[int]) -> tuple[int, ...]:
    """Reading step of each position of ``<s> x_1 … x_m`` for a generation order of x.

    ``order`` lists the 1-based positions of x in the order they are generated; ``<s>`` is
    read first. Example: order (4, 2, 5, 3, 1) gives ranks (0, 5, 2, 4, 1, 3).
    """
    m = len(order)
    if sorted(order) != list(range(1, m + 1)):
        raise ValueError(f"order must list the positions 1…{m} once each, got {list(order)}")
    ranks = [0] * (m + 1)
    for step, position in enumerate(order, start=1):
        ranks[position] = step
    return tuple(ranks)


def lm_spec(kind: str, sentence: str, order: Sequence[int]) -> MaskSpec:
    """A language-model mask on ``<s>`` + the characters of ``sentence``, read in ``order``."""
    if len(order) != len(sentence):
        raise ValueError(f"order has {len(order)} positions but the sentence {sentence!r} has {len(sentence)}")
    tokens = (BOS, *sentence)
    ranks = lm_ranks(order)
    by_rank = sorted(range(len(tokens)), key=ranks.__getitem__)
    next_token = {by_rank[r]: tokens[by_rank[r + 1]] for r in range(len(tokens) - 1)} | {by_rank[-1]: EOS}
    return MaskSpec(
        kind=kind,
        title=_TITLES[kind],
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
    return MaskSpec(kind=kind, title=_TITLES[kind], tokens=tokens, allowed=builders[kind](), segments=segments)


def build_masks(
    kinds: Sequence[str],
    *,
    sentence: str = SENTENCE,
    order: Sequence[int] = (4, 2, 5, 3, 1),
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


# --------------------------------------------------------------------------- the Transformer


@dataclass(frozen=True)
class Block:
    """Weights of one post-LN Transformer block (multi-head self-attention, then a GELU FFN)."""

    wq: FloatArray
    wk: FloatArray
    wv: FloatArray
    wo: FloatArray
    w1: FloatArray
    w2: FloatArray


@dataclass(frozen=True)
class Transformer:
    """A stack of blocks with ``heads`` attention heads of width d_model / heads each."""

    blocks: tuple[Block, ...]
    heads: int

    @property
    def width(self) -> int:
        return self.blocks[0].wq.shape[0]


def random_transformer(*, layers: int, width: int, heads: int, rng: np.random.Generator) -> Transformer:
    """Gaussian weights with variance 1/fan-in, so attention logits stay of order 1 (no saturation).

    Args:
        layers: number of blocks.
        width: model width d; the feed-forward layer is 4d wide.
        heads: attention heads; must divide ``width``.
        rng: the only source of randomness.
    """
    if width % heads:
        raise ValueError(f"heads ({heads}) must divide the width ({width})")

    def weight(fan_in: int, fan_out: int) -> FloatArray:
        return rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in)

    blocks = tuple(
        Block(
            wq=weight(width, width),
            wk=weight(width, width),
            wv=weight(width, width),
            wo=weight(width, width),
            w1=weight(width, 4 * width),
            w2=weight(4 * width, width),
        )
        for _ in range(layers)
    )
    return Transformer(blocks=blocks, heads=heads)


def additive_mask(allowed: BoolArray) -> FloatArray:
    """M = 0 where allowed, −∞ elsewhere: added to the logits, it zeroes forbidden weights exactly."""
    if not allowed.any(axis=1).all():
        raise ValueError("every query must be allowed to read at least one key")
    return np.where(allowed, 0.0, -np.inf)


def masked_attention(q: FloatArray, k: FloatArray, v: FloatArray, bias: FloatArray) -> FloatArray:
    """softmax(QKᵀ/√d + M) V for arrays of shape (heads, n, d); ``bias`` is M, shape (n, n)."""
    logits = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1]) + bias
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v


def layer_norm(x: FloatArray, eps: float = 1e-6) -> FloatArray:
    """Normalise each row to mean 0 and variance 1 (no learned gain or bias)."""
    centred = x - x.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + eps)


def gelu(x: FloatArray) -> FloatArray:
    """GELU, tanh approximation (BERT's)."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def forward(model: Transformer, x: FloatArray, allowed: BoolArray) -> FloatArray:
    """Outputs (n, d) of the stack for inputs x (n, d) under the mask ``allowed`` (n, n).

    Each block is h = LN(x + MHA(x)), then LN(h + FFN(h)). Only attention mixes positions,
    so the mask alone decides which inputs an output can depend on.
    """
    n, width = x.shape
    bias = additive_mask(allowed)
    for block in model.blocks:
        q, k, v = (_split_heads(x @ w, model.heads) for w in (block.wq, block.wk, block.wv))
        mixed = masked_attention(q, k, v, bias).transpose(1, 0, 2).reshape(n, width)
        h = layer_norm(x + mixed @ block.wo)
        x = layer_norm(h + gelu(h @ block.w1) @ block.w2)
    return x


def _split_heads(x: FloatArray, heads: int) -> FloatArray:
    """(n, d) → (heads, n, d / heads)."""
    n, width = x.shape
    return x.reshape(n, heads, width // heads).transpose(1, 0, 2)


def position_embeddings(n: int, width: int) -> FloatArray:
    """Sinusoidal position embeddings (n, width) of "Attention is All You Need"."""
    position = np.arange(n)[:, None]
    frequency = 10_000.0 ** (-np.arange(0, width, 2) / width)
    table = np.zeros((n, width))
    table[:, 0::2] = np.sin(position * frequency)
    table[:, 1::2] = np.cos(position * frequency[: width // 2])
    return table


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class LeakMeasurement:
    """How much each output moved when inputs were replaced by other tokens' embeddings.

    Attributes:
        spec: the mask under test.
        single: (n, n); ``single[i, j]`` = max over features of |Δ output i| when input j
            alone is replaced.
        all_hidden: (n,); max |Δ output i| when every input that i must not see is replaced
            at once (NaN where i sees everything).
    """

    spec: MaskSpec
    single: FloatArray
    all_hidden: FloatArray

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


def measure_leaks(spec: MaskSpec, model: Transformer, rng: np.random.Generator) -> LeakMeasurement:
    """Replace inputs of ``spec``'s sequence and record how every output moves.

    Inputs are random token embeddings (N(0, 1) per feature) plus sinusoidal positions; a
    replaced input gets a fresh token embedding at the same position, as if another token
    stood there. One forward pass per replaced input gives a whole column of ``single``.
    """
    n, width = len(spec.tokens), model.width
    positions = position_embeddings(n, width)
    x = rng.standard_normal((n, width)) + positions
    base = forward(model, x, spec.allowed)
    substitutes = rng.standard_normal((n, width)) + positions

    def change(replaced: BoolArray) -> FloatArray:
        moved = forward(model, np.where(replaced[:, None], substitutes, x), spec.allowed)
        return np.abs(moved - base).max(axis=1)

    eye = np.eye(n, dtype=bool)
    single = np.column_stack([change(eye[j]) for j in range(n)])
    all_hidden = np.array([change(~spec.allowed[i])[i] if not spec.allowed[i].all() else np.nan for i in range(n)])
    return LeakMeasurement(spec=spec, single=single, all_hidden=all_hidden)


@dataclass(frozen=True)
class OrderComparison:
    """The shuffled-mask model against the causal model on reordered inputs, for one order.

    Attributes:
        order: 1-based generation order of the sentence's characters.
        travelling: max |Δ| when each token keeps its position embedding (the article's
            (迎, 4), (京, 2), … input); expected at rounding level.
        renumbered: max |Δ| when positions are renumbered 0…n−1 after reordering; expected
            of order 1, showing the position ids are what carries the order.
    """

    order: tuple[int, ...]
    travelling: float
    renumbered: float


def compare_orders(
    model: Transformer, *, sentence: str, order: Sequence[int], rng: np.random.Generator
) -> OrderComparison:
    """Run one permuted language model both ways (see :class:`OrderComparison`)."""
    spec = lm_spec("shuffled", sentence, order)
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


# --------------------------------------------------------------------------- reports


def lm_figures_report(
    *,
    sentence: Text = SENTENCE,
    order: Order = [4, 2, 5, 3, 1],  # noqa: B006 (never mutated; YAML list)
    rng: np.random.Generator,
) -> Report:
    """The forward, shuffled and reverse language-model masks on ``<s>`` + ``sentence``.

    Checks: every one of them is a permuted lower triangle PᵀLP (P sorts the positions into
    generation order); in the shuffled one, the output that predicts the k-th generated
    character reads exactly k inputs, ``<s>`` and the k − 1 characters generated before it
    (the article's "row 迎 has one blue cell, row 京 two").

    Args:
        sentence: the example, one token per character (2–12 characters).
        order: generation order of the shuffled model, the 1-based positions of the
            sentence's characters (the article: 4, 2, 5, 3, 1, i.e. 迎 京 你 欢 北).
        rng: unused (the masks are deterministic); part of every computation's signature.

    Returns:
        Report of one figure (three panels) and two checks.
    """
    del rng
    specs = build_masks(["unidirectional", "shuffled", "reverse"], sentence=sentence, order=order)
    shown = " → ".join(sentence[p - 1] for p in order)
    n = len(sentence) + 1
    figure = _mask_figure(
        specs,
        caption=(
            f"“{sentence}”的三种语言模型 Mask（蓝色 = 可以关注）。行是查询位置，左侧标它读入的词、"
            f"右侧标它要预测的词；列是被关注的输入。中图的生成顺序为 <s> → {shown} → <e>。"
        ),
        alt=(
            f"三个 {n}×{n} 的方块矩阵，第一列（<s>）都是蓝色：左图为下三角（正向），右图除第一列外为上三角"
            "（反向），中图是被打乱的下三角。"
        ),
    )
    shuffled = next(spec for spec in specs if spec.kind == "shuffled")
    return Report(items=(figure, _permuted_triangle_check(specs), _generation_order_check(shuffled)))


def seq2seq_figures_report(
    *,
    source: Text = SOURCE,
    target: Text = TARGET,
    rng: np.random.Generator,
) -> Report:
    """Three masks on ``[CLS] source [SEP] target [SEP]``: bidirectional, causal, UniLM.

    Checks: UniLM's mask is all ones on source × source (bidirectional), all zeros on
    source × target, all ones on target × source and lower-triangular on target × target
    (causal); it equals bert4keras's formula (1 − s_i)(1 − s_j) + s_i·[j ≤ i] and the
    one-liner c = cumsum(s), [c_j ≤ c_i]; it allows n_s² + n_s·n_t + n_t(n_t + 1)/2 entries
    against n(n + 1)/2 for the causal mask (70 against 55 for the article's example).

    Args:
        source: the input sentence, one token per character (2–12 characters).
        target: the target sentence (2–12 characters).
        rng: unused (the masks are deterministic); part of every computation's signature.

    Returns:
        Report of one figure (three panels) and two checks.
    """
    del rng
    specs = build_masks(["bidirectional", "naive_seq2seq", "unilm"], source=source, target=target)
    figure = _mask_figure(
        specs,
        caption=(
            f"“{source}”→“{target}”拼成一个序列后的三种 Mask（蓝色 = 可以关注，行是查询、列是被关注的输入）；"
            "红线分开源句（segment 0）与目标句（segment 1）。右图是 UniLM：源句内部双向、目标句内部单向。"
        ),
        alt=(
            "三个方块矩阵：左图全为蓝色；中图是下三角；右图左上角的源句方块全蓝、右上方块全白，"
            "下方目标句的行读入全部源句，并在目标句内部呈下三角。"
        ),
    )
    return Report(items=(figure, *_unilm_checks({s.kind: s for s in specs}, source=source, target=target)))


def leak_test_report(
    *,
    masks: MaskKinds = ["bidirectional", "unidirectional", "shuffled", "unilm"],  # noqa: B006 (never mutated)
    sentence: Text = SENTENCE,
    order: Order = [4, 2, 5, 3, 1],  # noqa: B006 (never mutated; YAML list)
    source: Text = SOURCE,
    target: Text = TARGET,
    layers: Layers = 4,
    width: Width = 16,
    heads: Heads = 2,
    rng: np.random.Generator,
) -> Report:
    """Numerical proof that a mask is all an attention stack needs to hide the future.

    A random post-LN Transformer (``layers`` blocks, width ``width``, ``heads`` heads,
    residual connections and LayerNorm) runs on random token embeddings plus sinusoidal
    positions. For each mask and each output position i, every input i must not see is
    replaced at once, and then each input is replaced alone; the change of output i is
    recorded. Checks, per mask: no output moves by more than 1e-12 when only inputs it must
    not see change, and every output moves by at least 1e-6 when any one input it may see
    changes, i.e. the measured dependency pattern is the mask itself. Two more checks: each
    mask is closed under composition (M·M ⊆ M), so stacking layers opens no new path; and,
    when UniLM is tested, its source outputs depend on the whole source (also on later
    positions) and on no target token, while target outputs depend on the source and on
    earlier targets only.

    Args:
        masks: which masks to test (``bidirectional``, ``unidirectional``, ``reverse``,
            ``shuffled``, ``naive_seq2seq``, ``unilm``); one table each, in this order.
        sentence: the language-model example (2–12 characters).
        order: generation order of the shuffled model, 1-based positions of ``sentence``.
        source: the seq2seq input sentence.
        target: the seq2seq target sentence.
        layers: Transformer blocks (1–12).
        width: model width (4–128), a multiple of ``heads``.
        heads: attention heads (1–8).
        rng: draws the weights, the inputs and the replacement tokens.

    Returns:
        Report of one figure (measured dependencies), one table per mask and one check per
        mask, plus the composition check and, with UniLM, the UniLM check.
    """
    specs = build_masks(masks, sentence=sentence, order=order, source=source, target=target)
    model = random_transformer(layers=layers, width=width, heads=heads, rng=rng)
    results = [measure_leaks(spec, model, rng) for spec in specs]
    figure = _dependency_figure(results, layers=layers, width=width, heads=heads)
    tables = tuple(_leak_table(result) for result in results)
    checks = [_leak_check(result) for result in results]
    checks.append(_composition_check(specs, layers=layers))
    unilm = next((r for r in results if r.spec.kind == "unilm"), None)
    if unilm is not None:
        checks.append(_unilm_dependency_check(unilm))
    return Report(items=(figure, *tables, *checks))


def permutation_report(
    *,
    sentence: Text = SENTENCE,
    order: Order = [4, 2, 5, 3, 1],  # noqa: B006 (never mutated; YAML list)
    random_orders: OrderCount = 10,
    layers: Layers = 4,
    width: Width = 16,
    heads: Heads = 2,
    rng: np.random.Generator,
) -> Report:
    """The two implementations of a permuted language model are one model.

    For ``order`` and ``random_orders`` further orders drawn from ``rng``, the same random
    Transformer runs (a) on ``<s>`` + ``sentence`` in the original order under the shuffled
    mask, and (b) on the inputs reordered into generation order under the plain causal mask,
    each token keeping its position embedding; (c) repeats (b) with the positions renumbered
    after reordering. The figure shows the shuffled mask turning into the lower triangle when
    its rows and columns are sorted by generation order. Checks: (a) and (b) agree to 1e-12
    for every order; (c) differs from (a) by more than 1e-3 for every order but left to
    right, so the position ids, not the input order, carry the factorisation order.

    Args:
        sentence: the language-model example (2–12 characters).
        order: the article's generation order, 1-based positions of ``sentence``.
        random_orders: how many other orders to try, drawn without repeats (0–50; fewer
            when the sentence has fewer orders).
        layers: Transformer blocks (1–12).
        width: model width (4–128), a multiple of ``heads``.
        heads: attention heads (1–8).
        rng: draws the weights, the orders and the inputs.

    Returns:
        Report of one figure, one table and two checks.
    """
    spec = lm_spec("shuffled", sentence, order)
    model = random_transformer(layers=layers, width=width, heads=heads, rng=rng)
    orders = distinct_orders(order, extra=random_orders, rng=rng)
    results = [compare_orders(model, sentence=sentence, order=o, rng=rng) for o in orders]
    table = Table(
        caption=(
            f"同一个随机 Transformer（{layers} 层、宽 {width}、{heads} 头）上，乱序 Mask（原顺序输入）与"
            "下三角 Mask（按生成顺序重排输入）的输出之差。第一行是原文的顺序。"
        ),
        columns=("生成顺序", "重排输入（位置编号随词走）：max|Δ|", "重排后重新编号：max|Δ|"),
        rows=tuple((" → ".join(sentence[p - 1] for p in r.order), r.travelling, r.renumbered) for r in results),
    )
    worst = max(r.travelling for r in results)
    # In the left-to-right order, renumbering changes nothing: leave it out of that check.
    shuffled = [r.renumbered for r in results if list(r.order) != sorted(r.order)]
    closest = min(shuffled, default=math.inf)
    checks = (
        Check(
            claim=f"对全部 {len(results)} 种生成顺序，两种实现的输出之差都不超过 {HIDDEN_TOLERANCE:g}",
            passed=worst <= HIDDEN_TOLERANCE,
            detail=f"最大 |Δ| = {worst:.2e}，只是浮点求和顺序不同带来的舍入误差",
        ),
        Check(
            claim="重排后若把位置重新编号，结果就不再相同：生成顺序是由位置编号携带的",
            passed=closest > 1e-3,
            detail=f"{len(shuffled)} 种非正向顺序中最小的 max|Δ| = {closest:.3g}（阈值 1e-3）",
        ),
    )
    return Report(items=(_sorted_mask_figure(spec), table, *checks))


# --------------------------------------------------------------------------- checks


def _permuted_triangle_check(specs: Sequence[MaskSpec]) -> Check:
    parts, passed = [], True
    for spec in specs:
        assert spec.ranks is not None
        p = permutation_matrix(spec.ranks)
        product = p.T @ causal_mask(len(spec.tokens)).astype(np.int64) @ p
        ok = bool(np.array_equal(product.astype(bool), spec.allowed))
        passed = passed and ok
        parts.append(f"{spec.title}：{'相等' if ok else '不相等'}")
    return Check(
        claim="每个语言模型的 Mask 都等于一个被置换的下三角矩阵 PᵀLP（P 把位置按生成顺序排列）",
        passed=passed,
        detail="逐元素比较 PᵀLP 与 Mask；" + "；".join(parts),
    )


def _generation_order_check(spec: MaskSpec) -> Check:
    """The article's reading of its figure: the row predicting 迎 has one cell, 京 two, …"""
    assert spec.predicts is not None and spec.ranks is not None
    parts, passed = [], True
    for i in np.argsort(spec.ranks):
        seen = [spec.tokens[j] for j in np.argsort(spec.ranks) if spec.allowed[i, j]]
        passed = passed and len(seen) == spec.ranks[i] + 1 and seen[0] == BOS
        parts.append(f"预测“{spec.predicts[i]}”的行读 {{{', '.join(seen)}}}")
    return Check(
        claim="乱序 Mask 中，预测第 k 个生成的词的那一行恰好读 k 个输入：<s> 与先于它生成的词",
        passed=passed,
        detail="；".join(parts),
    )


def _unilm_checks(specs: Mapping[str, MaskSpec], *, source: str, target: str) -> tuple[Check, Check]:
    unilm, causal = specs["unilm"], specs["naive_seq2seq"]
    assert unilm.segments is not None
    m = unilm.allowed
    src = np.asarray(unilm.segments) == 0
    ns, nt = int(src.sum()), int((~src).sum())
    blocks = {
        "源句 × 源句全为 1（双向）": bool(m[np.ix_(src, src)].all()),
        "源句 × 目标句全为 0": not m[np.ix_(src, ~src)].any(),
        "目标句 × 源句全为 1": bool(m[np.ix_(~src, src)].all()),
        "目标句 × 目标句为下三角（单向）": bool(np.array_equal(m[np.ix_(~src, ~src)], causal_mask(nt))),
    }
    structure = Check(
        claim="UniLM 的 Mask 让源句部分双向关注、目标句部分单向关注",
        passed=all(blocks.values()),
        detail="；".join(f"{name}：{'是' if ok else '否'}" for name, ok in blocks.items())
        + f"（源句含 [CLS] 与第一个 [SEP] 共 {ns} 个位置，目标句含末尾 [SEP] 共 {nt} 个）",
    )
    n = ns + nt
    expected_unilm, expected_causal = ns * ns + ns * nt + nt * (nt + 1) // 2, n * (n + 1) // 2
    same = np.array_equal(unilm_mask_by_cumsum(unilm.segments), m)
    count_unilm, count_causal = int(m.sum()), int(causal.allowed.sum())
    formulas = Check(
        claim="UniLM 的 Mask 与 bert4keras 公式、cumsum 写法一致，可见格数符合公式",
        passed=same and count_unilm == expected_unilm and count_causal == expected_causal,
        detail=(
            f"(1−sᵢ)(1−sⱼ) + sᵢ·[j ≤ i] 与 c = cumsum(s)、[cⱼ ≤ cᵢ] {'相同' if same else '不同'}；"
            f"“{source}”→“{target}”：UniLM 可见 {count_unilm} 格（公式 n_s² + n_s·n_t + n_t(n_t+1)/2 = "
            f"{expected_unilm}），单向 Mask {count_causal} 格（n(n+1)/2 = {expected_causal}），共 {n * n} 格"
        ),
    )
    return structure, formulas


def _leak_check(result: LeakMeasurement) -> Check:
    spec = result.spec
    hidden = int((~spec.allowed).sum())
    hidden_part = (
        f"不可见的 {hidden} 格：逐个替换与一次替换全部，输出最大变化 {result.hidden_max:.3g}"
        f"（容差 {HIDDEN_TOLERANCE:g}）"
        if hidden
        else "没有不可见的格"
    )
    agrees = "一致" if np.array_equal(result.measured, spec.allowed) else "不一致"
    return Check(
        claim=f"{spec.title}：扰动看不见的输入，输出不变；扰动任一看得见的输入，输出改变",
        passed=result.hidden_max <= HIDDEN_TOLERANCE and result.visible_min >= VISIBLE_THRESHOLD,
        detail=(
            f"{hidden_part}；可见的 {int(spec.allowed.sum())} 格：输出最小变化 {result.visible_min:.3g}"
            f"（阈值 {VISIBLE_THRESHOLD:g}）；实测依赖与 Mask 逐格{agrees}"
        ),
    )


def _composition_check(specs: Sequence[MaskSpec], *, layers: int) -> Check:
    parts, passed = [], True
    for spec in specs:
        m = spec.allowed.astype(np.int64)
        closed = not ((m @ m > 0) & ~spec.allowed).any()
        same = np.array_equal(reachable(spec.allowed, layers=layers), spec.allowed)
        passed = passed and closed and same
        parts.append(f"{spec.title}：{'封闭' if closed else '不封闭'}，{layers} 层可达{'=' if same else '≠'} Mask")
    return Check(
        claim=f"每个 Mask 都满足 M·M ⊆ M，叠 {layers} 层后的可达关系仍是 Mask 本身：多层不会借道泄漏",
        passed=passed,
        detail="；".join(parts),
    )


def _unilm_dependency_check(result: LeakMeasurement) -> Check:
    spec = result.spec
    assert spec.segments is not None
    src = np.asarray(spec.segments) == 0
    moved = result.measured
    nt = int((~src).sum())
    facts = {
        "源句每个输出都随源句任一位置变化（含其后的位置）": bool(moved[np.ix_(src, src)].all()),
        "源句输出对目标句毫无反应": not moved[np.ix_(src, ~src)].any()
        and float(result.single[np.ix_(src, ~src)].max()) <= HIDDEN_TOLERANCE,
        "目标句每个输出都随整个源句变化": bool(moved[np.ix_(~src, src)].all()),
        "目标句第 k 个输出只随目标句前 k 个位置变化": bool(np.array_equal(moved[np.ix_(~src, ~src)], causal_mask(nt))),
    }
    return Check(
        claim="实测：UniLM 下源句双向、目标句单向",
        passed=all(facts.values()),
        detail="；".join(f"{name}：{'是' if ok else '否'}" for name, ok in facts.items()),
    )


# --------------------------------------------------------------------------- tables and figures


def _leak_table(result: LeakMeasurement) -> Table:
    spec = result.spec
    rows: list[tuple[Cell, ...]] = []
    for i, token in enumerate(spec.tokens):
        visible = spec.allowed[i]
        hidden = float(max(result.all_hidden[i], result.single[i, ~visible].max())) if (~visible).any() else math.nan
        rows.append(
            (
                i,
                f"{token} → {spec.predicts[i]}" if spec.predicts else token,
                f"{int(visible.sum())} / {int((~visible).sum())}",
                hidden,
                float(result.single[i, visible].min()),
            )
        )
    return Table(
        caption=(
            f"{spec.title}：替换输入后第 i 个输出的最大变化 |Δ|。不可见的输入既逐个替换、也一次全部替换，"
            "取最大的变化；可见的输入逐个替换，取最小的变化；— 表示没有不可见的输入。"
        ),
        columns=(
            "i",
            "输入 → 预测" if spec.predicts else "输入",
            "可见 / 不可见",
            "替换不可见输入：最大 |Δ|",
            "替换可见输入：最小 |Δ|",
        ),
        rows=tuple(rows),
    )


def _mask_figure(specs: Sequence[MaskSpec], *, caption: str, alt: str) -> Figure:
    fig = MplFigure(figsize=(2.45 * len(specs), 2.9), layout="constrained")
    axes = fig.subplots(1, len(specs))
    cmap = ListedColormap(["white", _ALLOWED_COLOR])
    for ax, spec in zip(np.atleast_1d(axes), specs, strict=True):
        ax.imshow(spec.allowed.astype(float), cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        _label_grid(ax, spec)
    return Figure(figure=fig, caption=caption, alt=alt, data=_mask_data(specs))


def _sorted_mask_figure(spec: MaskSpec) -> Figure:
    assert spec.ranks is not None
    read = np.argsort(spec.ranks)
    sorted_spec = MaskSpec(
        kind=spec.kind,
        title="行、列按生成顺序重排后",
        tokens=tuple(spec.tokens[i] for i in read),
        allowed=spec.allowed[np.ix_(read, read)],
        predicts=tuple(spec.predicts[i] for i in read) if spec.predicts else None,
        ranks=tuple(range(len(read))),
    )
    figure = _mask_figure(
        [spec, sorted_spec],
        caption=(
            "左：乱序 Mask，输入按原顺序排列；右：把同一矩阵的行和列都按生成顺序重排，它就是普通的下三角。"
            "这正是“按生成顺序输入、位置编号随词走、再用下三角 Mask”的等价实现。"
        ),
        alt="两个方块矩阵：左边是打乱的下三角，右边是整齐的下三角，两者所含蓝格相同。",
    )
    return figure


def _label_grid(ax: Axes, spec: MaskSpec) -> None:
    n = len(spec.tokens)
    ticks = np.arange(n)
    long = max(len(t) for t in spec.tokens) > 3
    ax.set_xticks(ticks, labels=spec.tokens, rotation=90 if long else 0, fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(ticks, labels=spec.tokens, fontsize=8)
    ax.set_xticks(ticks[1:] - 0.5, minor=True)
    ax.set_yticks(ticks[1:] - 0.5, minor=True)
    ax.grid(which="minor", color="0.8", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(spec.title, fontsize=9)
    if spec.predicts:
        right = ax.secondary_yaxis("right")
        right.set_yticks(ticks, labels=spec.predicts, fontsize=8)
        right.tick_params(length=0)
    if spec.segments:
        edge = spec.segments.index(1) - 0.5
        ax.axhline(edge, color=_SEGMENT_COLOR, linewidth=1.2)
        ax.axvline(edge, color=_SEGMENT_COLOR, linewidth=1.2)


def _mask_data(specs: Sequence[MaskSpec]) -> dict[str, list[Cell]]:
    data: dict[str, list[Cell]] = {
        key: [] for key in ("mask", "query", "query_token", "predicts", "key", "key_token", "allowed")
    }
    for spec in specs:
        for i, j in np.ndindex(spec.allowed.shape):
            data["mask"].append(spec.title)
            data["query"].append(i)
            data["query_token"].append(spec.tokens[i])
            data["predicts"].append(spec.predicts[i] if spec.predicts else "")
            data["key"].append(j)
            data["key_token"].append(spec.tokens[j])
            data["allowed"].append(int(spec.allowed[i, j]))
    return data


def _dependency_figure(results: Sequence[LeakMeasurement], *, layers: int, width: int, heads: int) -> Figure:
    columns = min(len(results), 2)
    rows = math.ceil(len(results) / columns)
    fig = MplFigure(figsize=(2.9 * columns + 0.8, 3.0 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    positive = np.concatenate([r.single[r.single > 0] for r in results])
    low, high = math.floor(np.log10(positive.min())), math.ceil(np.log10(positive.max()))
    cmap = colormaps["viridis"].with_extremes(bad="white")
    image = None
    data: dict[str, list[Cell]] = {key: [] for key in ("mask", "query", "key", "allowed", "max_abs_change")}
    for ax, result in zip(axes, results, strict=False):
        spec = result.spec
        shown = np.ma.masked_less_equal(result.single, 0.0)
        image = ax.imshow(np.ma.log10(shown), cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
        hidden_rows, hidden_cols = np.nonzero(~spec.allowed)
        ax.scatter(hidden_cols, hidden_rows, marker="x", s=14, linewidths=0.8, color="0.55")
        _label_grid(ax, spec)
        for (i, j), value in np.ndenumerate(result.single):
            data["mask"].append(spec.title)
            data["query"].append(i)
            data["key"].append(j)
            data["allowed"].append(int(spec.allowed[i, j]))
            data["max_abs_change"].append(float(value))
    for ax in axes[len(results) :]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes.tolist(), shrink=0.7, label="log10 max|Δ|")
    return Figure(
        figure=fig,
        caption=(
            f"实测依赖：随机 Transformer（{layers} 层、宽 {width}、{heads} 头，残差 + LayerNorm）中，"
            "只替换第 j 个输入时第 i 个输出的最大变化（颜色为 log10）。白格表示输出一位不差（|Δ| = 0），"
            "× 标出 Mask 禁止的格：两者完全重合。"
        ),
        alt=(
            f"{len(results)} 个热图，与上面的 Mask 图同样布局；被 Mask 禁止的格全为白色并打了叉，"
            "其余格都有颜色（变化量约在 "
            f"10^{low} 到 10^{high} 之间）。"
        ),
        data=data,
    )
