"""Issue 8.11: pages depend on the tree only; run times and hosts go to the build report."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Site
from fake_computations import COMPUTATIONS, EXCLUSIVE
from test_site_build import _identical_trees

PAGES = {
    "line": "compute: toy.line\npoints: 12\nseed: 1",
    "data": "compute: toy.count_lines\ndata: content/data.txt",
    "timed": "compute: toy.timed",
}


def _post(slug: str, body: str) -> str:
    return f"Title: {slug}\nDate: 2026-11-01\nSlug: {slug}\n\n文字。\n\n```repro\n{body}\n```\n"


def _write_site(site: Site) -> None:
    for slug, body in PAGES.items():
        site.write(f"posts/{slug}.md", _post(slug, body))
    (site.path / "content" / "data.txt").write_text("一\n二\n", encoding="utf-8")


def _report(cache: Path) -> dict:
    return json.loads((cache / "build-report.json").read_text(encoding="utf-8"))


def test_two_cold_builds_give_identical_pages_except_those_that_measure_time(site: Site, tmp_path_factory) -> None:
    _write_site(site)
    first_cache, second_cache = tmp_path_factory.mktemp("cache-a"), tmp_path_factory.mktemp("cache-b")
    assert site.build(f'REPRO_CACHE_PATH="{first_cache}"').returncode == 0
    first = tmp_path_factory.mktemp("first") / "output"
    site.output.rename(first)
    result = site.build(f'REPRO_CACHE_PATH="{second_cache}"')
    assert result.returncode == 0, result.log
    assert _report(first_cache)["totals"]["computed"] == _report(second_cache)["totals"]["computed"] == 3
    # The timing page may differ (its run time is shown), and so may what embeds its text:
    # the feed and the search index. Every other file must not.
    timed = Path("posts") / "timed.html"
    aside = site.path / "aside"
    for tree, name in ((first, "first"), (site.output, "second")):
        for part in (timed, Path("feeds"), Path("pagefind")):
            (aside / name / part).parent.mkdir(parents=True, exist_ok=True)
            (tree / part).rename(aside / name / part)
    assert _identical_trees(first, site.output)
    # And the exception is exactly the pages of EXCLUSIVE computations.
    (aside / "second" / timed).rename(site.output / timed)
    showing_time = {page.stem for page in site.output.rglob("*.html") if "计算耗时" in page.read_text("utf-8")}
    assert showing_time == {"timed"}
    assert {name for name in COMPUTATIONS if name.removeprefix("toy.") in showing_time} == EXCLUSIVE


def test_report_records_computed_then_cached_with_seconds_host_and_totals(site: Site) -> None:
    _write_site(site)
    assert site.build().returncode == 0
    first = _report(site.cache)
    assert set(first) == {"started", "host", "totals", "records", "problems"} and first["host"]
    assert first["totals"] == {"directives": 3, "cached": 0, "computed": 3, "failed": 0, "redrawn": 0, "shared": 0}
    by_location = {r["location"]: r for r in first["records"]}
    assert set(by_location) == {f"content/posts/{slug}.md:7" for slug in PAGES}
    line = by_location["content/posts/line.md:7"]
    assert (line["name"], line["status"], line["outcome"]) == ("toy.line", "computed", "ok")
    assert len(line["key"]) == 64 and (site.cache / line["key"][:2] / f"{line['key']}.json").exists()
    assert line["seconds"] > 0

    result = site.build()
    second = _report(site.cache)
    assert second["totals"] == {"directives": 3, "cached": 3, "computed": 0, "failed": 0, "redrawn": 0, "shared": 0}
    again = {r["location"]: r for r in second["records"]}["content/posts/line.md:7"]
    # A hit reports the stored run time of the computation, not zero.
    assert (again["status"], again["key"], again["seconds"]) == ("cached", line["key"], line["seconds"])
    assert "repro: 3 directive(s): 3 cached, 0 computed, 0 failed" in result.log
    usage = json.loads((site.cache / "usage.json").read_text(encoding="utf-8"))
    assert usage["last_used"][line["key"]] == second["started"]
    assert usage["last_key"]["content/posts/line.md:7"] == line["key"]


def test_report_records_failures_with_their_message(site: Site) -> None:
    site.write("posts/fail.md", _post("fail", "compute: toy.fail\nmessage: 出错了"))
    site.write("posts/check.md", _post("check", "compute: toy.broken_check"))
    site.write("posts/bad.md", _post("bad", "compute: toy.line\npoints: 1"))
    result = site.build()
    assert result.returncode != 0
    report = _report(site.cache)
    records = {r["location"]: r for r in report["records"]}
    failed = records["content/posts/fail.md:7"]
    assert (failed["name"], failed["status"]) == ("toy.fail", "failed")
    assert "ValueError: 出错了" in failed["outcome"]
    check = records["content/posts/check.md:7"]
    assert (check["status"], check["outcome"]) == ("computed", "check failed: 一加一等于三 (1 + 1 = 2)")
    bad = records["content/posts/bad.md:9"]  # reported at the line of the bad parameter
    assert (bad["name"], bad["key"], bad["status"], bad["seconds"]) == ("toy.line", None, "failed", None)
    assert "parameter 'points'" in bad["outcome"]
    assert report["totals"] == {"directives": 3, "cached": 0, "computed": 2, "failed": 3, "redrawn": 0, "shared": 0}
    assert "repro: 3 directive(s): 0 cached, 2 computed, 3 failed" in result.log
