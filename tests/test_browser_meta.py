"""References around the posts, checked on the built site: citations (BibTeX read back by a
real parser), Open Graph and description meta, related posts, the provenance notes' links to
the computations' source pages; and axe-core on every page of the site."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import bibtexparser
import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import VIEWS, pages, posts, visit
from bs4 import BeautifulSoup
from citation.bibtex import Field, entry
from conftest import ROOT, Site
from playwright.sync_api import Browser
from pylatexenc.latex2text import LatexNodes2Text
from reproduce.sources import SourceChangedError, functions_of, source_pages

# ------------------------------------------------------------------------------ helpers

_LATEX = LatexNodes2Text()


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _header(post: str, name: str) -> str:
    """A header field of the post's Markdown source ("" when absent)."""
    text = (ROOT / "content" / "posts" / post.replace(".html", ".md")).read_text(encoding="utf-8")
    found = re.search(rf"^{name}:\s*(.*)$", text.split("\n\n", 1)[0], re.MULTILINE | re.IGNORECASE)
    return found.group(1).strip() if found else ""


def _source_of(post: str) -> str:
    """The Markdown file of a built post, found by its Slug header."""
    slug = post.removesuffix(".html")
    for path in (ROOT / "content" / "posts").glob("*.md"):
        if re.search(rf"^Slug:\s*{re.escape(slug)}\s*$", path.read_text(encoding="utf-8"), re.MULTILINE):
            return path.name
    raise AssertionError(f"no source for {post}")


def _entry(pre_text: str) -> dict[str, str]:
    """The one entry of a BibTeX text, parsed, its fields read as LaTeX (except ``url``, which
    biblatex reads verbatim); fails on anything the parser could not read."""
    library = bibtexparser.parse_string(pre_text)
    assert library.failed_blocks == [] and len(library.entries) == 1, pre_text
    found = library.entries[0]
    fields = {f.key: str(f.value) for f in found.fields}
    fields = {k: v if k == "url" else _LATEX.latex_to_text(v) for k, v in fields.items()}
    return {"ENTRYTYPE": found.entry_type, "ID": found.key, **fields}


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = tag.get("property") or tag.get("name")
        if name:
            assert name not in found, f"meta {name} twice"
            found[name] = tag.get("content", "")
    return found


# ------------------------------------------------------------------------------ citations


def test_every_post_gives_bibtex_for_itself_and_its_original_that_a_parser_reads_back(built_site: Site) -> None:
    for post in posts(built_site):
        soup = _soup(built_site.output / "posts" / post)
        source = _source_of(post)
        ours = _entry(soup.select_one("pre#cite-post").get_text())
        title = soup.select_one("h1.post-title").get_text()
        published = soup.select_one(".post-meta time")["datetime"][:10]
        assert ours["ENTRYTYPE"] == "online" and ours["title"] == title, post
        assert ours["date"] == published and ours["year"] == published[:4], post
        assert ours["url"] == f"/posts/{post}" == _meta(soup)["og:url"], post  # SITEURL is "" here
        assert ours["author"] and ours["organization"], post
        original = _entry(soup.select_one("pre#cite-original").get_text())
        assert original["url"] == _header(source, "Original_url") == soup.select_one(".post-source a")["href"]
        assert original["title"] == _header(source, "Original_title"), post
        assert original["date"] == _header(source, "Original_date") != "", post
        assert original["author"] == "苏剑林" and original["organization"] == "科学空间", post
        assert original["title"] in ours["note"], post
        assert ours["ID"] != original["ID"]


def test_bibtex_values_with_latex_specials_read_back_as_written() -> None:
    hostile = 'A 50% & {x}_y \\ ~ #$ "q" end'
    text = entry(
        "online",
        "key with spaces,{}",
        [
            Field("title", hostile, "literal"),
            Field("author", ("苏剑林", "A & B"), "names"),
            Field("url", "https://x.org/a b{c}%20", "url"),
            Field("note", hostile),
            Field("year", ""),  # empty fields are left out
        ],
    )
    read = _entry(text)
    assert read["ID"] == "keywithspaces" and "year" not in read
    assert read["title"] == read["note"] == hostile
    assert read["author"] == "苏剑林 and A & B"  # two names, each kept whole
    assert read["url"] == "https://x.org/a%20b%7Bc%7D%20"


def test_a_malformed_original_date_fails_the_build_at_its_line(site: Site) -> None:
    header = "Title: 某帖\nDate: 2026-01-01\nSlug: x\nOriginal_url: https://example.org/1\n"
    site.write("posts/x.md", header + "Original_date: 2019-13-45\n\n正文。\n")
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/x.md:5: Original_date '2019-13-45' is not a date written YYYY-MM-DD" in result.log
    assert not (site.output / "posts" / "x.html").exists()


def test_copy_buttons_copy_the_entry_by_keyboard_and_the_text_stays_selectable_without_javascript(
    server: str, browser: Browser, built_site: Site
) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    for post in posts(built_site):
        page.goto(f"{server}/posts/{post}", wait_until="load")
        for entry_id in ("cite-post", "cite-original"):
            button = page.locator(f'button[data-copy="{entry_id}"]')
            assert button.is_visible() and button.evaluate("b => b.tabIndex") == 0, post
            button.focus()
            page.keyboard.press("Enter")
            status = page.locator(".post-cite .copy-status")
            status.filter(has_text="已复制").wait_for()
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == page.locator(f"#{entry_id}").inner_text() and copied.startswith("@online{"), post
    context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/{posts(built_site)[0]}", wait_until="load")
    assert page.locator("button[data-copy]").first.is_hidden()
    assert page.locator("#cite-post").evaluate("e => getComputedStyle(e).userSelect") != "none"
    context.close()


# ------------------------------------------------------------------------------ meta


def test_every_page_has_open_graph_and_description_meta_that_match_the_page(built_site: Site) -> None:
    for path in pages(built_site):
        soup = _soup(built_site.output / path)
        meta = _meta(soup)
        for name in ("og:title", "og:type", "og:url", "og:description", "description"):
            assert meta.get(name, "").strip(), (path, name)
        assert meta["og:url"] == f"/{path}" and meta["og:description"] == meta["description"], path
        if path.startswith("posts/"):
            assert meta["og:type"] == "article" and meta["og:title"] == soup.select_one("h1").get_text(), path
            summary = _header(_source_of(path.removeprefix("posts/")), "Summary")
            assert summary.startswith(meta["description"].removesuffix("…")), path
        else:
            assert meta["og:type"] == "website" and meta["og:title"] == soup.title.get_text(), path


def test_published_meta_and_citations_are_absolute_and_escaped(site: Site) -> None:
    title = 'A & B "引号" <b>不是标签</b>'
    site.write(
        "posts/x.md",
        f'Title: {title}\nDate: 2026-01-01\nSlug: x\nSummary: 摘要 & <i>斜体</i> "引"\n\n正文。\n',
    )
    result = site.build(settings_file="publishconf.py", environment={"SITEURL": "https://example.org/"})
    assert result.returncode == 0, result.log
    html = (site.output / "posts" / "x.html").read_text(encoding="utf-8")
    meta = _meta(BeautifulSoup(html, "html.parser"))
    assert meta["og:title"] == title and meta["og:url"] == "https://example.org/posts/x.html"
    assert meta["description"] == '摘要 & 斜体 "引"'  # the summary's markup dropped, its text kept
    assert "<b>不是标签</b>" not in html  # escaped everywhere, attributes included
    cited = _entry(BeautifulSoup(html, "html.parser").select_one("pre#cite-post").get_text())
    assert cited["url"] == "https://example.org/posts/x.html" and cited["title"] == title
    assert BeautifulSoup(html, "html.parser").select_one("pre#cite-original") is None  # no original named


# ------------------------------------------------------------------------------ related posts


def _tags(soup: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in soup.select(".post-tags a")]


def test_related_posts_are_exactly_those_sharing_a_tag_most_shared_then_newest_first(built_site: Site) -> None:
    found = {post: _soup(built_site.output / "posts" / post) for post in posts(built_site)}
    tags = {post: _tags(soup) for post, soup in found.items()}
    dates = {post: soup.select_one(".post-meta time")["datetime"] for post, soup in found.items()}
    listed_anywhere = 0
    for post, soup in found.items():
        shared = {other: [t for t in tags[post] if t in tags[other]] for other in found if other != post}
        newest_first = sorted((o for o in shared if shared[o]), key=lambda o: dates[o], reverse=True)
        expected = sorted(newest_first, key=lambda o: -len(shared[o]))[:5]  # stable: newest first on ties
        items = soup.select(".post-related li")
        assert [urlparse(li.a["href"]).path.rsplit("/", 1)[-1] for li in items] == expected, post
        for li, other in zip(items, expected, strict=True):
            assert li.select_one(".post-related-tags").get_text() == "共同标签：" + "、".join(shared[other])
        if not expected:
            assert soup.select_one(".post-related") is None, post
        listed_anywhere += len(items)
    assert listed_anywhere > 0  # the site's posts do share tags: the list is not just always empty


# ------------------------------------------------------------------------------ source pages


def test_every_provenance_note_links_to_the_lines_where_its_functions_start(built_site: Site) -> None:
    checked = 0
    for post in posts(built_site):
        url = f"posts/{post}"
        for note in _soup(built_site.output / url).select("details.repro-provenance"):
            links = note.select("a.repro-source-link")
            stages = [link.get_text().split("：")[0] for link in links]
            assert stages == ["运行", "呈现"], (post, stages)
            for link in links:
                target = urlparse(urljoin(f"http://site/{url}", link["href"]))
                page = built_site.output / target.path.lstrip("/")
                assert page.is_file(), (post, link["href"])
                line = _soup(page).find(id=target.fragment)
                assert line is not None, (post, link["href"])
                function = link.code.get_text().rsplit(":", 1)[1].rsplit(".", 1)[-1]
                code = line.get_text()
                assert re.match(rf"\s*(async\s+)?def {re.escape(function)}\b", code), (post, link["href"], code)
                checked += 1
    assert checked > 0


def test_source_pages_show_the_files_as_they_are_and_stay_out_of_sitemap_and_search(built_site: Site) -> None:
    found = sorted((built_site.output / "source").glob("*.html"))
    assert found
    sitemap = (built_site.output / "sitemap.xml").read_text(encoding="utf-8")
    for page in found:
        soup = _soup(page)
        path = ROOT / soup.select_one("h1 code").get_text()
        listing = soup.select_one(".source-listing pre")
        assert listing.get_text() == path.read_text(encoding="utf-8").rstrip("\n") + "\n", page.name
        assert f"source/{page.name}" not in sitemap and "data-pagefind-body" not in str(soup), page.name
        for name, line in functions_of(path.read_text(encoding="utf-8")).items():
            assert soup.select_one(f'a[href="#L-{line}"]').get_text() == name


def test_a_module_that_changed_after_the_build_hashed_it_gets_no_page(tmp_path: Path) -> None:
    module = tmp_path / "topic.py"
    module.write_text("def run():\n    return 1\n", encoding="utf-8")
    with pytest.raises(SourceChangedError, match=r"^topic\.py: changed while the site was being built"):
        source_pages({"topic": {"topic": "0" * 64}}, locate=lambda name: module, imports=lambda name: [], root=tmp_path)


# ------------------------------------------------------------------------------ accessibility

BLOCKING = ("moderate", "serious", "critical")  # everything above axe's "minor"


# Every page in two views (a phone in dark, a desktop in light: ~50 s each); in the other four
# views of browsing.VIEWS, the pages that change with the width and theme: posts, index, search.
FULL_VIEWS = {(360, "dark"), (1280, "light")}


@pytest.mark.parametrize(("width", "scheme"), VIEWS)
def test_axe_finds_nothing_above_minor_on_any_page(
    server: str, browser: Browser, built_site: Site, scheme: str, width: int
) -> None:
    paths = pages(built_site)
    assert "search.html" in paths and any(p.startswith("source/") for p in paths)
    if (width, scheme) not in FULL_VIEWS:
        paths = ["index.html", "search.html", *(f"posts/{post}" for post in posts(built_site))]
    page, _, _ = visit(browser, f"{server}/index.html", width=width, scheme=scheme)
    axe = Axe()
    found = []
    for path in paths:
        if path == "search.html":  # with its results shown
            page.goto(f"{server}/search.html?q=球面", wait_until="load")
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
        else:
            page.goto(f"{server}/{path}", wait_until="load")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"][:5]]
                found.append(f"{path}: {violation['impact']} {violation['id']} ({violation['help']}) {targets}")
    page.context.close()
    assert found == [], "\n".join(found)


def test_every_table_header_cell_has_text(built_site: Site) -> None:
    # axe calls an empty <th> only "minor"; a screen reader still announces nothing for its column
    for path in pages(built_site):
        for cell in _soup(built_site.output / path).select("th"):
            assert cell.get_text(strip=True), (path, str(cell)[:120])
