"""Pelican glue for build-time math: every page's TeX becomes MathML before writing.

Settings: ``TEXMATH_STRICT`` (defaults to ``REPRO_STRICT``, True): an unknown command or
malformed formula fails the build with ``file:line`` (reported together with the failing
directives, see ``reproduce``); in draft mode it is shown in red. So do
bad equation references (``\\label``/``@eq:``, see ``equations.py``), reported in the same list.
``TEXMATH_ASSETS`` ("math"): the output folder that receives temml's stylesheet and font
(equation numbering, alignment), which the theme links. ``TEXMATH_FONT`` (Debian
fonts-lmodern's Latin Modern Math): an OpenType math font, converted to WOFF2 once (cached in
``.texmath-cache/``) and shipped in that folder; ``None`` ships none.
"""

from __future__ import annotations

import html
import logging
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pelican import signals

from .equations import check_tex, link_page, mentions_equations
from .mathml import MATH_FONT, Formula, Rendered, copy_assets, formulas, render_all, used_characters

logger = logging.getLogger(__name__)
FAILURES = "REPRO_FAILURES"  # the build's shared list of what fails a strict build
_pages: list[Any] = []
# Page URL → (MathML → the TeX it came from), for the feed (feed readers strip MathML; TeX
# stays readable). Per page: two ways of writing a formula (``n=1000``, ``n = 1000``) give the
# same MathML, and a site-wide map would give an entry the TeX of whichever page came last
# (the order Pelican found the files in, which differs between checkouts).
_tex_of: dict[str, dict[str, str]] = {}
MATHML = re.compile(r"<math\b.*?</math>", re.DOTALL)


class MathError(Exception):
    """Raised to make Pelican exit non-zero when a formula cannot be rendered."""


def start(pelican: Any) -> None:
    _pages.clear()
    _tex_of.clear()


def remember(content: Any) -> None:
    # Every page: which have math is known only at render time, once the reproduce plugin
    # (before us in PLUGINS) has put its captions, headers and checks, math included, in place.
    _pages.append(content)


def _has_math(page: Any) -> bool:
    text = getattr(page, "_content", "") or ""
    # Pages without math still need the scan: an @eq: or \ref there is an error to report.
    return 'class="arithmatex"' in text or mentions_equations(text)


def render(generators: list[Any]) -> None:
    settings = generators[0].settings
    strict = settings.get("TEXMATH_STRICT", settings.get("REPRO_STRICT", True))
    per_page = [(page, formulas(page._content)) for page in _pages if _has_math(page)]
    refused = {f: Rendered(None, error) for _, found in per_page for f in found if (error := check_tex(f.tex))}
    rendered = render_all(f for _, found in per_page for f in found if f not in refused) | refused
    if settings.get("TEXMATH_ASSETS"):
        font = settings.get("TEXMATH_FONT", MATH_FONT)
        # The font is cut to what this site's formulas draw (~390 KB whole, far less cut).
        drawn = used_characters(r.mathml for r in rendered.values() if r.mathml)
        try:
            copy_assets(
                Path(generators[0].output_path) / settings["TEXMATH_ASSETS"], font and Path(font), characters=drawn
            )
        except FileNotFoundError as missing:
            raise MathError(str(missing)) from None
    problems = []
    for page, found in per_page:
        linked = link_page(page._content, found, rendered)
        page._content = linked.html
        _tex_of[page.url] = {
            rendered[f].mathml: f"\\[{f.tex}\\]" if f.display else f"\\({f.tex}\\)" for f in found if rendered[f].mathml
        }
        for formula in dict.fromkeys(found):
            if rendered[formula].error:
                problems.append(f"{_located(page, formula)}: {rendered[formula].error}")
        problems.extend(f"{_where(page, issue.needle, issue.occurrence)}: {issue.message}" for issue in linked.issues)
    if problems and strict:
        # Reported with the directives' failures in one summary by the reproduce plugin, which
        # then refuses to publish (its module docstring describes this shared list).
        generators[0].context.setdefault(FAILURES, []).extend(problems)
    elif problems:
        report = "\n".join(f"  {problem}" for problem in problems)
        logger.warning("texmath (draft mode, shown in red):\n%s", report)


def _located(page: Any, formula: Formula) -> str:
    """Where a formula was written: its source's ``file:line``, with the TeX when it is not in the prose."""
    if formula.source:
        return f"{formula.source}: ${formula.tex}$"
    return _where(page, formula.tex)


def _where(page: Any, needle: str, occurrence: int = 0) -> str:
    """``file:line`` of the ``occurrence``-th appearance of ``needle``'s first line in the page's source."""
    path = Path(page.source_path)
    text = path.read_text(encoding="utf-8")
    first = needle.splitlines()[0] if needle else needle
    position = -1
    for _ in range(occurrence + 1):
        position = text.find(first, position + 1)
        if position < 0:
            break
    line = text.count("\n", 0, position) + 1 if position >= 0 else 1
    root = os.path.dirname(os.path.abspath(page.settings["PATH"]))
    return f"{os.path.relpath(path, root)}:{line}"


def math_as_tex(context: Any, feed: Any) -> None:
    """Receiver of ``feed_generated``: each formula of a feed entry as its TeX source.

    Labelled equations (their MathML gained ids when linked) keep their MathML.
    """
    for item in feed.items:
        path = urlsplit(item.get("link") or "").path
        # The entry's page: the longest URL that ends its link (the link may add SITEURL's path;
        # "posts/a.html" must not take the TeX of a page at "a.html").
        ends = [url for url in _tex_of if url and f"/{path}".endswith(f"/{url}")]
        tex_of = _tex_of[max(ends, key=len)] if ends else {}
        for key in ("content", "description"):
            if item.get(key):
                item[key] = MATHML.sub(lambda m, tex_of=tex_of: _as_tex(m.group(0), tex_of), item[key])


def _as_tex(mathml: str, tex_of: dict[str, str]) -> str:
    tex = tex_of.get(mathml)
    return mathml if tex is None else html.escape(tex, quote=False)


def register() -> None:
    signals.get_generators.connect(start)
    signals.content_object_init.connect(remember)
    signals.all_generators_finalized.connect(render)
    signals.feed_generated.connect(math_as_tex)
