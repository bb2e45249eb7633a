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
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from browsing import VIEWS, pages, posts
from conftest import Site
from playwright.sync_api import Browser, Page

# Closing punctuation that must not begin a line (CJK and Latin).
CLOSING = "，。、；：？！）》」』】〉〕”’…,.;:?!)]}"

# Runs in the page: returns every finding as plain data. Scroll positions are restored.
MEASURE = r"""async (closing) => {
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const root = document.documentElement, width = root.clientWidth;
  const name = e => {
    const id = e.id || e.closest('[id]')?.id || '';
    const text = (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${e.localName}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}` +
      `${id ? ' #' + id : ''} «${text}»`;
  };
  const scrolls = e => e !== root && /(auto|scroll)/.test(getComputedStyle(e).overflowX);
  const insideScroller = e => { for (let a = e.parentElement; a && a !== root; a = a.parentElement) if (scrolls(a)) return true; return false; };
  const out = {pageOverflow: root.scrollWidth - width, sticking: [], scrollers: [], numbers: [], lineStarts: [], tables: []};

  // what sticks out of the viewport outside any scrolling box
  if (out.pageOverflow > 0) {
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width && r.right > width + 0.5 && !insideScroller(e) && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 0.5 && !scrolls(e.parentElement)))
        out.sticking.push(`${name(e)} reaches ${Math.round(r.right)} px`);
    }
  }

  // boxes that scroll sideways: named tab stop, shadow at the edges with more content
  const cue = (box, edge) => {
    if (box.matches('.repro-table-wrap')) {
      if (edge === 'right') { const a = getComputedStyle(box, '::after'); return parseFloat(a.opacity) > 0.5 && parseFloat(a.width) > 0 && a.backgroundImage !== 'none'; }
      const first = box.querySelector('tbody tr > :first-child');
      return !!first && getComputedStyle(first).boxShadow !== 'none';
    }
    // a formula: background layers "left, right" (site.css); a sticky equation number
    // carries the right edge's shadow itself
    const number = box.querySelector('mtd:last-child:has(.tml-eqn, .tml-tag)');
    if (edge === 'right' && number && getComputedStyle(number).position === 'sticky') return getComputedStyle(number).boxShadow !== 'none';
    const layers = getComputedStyle(box).backgroundImage.split(/,(?![^(]*\))/).map(s => s.trim());
    return (layers[edge === 'left' ? 0 : 1] || '').includes('gradient');
  };
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const boxes = [...document.querySelectorAll('.repro-table-wrap, .math-display, main math:not([display="block"])')]
    .filter(box => box.scrollWidth - box.clientWidth > 1 && box.getClientRects().length);
  const items = [];
  for (const box of boxes) {
    const room = box.scrollWidth - box.clientWidth;
    const item = {box: name(box), kind: box.matches('.repro-table-wrap') ? 'table' : 'math', problems: []};
    out.scrollers.push(item);
    if (!/(auto|scroll)/.test(getComputedStyle(box).overflowX)) { item.problems.push(`is ${room} px too wide but does not scroll`); continue; }
    if (box.getAttribute('tabindex') !== '0') item.problems.push('is not a tab stop (tabindex=0)');
    const labelled = box.getAttribute('aria-label') || document.getElementById(box.getAttribute('aria-labelledby') || '')?.textContent.trim();
    if (!labelled && box.localName !== 'math') item.problems.push('has no accessible name');
    items.push({box, room, item, before: box.scrollLeft});
  }
  // every box scrolled at once to its start, its end and half-way; the shadows follow
  for (const [fraction, more, none] of [[0, 'right', 'left'], [1, 'left', 'right'], [0.5, null, null]]) {
    for (const x of items) x.box.scrollLeft = Math.round(x.room * fraction);
    await frame();
    for (const {box, room, item} of items) {
      const at = `at ${Math.round(room * fraction)} of ${room} px`;
      const edges = (box.dataset.scroll || '').split(' ').filter(Boolean);
      if (more && (!edges.includes(more) || !cue(box, more))) item.problems.push(`shows no shadow on the ${more} ${at}`);
      if (none && (edges.includes(none) || cue(box, none))) item.problems.push(`shows a shadow on the ${none}, with nothing beyond it, ${at}`);
      if (!more && !(edges.includes('left') && edges.includes('right'))) item.problems.push(`half-way does not mark both edges (${edges})`);
      if (item.kind === 'table' && fraction === 1) {
        const cell = box.querySelector('tbody tr > :first-child'), edge = box.getBoundingClientRect().left;
        if (!cell || Math.abs(cell.getBoundingClientRect().left - edge) > 1) item.problems.push(`loses its first column when scrolled to the end (${Math.round(cell.getBoundingClientRect().width)} px wide)`);
      }
    }
  }
  for (const x of items) x.box.scrollLeft = x.before;
  await frame();

  // equation numbers: on screen, in their box, on top, apart from the formula
  const leaves = 'mi, mn, mo, mtext, mspace, ms';
  for (const number of document.querySelectorAll('.tml-eqn, .tml-tag')) {
    const cell = number.closest('mtd'), row = number.closest('mtr'), box = number.closest('.math-display');
    number.scrollIntoView({block: 'center'});
    const box0 = number.getBoundingClientRect(), c = cell.getBoundingClientRect();
    // the number's text: its box without the padding that keeps it apart
    const pad = parseFloat(getComputedStyle(number).paddingLeft) + parseFloat(getComputedStyle(number).borderLeftWidth);
    const r = {left: box0.left + pad, right: box0.right, top: box0.top, bottom: box0.bottom, width: box0.width - pad};
    const frame = (box || cell).getBoundingClientRect();
    const em = parseFloat(getComputedStyle(number).fontSize);
    const problems = [];
    if (r.width < 1) problems.push('draws nothing');
    if (r.left < -0.5 || r.right > width + 0.5) problems.push(`is off screen (${Math.round(r.left)}–${Math.round(r.right)} px of ${width})`);
    if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5) problems.push('is outside its box');
    const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    if (!hit || !(cell.contains(hit) || hit === cell)) problems.push(`is covered by ${hit ? name(hit) : 'nothing'}`);
    let right = -Infinity, under = false;
    for (const leaf of row.querySelectorAll(leaves)) {
      if (cell.contains(leaf)) continue;
      for (const q of leaf.getClientRects()) {
        if (q.width < 0.5 || q.right < frame.left || q.left > frame.right) continue;  // scrolled out of sight
        if (q.right > c.left + 0.5) under = true;
        right = Math.max(right, Math.min(q.right, c.left));
      }
    }
    const background = getComputedStyle(cell).backgroundColor;
    if (under && !/^rgb\(/.test(background)) problems.push(`the formula runs under it and its cell is not opaque (${background})`);
    const gap = r.left - right;
    if (gap < 0.5 * em) problems.push(`is ${gap.toFixed(1)} px from the formula (less than half an em)`);
    if (problems.length) out.numbers.push(`equation number ${number.textContent || getComputedStyle(number, '::before').content} in ${name(box || row)}: ${problems.join('; ')}`);
  }
  window.scrollTo(0, 0);

  // closing punctuation at the start of a line: it starts one when it lies left of and not
  // above the unit before it (the character or formula it follows)
  const range = document.createRange();
  const rectOf = unit => {
    if (unit.index === undefined) { const rects = unit.node.getClientRects(); return rects[rects.length - 1]; }
    range.setStart(unit.node, unit.index); range.setEnd(unit.node, unit.index + 1);
    return range.getClientRects()[0];
  };
  let previous = null;
  const walk = node => {
    if (node.nodeType === 3) {
      for (let i = 0; i < node.data.length; i++) {
        const ch = node.data[i];
        if (/\s/.test(ch)) continue;
        const unit = {node, index: i};
        if (closing.includes(ch) && previous) {
          const q = rectOf(unit), p = rectOf(previous);
          if (q && p && q.width && q.left < p.right - 2 && q.top >= p.bottom - 2) {
            const before = previous.index === undefined ? '$' + previous.node.textContent.slice(-8) + '$' : previous.node.data.slice(Math.max(0, previous.index - 8), previous.index + 1);
            out.lineStarts.push(`«${before}${node.data.slice(i, i + 6)}» in ${name(node.parentElement)}`);
          }
        }
        previous = unit;
      }
      return;
    }
    if (node.nodeType !== 1 || /^(script|style|template|svg|noscript)$/.test(node.localName)) return;
    const style = getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return;
    if (node.localName === 'math') { if (node.getClientRects().length) previous = {node}; return; }  // one unit of the line
    const block = !style.display.startsWith('inline') && style.display !== 'contents';
    if (block) previous = null;
    for (const child of node.childNodes) walk(child);
    if (block) previous = null;
  };
  walk(document.body);

  // tables and the text column
  const column = document.querySelector('.post-content')?.getBoundingClientRect().width || 0;
  for (const wrap of document.querySelectorAll('.repro-table-wrap')) {
    if (!wrap.getClientRects().length) continue;
    out.tables.push({box: name(wrap), width: wrap.getBoundingClientRect().width, column,
      scrolls: wrap.scrollWidth > wrap.clientWidth + 1});
  }
  return out;
}"""


@dataclass(frozen=True)
class View:
    path: str
    width: int
    scheme: str

    def __str__(self) -> str:
        return f"{self.path} @ {self.width} px {self.scheme}"


def _measure(page: Page, url: str) -> dict[str, Any]:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    return page.evaluate(MEASURE, CLOSING)


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
            found[View(path, width, scheme)] = _measure(page, f"{server}/{path}")
        context.close()
    return found


def _report(problems: Iterator[str]) -> str:
    listed = list(problems)
    return f"{len(listed)} problem(s):\n" + "\n".join(listed[:60])


def test_no_page_scrolls_sideways(layouts: dict[View, dict[str, Any]]) -> None:
    problems = (
        f"{view}: the page scrolls {found['pageOverflow']} px sideways; " + ("; ".join(found["sticking"][:5]) or "?")
        for view, found in layouts.items()
        if found["pageOverflow"] > 0
    )
    assert not (listed := list(problems)), _report(iter(listed))


def test_every_box_that_scrolls_sideways_is_a_named_tab_stop_and_shows_it_scrolls(
    layouts: dict[View, dict[str, Any]],
) -> None:
    problems = [
        f"{view}: {item['box']} {problem}"
        for view, found in layouts.items()
        for item in found["scrollers"]
        for problem in item["problems"]
    ]
    assert not problems, _report(iter(problems))
    # the measurement saw what it checks: phones scroll tables and formulas of the posts
    kinds = {item["kind"] for view, found in layouts.items() if view.width == 320 for item in found["scrollers"]}
    assert kinds == {"table", "math"}, kinds


def test_equation_numbers_are_on_screen_on_top_and_apart_from_the_formula(
    layouts: dict[View, dict[str, Any]],
) -> None:
    problems = [f"{view}: {problem}" for view, found in layouts.items() for problem in found["numbers"]]
    assert not problems, _report(iter(problems))


def test_closing_punctuation_never_starts_a_line(layouts: dict[View, dict[str, Any]]) -> None:
    problems = [f"{view}: {start}" for view, found in layouts.items() for start in found["lineStarts"]]
    assert not problems, _report(iter(problems))


def test_on_a_wide_screen_a_table_wider_than_the_column_uses_the_margins(
    layouts: dict[View, dict[str, Any]],
) -> None:
    problems = [
        f"{view}: {table['box']} scrolls within {table['width']:.0f} px, the column's width ({table['column']:.0f} px)"
        for view, found in layouts.items()
        if view.width == 1280
        for table in found["tables"]
        if table["scrolls"] and table["width"] <= table["column"] + 1
    ]
    assert not problems, _report(iter(problems))
    widened = [t for view, found in layouts.items() if view.width == 1280 for t in found["tables"]]
    assert any(t["width"] > t["column"] + 1 for t in widened), "no table is wider than the column at 1280 px"


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
