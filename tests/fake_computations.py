"""A tiny registry for plugin and site tests: fast toys, plus ones that hang, crash or fail."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import numpy as np
from annotated_types import Interval
from matplotlib.figure import Figure as MplFigure

from computations.report import Check, Figure, InputFiles, Report, Table


def line(
    *,
    points: Annotated[int, Interval(ge=2, le=1000)] = 10,
    slope: float = 1.0,
    rng: np.random.Generator,
) -> Report:
    """A noisy line: one figure (with a Chinese title), one table, one check."""
    x = np.arange(points, dtype=float)
    y = slope * x + rng.normal(size=points)
    figure = MplFigure(figsize=(4, 3))
    axes = figure.add_subplot()
    axes.plot(x, y)
    axes.set_title("带噪声的直线")
    return Report(
        items=(
            Figure(figure=figure, caption="一条直线", alt="散点沿直线分布", data={"x": x.tolist(), "y": y.tolist()}),
            Table(caption="前三个点", columns=("x", "y"), rows=tuple(zip(x[:3].tolist(), y[:3].tolist(), strict=True))),
            Check(claim="点数正确", passed=len(x) == points, detail=f"{len(x)} 个点"),
        )
    )


def sleep(*, seconds: Annotated[float, Interval(ge=0, le=600)] = 30.0, rng: np.random.Generator) -> Report:
    time.sleep(seconds)
    return Report()


def crash(*, code: int = 3, rng: np.random.Generator) -> Report:
    os._exit(code)


def fail(*, message: str = "boom", rng: np.random.Generator) -> Report:
    raise ValueError(message)


def no_alt(*, rng: np.random.Generator) -> Report:
    return Report(items=(Figure(figure=MplFigure(), caption="无替代文字", alt=" ", data={}),))


def broken_check(*, rng: np.random.Generator) -> Report:
    return Report(items=(Check(claim="一加一等于三", passed=False, detail="1 + 1 = 2"),))


def _lines_file(value: str) -> list[Path]:
    return [Path(value)]


def count_lines(
    *, data: Annotated[str, InputFiles(resolve=_lines_file)] = "data.txt", rng: np.random.Generator
) -> Report:
    """Reads an input file named by a parameter (relative to the build's working directory)."""
    lines = Path(data).read_text(encoding="utf-8").splitlines()
    return Report(items=(Table(caption="行数", columns=("行数",), rows=((len(lines),),)),))


def timed(*, rng: np.random.Generator) -> Report:
    """Stands for a computation that measures wall time, so must run alone (EXCLUSIVE)."""
    return Report(items=(Check(claim="独占运行", passed=True, detail=""),))


EXCLUSIVE = frozenset({"toy.timed"})

COMPUTATIONS = {
    "toy.count_lines": "fake_computations:count_lines",
    "toy.timed": "fake_computations:timed",
    "toy.line": "fake_computations:line",
    "toy.sleep": "fake_computations:sleep",
    "toy.crash": "fake_computations:crash",
    "toy.fail": "fake_computations:fail",
    "toy.broken_check": "fake_computations:broken_check",
    "toy.no_alt": "fake_computations:no_alt",
}


class CatalogueError(LookupError):
    """Stands for a domain error a resolver raises (like corpora.CorpusError)."""


_RAISED = {"CatalogueError": CatalogueError, "Exception": Exception, "KeyError": KeyError}
_RAISED |= {"ZeroDivisionError": ZeroDivisionError, "RecursionError": RecursionError, "TypeError": TypeError}


def _raise_named(value: str) -> list[Path]:
    raise _RAISED[value](f"resolver raised {value}")


def raising(
    *,
    kind: Annotated[str, InputFiles(resolve=_raise_named, names=tuple(_RAISED))] = "Exception",
    rng: np.random.Generator,
) -> Report:
    """Never runs: resolving its input raises the exception named by ``kind``, while the key is made."""
    return Report()


def positional(points: int = 3, *, rng: np.random.Generator) -> Report:
    """A signature the plugin refuses (a positional parameter): reading it raises TypeError."""
    return Report()


COMPUTATIONS["toy.raising"] = "fake_computations:raising"
COMPUTATIONS["toy.positional"] = "fake_computations:positional"


def echo_lines(
    *, data: Annotated[str, InputFiles(resolve=_lines_file)] = "content/data.txt", rng: np.random.Generator
) -> Report:
    """Publishes an input file's lines verbatim: what must never show a file outside the content folder."""
    lines = Path(data).read_text(encoding="utf-8").splitlines()
    return Report(items=(Table(caption="文件内容", columns=("行",), rows=tuple((line,) for line in lines)),))


COMPUTATIONS["toy.echo_lines"] = "fake_computations:echo_lines"
