"""SVG text of figures: made deterministic in the worker, fitted into a page at fill time.

Every transformation of SVG text lives here: :func:`from_figure` (matplotlib figure → SVG
with no dates, fixed ids and paths validators accept, made smaller by ``compact.py``; its
source is part of every cache key through ``artifact``), and, per page, :func:`prefix_ids`
(ids unique on a page with several figures), :func:`theme_colours` (black and white follow
the page's theme) and :func:`label` (the alt text as the image's accessible name).
"""

from __future__ import annotations

import io
import re
from html import escape
from typing import Any

from .compact import compact

NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
# matplotlib's black (text, axes, ticks) and white (figure, axes and legend backgrounds).
_INK = re.compile(r"((?:fill|stroke): ?)#(000000|ffffff)\b")
# matplotlib writes the space glyph as a <path> without "d", which HTML validators reject.
_PATH_WITHOUT_D = re.compile(r"<path id=\"([^\"]+)\"(?![^>]*\bd=)")


def from_figure(figure: Any) -> str:
    """Deterministic SVG text of a matplotlib Figure: no dates, fixed ids, no XML prologue."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    svg = buffer.getvalue()
    return compact(_PATH_WITHOUT_D.sub(r'<path d="" id="\1"', svg[svg.index("<svg") :]))


def prefix_ids(svg: str, prefix: str) -> str:
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


def label(svg: str, alt: str) -> str:
    """The alt text as the image's accessible name; Pagefind indexes it only where asked to."""
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(alt)}" data-pagefind-index-attrs="aria-label" ', 1
    )
