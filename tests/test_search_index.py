"""The copy of a page that Pagefind indexes: Chinese split into characters, the rest as written."""

from __future__ import annotations

from pathlib import Path

from search.characters import HAN, ZWSP, split_characters, split_page, write_character_copy

PAGE = """<!DOCTYPE html><html lang="zh-cn"><head><title>拉马努金 · 站名</title></head>
<body><article data-pagefind-body><h1 class="post-title">拉马努金的<em>近似</em> &amp; HSIC</h1>
<h2 id="周长">周长：椭圆积分</h2><p>互信息 and words</p>
<svg role="img" aria-label="峰值在中间" data-pagefind-index-attrs="aria-label"></svg></article></body></html>"""


def test_chinese_text_and_indexed_attributes_are_split_into_characters() -> None:
    split, z = split_page(PAGE), ZWSP
    assert f"<p>{z}互{z}信{z}息{z} and words</p>" in split
    assert f'aria-label="{z}峰{z}值{z}在{z}中{z}间{z}"' in split
    assert f">{z}周{z}长{z}：{z}椭{z}圆{z}积{z}分{z}<" in split


def test_a_character_beside_a_tag_or_a_latin_letter_is_a_word_of_its_own() -> None:
    # jieba would read 的近 across the tag, or a Han character glued to Latin, as one word
    assert f"的{ZWSP}<em>{ZWSP}近" in split_page(PAGE)
    assert split_characters("HSIC的n维") == f"HSIC{ZWSP}的{ZWSP}n{ZWSP}维{ZWSP}"


def test_ids_the_head_and_the_title_stay_whole() -> None:
    split = split_page(PAGE)
    assert 'id="周长"' in split  # sub-results link to headings by id
    assert "<title>拉马努金 · 站名</title>" in split
    assert 'data-pagefind-body data-pagefind-meta="title:拉马努金的近似 &amp; HSIC"' in split


def test_the_copy_holds_every_page_but_pagefinds_own(tmp_path: Path) -> None:
    site, copy = tmp_path / "site", tmp_path / "copy"
    for relative in ("index.html", "posts/a.html", "pagefind/x.html"):
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(PAGE, encoding="utf-8")
    assert write_character_copy(site, copy) == 2
    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*.html")) == ["index.html", "posts/a.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == PAGE  # the published page is untouched


def test_the_query_side_splits_the_same_characters_as_the_index() -> None:
    # phrases.js turns each character of HAN into a word of a phrase; the index must have split them all
    source = (Path(__file__).parents[1] / "plugins" / "search" / "phrases.js").read_text(encoding="utf-8")
    assert f'const HAN = "{HAN.encode("unicode_escape").decode()}";' in source
