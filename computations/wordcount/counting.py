"""Segmenting texts and counting their words: the three strategies of the article.

:func:`count_naive` adds every token to one dict; :func:`count_batched` counts each batch
into a fresh dict and merges it into the total; :func:`count_parallel` segments and counts
batches in worker processes (:func:`~computations.wordcount.pool.parallel_apply`) and merges
in the caller. :func:`summarize` reduces a count to a few numbers and a digest, so that two
counts can be compared after they have been stored.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import groupby, islice
from typing import TypeVar

import rjieba

from .pool import parallel_apply

T = TypeVar("T")

Counts = dict[str, int]
Tokenizer = Callable[[str], list[str]]


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


def segment_by_offsets(text: str) -> list[str]:
    """Words of one text cut out of it by the character offsets of ``rjieba.tokenize``.

    A second path to the tokens of :func:`segment`, for self-checks: it slices the text
    itself instead of taking the strings ``rjieba.cut`` returns, so a token the first path
    lost, invented or altered shows up as a difference. Whitespace tokens are dropped.
    """
    pieces = (text[start:end] for _, start, end in rjieba.tokenize(text))
    return [piece for piece in pieces if piece and not piece.isspace()]


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


def count_by_sorting(tokens: Iterable[str]) -> Counts:
    """Count tokens by sorting them and measuring runs of equal tokens: no dict is updated.

    A reference implementation independent of the dict-update loops above (and of
    ``collections.Counter``): the counts come out in token order.
    """
    return {token: sum(1 for _ in run) for token, run in groupby(sorted(tokens))}


# --------------------------------------------------------------------------- comparing counts


@dataclass(frozen=True)
class CountSummary:
    """A word count reduced to its size and a digest of its contents.

    Attributes:
        words: distinct tokens (keys of the count).
        tokens: sum of the counts.
        hapaxes: tokens that occur exactly once.
        digest: SHA-256 of the (token, count) pairs sorted by token: two counts have the same
            digest exactly when they are equal as dicts (insertion order does not matter).
    """

    words: int
    tokens: int
    hapaxes: int
    digest: str


def summarize(counts: Mapping[str, int]) -> CountSummary:
    """The :class:`CountSummary` of a count (sorts its keys: about 0.1 s per 10⁵ keys)."""
    pairs = sorted(counts.items())
    digest = hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()
    hapaxes = sum(1 for count in counts.values() if count == 1)
    return CountSummary(words=len(counts), tokens=sum(counts.values()), hapaxes=hapaxes, digest=digest)
