"""A tiny registry for plugin and site tests: fast toys, plus ones that hang, crash or fail.

Every toy has the site's two stages: a run (parameters → a frozen result) and a present
stage (result → Report). Toys that only misbehave share the empty result :class:`Nothing`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
from annotated_types import Interval
from matplotlib.figure import Figure as MplFigure

from computations.report import Check, Figure, InputFiles, Report, Table, Value
from computations.results import Array


@dataclass(frozen=True)
class Nothing:
    """The result of a toy whose run only waits, dies or raises."""


def show_nothing(run: Nothing) -> Report:
    return Report()


@dataclass(frozen=True)
class LineRun:
    x: Array
    y: Array


def line(
    *,
    points: Annotated[int, Interval(ge=2, le=1000)] = 10,
    slope: float = 1.0,
    rng: np.random.Generator,
) -> LineRun:
    """A noisy line."""
    x = np.arange(points, dtype=float)
    return LineRun(x, slope * x + rng.normal(size=points))


def show_line(run: LineRun) -> Report:
    """One figure (with a Chinese title), one table, one check."""
    figure = MplFigure(figsize=(4, 3))
    axes = figure.add_subplot()
    axes.plot(run.x, run.y)
    axes.set_title("带噪声的直线")
    x, y = run.x.tolist(), run.y.tolist()
    return Report(
        items=(
            Figure(figure=figure, caption="一条直线", alt="散点沿直线分布", data={"x": x, "y": y}),
            Table(caption="前三个点", columns=("x", "y"), rows=tuple(zip(x[:3], y[:3], strict=True))),
            Check(claim="点数正确", passed=len(x) == len(y), detail=f"{len(x)} 个点"),
            Value("points", len(x), unit=" 个"),
            Value("last", y[-1], ".3f"),
            Value("verdict", "上升" if y[-1] > y[0] else "下降"),
        )
    )


def show_linked(run: LineRun) -> Report:
    """A figure whose line links to a script: matplotlib writes what ``set_url`` is given."""
    figure = MplFigure(figsize=(3, 2))
    (drawn,) = figure.add_subplot().plot(run.x, run.y)
    drawn.set_url("javascript:alert(1)")
    return Report(items=(Figure(figure=figure, caption="带链接的线", alt="一条线", data={"y": run.y.tolist()}),))


def sleep(*, seconds: Annotated[float, Interval(ge=0, le=600)] = 30.0) -> Nothing:
    time.sleep(seconds)
    return Nothing()


def crash(*, code: int = 3) -> Nothing:
    os._exit(code)


def segfault() -> Nothing:
    """Dies of a signal, as a crashing native extension would."""
    os.kill(os.getpid(), signal.SIGSEGV)
    return Nothing()


def fail(*, message: str = "boom") -> Nothing:
    raise ValueError(message)


def show_no_alt(run: Nothing) -> Report:
    return Report(items=(Figure(figure=MplFigure(), caption="无替代文字", alt=" ", data={}),))


def show_dense(run: Nothing) -> Report:
    """A scatter of 40,000 points drawn as vectors: several megabytes of SVG."""
    figure = MplFigure(figsize=(3, 3))
    points = np.random.default_rng(0).normal(size=(2, 40_000))
    figure.add_subplot().scatter(*points, s=1)
    return Report(items=(Figure(figure=figure, caption="稠密散点", alt="四万个点", data={"n": [40_000]}),))


def show_bad_table(run: Nothing) -> Report:
    return Report(items=(Table(caption="多一格", columns=("a", "b"), rows=((1, 2, 3),)),))


def show_broken_check(run: Nothing) -> Report:
    return Report(items=(Check(claim="一加一等于三", passed=False, detail="1 + 1 = 2"),))


def _lines_file(value: str) -> list[Path]:
    return [Path(value)]


@dataclass(frozen=True)
class LinesRun:
    lines: tuple[str, ...]


def read_lines(*, data: Annotated[str, InputFiles(resolve=_lines_file)] = "data.txt") -> LinesRun:
    """Reads an input file named by a parameter (relative to the build's working directory)."""
    return LinesRun(tuple(Path(data).read_text(encoding="utf-8").splitlines()))


def show_count(run: LinesRun) -> Report:
    return Report(items=(Table(caption="行数", columns=("行数",), rows=((len(run.lines),),)),))


def echo_lines(*, data: Annotated[str, InputFiles(resolve=_lines_file)] = "content/data.txt") -> LinesRun:
    """Publishes an input file's lines verbatim: what must never show a file outside the content folder."""
    return read_lines(data=data)


def show_lines(run: LinesRun) -> Report:
    return Report(items=(Table(caption="文件内容", columns=("行",), rows=tuple((line,) for line in run.lines)),))


@dataclass(frozen=True)
class Drawn:
    value: int


def jitter() -> Drawn:
    """Nondeterministic by mistake: a number from the operating system, not from a seed."""
    return Drawn(int.from_bytes(os.urandom(8), "big"))


def show_drawn(run: Drawn) -> Report:
    return Report(items=(Table(caption="抽到的数", columns=("值",), rows=((run.value,),)),))


def hang(*, seconds: Annotated[float, Interval(ge=0, le=600)] = 300.0) -> Nothing:
    """Starts a child process of its own, notes both pids in the file ``$HANG_PIDS``, then waits."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    Path(os.environ["HANG_PIDS"]).write_text(f"{os.getpid()} {child.pid}", encoding="utf-8")
    time.sleep(seconds)
    return Nothing()


def scribble(*, where: str = "stray.txt") -> Nothing:
    """Writes a file where it should not, and floods its output, then fails if asked."""
    Path(where).write_text("涂鸦", encoding="utf-8")
    print("噪声" * 5_000_000)  # 30 MB of output: must not reach the build's log
    print("最后一行输出", file=sys.stderr)
    if where == "fail":
        raise RuntimeError("scribbled and failed")
    return Nothing()


def timed() -> Nothing:
    """Stands for a computation that measures wall time, so must run alone (EXCLUSIVE)."""
    return Nothing()


def show_timed(run: Nothing) -> Report:
    return Report(items=(Check(claim="独占运行", passed=True, detail=""),))


class CatalogueError(LookupError):
    """Stands for a domain error a resolver raises (like corpora.CorpusError)."""


_RAISED = {"CatalogueError": CatalogueError, "Exception": Exception, "KeyError": KeyError}
_RAISED |= {"ZeroDivisionError": ZeroDivisionError, "RecursionError": RecursionError, "TypeError": TypeError}


def _raise_named(value: str) -> list[Path]:
    raise _RAISED[value](f"resolver raised {value}")


def raising(*, kind: Annotated[str, InputFiles(resolve=_raise_named, names=tuple(_RAISED))] = "Exception") -> Nothing:
    """Never runs: resolving its input raises the exception named by ``kind``, while the key is made."""
    return Nothing()


def positional(points: int = 3) -> Nothing:
    """A signature the plugin refuses (a positional parameter): reading it raises TypeError."""
    return Nothing()


@dataclass(frozen=True)
class TexRun:
    tex: str


def tex(*, formula: str = "x^2") -> TexRun:
    """Carries a formula for the present stage to write into every kind of text."""
    return TexRun(formula)


def show_tex(run: TexRun) -> Report:
    """The formula as $..$ in a caption, an alt text, a table header and cell, a check's claim and detail."""
    figure = MplFigure(figsize=(2, 2))
    figure.add_subplot().plot([0, 1], [0, 1])
    math = f"${run.tex}$"
    return Report(
        items=(
            Figure(figure=figure, caption=f"图注 {math}", alt=f"替代文字 {math}", data={"x": [0, 1]}),
            Table(caption=f"表注 {math}", columns=(f"列 {math}", "值"), rows=((f"行 {math}", 1.5),)),
            Check(claim=f"断言 {math}", passed=True, detail=f"细节 {math}"),
        )
    )


EXCLUSIVE = frozenset({"toy.timed"})

_HERE = "fake_computations"
COMPUTATIONS = {
    "toy.count_lines": (f"{_HERE}:read_lines", f"{_HERE}:show_count"),
    "toy.timed": (f"{_HERE}:timed", f"{_HERE}:show_timed"),
    "toy.line": (f"{_HERE}:line", f"{_HERE}:show_line"),
    "toy.linked": (f"{_HERE}:line", f"{_HERE}:show_linked"),
    "toy.sleep": (f"{_HERE}:sleep", f"{_HERE}:show_nothing"),
    "toy.hang": (f"{_HERE}:hang", f"{_HERE}:show_nothing"),
    "toy.jitter": (f"{_HERE}:jitter", f"{_HERE}:show_drawn"),
    "toy.scribble": (f"{_HERE}:scribble", f"{_HERE}:show_nothing"),
    "toy.crash": (f"{_HERE}:crash", f"{_HERE}:show_nothing"),
    "toy.fail": (f"{_HERE}:fail", f"{_HERE}:show_nothing"),
    "toy.segfault": (f"{_HERE}:segfault", f"{_HERE}:show_nothing"),
    "toy.broken_check": (f"{_HERE}:timed", f"{_HERE}:show_broken_check"),
    "toy.no_alt": (f"{_HERE}:timed", f"{_HERE}:show_no_alt"),
    "toy.bad_table": (f"{_HERE}:timed", f"{_HERE}:show_bad_table"),
    "toy.dense": (f"{_HERE}:timed", f"{_HERE}:show_dense"),
    "toy.raising": (f"{_HERE}:raising", f"{_HERE}:show_nothing"),
    "toy.positional": (f"{_HERE}:positional", f"{_HERE}:show_nothing"),
    "toy.echo_lines": (f"{_HERE}:echo_lines", f"{_HERE}:show_lines"),
    "toy.tex": (f"{_HERE}:tex", f"{_HERE}:show_tex"),
}
