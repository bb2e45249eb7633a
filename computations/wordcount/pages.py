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
from dataclasses import dataclass
from typing import Final

from matplotlib import ticker
from matplotlib.figure import Figure as MplFigure

from computations.checks import all_hold
from computations.palette import CYCLE
from computations.report import Cell, Check, Figure, Report, Table, Value

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
from .timing import UPDATES_PER_POINT, BatchTiming, Machine

#: The article's wall times on THUCNews (seconds) and its process count.
ARTICLE_SECONDS: Final[Mapping[str, float]] = {"naive": 20 * 60.0, "batched": 8 * 60.0, "parallel": 55.0}
ARTICLE_WORKERS: Final = 10
#: Characters of THUCNews by a third-party count (ARTICLES-DETAIL.md): 836 074 files, 785 M characters.
THUCNEWS_CHARACTERS: Final = 785e6
#: A growth factor of a dict-cost curve from this on counts as a clear slow-down in the prose.
CLEAR_SLOWDOWN: Final = 1.5

NAIVE: Final = "朴素（全局字典）"
BATCHED: Final = "分批（单进程）"
COUNTER: Final = "Counter（参照）"
_LABELS: Final[Mapping[str, str]] = {NAIVE_KEY: NAIVE, BATCHED_KEY: BATCHED, COUNTER_KEY: COUNTER}

_UNIFORM: Final = "合成词·均匀抽取"
_ZIPF: Final = "合成词·Zipf 抽取"
_GROWING: Final = "真实语料·逐条累加（全局字典）"
_GROWTH_STYLES: Final = (
    {"color": CYCLE[9], "marker": "o", "linestyle": "-"},
    {"color": CYCLE[0], "marker": "s", "linestyle": "-"},
    {"color": CYCLE[1], "marker": ".", "linestyle": "-"},
    {"color": CYCLE[2], "marker": "^", "linestyle": "none"},
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
    characters = sum(s.characters for s in run.sources)
    return Report(
        items=(
            sizes,
            _top_words_table(run),
            _lossless_check(run.sources),
            _merge_check(run),
            Value("characters", characters / 1e4, ".0f", " 万"),
            Value("hapax_share", run.merged.hapaxes / run.merged.words, ".0%"),
            Value("thucnews_ratio", THUCNEWS_CHARACTERS / characters, ".0f", " 倍"),
        )
    )


def strategies(run: StrategiesRun) -> Report:
    """End-to-end times with speedups, time per phase, the article's ratios next to ours;
    checks: identical counts against an independent count, the token total of the tables
    against a second segmentation path; values the prose quotes."""
    setting = _setting(run)
    return Report(
        items=(
            _end_to_end_table(run, setting=setting),
            _phase_table(run, setting=setting),
            _article_table(run),
            _identical_counts_check(run),
            _token_sum_check(run),
            *_strategy_values(run),
        )
    )


def dict_growth(run: DictGrowthRun) -> Report:
    """The cost of 10⁵ updates against dict size (figure, and a table of each curve's ends);
    check: the chunked naive count equals ``collections.Counter``; values the prose quotes."""
    return Report(items=(_growth_figure(run), _growth_table(run), _growth_check(run), *_growth_values(run)))


def verdict(ratio: Spread, *, article: float) -> str:
    """One sentence on whether batching sped up counting alone, from the naive ÷ batched
    ratios of the interleaved rounds.

    A difference counts only if every round agrees on its direction: when the rounds'
    range includes 1, there is no measurable difference.
    """
    numbers = f"各轮成对比值的中位数 {ratio.median:.2f}，范围 {ratio.text}"
    if ratio.low <= 1 <= ratio.high:
        return f"本次只算计数时，两种写法没有可测的差别（{numbers}，包含 1）：原文的效应没有复现。"
    if ratio.high < 1:
        return f"本次只算计数时，分批在每一轮都比朴素写法慢（{numbers}）：原文的效应没有复现。"
    if ratio.median < article:
        return f"本次只算计数时，分批在每一轮都更快（{numbers}）：方向与原文一致，幅度小于原文的 {article:.1f} 倍。"
    return f"本次只算计数时，分批在每一轮都更快（{numbers}）：达到了原文的 {article:.1f} 倍。"


def direction(ratio: Spread, *, above: str, below: str, tie: str) -> str:
    """``above`` if every round's ratio exceeds 1, ``below`` if every one is under 1, else ``tie``."""
    if ratio.low > 1:
        return above
    if ratio.high < 1:
        return below
    return tie


@dataclass(frozen=True)
class Spread:
    """The median and the range of one quantity over the interleaved rounds."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    @property
    def text(self) -> str:
        return f"{self.low:.2f}–{self.high:.2f}"


def coverage(rounds: int) -> float:
    """Probability that the min–max range of ``rounds`` independent measurements holds
    their distribution's median: 1 − 2·2⁻ⁿ (each measurement falls on either side with
    probability ½)."""
    return 1 - 2 * 0.5**rounds


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
            "字典越大，更新越慢吗？纵轴是执行 $10^5$ 次 d[k] = d.get(k, 0) + 1 的用时，横轴是字典的大小（对数坐标）。"
            f"橙线为语料 {run.corpus} 的词流逐条累加、每 $10^5$ 个词计一次时；绿点为分批统计时每批自己的小字典；"
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
    ax.grid(True, which="major")
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
        caption=f"出现最多的 {len(rows)} 个词（不计纯标点；每万词 = 次数 ÷ 全部 {tokens} 个词 $\\times 10^4$）。",
        columns=("名次", "词", "次数", "每万词"),
        rows=rows,
    )


def _significant(seconds: float) -> float:
    """A duration to 4 significant digits (the site shows floats as they are given)."""
    return float(f"{seconds:.4g}")


def _seconds_range(seconds: Sequence[float]) -> str:
    return f"{min(seconds):.3g}–{max(seconds):.3g}"


def _parallel_label(workers: int) -> str:
    return f"分批（{workers} 个进程）"


def _setting(run: StrategiesRun) -> str:
    return (
        f"语料 {run.corpus}：{run.texts} 篇文本、{run.characters} 字、{run.tokens} 个词；每批 {run.batch_size} 篇；"
        f"每种方式在 {run.repeats} 轮中各测一次，每轮顺序随机（轮与轮交错，不是一种方式连测几次），"
        f"表中是各轮的中位数，比值是同一轮内成对相除后的中位数。本机 {run.machine.cores} 核，"
        f"{_interpreter(run.machine)}，测量开始时 1 分钟平均负载 {run.machine.load:.2f}"
    )


def _interpreter(machine: Machine) -> str:
    return f"{machine.python}（{'有 PGO 优化编译' if machine.optimized else '未做 PGO 优化编译'}）"


def _paired(numerator: Sequence[float], denominator: Sequence[float], *, per: int = 1) -> Spread:
    """Round-by-round ratios ``numerator[i] / denominator[i] / per``: a change of load during
    the measurement affects both times of a round alike."""
    return Spread.of([a / b / per for a, b in zip(numerator, denominator, strict=True)])


def _end_to_end_table(run: StrategiesRun, *, setting: str) -> Table:
    seconds = {key: timing.seconds for key, timing in run.end_to_end.items()}
    naive, batched = seconds[NAIVE_KEY], seconds[BATCHED_KEY]
    strategies = [(NAIVE, NAIVE_KEY, 1), (BATCHED, BATCHED_KEY, 1)]
    strategies += [(_parallel_label(n), parallel_key(n), n) for n in run.processes]
    rows: list[tuple[Cell, ...]] = []
    for label, key, count in strategies:
        over_batched = _paired(batched, seconds[key], per=count)
        rows.append(
            (
                label,
                _significant(statistics.median(seconds[key])),
                _seconds_range(seconds[key]),
                round(_paired(naive, seconds[key]).median, 2),
                round(_paired(batched, seconds[key]).median, 2),
                round(_paired(naive, seconds[key], per=count).median, 2),
                round(over_batched.median, 2),
                over_batched.text,
            )
        )
    return Table(
        caption=(
            f"分词加计数的总用时（原文的做法）。{setting}。加速 = 基准（朴素或单进程分批）的用时 ÷ 该方式的用时；"
            "效率 = 加速 ÷ 工作进程数，以朴素写法为基准时就是原文所说的“加速比”。"
            "多进程时主进程还要读文本、合并结果，它不算在工作进程数里。"
        ),
        columns=(
            "方式",
            "用时中位数（秒）",
            "各轮用时（秒）",
            "加速·朴素",
            "加速·分批",
            "效率·朴素",
            "效率·分批",
            "效率·分批各轮",
        ),
        rows=tuple(rows),
    )


def _phase_seconds(run: StrategiesRun) -> tuple[list[float], list[float]]:
    """Per round: seconds of counting inside batches, seconds of merging (instrumented runs)."""
    return (
        [sum(t.count_seconds for t in batches) for batches in run.batch_rounds],
        [sum(t.merge_seconds for t in batches) for batches in run.batch_rounds],
    )


def _merges(batches: Sequence[BatchTiming]) -> int:
    """Updates of the total when merging: one per distinct token of each batch (M)."""
    return sum(t.distinct for t in batches)


def _phase_table(run: StrategiesRun, *, setting: str) -> Table:
    counting = run.counting
    merges = _merges(run.batch_rounds[0])
    inside, merging = _phase_seconds(run)
    phases: list[tuple[str, Sequence[float], int]] = [
        ("分词（按字）", [run.segment_seconds], run.characters),
        ("计数·朴素（按词）", counting[NAIVE_KEY].seconds, run.tokens),
        ("计数·分批（按更新）", counting[BATCHED_KEY].seconds, run.tokens + merges),
        ("　其中批内计数（按词）", inside, run.tokens),
        ("　其中合并（按更新）", merging, merges),
        ("计数·Counter（按词）", counting[COUNTER_KEY].seconds, run.tokens),
    ]
    rows: list[tuple[Cell, ...]] = []
    for label, seconds, amount in phases:
        median = statistics.median(seconds)
        spread = _seconds_range(seconds) if len(seconds) > 1 else "只测一次"
        per = round(median / amount * 1e9, 1) if amount else math.nan
        rows.append((label, _significant(median), spread, amount, per))
    return Table(
        caption=(
            "分词与计数分开计时：先用 rjieba 分词一次，再让每种写法数同一批词（每次都是新建的字符串对象）。"
            f"分批写法的两段来自每轮之后单独一次带分段计时的运行，共 {len(run.batch_rounds[0])} 批，"
            f"合并时每批每个不同的词更新总表一次。{setting}。"
        ),
        columns=("阶段", "用时中位数（秒）", "各轮用时（秒）", "次数", "每次（纳秒，按中位数）"),
        rows=tuple(rows),
    )


def _article_ratios(run: StrategiesRun) -> dict[str, Spread]:
    """This build's ratios, each a :class:`Spread` over the rounds, keyed like the article table's rows."""
    end_to_end = {key: timing.seconds for key, timing in run.end_to_end.items()}
    counting = {key: timing.seconds for key, timing in run.counting.items()}
    most = run.processes[-1]
    parallel = end_to_end[parallel_key(most)]
    return {
        "end_to_end": _paired(end_to_end[NAIVE_KEY], end_to_end[BATCHED_KEY]),
        "counting": _paired(counting[NAIVE_KEY], counting[BATCHED_KEY]),
        "parallel": _paired(end_to_end[NAIVE_KEY], parallel),
        "efficiency_naive": _paired(end_to_end[NAIVE_KEY], parallel, per=most),
        "efficiency_batched": _paired(end_to_end[BATCHED_KEY], parallel, per=most),
    }


def _article_table(run: StrategiesRun) -> Table:
    article = ARTICLE_SECONDS
    ours = _article_ratios(run)
    most = run.processes[-1]
    rows = (
        ("朴素 ÷ 分批（含分词）", round(article["naive"] / article["batched"], 2), ours["end_to_end"]),
        ("朴素 ÷ 分批（只算计数）", "—", ours["counting"]),
        (
            f"朴素 ÷ 多进程（原文 {ARTICLE_WORKERS} 进程，本次 {most} 进程）",
            round(article["naive"] / article["parallel"], 2),
            ours["parallel"],
        ),
        (
            "每进程效率·对朴素（原文的“加速比”）",
            round(article["naive"] / article["parallel"] / ARTICLE_WORKERS, 2),
            ours["efficiency_naive"],
        ),
        (
            "每进程效率·对分批（原文说的实际加速比）",
            round(article["batched"] / article["parallel"] / ARTICLE_WORKERS, 2),
            ours["efficiency_batched"],
        ),
    )
    return Table(
        caption=(
            "原文（THUCNews，约 20 分钟、8 分钟、55 秒）与本次构建的比值对照，本次的数字来自上面两张表的各轮计时"
            "（同一轮内成对相除，取中位数，并给出各轮的范围）；"
            "两边的语料规模、分词器和 Python 版本都不同，只有比值可以放在一起看。"
            f"{verdict(ours['counting'], article=article['naive'] / article['batched'])}"
        ),
        columns=("比值", "原文", "本次构建（中位数）", "本次各轮范围"),
        rows=tuple((label, printed, round(spread.median, 2), spread.text) for label, printed, spread in rows),
    )


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
            "图中各条曲线两端的数值：字典从小到大，每 $10^5$ 次更新的用时（毫秒）变了多少倍（倍数 = 大 ÷ 小）。"
            "真实语料逐条累加取第一个与最后一个完整的 $10^5$ 词块（第一块里有大量新词插入）；"
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
    reference = run.reference
    runs = {f"只计数·{_LABELS[key]}": timing.counts for key, timing in run.counting.items()}
    labels = {parallel_key(n): _parallel_label(n) for n in run.processes} | _LABELS
    runs |= {f"分词加计数·{labels[key]}": timing.counts for key, timing in run.end_to_end.items()}
    return all_hold(
        "所有方式（朴素、分批、Counter、各进程数的多进程）得到的词频表完全相同，且与一份独立统计的参照一致",
        {label: counts == reference for label, counts in runs.items()},
        note=(
            f"{len(runs)} 次结果逐词比较（内容摘要）；参照按 rjieba.tokenize 给出的字符位置从原文切词，"
            f"排序后数相同的词，不经过任何字典累加：{reference.words} 个词、{reference.tokens} 次"
        ),
    )


def _token_sum_check(run: StrategiesRun) -> Check:
    independent = run.reference.tokens
    return all_hold(
        "表中的词数 T（分词时逐篇累计）等于另一条分词路径切出的词数",
        {f"T = {run.tokens}，按字符位置切出 {independent} 个": run.tokens == independent},
        note="另一条路径：rjieba.tokenize 的字符位置切原文，去掉空白",
    )


def _growth_check(run: DictGrowthRun) -> Check:
    naive, reference = run.naive, run.reference
    sizes = f"朴素：{naive.words} 个词、{naive.tokens} 次；Counter：{reference.words} 个词、{reference.tokens} 次"
    return all_hold(
        "逐块计时的朴素计数与 collections.Counter 的结果完全相同",
        {sizes: naive == reference},
        note=f"分 {len(run.chunks)} 块计时",
    )


# --------------------------------------------------------------------------- values the prose quotes


def _strategy_values(run: StrategiesRun) -> tuple[Value, ...]:
    """Numbers and verdicts of the strategies run that the post's prose quotes."""
    ratios = _article_ratios(run)
    end_to_end = {key: timing.seconds for key, timing in run.end_to_end.items()}
    naive_counting = run.counting[NAIVE_KEY].seconds
    inside, merging = _phase_seconds(run)
    merges, tokens = _merges(run.batch_rounds[0]), run.tokens
    big_over_small = _paired(naive_counting, inside)
    saved_over_merge = Spread.of([(n - i) / m for n, i, m in zip(naive_counting, inside, merging, strict=True)])
    values = [
        Value("repeats", run.repeats),
        Value("coverage", coverage(run.repeats), ".0%"),
        Value("processes", "、".join(map(str, run.processes))),
        Value("cores", run.machine.cores),
        Value("segment_rate", run.characters / run.segment_seconds / 1e4, ".0f", " 万"),
        Value("segment_share", run.segment_seconds / statistics.median(end_to_end[NAIVE_KEY]), ".0%"),
        Value("count_ratio", ratios["counting"].median, ".2f"),
        Value("count_ratio_range", ratios["counting"].text),
        Value("count_verdict", direction(ratios["counting"], **_BATCHING_DIRECTION)),
        Value("e2e_ratio_range", ratios["end_to_end"].text),
        Value("e2e_verdict", direction(ratios["end_to_end"], **_BATCHING_DIRECTION)),
        Value("big_over_small", big_over_small.median, ".2f"),
        Value("big_over_small_range", big_over_small.text),
        Value("merge_over_big", _paired(merging, naive_counting, per=1).median * tokens / merges, ".1f"),
        Value(
            "ledger_verdict",
            direction(
                saved_over_merge,
                above="省下的时间在每一轮都足以支付合并",
                below="省下的时间在每一轮都不够支付合并",
                tie="省下的时间与合并的开销各轮互有高低，分不出哪个更大",
            ),
        ),
        Value("merge_share", statistics.median(merging) / statistics.median(end_to_end[BATCHED_KEY]), ".0%"),
    ]
    for name, workers in (("fewest", run.processes[0]), ("most", run.processes[-1])):
        efficiency = _paired(end_to_end[BATCHED_KEY], end_to_end[parallel_key(workers)], per=workers)
        values += [
            Value(f"{name}_workers", workers),
            Value(f"{name}_efficiency", efficiency.median, ".2f"),
            Value(f"{name}_range", efficiency.text),
            Value(f"{name}_verdict", direction(efficiency, **_ONE_DIRECTION)),
        ]
    values.append(Value("most_naive_efficiency", ratios["efficiency_naive"].median, ".2f"))
    return tuple(values)


_BATCHING_DIRECTION: Final = {
    "above": "每一轮都是分批更快",
    "below": "每一轮都是分批更慢",
    "tie": "各轮互有快慢，两种写法没有可测的差别",
}
_ONE_DIRECTION: Final = {
    "above": "每一轮都高于 1",
    "below": "每一轮都低于 1",
    "tie": "各轮有高有低，与 1 没有可测的差别",
}


def _growth_values(run: DictGrowthRun) -> tuple[Value, ...]:
    """Numbers and verdicts of the dict-growth run that the post's prose quotes."""
    series = _growth_series(run)
    uniform, zipf = series[_UNIFORM][1], series[_ZIPF][1]
    full = [c for c in run.chunks if c.updates == UPDATES_PER_POINT] or list(run.chunks)
    real_factor = full[-1].ms_per_point / full[0].ms_per_point
    batch_cost = statistics.median(_per_point(b.count_seconds, b.tokens) for b in run.batches)
    batch_over_real = batch_cost / full[-1].ms_per_point
    uniform_factor = uniform[-1] / uniform[0]
    return (
        Value("small_keys", run.synthetic[0].keys),
        Value("large_keys", run.synthetic[-1].keys),
        Value("uniform_factor", uniform_factor, ".1f", " 倍"),
        Value("zipf_factor", zipf[-1] / zipf[0], ".1f", " 倍"),
        Value(
            "mechanism",
            "原文的直觉在机制上是对的，字典大到一定程度，更新确实会明显变慢"
            if uniform_factor >= CLEAR_SLOWDOWN
            else "本次连合成数据也没有显出明显的变慢，原文说的机制在这台机器上看不出来",
        ),
        Value("real_keys", run.chunks[-1].keys_after),
        Value("real_factor", real_factor, ".2f", " 倍"),
        Value(
            "real_verdict",
            "只温和地变化" if real_factor < CLEAR_SLOWDOWN else "也明显上升了",
        ),
        Value("batch_over_real", batch_over_real, ".2f", " 倍"),
        Value("batch_side", "低一些" if batch_over_real < 1 else "并不更低"),
        Value(
            "conclusion",
            "它还不够大，远没有到字典明显“变慢”的区间"
            if real_factor < CLEAR_SLOWDOWN
            else "它已经大到了字典明显“变慢”的区间",
        ),
    )
