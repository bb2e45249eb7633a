"""The present stage of the mask post: figures, tables and checks from each run's result.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, then the tables, then the checks. Nothing here draws a random number; the checks
compare the stored masks and measurements with independent constructions (PᵀLP, the
cumsum formula, boolean reachability), which cost microseconds on these small matrices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure as MplFigure

from computations.checks import all_hold, at_least
from computations.report import Cell, Check, Figure, Report, Table

from .experiments import LeakTestRun, LmFiguresRun, PermutationRun, Seq2SeqFiguresRun
from .probes import HIDDEN_TOLERANCE, VISIBLE_THRESHOLD, LeakMeasurement, OrderComparison
from .theory import (
    BOS,
    MaskSpec,
    causal_mask,
    permutation_matrix,
    reachable,
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
_ALLOWED_COLOR: Final = "#3d72b8"  # the article's figures draw allowed cells in blue
_SEGMENT_COLOR: Final = "#d2462f"


# --------------------------------------------------------------------------- directives


def lm_figures(run: LmFiguresRun) -> Report:
    """Three language-model masks; checks: each is PᵀLP, and the shuffled rows read k inputs."""
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
    shuffled = next(spec for spec in run.masks if spec.kind == "shuffled")
    return Report(items=(figure, _permuted_triangle_check(run.masks), _generation_order_check(shuffled)))


def seq2seq_figures(run: Seq2SeqFiguresRun) -> Report:
    """Bidirectional, causal and UniLM masks; checks: UniLM's blocks, formulas and cell counts."""
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
    checks = (
        _unilm_structure_check(specs["unilm"]),
        _unilm_formula_check(specs["unilm"], specs["naive_seq2seq"], source=run.source, target=run.target),
    )
    return Report(items=(figure, *checks))


def leak_test(run: LeakTestRun) -> Report:
    """Measured dependencies (figure, one table per mask); checks per mask, composition, UniLM.

    Per mask: no output moves by more than 1e-12 when only inputs it must not see change, and
    every output moves by at least 1e-6 when any one input it may see changes. Then: each
    mask is closed under composition (M·M ⊆ M), so stacking layers opens no new path; and,
    when UniLM is tested, its measured pattern is bidirectional on the source and causal on
    the target.
    """
    results = run.measurements
    figure = _dependency_figure(results, layers=run.layers, width=run.width, heads=run.heads)
    tables = tuple(_leak_table(result) for result in results)
    checks = [_leak_check(result) for result in results]
    checks.append(_composition_check([result.spec for result in results], layers=run.layers))
    unilm = next((r for r in results if r.spec.kind == "unilm"), None)
    if unilm is not None:
        checks.append(_unilm_dependency_check(unilm))
    return Report(items=(figure, *tables, *checks))


def permutation(run: PermutationRun) -> Report:
    """The shuffled mask sorted into a triangle, the comparison table; checks: (a) = (b), (c) ≠ (a).

    (a) and (b) must agree to 1e-12 for every order; (c) must differ from (a) by more than
    1e-3 for every order but left to right, so the position ids, not the input order, carry
    the factorisation order.
    """
    return Report(
        items=(
            _sorted_mask_figure(run.shuffled),
            _permutation_table(run),
            _travelling_check(run.comparisons),
            _renumbered_check(run.comparisons),
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
    ax.grid(which="minor", color="0.8", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(title, fontsize=9)
    if spec.predicts:
        right = ax.secondary_yaxis("right")
        right.set_yticks(ticks, labels=spec.predicts, fontsize=8)
        right.tick_params(length=0)
    if spec.segments:
        edge = spec.segments.index(1) - 0.5
        ax.axhline(edge, color=_SEGMENT_COLOR, linewidth=1.2)
        ax.axvline(edge, color=_SEGMENT_COLOR, linewidth=1.2)


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
    cmap = colormaps["viridis"].with_extremes(bad="white")
    image = None
    for ax, result in zip(axes, results, strict=False):
        shown = np.ma.masked_less_equal(result.single, 0.0)
        image = ax.imshow(np.ma.log10(shown), cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
        hidden_rows, hidden_cols = np.nonzero(~result.spec.allowed)
        ax.scatter(hidden_cols, hidden_rows, marker="x", s=14, linewidths=0.8, color="0.55")
        _label_grid(ax, result.spec, title=TITLES[result.spec.kind])
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
            f"{TITLES[spec.kind]}：替换输入后第 i 个输出的最大变化 |Δ|。不可见的输入既逐个替换、也一次全部替换，"
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


def _permutation_table(run: PermutationRun) -> Table:
    return Table(
        caption=(
            f"同一个随机 Transformer（{run.layers} 层、宽 {run.width}、{run.heads} 头）上，乱序 Mask（原顺序输入）与"
            "下三角 Mask（按生成顺序重排输入）的输出之差。第一行是原文的顺序。"
        ),
        columns=("生成顺序", "重排输入（位置编号随词走）：max|Δ|", "重排后重新编号：max|Δ|"),
        rows=tuple(
            (" → ".join(run.sentence[p - 1] for p in r.order), r.travelling, r.renumbered) for r in run.comparisons
        ),
    )


# --------------------------------------------------------------------------- checks


def _permuted_triangle_check(specs: Sequence[MaskSpec]) -> Check:
    cases = {}
    for spec in specs:
        assert spec.ranks is not None  # language models carry their generation order
        p = permutation_matrix(spec.ranks)
        product = p.T @ causal_mask(len(spec.tokens)).astype(np.int64) @ p
        cases[f"{TITLES[spec.kind]}：PᵀLP = Mask"] = bool(np.array_equal(product.astype(bool), spec.allowed))
    return all_hold(
        "每个语言模型的 Mask 都等于一个被置换的下三角矩阵 PᵀLP（P 把位置按生成顺序排列）",
        cases,
        note="逐元素比较 PᵀLP 与 Mask",
    )


def _generation_order_check(spec: MaskSpec) -> Check:
    """The article's reading of its figure: the row predicting the first generated token has one cell, …"""
    assert spec.predicts is not None and spec.ranks is not None
    cases = {}
    by_rank = np.argsort(spec.ranks)
    for i in by_rank:
        seen = [spec.tokens[j] for j in by_rank if spec.allowed[i, j]]
        # Keyed by position too: a sentence may repeat a character, and labels must not collide.
        label = f"预测“{spec.predicts[i]}”的行（位置 {i}）读 {{{', '.join(seen)}}}"
        cases[label] = len(seen) == spec.ranks[i] + 1 and seen[0] == BOS
    return all_hold("乱序 Mask 中，预测第 k 个生成的词的那一行恰好读 k 个输入：<s> 与先于它生成的词", cases)


def _unilm_structure_check(unilm: MaskSpec) -> Check:
    assert unilm.segments is not None
    m = unilm.allowed
    src = np.asarray(unilm.segments) == 0
    ns, nt = int(src.sum()), int((~src).sum())
    return all_hold(
        "UniLM 的 Mask 让源句部分双向关注、目标句部分单向关注",
        {
            "源句 × 源句全为 1（双向）": bool(m[np.ix_(src, src)].all()),
            "源句 × 目标句全为 0": not m[np.ix_(src, ~src)].any(),
            "目标句 × 源句全为 1": bool(m[np.ix_(~src, src)].all()),
            "目标句 × 目标句为下三角（单向）": bool(np.array_equal(m[np.ix_(~src, ~src)], causal_mask(nt))),
        },
        note=f"源句含 [CLS] 与第一个 [SEP] 共 {ns} 个位置，目标句含末尾 [SEP] 共 {nt} 个",
    )


def _unilm_formula_check(unilm: MaskSpec, causal: MaskSpec, *, source: str, target: str) -> Check:
    assert unilm.segments is not None
    src = np.asarray(unilm.segments) == 0
    ns, nt = int(src.sum()), int((~src).sum())
    n = ns + nt
    expected_unilm, expected_causal = ns * ns + ns * nt + nt * (nt + 1) // 2, n * (n + 1) // 2
    count_unilm, count_causal = int(unilm.allowed.sum()), int(causal.allowed.sum())
    return all_hold(
        "UniLM 的 Mask 与 bert4keras 公式、cumsum 写法一致，可见格数符合公式",
        {
            "(1−sᵢ)(1−sⱼ) + sᵢ·[j ≤ i] 与 c = cumsum(s)、[cⱼ ≤ cᵢ] 相同": bool(
                np.array_equal(unilm_mask_by_cumsum(unilm.segments), unilm.allowed)
            ),
            f"UniLM 可见 {count_unilm} 格（公式 n_s² + n_s·n_t + n_t(n_t+1)/2 = {expected_unilm}）": (
                count_unilm == expected_unilm
            ),
            f"单向 Mask {count_causal} 格（n(n+1)/2 = {expected_causal}）": count_causal == expected_causal,
        },
        note=f"“{source}”→“{target}”，共 {n * n} 格",
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


def _composition_check(specs: Sequence[MaskSpec], *, layers: int) -> Check:
    cases = {}
    for spec in specs:
        m = spec.allowed.astype(np.int64)
        cases[f"{TITLES[spec.kind]}：M·M ⊆ M"] = not ((m @ m > 0) & ~spec.allowed).any()
        cases[f"{TITLES[spec.kind]}：{layers} 层可达 = Mask"] = bool(
            np.array_equal(reachable(spec.allowed, layers=layers), spec.allowed)
        )
    return all_hold(
        f"每个 Mask 都满足 M·M ⊆ M，叠 {layers} 层后的可达关系仍是 Mask 本身：多层不会借道泄漏",
        cases,
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
            "目标句第 k 个输出只随目标句前 k 个位置变化": bool(
                np.array_equal(moved[np.ix_(~src, ~src)], causal_mask(nt))
            ),
        },
    )


def _travelling_check(comparisons: Sequence[OrderComparison]) -> Check:
    worst = max(c.travelling for c in comparisons)
    return all_hold(
        f"对全部 {len(comparisons)} 种生成顺序，两种实现的输出之差都不超过 {HIDDEN_TOLERANCE:g}",
        {f"最大 |Δ| = {worst:.2e}": worst <= HIDDEN_TOLERANCE},
        note="两种实现只差在浮点求和的顺序，应当只有舍入误差",
    )


def _renumbered_check(comparisons: Sequence[OrderComparison]) -> Check:
    # In the left-to-right order, renumbering changes nothing: leave it out of this check.
    shuffled = [c.renumbered for c in comparisons if list(c.order) != sorted(c.order)]
    return at_least(
        "重排后若把位置重新编号，结果就不再相同：生成顺序是由位置编号携带的",
        {f"{len(shuffled)} 种非正向顺序中最小的 max|Δ|": (min(shuffled, default=math.inf), RENUMBERED_THRESHOLD)},
    )
