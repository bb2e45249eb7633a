"""Helpers shared by the computation tests."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib
from matplotlib.figure import Figure as MplFigure

from computations.report import Check, Figure, Report, Table, Value
from computations.results import decode, encode, result_type

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
        elif isinstance(item, Value):
            out.append((item.name, item.text))
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


def assert_well_formed(report: Report, kinds: list[type]) -> None:
    """The report has these item kinds in order, every check holds, and figures and tables
    carry what the site needs: captions, alt text, equal-length data columns, plain cells."""
    assert [type(item) for item in report.items] == kinds
    plain = {str, int, float}
    for item in report.items:
        if isinstance(item, Check):
            assert item.passed is True, f"{item.claim}: {item.detail}"
        elif isinstance(item, Figure):
            lengths = {key: len(column) for key, column in item.data.items()}
            assert len(set(lengths.values())) == 1, lengths
            assert item.caption and item.alt
            assert {type(cell) for column in item.data.values() for cell in column} <= plain
        elif isinstance(item, Value):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", item.name) and item.text
        else:
            assert all(len(row) == len(item.columns) for row in item.rows)
            assert {type(cell) for row in item.rows for cell in row} <= plain


def two_stage(run: Callable[..., Any], present: Callable[[Any], Report], **params: Any) -> Report:
    """A report as the site makes it: the run stage, its result stored and read back, then
    the present stage (with the site's font, as in a build)."""
    kind = result_type(run)
    stored = encode(run(**params), kind=kind)
    with matplotlib.rc_context({"font.family": CJK_FONT}):
        return present(decode(stored, kind=kind))


def report_values(report: Report) -> dict[str, str]:
    """The values a report exports for the prose: name → text as the page shows it."""
    return {item.name: item.text for item in report.items if isinstance(item, Value)}
