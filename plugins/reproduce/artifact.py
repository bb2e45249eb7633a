"""Run one computation and turn its Report into a JSON-ready artifact (runs in a worker).

This is the only place figures become SVG, so its source and the libraries it imports are
part of every cache key (``fingerprint.Fingerprints.renderer``): changing how figures are
drawn re-runs them.
"""

from __future__ import annotations

import csv
import inspect
import io
import platform
import re
import time
import warnings
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("svg")  # never a GUI backend in worker processes

import numpy as np
from matplotlib import font_manager
from threadpoolctl import threadpool_limits

from computations import palette
from computations.report import Check, Figure, Report, Table, Value
from computations.results import decode, encode, result_type

from . import svg
from .cells import format_column, is_number
from .jobs import Request
from .mathtext import check, to_plain
from .registry import resolve

# Noto Sans CJK ships with Debian's fonts-noto-cjk, which the setup installs. We add the file
# explicitly because matplotlib's font list cache, if built before the install, hides it.
CJK_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
RC_PARAMS = {
    "font.family": ["Noto Sans CJK SC", "DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    # Text as <text>, not glyph outlines: outlines cost 35-60 KB of CJK paths per figure (posts
    # were 73-94 % inline SVG); text stays searchable and selectable and follows the page's
    # ink through inheritance. The reader's own CJK/sans font draws it (the families are named).
    "svg.fonttype": "none",
    # Fixed salt: clip-path ids and the like are the same in every build.
    "svg.hashsalt": "kexue-repro",
    "figure.dpi": 100,
}


@cache
def configure_matplotlib() -> None:
    """Register the CJK font and our rcParams (call before forking workers)."""
    missing = [str(path) for path in CJK_FONT_FILES if not path.exists()]
    if missing:
        raise RuntimeError(f"CJK font not installed ({', '.join(missing)}); run scripts/setup.sh")
    for path in CJK_FONT_FILES:
        font_manager.fontManager.addfont(str(path))
    # the site's colours (legible on the light and the dark panel) after our own settings
    matplotlib.rcParams.update({**RC_PARAMS, **palette.RC_PARAMS})


def execute(request: Request) -> dict[str, Any]:
    """Run the stages a request needs and render the report. Raises what the computation raises.

    Returns:
        The artifact (``items``, ``provenance``); with a ``result`` key holding the run
        stage's stored form when the run stage ran here (the build caches it apart).
    """
    configure_matplotlib()
    with warnings.catch_warnings(), threadpool_limits(limits=request.threads):
        # A missing glyph means tofu in a published figure: treat it as a failure.
        warnings.filterwarnings("error", message=".*missing from font.*")
        started = time.perf_counter()
        stored = request.result or _stored_result(request)
        # The present stage always reads the stored form, so a fresh run and a cached one
        # draw exactly the same page.
        report = resolve(request.present)(decode(stored, kind=result_type(resolve(request.target))))
        if not isinstance(report, Report):
            raise TypeError(f"{request.name} returned {type(report).__name__}, expected computations.report.Report")
        items = [_render_item(item) for item in report.items]
        names = [item["name"] for item in items if item["kind"] == "value"]
        if len(names) != len(set(names)):
            raise ValueError(f"value names must be unique in a report, got {names}")
    artifact: dict[str, Any] = {
        "items": items,
        "provenance": {
            "compute": request.name,
            "params": dict(request.params),
            "seed": request.seed,
            "seconds": round(time.perf_counter() - started, 3),
            "versions": {lib: version(lib) for lib in ("numpy", "scipy", "matplotlib")}
            | {"python": platform.python_version()},
        },
    }
    if request.result is None:
        artifact["result"] = stored
    return artifact


def _run(request: Request) -> Any:
    """The run stage, with a generator only if it declares ``rng`` (it draws random numbers)."""
    function = resolve(request.target)
    extra = {"rng": np.random.default_rng(request.seed)} if "rng" in inspect.signature(function).parameters else {}
    return function(**request.params, **extra)


def _stored_result(request: Request) -> str:
    return encode(_run(request), kind=result_type(resolve(request.target)))


def _render_item(item: Figure | Table | Check | Value) -> dict[str, Any]:
    if isinstance(item, Figure):
        if not item.alt.strip() or not item.caption.strip():
            raise ValueError("every figure needs a caption and alt text (what it shows, for readers who cannot see it)")
        check(item.caption, what="figure caption")
        check(item.alt, what="figure alt text")
        return {
            "kind": "figure",
            "caption": item.caption,
            "alt": item.alt,
            "svg": svg.from_figure(item.figure),
            "csv": _csv(list(item.data), list(zip(*item.data.values(), strict=True))),
        }
    if isinstance(item, Table):
        for number, row in enumerate(item.rows, start=1):
            if len(row) != len(item.columns):  # checked here, so a table that cannot be drawn is never cached
                raise ValueError(
                    f"table {item.caption!r}: row {number} has {len(row)} cells, expected {len(item.columns)}"
                )
        for text in (item.caption, *item.columns, *(c for row in item.rows for c in row if isinstance(c, str))):
            check(text, what="table text")
        return {
            "kind": "table",
            "caption": item.caption,
            "columns": list(item.columns),
            # one number format per column (cells.py), so values compare down the column
            "rows": [list(row) for row in zip(*map(format_column, zip(*item.rows, strict=True)), strict=True)],
            "numeric": [[is_number(cell) for cell in row] for row in item.rows],
            # A spreadsheet shows no MathML: the CSV's formulas are readable text.
            "csv": _csv([to_plain(c) for c in item.columns], _plain_rows(item.rows)),
        }
    if isinstance(item, Check):
        check(item.claim, what="check claim")
        check(item.detail, what="check detail")
        return {"kind": "check", "claim": item.claim, "passed": bool(item.passed), "detail": item.detail}
    if isinstance(item, Value):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", item.name):
            raise ValueError(f"value name {item.name!r}: expected lowercase letters, digits and _")
        return {"kind": "value", "name": item.name, "text": item.text}
    raise TypeError(f"unknown report item {type(item).__name__}")


def _plain_rows(rows: Any) -> list[list[Any]]:
    return [[to_plain(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def _csv(header: list[str], rows: Any) -> str:
    """CSV for people and spreadsheets: exact floats, a BOM, no text a spreadsheet would run.

    Excel opens UTF-8 without a BOM as the local code page (Chinese headers garbled), and
    runs a cell that starts with ``= + - @`` (or a tab or CR) as a formula; such text cells
    get a leading apostrophe. Numbers are written as numbers (``-0.5`` is no formula).
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_safe_text(c) for c in header])
    writer.writerows([[repr(c) if isinstance(c, float) else _safe_text(c) for c in row] for row in rows])
    return out.getvalue()


def _safe_text(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
