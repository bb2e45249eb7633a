"""Tables and formulas are never silently cut (issue 11), on every post and page, in every view.

Each page is opened once per view (``browsing.VIEWS``: 320, 360 and 1280 px, light and dark)
and measured by one script (``MEASURE``); the tests below read those measurements, so a
failure names the page, the view and the element. What is measured:

- the page never scrolls sideways (WCAG 1.4.10): nothing sticks out of the viewport except
  inside a box that scrolls;
- every box that scrolls sideways (a table, a displayed formula, an inline formula too long
  to wrap) is a named tab stop and shows it scrolls: a shadow at each edge with more content
  beyond it, and none at an edge that has nothing more; a table keeps its first column;
- equation numbers lie inside the screen and their box, on top, and at least half an em
  from the visible formula;
- no line starts with closing punctuation (the full stop after an inline formula);
- on a wide screen a table wider than the text column uses the margins before it scrolls.

The number formats of table columns are checked on the HTML of every post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browsing import VIEWS, pages, posts
from conftest import Site
from playwright.sync_api import Browser, Page

# Closing punctuation that must not begin a line (CJK and Latin).
CLOSING = "，。、；：？！）》」』】〉〕”’…,.;:?!)]}"

# Runs in the page (tests/layout.js): returns every finding as plain data.
MEASURE = (Path(__file__).with_name("layout.js")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class View:
    path: str
    width: int
    scheme: str

    def __str__(self) -> str:
        return f"{self.path} @ {self.width} px {self.scheme}"


def measure(page: Page, url: str, *, css: str = "") -> dict[str, Any]:
    """Open ``url`` in ``page`` (with extra ``css`` if given) and measure it."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    if css:
        page.add_style_tag(content=css)
    return page.evaluate(MEASURE, CLOSING)


def problems(found: dict[str, Any], *, width: int) -> dict[str, list[str]]:
    """What is wrong on one page in one view, by kind (the test of each kind is below)."""
    return {
        "sideways": [f"the page scrolls {found['pageOverflow']} px sideways: " + "; ".join(found["sticking"][:5])]
        if found["pageOverflow"] > 0
        else [],
        "scrollers": [f"{item['box']} {problem}" for item in found["scrollers"] for problem in item["problems"]],
        "numbers": found["numbers"],
        "punctuation": found["lineStarts"],
        "margins": [
            f"{table['box']} scrolls within {table['width']:.0f} px, the column's width ({table['column']:.0f} px)"
            for table in found["tables"]
            if width >= 1280 and table["scrolls"] and table["width"] <= table["column"] + 1
        ],
    }


@pytest.fixture(scope="module")
def layouts(server: str, browser: Browser, built_site: Site) -> dict[View, dict[str, Any]]:
    """Every post and page measured once in every view (one browser context per view)."""
    paths = [f"posts/{post}" for post in posts(built_site)]
    paths += [path for path in pages(built_site) if not path.startswith("posts/")]
    found: dict[View, dict[str, Any]] = {}
    for width, scheme in VIEWS:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        for path in paths:
            found[View(path, width, scheme)] = measure(page, f"{server}/{path}")
        context.close()
    return found


def _failures(layouts: dict[View, dict[str, Any]], kind: str) -> str:
    listed = [
        f"{view}: {problem}" for view, found in layouts.items() for problem in problems(found, width=view.width)[kind]
    ]
    return "" if not listed else f"{len(listed)} problem(s):\n" + "\n".join(listed[:60])


def test_no_page_scrolls_sideways(layouts: dict[View, dict[str, Any]]) -> None:
    assert not (failures := _failures(layouts, "sideways")), failures


def test_every_box_that_scrolls_sideways_is_a_named_tab_stop_and_shows_it_scrolls(
    layouts: dict[View, dict[str, Any]],
) -> None:
    assert not (failures := _failures(layouts, "scrollers")), failures
    # the measurement saw what it checks: on phones, tables and formulas of the posts scroll
    kinds = {item["kind"] for view, found in layouts.items() if view.width == 320 for item in found["scrollers"]}
    assert kinds == {"table", "math"}, kinds


def test_equation_numbers_are_on_screen_on_top_and_apart_from_the_formula(
    layouts: dict[View, dict[str, Any]],
) -> None:
    assert not (failures := _failures(layouts, "numbers")), failures


def test_closing_punctuation_never_starts_a_line(layouts: dict[View, dict[str, Any]]) -> None:
    assert not (failures := _failures(layouts, "punctuation")), failures


def test_on_a_wide_screen_a_table_wider_than_the_column_uses_the_margins(
    layouts: dict[View, dict[str, Any]],
) -> None:
    assert not (failures := _failures(layouts, "margins")), failures
    wide = [t for view, found in layouts.items() if view.width == 1280 for t in found["tables"]]
    assert any(t["width"] > t["column"] + 1 for t in wide), "no table is wider than the column at 1280 px"


# Each check turns red when the rule it guards is undone (a stylesheet added after load), on
# a post that needs the rule: HSIC has long display formulas, numbered equations, wide tables
# and inline formulas followed by punctuation; the angle post's table is wider than the column.
HSIC, ANGLES = "posts/hsic.html", "posts/angle-between-random-vectors.html"
UNDONE = [
    ("sideways", ".math-display { overflow: visible !important; }", 320, HSIC),
    ("scrollers", ".repro-table-wrap::after { opacity: 0 !important; }", 320, HSIC),
    ("scrollers", ".math-display { background-image: none !important; }", 320, HSIC),
    ("scrollers", ".repro-table tr > :first-child { position: static !important; }", 320, HSIC),
    ("numbers", ".math-display mtr > mtd:last-child { position: static !important; }", 320, HSIC),
    ("numbers", ".math-display .tml-eqn { padding-left: 0 !important; }", 320, HSIC),
    ("punctuation", ".math-nobr { white-space: normal !important; }", 360, HSIC),
    ("margins", ".repro-table-wrap { width: 100% !important; margin-left: 0 !important; }", 1280, ANGLES),
]


@pytest.mark.parametrize(("kind", "css", "width", "path"), UNDONE)
def test_each_check_turns_red_when_its_rule_is_undone(
    server: str, browser: Browser, kind: str, css: str, width: int, path: str
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    assert problems(measure(page, f"{server}/{path}"), width=width)[kind] == []
    assert problems(measure(page, f"{server}/{path}", css=css), width=width)[kind] != [], css
    context.close()


# --- number formats, over the HTML of every table of every post --------------------------------

INTEGER = re.compile(r"-?\d+")
FIXED = re.compile(r"-?\d+\.(\d+)")
SCIENTIFIC = re.compile(r"-?\d(?:\.(\d+))?×10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def notation(cell: str) -> tuple[str, int] | None:
    """("integer", 0), ("fixed", decimals) or ("scientific", mantissa decimals); None: no number."""
    if INTEGER.fullmatch(cell):
        return ("integer", 0)
    if match := FIXED.fullmatch(cell):
        return ("fixed", len(match.group(1)))
    if match := SCIENTIFIC.fullmatch(cell):
        return ("scientific", len(match.group(1) or ""))
    return None


class _Tables(HTMLParser):
    """Numeric cells (``td.num``) of each ``table.repro-table``, by column."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, dict[int, list[str]]]] = []
        self._column = -1
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and "repro-table" in (found.get("class") or ""):
            self.tables.append((found.get("id") or "?", {}))
        elif tag == "tr":
            self._column = -1
        elif tag in ("td", "th") and self.tables:
            self._column += 1
            numeric = tag == "td" and "num" in (found.get("class") or "").split()
            self._cell = [] if numeric else None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.tables[-1][1].setdefault(self._column, []).append("".join(self._cell).strip())
            self._cell = None


def mixed_columns(html: str) -> list[str]:
    """The numeric columns of a page's tables whose numbers do not share one format."""
    parser = _Tables()
    parser.feed(html)
    problems = []
    for table, columns in parser.tables:
        for column, cells in columns.items():
            shown = {cell: notation(cell) for cell in cells if cell not in ("—", "∞", "-∞")}
            unreadable = [cell for cell, form in shown.items() if form is None]
            forms = {form for form in shown.values() if form and form[0] != "integer"}
            if unreadable or len(forms) > 1:
                problems.append(f"#{table} column {column + 1}: {sorted(set(cells))[:6]}")
    return problems


def test_numbers_in_a_column_share_one_format(built_site: Site) -> None:
    problems = []
    counted = 0
    for post in posts(built_site):
        html = (built_site.output / "posts" / post).read_text(encoding="utf-8")
        counted += html.count('class="repro-table"')
        problems += [f"{post}: {problem}" for problem in mixed_columns(html)]
    assert not problems, "\n".join(problems)
    assert counted >= 10


def test_the_format_check_sees_a_column_of_mixed_notation() -> None:
    # issue 11's example: 5.0627e-05 under 0.00361585, and two fixed cells with different decimals
    page = (
        '<table class="repro-table" id="t"><tbody><tr><td class="num">0.00361585</td><td class="num">3</td></tr>'
        '<tr><td class="num">5.0627×10⁻⁵</td><td class="num">0.5</td></tr></tbody></table>'
    )
    assert mixed_columns(page) == ["#t column 1: ['0.00361585', '5.0627×10⁻⁵']"]
    assert mixed_columns(page.replace("5.0627×10⁻⁵", "0.25")) == ["#t column 1: ['0.00361585', '0.25']"]
    assert mixed_columns(page.replace("5.0627×10⁻⁵", "0.00005063")) == []
