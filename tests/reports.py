"""Helpers shared by the computation tests."""

from __future__ import annotations

import io
import warnings

import matplotlib
from matplotlib.figure import Figure as MplFigure

from computations.report import Figure, Report, Table

#: The font the site draws figures with (plugins/reproduce/artifact.py); tests use it so a
#: missing glyph shows up here as it would in a build.
CJK_FONT = "Noto Sans CJK SC"


def report_numbers(report: Report) -> list:
    """Everything a report computed (figure data, table rows, check details), comparable with ==."""
    out: list = []
    for item in report.items:
        if isinstance(item, Figure):
            out.append({key: list(column) for key, column in item.data.items()})
        elif isinstance(item, Table):
            out.append(item.rows)
        else:
            out.append(item.detail)
    return out


def render_with_site_font(figure: MplFigure) -> bytes:
    """SVG bytes of a figure drawn with the site's CJK font; any warning (a missing glyph,
    bad mathtext) raises, as it fails a build."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), matplotlib.rc_context({"font.family": CJK_FONT}):
        warnings.simplefilter("error")
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    assert svg.startswith(b"<?xml")
    return svg
