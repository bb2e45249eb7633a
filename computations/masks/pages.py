"""The present stage of the mask post: figures, tables, checks and quoted values from each run.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, then the tables, then the checks, then the values the prose quotes. Nothing here
draws a random number. The checks compare the stored masks with references built another
way (a step-by-step simulation of the reading order, the article's own description of its
figure, an explicit list of cells) and the stored measurements with what the mask allows;
the measured dependencies of the full stack are compared with those of its first layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure as MplFigure

from computations.checks import all_hold, at_least
from computations.palette import IMAGE_INK, IMAGE_RED, backdrop
from computations.report import Cell, Check, Figure, Report, Table, Value

from .experiments import LeakTestRun, LmFiguresRun, PermutationRun, Seq2SeqFiguresRun
from .probes import HIDDEN_TOLERANCE, VISIBLE_THRESHOLD, LeakMeasurement, OrderComparison
from .theory import (
    BOS,
    EOS,
    MaskSpec,
    causal_mask,
    mask_by_reading_steps,
    sorted_by_generation,
    unilm_mask_by_cumsum,
)

#: Each mask kind's name for readers, used in figures, tables and checks.
TITLES: Final[Mapping[str, str]] = {
    "bidirectional": "双向（BERT）",
    "unidirectional": "单向语言模型（正向）",
    "reverse": "单向语言模型（反向）",
    "shuffled": "乱序语言模型（XLNet 式）",
    "naive_seq2seq": "拼接后直接用单向语言模型",
    "unilm": "UniLM 的 Seq2Seq",
}
_SORTED_TITLE: Final = "行、列按生成顺序重排后"
#: Renumbering the positions after reordering must change the outputs by more than this.
RENUMBERED_THRESHOLD: Final = 1e-3
#: The article's example and what its text says of two rows of its shuffled figure (rows are
#: labelled by the token they predict): "迎" reads only <s>, "京" reads <s> and 迎.
_ARTICLE_EXAMPLE: Final = ("北京欢迎你", (4, 2, 5, 3, 1))
_ARTICLE_ROWS: Final[Mapping[str, tuple[str, ...]]] = {"迎": (BOS,), "京": (BOS, "迎")}
#: How each seq2seq mask reads the concatenated pair, for the check's labels.
_READINGS: Final[Mapping[str, str]] = {
    "bidirectional": "一次读完",
    "naive_seq2seq": "逐字读入",
    "unilm": "先一次读完源句，再逐字读入目标句",
}
_SUPERSCRIPTS: Final = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# The article's figures draw allowed cells in blue: the darkest blue our overlays stay legible on.
_ALLOWED_COLOR: Final = backdrop("Blues")(1.0)


# --------------------------------------------------------------------------- directives


def lm_figures(run: LmFiguresRun) -> Report:
    """Three language-model masks; checks: each matches a simulated reading, the shuffled rows' labels.

    Values: ``order``, the shuffled generation order as text (迎 → 京 → …); verdicts ``reading``
    (the masks match the simulated reading), ``predicts`` (each shuffled row predicts the next
    token read and cannot see it) and ``article`` (the article's description of its figure).
    """
    shown = " → ".join(run.sentence[p - 1] for p in run.order)
    n = len(run.sentence) + 1
    figure = _mask_figure(
        [(TITLES[spec.kind], spec) for spec in run.masks],
        caption=(
            f"“{run.sentence}”的三种语言模型 Mask（蓝色 = 可以关注）。行是查询位置，左侧标它读入的词、"
            f"右侧标它要预测的词；列是被关注的输入。中图的生成顺序为 <s> → {shown} → <e>。"
        ),
        alt=(
            f"三个 {n}×{n} 的方块矩阵，第一列（<s>）都是蓝色：左图为下三角（正向），右图除第一列外为上三角"
            "（反向），中图是被打乱的下三角。"
        ),
    )
    reading, predictions, article = _reading_order_check(run), _prediction_cases(run), _article_cases(run)
    values = (
        Value("order", shown),
        Value("reading", "逐格一致" if reading.passed else "并不逐格一致"),
        Value("predicts", "正是" if all(predictions.values()) else "并不都是"),
        Value("article", _article_verdict(article)),
    )
    return Report(items=(figure, reading, _prediction_check(predictions | article), *values))


def seq2seq_figures(run: Seq2SeqFiguresRun) -> Report:
    """Bidirectional, causal and UniLM masks; checks: a simulated reading, UniLM's formulas and extra cells.

    Values: ``reading`` (the masks match the simulated reading), ``cumsum`` (UniLM's mask
    matches the cumsum one-liner), ``unilm_cells`` and ``naive_cells`` (visible cells),
    ``extra_cells`` (their difference) and ``extra_where`` (whether the extra cells are exactly
    the source's look-ahead).
    """
    figure = _mask_figure(
        [(TITLES[spec.kind], spec) for spec in run.masks],
        caption=(
            f"“{run.source}”→“{run.target}”拼成一个序列后的三种 Mask（蓝色 = 可以关注，行是查询、列是被关注的输入）；"
            "红线分开源句（segment 0）与目标句（segment 1）。右图是 UniLM：源句内部双向、目标句内部单向。"
        ),
        alt=(
            "三个方块矩阵：左图全为蓝色；中图是下三角；右图左上角的源句方块全蓝、右上方块全白，"
            "下方目标句的行读入全部源句，并在目标句内部呈下三角。"
        ),
    )
    specs = {spec.kind: spec for spec in run.masks}
    reading = _reading_steps_check(run)
    values = (
        Value("reading", "一致" if reading.passed else "不一致"),
        *_seq2seq_values(specs["unilm"], specs["naive_seq2seq"], run=run),
    )
    return Report(
        items=(figure, reading, _unilm_formula_check(specs["unilm"], specs["naive_seq2seq"], run=run), *values)
    )


def leak_test(run: LeakTestRun) -> Report:
    """Measured dependencies (figure, one table per mask); checks per mask, layers, UniLM; values.

    Per mask: no output moves by more than 1e-12 when only inputs it must not see change, and
    every output moves by at least 1e-6 when any one input it may see changes. Then: the
    measured dependencies of the whole stack equal those of its first layer alone, so stacking
    layers opened no new path; and, when UniLM is tested, its measured pattern is
    bidirectional on the source and causal on the target. Values: see :func:`_leak_values`.
    """
    results = run.measurements
    figure = _dependency_figure(results, layers=run.layers, width=run.width, heads=run.heads)
    tables = tuple(_leak_table(result) for result in results)
    checks = [_leak_check(result) for result in results]
    checks.append(_layers_check(results, layers=run.layers))
    unilm = next((r for r in results if r.spec.kind == "unilm"), None)
    if unilm is not None:
        checks.append(_unilm_dependency_check(unilm))
    return Report(items=(figure, *tables, *checks, *_leak_values(run, checks[-1] if unilm is not None else None)))


def permutation(run: PermutationRun) -> Report:
    """The shuffled mask sorted into a triangle, the comparison table; checks: (a) = (b), (c) ≠ (a).

    (a) and (b) must agree to 1e-12 for every order; (c) must differ from (a) by more than
    1e-3 for every order but left to right, so the position ids, not the input order, carry
    the factorisation order. Values: see :func:`_permutation_values`.
    """
    return Report(
        items=(
            _sorted_mask_figure(run.shuffled),
            _permutation_table(run),
            _travelling_check(run.comparisons),
            _renumbered_check(run.comparisons),
            *_permutation_values(run),
        )
    )


# --------------------------------------------------------------------------- figures


def _mask_figure(panels: Sequence[tuple[str, MaskSpec]], *, caption: str, alt: str) -> Figure:
    """One panel per (title, mask), side by side."""
    fig = MplFigure(figsize=(2.45 * len(panels), 2.9), layout="constrained")
    axes = fig.subplots(1, len(panels))
    cmap = ListedColormap(["white", _ALLOWED_COLOR])
    for ax, (title, spec) in zip(np.atleast_1d(axes), panels, strict=True):
        ax.imshow(spec.allowed.astype(float), cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        _label_grid(ax, spec, title=title)
    return Figure(figure=fig, caption=caption, alt=alt, data=_mask_data(panels))


def _sorted_mask_figure(spec: MaskSpec) -> Figure:
    return _mask_figure(
        [(TITLES[spec.kind], spec), (_SORTED_TITLE, sorted_by_generation(spec))],
        caption=(
            "左：乱序 Mask，输入按原顺序排列；右：把同一矩阵的行和列都按生成顺序重排，它就是普通的下三角。"
            "这正是“按生成顺序输入、位置编号随词走、再用下三角 Mask”的等价实现。"
        ),
        alt="两个方块矩阵：左边是打乱的下三角，右边是整齐的下三角，两者所含蓝格相同。",
    )


def _label_grid(ax: Axes, spec: MaskSpec, *, title: str) -> None:
    n = len(spec.tokens)
    ticks = np.arange(n)
    long = max(len(t) for t in spec.tokens) > 3
    ax.set_xticks(ticks, labels=spec.tokens, rotation=90 if long else 0, fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(ticks, labels=spec.tokens, fontsize=8)
    ax.set_xticks(ticks[1:] - 0.5, minor=True)
    ax.set_yticks(ticks[1:] - 0.5, minor=True)
    ax.grid(which="minor", color=IMAGE_INK, linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(title, fontsize=9)
    if spec.predicts:
        right = ax.secondary_yaxis("right")
        right.set_yticks(ticks, labels=spec.predicts, fontsize=8)
        right.tick_params(length=0)
    if spec.segments:
        edge = spec.segments.index(1) - 0.5
        ax.axhline(edge, color=IMAGE_RED, linewidth=1.4)
        ax.axvline(edge, color=IMAGE_RED, linewidth=1.4)


def _mask_data(panels: Sequence[tuple[str, MaskSpec]]) -> dict[str, list[Cell]]:
    data: dict[str, list[Cell]] = {
        key: [] for key in ("mask", "query", "query_token", "predicts", "key", "key_token", "allowed")
    }
    for title, spec in panels:
        for i, j in np.ndindex(spec.allowed.shape):
            data["mask"].append(title)
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
    cmap = backdrop("viridis").with_extremes(bad="white")
    image = None
    for ax, result in zip(axes, results, strict=False):
        shown = np.ma.masked_less_equal(result.single, 0.0)
        image = ax.imshow(np.ma.log10(shown), cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
        hidden_rows, hidden_cols = np.nonzero(~result.spec.allowed)
        ax.scatter(hidden_cols, hidden_rows, marker="x", s=14, linewidths=0.8, color=IMAGE_INK)
        _label_grid(ax, result.spec, title=TITLES[result.spec.kind])
    for ax in axes[len(results) :]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes.tolist(), shrink=0.7, label="log10 max|Δ|")
    # White cells are exact zeros; they coincide with the crossed (forbidden) cells iff the mask held.
    apart = sum(int(((r.single <= 0) != ~r.spec.allowed).sum()) for r in results)
    return Figure(
        figure=fig,
        caption=(
            f"实测依赖：随机 Transformer（{layers} 层、宽 {width}、{heads} 头，残差 + LayerNorm）中，"
            "只替换第 $j$ 个输入时第 $i$ 个输出的最大变化（颜色为 log10）。白格表示输出一位不差（$|\\Delta| = 0$），"
            f"× 标出 Mask 禁止的格：{'两者完全重合' if apart == 0 else f'两者有 {apart} 格不重合'}。"
        ),
        alt=(
            f"{len(results)} 个热图，与上面的 Mask 图同样布局；"
            + (
                "被 Mask 禁止的格全为白色并打了叉，其余格都有颜色"
                if apart == 0
                else f"白格与打叉的格有 {apart} 处不一致"
            )
            + f"（变化量约在 10^{low} 到 10^{high} 之间）。"
        ),
        data=_dependency_data(results),
    )


def _dependency_data(results: Sequence[LeakMeasurement]) -> dict[str, list[Cell]]:
    data: dict[str, list[Cell]] = {key: [] for key in ("mask", "query", "key", "allowed", "max_abs_change")}
    for result in results:
        for (i, j), value in np.ndenumerate(result.single):
            data["mask"].append(TITLES[result.spec.kind])
            data["query"].append(i)
            data["key"].append(j)
            data["allowed"].append(int(result.spec.allowed[i, j]))
            data["max_abs_change"].append(float(value))
    return data


# --------------------------------------------------------------------------- tables


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
            f"{TITLES[spec.kind]}：替换输入后第 $i$ 个输出的最大变化 $|\\Delta|$。"
            "不可见的输入既逐个替换、也一次全部替换，取最大的变化；"
            "可见的输入逐个替换，取最小的变化；— 表示没有不可见的输入。"
        ),
        columns=(
            "$i$",
            "输入 → 预测" if spec.predicts else "输入",
            "可见 / 不可见",
            "替换不可见输入：最大 $|\\Delta|$",
            "替换可见输入：最小 $|\\Delta|$",
        ),
        rows=tuple(rows),
    )


def _permutation_table(run: PermutationRun) -> Table:
    return Table(
        caption=(
            f"同一个随机 Transformer（{run.layers} 层、宽 {run.width}、{run.heads} 头）上，乱序 Mask（原顺序输入）与"
            "下三角 Mask（按生成顺序重排输入）的输出之差。第一行是原文的顺序。"
        ),
        columns=("生成顺序", "重排输入（位置编号随词走）：$\\max|\\Delta|$", "重排后重新编号：$\\max|\\Delta|$"),
        rows=tuple(
            (" → ".join(run.sentence[p - 1] for p in r.order), r.travelling, r.renumbered) for r in run.comparisons
        ),
    )


# --------------------------------------------------------------------------- checks


def _generation_orders(run: LmFiguresRun) -> dict[str, tuple[int, ...]]:
    """Each language model's generation order by its definition (1-based positions of the sentence)."""
    m = len(run.sentence)
    return {"unidirectional": tuple(range(1, m + 1)), "reverse": tuple(range(m, 0, -1)), "shuffled": run.order}


def _reading_order_check(run: LmFiguresRun) -> Check:
    orders = _generation_orders(run)
    cases = {}
    for spec in run.masks:
        order = orders[spec.kind]
        reference = mask_by_reading_steps([[0], *([p] for p in order)], len(run.sentence) + 1)
        cases[f"{TITLES[spec.kind]}（生成顺序 {' → '.join(run.sentence[p - 1] for p in order)}）"] = bool(
            np.array_equal(reference, spec.allowed)
        )
    return all_hold(
        "每个语言模型的 Mask 都与逐步模拟生成过程所得的可见范围逐格一致：先读 <s>，再按生成顺序每步读入一个字，"
        "每个位置只看已经读入的位置",
        cases,
        note="参照矩阵用循环从生成顺序逐步搭出，不经过名次 r(i)、PᵀLP 或 Mask 的构造代码",
    )


def _prediction_cases(run: LmFiguresRun) -> dict[str, bool]:
    """Each row of the shuffled mask predicts the next token read and cannot see it."""
    spec = next(spec for spec in run.masks if spec.kind == "shuffled")
    assert spec.predicts is not None  # a language model's spec always has them
    read = [0, *run.order]  # positions in reading order, <s> first
    cases = {}
    for step, i in enumerate(read):
        following = read[step + 1] if step + 1 < len(read) else None
        expected = EOS if following is None else spec.tokens[following]
        # Keyed by position too: a sentence may repeat a character, and labels must not collide.
        label = f"位置 {i}（读“{spec.tokens[i]}”）预测“{spec.predicts[i]}”，应为“{expected}”"
        blind = following is None or not spec.allowed[i, following]
        cases[label + ("" if following is None else "，且看不到它")] = spec.predicts[i] == expected and blind
    return cases


def _article_cases(run: LmFiguresRun) -> dict[str, bool]:
    """The article's description of two rows of its figure; empty for another example."""
    if (run.sentence, run.order) != _ARTICLE_EXAMPLE:
        return {}
    spec = next(spec for spec in run.masks if spec.kind == "shuffled")
    assert spec.predicts is not None
    cases = {}
    for token, described in _ARTICLE_ROWS.items():
        row = spec.predicts.index(token) if token in spec.predicts else None
        seen = () if row is None else tuple(spec.tokens[j] for j in np.flatnonzero(spec.allowed[row]))
        cases[f"原文：预测“{token}”的那一行只读 {{{', '.join(described)}}}，图中读 {{{', '.join(seen)}}}"] = (
            seen == described
        )
    return cases


def _article_verdict(cases: Mapping[str, bool]) -> str:
    if not cases:
        return "无从核对（这不是原文的例子）"
    return "也在图中成立" if all(cases.values()) else "在图中并不成立"


def _prediction_check(cases: Mapping[str, bool]) -> Check:
    return all_hold(
        "乱序 Mask 中，每一行预测的正是生成顺序里的下一个词，而且看不到它；原文对其插图的逐行描述在图中成立",
        cases,
        note="应预测的词直接取自指令给出的生成顺序；原文的描述只在原文的例子上核对",
    )


def _seq2seq_steps(run: Seq2SeqFiguresRun) -> dict[str, list[list[int]]]:
    """How each seq2seq mask reads ``[CLS] source [SEP] target [SEP]``, step by step."""
    ns = len(run.source) + 2
    n = ns + len(run.target) + 1
    return {
        "bidirectional": [list(range(n))],
        "naive_seq2seq": [[i] for i in range(n)],
        "unilm": [list(range(ns)), *([i] for i in range(ns, n))],
    }


def _reading_steps_check(run: Seq2SeqFiguresRun) -> Check:
    steps = _seq2seq_steps(run)
    cases = {}
    for spec in run.masks:
        reference = mask_by_reading_steps(steps[spec.kind], sum(len(group) for group in steps[spec.kind]))
        cases[f"{TITLES[spec.kind]}：{_READINGS[spec.kind]}"] = bool(np.array_equal(reference, spec.allowed))
    ns, nt = len(run.source) + 2, len(run.target) + 1
    return all_hold(
        "三种 Mask 都与逐步模拟读入过程所得的可见范围逐格一致：UniLM 的源句部分双向、目标句部分单向",
        cases,
        note=(
            f"源句连同 [CLS] 与第一个 [SEP] 共 {ns} 个位置，目标句连同末尾的 [SEP] 共 {nt} 个；"
            "参照矩阵用循环逐步搭出，不经过 segment id 公式"
        ),
    )


def _source_look_ahead(run: Seq2SeqFiguresRun) -> set[tuple[int, int]]:
    """The cells where a source position reads a later source position: (query, key) with i < j."""
    ns = len(run.source) + 2
    return {(i, j) for i in range(ns) for j in range(ns) if i < j}


def _extra_cells(unilm: MaskSpec, causal: MaskSpec) -> set[tuple[int, int]]:
    """Cells UniLM allows and the naive causal mask forbids."""
    rows, cols = np.nonzero(unilm.allowed & ~causal.allowed)
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


def _unilm_formula_check(unilm: MaskSpec, causal: MaskSpec, *, run: Seq2SeqFiguresRun) -> Check:
    assert unilm.segments is not None
    extra, look_ahead = _extra_cells(unilm, causal), _source_look_ahead(run)
    return all_hold(
        "UniLM 的 Mask 与 cumsum 写法一致；它比朴素单向 Mask 多出的格恰好是源句内部“往后看”的格",
        {
            r"$(1-s_i)(1-s_j) + s_i\,[j \le i]$ 与 $c = \operatorname{cumsum}(s)$、$[c_j \le c_i]$ 相同": bool(
                np.array_equal(unilm_mask_by_cumsum(unilm.segments), unilm.allowed)
            ),
            f"多出 {len(extra)} 格，源句内部 $i < j$ 的格共 {len(look_ahead)} 个，两组逐格相同": extra == look_ahead,
        },
        note=f"“{run.source}”→“{run.target}”；源句内部 $i < j$ 的格由位置编号直接列出",
    )


def _leak_check(result: LeakMeasurement) -> Check:
    spec = result.spec
    hidden = int((~spec.allowed).sum())
    hidden_label = (
        f"不可见的 {hidden} 格：逐个替换与一次替换全部，输出最大变化 {result.hidden_max:.3g}"
        f"（容差 {HIDDEN_TOLERANCE:g}）"
        if hidden
        else "没有不可见的格"
    )
    visible_label = (
        f"可见的 {int(spec.allowed.sum())} 格：输出最小变化 {result.visible_min:.3g}（阈值 {VISIBLE_THRESHOLD:g}）"
    )
    return all_hold(
        f"{TITLES[spec.kind]}：扰动看不见的输入，输出不变；扰动任一看得见的输入，输出改变",
        {
            hidden_label: result.hidden_max <= HIDDEN_TOLERANCE,
            visible_label: result.visible_min >= VISIBLE_THRESHOLD,
            # Implied by the two bounds above (1e-12 < 1e-6); listed so a reader sees the cell-by-cell match.
            "实测依赖与 Mask 逐格一致": bool(np.array_equal(result.measured, spec.allowed)),
        },
    )


def _layers_check(results: Sequence[LeakMeasurement], *, layers: int) -> Check:
    cases = {}
    for result in results:
        added = int((result.measured & ~result.measured_first_layer).sum())
        lost = int((result.measured_first_layer & ~result.measured).sum())
        cases[f"{TITLES[result.spec.kind]}：新增 {added} 格、消失 {lost} 格"] = added == lost == 0
    return all_hold(
        f"实测：叠 {layers} 层后每个输出依赖的输入，与只用第一层时逐格相同——多层不会借道泄漏",
        cases,
        note="同一组输入与替换词向量，分别只经过第一层和经过全部层；第一层的依赖就是注意力直接读到的输入",
    )


def _unilm_dependency_check(result: LeakMeasurement) -> Check:
    spec = result.spec
    assert spec.segments is not None
    src = np.asarray(spec.segments) == 0
    moved = result.measured
    nt = int((~src).sum())
    return all_hold(
        "实测：UniLM 下源句双向、目标句单向",
        {
            "源句每个输出都随源句任一位置变化（含其后的位置）": bool(moved[np.ix_(src, src)].all()),
            "源句输出对目标句毫无反应": not moved[np.ix_(src, ~src)].any()
            and float(result.single[np.ix_(src, ~src)].max()) <= HIDDEN_TOLERANCE,
            "目标句每个输出都随整个源句变化": bool(moved[np.ix_(~src, src)].all()),
            "目标句第 $k$ 个输出只随目标句前 $k$ 个位置变化": bool(
                np.array_equal(moved[np.ix_(~src, ~src)], causal_mask(nt))
            ),
        },
    )


def _travelling_check(comparisons: Sequence[OrderComparison]) -> Check:
    worst = max(c.travelling for c in comparisons)
    return all_hold(
        f"对全部 {len(comparisons)} 种生成顺序，两种实现的输出之差都不超过 {HIDDEN_TOLERANCE:g}",
        {f"最大 $|\\Delta|$ = {worst:.2e}": worst <= HIDDEN_TOLERANCE},
        note="两种实现只差在浮点求和的顺序，应当只有舍入误差",
    )


def _renumbered_check(comparisons: Sequence[OrderComparison]) -> Check:
    # In the left-to-right order, renumbering changes nothing: leave it out of this check.
    shuffled = [c.renumbered for c in comparisons if list(c.order) != sorted(c.order)]
    return at_least(
        "重排后若把位置重新编号，结果就不再相同：生成顺序是由位置编号携带的",
        {
            f"{len(shuffled)} 种非正向顺序中最小的 $\\max|\\Delta|$": (
                min(shuffled, default=math.inf),
                RENUMBERED_THRESHOLD,
            )
        },
    )


# --------------------------------------------------------------------------- values quoted by the prose


def _scientific(x: float) -> str:
    """A positive number as the prose writes it: 1.7×10⁻¹⁵, 10⁻¹², or 0.11 between 0.01 and 100."""
    if x == 0 or not math.isfinite(x) or 0.01 <= abs(x) < 100:
        return f"{x:.2g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    power = f"10{str(int(exponent)).translate(_SUPERSCRIPTS)}"
    return power if mantissa == "1.0" else f"{mantissa}×{power}"


def _seq2seq_values(unilm: MaskSpec, causal: MaskSpec, *, run: Seq2SeqFiguresRun) -> tuple[Value, ...]:
    assert unilm.segments is not None
    extra = _extra_cells(unilm, causal)
    cumsum = bool(np.array_equal(unilm_mask_by_cumsum(unilm.segments), unilm.allowed))
    return (
        Value("cumsum", "一致" if cumsum else "不一致"),
        Value("unilm_cells", int(unilm.allowed.sum())),
        Value("naive_cells", int(causal.allowed.sum())),
        Value("extra_cells", int(unilm.allowed.sum()) - int(causal.allowed.sum())),
        Value("extra_where", "正是" if extra == _source_look_ahead(run) else "并不都是"),
    )


def _leak_values(run: LeakTestRun, unilm_check: Check | None) -> tuple[Value, ...]:
    """Values of the leak test: the stack's size, the extreme changes and the verdicts on them.

    ``hidden_result`` says whether hidden inputs moved outputs not at all, within the
    tolerance or beyond it; ``match`` whether the measured dependencies equal the masks;
    ``layered`` whether the full stack depends on more inputs than its first layer;
    ``unilm_pattern`` (only when UniLM was tested) whether its measured pattern is UniLM's.
    """
    results = run.measurements
    hidden = max(result.hidden_max for result in results)
    mismatched = sum(int((result.measured != result.spec.allowed).sum()) for result in results)
    added = sum(int((result.measured & ~result.measured_first_layer).sum()) for result in results)
    if hidden == 0:
        hidden_result = "恰好为 0"
    elif hidden <= HIDDEN_TOLERANCE:
        hidden_result = f"不超过 {_scientific(hidden)}，在容差之内"
    else:
        hidden_result = f"达到 {_scientific(hidden)}，超出了容差"
    values = [
        Value("layers", run.layers),
        Value("width", run.width),
        Value("heads", run.heads),
        Value("mask_count", len(results)),
        Value("tolerance", _scientific(HIDDEN_TOLERANCE)),
        Value("threshold", _scientific(VISIBLE_THRESHOLD)),
        Value("hidden_result", hidden_result),
        Value("visible_min", _scientific(min(result.visible_min for result in results))),
        Value("match", "完全重合" if mismatched == 0 else f"有 {mismatched} 格不重合"),
        Value("layered", "没有新增任何依赖" if added == 0 else f"新增了 {added} 处依赖"),
    ]
    if unilm_check is not None:
        values.append(Value("unilm_pattern", "与 Mask 的设计一致" if unilm_check.passed else "与 Mask 的设计不符"))
    return tuple(values)


def _permutation_values(run: PermutationRun) -> tuple[Value, ...]:
    """The (token, position) pairs of the example, the number of orders, and the two differences."""
    first = run.comparisons[0].order
    worst = max(c.travelling for c in run.comparisons)
    shuffled = [c.renumbered for c in run.comparisons if list(c.order) != sorted(c.order)]
    least = min(shuffled, default=math.inf)
    return (
        Value("pairs", ", ".join(f"({token},{p})" for p, token in enumerate(run.sentence, start=1))),
        Value("pairs_in_order", ", ".join(f"({run.sentence[p - 1]},{p})" for p in first)),
        Value("orders", len(run.comparisons)),
        Value("travelling_max", _scientific(worst)),
        Value(
            "travelling_verdict",
            "这是浮点数求和顺序不同带来的舍入误差" if worst <= HIDDEN_TOLERANCE else "已超出舍入误差能解释的范围",
        ),
        Value("renumbered_min", _scientific(least)),
        Value("renumbered_verdict", "完全变了" if least >= RENUMBERED_THRESHOLD else "几乎没有变"),
    )
