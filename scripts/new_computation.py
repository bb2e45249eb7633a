"""Scaffold a two-stage computation: ``python scripts/new_computation.py TOPIC.NAME [--root DIR]``.

Writes (or appends to) ``computations/TOPIC/experiments.py`` (the run stage: parameters →
a frozen result), ``computations/TOPIC/pages.py`` (the present stage: result → figure,
table, check), the registry line and a test in ``tests/test_TOPIC.py``. The scaffold works
as written — a directive ``compute: TOPIC.NAME`` builds at once — so a first figure is one
command and two functions to fill in. ``invoke new-computation`` runs this script.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)")

INIT = '''"""{topic}: what the article claims and how this package reproduces it (write it here).

* ``experiments`` — the run stage of each directive (numbers, no pictures, no Chinese);
* ``pages`` — the present stage: figures, tables and checks drawn from each result.
"""
'''
EXPERIMENTS_HEAD = '''"""The run stage of {topic}: what each directive computes, as frozen results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import annotated_types
import numpy as np

from computations.results import Array
'''
EXPERIMENT = '''

@dataclass(frozen=True)
class {result}:
    """What ``{name}`` computed: the sample and its mean with standard error."""

    samples: int
    values: Array
    mean: float
    se: float


def {name}(
    *,
    samples: Annotated[int, annotated_types.Interval(ge=10, le=1_000_000)] = 1_000,
    rng: np.random.Generator,
) -> {result}:
    """Draws ``samples`` standard normal numbers (replace with the experiment).

    Args:
        samples: how many numbers to draw.
        rng: the only source of randomness.
    """
    values = rng.standard_normal(samples)
    return {result}(samples, values, float(values.mean()), float(values.std(ddof=1) / np.sqrt(samples)))
'''
PAGES_HEAD = '''"""The present stage of {topic}: figures, tables and checks from each run's result."""

from __future__ import annotations

from matplotlib.figure import Figure as MplFigure

from computations.checks import TOLERANCE_SE, within_se
from computations.report import Figure, Report, Table, Value

from . import experiments
'''
PAGE = '''

def {name}(run: experiments.{result}) -> Report:
    """A histogram, a table of the mean, a check that the mean is near 0, and the mean as a value."""
    fig = MplFigure(figsize=(5, 3), layout="constrained")
    axes = fig.add_subplot()
    axes.hist(run.values, bins=30)
    axes.set_xlabel("取值")
    axes.set_ylabel("个数")
    figure = Figure(
        figure=fig,
        caption=f"{{run.samples}} 个标准正态随机数的直方图。",
        alt="直方图呈以 0 为中心的钟形。",
        data={{"value": run.values.tolist()}},
    )
    table = Table(caption="样本均值", columns=("样本数", "均值", "标准误"), rows=((run.samples, run.mean, run.se),))
    check = within_se(f"均值与 0 之差在 {{TOLERANCE_SE:g}} 个标准误之内", {{"均值": (run.mean, 0.0, run.se)}})
    mean = Value("mean", run.mean, ".3f")  # the post quotes it as @val:<label>.mean
    return Report(items=(figure, table, check, mean))
'''
TEST_HEAD = '''"""Tests of {topic}: the mathematics against closed forms, the pages through both stages."""

from __future__ import annotations

import numpy as np
from reports import assert_well_formed, two_stage

from computations.{topic} import experiments, pages
from computations.report import Check, Figure, Table, Value
'''
TEST = """

def test_{name}_page_at_defaults() -> None:
    report = two_stage(experiments.{name}, pages.{name}, rng=np.random.default_rng(0))
    assert_well_formed(report, [Figure, Table, Check, Value])
"""


def scaffold(name: str, *, root: Path = ROOT) -> list[Path]:
    """Create or extend the topic's modules, registry line and test; return the files written.

    Raises:
        ValueError: the name is not ``topic.name`` or is registered already.
    """
    match = NAME.fullmatch(name)
    if not match:
        raise ValueError(f"expected TOPIC.NAME in lowercase letters, digits and _, got {name!r}")
    topic, function = match.groups()
    registry = root / "computations" / "registry.py"
    text = registry.read_text(encoding="utf-8")
    if f'"{name}"' in text:
        raise ValueError(f"{name} is registered already in {registry}")
    fields = {"topic": topic, "name": function, "result": "".join(p.title() for p in function.split("_")) + "Run"}
    package = root / "computations" / topic
    written = [
        _extend(package / "__init__.py", INIT, "", fields),
        _extend(package / "experiments.py", EXPERIMENTS_HEAD, EXPERIMENT, fields),
        _extend(package / "pages.py", PAGES_HEAD, PAGE, fields),
        _extend(root / "tests" / f"test_{topic}.py", TEST_HEAD, TEST, fields),
    ]
    entry = f'    "{name}": ("computations.{topic}.experiments:{function}", "computations.{topic}.pages:{function}"),\n'
    start = text.index("COMPUTATIONS")
    end = text.index("\n}", start) + 1
    registry.write_text(text[:end] + entry + text[end:], encoding="utf-8")
    tidy([*written, registry])
    return [*written, registry]


def _extend(path: Path, head: str, body: str, fields: dict[str, str]) -> Path:
    """Append ``body`` to the module (created from ``head``), adding the imports it needs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = head.format(**fields)
    if not path.exists():
        path.write_text(head + body.format(**fields), encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    imports = [line for line in head.splitlines() if line.startswith(("import ", "from ")) and line not in text]
    future = "from __future__ import annotations\n"
    at = text.index(future) + len(future) if future in text else 0
    text = text[:at] + "".join(f"{line}\n" for line in imports) + text[at:]
    path.write_text(text + body.format(**fields), encoding="utf-8")
    return path


def tidy(paths: list[Path]) -> None:
    """Sort the imports and format what was written, as the project's lint expects."""
    files = [str(path) for path in paths]
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", *files], check=False)
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", *files], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="TOPIC.NAME, e.g. coins.flips")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: this checkout)")
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.name, root=args.root)
    except ValueError as error:
        print(f"new-computation: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(args.root)}")
    topic, function = args.name.split(".")
    print(f"next: fill in computations/{topic}/experiments.py:{function} and pages.py:{function}, then write")
    print(f"```repro\ncompute: {args.name}\n```\nin a post.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
