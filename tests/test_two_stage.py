"""Two-stage computations on a real post: a caption edit redraws, a math edit recomputes.

The test builds the angle post against a private copy of ``computations/`` (first on the
path), so it can edit a caption and a formula without touching the repository.
"""

from __future__ import annotations

import os
import re
import shutil

from conftest import ROOT, TESTS, Site

POST = "angle-between-random-vectors.md"
CAPTION = "同色细阶梯线为每个"


def _summary(log: str) -> str:
    match = re.search(r"repro: \d+ directive\(s\): .*", log)
    assert match, log
    return match.group(0)


def test_a_caption_edit_redraws_from_stored_results_and_a_math_edit_recomputes(site: Site) -> None:
    shutil.copytree(ROOT / "computations", site.path / "computations", ignore=shutil.ignore_patterns("__pycache__"))
    (site.path / "content" / "posts").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "posts" / POST, site.path / "content" / "posts" / POST)
    environment = {"PYTHONPATH": os.pathsep.join([str(site.path), str(ROOT), str(TESTS)])}

    def build() -> str:
        result = site.build(registry="computations.registry", environment=environment)
        assert result.returncode == 0, result.log
        return _summary(result.log)

    directives = len(re.findall(r"^compute: ", (site.path / "content" / "posts" / POST).read_text(), re.MULTILINE))
    assert build().startswith(f"repro: {directives} directive(s): 0 cached, {directives} computed, 0 failed")
    page = site.output / "posts" / "angle-between-random-vectors.html"
    assert CAPTION in page.read_text(encoding="utf-8")
    before = {path.name: path.read_text(encoding="utf-8") for path in (site.output / "repro").rglob("*.csv")}

    pages = site.path / "computations" / "angles" / "pages.py"
    pages.write_text(pages.read_text(encoding="utf-8").replace(CAPTION, "改过的图注：每个"), encoding="utf-8")
    summary = build()
    assert summary.startswith(f"repro: {directives} directive(s): 0 cached, 0 computed, 0 failed"), summary
    assert f"{directives} redrawn from stored results" in summary
    html = page.read_text(encoding="utf-8")
    assert "改过的图注：每个" in html and CAPTION not in html
    after = {path.name: path.read_text(encoding="utf-8") for path in (site.output / "repro").rglob("*.csv")}
    assert after == before  # the same numbers, drawn again

    assert build().startswith(f"repro: {directives} directive(s): {directives} cached, 0 computed")

    theory = site.path / "computations" / "angles" / "theory.py"
    theory.write_text(theory.read_text(encoding="utf-8") + "\n# an edit of the mathematics\n", encoding="utf-8")
    assert build().startswith(f"repro: {directives} directive(s): 0 cached, {directives} computed, 0 failed")


RUN = """\
import pathlib
from dataclasses import dataclass
from typing import Annotated

from annotated_types import Interval

pathlib.Path("imports.log").open("a").write("run\\n")  # what the test watches


@dataclass(frozen=True)
class Doubled:
    value: int


def doubled(*, number: Annotated[int, Interval(ge=0)] = 1) -> Doubled:
    return Doubled(2 * number)
"""
SHOW = """\
import pathlib

from computations.report import Report, Table
from quick.run import Doubled

pathlib.Path("imports.log").open("a").write("show\\n")


def show(run: Doubled) -> Report:
    return Report(items=(Table(caption="两倍", columns=("值",), rows=((run.value,),)),))
"""


def test_a_warm_build_imports_no_computation(site: Site) -> None:
    # Issue 9: parameters of an unchanged body against unchanged code are read back, not validated.
    package = site.path / "quick"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "registry.py").write_text('COMPUTATIONS = {"quick.doubled": ("quick.run:doubled", "quick.show:show")}\n')
    (package / "run.py").write_text(RUN)
    (package / "show.py").write_text(SHOW)
    site.write(
        "posts/q.md", "Title: 快\nDate: 2026-11-01\nSlug: q\n\n```repro\ncompute: quick.doubled\nnumber: 21\n```\n"
    )
    environment = {"PYTHONPATH": os.pathsep.join([str(site.path), str(ROOT), str(TESTS)])}
    log = site.path / "imports.log"

    def build() -> list[str]:
        result = site.build(registry="quick.registry", environment=environment)
        assert result.returncode == 0, result.log
        return log.read_text().split() if log.exists() else []

    assert "run" in build()  # cold: validated against the signature, then run and drawn
    log.unlink()
    assert build() == []  # warm: neither stage imported
    assert '<td class="num">42</td>' in (site.output / "posts" / "q.html").read_text(encoding="utf-8")
    site.write(
        "posts/q.md", "Title: 快\nDate: 2026-11-01\nSlug: q\n\n```repro\ncompute: quick.doubled\nnumber: 22\n```\n"
    )
    assert "run" in build()  # a new body is validated (and run) again
    site.write(
        "posts/q.md", "Title: 快\nDate: 2026-11-01\nSlug: q\n\n```repro\ncompute: quick.doubled\nnumber: -1\n```\n"
    )
    failed = site.build(registry="quick.registry", environment=environment)
    assert failed.returncode != 0 and "parameter 'number': expected greater than or equal to 0" in failed.log


TIMED_SHOW = """\
from computations.report import Check, Report
from quick.run import Doubled


def show(run: Doubled) -> Report:
    return Report(items=(Check(claim="{claim}", passed=True, detail=""),))
"""


def test_a_redrawn_page_of_a_timed_computation_keeps_its_run_time_and_where_it_ran(site: Site) -> None:
    # A redraw runs only the present stage: the run's time and place are the stored run's.
    package = site.path / "quick"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "registry.py").write_text(
        'COMPUTATIONS = {"quick.doubled": ("quick.run:doubled", "quick.show:show")}\n'
        'EXCLUSIVE = frozenset({"quick.doubled"})\n'
    )
    (package / "run.py").write_text(RUN)
    (package / "show.py").write_text(TIMED_SHOW.format(claim="第一次"))
    site.write("posts/q.md", "Title: 快\nDate: 2026-11-01\nSlug: q\n\n```repro\ncompute: quick.doubled\n```\n")
    environment = {"PYTHONPATH": os.pathsep.join([str(site.path), str(ROOT), str(TESTS)])}

    def facts() -> tuple[str, str, str]:
        result = site.build(registry="quick.registry", environment=environment)
        assert result.returncode == 0, result.log
        page = (site.output / "posts" / "q.html").read_text(encoding="utf-8")
        seconds = re.search(r"<dt>计算耗时</dt><dd>([^<]+)</dd>", page)
        where = re.search(r"<dt>运行位置</dt><dd>([^<]+)</dd>", page)
        assert seconds and where, page
        return _summary(result.log), seconds.group(1), where.group(1)

    summary, seconds, where = facts()
    assert "1 computed" in summary and "local process pool" in where
    (package / "show.py").write_text(TIMED_SHOW.format(claim="第二次"))
    summary, again, still = facts()
    assert "1 redrawn from stored results" in summary, summary
    assert (again, still) == (seconds, where)
    assert "第二次" in (site.output / "posts" / "q.html").read_text(encoding="utf-8")
