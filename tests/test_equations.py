"""Equation labels and ``@eq:`` references: numbering as temml's CSS counter shows it, errors, the posts."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT, Site

from plugins.texmath.equations import check_tex, link_page, numbered_rows
from plugins.texmath.mathml import Formula, Rendered, formulas, render_all, substitute

POSTS = ROOT / "content" / "posts"


def render(*texs: str) -> list[Rendered]:
    """Real temml output, so a change in how temml marks numbered rows fails these tests."""
    found = [Formula(tex, display=True) for tex in texs]
    rendered = render_all(found)
    return [rendered[f] for f in found]


def page_of(*texs: str, prose: str = "") -> tuple[str, list[Formula], dict[Formula, Rendered]]:
    html = prose + "".join(f'<div class="arithmatex">{t.replace("&", "&amp;")}</div>' for t in texs)
    found = formulas(html)
    return html, found, dict(zip(found, render(*texs), strict=True))


# --- temml's markup: which rows show a number -------------------------------------------------


def test_equation_align_and_gather_rows_are_numbered_starred_and_nonumber_rows_are_not() -> None:
    equation, align, starred, gather, display = render(
        r"\begin{equation}a=b\label{one}\end{equation}",
        r"\begin{align}a&=b\nonumber\\c&=d\label{two}\\e&=f\end{align}",
        r"\begin{align*}a&=b\\c&=d\end{align*}",
        r"\begin{gather}a\\b\end{gather}",
        r"a=b",
    )
    count, rows = numbered_rows(equation.mathml)
    assert count == 1 and [(r.label, r.number) for r in rows] == [("one", 1)]
    count, rows = numbered_rows(align.mathml)
    assert count == 2 and [(r.label, r.number) for r in rows] == [("two", 1)]
    assert numbered_rows(starred.mathml) == (0, [])
    assert numbered_rows(gather.mathml)[0] == 2
    assert numbered_rows(display.mathml) == (0, [])


def test_a_tagged_row_is_referred_to_by_its_tag_and_does_not_advance_the_counter() -> None:
    (tagged,) = render(r"\begin{equation}a=b\tag{A}\label{t}\end{equation}")
    count, rows = numbered_rows(tagged.mathml)
    assert count == 0 and [(r.label, r.number, r.tag) for r in rows] == [("t", None, "(A)")]


def test_eqref_ref_and_bad_label_names_are_refused_before_rendering() -> None:
    assert "write @eq:name in the prose and \\label{name} in the equation" in check_tex(r"a \eqref{x}")
    assert check_tex(r"\ref{x}") is not None
    assert "lowercase letters" in check_tex(r"\begin{equation}a\label{eq:a}\end{equation}")
    assert check_tex(r"\begin{equation}a\label{density-2}\end{equation}") is None


# --- one page: numbers, anchors, links, errors --------------------------------------------------


def test_a_reference_reads_the_number_the_counter_shows_and_targets_the_row() -> None:
    html, found, rendered = page_of(
        r"\begin{equation}a\end{equation}",
        r"x=y",  # display math without a number: does not count
        r"\begin{align}b&=c\\d&=e\nonumber\\f&=g\label{middle}\end{align}",
        r"\begin{equation}h\end{equation}",
        prose="<p>由 @eq:middle 得，代入@eq:middle，a@eq:middle</p>",
    )
    linked = link_page(html, found, rendered)
    assert linked.issues == []
    link = '<a class="repro-ref" href="#eq-middle">式 (3)</a>'
    assert f"<p>由 {link} 得，代入{link}，a@eq:middle</p>" in linked.html
    # The CSS counter counts these spans in document order; the labelled row holds the third.
    row = re.search(r'<mtr id="eq-middle".*?</mtr>', linked.html).group(0)
    assert linked.html.count('<span class="tml-eqn">', 0, linked.html.index(row) + len(row)) == 3
    assert '<span class="tml-eqn">' in row


def test_unknown_and_duplicate_labels_and_prose_refs_are_issues_shown_inline() -> None:
    html, found, rendered = page_of(
        r"\begin{equation}a\label{same}\end{equation}",
        r"\begin{equation}b\label{same}\end{equation}",
        r"c\label{loose}",
        prose=r"<p>@eq:nothere 与 \ref{same}，<code>@eq:code</code></p>",
    )
    linked = link_page(html, found, rendered)
    messages = {issue.needle: issue for issue in linked.issues}
    assert "labelled on this page: same" in messages["@eq:nothere"].message
    assert "write @eq:name" in messages["\\ref{same}"].message
    assert messages["\\label{same}"].occurrence == 1 and "used twice" in messages["\\label{same}"].message
    assert "shows no number" in messages["\\label{loose}"].message
    assert "@eq:code" not in messages
    assert '<span class="repro-error-inline"' in linked.html and linked.html.count('id="eq-same"') == 1


# --- real builds ---------------------------------------------------------------------------------

EQUATIONS = r"""Title: 公式
Date: 2026-11-01
Slug: eq

第一段。

\begin{equation}
a = 1
\end{equation}

$$b = 2$$

\begin{align}
c &= 3 \\
d &= 4 \label{middle}
\end{align}

\begin{equation}
e = 5 \label{last}
\end{equation}

由 @eq:middle 与 @eq:last 可得。
"""


def test_built_page_links_match_the_displayed_numbers(site: Site) -> None:
    site.write("posts/eq.md", EQUATIONS)
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "eq.html").read_text(encoding="utf-8")
    assert (
        '由 <a class="repro-ref" href="#eq-middle">式 (3)</a> 与 <a class="repro-ref" href="#eq-last">式 (4)</a>'
        in page
    )
    for anchor, number in (("eq-middle", 3), ("eq-last", 4)):
        row = page.index(f'<mtr id="{anchor}"')
        row_end = page.index("</mtr>", page.index('<span class="tml-eqn">', row))
        assert page.count('<span class="tml-eqn">', page.index("<body"), row_end) == number


def test_each_feed_entry_shows_the_tex_its_own_page_was_written_with(site: Site) -> None:
    # "n=1000" and "n = 1000" render to the same MathML; the feed turns MathML back into TeX,
    # and must give each entry its own spelling whatever order the pages were read in.
    spellings = {"close": "n=1000", "spaced": "n = 1000", "wide": "n  =  1000"}
    for slug, tex in spellings.items():
        site.write(f"posts/{slug}.md", f"Title: {slug}\nDate: 2026-11-01\nSlug: {slug}\n\n当 ${tex}$ 时。\n")
    result = site.build()
    assert result.returncode == 0, result.log
    feed = (site.output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    entries = re.findall(r"<entry>.*?</entry>", feed, re.DOTALL)
    assert len(entries) == len(spellings)
    for entry in entries:
        slug = re.search(r'<link href="[^"]*posts/(\w+)\.html"', entry).group(1)
        assert f"\\({spellings[slug]}\\)" in entry and "math&gt;" not in entry, entry


BAD = r"""Title: 坏引用
Date: 2026-11-01
Slug: bad

见 @eq:nothere。

\begin{equation}
a \label{same}
\end{equation}

\begin{equation}
b \label{same}
\end{equation}

正文里的 \ref{same} 和公式里的 $\eqref{same}$。
"""


def test_bad_references_fail_a_strict_build_with_file_and_line(site: Site) -> None:
    site.write("posts/bad.md", BAD)
    result = site.build()
    assert result.returncode != 0
    log = result.log
    assert "content/posts/bad.md:5: unknown reference '@eq:nothere'" in log
    assert "content/posts/bad.md:12: label 'same' is used twice" in log
    assert "content/posts/bad.md:15: \\ref{same} is not supported" in log
    assert "content/posts/bad.md:15: \\eqref{same} is not supported" in log
    assert log.count("write @eq:name in the prose and \\label{name} in the equation") >= 3


def test_a_draft_build_shows_bad_references_inline(site: Site) -> None:
    site.write("posts/bad.md", BAD)
    result = site.build("REPRO_STRICT=false")
    assert result.returncode == 0, result.log
    page = (site.draft / "posts" / "bad.html").read_text(encoding="utf-8")
    inline = '<span class="repro-error-inline" role="alert">'
    assert re.search(re.escape(inline) + r'@eq:nothere<span class="repro-error-message">unknown reference', page)
    assert inline + '\\ref{same}<span class="repro-error-message">\\ref{same} is not supported' in page
    assert 'class="math-error"' in page  # the formula with \eqref, shown as its TeX
    assert page.count('id="eq-same"') == 1


# --- the posts of this site ----------------------------------------------------------------------

_CROSS = re.compile(r"(?<![A-Za-z0-9_.@])@(eq|fig|tab):([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)")


def _labels(text: str) -> dict[str, set[str]]:
    directives = set(re.findall(r"^label:\s*([a-z0-9-]+)\s*$", text, re.MULTILINE))
    return {"eq": set(re.findall(r"\\label\{([^{}]*)\}", text)), "fig": directives, "tab": directives}


@pytest.mark.parametrize("post", sorted(POSTS.glob("*.md")), ids=lambda p: p.stem)
def test_every_reference_in_the_posts_has_its_label(post: Path) -> None:
    text = post.read_text(encoding="utf-8")
    labels = _labels(text)
    # A directive's second and later figures and tables are <label>-2, <label>-3, ...
    missing = [
        m.group(0)
        for m in _CROSS.finditer(text)
        if m.group(2) not in labels[m.group(1)] and re.sub(r"-\d+$", "", m.group(2)) not in labels[m.group(1)]
    ]
    assert missing == []
    assert not re.search(r"\\(?:eq)?ref\{", text)


def test_every_reference_in_the_built_posts_links_to_an_element_of_its_page(built_site: Site) -> None:
    for post in sorted(POSTS.glob("*.md")):
        slug = re.search(r"^Slug:\s*(\S+)", post.read_text(encoding="utf-8"), re.MULTILINE).group(1)
        page = (built_site.output / "posts" / f"{slug}.html").read_text(encoding="utf-8")
        expected = len(_CROSS.findall(post.read_text(encoding="utf-8")))
        links = re.findall(r'<a class="repro-ref" href="#([^"]+)">([^<]+)</a>', page)
        assert len(links) == expected, post.name
        article = page[page.index('class="post-content"') :]
        assert not re.search(r"@(eq|fig|tab):", article), post.name  # none left as text
        for anchor, text in links:
            assert f'id="{anchor}"' in page, (post.name, anchor)
            assert re.fullmatch(r"(式|图|表) \(?\d+\)?", text), (post.name, text)


# --- where formulas sit in the page: scroll box, punctuation kept with the formula -------------


def test_display_math_gets_a_box_of_its_own_and_inline_math_keeps_the_punctuation_after_it() -> None:
    page = (
        '<p>设 <span class="arithmatex">\\(x\\)</span>。又 <span class="arithmatex">\\(y\\)</span>），'
        'and <span class="arithmatex">\\(z\\)</span> 是</p><div class="arithmatex">\\[a=b\\]</div>'
    )
    rendered = [Rendered(f"<math>{name}</math>", None) for name in "xyz"] + [Rendered("<math>ab</math>", None)]
    assert substitute(page, rendered) == (
        '<p>设 <span class="math-nobr"><math>x</math>。</span>又 <span class="math-nobr"><math>y</math>），</span>'
        'and <math>z</math> 是</p><div class="math-display"><math>ab</math></div>'
    )


def test_a_feed_entry_never_takes_the_tex_of_a_page_whose_url_only_ends_the_same() -> None:
    import plugins.texmath as texmath

    mathml = "<math><mi>x</mi><mo>=</mo><mn>1</mn></math>"
    texmath._tex_of.clear()  # the pages' maps as render() leaves them: a root page first
    texmath._tex_of.update({"a.html": {mathml: "\\(x=1\\)"}, "posts/a.html": {mathml: "\\(x = 1\\)"}})
    items = [{"link": f"https://example.org/{url}?ref=feed", "content": f"<p>{mathml}</p>"} for url in texmath._tex_of]
    texmath.math_as_tex({}, SimpleNamespace(items=items))
    texmath._tex_of.clear()
    assert [item["content"] for item in items] == ["<p>\\(x=1\\)</p>", "<p>\\(x = 1\\)</p>"]
