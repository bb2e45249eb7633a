"""What a reader downloads: posts under a size budget, a subset math font that does not block
text, and an Atom feed without the inline figures that feed readers strip."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import Site
from fontTools.ttLib import TTFont
from texmath.mathml import MATH_FONT, used_characters

POST_BUDGET = 300 * 1024
FEED_BUDGET = 500 * 1024
ATOM = {"a": "http://www.w3.org/2005/Atom"}
MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)


def _posts(site: Site) -> list[Path]:
    posts = sorted((site.output / "posts").glob("*.html"))
    assert posts, "the site has no posts"
    return posts


def test_every_post_is_within_its_size_budget(built_site: Site) -> None:
    sizes = {post.name: post.stat().st_size for post in _posts(built_site)}
    over = {name: f"{size / 1024:.0f} KB" for name, size in sizes.items() if size > POST_BUDGET}
    assert not over, over


def test_the_feed_is_small_and_links_figures_instead_of_inlining_them(built_site: Site) -> None:
    feed = built_site.output / "feeds" / "all.atom.xml"
    assert feed.stat().st_size <= FEED_BUDGET, f"{feed.stat().st_size / 1024:.0f} KB"
    entries = ET.parse(feed).findall("a:entry", ATOM)
    assert len(entries) == len(_posts(built_site))
    for entry in entries:
        link = entry.find("a:link", ATOM)
        slug = "" if link is None else link.get("href", "")
        content = entry.findtext("a:content", "", ATOM) + entry.findtext("a:summary", "", ATOM)
        assert "<svg" not in content, slug
        page = (built_site.output / "posts" / Path(slug).name).read_text(encoding="utf-8")
        # every figure of the post is still there, as a link to its SVG file
        for svg_file in re.findall(r'<a href="([^"]+\.svg)">SVG</a>', page):
            assert f'<a href="{svg_file}">' in content.replace(f'<a href="{svg_file}">SVG</a>', ""), (slug, svg_file)


def test_the_math_font_is_cut_to_the_characters_the_site_draws(built_site: Site) -> None:
    shipped = TTFont(built_site.output / "math" / "latinmodernmath.woff2")
    full = TTFont(MATH_FONT)
    assert "MATH" in shipped
    assert len(shipped.getGlyphOrder()) < len(full.getGlyphOrder()) / 2
    assert (built_site.output / "math" / "latinmodernmath.woff2").stat().st_size < 100 * 1024
    full_map, shipped_map = full.getBestCmap(), set(shipped.getBestCmap())
    pages = sorted(built_site.output.rglob("*.html"))
    drawn = used_characters(m for page in pages for m in MATH.findall(page.read_text(encoding="utf-8")))
    # the formulas draw letters, digits, operators and italic letters; all of them are kept
    assert {"x", "=", "(", "∑", "\U0001d465"} <= set(drawn), drawn
    missing = sorted(c for c in drawn if ord(c) in full_map and ord(c) not in shipped_map)
    assert not missing, missing
    assert len(drawn) < len(full_map) / 4


@pytest.mark.parametrize("stylesheet", ["Temml-Latin-Modern.css"])
def test_every_font_face_lets_text_show_before_the_font_arrives(built_site: Site, stylesheet: str) -> None:
    css = (built_site.output / "math" / stylesheet).read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\s*\{([^}]*)\}", css)
    assert faces and all("font-display: swap;" in face for face in faces), faces


def test_used_characters_reads_text_and_adds_the_italic_letters_chromium_draws() -> None:
    mathml = '<math><mi>h</mi><mo>&lt;</mo><mi>α</mi><annotation encoding="application/x-tex">z</annotation></math>'
    assert used_characters([mathml]) == "".join(sorted("h<α\u210e\U0001d6fc"))
    assert html.unescape("&lt;") in used_characters([mathml])
