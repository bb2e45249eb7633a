"""The present stage of the word-count post: tables, the dict-growth figure and the checks.

Order: constants, then one function per directive (what the reader sees), then the figure,
then the tables, then the checks. Everything is drawn from a run's stored result: nothing
here segments, counts or times anything. Timings are reported, never asserted; the checks
are about correctness (every strategy yields the same counts).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Final

from matplotlib import ticker
from matplotlib.figure import Figure as MplFigure

from computations.checks import all_hold
from computations.report import Cell, Check, Figure, Report, Table

from .counting import CountSummary
from .experiments import (
    BATCHED_KEY,
    COUNTER_KEY,
    NAIVE_KEY,
    DictGrowthRun,
    SourceVocabulary,
    StrategiesRun,
    VocabularyRun,
    parallel_key,
)
from .timing import UPDATES_PER_POINT, Machine

#: The article's wall times on THUCNews (seconds) and its process count.
ARTICLE_SECONDS: Final[Mapping[str, float]] = {"naive": 20 * 60.0, "batched": 8 * 60.0, "parallel": 55.0}
ARTICLE_WORKERS: Final = 10

NAIVE: Final = "朴素（全局字典）"
BATCHED: Final = "分批（单进程）"
COUNTER: Final = "Counter（参照）"
_LABELS: Final[Mapping[str, str]] = {NAIVE_KEY: NAIVE, BATCHED_KEY: BATCHED, COUNTER_KEY: COUNTER}

_UNIFORM: Final = "合成词·均匀抽取"
_ZIPF: Final = "合成词·Zipf 抽取"
_GROWING: Final = "真实语料·逐条累加（全局字典）"
_GROWTH_STYLES: Final = (
    {"color": "#9ecae1", "marker": "o", "linestyle": "-"},
    {"color": "#3182bd", "marker": "s", "linestyle": "-"},
    {"color": "#e6550d", "marker": ".", "linestyle": "-"},
    {"color": "#31a354", "marker": "^", "linestyle": "none"},
)


# --------------------------------------------------------------------------- directives


def vocabulary(run: VocabularyRun) -> Report:
    """Sources with their sizes and vocabularies, the most frequent words; checks: lossless
    segmentation, merged file counts equal one count over the whole corpus."""
    rows = [_vocabulary_row(s.label, s.texts, s.characters, s.counts) for s in run.sources]
    if len(run.sources) > 1:
        texts, characters = sum(s.texts for s in run.sources), sum(s.characters for s in run.sources)
        rows.append(_vocabulary_row("合计", texts, characters, run.merged))
    sizes = Table(
        caption=(
            f"语料 {run.corpus} 的规模与词表：{'；'.join(f'{s.label}取自 {s.file_name}' for s in run.sources)}。"
            "rjieba 分词，标点也算作词；“不同的词”就是计数字典最终的键数"
            f"（合计中纯标点符号占 {run.punctuation} 个），合计一行由各文件的词频表合并而得。"
        ),
        columns=("来源", "文本", "字数", "词数", "不同的词", "只出现一次"),
        rows=tuple(rows),
    )
    return Report(items=(sizes, _top_words_table(run), _lossless_check(run.sources), _merge_check(run)))


def strategies(run: StrategiesRun) -> Report:
    """End-to-end times with speedups, time per phase, the article's ratios next to ours;
    checks: identical counts everywhere, the counts add up to the number of tokens."""
    setting = _setting(run)
    return Report(
        items=(
            _end_to_end_table(run, setting=setting),
            _phase_table(run, setting=setting),
            _article_table(run),
            _identical_counts_check(run),
            _token_sum_check(run),
        )
    )


def dict_growth(run: DictGrowthRun) -> Report:
    """The cost of 10⁵ updates against dict size (figure, and a table of each curve's ends);
    check: the chunked naive count equals ``collections.Counter``."""
    return Report(items=(_growth_figure(run), _growth_table(run), _growth_check(run)))


def verdict(ratio: float, *, article: float) -> str:
    """One sentence on whether batching sped up counting alone, for a naive ÷ batched ``ratio``.

    Differences within 5 % are called a tie: run-to-run noise on a shared machine is of
    that order.
    """
    if ratio < 0.95:
        return f"本次只算计数时，分批反而比朴素写法慢（比值 {ratio:.2f}）：原文的效应没有复现。"
    if ratio <= 1.05:
        return f"本次只算计数时，两种写法相差不到 5%（比值 {ratio:.2f}）：原文的效应没有复现。"
    if ratio < article:
        return f"本次只算计数时，分批快了 {ratio:.2f} 倍：方向与原文一致，幅度小于原文的 {article:.1f} 倍。"
    return f"本次只算计数时，分批快了 {ratio:.2f} 倍：达到了原文的 {article:.1f} 倍。"


# --------------------------------------------------------------------------- the figure


def _per_point(seconds: float, updates: int) -> float:
    """Milliseconds per :data:`UPDATES_PER_POINT` updates."""
    return seconds / updates * UPDATES_PER_POINT * 1e3


def _growth_series(run: DictGrowthRun) -> dict[str, tuple[list[int], list[float]]]:
    """Label → (dict sizes, milliseconds per 10⁵ updates) of each curve, in drawing order."""
    synthetic_keys = [s.keys for s in run.synthetic]
    return {
        _UNIFORM: (synthetic_keys, [_per_point(s.uniform_seconds, UPDATES_PER_POINT) for s in run.synthetic]),
        _ZIPF: (synthetic_keys, [_per_point(s.zipf_seconds, UPDATES_PER_POINT) for s in run.synthetic]),
        _GROWING: ([c.keys_after for c in run.chunks], [c.ms_per_point for c in run.chunks]),
        f"真实语料·批内小字典（每批 {run.batch_size} 篇）": (
            [b.distinct for b in run.batches],
            [_per_point(b.count_seconds, b.tokens) for b in run.batches],
        ),
    }


def _growth_figure(run: DictGrowthRun) -> Figure:
    series = _growth_series(run)
    data: dict[str, list[Cell]] = {"series": [], "keys": [], "ms_per_100k_updates": []}
    for label, (keys, costs) in series.items():
        data["series"] += [label] * len(keys)
        data["keys"] += keys
        data["ms_per_100k_updates"] += [round(cost, 4) for cost in costs]
    synthetic_costs, real_costs = series[_UNIFORM][1], series[_GROWING][1]
    chunks, synthetic, batch_sizes = run.chunks, run.synthetic, [b.distinct for b in run.batches]
    return Figure(
        figure=_draw_growth(series),
        caption=(
            "字典越大，更新越慢吗？纵轴是执行 10⁵ 次 d[k] = d.get(k, 0) + 1 的用时，横轴是字典的大小（对数坐标）。"
            f"橙线为语料 {run.corpus} 的词流逐条累加、每 10⁵ 个词计一次时；绿点为分批统计时每批自己的小字典；"
            "蓝线为合成的双字词，只更新已有的键。"
        ),
        alt=(
            f"双对数坐标。合成词均匀抽取的曲线从 {synthetic_costs[0]:.1f} 毫秒（{synthetic[0].keys} 个键）"
            f"变到 {synthetic_costs[-1]:.1f} 毫秒（{synthetic[-1].keys} 个键）；"
            f"真实语料逐条累加的曲线在 {chunks[0].keys_after} 到 {chunks[-1].keys_after} 个键之间，"
            f"从 {real_costs[0]:.1f} 毫秒变到 {real_costs[-1]:.1f} 毫秒；批内小字典的点集中在 "
            f"{min(batch_sizes)} 到 {max(batch_sizes)} 个键。"
        ),
        data=data,
    )


def _draw_growth(series: Mapping[str, tuple[list[int], list[float]]]) -> MplFigure:
    fig = MplFigure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for (label, (keys, costs)), style in zip(series.items(), _GROWTH_STYLES, strict=True):
        ax.plot(keys, costs, label=label, markersize=4, linewidth=1.4, **style)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xlabel("字典中不同键的个数")
    ax.set_ylabel("每 $10^5$ 次更新的用时（毫秒）")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig


# --------------------------------------------------------------------------- tables


def _vocabulary_row(label: str, texts: int, characters: int, counts: CountSummary) -> tuple[Cell, ...]:
    return (label, texts, characters, counts.tokens, counts.words, counts.hapaxes)


def _top_words_table(run: VocabularyRun) -> Table:
    tokens = run.merged.tokens
    rows = tuple(
        (rank, entry.word, entry.count, round(entry.count / tokens * 10_000, 1))
        for rank, entry in enumerate(run.top, start=1)
    )
    return Table(
        caption=f"出现最多的 {len(rows)} 个词（不计纯标点；每万词 = 次数 ÷ 全部 {tokens} 个词 × 10⁴）。",
        columns=("名次", "词", "次数", "每万词"),
        rows=rows,
    )


def _significant(seconds: float) -> float:
    """A duration to 4 significant digits (the site shows floats as they are given)."""
    return float(f"{seconds:.4g}")


def _parallel_label(workers: int) -> str:
    return f"分批（{workers} 个进程）"


def _setting(run: StrategiesRun) -> str:
    return (
        f"语料 {run.corpus}：{run.texts} 篇文本、{run.characters} 字、{run.tokens} 个词；每批 {run.batch_size} 篇；"
        f"各取 {run.repeats} 轮中最快的一次，每轮顺序随机。本机 {run.machine.cores} 核，{_interpreter(run.machine)}，"
        f"测量开始时 1 分钟平均负载 {run.machine.load:.2f}"
    )


def _interpreter(machine: Machine) -> str:
    return f"{machine.python}（{'有 PGO 优化编译' if machine.optimized else '未做 PGO 优化编译'}）"


def _end_to_end_table(run: StrategiesRun, *, setting: str) -> Table:
    seconds = {key: timing.seconds for key, timing in run.end_to_end.items()}
    naive, batched = seconds[NAIVE_KEY], seconds[BATCHED_KEY]
    strategies = [(NAIVE, NAIVE_KEY, 1), (BATCHED, BATCHED_KEY, 1)]
    strategies += [(_parallel_label(n), parallel_key(n), n) for n in run.processes]
    rows: list[tuple[Cell, ...]] = []
    for label, key, count in strategies:
        over_naive, over_batched = naive / seconds[key], batched / seconds[key]
        rows.append(
            (
                label,
                _significant(seconds[key]),
                round(over_naive, 2),
                round(over_batched, 2),
                round(over_naive / count, 2),
                round(over_batched / count, 2),
            )
        )
    return Table(
        caption=(
            f"分词加计数的总用时（原文的做法）。{setting}。加速 = 基准（朴素或单进程分批）的用时 ÷ 该方式的用时；"
            "效率 = 加速 ÷ 进程数，以朴素写法为基准时就是原文所说的“加速比”。"
        ),
        columns=("方式", "用时（秒）", "加速·朴素", "加速·分批", "效率·朴素", "效率·分批"),
        rows=tuple(rows),
    )


def _phase_table(run: StrategiesRun, *, setting: str) -> Table:
    timings, counting = run.batches, run.counting
    merges = sum(t.distinct for t in timings)
    phases: list[tuple[str, float, int]] = [
        ("分词（按字）", run.segment_seconds, run.characters),
        ("计数·朴素（按词）", counting[NAIVE_KEY].seconds, run.tokens),
        ("计数·分批（按更新）", counting[BATCHED_KEY].seconds, run.tokens + merges),
        ("　其中批内计数（按词）", sum(t.count_seconds for t in timings), run.tokens),
        ("　其中合并（按更新）", sum(t.merge_seconds for t in timings), merges),
        ("计数·Counter（按词）", counting[COUNTER_KEY].seconds, run.tokens),
    ]
    return Table(
        caption=(
            "分词与计数分开计时：先用 rjieba 分词一次，再让每种写法数同一批词（每次都是新建的字符串对象）。"
            f"分批写法的两段来自单独一次带分段计时的运行，共 {len(timings)} 批，合并时每批每个不同的词更新总表一次。"
            f"{setting}。"
        ),
        columns=("阶段", "用时（秒）", "次数", "每次（纳秒）"),
        rows=tuple(
            (label, _significant(seconds), amount, round(seconds / amount * 1e9, 1) if amount else math.nan)
            for label, seconds, amount in phases
        ),
    )


def _article_table(run: StrategiesRun) -> Table:
    article = ARTICLE_SECONDS
    end_to_end = {key: timing.seconds for key, timing in run.end_to_end.items()}
    counting = {key: timing.seconds for key, timing in run.counting.items()}
    most = run.processes[-1]
    parallel = end_to_end[parallel_key(most)]
    counting_ratio = _ratio(counting, NAIVE_KEY, BATCHED_KEY)
    rows: tuple[tuple[Cell, ...], ...] = (
        (
            "朴素 ÷ 分批（含分词）",
            round(article["naive"] / article["batched"], 2),
            _ratio(end_to_end, NAIVE_KEY, BATCHED_KEY),
        ),
        ("朴素 ÷ 分批（只算计数）", "—", counting_ratio),
        (
            f"朴素 ÷ 多进程（原文 {ARTICLE_WORKERS} 进程，本次 {most} 进程）",
            round(article["naive"] / article["parallel"], 2),
            round(end_to_end[NAIVE_KEY] / parallel, 2),
        ),
        (
            "每进程效率·对朴素（原文的“加速比”）",
            round(article["naive"] / article["parallel"] / ARTICLE_WORKERS, 2),
            round(end_to_end[NAIVE_KEY] / parallel / most, 2),
        ),
        (
            "每进程效率·对分批（原文说的实际加速比）",
            round(article["batched"] / article["parallel"] / ARTICLE_WORKERS, 2),
            round(end_to_end[BATCHED_KEY] / parallel / most, 2),
        ),
    )
    return Table(
        caption=(
            "原文（THUCNews，约 20 分钟、8 分钟、55 秒）与本次构建的比值对照，本次的数字来自上面两张表；"
            "两边的语料规模、分词器和 Python 版本都不同，只有比值可以放在一起看。"
            f"{verdict(counting_ratio, article=article['naive'] / article['batched'])}"
        ),
        columns=("比值", "原文", "本次构建"),
        rows=rows,
    )


def _ratio(seconds: Mapping[str, float], numerator: str, denominator: str) -> float:
    return round(seconds[numerator] / seconds[denominator], 2)


def _growth_table(run: DictGrowthRun) -> Table:
    full = [c for c in run.chunks if c.updates == UPDATES_PER_POINT] or list(run.chunks)
    batch_costs = [_per_point(b.count_seconds, b.tokens) for b in run.batches]
    first, last = run.synthetic[0], run.synthetic[-1]
    rows: list[tuple[Cell, ...]] = [
        _growth_row(
            "真实·逐条累加",
            (full[0].keys_after, full[0].ms_per_point),
            (full[-1].keys_after, full[-1].ms_per_point),
        ),
        (
            "真实·批内小字典",
            round(statistics.median(b.distinct for b in run.batches)),
            round(statistics.median(batch_costs), 2),
            "—",
            "—",
            "—",
        ),
    ]
    for label, attribute in (("合成·均匀", "uniform_seconds"), ("合成·Zipf", "zipf_seconds")):
        rows.append(
            _growth_row(
                label,
                (first.keys, _per_point(getattr(first, attribute), UPDATES_PER_POINT)),
                (last.keys, _per_point(getattr(last, attribute), UPDATES_PER_POINT)),
            )
        )
    return Table(
        caption=(
            "图中各条曲线两端的数值：字典从小到大，每 10⁵ 次更新的用时（毫秒）变了多少倍（倍数 = 大 ÷ 小）。"
            "真实语料逐条累加取第一个与最后一个完整的 10⁵ 词块（第一块里有大量新词插入）；"
            "批内小字典取各批的中位数；合成词取最小与最大的字典。"
        ),
        columns=("曲线", "键数（小）", "毫秒（小）", "键数（大）", "毫秒（大）", "倍数"),
        rows=tuple(rows),
    )


def _growth_row(label: str, small: tuple[int, float], large: tuple[int, float]) -> tuple[Cell, ...]:
    return (label, small[0], round(small[1], 2), large[0], round(large[1], 2), round(large[1] / small[1], 2))


# --------------------------------------------------------------------------- checks


def _lossless_check(sources: Sequence[SourceVocabulary]) -> Check:
    cases = {}
    for s in sources:
        outcome = f"{s.mismatched} 篇不一致" if s.mismatched else "逐篇一致"
        cases[f"{s.label}：{s.texts} 篇，{outcome}"] = s.mismatched == 0
    return all_hold("分词不丢字：每篇文本的词连起来等于去掉空白后的原文", cases, note="全部文本逐篇核对")


def _merge_check(run: VocabularyRun) -> Check:
    merged, whole = run.merged, run.whole
    sizes = f"合并：{merged.words} 个词、{merged.tokens} 次；一次统计：{whole.words} 个词、{whole.tokens} 次"
    return all_hold(
        "按文件分别统计再合并的词频表，与一次统计整个语料的结果完全相同",
        {sizes: merged == whole},
        note="逐词比较（两张表的内容摘要）",
    )


def _identical_counts_check(run: StrategiesRun) -> Check:
    reference = run.counting[COUNTER_KEY].counts
    runs = {f"只计数·{_LABELS[key]}": timing.counts for key, timing in run.counting.items()}
    labels = {parallel_key(n): _parallel_label(n) for n in run.processes} | _LABELS
    runs |= {f"分词加计数·{labels[key]}": timing.counts for key, timing in run.end_to_end.items()}
    return all_hold(
        "所有方式（朴素、分批、各进程数的多进程）得到的词频表完全相同，且与 collections.Counter 一致",
        {label: counts == reference for label, counts in runs.items()},
        note=f"{len(runs)} 次结果逐词比较（内容摘要），参照词表 {reference.words} 个词、{reference.tokens} 次",
    )


def _token_sum_check(run: StrategiesRun) -> Check:
    total = run.counting[COUNTER_KEY].counts.tokens
    return all_hold("词频之和等于分词得到的词数", {f"词频之和 {total}，词数 {run.tokens}": total == run.tokens})


def _growth_check(run: DictGrowthRun) -> Check:
    naive, reference = run.naive, run.reference
    sizes = f"朴素：{naive.words} 个词、{naive.tokens} 次；Counter：{reference.words} 个词、{reference.tokens} 次"
    return all_hold(
        "逐块计时的朴素计数与 collections.Counter 的结果完全相同",
        {sizes: naive == reference},
        note=f"分 {len(run.chunks)} 块计时",
    )
