"""Instruments that time word counting: per batch, per chunk of a growing dict, per dict size.

Timings are wall times (``time.perf_counter``). Every timed run works on freshly created str
objects: a str caches its hash, and reusing one token list would favour later runs.
"""

from __future__ import annotations

import math
import os
import platform
import sysconfig
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np

from .counting import Counts, Tokenizer, batches, count_naive, merge_counts, segment

#: Each point of the dict-growth measurement times this many updates.
UPDATES_PER_POINT: Final = 100_000

# Tokens are packed into one string per text with this separator and split again before
# every timed run, so each run sees freshly created str objects (as if straight from the
# segmenter): a str caches its hash, and reusing one token list would favour later runs.
_SEPARATOR: Final = "\n"
_CJK_BASE: Final = 0x4E00
_CJK_SPAN: Final = 20_902  # U+4E00..U+9FA5, the CJK Unified Ideographs block of Unicode 1.1


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
) -> tuple[dict[str, list[float]], dict[str, Mapping[str, int]]]:
    """Wall time of every run of each strategy over ``repeats`` interleaved rounds.

    Every round runs each strategy once, in an order shuffled by ``rng`` (so that no
    strategy always runs first, on a cold allocator), on a new ``inputs()`` prepared outside
    the timed region. Rounds interleave the strategies (ABC BCA …, never AAA BBB), so a
    change of machine load during the measurement hits all of them alike, and the times of
    one round can be compared pairwise.

    Returns:
        Seconds per label, one per round in round order, and the result of each label's last
        run.
    """
    labels = list(strategies)
    times: dict[str, list[float]] = {label: [] for label in labels}
    results: dict[str, Mapping[str, int]] = {}
    for _ in range(repeats):
        for index in rng.permutation(len(labels)).tolist():
            label = labels[index]
            data = inputs()
            start = time.perf_counter()
            results[label] = strategies[label](data)
            times[label].append(time.perf_counter() - start)
            del data
    return times, results


def fastest_batch(timings: Sequence[BatchTiming]) -> BatchTiming:
    """The same batch timed in several passes: the fastest counting and the fastest merge."""
    return replace(
        timings[0],
        count_seconds=min(t.count_seconds for t in timings),
        merge_seconds=min(t.merge_seconds for t in timings),
    )


# --------------------------------------------------------------------------- the machine


@dataclass(frozen=True)
class Machine:
    """What the timings were measured on.

    Attributes:
        cores: ``os.cpu_count()``.
        python: interpreter and version, e.g. ``CPython 3.12.3``.
        optimized: the interpreter was configured with ``--enable-optimizations`` (PGO);
            an unoptimised build makes dict updates markedly slower.
        load: one-minute load average when the measurement started.
    """

    cores: int
    python: str
    optimized: bool
    load: float


def describe_machine() -> Machine:
    """The :class:`Machine` this process runs on, with the current load average."""
    configure = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    return Machine(
        cores=os.cpu_count() or 1,
        python=f"{platform.python_implementation()} {platform.python_version()}",
        optimized="--enable-optimizations" in configure,
        load=os.getloadavg()[0],
    )
