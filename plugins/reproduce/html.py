"""Turn a stored artifact into the HTML fragment that replaces its directive on a page."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

_ID = re.compile(r'\bid="([^"]+)"')
# matplotlib's black (text, axes, ticks) and white (figure, axes and legend backgrounds).
_INK = re.compile(r"((?:fill|stroke): ?)#(000000|ffffff)\b")
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')


@dataclass
class PageNumbers:
    """Running figure and table numbers of one page ("图 1", "表 1").

    ``anchors`` maps each labelled figure or table id (``fig-density``) to its number text
    ("图 2"), for cross-references in the prose.
    """

    figures: int = 0
    tables: int = 0
    slots: int = 0
    anchors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fragment:
    """HTML for the page plus the data files it links to (path under the output root)."""

    html: str
    files: Mapping[str, str] = field(default_factory=dict)


def render_artifact(
    artifact: Mapping[str, Any],
    *,
    key: str,
    location: str,
    numbers: PageNumbers,
    root: str,
    label: str | None = None,
    timed: bool = False,
) -> Fragment:
    """Render every item of an artifact, numbering figures and tables within the page.

    Args:
        artifact: as produced by ``artifact.execute``.
        key: the directive's cache key; names its data files and prefixes SVG ids.
        location: ``path:line`` of the directive, shown in the provenance note.
        numbers: the page's counters, advanced in place.
        root: relative URL from the page to the site root ("" or "../").
        label: the directive's ``label``: its figures get ids ``fig-<label>``,
            ``fig-<label>-2``, …, its tables ``tab-<label>``, … (registered in ``numbers``).
        timed: the computation measures wall time (the registry's ``EXCLUSIVE``): only then
            does the provenance note show its run time. Every other fragment depends on the
            tree alone, so two cold builds give the same bytes.
    """
    numbers.slots += 1
    folder = f"repro/{key[:16]}"
    parts: list[str] = []
    files: dict[str, str] = {}
    checks: list[Mapping[str, Any]] = []
    seen = {"figure": 0, "table": 0}
    for index, item in enumerate(artifact["items"], start=1):
        if item["kind"] == "check":
            checks.append(item)
            continue
        kind = item["kind"]
        seen[kind] += 1
        prefix = f"r{key[:8]}-{numbers.slots}-{index}-"
        anchor = f"{prefix}{kind}"
        if label:
            anchor = f"{kind[:3]}-{label}" + (f"-{seen[kind]}" if seen[kind] > 1 else "")
        stem = f"{folder}/{kind}-{index}"
        files[f"{stem}.csv"] = item["csv"]
        if kind == "figure":
            numbers.figures += 1
            files[f"{stem}.svg"] = item["svg"]
            numbers.anchors[anchor] = f"图 {numbers.figures}"
            parts.append(_figure(item, number=numbers.figures, prefix=prefix, anchor=anchor, url=root + stem))
        else:
            numbers.tables += 1
            numbers.anchors[anchor] = f"表 {numbers.tables}"
            parts.append(_table(item, number=numbers.tables, anchor=anchor, url=root + stem))
    if checks:
        parts.append(_checks(checks))
    parts.append(_provenance(artifact["provenance"], location=location, timed=timed))
    return Fragment(html="\n".join(parts), files=files)


def render_error(message: str, *, location: str) -> str:
    """The visible box a draft build shows in place of a failing directive."""
    return (
        f'<div class="repro-error" role="alert"><strong>计算失败 · {escape(location)}</strong>'
        f"<pre>{escape(message)}</pre></div>"
    )


def render_inline_error(text: str, message: str) -> str:
    """A failed reference in the prose: the text as written, and why, visible (draft mode)."""
    return (
        f'<span class="repro-error-inline" role="alert">{escape(text)}'
        f'<span class="repro-error-message">{escape(message)}</span></span>'
    )


def prefix_svg_ids(svg: str, prefix: str) -> str:
    """Make every id in an inline SVG unique on the page, and its references follow."""
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def theme_colours(svg: str) -> str:
    """Let the page's theme pick a figure's ink and paper: black and white become CSS variables.

    ``var(--figure-fg, #000000)`` and ``var(--figure-bg, #ffffff)`` keep the original colours
    wherever the variables are unset (the downloadable SVG file is left as drawn), and let a
    dark theme draw light text and axes on a dark panel. Data colours are untouched.
    """
    names = {"000000": "--figure-fg", "ffffff": "--figure-bg"}
    return _INK.sub(lambda m: f"{m.group(1)}var({names[m.group(2)]}, #{m.group(2)})", svg)


def _figure(item: Mapping[str, Any], *, number: int, prefix: str, anchor: str, url: str) -> str:
    svg = theme_colours(prefix_svg_ids(item["svg"], prefix))
    # The alt text is an aria-label; Pagefind indexes it only where asked to.
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(item["alt"])}" data-pagefind-index-attrs="aria-label" ', 1
    )
    return (
        f'<figure class="repro-figure" id="{anchor}">'
        f'<div class="repro-svg">{svg}</div>'
        f'<figcaption><span class="repro-label">图 {number}</span> {escape(item["caption"])} '
        f'<span class="repro-links"><a href="{url}.csv" download>数据 CSV</a> '
        f'<a href="{url}.svg">SVG</a></span></figcaption></figure>'
    )


def _table(item: Mapping[str, Any], *, number: int, anchor: str, url: str) -> str:
    numeric_columns = [all(column) for column in zip(*item["numeric"], strict=True)] or [False] * len(item["columns"])
    head = "".join(
        f'<th scope="col" class="num">{escape(c)}</th>' if numeric else f'<th scope="col">{escape(c)}</th>'
        for c, numeric in zip(item["columns"], numeric_columns, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(cell)}</td>' if numeric else f"<td>{escape(cell)}</td>"
            for cell, numeric in zip(row, flags, strict=True)
        )
        + "</tr>"
        for row, flags in zip(item["rows"], item["numeric"], strict=True)
    )
    # A focusable, named region: keyboard users can scroll a table wider than the screen.
    return (
        f'<div class="repro-table-wrap" role="region" tabindex="0" aria-labelledby="{anchor}-caption">'
        f'<table class="repro-table" id="{anchor}">'
        f'<caption id="{anchor}-caption"><span class="repro-label">表 {number}</span> {escape(item["caption"])} '
        f'<span class="repro-links"><a href="{url}.csv" download>数据 CSV</a></span></caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _checks(checks: list[Mapping[str, Any]]) -> str:
    rows = "".join(
        f'<li class="repro-check {"pass" if c["passed"] else "fail"}">'
        f'<strong class="repro-verdict">{"成立" if c["passed"] else "不成立"}</strong> '
        f'{escape(c["claim"])} <span class="detail">{escape(c["detail"])}</span></li>'
        for c in checks
    )
    return f'<ul class="repro-checks">{rows}</ul>'


def _provenance(provenance: Mapping[str, Any], *, location: str, timed: bool) -> str:
    # No run time unless the computation is about time: it changes from run to run and
    # machine to machine, and would make every cold build's pages differ. The build report
    # (``<cache>/build-report.json``) keeps it for whoever wants to know.
    versions = " · ".join(f"{name} {v}" for name, v in sorted(provenance["versions"].items()))
    params = json.dumps(provenance["params"], ensure_ascii=False, sort_keys=True)
    rows = [
        ("计算", f"<code>{escape(provenance['compute'])}</code>"),
        ("参数", f"<code>{escape(params)}</code>"),
        ("随机种子", str(provenance["seed"])),
        ("软件版本", escape(versions)),
        ("指令位置", f"<code>{escape(location)}</code>"),
    ]
    if timed:
        rows.insert(3, ("计算耗时", f"{provenance['seconds']:.2f} 秒"))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        f'<details class="repro-provenance" data-pagefind-ignore><summary>计算说明</summary><dl>{items}</dl></details>'
    )
