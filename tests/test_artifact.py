"""Worker-side rendering: deterministic, valid SVG and faithful CSV."""

from __future__ import annotations

import csv
import dataclasses
import io

import numpy as np
from matplotlib.figure import Figure as MplFigure
from reproduce.artifact import Request, _csv, configure_matplotlib, execute
from reproduce.cells import format_column
from reproduce.svg import from_figure as render_svg


def figure() -> MplFigure:
    configure_matplotlib()
    fig = MplFigure(figsize=(3, 2))
    axes = fig.add_subplot()
    axes.plot([0, 1], [1, 0], label="直线")
    axes.set_title("中文 标题 $\\theta$")
    return fig


def test_svg_is_deterministic_without_metadata_and_with_valid_paths() -> None:
    first, second = render_svg(figure()), render_svg(figure())
    assert first == second
    assert first.startswith("<svg") and "<metadata" not in first and "dc:date" not in first
    assert not any("d=" not in tag for tag in _path_tags(first))


def test_execute_renders_every_item_kind_and_records_provenance() -> None:
    request = Request(
        "fake_computations:line", "toy.line", {"points": 5, "slope": 2.0}, 7, "fake_computations:show_line"
    )
    result = execute(request)
    kinds = [item["kind"] for item in result["items"]]
    assert kinds == ["figure", "table", "check", "value", "value", "value"]
    figure_item, table_item, *_ = result["items"]
    assert result["items"][3] == {"kind": "value", "name": "points", "text": "5 个"}
    rows = figure_item["csv"].removeprefix("\ufeff").splitlines()
    assert rows[0] == "x,y" and len(rows) == 6
    y = np.array([float(r.split(",")[1]) for r in rows[1:]])
    expected = 2.0 * np.arange(5) + np.random.default_rng(7).normal(size=5)
    assert np.array_equal(y, expected)  # CSV keeps full precision
    assert table_item["numeric"] == [[True, True]] * 3
    assert result["provenance"]["seed"] == 7 and result["provenance"]["params"] == {"points": 5, "slope": 2.0}
    # The run stage's stored result comes back, and drawing from it gives the same page.
    again = execute(dataclasses.replace(request, result=result["result"]))
    assert again["items"] == result["items"] and "result" not in again


def test_csv_text_cannot_run_as_a_spreadsheet_formula() -> None:
    # Issue 12.14: a text cell starting with = + - @ (or tab, CR) is a formula in Excel.
    text = _csv(["名称", "=1+1"], [('=HYPERLINK("x")', -0.5), ("@SUM(A1)", 3), ("普通", "-x")])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["名称", "'=1+1"]
    assert rows[1] == ['\'=HYPERLINK("x")', "-0.5"]  # the number stays a number
    assert rows[2] == ["'@SUM(A1)", "3"] and rows[3] == ["普通", "'-x"]


def test_a_column_shows_its_floats_in_one_notation_and_keeps_integers_and_text() -> None:
    cells = (np.float64(0.1234567), 3, "π", float("nan"), np.int64(7))
    assert format_column(cells) == ["0.123457", "3", "π", "—", "7"]
    # the smallest value keeps six significant digits; every cell gets as many decimals
    assert format_column([0.467401, 0.00502508]) == ["0.46740100", "0.00502508"]
    # exact parameters are not padded with zeros every cell would share
    assert format_column([0.2, 0.5, 1.0]) == ["0.2", "0.5", "1.0"]
    # issue 11: 5.0627e-05 under 0.00361585; more than four decades apart: all scientific
    assert format_column([5.0627e-05, 0.00361585, 0.0]) == ["5.06270×10⁻⁵", "3.61585×10⁻³", "0"]
    assert format_column([1e-9, 2.5e-3]) == ["1.0×10⁻⁹", "2.5×10⁻³"]
    # whole floats read as integers
    assert format_column([1.0, 2.0, 30.0]) == ["1", "2", "30"]


def _path_tags(svg: str) -> list[str]:
    import re

    return re.findall(r"<path\b[^>]*>", svg)
