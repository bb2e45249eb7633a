"""The mathematics of unsupervised word discovery from raw Chinese text (spaces.ac.cn/archives/6920).

Su Jianlin builds a lexicon from unsegmented text in four steps: count the character
n-grams up to order 4 and drop the rare ones; keep the "solid" n-grams, whose cohesion

    PMI(w) = min over split points j of  ln( T · c(w) / (c(w₁…w_j) · c(w_{j+1}…w_n)) )

(T the number of characters) reaches a threshold that grows with the order n; cut the text
between two neighbouring characters unless some kept n-gram covers both (rather join too
much than cut a word apart), count the pieces; and keep a frequent piece only if it passes
a back-check on its sub-grams (3–4 characters: itself a kept n-gram; longer: every
4-character window kept). His code counts with kenlm's ``count_ngrams`` and cuts with a
trie; this module does all of it with numpy arrays: characters become integer ids, an
n-gram becomes one int64 (ids in base V + 1), counting is ``np.unique``, and its inverse
tells which n-gram starts at every offset, so the cut is a gather through a boolean mask.

:func:`encode_texts`, :func:`count_ngrams`, :func:`cohesion`, :func:`cut_pieces` and
:func:`discover_lexicon` are the algorithm, each stage timed; :func:`plain_ngram_counts`,
:func:`plain_cut` and :func:`covering_ngrams` are slow plain-Python references that the
self-checks compare the array code with.

Text is normalised once: full-width digits and Latin letters (used throughout People's
Daily) become ASCII, as jieba only treats ASCII ones as parts of words. The map is one
character to one character, so offsets into the normalised text are offsets into the
original and the gold word spans stay valid. Word characters are the article's class: CJK
U+4E00–U+9FA5, ASCII digits and letters; everything else separates sentences.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: The article's settings: n-grams up to order 4 and natural-log PMI thresholds 2, 4, 6 for
#: 2-, 3- and 4-grams (its list [0, 2, 4, 6] pads order 1 with 0); its min_count of 32 was
#: chosen for gigabytes of text.
ARTICLE_ORDER: Final = 4
ARTICLE_MIN_PMI: Final = (2.0, 4.0, 6.0)
#: The repository's example on one novel of about 1.2 M characters uses 8; our default for
#: the 1.84 M characters of People's Daily follows that, not the 2 GB setting.
DEFAULT_MIN_COUNT: Final = 8
#: Keys of the timed stages of :func:`discover_lexicon`, in order.
STAGES: Final = ("count_ngrams", "cohesion", "cut", "count_pieces", "backcheck")

_FULL_WIDTH: Final = {
    code: code - 0xFEE0
    for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(first, last + 1)
}
_INT64_LIMIT: Final = 2**63
_LAST_WORD_POINT: Final = 0x9FA5
#: A maximal run of word characters (the class of :func:`word_character_mask`).
_RUN: Final = re.compile(r"[\u4e00-\u9fa50-9A-Za-z]+")


# --------------------------------------------------------------------------- text to integers


def fold_width(text: str) -> str:
    """Map full-width digits and Latin letters (U+FF10–U+FF19, U+FF21–U+FF3A, U+FF41–U+FF5A) to ASCII.

    Nothing else changes: one character becomes one character, so every offset is
    preserved, and full-width punctuation (the comma U+FF0C, U+FF01, U+FF05) stays as it is.
    """
    return text.translate(_FULL_WIDTH)


def word_character_mask(points: npt.ArrayLike) -> BoolArray:
    """True for the article's word characters: U+4E00–U+9FA5, ASCII digits and letters.

    Args:
        points: Unicode code points, any shape.
    """
    p = np.asarray(points)
    cjk = (p >= 0x4E00) & (p <= 0x9FA5)
    digit = (p >= 0x30) & (p <= 0x39)
    upper = (p >= 0x41) & (p <= 0x5A)
    lower = (p >= 0x61) & (p <= 0x7A)
    return cjk | digit | upper | lower


@dataclass(frozen=True)
class EncodedText:
    """Texts joined by newlines, as one array of character ids.

    Attributes:
        text: the width-folded texts joined with ``"\\n"`` (a separator, so no n-gram and no
            piece crosses from one text into the next).
        ids: shape (len(text),); 1…V for word characters (in code-point order), 0 for
            everything else.
        alphabet: shape (V + 1,); ``alphabet[k]`` is the code point of id k (index 0 unused).
    """

    text: str
    ids: IntArray
    alphabet: npt.NDArray[np.uint32]

    @property
    def base(self) -> int:
        """V + 1: an n-gram of ids a₁…a_n is the integer Σ a_k (V+1)^(n−k)."""
        return int(self.alphabet.size)

    @property
    def characters(self) -> int:
        """T, the number of word characters."""
        return int(np.count_nonzero(self.ids))


def encode_texts(texts: Iterable[str]) -> EncodedText:
    """Fold widths, join the texts with newlines and map every character to an id."""
    text = "\n".join(fold_width(t) for t in texts)
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    word = word_character_mask(points)
    # Every word character is below U+9FA6: a lookup table replaces a sort of the text.
    present = np.bincount(points[word], minlength=_LAST_WORD_POINT + 1) > 0
    alphabet = np.flatnonzero(present).astype(np.uint32)
    table = np.zeros(_LAST_WORD_POINT + 1, dtype=np.int64)
    table[alphabet] = np.arange(1, alphabet.size + 1)
    ids = np.where(word, table[np.minimum(points, _LAST_WORD_POINT)], 0)
    return EncodedText(text=text, ids=ids, alphabet=np.concatenate(([0], alphabet)).astype(np.uint32))


def decode_codes(codes: IntArray, *, n: int, encoded: EncodedText) -> list[str]:
    """The strings of order-n codes Σ a_k (V+1)^(n−k) (see :attr:`EncodedText.base`)."""
    points = np.empty((codes.size, n), dtype=np.uint32)
    rest = codes.copy()
    for k in range(n - 1, -1, -1):
        points[:, k] = encoded.alphabet[rest % encoded.base]
        rest //= encoded.base
    return points.view(f"<U{n}").ravel().tolist()


# --------------------------------------------------------------------------- counting and cohesion


@dataclass(frozen=True)
class NgramCounts:
    """Exact counts of the character n-grams of orders 1…order, and where each one occurs.

    Every n-gram that occurs at least ``min_count`` times is listed with its exact count;
    some rarer ones are listed too (those whose two (n−1)-grams are frequent).

    Attributes:
        order: the largest n.
        min_count: the frequency down to which the tables are complete.
        base: V + 1 of the encoding.
        total: T, the number of word characters.
        codes: ``codes[n - 1]`` holds the sorted int64 codes of the listed n-grams.
        counts: ``counts[n - 1]`` holds their counts, aligned with ``codes[n - 1]``.
        slots: ``slots[n - 1][i]`` is the index into ``codes[n - 1]`` of the n-gram starting
            at text offset i, or −1 if it is not listed (a separator inside, the end of the
            text, or too rare); shape (len(text),). Selecting n-grams is then a boolean mask
            over ``codes`` and finding them in the text one gather, whatever the thresholds.
    """

    order: int
    min_count: int
    base: int
    total: int
    codes: tuple[IntArray, ...]
    counts: tuple[IntArray, ...]
    slots: tuple[IntArray, ...]

    def lookup(self, n: int, query: IntArray) -> IntArray:
        """Counts of the n-gram codes ``query`` (0 for n-grams not listed)."""
        table, counts = self.codes[n - 1], self.counts[n - 1]
        if table.size == 0:
            return np.zeros(query.shape, dtype=np.int64)
        index = np.minimum(np.searchsorted(table, query), table.size - 1)
        return np.where(table[index] == query, counts[index], 0)

    def strings(self, n: int, encoded: EncodedText, mask: BoolArray | None = None) -> list[str]:
        """The listed n-grams of order n (those under ``mask`` only) as strings."""
        codes = self.codes[n - 1] if mask is None else self.codes[n - 1][mask]
        return decode_codes(codes, n=n, encoded=encoded)


def count_ngrams(encoded: EncodedText, *, order: int, min_count: int = 1) -> NgramCounts:
    """Exact counts of the character n-grams of orders 1…order occurring ≥ ``min_count`` times.

    N-grams hold no separator. An n-gram can only be that frequent if both of its
    (n−1)-grams are, so order n sorts only the windows whose two (n−1)-grams passed
    (the Apriori principle); each order is one pass of integer arithmetic and one
    ``np.unique``, whose inverse gives the slots. This replaces the article's call of kenlm's
    ``count_ngrams``, with one difference: the article reads back only the 4-gram records
    counted at least ``min_count`` times and sums them into the lower orders, whose counts
    therefore come out a little low; here every order is exact.

    Raises:
        ValueError: the base-(V+1) code of an ``order``-gram would overflow int64 (it cannot
            for order ≤ 4: the article's character class has fewer than 21 000 members).
    """
    if encoded.base**order >= _INT64_LIMIT:
        raise ValueError(f"{encoded.base - 1} distinct characters: {order}-gram codes overflow int64")
    unigram_counts = np.bincount(encoded.ids, minlength=encoded.base)[1:]
    codes: list[IntArray] = [np.arange(1, encoded.base, dtype=np.int64)]
    counts: list[IntArray] = [unigram_counts.astype(np.int64)]
    slots: list[IntArray] = [encoded.ids - 1]  # id k is entry k − 1; separators become −1
    for n in range(2, order + 1):
        frequent = np.append(counts[-1] >= min_count, False)[slots[-1]]  # slot −1 reads False
        candidate = np.flatnonzero(frequent[:-1] & frequent[1:])
        windows = encoded.ids[candidate]
        for k in range(1, n):
            windows = windows * encoded.base + encoded.ids[candidate + k]
        unique, inverse, count = np.unique(windows, return_inverse=True, return_counts=True)
        slot = np.full(encoded.ids.size, -1, dtype=np.int64)
        slot[candidate] = inverse
        codes.append(unique)
        counts.append(count.astype(np.int64))
        slots.append(slot)
    return NgramCounts(
        order=order,
        min_count=min_count,
        base=encoded.base,
        total=encoded.characters,
        codes=tuple(codes),
        counts=tuple(counts),
        slots=tuple(slots),
    )


def cohesion(ngrams: NgramCounts, n: int, *, min_count: int) -> FloatArray:
    """Minimum PMI over the split points of the n-grams of order n ≥ 2 seen ≥ ``min_count`` times.

    For w = w₁…w_n with count c(w), ``min_j ln(T c(w) / (c(w₁…w_j) c(w_{j+1}…w_n)))``.

    Returns:
        Array aligned with ``ngrams.codes[n - 1]``; −inf for n-grams below ``min_count``
        (they are never kept).
    """
    if not 2 <= n <= ngrams.order:
        raise ValueError(f"cohesion is defined for orders 2…{ngrams.order}, not {n}")
    if min_count < ngrams.min_count:
        raise ValueError(f"the counts are complete down to {ngrams.min_count}, not {min_count}")
    counts = ngrams.counts[n - 1]
    frequent = counts >= min_count
    codes = ngrams.codes[n - 1][frequent]
    log_joint = math.log(ngrams.total) + np.log(counts[frequent].astype(np.float64))
    best = np.full(codes.size, np.inf)
    for j in range(1, n):
        scale = ngrams.base ** (n - j)
        left = ngrams.lookup(j, codes // scale).astype(np.float64)
        right = ngrams.lookup(n - j, codes % scale).astype(np.float64)
        best = np.minimum(best, log_joint - np.log(left) - np.log(right))
    result = np.full(counts.size, -np.inf)
    result[frequent] = best
    return result


# --------------------------------------------------------------------------- cutting and filtering


@dataclass(frozen=True)
class Pieces:
    """The pre-segmentation: maximal runs of word characters joined by kept n-grams.

    Attributes:
        starts: offsets into ``EncodedText.text`` of the first character of every piece.
        ends: offsets one past the last character, aligned with ``starts``.
    """

    starts: IntArray
    ends: IntArray

    @property
    def lengths(self) -> IntArray:
        """Number of characters of every piece."""
        return self.ends - self.starts

    def strings(self, text: str) -> list[str]:
        """The pieces as strings, in text order."""
        return list(map(text.__getitem__, map(slice, self.starts.tolist(), self.ends.tolist())))


def joined_gaps(ngrams: NgramCounts, solid: Sequence[BoolArray]) -> BoolArray:
    """``joined[i]``: the gap before text offset i lies inside some kept n-gram occurrence.

    Args:
        ngrams: counts with slots, of the text being cut.
        solid: per order 2…order, a boolean mask over ``ngrams.codes[n - 1]`` of the kept
            n-grams (cohesion at or above the threshold).

    Returns:
        Boolean array of shape (len(text),); ``joined[0]`` is False.
    """
    joined = np.zeros(ngrams.slots[0].size, dtype=bool)
    for n, kept in enumerate(solid, start=2):
        # Slot −1 (no n-gram here) reads the appended False.
        starts = np.flatnonzero(np.append(kept, False)[ngrams.slots[n - 1]])
        for k in range(1, n):
            joined[starts + k] = True
    return joined


def cut_pieces(encoded: EncodedText, joined: BoolArray) -> Pieces:
    """Cut at every gap between word characters that is not joined, and around separators."""
    word = encoded.ids > 0
    boundaries = np.flatnonzero(~word | (word & ~joined))
    ends = np.append(boundaries[1:], encoded.ids.size)
    first_is_word = word[boundaries]
    return Pieces(starts=boundaries[first_is_word], ends=ends[first_is_word])


def count_pieces(encoded: EncodedText, pieces: Pieces, *, order: int) -> Counter[str]:
    """How often every distinct piece occurs.

    Pieces of at most ``order`` characters (nearly all of them) are counted as integer
    codes with ``np.unique`` per length and decoded once per distinct piece; only longer
    ones go through a Python ``Counter``.
    """
    lengths = pieces.lengths
    counts: Counter[str] = Counter()
    for n in range(1, order + 1):
        starts = pieces.starts[lengths == n]
        codes = encoded.ids[starts]
        for k in range(1, n):
            codes = codes * encoded.base + encoded.ids[starts + k]
        unique, count = np.unique(codes, return_counts=True)
        counts.update(dict(zip(decode_codes(unique, n=n, encoded=encoded), count.tolist(), strict=True)))
    long = lengths > order
    counts.update(Pieces(starts=pieces.starts[long], ends=pieces.ends[long]).strings(encoded.text))
    return counts


def passes_backcheck(word: str, solid: Container[str], *, order: int) -> bool:
    """The article's back-check of a candidate against the kept n-grams (as strings).

    Shorter than 3 characters: kept. 3…order characters: kept iff itself a kept n-gram.
    Longer: kept iff every window of ``order`` characters is a kept n-gram.
    """
    if len(word) < 3:
        return True
    if len(word) <= order:
        return word in solid
    return all(word[i : i + order] in solid for i in range(len(word) - order + 1))


# --------------------------------------------------------------------------- the whole algorithm


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover_lexicon` found, with the intermediate results behind it.

    Attributes:
        words: the lexicon, word → number of times it was a piece, most frequent first
            (ties in code-point order).
        rejected: pieces frequent enough but removed by the back-check, same order.
        solid: kept n-gram (orders 2…order) → its cohesion.
        cohesions: ``cohesions[n - 2]`` holds the cohesion of every n-gram of order n seen at
            least ``min_count`` times (kept or not), in code order.
        min_count: the frequency threshold.
        thresholds: the PMI thresholds of orders 2…order.
        pieces: the pre-segmentation of the encoded text.
        candidates: number of distinct pieces before the frequency filter.
        seconds: wall time of each stage, in order (counting is 0 when counts were given).
    """

    words: dict[str, int]
    rejected: dict[str, int]
    solid: dict[str, float]
    cohesions: tuple[FloatArray, ...]
    min_count: int
    thresholds: tuple[float, ...]
    pieces: Pieces
    candidates: int
    seconds: dict[str, float]

    @property
    def order(self) -> int:
        """The largest n-gram order."""
        return len(self.thresholds) + 1


def discover_lexicon(
    encoded: EncodedText,
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    min_pmi: Sequence[float] = ARTICLE_MIN_PMI,
    order: int = ARTICLE_ORDER,
    ngrams: NgramCounts | None = None,
) -> Discovery:
    """Run the article's four steps on an encoded text.

    Args:
        encoded: the text, from :func:`encode_texts`.
        min_count: n-grams and final words must occur at least this often.
        min_pmi: cohesion thresholds of orders 2…order, natural log.
        order: the largest n-gram order, 2 to 4.
        ngrams: counts of the same text from an earlier :func:`count_ngrams` with this
            order and a ``min_count`` no larger (a sweep counts once).

    Returns:
        The lexicon and everything that led to it, with the time of each stage.
    """
    _require_thresholds(min_pmi, order=order)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    if ngrams is None:
        ngrams = count_ngrams(encoded, order=order, min_count=min_count)
    elif ngrams.order != order:
        raise ValueError(f"counts of order {ngrams.order} given for order {order}")
    seconds[STAGES[0]] = lap(clock)
    clock = time.perf_counter()
    scores = [cohesion(ngrams, n, min_count=min_count) for n in range(2, order + 1)]
    kept_masks = tuple(score >= min_pmi[n - 2] for n, score in enumerate(scores, start=2))
    seconds[STAGES[1]] = lap(clock)
    clock = time.perf_counter()
    pieces = cut_pieces(encoded, joined_gaps(ngrams, kept_masks))
    seconds[STAGES[2]] = lap(clock)
    clock = time.perf_counter()
    counts = count_pieces(encoded, pieces, order=order)
    seconds[STAGES[3]] = lap(clock)
    clock = time.perf_counter()
    solid: dict[str, float] = {}
    for n, (score, kept) in enumerate(zip(scores, kept_masks, strict=True), start=2):
        solid.update(zip(ngrams.strings(n, encoded, kept), score[kept].tolist(), strict=True))
    words: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if count >= min_count:
            (words if passes_backcheck(word, solid, order=order) else rejected)[word] = count
    seconds[STAGES[4]] = lap(clock)
    return Discovery(
        words=words,
        rejected=rejected,
        solid=solid,
        cohesions=tuple(score[np.isfinite(score)] for score in scores),
        min_count=min_count,
        thresholds=tuple(float(t) for t in min_pmi),
        pieces=pieces,
        candidates=len(counts),
        seconds=seconds,
    )


# --------------------------------------------------------------------------- plain-Python references


def word_runs(text: str) -> list[str]:
    """The maximal runs of word characters of ``text`` after :func:`fold_width`."""
    return _RUN.findall(fold_width(text))


def plain_ngram_counts(texts: Iterable[str], n: int) -> Counter[str]:
    """Counts of the n-grams inside runs of word characters, substring by substring.

    The slow reference that :func:`count_ngrams` must agree with exactly.
    """
    return Counter(run[i : i + n] for text in texts for run in word_runs(text) for i in range(len(run) - n + 1))


def plain_cut(run: str, solid: Container[str], *, order: int) -> list[str]:
    """The cut of one run of word characters, gap by gap: the reference for :func:`cut_pieces`.

    The gap before ``run[gap]`` stays joined iff some kept n-gram (order 2…order) covers the
    characters on both sides of it.
    """
    pieces, start = [], 0
    for gap in range(1, len(run)):
        covered = any(
            run[a : a + n] in solid
            for n in range(2, order + 1)
            for a in range(max(0, gap - n + 1), min(gap, len(run) - n + 1))
        )
        if not covered:
            pieces.append(run[start:gap])
            start = gap
    pieces.append(run[start:])
    return pieces


def held_together(word: str, solid: Container[str], *, order: int) -> bool:
    """Every gap inside ``word`` is covered by a kept n-gram inside it (it is never cut)."""
    return plain_cut(word, solid, order=order) == [word]


def covering_ngrams(word: str, solid: Container[str], *, order: int) -> list[str]:
    """The kept n-grams inside ``word`` (not ``word`` itself), minus those inside another one.

    In text order: the chain of kept n-grams that joins a piece the back-check removed.
    """
    inside = [
        (start, start + n)
        for n in range(2, min(order, len(word)) + 1)
        for start in range(len(word) - n + 1)
        if word[start : start + n] in solid and n < len(word)
    ]
    maximal = [(a, b) for a, b in inside if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in inside)]
    return [word[a:b] for a, b in sorted(maximal)]


# --------------------------------------------------------------------------- helpers


def lap(start: float) -> float:
    """Seconds since ``start``, a reading of :func:`time.perf_counter`."""
    return time.perf_counter() - start


def _require_thresholds(min_pmi: Sequence[float], *, order: int) -> None:
    if len(min_pmi) != order - 1:
        raise ValueError(f"order {order} needs {order - 1} thresholds (orders 2…{order}), got {len(min_pmi)}")
