"""Issue 8.12: ``invoke cache list / why / gc`` on real small sites built with the fake registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from conftest import ROOT, TESTS, Site

HEADER = "Title: 直线\nDate: 2026-11-01\nSlug: line\n\n文字。\n\n"
LINE = HEADER + "```repro\ncompute: toy.line\npoints: {points}\nseed: 1\n```\n"
DATA = "Title: 数据\nDate: 2026-11-01\nSlug: data\n\n```repro\ncompute: toy.count_lines\ndata: content/data.txt\n```\n"


def cache_tool(site: Site, *arguments: str, registry: str = "fake_computations") -> str:
    """Run ``python -m reproduce.cachetool`` from the site's folder, as ``invoke cache`` does from ours."""
    command = [
        sys.executable,
        "-m",
        "reproduce.cachetool",
        "--content",
        "content",
        "--cache",
        str(site.cache),
        "--registry",
        registry,
        *arguments,
    ]
    path = os.pathsep.join([str(ROOT), str(TESTS), str(ROOT / "plugins")])
    result = subprocess.run(
        command, cwd=site.path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path}, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_list_shows_each_entry_with_its_directive_size_and_last_use(site: Site) -> None:
    site.write("posts/line.md", LINE.format(points=12))
    assert site.build().returncode == 0
    (key,) = [path.stem for path in site.cache.glob("??/*.json")]
    listing = cache_tool(site, "list")
    (row,) = [line for line in listing.splitlines() if line.startswith(key[:16])]
    assert "toy.line" in row and "content/posts/line.md:7" in row
    assert " kB " in row or " B " in row
    started = json.loads((site.cache / "build-report.json").read_text())["started"]
    assert started in row
    assert "1 entry, " in listing and "0 directive(s) not cached" in listing


def test_why_names_the_edited_parameter_and_says_when_it_is_served(site: Site) -> None:
    site.write("posts/line.md", LINE.format(points=12))
    assert site.build().returncode == 0
    assert "served from the cache" in cache_tool(site, "why", "content/posts/line.md:7")
    site.write("posts/line.md", LINE.format(points=13))
    answer = cache_tool(site, "why", "content/posts/line.md:9")  # a line inside the fence
    assert "content/posts/line.md:7 toy.line: recomputed" in answer
    assert "the last one built for content/posts/line.md:7" in answer
    changes = [line for line in answer.splitlines() if line.startswith("  - ")]
    assert changes == ["  - parameter 'points': 12 → 13"]


def test_why_names_the_module_whose_code_changed(site: Site) -> None:
    package = site.path / "tinycomp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "registry.py").write_text(
        'COMPUTATIONS = {"tiny.value": ("tinycomp.topic:value", "tinycomp.topic:show")}\n'
    )
    (package / "helper.py").write_text("ANSWER = 42\n")
    (package / "topic.py").write_text(
        textwrap.dedent("""\
        from dataclasses import dataclass

        from computations.report import Check, Report
        from tinycomp.helper import ANSWER


        @dataclass(frozen=True)
        class Answer:
            value: int


        def value() -> Answer:
            return Answer(ANSWER)


        def show(run: Answer) -> Report:
            return Report(items=(Check(claim="答案", passed=run.value == 42, detail=""),))
        """)
    )
    site.write("posts/tiny.md", "Title: 小\nDate: 2026-11-01\n\n```repro\ncompute: tiny.value\n```\n")
    result = site.build(registry="tinycomp.registry")
    assert result.returncode == 0, result.log
    assert "served from the cache" in cache_tool(site, "why", "content/posts/tiny.md:4", registry="tinycomp.registry")
    (package / "helper.py").write_text("ANSWER = 42  # same value, other source\n")
    answer = cache_tool(site, "why", "content/posts/tiny.md:4", registry="tinycomp.registry")
    changes = [line for line in answer.splitlines() if line.startswith("  - ")]
    assert changes == ["  - code of module tinycomp.helper changed"]


def test_why_says_a_present_stage_edit_only_redraws(site: Site) -> None:
    package = site.path / "tinycomp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    registry = 'COMPUTATIONS = {"tiny.value": ("tinycomp.run:value", "tinycomp.show:show")}\n'
    (package / "registry.py").write_text(registry)
    (package / "run.py").write_text(
        "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Answer:\n    value: int\n\n\n"
        "def value() -> Answer:\n    return Answer(42)\n"
    )
    show = package / "show.py"
    show.write_text(
        "from computations.report import Check, Report\nfrom tinycomp.run import Answer\n\n\n"
        "def show(run: Answer) -> Report:\n    return Report(items=(Check(claim='答案', passed=True, detail=''),))\n"
    )
    site.write("posts/tiny.md", "Title: 小\nDate: 2026-11-01\n\n```repro\ncompute: tiny.value\n```\n")
    assert site.build(registry="tinycomp.registry").returncode == 0
    show.write_text(show.read_text().replace("'答案'", "'新的答案'"))
    answer = cache_tool(site, "why", "content/posts/tiny.md:4", registry="tinycomp.registry")
    assert "its result is served from the cache" in answer and "its page redrawn" in answer, answer


def test_why_names_the_input_file_that_changed(site: Site) -> None:
    site.write("posts/data.md", DATA)
    (site.path / "content" / "data.txt").write_text("一\n二\n", encoding="utf-8")
    assert site.build().returncode == 0
    (site.path / "content" / "data.txt").write_text("一\n二\n三\n", encoding="utf-8")
    answer = cache_tool(site, "why", "content/posts/data.md:5")
    changes = [line for line in answer.splitlines() if line.startswith("  - ")]
    assert changes == ["  - input file data.txt (parameter 'data') changed"]


def test_gc_removes_the_entry_of_a_deleted_directive_and_keeps_used_ones(site: Site) -> None:
    site.write("posts/line.md", LINE.format(points=12))
    site.write("posts/other.md", LINE.format(points=30).replace("Slug: line", "Slug: other"))
    assert site.build().returncode == 0
    keys = {path.stem for path in site.cache.glob("??/*.json")}
    assert len(keys) == 2
    report = json.loads((site.cache / "build-report.json").read_text())
    (other,) = [r["key"] for r in report["records"] if r["location"].startswith("content/posts/other.md")]
    (site.path / "content" / "posts" / "other.md").unlink()
    leftover = site.cache / "ab" / "interrupted.tmp"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_text("half")

    dry = cache_tool(site, "gc", "--dry-run")
    assert f"would remove {other[:16]} toy.line" in dry
    assert {path.stem for path in site.cache.glob("??/*.json")} == keys and leftover.exists()

    removed = cache_tool(site, "gc")
    assert f"removed {other[:16]} toy.line" in removed and "removed ab/interrupted.tmp" in removed
    assert "freed" in removed and "bytes" in removed
    assert {path.stem for path in site.cache.glob("??/*.json")} == keys - {other}
    assert not leftover.exists()
    # The kept entry still serves the remaining directive.
    assert "1 cached, 0 computed" in site.build().log


def test_gc_removes_parameter_records_and_listings_nothing_uses_now(site: Site) -> None:
    site.write("posts/line.md", LINE.format(points=12))
    assert site.build().returncode == 0
    (current,) = (site.cache / "sources").glob("*.html")  # the fake registry is one module
    (kept,) = (site.cache / "params").glob("*.json")
    site.write("posts/line.md", LINE.format(points=13))  # another body: another parameter record
    assert site.build().returncode == 0
    (old,) = set((site.cache / "params").glob("*.json")) - {kept}
    old, kept = kept, old
    stale = site.cache / "sources" / f"{'0' * 64}.html"  # a listing of a file as it was once
    stale.write_text("<div>旧的</div>", encoding="utf-8")

    dry = cache_tool(site, "gc", "--dry-run")
    assert "would remove 1 parameter record(s) no directive uses" in dry
    assert "would remove 1 source listing(s) of code as it no longer is" in dry
    assert old.exists() and stale.exists()
    removed = cache_tool(site, "gc")
    assert "removed 1 parameter record(s)" in removed and "removed 1 source listing(s)" in removed
    assert set((site.cache / "params").glob("*.json")) == {kept}
    assert set((site.cache / "sources").glob("*.html")) == {current}
    before = {path: path.stat().st_mtime_ns for path in (kept, current)}
    result = site.build()  # what is kept still serves the build: nothing validated or highlighted again
    assert "1 cached, 0 computed" in result.log
    now = [*(site.cache / "params").iterdir(), *(site.cache / "sources").iterdir()]
    assert {path: path.stat().st_mtime_ns for path in now} == before
