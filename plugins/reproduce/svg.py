"""SVG text of figures: made deterministic in the worker, fitted into a page at fill time.

Every transformation of SVG text lives here: :func:`from_figure` (matplotlib figure → SVG
with no dates, fixed ids and paths validators accept, made smaller by ``compact.py``; its
source is part of every cache key through ``artifact``), and, per page, :func:`prefix_ids`
(ids unique on a page with several figures), :func:`theme_colours` (black, white and greys
follow the page's theme) and :func:`label` (the alt text as the image's accessible name).
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
# matplotlib's black (text, axes, ticks), white (figure, axes and legend backgrounds) and
# every neutral grey between them (reference lines, grids, shades of ink).
_NEUTRAL = re.compile(r"((?:fill|stroke): ?)#(([0-9a-f]{2})\3\3)\b")
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
    """Let the page's theme pick a figure's ink and paper: black, white and greys follow it.

    Black becomes ``var(--figure-fg, #000000)``, white ``var(--figure-bg, #ffffff)`` (the
    original colours wherever the variables are unset; the downloadable SVG file is left as
    drawn), and a grey of level g the mix ``color-mix(in srgb, ink (1 − g), paper)``: the same
    grey on a white panel, and as far between light ink and dark paper in a dark theme, so a
    grey reference line keeps its contrast. Other colours (data, images) are untouched: they
    come from :mod:`computations.palette`, legible on both panels.
    """
    return _NEUTRAL.sub(lambda m: m.group(1) + _neutral(m.group(2)), svg)


def _neutral(hex_grey: str) -> str:
    ink, paper = "var(--figure-fg, #000000)", "var(--figure-bg, #ffffff)"
    if hex_grey in ("000000", "ffffff"):
        return ink if hex_grey == "000000" else paper
    share = (255 - int(hex_grey[:2], 16)) / 255 * 100
    return f"color-mix(in srgb, {ink} {share:.1f}%, {paper})"


def label(svg: str, alt: str) -> str:
    """The alt text as the image's accessible name; Pagefind indexes it only where asked to."""
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(alt)}" data-pagefind-index-attrs="aria-label" ', 1
    )
