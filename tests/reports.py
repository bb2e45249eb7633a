"""Helpers shared by the computation tests."""

from __future__ import annotations

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
