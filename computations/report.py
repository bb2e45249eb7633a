"""The vocabulary a computation uses to hand its results to the site.

A computation returns a :class:`Report`: an ordered tuple of figures, tables and checks.
These are plain frozen records; turning a matplotlib ``Figure`` into SVG, a table into
``<table>`` and a check into a visible verdict is the plugin's job, never the computation's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the site reads InputFiles without importing matplotlib
    from matplotlib.figure import Figure as MplFigure

Cell = str | int | float


@dataclass(frozen=True)
class Figure:
    """One figure and the numbers drawn in it.

    Attributes:
        figure: built with ``matplotlib.figure.Figure()`` (never pyplot state).
        caption: one sentence in Chinese, without the "图 n" prefix (the site numbers it).
        alt: what the figure shows, for readers who cannot see it.
        data: named columns of equal length, published as the figure's CSV.
    """

    figure: MplFigure
    caption: str
    alt: str
    data: Mapping[str, Sequence[Cell]]


@dataclass(frozen=True)
class Table:
    """A table of results; floats are formatted by the site, exact values go to the CSV."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Check:
    """A property the computation verified about its own result.

    A failing check is a reproduction failure: strict builds stop on it.

    Attributes:
        claim: what should hold, in Chinese (e.g. "均值与 π/2 之差在 4 个标准误之内").
        passed: whether it held.
        detail: the measured and expected numbers behind the verdict.
    """

    claim: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Value:
    """A number or a verdict the post's prose quotes: ``@val:<label>.<name>``.

    The prose never types a number the build computes; it names the value, and the site puts
    this text in its place (also inside a formula) and lists it in the provenance note.

    Attributes:
        name: lowercase letters, digits and underscores, unique within the report.
        value: the number, or a short verdict chosen by the computation (Chinese text).
        format: a Python format spec for a number (``".3f"``, ``".1%"``, ``","``); empty:
            ``str(value)`` for text and integers, six significant digits for a float.
        unit: appended after the number as written (``" 秒"``, ``"%"``).
    """

    name: str
    value: float | int | str
    format: str = ""
    unit: str = ""

    @property
    def text(self) -> str:
        """The value as the page shows it."""
        if isinstance(self.value, str):
            return self.value
        if self.format:
            return f"{self.value:{self.format}}{self.unit}"
        return f"{self.value:.6g}{self.unit}" if isinstance(self.value, float) else f"{self.value}{self.unit}"


Item = Figure | Table | Check | Value


@dataclass(frozen=True)
class Report:
    """Everything one directive shows, in display order."""

    items: tuple[Item, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class InputFiles:
    """Marks a parameter whose value names input data: ``Annotated[str, InputFiles(resolve, names)]``.

    The value is either one of ``names`` (data shipped with the code, such as a corpus inside
    an installed package) or a path an author wrote, relative to the project folder the site
    is built in. ``resolve(value)`` returns the files the computation will read for it. The
    site accepts an author's path only if it leads to a file inside the site's content folder
    (checked before ``resolve`` is called), and hashes the files' bytes into the cache key, so
    changed data re-runs the computation.
    """

    resolve: Callable[[str], Sequence[Path]]
    names: tuple[str, ...] = ()
