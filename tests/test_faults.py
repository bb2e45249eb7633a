"""Under faults (issue 12): interrupted, concurrent, killed and hung builds lose nothing.

Each test reproduces a fault with real builds of a tiny site (the fake registry's
``toy.hang`` starts a child process of its own and writes both pids to ``pids.txt``).
"""

from __future__ import annotations

import filecmp
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, Site
from reproduce.cache import ArtifactCache, Entry
from test_site_build import computed

LINE = "```repro\ncompute: toy.line\npoints: 12\nseed: 1\n```\n"
HANG = "```repro\ncompute: toy.hang\ntimeout: {timeout}\n```\n"


def _post(*bodies: str) -> str:
    return "Title: 故障\nDate: 2026-11-01\nSlug: faults\n\n正文。\n\n" + "\n".join(bodies)


def _start(site: Site, *settings: str) -> subprocess.Popen[str]:
    """A build in a session of its own (as a terminal would run it), its log on a pipe."""
    command = [sys.executable, "-m", "pelican", str(site.path / "content"), "-s", str(ROOT / "pelicanconf.py")]
    command += ["-o", str(site.output), "--fatal", "errors", "--log-handler", "plain", "-e"]
    command += [
        f'THEME="{ROOT / "theme"}"',
        f'PLUGIN_PATHS=["{ROOT / "plugins"}"]',
        'REPRO_REGISTRY="fake_computations"',
    ]
    command += [f'REPRO_CACHE_PATH="{site.cache}"', *settings]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)]), "COLUMNS": "400"}
    environment["HANG_PIDS"] = str(site.path / "pids.txt")
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    return subprocess.Popen(command, cwd=site.path, env=environment, start_new_session=True, **pipes)


def _wait_for(process: subprocess.Popen[str], text: str, *, seconds: float = 60) -> str:
    """The build's log up to the first line containing ``text``."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if text in line:
            return "".join(seen)
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"never saw {text!r}:\n{''.join(seen)}")


def _pids(site: Site) -> list[int]:
    deadline = time.monotonic() + 30
    while not (site.path / "pids.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return [int(pid) for pid in (site.path / "pids.txt").read_text().split()]


def _gone(pids: list[int], *, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie counts as gone: it runs nothing (our test process may be its parent's parent).
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_stops_every_worker_and_keeps_finished_results(site: Site, sent: int, status: int) -> None:
    site.write("posts/faults.md", _post(LINE, HANG.format(timeout=300)))
    build = _start(site)
    _wait_for(build, "ok toy.line")
    pids = _pids(site)
    started = time.monotonic()
    build.send_signal(sent)
    log = build.communicate(timeout=30)[0]
    assert build.returncode == status, log
    assert time.monotonic() - started < 10 and "Traceback" not in log
    assert _gone(pids), f"left running: {[pid for pid in pids if _alive(pid)]}"
    assert not site.output.exists()  # nothing published
    site.write("posts/faults.md", _post(LINE))
    assert computed(site.build().log) == (1, 0, 0)  # the result that had finished was cached


def test_a_timeout_kills_the_computations_own_children(site: Site) -> None:
    site.write("posts/faults.md", _post(HANG.format(timeout=2)))
    result = site.build(environment={"HANG_PIDS": str(site.path / "pids.txt")})
    assert "timed out after 2 s" in result.log
    assert _gone(_pids(site)), "the computation's child outlived the timeout"


def test_the_next_build_kills_and_reports_what_a_killed_build_left(site: Site) -> None:
    site.write("posts/faults.md", _post(HANG.format(timeout=300)))
    build = _start(site)
    _wait_for(build, "to compute")
    pids = _pids(site)
    os.killpg(build.pid, signal.SIGKILL)  # the build's own group only: its workers lead their own
    build.wait(timeout=10)
    assert any(_alive(pid) for pid in pids)  # the fault: orphans of a killed build
    site.write("posts/faults.md", _post(LINE))
    result = site.build()
    assert result.returncode == 0, result.log
    assert f"left worker process group(s) {pids[0]}" in result.log
    assert _gone(pids)


def test_two_builds_at_once_are_serialised_and_publish_a_whole_site(site: Site, tmp_path_factory) -> None:
    site.write("posts/faults.md", _post(LINE, "```repro\ncompute: toy.sleep\nseconds: 2\n```\n"))
    first = _start(site)
    time.sleep(0.5)
    second = _start(site)
    logs = [first.communicate(timeout=120)[0], second.communicate(timeout=120)[0]]
    assert first.returncode == second.returncode == 0, logs
    assert any("another build of" in log and "waiting" in log for log in logs)
    single = tmp_path_factory.mktemp("single")
    reference = Site(single)
    reference.write("posts/faults.md", _post(LINE, "```repro\ncompute: toy.sleep\nseconds: 2\n```\n"))
    assert reference.build().returncode == 0
    assert _same_tree(site.output, reference.output)


def test_a_build_killed_while_publishing_leaves_the_site_recoverable(site: Site) -> None:
    site.write("posts/faults.md", _post(LINE))
    assert site.build().returncode == 0
    published = (site.output / "posts" / "faults.html").read_bytes()
    site.output.rename(site.path / "output.previous")  # the instant between promote's two renames
    site.write("posts/faults.md", _post(LINE.replace("points: 12", "points: 1")))  # and the next build fails
    result = site.build()
    assert result.returncode != 0
    assert "restored" in result.log
    assert (site.output / "posts" / "faults.html").read_bytes() == published


def _same_tree(left: Path, right: Path) -> bool:
    files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    if files != sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(left / f, right / f, shallow=False) for f in files if f.parts[0] != "pagefind")


def test_messages_name_the_real_line_and_what_is_wrong(site: Site) -> None:
    # Issue 12.11: an empty fence at its line, a non-name compute, a label ending in '-',
    # and references shown as code are left alone.
    site.write(
        "posts/faults.md",
        _post(
            "见 `@fig:x` 与\n\n    @tab:y\n\n",
            "```repro\n```\n",
            "```repro\ncompute: 5\n```\n",
            "```repro\ncompute: toy.line\nlabel: den-\n```\n",
        ),
    )
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/faults.md:12: directive: empty directive" in result.log, result.log
    assert (
        "content/posts/faults.md:16: directive: key 'compute': expected the name of a registered computation, got 5"
        in result.log
    )
    assert "content/posts/faults.md:21: directive 'toy.line': parameter 'label'" in result.log
    assert "unknown reference" not in result.log  # the code span and the code block
    assert "build failed: 3 problem(s)" in result.log


def test_a_post_that_is_not_utf8_names_its_line(site: Site) -> None:
    path = site.write("posts/faults.md", _post(LINE))
    path.write_bytes(path.read_bytes().replace("正文".encode(), "正文".encode("gbk")))
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/faults.md:5: not UTF-8" in result.log, result.log


def test_a_result_that_cannot_be_drawn_is_never_cached_and_a_bad_entry_is_recomputed(site: Site) -> None:
    # Issue 12.5: the bad table used to be cached, then every build failed with a bare ValueError.
    site.write("posts/faults.md", _post("```repro\ncompute: toy.bad_table\n```\n"))
    result = site.build()
    message = "directive 'toy.bad_table': ValueError: table '多一格': row 1 has 3 cells, expected 2"
    assert f"content/posts/faults.md:7: {message}" in result.log, result.log
    assert computed(site.build().log) == (0, 1, 1)  # tried again: nothing was cached
    # An entry written by an older, laxer version: intact on disk, but undrawable.
    site.write("posts/faults.md", _post(LINE))
    assert site.build().returncode == 0
    store = ArtifactCache(site.cache)
    (key,) = store.keys()
    entry = store.get(key)
    bad = {**entry.artifact, "items": [{**entry.artifact["items"][1], "rows": [["1", "2", "3"]]}]}
    store.put(key, Entry(bad, entry.result, entry.page))
    result = site.build()
    assert result.returncode == 0, result.log
    assert "content/posts/faults.md:7: its cached result cannot be drawn; recomputing" in result.log
    assert computed(result.log) == (0, 1, 0)


def test_draft_error_boxes_do_not_publish_the_build_machines_paths(site: Site) -> None:
    # Issue 12.12: a traceback's absolute paths told readers where the site was built.
    site.write("posts/faults.md", _post("```repro\ncompute: toy.fail\n```\n"))
    result = site.build("REPRO_STRICT=false")
    assert result.returncode == 0, result.log
    page = (site.draft / "posts" / "faults.html").read_text(encoding="utf-8")
    assert "ValueError: boom" in page and "…/tests/fake_computations.py" in page
    for path in (str(ROOT), str(site.path), "/usr/", "/root"):
        assert path not in page


def test_metadata_is_text_wherever_the_theme_prints_it(site: Site) -> None:
    # Issue 12.13: `Title: <script>` went raw into <h1>; a javascript: or quoted Original_url broke out of href.
    site.write(
        "posts/faults.md",
        "Title: <script>alert(1)</script>标题\nDate: 2026-11-01\nSlug: faults\nOriginal_url: javascript:alert(2)\n"
        'Original_title: "><img src=x onerror=alert(3)>\n\n正文。\n',
    )
    site.write(
        "posts/other.md",
        'Title: 另一篇\nDate: 2026-11-02\nSlug: other\nOriginal_url: https://x.cn/a" onmouseover="b\n\n正文。\n',
    )
    result = site.build()
    assert result.returncode == 0, result.log
    for page in site.output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "javascript:" not in html, page
        assert 'onmouseover="b' not in html, page
    article = (site.output / "posts" / "faults.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in article
    other = (site.output / "posts" / "other.html").read_text(encoding="utf-8")
    assert 'href="https://x.cn/a&#34; onmouseover=&#34;b"' in other


@pytest.mark.parametrize("kind", ["file", "dangling link"])
def test_a_broken_cache_path_is_one_clear_error_before_any_work(site: Site, kind: str) -> None:
    # Issue 12.7: the build computed everything, then failed writing the cache.
    site.write("posts/faults.md", _post(LINE))
    if kind == "file":
        site.cache.write_text("not a folder")
    else:
        site.cache.symlink_to(site.path / "nowhere")
    result = site.build()
    assert result.returncode == 1
    assert (
        f"the cache path {site.cache} is {'not a folder' if kind == 'file' else 'a symlink to nothing'}" in result.log
    )
    assert "to compute" not in result.log and "Traceback" not in result.log


def test_a_read_only_cache_serves_what_it_holds_and_stores_nothing(site: Site) -> None:
    site.write("posts/faults.md", _post(LINE))
    assert site.build().returncode == 0
    entries = sorted(site.cache.rglob("*.json"))
    site.write("posts/other.md", _post(LINE.replace("points: 12", "points: 13")).replace("Slug: faults", "Slug: o"))
    result = site.build("REPRO_CACHE_READ_ONLY=true")
    assert result.returncode == 0, result.log
    assert "is read-only here" in result.log and computed(result.log) == (1, 1, 0)
    assert sorted(site.cache.rglob("*.json")) == entries  # nothing written, not even the report


def test_an_oversized_input_is_refused_before_it_is_read(site: Site) -> None:
    # Issue 12.8: inputs were hashed outside any timeout (a 30 GB file: a minute).
    big = site.path / "content" / "big.txt"
    big.parent.mkdir(parents=True, exist_ok=True)
    with big.open("wb") as handle:
        handle.truncate(300 * 2**20)  # sparse: nothing is written
    site.write("posts/faults.md", _post("```repro\ncompute: toy.count_lines\ndata: content/big.txt\n```\n"))
    started = time.monotonic()
    result = site.build()
    assert result.returncode != 0 and time.monotonic() - started < 30
    assert "content/big.txt is 300 MiB; an input file may have at most 256 MiB" in result.log, result.log


def test_verify_recomputes_and_reports_a_nondeterministic_result(site: Site) -> None:
    # Issue 12.10: the cache froze the first value; a rebuild silently changed the published number.
    site.write("posts/faults.md", _post(LINE, "```repro\ncompute: toy.jitter\n```\n"))
    assert site.build().returncode == 0
    published = (site.output / "posts" / "faults.html").read_bytes()
    result = site.build('REPRO_MODE="verify"')
    assert result.returncode != 0
    assert "content/posts/faults.md:13: verify: the result differs from the cached one with the same key" in result.log
    assert "faults.md:7: verify" not in result.log  # the seeded toy.line recomputes the same result
    assert (site.output / "posts" / "faults.html").read_bytes() == published
    assert computed(site.build().log) == (2, 0, 0)  # the cache kept what was published


def test_a_computation_writes_only_into_its_scratch_folder_and_its_output_is_captured(site: Site) -> None:
    # Issue 12.9: one wrote into content/posts/ and broke six builds; one poured 40 MB into the log.
    body = "```repro\ncompute: toy.scribble\n```\n\n```repro\ncompute: toy.scribble\nwhere: fail\n```\n"
    site.write("posts/faults.md", _post(body))
    result = site.build()
    assert not (site.path / "stray.txt").exists() and not (site.path / "fail").exists()
    assert len(result.log) < 20_000  # the 30 MB of output went elsewhere
    assert "RuntimeError: scribbled and failed" in result.log and "its output ended with:" in result.log
    assert "最后一行输出" in result.log
    site.write("posts/faults.md", _post("```repro\ncompute: toy.scribble\nwhere: content/posts/faults.md\n```\n"))
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/faults.md:1: changed while computations ran (one of: toy.scribble" in result.log, result.log


def test_every_problem_of_a_directive_is_reported_at_once(site: Site) -> None:
    # Issue 12.11: `points: 1`, `slope: x`, `pionts: 3` needed three rebuilds to find.
    site.write("posts/faults.md", _post("```repro\ncompute: toy.line\npoints: 1\nslope: x\npionts: 3\n```\n"))
    result = site.build()
    assert result.returncode != 0 and "build failed: 3 problem(s)" in result.log, result.log
    assert "content/posts/faults.md:9: directive 'toy.line': parameter 'points': expected greater than" in result.log
    assert "content/posts/faults.md:10: directive 'toy.line': parameter 'slope': expected a valid number" in result.log
    assert (
        "content/posts/faults.md:11: directive 'toy.line': unknown parameter 'pionts' (did you mean 'points'?)"
        in result.log
    )


def test_a_figure_over_the_size_limit_warns(site: Site) -> None:
    site.write("posts/faults.md", _post("```repro\ncompute: toy.dense\n```\n"))
    result = site.build()
    assert result.returncode == 0, result.log
    assert re.search(r"warning: toy.dense \(content/posts/faults.md:7\): figure 1 is \d+ KiB of SVG", result.log)


HOSTILE = """<script>alert(1)</script><img src="x" onerror="alert(2)"> <a href="javascript:alert(3)">链接</a>

行内公式 $x^2$。

```repro
compute: toy.line
```
"""


def test_an_untrusted_site_sanitises_posts_but_keeps_what_the_build_adds(site: Site) -> None:
    # Issue 12.13: raw HTML in a post runs in readers' browsers unless the site sanitises it.
    site.write("posts/faults.md", _post(HOSTILE))
    trusting = site.build()
    assert trusting.returncode == 0, trusting.log
    assert "<script>alert(1)</script>" in (site.output / "posts" / "faults.html").read_text(encoding="utf-8")
    result = site.build("REPRO_UNTRUSTED_POSTS=true")
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "faults.html").read_text(encoding="utf-8")
    post = page[page.index('class="post-content"') :]
    assert "<script>alert(1)" not in post and "onerror" not in post and "javascript:" not in post
    assert '<figure class="repro-figure"' in post and "<math" in post  # the build's own output stays
