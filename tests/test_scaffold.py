"""``invoke new-computation``: the scaffold builds and tests as written, in a copy of the project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, Site

sys.path.insert(0, str(ROOT / "scripts"))
from new_computation import scaffold


def _project(into: Path) -> Path:
    """The parts of this checkout the scaffold writes to: computations/ and tests/."""
    shutil.copytree(ROOT / "computations", into / "computations", ignore=shutil.ignore_patterns("__pycache__"))
    (into / "tests").mkdir()
    shutil.copy(TESTS / "reports.py", into / "tests" / "reports.py")
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def test_a_new_topic_scaffold_passes_its_test_lint_and_builds_a_page(site: Site) -> None:
    project = _project(site.path / "project")
    written = scaffold("coins.flips", root=project)
    assert {path.relative_to(project).as_posix() for path in written} == {
        "computations/coins/__init__.py",
        "computations/coins/experiments.py",
        "computations/coins/pages.py",
        "tests/test_coins.py",
        "computations/registry.py",
    }
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(project / "tests"), str(ROOT)])}
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=project, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_coins.py"]
    tests = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    assert tests.returncode == 0 and "1 passed" in tests.stdout, tests.stdout + tests.stderr

    post = "Title: 硬币\nDate: 2026-11-01\nSlug: coins\n\n均值为 @val:flips.mean。\n\n"
    post += "```repro\ncompute: coins.flips\nlabel: flips\n```\n"
    site.write("posts/coins.md", post)
    result = site.build(registry="computations.registry", environment={"PYTHONPATH": environment["PYTHONPATH"]})
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "coins.html").read_text(encoding="utf-8")
    assert '<figure class="repro-figure"' in page and '<table class="repro-table"' in page
    assert re.search(r'class="repro-check pass"', page)
    assert re.search(r'均值为 <span class="repro-value">-?\d\.\d{3}</span>', page)


def test_an_existing_topic_gets_a_second_computation_and_a_taken_name_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    scaffold("angles.extra", root=project)
    pages = (project / "computations" / "angles" / "pages.py").read_text(encoding="utf-8")
    assert "def extra(run: experiments.ExtraRun) -> Report:" in pages and "def density(run: DensityRun)" in pages
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=project, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    with pytest.raises(ValueError, match="registered already"):
        scaffold("angles.extra", root=project)
