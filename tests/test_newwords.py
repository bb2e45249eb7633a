"""Tests of computations.newwords: counting, cohesion, the cut, the back-check, the scorer.

No test depends on an installed corpus: the texts are synthetic, built from lexicons whose
words are known, so the right answer is known in advance (and for cohesion, in closed
form). The reports (run stage, stored result, present stage) run on such texts too, through
a path corpus or a patched ``corpora.corpus_sources``; every page check has a test that
perturbs what it guards and sees it fail.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import Counter
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from reports import two_stage

from computations import corpora
from computations.newwords import experiments, pages, segmentation, theory
from computations.report import Check, Figure, Report, Table, Value

PUNCTUATION = "，。、；！"


def synthetic_lexicon(*, words: int, first: int = 0x4E00, seed: int = 0) -> list[str]:
    """``words`` words of 2 to 4 characters; no character is used twice."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 5, size=words)
    starts = np.concatenate(([0], np.cumsum(lengths)))
    return ["".join(chr(first + k) for k in range(a, b)) for a, b in itertools.pairwise(starts)]


def synthetic_texts(lexicon: list[str], *, repeats: int, seed: int = 1) -> list[list[str]]:
    """Every word exactly ``repeats`` times in random order, as sentences of 3–12 words."""
    rng = np.random.default_rng(seed)
    tokens = [lexicon[i] for i in rng.permutation(np.repeat(np.arange(len(lexicon)), repeats))]
    sentences = []
    while tokens:
        size = int(rng.integers(3, 13))
        sentences.append([*tokens[:size], PUNCTUATION[int(rng.integers(len(PUNCTUATION)))]])
        tokens = tokens[size:]
    return sentences


def naive_ngrams(texts: list[str], n: int) -> Counter[str]:
    """Count n-grams inside runs of word characters, one character test at a time."""

    def is_word(char: str) -> bool:
        return "\u4e00" <= char <= "\u9fa5" or (char.isascii() and char.isalnum())

    counts: Counter[str] = Counter()
    for text in texts:
        run = ""
        for char in theory.fold_width(text) + "\n":
            if is_word(char):
                run += char
                continue
            counts.update(run[i : i + n] for i in range(len(run) - n + 1))
            run = ""
    return counts


MIXED = [
    "今天天气很好，今天天气真好。",
    "１９９８年，ＡＢＣ公司在北京；abc 公司也在北京！",
    "好好好好好",
    "北京北京北京，天气天气。",
    "",
    "x",
]


# --------------------------------------------------------------------------- encoding and counting


def test_fold_width_maps_one_character_to_one() -> None:
    text = "１９９８年，ＡＢＣ　ｘｙｚ！"
    folded = theory.fold_width(text)
    assert folded == "1998年，ABC　xyz！"
    assert len(folded) == len(text)


def test_word_characters_are_the_article_class() -> None:
    points = [ord(c) for c in "一龥0Z9az，A 。\u9fa6㐀"]
    expected = [True] * 7 + [False, True] + [False] * 4
    assert theory.word_character_mask(points).tolist() == expected


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_ngram_counts_equal_a_naive_counter(order: int) -> None:
    encoded = theory.encode_texts(MIXED)
    counts = theory.count_ngrams(encoded, order=order, min_count=1)
    for n in range(1, order + 1):
        fast = dict(zip(counts.strings(n, encoded), counts.counts[n - 1].tolist(), strict=True))
        assert fast == naive_ngrams(MIXED, n)
    assert counts.total == sum(naive_ngrams(MIXED, 1).values())


def test_counts_with_a_minimum_are_complete_and_exact() -> None:
    texts = ["".join(words) for words in synthetic_texts(synthetic_lexicon(words=40), repeats=6)]
    texts += MIXED * 5
    encoded = theory.encode_texts(texts)
    counts = theory.count_ngrams(encoded, order=4, min_count=5)
    for n in range(1, 5):
        listed = dict(zip(counts.strings(n, encoded), counts.counts[n - 1].tolist(), strict=True))
        naive = naive_ngrams(texts, n)
        assert {g for g, c in naive.items() if c >= 5} <= set(listed)
        assert all(naive[g] == c for g, c in listed.items())


def test_slots_point_at_the_ngram_starting_there() -> None:
    encoded = theory.encode_texts(MIXED)
    counts = theory.count_ngrams(encoded, order=3, min_count=1)
    for n in (1, 2, 3):
        strings = counts.strings(n, encoded)
        for offset, slot in enumerate(counts.slots[n - 1].tolist()):
            window = encoded.text[offset : offset + n]
            if slot >= 0:
                assert strings[slot] == window
            else:
                assert len(window) < n or not all(theory.word_character_mask([ord(c) for c in window]))


def test_cohesion_is_the_minimum_pmi_over_split_points() -> None:
    texts = ["".join(words) for words in synthetic_texts(synthetic_lexicon(words=30), repeats=5)] + MIXED
    encoded = theory.encode_texts(texts)
    counts = theory.count_ngrams(encoded, order=4, min_count=1)
    naive = [naive_ngrams(texts, n) for n in range(1, 5)]
    total = sum(naive[0].values())
    for n in (2, 3, 4):
        values = dict(zip(counts.strings(n, encoded), theory.cohesion(counts, n, min_count=1).tolist(), strict=True))
        for gram, value in values.items():
            expected = min(
                math.log(total * naive[n - 1][gram] / (naive[j - 1][gram[:j]] * naive[n - j - 1][gram[j:]]))
                for j in range(1, n)
            )
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)


# --------------------------------------------------------------------------- the algorithm


def test_a_synthetic_lexicon_is_recovered_exactly() -> None:
    lexicon = synthetic_lexicon(words=300)
    repeats = 40
    encoded = theory.encode_texts("".join(words) for words in synthetic_texts(lexicon, repeats=repeats))
    found = theory.discover_lexicon(encoded, min_count=10, min_pmi=[2.0, 4.0, 6.0])
    assert found.words == dict.fromkeys(sorted(lexicon), repeats)
    assert found.rejected == {}
    # Characters are unique to their word, so every split of a word w gives
    # ln(T c(w) / (c(a) c(b))) = ln(T / repeats) = ln(Σ len): the closed form.
    closed_form = math.log(sum(map(len, lexicon)))
    assert closed_form > 6.0
    for word in lexicon:
        assert found.solid[word] == pytest.approx(closed_form, rel=1e-12)
    inner = {word[i : i + n] for word in lexicon for n in range(2, len(word) + 1) for i in range(len(word) - n + 1)}
    assert set(found.solid) == inner


def overlapping_corpus() -> tuple[list[str], int]:
    """Background sentences of unique rare characters plus 各项 / 项目 / 各项目 / 各."""
    rng = np.random.default_rng(5)
    background = ["".join(chr(0x4E00 + int(k)) for k in rng.integers(0, 900, size=20)) + "。" for _ in range(150)]
    special = ["各项"] * 10 + ["项目"] * 6 + ["各项目"] * 6 + ["各"] * 30
    texts = background + [f"{s}。" for s in special]
    return texts, sum(len(t) - 1 for t in texts)


def test_back_check_rejects_a_join_of_two_solid_bigrams() -> None:
    texts, total = overlapping_corpus()
    encoded = theory.encode_texts(texts)
    assert encoded.characters == total
    found = theory.discover_lexicon(encoded, min_count=5, min_pmi=[2.0, 4.0, 6.0])
    # 各项 and 项目 are solid bigrams; 各项目 (6 times) is joined by them but its cohesion
    # min(ln(T·6/(46·12)), ln(T·6/(16·12))) = ln(6T/552) is below 4 for T = 3000 + 80 = 3080 (ln 33.5 = 3.5).
    assert math.log(6 * total / 552) < 4.0
    assert {"各项", "项目"} <= set(found.solid)
    assert "各项目" not in found.solid
    assert found.rejected == {"各项目": 6}
    assert found.words["各项"] == 10 and found.words["项目"] == 6


def test_raising_a_threshold_can_add_a_word_but_never_a_kept_ngram() -> None:
    texts, total = overlapping_corpus()
    encoded = theory.encode_texts(texts)
    pmi_gexiang = math.log(total * 16 / (46 * 22))  # c(各项) = 16, c(各) = 46, c(项) = 22
    pmi_xiangmu = math.log(total * 12 / (22 * 12))  # c(项目) = 12, c(目) = 12
    assert pmi_gexiang < pmi_xiangmu
    low = theory.discover_lexicon(encoded, min_count=10, min_pmi=[pmi_gexiang - 0.1, 99.0, 99.0])
    high = theory.discover_lexicon(encoded, min_count=10, min_pmi=[pmi_gexiang + 0.1, 99.0, 99.0])
    assert set(high.solid) < set(low.solid)
    assert np.isin(low.pieces.starts, high.pieces.starts).all()
    # Low: 项目 is a piece only 6 times (the other 6 hide inside 各项目), below min_count.
    # High: 各项 is no longer solid, 各项目 splits into 各 + 项目, and 项目 reaches 12.
    assert "项目" not in low.words
    assert high.words["项目"] == 12


def zipf_texts(seed: int = 3) -> list[str]:
    """2000 words over a 200-character alphabet with Zipf frequencies: n-grams overlap a lot."""
    rng = np.random.default_rng(seed)
    alphabet = [chr(0x4E00 + k) for k in range(200)]
    vocabulary = ["".join(rng.choice(alphabet, size=int(rng.integers(1, 5)))) for _ in range(2000)]
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)
    picks = rng.choice(len(vocabulary), size=40_000, p=weights / weights.sum())
    return ["".join(vocabulary[i] for i in picks[k : k + 10]) for k in range(0, picks.size, 10)]


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ((3, [2.0, 4.0, 6.0]), (6, [2.0, 4.0, 6.0])),
        ((6, [2.0, 4.0, 6.0]), (20, [2.0, 4.0, 6.0])),
        ((6, [1.0, 3.0, 5.0]), (6, [2.0, 4.0, 6.0])),
        ((6, [2.0, 4.0, 6.0]), (6, [2.0, 4.5, 6.0])),
        ((3, [0.0, 2.0, 4.0]), (20, [3.0, 5.0, 7.0])),
    ],
)
def test_thresholds_are_monotone(low: tuple[int, list[float]], high: tuple[int, list[float]]) -> None:
    encoded = theory.encode_texts(zipf_texts())
    counts = theory.count_ngrams(encoded, order=4, min_count=3)
    a = theory.discover_lexicon(encoded, min_count=low[0], min_pmi=low[1], ngrams=counts)
    b = theory.discover_lexicon(encoded, min_count=high[0], min_pmi=high[1], ngrams=counts)
    assert set(b.solid) <= set(a.solid)
    assert len(b.solid) < len(a.solid)
    # Fewer kept n-grams can only add cuts: every piece start stays a piece start.
    assert np.isin(a.pieces.starts, b.pieces.starts).all()
    # Cohesion values do not depend on the thresholds (counts are exact).
    assert all(a.solid[g] == pytest.approx(v, rel=1e-12) for g, v in b.solid.items())


def test_shared_counts_give_the_same_result_as_counting_again() -> None:
    encoded = theory.encode_texts(zipf_texts())
    shared = theory.count_ngrams(encoded, order=4, min_count=2)
    a = theory.discover_lexicon(encoded, min_count=8, ngrams=shared)
    b = theory.discover_lexicon(encoded, min_count=8)
    assert a.words == b.words and a.rejected == b.rejected and a.solid == b.solid


def test_pieces_tile_the_word_characters_and_are_counted_exactly() -> None:
    texts = zipf_texts()[:300] + MIXED
    encoded = theory.encode_texts(texts)
    found = theory.discover_lexicon(encoded, min_count=3)
    strings = found.pieces.strings(encoded.text)
    covered = np.zeros(len(encoded.text), dtype=bool)
    for start, end in zip(found.pieces.starts.tolist(), found.pieces.ends.tolist(), strict=True):
        assert not covered[start:end].any()
        covered[start:end] = True
    assert covered.tolist() == theory.word_character_mask([ord(c) for c in encoded.text]).tolist()
    assert theory.count_pieces(encoded, found.pieces, order=4) == Counter(strings)


@pytest.mark.parametrize(
    ("word", "kept"),
    [("a", True), ("ab", True), ("abc", True), ("abd", False), ("abcde", True), ("abcdf", False), ("xabcd", False)],
)
def test_back_check(word: str, kept: bool) -> None:
    solid = {"abcd", "bcde", "ab", "abc"}
    assert theory.passes_backcheck(word, solid, order=4) is kept


def test_wrong_threshold_count_is_rejected() -> None:
    encoded = theory.encode_texts(MIXED)
    with pytest.raises(ValueError, match="order 4 needs 3 thresholds"):
        theory.discover_lexicon(encoded, min_pmi=[2.0, 4.0])


# --------------------------------------------------------------------------- scoring


def test_scorer_on_hand_made_examples() -> None:
    score = segmentation.score_words([["ab", "c", "de"]], [["a", "b", "c", "de"]])
    assert (score.gold, score.predicted, score.correct) == (3, 4, 2)
    assert Fraction(score.precision).limit_denominator(100) == Fraction(1, 2)
    assert Fraction(score.recall).limit_denominator(100) == Fraction(2, 3)
    assert score.f1 == pytest.approx(float(Fraction(4, 7)), abs=0.0)
    perfect = segmentation.score_words([["今天", "天气", "好"]], [["今天", "天气", "好"]])
    assert perfect.precision == perfect.recall == perfect.f1 == 1.0
    none = segmentation.score_words([["abc"]], [["a", "bc"]])
    assert none.correct == 0 and none.f1 == 0.0


def test_scorer_never_matches_across_texts() -> None:
    # The second "ab" of the prediction sits at offsets 2–4, where the gold has "ab" too;
    # the first does not, although the same string is a gold word elsewhere.
    score = segmentation.score_words([["ab"], ["ab"]], [["a", "b"], ["ab"]])
    assert (score.gold, score.predicted, score.correct) == (2, 3, 1)


def test_scorer_rejects_different_texts() -> None:
    with pytest.raises(ValueError, match="text 0 differs"):
        segmentation.score_words([["ab"]], [["ac"]])
    with pytest.raises(ValueError, match="cover"):
        segmentation.score_segmentation([2, 1], [2])


def test_lexicon_segmenter_follows_the_maximum_probability_path() -> None:
    jieba = segmentation.lexicon_segmenter({"研究": 50, "研究生": 5, "生命": 50, "命": 1, "的": 80, "起源": 40})
    assert jieba.cut("研究生命的起源", hmm=False) == ["研究", "生命", "的", "起源"]
    jieba = segmentation.lexicon_segmenter({"研究": 1, "研究生": 500, "生命": 1, "命": 500, "的": 80, "起源": 40})
    assert jieba.cut("研究生命的起源", hmm=False) == ["研究生", "命", "的", "起源"]


# --------------------------------------------------------------------------- reports


def write_tagged(path: Path, sentences: list[list[str]]) -> None:
    tags = {p: "w" for p in PUNCTUATION}
    path.write_text(
        "\n".join("  ".join(f"{w}/{tags.get(w, 'n')}" for w in words) for words in sentences) + "\n", encoding="utf-8"
    )


@pytest.fixture
def tagged_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A PKU-tagged synthetic corpus under the name "synthetic-tagged"."""
    path = tmp_path / "tagged.txt"
    write_tagged(path, synthetic_texts(synthetic_lexicon(words=300), repeats=30))
    original = corpora.corpus_sources

    def sources(name: str) -> list[corpora.Source]:
        if name == "synthetic-tagged":
            return [corpora.Source(path=path, tagged=True, label="合成")]
        return original(name)

    monkeypatch.setattr(corpora, "corpus_sources", sources)
    return "synthetic-tagged"


def checks_of(report: Report) -> list[Check]:
    return [item for item in report.items if isinstance(item, Check)]


def values_of(report: Report) -> dict[str, str]:
    """Name → text of the values a report exports for the prose."""
    return {item.name: item.text for item in report.items if isinstance(item, Value)}


def check_with(report: Report, claim_part: str) -> Check:
    (check,) = [check for check in checks_of(report) if claim_part in check.claim]
    return check


@pytest.fixture
def plain_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An untagged corpus file of Zipf texts, by relative path."""
    monkeypatch.chdir(tmp_path)  # corpus paths are relative to the project folder the site builds in
    Path("plain.txt").write_text("\n".join(zipf_texts()) + "\n", encoding="utf-8")
    return "plain.txt"


def merge_first_two(pieces: theory.Pieces) -> theory.Pieces:
    """The first two pieces as one (the cut between them removed)."""
    keep = np.r_[0, 2 : pieces.starts.size]
    return theory.Pieces(starts=pieces.starts[keep], ends=pieces.ends[1:])


def test_discover_report_on_a_path_corpus(plain_corpus: str) -> None:
    report = two_stage(experiments.discover, pages.discover, corpus=plain_corpus, min_count=5)
    checks = checks_of(report)
    assert len(checks) == 3 and all(check.passed for check in checks), [c.detail for c in checks]
    assert sum(isinstance(item, Figure) for item in report.items) == 1
    tables = [item for item in report.items if isinstance(item, Table)]
    assert [row[0] for row in tables[0].rows] == [2, 3, 4]
    values = values_of(report)
    assert {"words", "long", "rejected", "throughput", "slowest"} <= set(values)
    # An untagged corpus has no name tags: the post's share of names is not exported for it.
    assert "long_names" not in values


def test_discover_counts_long_words_tagged_as_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Characters from U+7000 on: none of them is in the two five-character words.
    lexicon = [*synthetic_lexicon(words=300, first=0x7000), "阿尔及利亚", "证券交易所"]
    path = tmp_path / "names.txt"
    write_tagged(path, synthetic_texts(lexicon, repeats=30))
    path.write_text(path.read_text(encoding="utf-8").replace("阿尔及利亚/n", "阿尔及利亚/ns"), encoding="utf-8")
    monkeypatch.setattr(corpora, "corpus_sources", lambda name: [corpora.Source(path=path, tagged=True, label="x")])
    report = two_stage(experiments.discover, pages.discover, corpus="names", min_count=10)
    values = values_of(report)
    assert (values["long"], values["long_names"], values["long_names_share"]) == ("2", "1", "50%")


def test_count_check_fails_when_the_array_counts_are_wrong(plain_corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def miscount(encoded: theory.EncodedText, **kwargs: Any) -> theory.NgramCounts:
        counts = theory.count_ngrams(encoded, **kwargs)
        bigrams = counts.counts[1].copy()
        bigrams[0] += 1
        return dataclasses.replace(counts, counts=(counts.counts[0], bigrams, *counts.counts[2:]))

    monkeypatch.setattr(experiments, "count_ngrams", miscount)  # the self-test's counting only
    report = two_stage(experiments.discover, pages.discover, corpus=plain_corpus, min_count=5)
    assert check_with(report, "元组频数").passed is False
    assert check_with(report, "预切分").passed is True


def test_cut_check_fails_when_two_pieces_are_merged(plain_corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def merged(encoded: theory.EncodedText, **kwargs: Any) -> theory.Discovery:
        found = theory.discover_lexicon(encoded, **kwargs)
        return dataclasses.replace(found, pieces=merge_first_two(found.pieces))

    monkeypatch.setattr(experiments, "discover_lexicon", merged)
    report = two_stage(experiments.discover, pages.discover, corpus=plain_corpus, min_count=5)
    assert check_with(report, "预切分").passed is False
    assert check_with(report, "元组频数").passed is True


def test_coverage_check_fails_on_a_word_no_kept_ngram_holds(plain_corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def add_loose_word(encoded: theory.EncodedText, **kwargs: Any) -> theory.Discovery:
        found = theory.discover_lexicon(encoded, **kwargs)
        return dataclasses.replace(found, words={**found.words, "xqz": 99})

    monkeypatch.setattr(experiments, "discover_lexicon", add_loose_word)
    report = two_stage(experiments.discover, pages.discover, corpus=plain_corpus, min_count=5)
    coverage = check_with(report, "每个多字词")
    assert coverage.passed is False
    assert "xqz" in coverage.detail


def test_segmentation_report_scores_a_recovered_lexicon_perfectly(tagged_corpus: str) -> None:
    report = two_stage(experiments.segmentation_score, pages.segmentation_score, corpus=tagged_corpus, min_count=10)
    table = next(item for item in report.items if isinstance(item, Table))
    rows = {row[0]: row for row in table.rows}
    assert rows[pages.LABELS[experiments.OURS]][3:6] == (1.0, 1.0, 1.0)
    assert rows[pages.LABELS[experiments.ORACLE]][3:6] == (1.0, 1.0, 1.0)
    assert rows[pages.LABELS[experiments.SINGLE]][3] < 0.5
    checks = {item.claim: item.passed for item in checks_of(report)}
    baseline = [claim for claim in checks if "平凡切分" in claim]
    assert [checks[c] for c in checks if c not in baseline] == [True] * 3
    values = values_of(report)
    assert (values["f1"], values["precision"], values["recall"], values["oracle_f1"]) == ("1.000",) * 3 + ("1.00",)


def test_baseline_check_fails_when_the_lexicon_is_no_better_than_the_pieces(tagged_corpus: str) -> None:
    # On a synthetic text whose words share no character, the pre-segmentation is already
    # perfect: the lexicon cannot beat it, and the check says so.
    report = two_stage(experiments.segmentation_score, pages.segmentation_score, corpus=tagged_corpus, min_count=10)
    baseline = check_with(report, "平凡切分")
    assert baseline.passed is False
    assert "词库 1.0000 > 预切分片段 1.0000 ✗" in baseline.detail


def test_gold_parse_check_fails_when_the_scored_gold_is_read_wrongly(
    tagged_corpus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = segmentation.gold_segmentation

    def merged_first_words(name: str) -> list[list[str]]:
        lines = original(name)
        return [["".join(lines[0][:2]), *lines[0][2:]], *lines[1:]]

    monkeypatch.setattr(segmentation, "gold_segmentation", merged_first_words)  # what folded_gold reads
    report = two_stage(experiments.segmentation_score, pages.segmentation_score, corpus=tagged_corpus, min_count=10)
    check = check_with(report, "严格解析器")
    assert check.passed is False
    assert "不同 ✗" in check.detail


def test_gold_parse_check_fails_on_a_token_without_a_tag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tagged.txt"
    write_tagged(path, synthetic_texts(synthetic_lexicon(words=300), repeats=30))
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + "  孤", *lines[1:]]) + "\n", encoding="utf-8")
    monkeypatch.setattr(corpora, "corpus_sources", lambda name: [corpora.Source(path=path, tagged=True, label="x")])
    report = two_stage(experiments.segmentation_score, pages.segmentation_score, corpus="broken", min_count=10)
    check = check_with(report, "严格解析器")
    assert check.passed is False
    assert "读不出的标注单元 1 个 ✗" in check.detail


class AlteringSegmenter:
    """Cuts like the real segmenter but writes an "x" over the first character of every text."""

    def __init__(self, words: Mapping[str, int]) -> None:
        self.jieba = segmentation.lexicon_segmenter(words)

    def cut(self, text: str, *, hmm: bool) -> list[str]:
        tokens = self.jieba.cut(text, hmm=hmm)
        return ["x" + tokens[0][1:], *tokens[1:]] if tokens else tokens


def test_preserved_check_fails_when_a_segmenter_alters_the_text(
    tagged_corpus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(experiments, "lexicon_segmenter", AlteringSegmenter)
    report = two_stage(experiments.segmentation_score, pages.segmentation_score, corpus=tagged_corpus, min_count=10)
    preserved = check_with(report, "拼回去")
    assert preserved.passed is False
    assert f"{pages.LABELS[experiments.OURS]} ✗" in preserved.detail


def test_hand_example_counts_are_the_ones_worked_out_by_hand() -> None:
    gold, cut = pages.HAND_WORDS
    assert tuple(map(len, gold)) == experiments.HAND_GOLD and tuple(map(len, cut)) == experiments.HAND_CUT
    score = segmentation.score_words([list(gold)], [list(cut)])
    assert (score.gold, score.predicted, score.correct) == pages.HAND_COUNTS
    precision, recall = Fraction(score.correct, score.predicted), Fraction(score.correct, score.gold)
    assert (precision, recall, 2 * precision * recall / (precision + recall)) == (
        Fraction(3, 7),
        Fraction(1, 2),
        Fraction(6, 13),
    )


def test_plain_correct_agrees_with_the_scorer() -> None:
    rng = np.random.default_rng(4)
    gold = rng.integers(1, 5, size=500)
    cut = np.diff(np.unique(np.r_[0, rng.choice(np.arange(1, gold.sum()), size=400, replace=False), gold.sum()]))
    assert segmentation.plain_correct(gold.tolist(), cut.tolist()) == segmentation.score_segmentation(gold, cut).correct


def test_scorer_check_fails_when_gold_does_not_score_itself_perfectly(tagged_corpus: str) -> None:
    run = experiments.segmentation_score(corpus=tagged_corpus, min_count=10)
    assert check_with(pages.segmentation_score(run), "评分器").passed is True
    wrong = dataclasses.replace(run, gold_self_score=segmentation.SegmentationScore(gold=10, predicted=10, correct=9))
    check = check_with(pages.segmentation_score(wrong), "评分器")
    assert check.passed is False
    assert "标准答案自评 P/R/F1 = 0.9/0.9/0.9 ✗" in check.detail


def test_scorer_check_fails_when_the_scorer_miscounts(tagged_corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def one_too_many(gold: Any, predicted: Any) -> segmentation.SegmentationScore:
        score = segmentation.score_segmentation(gold, predicted)
        return dataclasses.replace(score, correct=score.correct + 1)

    monkeypatch.setattr(experiments, "score_segmentation", one_too_many)
    run = experiments.segmentation_score(corpus=tagged_corpus, min_count=10)
    check = check_with(pages.segmentation_score(run), "评分器")
    assert check.passed is False
    assert "正确 4（手算 6、7、3" in check.detail and "✗" in check.detail
    assert f"评分器 {run.plain_correct + 1}，集合求交 {run.plain_correct} ✗" in check.detail


def test_scorer_check_fails_when_the_stored_correct_count_disagrees(tagged_corpus: str) -> None:
    run = experiments.segmentation_score(corpus=tagged_corpus, min_count=10)
    wrong = dataclasses.replace(run, plain_correct=run.plain_correct - 1)
    assert check_with(pages.segmentation_score(wrong), "评分器").passed is False


def test_score_verdicts_follow_the_result(tagged_corpus: str) -> None:
    run = experiments.segmentation_score(corpus=tagged_corpus, min_count=10)
    values = values_of(pages.segmentation_score(run))
    assert values["closeness"] == "差得较远"  # a perfect 1.000 against the article's 0.742
    lower = segmentation.SegmentationScore(gold=1000, predicted=900, correct=700)  # P 0.778 > R 0.700, F1 0.737
    ours = dataclasses.replace(run.segmentations[0], score=lower)
    values = values_of(pages.segmentation_score(dataclasses.replace(run, segmentations=(ours, *run.segmentations[1:]))))
    assert values["f1"] == "0.737" and values["closeness"] == "相当接近"
    assert values["order"] == "精确率与召回率的大小关系却与原文相反"
    assert values["gain"].startswith("反而降低了约")


def test_segmentation_report_refuses_an_untagged_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("plain.txt").write_text("今天天气很好\n", encoding="utf-8")
    with pytest.raises(corpora.CorpusError, match="untagged"):
        experiments.segmentation_score(corpus="plain.txt")


SWEEP = {"min_counts": [10, 20], "shifts": [-1.0, 0.0]}


def test_sweep_report_checks_monotonicity(tagged_corpus: str) -> None:
    report = two_stage(experiments.sweep, pages.sweep, corpus=tagged_corpus, **SWEEP)
    table = next(item for item in report.items if isinstance(item, Table))
    assert [(row[0], row[1]) for row in table.rows] == [
        (10, "1、3、5"),
        (10, "2、4、6"),
        (20, "1、3、5"),
        (20, "2、4、6"),
    ]
    assert all(row[6] == 1.0 for row in table.rows)
    checks = checks_of(report)
    assert len(checks) == 2 and all(check.passed for check in checks)
    assert "4 对" in checks[0].detail


def test_nesting_check_fails_when_a_higher_threshold_keeps_an_extra_ngram(
    tagged_corpus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def extra_at_high_count(encoded: theory.EncodedText, **kwargs: Any) -> theory.Discovery:
        found = theory.discover_lexicon(encoded, **kwargs)
        return dataclasses.replace(found, solid={**found.solid, "xq": 9.0}) if kwargs["min_count"] == 20 else found

    monkeypatch.setattr(experiments, "discover_lexicon", extra_at_high_count)
    report = two_stage(experiments.sweep, pages.sweep, corpus=tagged_corpus, **SWEEP)
    nested, refined = checks_of(report)
    assert nested.passed is False and "2 对不是子集关系" in nested.detail
    assert refined.passed is True


def test_refinement_check_fails_when_a_higher_threshold_removes_a_cut(
    tagged_corpus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def merged_at_high_count(encoded: theory.EncodedText, **kwargs: Any) -> theory.Discovery:
        found = theory.discover_lexicon(encoded, **kwargs)
        if kwargs["min_count"] != 20:
            return found
        return dataclasses.replace(found, pieces=merge_first_two(found.pieces))

    monkeypatch.setattr(experiments, "discover_lexicon", merged_at_high_count)
    report = two_stage(experiments.sweep, pages.sweep, corpus=tagged_corpus, **SWEEP)
    nested, refined = checks_of(report)
    assert nested.passed is True
    assert refined.passed is False and "2 对不成立" in refined.detail
