"""Turn a stored artifact into the HTML fragment that replaces its directive on a page.

The markup (and its Chinese words) lives in the theme's templates, ``repro/*.html``, rendered
with Pelican's Jinja environment, so a theme can change how figures, tables, checks, the
provenance note and error boxes look. This module decides what goes into them: numbering,
ids, data files, which SVG post-processing (``svg.py``) an inline figure gets, and the
texts' ``$..$`` formulas (``mathtext.py``: math for texmath in captions, headers, cells and
checks; readable text in the alt text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from . import svg
from .mathtext import MathTextError, check, readable_numbers, to_html, to_plain
from .safesvg import sanitise
from .sources import CodeLink

#: Our theme's templates: used when no Pelican environment is at hand (tests, ``invoke cache``).
THEME_TEMPLATES = Path(__file__).resolve().parents[2] / "theme" / "templates"
LABELS = {"figure": "图", "table": "表"}
_ABSOLUTE = re.compile(r"(?<![\w.~])/(?:[\w.+-]+/)+[\w.+-]+")


@dataclass(frozen=True)
class Templates:
    """The ``repro/*.html`` templates of a Jinja environment (Pelican's, or our theme's)."""

    env: jinja2.Environment

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(f"repro/{name}.html").render(**context)


@cache
def theme_templates(folder: Path = THEME_TEMPLATES) -> Templates:
    return Templates(jinja2.Environment(loader=jinja2.FileSystemLoader(folder), trim_blocks=True, lstrip_blocks=True))


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
    # "<label>.<name>" → the text of each value a labelled directive exports (``@val:``).
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fragment:
    """HTML for the page plus the data files it links to (path under the output root)."""

    html: str
    files: Mapping[str, str] = field(default_factory=dict)
    # What the SVG sanitiser took out of this fragment's figures (``safesvg.py``): a cache
    # entry or a computation tried to put markup into the page.
    removed: tuple[str, ...] = ()


def render_artifact(
    artifact: Mapping[str, Any],
    *,
    key: str,
    location: str,
    numbers: PageNumbers,
    root: str,
    label: str | None = None,
    timed: bool = False,
    code: Sequence[CodeLink] = (),
    templates: Templates | None = None,
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
        code: where the computation's functions start on the source pages (``sources.py``);
            the provenance note links each, relative to ``root``.
        templates: the theme's markup (our theme's when None).
    """
    templates = templates or theme_templates()
    numbers.slots += 1
    folder = f"repro/{key[:16]}"
    parts: list[str] = []
    files: dict[str, str] = {}
    checks: list[Mapping[str, Any]] = []
    removed: list[str] = []
    seen = {"figure": 0, "table": 0}
    values = [(item["name"], item["text"]) for item in artifact["items"] if item["kind"] == "value"]
    if label:  # as exported: the prose shows each for a reader, in text or in a formula (build.py)
        numbers.values |= {f"{label}.{name}": text for name, text in values}
    values = [(name, readable_numbers(text)) for name, text in values]  # the note shows them for a reader
    for index, item in enumerate(artifact["items"], start=1):
        if item["kind"] == "check":
            checks.append(item)
            continue
        if item["kind"] == "value":
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
            # Whatever made it (a worker, the local or the shared cache), an SVG is checked
            # before it reaches the page or the downloadable file.
            safe = sanitise(item["svg"])
            removed += [f"figure {seen[kind]}: {what}" for what in safe.removed]
            files[f"{stem}.svg"] = safe.svg
            numbers.anchors[anchor] = f"{LABELS[kind]} {numbers.figures}"
            inline = svg.label(svg.theme_colours(svg.prefix_ids(safe.svg, prefix)), to_plain(item["alt"], reader=True))
            context = {"svg": inline, "caption": to_html(item["caption"], source=location)}
        else:
            numbers.tables += 1
            numbers.anchors[anchor] = f"{LABELS[kind]} {numbers.tables}"
            context = _table(item, source=location)
        parts.append(templates.render(kind, anchor=anchor, label=numbers.anchors[anchor], url=root + stem, **context))
    if checks:
        shown = [
            {**c, "claim": to_html(c["claim"], source=location), "detail": to_html(c["detail"], source=location)}
            for c in checks
        ]
        parts.append(templates.render("checks", checks=shown))
    code_urls = [(link.stage, link.target, link.line, root + link.url) for link in code]
    provenance = _provenance(
        artifact["provenance"], location=location, timed=timed, values=values, code=code_urls, templates=templates
    )
    parts.append(provenance)
    return Fragment(html="\n".join(parts), files=files, removed=tuple(removed))


def with_author_texts(
    artifact: Mapping[str, Any], *, captions: Sequence[str | None] | None, alts: Sequence[str | None] | None
) -> Mapping[str, Any]:
    """The artifact with the author's captions and alt texts in place of the computation's.

    Raises:
        AuthorTextError: a list whose length is not the number of figures.
    """
    figures = [index for index, item in enumerate(artifact["items"]) if item["kind"] == "figure"]
    items = list(artifact["items"])
    for key, texts in (("caption", captions), ("alt", alts)):
        if texts is None:
            continue
        if len(texts) != len(figures):
            raise AuthorTextError(key, f"gives {len(texts)} text(s) but the computation draws {len(figures)} figure(s)")
        for index, text in zip(figures, texts, strict=True):
            try:
                check(text or "", what=f"{key} text")
            except MathTextError as error:
                raise AuthorTextError(key, str(error)) from None
            if text is not None:
                items[index] = {**items[index], key: text}
    return {**artifact, "items": items}


class AuthorTextError(ValueError):
    """A directive's ``caption`` or ``alt`` does not fit its figures."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"parameter '{key}': {message}")


def render_error(message: str, *, location: str, templates: Templates | None = None) -> str:
    """The visible box a draft build shows in place of a failing directive."""
    return (templates or theme_templates()).render("error", message=without_machine_paths(message), location=location)


def without_machine_paths(message: str) -> str:
    """Absolute paths of the build machine (in tracebacks, errors) shortened to their last two parts.

    A draft page may be shown to others; it should not tell them where the site was built.
    """
    return _ABSOLUTE.sub(lambda m: "…/" + "/".join(m.group(0).rsplit("/", 2)[-2:]), message)


def render_inline_error(text: str, message: str, *, templates: Templates | None = None) -> str:
    """A failed reference in the prose: the text as written, and why, visible (draft mode)."""
    return (templates or theme_templates()).render("inline_error", text=text, message=message)


def _table(item: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    numeric_columns = [all(column) for column in zip(*item["numeric"], strict=True)] or [False] * len(item["columns"])
    columns = [to_html(column, source=source) for column in item["columns"]]
    rows = [[to_html(cell, source=source) for cell in row] for row in item["rows"]]
    return {
        "caption": to_html(item["caption"], source=source),
        "header": list(zip(columns, numeric_columns, strict=True)),
        "rows": [list(zip(row, flags, strict=True)) for row, flags in zip(rows, item["numeric"], strict=True)],
    }


def _provenance(
    provenance: Mapping[str, Any],
    *,
    location: str,
    timed: bool,
    values: list[tuple[str, str]],
    code: list[tuple[str, str, int, str]],
    templates: Templates,
) -> str:
    # No run time unless the computation is about time: it changes from run to run and
    # machine to machine, and would make every cold build's pages differ. The build report
    # (``<cache>/build-report.json``) keeps it for whoever wants to know.
    return templates.render(
        "provenance",
        compute=provenance["compute"],
        params=json.dumps(provenance["params"], ensure_ascii=False, sort_keys=True),
        seed=provenance["seed"],
        seconds=provenance["seconds"] if timed else None,
        where=provenance.get("where") if timed else None,
        versions=" · ".join(f"{name} {v}" for name, v in sorted(provenance["versions"].items())),
        location=location,
        values=values,
        code=code,
    )
