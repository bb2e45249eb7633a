"""The present stage of the new-words post: figures, tables, checks and values from each run's result.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, then the tables, then the values the prose quotes, then the checks. Nothing here
reads a corpus or runs the algorithm.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from computations.checks import all_hold
from computations.palette import FAINTEST
from computations.report import Cell, Check, Figure, Report, Table, Value

from .experiments import (
    ARTICLE_LEXICON_SIZE,
    ERROR_ROWS,
    HAND_CUT,
    HAND_GOLD,
    JIEBA,
    JIEBA_HMM,
    ORACLE,
    OURS,
    PIECES,
    SINGLE,
    DiscoverRun,
    SegmentationRun,
    SweepPoint,
    SweepRun,
)
from .segmentation import SegmentationScore
from .theory import DEFAULT_MIN_COUNT


@dataclass(frozen=True)
class PublishedScore:
    """A row of the article's evaluation on the SIGHAN 2005 PKU test set (printed to 3 digits)."""

    label: str
    recall: str | None
    precision: str | None
    f1: str


#: The article's results, as printed; the ICLR 2019 segmental neural LM is quoted for F1 only.
ARTICLE_SCORES: Final = (
    PublishedScore("原文：THUCNews 上发现的词库（前 5 万词）+ jieba", "0.777", "0.711", "0.742"),
    PublishedScore("原文：500 万篇微信文章上发现的词库（前 5 万词）+ jieba", "0.799", "0.734", "0.765"),
    PublishedScore("原文引用：ICLR 2019 分段神经语言模型（SNLM）", None, None, "0.731"),
)
#: Row labels of the segmentations, by method key of the run stage.
LABELS: Final[Mapping[str, str]] = {
    OURS: "本站：发现的词库 + jieba-rs（HMM 关）",
    PIECES: "本站：预切分的片段直接作为分词",
    SINGLE: "基线：逐字切分",
    JIEBA: "jieba-rs 自带词典（HMM 关）",
    JIEBA_HMM: "jieba-rs 自带词典（HMM 开）",
    ORACLE: "参照：金标词表 + jieba-rs（HMM 关）",
}
_SHORT_LABELS: Final = {
    ARTICLE_SCORES[0].label: "原文：THUCNews 词库 + jieba",
    ARTICLE_SCORES[1].label: "原文：微信文章词库 + jieba",
    ARTICLE_SCORES[2].label: "原文引用：SNLM",
    LABELS[OURS]: "本站：发现的词库 + jieba-rs",
    LABELS[PIECES]: "本站：预切分片段",
    LABELS[SINGLE]: "逐字切分",
    LABELS[JIEBA]: "jieba-rs 自带词典",
    LABELS[JIEBA_HMM]: "jieba-rs 自带词典 + HMM",
    LABELS[ORACLE]: "金标词表 + jieba-rs",
}
#: The scorer's hand-made example: the sentence, its gold cut and a wrong cut, as words whose
#: lengths are :data:`~computations.newwords.experiments.HAND_GOLD` and ``HAND_CUT``; and the
#: (gold, predicted, correct) counts worked out by hand: P = 3/7, R = 3/6, F1 = 6/13.
HAND_WORDS: Final = (("结婚", "的", "和", "尚未", "结婚", "的"), ("结婚", "的", "和尚", "未", "结", "婚", "的"))
HAND_COUNTS: Final = (6, 7, 3)
#: Names of the timed stages of a discovery, by key of :attr:`DiscoverRun.seconds`.
STAGE_LABELS: Final[Mapping[str, str]] = {
    "load": "读取语料",
    "encode": "全角转半角、字符编号",
    "count_ngrams": "$n$ 元组计数",
    "cohesion": "凝固度计算与筛选",
    "cut": "预切分",
    "count_pieces": "候选词计数",
    "backcheck": "回溯过滤",
}


# --------------------------------------------------------------------------- directives


def discover(run: DiscoverRun) -> Report:
    """What one corpus yields: n-gram table, cohesion figure, word tables, timings; three checks."""
    return Report(
        items=(
            _ngram_table(run),
            _cohesion_figure(run),
            _words_by_length_table(run),
            _new_words_table(run),
            _rejected_table(run),
            _timing_table(run),
            _count_check(run),
            _cut_check(run),
            _coverage_check(run),
            *_discover_values(run),
        )
    )


def segmentation_score(run: SegmentationRun) -> Report:
    """The score table and figure, the frequent errors, four checks and the quoted values."""
    scores = run.scores()
    return Report(
        items=(
            _score_table(run),
            _score_figure(run),
            _error_table(run),
            _gold_parse_check(run),
            _preserved_check(run),
            _scorer_check(run),
            _baseline_check(scores),
            *_score_values(run),
        )
    )


def sweep(run: SweepRun) -> Report:
    """Scores and sizes over the threshold grid (figure and table); two monotonicity checks; values."""
    return Report(
        items=(
            _sweep_figure(run),
            _sweep_table(run),
            _nested_ngrams_check(run),
            _refinement_check(run),
            *_sweep_values(run),
        )
    )


# --------------------------------------------------------------------------- figures


def _cohesion_figure(run: DiscoverRun) -> Figure:
    fig = MplFigure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    edges = run.cohesion_edges
    data: dict[str, list[Cell]] = {"n": [], "bin_left": [], "bin_right": [], "ngrams": [], "threshold": []}
    for n, threshold in enumerate(run.thresholds, start=2):
        hist = run.cohesion_counts[n]
        color = f"C{n - 2}"
        ax.stairs(hist, edges, color=color, linewidth=1.4, label=f"{n} 元组（{run.frequent[n]} 个）")
        ax.axvline(threshold, color=color, linestyle="--", linewidth=1.0)
        data["n"] += [n] * hist.size
        data["bin_left"] += edges[:-1].tolist()
        data["bin_right"] += edges[1:].tolist()
        data["ngrams"] += hist.tolist()
        data["threshold"] += [threshold] * hist.size
    ax.set_xlabel("凝固度：各切分点上 PMI 的最小值（自然对数）")
    ax.set_ylabel("n 元组个数")
    ax.set_title(f"{run.corpus} 中出现 ≥ {run.min_count} 次的 n 元组")
    ax.legend(loc="upper right", fontsize="small", title="虚线：该阶阈值")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    thresholds = "、".join(f"{t:g}" for t in run.thresholds)
    return Figure(
        figure=fig,
        caption=(
            f"出现不少于 {run.min_count} 次的 2 至 {run.order} 元组的凝固度分布；"
            f"同色虚线是该阶的阈值（{thresholds}），虚线右边的 $n$ 元组被保留。"
        ),
        alt=(
            f"三条阶梯形直方图，横轴为凝固度（{edges[0]:g} 到 {edges[-1]:g}），纵轴为个数。"
            "阶数越高，分布越靠右，阈值也越靠右；每条分布都有相当一部分落在自己的阈值左侧被丢弃。"
        ),
        data=data,
    )


def _score_figure(run: SegmentationRun) -> Figure:
    scores = run.scores()
    labels: list[str] = [p.label for p in ARTICLE_SCORES] + [LABELS[s.method] for s in run.segmentations]
    values: dict[str, list[float]] = {"精确率": [], "召回率": [], "F1": []}
    for p in ARTICLE_SCORES:
        values["精确率"].append(float(p.precision) if p.precision else math.nan)
        values["召回率"].append(float(p.recall) if p.recall else math.nan)
        values["F1"].append(float(p.f1))
    for s in run.segmentations:
        values["精确率"].append(s.score.precision)
        values["召回率"].append(s.score.recall)
        values["F1"].append(s.score.f1)
    fig = MplFigure(figsize=(6.4, 5.6), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(labels))[::-1].astype(float)
    height = 0.27
    for k, (metric, vals) in enumerate(values.items()):
        bars = ax.barh(y + (1 - k) * height, vals, height=height, color=f"C{k}", label=metric)
        if metric == "F1":
            ax.bar_label(bars, labels=[f"{v:.3f}" for v in vals], fontsize="small", padding=2)
    ax.axhline(y[len(ARTICLE_SCORES) - 1] - 0.5, color="0.4", linewidth=1.0, linestyle="--")
    ax.set_yticks(y, labels=[_SHORT_LABELS.get(label, label) for label in labels])
    ax.set_xlim(0.0, 1.1)
    ax.set_ylim(y[-1] - 0.6, y[0] + 0.6)
    ax.set_xlabel("分数（虚线以上为原文在 PKU 测试集上的数字）")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    data: dict[str, list[Cell]] = {
        "method": [label for label in labels for _ in values],
        "metric": [metric for _ in labels for metric in values],
        "value": [values[metric][i] for i in range(len(labels)) for metric in values],
    }
    return Figure(
        figure=fig,
        caption=(
            "各分词方法的精确率、召回率与 F1（条末数字为 F1）：虚线以上是原文在 PKU 测试集上的结果，"
            "以下是本站这次构建在人民日报全文上的结果。"
        ),
        alt=(
            f"横向分组条形图，每种方法三根条：精确率、召回率、F1。本站发现词库的 F1 为 {scores[OURS].f1:.3f}，"
            f"原文为 0.742 与 0.765；逐字切分最低（{scores[SINGLE].f1:.3f}），"
            f"金标词表最高（{scores[ORACLE].f1:.3f}）。"
        ),
        data=data,
    )


def _sweep_figure(run: SweepRun) -> Figure:
    counts_grid, shift_grid = run.min_counts, run.shifts
    by_count = len(counts_grid) > 1
    series = shift_grid if by_count else counts_grid
    fig = MplFigure(figsize=(6.4, 5.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    data: dict[str, list[Cell]] = {
        k: [] for k in ("min_count", "shift", "precision", "recall", "f1", "lexicon", "solid_ngrams")
    }
    for k, value in enumerate(series):
        group = [p for p in run.points if (p.shift if by_count else p.min_count) == value]
        x = [p.min_count if by_count else p.shift for p in group]
        suffix = "" if len(series) == 1 else (f"（平移 {value:+g}）" if by_count else f"（min_count = {value}）")
        _plot_sweep_series(top, bottom, x, group, color=f"C{k}", suffix=suffix)
        for p in group:
            row = (p.min_count, p.shift, p.score.precision, p.score.recall, p.score.f1, p.lexicon, sum(p.solid))
            for key, v in zip(data, row, strict=True):
                data[key].append(v)
    _style_sweep_axes(top, bottom, by_count=by_count, counts_grid=counts_grid, shift_grid=shift_grid)
    best = max(run.points, key=lambda p: p.score.f1)
    varied = " min_count " if by_count else "凝固度阈值整体平移"
    return Figure(
        figure=fig,
        caption=f"F1、精确率、召回率（上）与词库词数、保留 $n$ 元组个数（下）随{varied}的变化。",
        alt=(
            f"上图：F1 在 min_count = {best.min_count}、平移 {best.shift:+g} 处最高（{best.score.f1:.3f}）。"
            "下图：保留的 $n$ 元组随阈值升高单调减少，词库词数大体也减少，但不严格单调。"
        ),
        data=data,
    )


def _plot_sweep_series(
    top: Axes, bottom: Axes, x: Sequence[float], group: Sequence[SweepPoint], *, color: str, suffix: str
) -> None:
    top.plot(x, [p.score.f1 for p in group], "o-", color=color, label=f"F1{suffix}")
    faint = {"color": color, "alpha": FAINTEST, "markersize": 4}
    top.plot(x, [p.score.precision for p in group], "s--", label=f"精确率{suffix}", **faint)
    top.plot(x, [p.score.recall for p in group], "^:", label=f"召回率{suffix}", **faint)
    bottom.plot(x, [p.lexicon for p in group], "o-", color=color, label=f"词库词数{suffix}")
    bottom.plot(x, [sum(p.solid) for p in group], "s--", label=f"保留的 n 元组{suffix}", **faint)


def _style_sweep_axes(
    top: Axes, bottom: Axes, *, by_count: bool, counts_grid: Sequence[int], shift_grid: Sequence[float]
) -> None:
    if by_count:
        bottom.set_xscale("log", base=2)
        bottom.set_xticks(list(counts_grid), labels=[str(c) for c in counts_grid])
        bottom.set_xlabel("min_count（对数坐标）")
    else:
        bottom.set_xticks(list(shift_grid), labels=[f"{s:+g}" for s in shift_grid])
        bottom.set_xlabel("所有凝固度阈值同时平移的量（0 即原文的 2、4、6）")
    bottom.set_yscale("log")
    bottom.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    bottom.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    bottom.yaxis.set_minor_formatter(ticker.NullFormatter())
    top.set_ylabel("分数")
    top.set_title("阈值对分词效果与词库规模的影响")
    top.legend(loc="best", fontsize="small")
    bottom.set_ylabel("个数（对数坐标）")
    bottom.legend(loc="best", fontsize="small")


# --------------------------------------------------------------------------- tables


def _ngram_table(run: DiscoverRun) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for n in range(2, run.order + 1):
        scored, kept = run.frequent[n], run.kept[n]
        rows.append((n, scored, run.thresholds[n - 2], kept, round(kept / scored, 4) if scored else "—"))
    return Table(
        caption=(
            f"语料 {run.corpus}：{run.texts} 段文本，{run.characters} 个“词字符”（汉字、数字、拉丁字母），"
            f"{run.alphabet} 种不同的字符。各阶 $n$ 元组中出现不少于 {run.min_count} 次的个数、"
            "凝固度（各切分点上 PMI 的最小值，自然对数）阈值与通过阈值保留下来的个数。"
        ),
        columns=("$n$", f"出现 ≥ {run.min_count} 次", "凝固度阈值", "保留", "保留比例"),
        rows=tuple(rows),
    )


def _words_by_length_table(run: DiscoverRun) -> Table:
    sizes = run.lexicon.sizes
    columns, rows = _columns_by_length(run.lexicon.top, top=run.top)
    return Table(
        caption=(
            f"在 {run.corpus} 上发现的词，按字数分列，括号内是它作为预切分片段出现的次数。词库共 "
            f"{run.lexicon.size} 个词：单字 {sizes[1]}、2 字 {sizes[2]}、3 字 {sizes[3]}、4 字 {sizes[4]}、"
            f"5 字及以上 {sizes[5]}。"
        ),
        columns=("名次", *columns),
        rows=rows,
    )


def _new_words_table(run: DiscoverRun) -> Table:
    columns, rows = _columns_by_length(run.lexicon.top_new, top=run.top)
    return Table(
        caption=(
            f"“新词”：发现的纯汉字多字词中，jieba 默认词典里没有的有 {run.lexicon.new} 个（共 {run.lexicon.han} 个），"
            "按字数分列，括号内是出现次数。"
        ),
        columns=("名次", *columns),
        rows=rows,
    )


def _columns_by_length(
    ranked: Mapping[int, Mapping[str, int]], *, top: int
) -> tuple[list[str], tuple[tuple[Cell, ...], ...]]:
    """Column names (2 字, 3 字, …, the last one "or more") and ``top`` rows of "word（count）"."""
    longest = max(ranked)
    names = [f"{n} 字" for n in range(2, longest)] + [f"{longest} 字及以上"]
    columns = [[f"{word}（{count}）" for word, count in ranked[n].items()] for n in range(2, longest + 1)]
    rows = tuple(
        (rank, *(column[rank - 1] if rank <= len(column) else "" for column in columns)) for rank in range(1, top + 1)
    )
    return names, rows


def _rejected_table(run: DiscoverRun) -> Table:
    rows = tuple((piece.word, piece.count, " + ".join(piece.joined_by)) for piece in run.lexicon.top_rejected)
    return Table(
        caption=(
            f"预切分出现 ≥ {run.min_count} 次、却被回溯检查去掉的片段（共 {run.lexicon.rejected} 个，列出最常见的）："
            "它们由几个互相重叠的保留 $n$ 元组连成，自身却不是保留的 $n$ 元组（或含有不保留的 4 字窗口）。"
        ),
        columns=("片段", "次数", "把它连起来的保留 $n$ 元组"),
        rows=rows,
    )


def _timing_table(run: DiscoverRun) -> Table:
    characters = run.text_length
    rows: list[tuple[Cell, ...]] = [
        (STAGE_LABELS[stage], round(seconds, 4), round(characters / seconds) if seconds > 0 else "—")
        for stage, seconds in run.seconds.items()
    ]
    algorithm = sum(run.seconds.values()) - run.seconds["load"]
    rows.append(("算法合计（不含读取）", round(algorithm, 4), round(characters / algorithm)))
    return Table(
        caption=(
            f"本次构建中各步骤的用时（{characters} 个字符，含标点与换行；单进程 numpy）。"
            "“字符/秒”是全文字符数除以该步用时。"
        ),
        columns=("步骤", "用时（秒）", "字符/秒"),
        rows=tuple(rows),
    )


def _score_table(run: SegmentationRun) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            p.label,
            "SIGHAN 2005 PKU 测试集",
            ARTICLE_LEXICON_SIZE if p.recall else "—",
            p.precision or "—",
            p.recall or "—",
            p.f1,
            "—",
        )
        for p in ARTICLE_SCORES
    ]
    for s in run.segmentations:
        rows.append(
            (
                LABELS[s.method],
                f"{run.corpus} 全文",
                s.dictionary if s.dictionary is not None else "—",
                round(s.score.precision, 4),
                round(s.score.recall, 4),
                round(s.score.f1, 4),
                round(s.seconds, 3) if s.seconds is not None else "—",
            )
        )
    thresholds = "、".join(f"{t:g}" for t in run.thresholds)
    return Table(
        caption=(
            f"分词评测（SIGHAN 的词区间口径：起止位置都与标准答案相同的词才算对）。本站各行都在 {run.corpus} 的"
            f" {run.characters} 个字符上评测；词库由同一份生文本（去掉词性标注和词间空格）无监督发现，"
            f"min_count = {run.min_count}，凝固度阈值 {thresholds}，共 {run.discovered} 个词。"
            "原文三行照录原文，评测文本不同，只能并排参看。"
        ),
        columns=("方法", "评测文本", "词库词数", "精确率", "召回率", "F1", "切分用时（秒）"),
        rows=tuple(rows),
    )


def _error_table(run: SegmentationRun) -> Table:
    a, b = list(run.spurious.items()), list(run.missed.items())
    rows = tuple(
        (rank, *(a[rank - 1] if rank <= len(a) else ("", "")), *(b[rank - 1] if rank <= len(b) else ("", "")))
        for rank in range(1, ERROR_ROWS + 1)
    )
    return Table(
        caption=(
            "发现词库 + jieba-rs 最常见的多字错误：左边是切出来、但标准答案里没有这个区间的词；"
            "右边是标准答案里有、却没有被完整切出的词。"
        ),
        columns=("名次", "多切出的词", "次数", "漏掉的标准词", "次数"),
        rows=rows,
    )


def _sweep_table(run: SweepRun) -> Table:
    rows = tuple(
        (
            p.min_count,
            "、".join(f"{t:g}" for t in p.thresholds),
            " / ".join(str(v) for v in p.solid),
            p.lexicon,
            round(p.score.precision, 4),
            round(p.score.recall, 4),
            round(p.score.f1, 4),
        )
        for p in run.points
    )
    mean = sum(p.seconds for p in run.points) / len(run.points)
    return Table(
        caption=(
            f"{run.corpus}：每组阈值下保留的 2/3/4 元组个数、词库词数，以及把词库交给 jieba-rs（HMM 关）后的分词成绩。"
            f"$n$ 元组只统计一次；之后每组阈值的发现、切分与评分平均用时 {mean:.2f} 秒。"
        ),
        columns=("min_count", "凝固度阈值", "保留的 2/3/4 元组", "词库词数", "精确率", "召回率", "F1"),
        rows=rows,
    )


# --------------------------------------------------------------------------- values the prose quotes


def _discover_values(run: DiscoverRun) -> tuple[Value, ...]:
    lexicon = run.lexicon
    stages = {stage: seconds for stage, seconds in run.seconds.items() if stage != "load"}
    algorithm = sum(stages.values())
    examples = "，".join(
        f"“{piece.word}”由{''.join(f'“{gram}”' for gram in piece.joined_by)}连成" for piece in lexicon.top_rejected[:2]
    )
    values = [
        Value("size", run.text_length / 1e4, ".0f", " 万"),
        Value("alphabet", run.alphabet, ","),
        Value("words", lexicon.size, ","),
        Value("long", lexicon.sizes[5], ","),
        Value("new", lexicon.new, ","),
        Value("rejected", lexicon.rejected, ","),
        Value("rejected_examples", examples or "（没有被去掉的片段）"),
        Value("algorithm_seconds", algorithm, ".2f", " 秒"),
        Value("throughput", run.text_length / algorithm / 1e4 if algorithm > 0 else 0.0, ".0f", " 万"),
        Value("slowest", STAGE_LABELS[max(stages, key=stages.__getitem__)]),
    ]
    if lexicon.long_names is not None:
        share = lexicon.long_names / lexicon.sizes[5] if lexicon.sizes[5] else 0.0
        values += [Value("long_names", lexicon.long_names, ","), Value("long_names_share", share, ".0%")]
    return tuple(values)


def _score_values(run: SegmentationRun) -> tuple[Value, ...]:
    scores = run.scores()
    ours, pieces, jieba, hmm = scores[OURS], scores[PIECES], scores[JIEBA], scores[JIEBA_HMM]
    article = ARTICLE_SCORES[0]
    gap = abs(ours.f1 - float(article.f1))
    same_order = (ours.recall > ours.precision) == (float(article.recall or 0) > float(article.precision or 0))
    gain = 100 * (ours.f1 - pieces.f1)
    if hmm.f1 >= jieba.f1:
        hmm_effect = "有所提高"
    elif hmm.predicted < jieba.predicted:
        hmm_effect = "反而略降：它把更多字串连成了未登录词，切出的词更少"
    else:
        hmm_effect = "反而略降"
    return (
        Value("f1", ours.f1, ".3f"),
        Value("precision", ours.precision, ".3f"),
        Value("recall", ours.recall, ".3f"),
        Value("gap", gap, ".3f"),
        Value("closeness", "几乎重合" if gap < 0.005 else "相当接近" if gap < 0.02 else "差得较远"),
        Value("order", "同样是召回率高于精确率" if same_order else "精确率与召回率的大小关系却与原文相反"),
        Value("words", run.discovered, ","),
        Value(
            "lexicon_use", "不到这个数，等于全用" if run.discovered <= run.lexicon_size else "超过这个数，只取最常见的"
        ),
        Value("characters", run.characters / 1e4, ".0f", " 万"),
        Value("gold_words", ours.gold / 1e4, ".0f", " 万"),
        Value("single_f1", scores[SINGLE].f1, ".2f"),
        Value("pieces_f1", pieces.f1, ".2f"),
        Value("gain", f"又提高了约 {gain:.0f} 个百分点" if gain > 0 else f"反而降低了约 {-gain:.0f} 个百分点"),
        Value("jieba_f1", jieba.f1, ".2f"),
        Value("hmm_effect", hmm_effect),
        Value("oracle_f1", scores[ORACLE].f1, ".2f"),
    )


def _sweep_values(run: SweepRun) -> tuple[Value, ...]:
    by_count = len(run.min_counts) > 1
    best = max(run.points, key=lambda p: p.score.f1)
    values = [
        Value("best_f1", best.score.f1, ".3f"),
        Value("best_min_count", best.min_count),
        Value("best_shift", _signed(best.shift)),
        Value("grown", _grown(run, by_count=by_count)),
    ]
    at = {(p.min_count, p.shift): p for p in run.points}
    values += _count_values(run, best, at) if by_count else _shift_values(run, best, at)
    return tuple(values)


def _count_values(run: SweepRun, best: SweepPoint, at: Mapping[tuple[int, float], SweepPoint]) -> list[Value]:
    shift = run.shifts[0]
    highest = at[(run.min_counts[-1], shift)]
    values = [Value("highest_count", highest.min_count), Value("f1_highest_count", highest.score.f1, ".2f")]
    default = at.get((DEFAULT_MIN_COUNT, shift))
    if default is not None:
        gap = 100 * (best.score.f1 - default.score.f1)
        values.append(
            Value("default_verdict", "正是最好的设置" if gap == 0 else f"比最好的设置低约 {gap:.1f} 个百分点")
        )
    line = [at[(count, shift)].lexicon for count in run.min_counts]
    shrinking = all(a > b for a, b in itertools.pairwise(line))
    values.append(Value("lexicon_trend", "词库也都越大" if shrinking else "词库却不总是越大"))
    return values


def _shift_values(run: SweepRun, best: SweepPoint, at: Mapping[tuple[int, float], SweepPoint]) -> list[Value]:
    count = run.min_counts[0]
    zero = at.get((count, 0.0))
    values = [
        Value(
            "zero_verdict",
            "恰好是 F1 最高的一点" if best.shift == 0 else f"不是 F1 最高的一点（最高在平移 {_signed(best.shift)}）",
        )
    ]
    if zero is None:
        return values
    low, high = at[(count, run.shifts[0])], at[(count, run.shifts[-1])]
    values += [
        Value("lowest_shift", _signed(low.shift)),
        Value("highest_shift", _signed(high.shift)),
        Value("low_side", _moved("召回率", zero.score.recall, low.score.recall)),
        Value("high_side", _moved("精确率", zero.score.precision, high.score.precision)),
    ]
    repository = at.get((count, -1.0))
    if repository is not None:
        worse = repository.score.f1 < zero.score.f1
        values.append(Value("repository_verdict", "略差一些" if worse else "反而更好"))
    return values


def _signed(shift: float) -> str:
    """A shift as the prose writes it: +1, 0, −2 (a true minus sign)."""
    return "0" if shift == 0 else f"{shift:+g}".replace("-", "−")


def _moved(metric: str, before: float, after: float) -> str:
    return f"{metric}从 {before:.3f} {'降到' if after < before else '升到'} {after:.3f}"


def _grown(run: SweepRun, *, by_count: bool) -> str:
    """The first neighbouring pair along the swept axis where the higher threshold has the larger lexicon."""
    for step in run.steps:
        a, b = run.points[step.low], run.points[step.high]
        if (a.min_count != b.min_count) == by_count and b.lexicon > a.lexicon:
            axis = (
                f"min_count 从 {a.min_count} 增到 {b.min_count}"
                if by_count
                else f"平移从 {_signed(a.shift)} 增到 {_signed(b.shift)}"
            )
            return f"{axis} 时，词库就从 {a.lexicon:,} 个词变成了 {b.lexicon:,} 个"
    return "这次扫描中没有出现提高阈值后词库变大的相邻两点"


# --------------------------------------------------------------------------- checks


def _count_check(run: DiscoverRun) -> Check:
    test = run.self_test
    return all_hold(
        f"numpy 计出的 1 至 {run.order} 元组频数与纯 Python 逐个子串计数完全相同（前 {test.texts} 段文本）",
        {f"{n} 元组逐项相等": agree for n, agree in test.counts_agree.items()},
        note=f"{test.characters} 个词字符，{test.ngrams} 种不同的 $n$ 元组",
    )


def _cut_check(run: DiscoverRun) -> Check:
    test = run.self_test
    return all_hold(
        f"数组实现的预切分与逐个字间空隙检查的朴素实现结果相同（前 {test.texts} 段文本）",
        {f"{test.pieces} 个片段对 {test.plain_pieces} 个片段，{_same(test.cut_agrees)}": test.cut_agrees},
        note=f"朴素实现：两字之间只要被某个保留的 2 至 {run.order} 元组覆盖就不切",
    )


def _coverage_check(run: DiscoverRun) -> Check:
    test = run.self_test
    loose = list(test.loose)
    return all_hold(
        "词库中每个多字词（以及被回溯去掉的片段）的每个字间空隙都被其内部的某个保留 $n$ 元组覆盖",
        {f"未被覆盖的：{loose[:5] if loose else '无'}": not loose},
        note=f"检查了 {test.multi_character} 个多字片段；覆盖关系用逐个字间空隙检查的朴素切分判断",
    )


def _gold_parse_check(run: SegmentationRun) -> Check:
    return all_hold(
        "另写的严格解析器（每个标注单元必须是“词/字母词性”）读出的标准分词，与评分所用的逐行相同",
        {
            "逐行相同" if run.strict_matches else "不同": run.strict_matches,
            f"读不出的标注单元 {run.malformed_tokens} 个": run.malformed_tokens == 0,
        },
        note=f"{run.lines} 行标准分词、{run.characters} 个字符",
    )


def _preserved_check(run: SegmentationRun) -> Check:
    segmenters = [s for s in run.segmentations if s.covers_text is not None]
    return all_hold(
        "切分器切出的词逐行拼回去，都一字不差地等于原文",
        {LABELS[s.method]: bool(s.covers_text) for s in segmenters},
        note=(
            f"{len(segmenters)} 种切分器、{run.lines} 行；预切分片段与逐字切分只是词长序列，"
            "总长不对时评分器直接报错，所以不在此列"
        ),
    )


def _scorer_check(run: SegmentationRun) -> Check:
    hand, ours, itself = run.hand_score, run.scores()[OURS], run.gold_self_score
    gold, cut = ("/".join(words) for words in HAND_WORDS)
    expected = dict(zip(("gold", "predicted", "correct"), HAND_COUNTS, strict=True))
    got = {"gold": hand.gold, "predicted": hand.predicted, "correct": hand.correct}
    return all_hold(
        "评分器与独立的参照一致：手算的例句、另写的集合求交计数、标准答案自评",
        {
            f"例句“{cut}”对“{gold}”：标准 {hand.gold}、切出 {hand.predicted}、正确 {hand.correct}"
            f"（手算 {HAND_COUNTS[0]}、{HAND_COUNTS[1]}、{HAND_COUNTS[2]}，即 P = 3/7、R = 3/6、F1 = 6/13）": (
                got == expected
            ),
            f"本站切分的正确词数：评分器 {ours.correct}，集合求交 {run.plain_correct}": (
                ours.correct == run.plain_correct
            ),
            f"标准答案自评 P/R/F1 = {itself.precision}/{itself.recall}/{itself.f1}": (
                itself.precision == itself.recall == itself.f1 == 1.0
            ),
        },
        note=f"例句的词长：标准 {HAND_GOLD}，切分 {HAND_CUT}；本站切出 {ours.predicted}、标准 {ours.gold} 个词",
    )


def _baseline_check(scores: Mapping[str, SegmentationScore]) -> Check:
    ours, pieces, single = scores[OURS].f1, scores[PIECES].f1, scores[SINGLE].f1
    return all_hold(
        "发现的词库当作分词词典，F1 高于两种平凡切分（逐字切分、直接用预切分片段）",
        {
            f"词库 {ours:.4f} > 预切分片段 {pieces:.4f}": ours > pieces,
            f"词库 {ours:.4f} > 逐字 {single:.4f}": ours > single,
        },
        note="F1",
    )


def _nested_ngrams_check(run: SweepRun) -> Check:
    extra = [step for step in run.steps if not step.ngrams_nested]
    return all_hold(
        "提高 min_count 或凝固度阈值，保留的 $n$ 元组只会减少：高阈值下保留的都在低阈值下保留",
        {f"{len(extra)} 对不是子集关系" if extra else "全部是子集关系": not extra},
        note=f"比较了 {len(run.steps)} 对相邻网格点",
    )


def _refinement_check(run: SweepRun) -> Check:
    coarse = [step for step in run.steps if not step.cuts_kept]
    grown = [step for step in run.steps if run.points[step.high].lexicon > run.points[step.low].lexicon]
    return all_hold(
        "提高阈值只会增加切分点：低阈值下的每个片段起点在高阈值下仍是起点（预切分只会变细）",
        {f"{len(coarse)} 对不成立" if coarse else "全部成立": not coarse},
        note=(
            f"比较了 {len(run.steps)} 对相邻网格点（最终词库不受这一单调性约束：其中 {len(grown)} 对在提高阈值后"
            "词库反而变大，因为片段变细后，原先藏在长片段里的短词计数增加，越过了 min_count）"
        ),
    )


def _same(agree: bool) -> str:
    return "完全一致" if agree else "不一致"
