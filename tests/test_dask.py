"""Dask as the executor (issue 13.2): real builds whose jobs run on a LocalCluster started here.

One cluster of two worker processes serves the module (a start costs seconds); the tests
that need workers of another kind (another checkout, daemonic) start their own. Builds
reach a cluster as they would a remote one: ``REPRO_EXECUTOR="tcp://host:port"``.
"""

from __future__ import annotations

import filecmp
import hashlib
import re
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
import pytest
from conftest import ROOT, TESTS, Site
from distributed import Client, Future, LocalCluster
from reproduce.cache import ArtifactCache
from reproduce.cluster import DaskExecutor, differences
from reproduce.executor import ExecutorError, ExecutorSpec, parse_executor
from reproduce.jobs import Job, Request
from test_faults import _alive, _gone, _start, _wait_for
from test_site_build import computed

LINE = "```repro\ncompute: toy.line\npoints: {points}\nseed: 1\n```\n"


def _post(*bodies: str, slug: str = "faults") -> str:
    return f"Title: 分布式\nDate: 2026-11-01\nSlug: {slug}\n\n正文。\n\n" + "\n".join(bodies)


def _cluster(folder: Path, *, workers: int = 2, daemon: bool = False, **env: str) -> LocalCluster:
    with dask.config.set({"distributed.worker.daemon": daemon}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # its HTTP server, on a free port (not 8787)
            local_directory=str(folder),
            env=env,
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """Two worker processes; ``toy.hang`` notes its pids in ``<local_directory>/pids.txt``."""
    folder = tmp_path_factory.mktemp("dask")
    with _cluster(folder, HANG_PIDS=str(folder / "pids.txt")) as started:
        started.folder = folder  # type: ignore[attr-defined]
        yield started


def _on(cluster: LocalCluster) -> str:
    return f'REPRO_EXECUTOR="{cluster.scheduler_address}"'


def _hang_pids(cluster: LocalCluster) -> list[int]:
    path = cluster.folder / "pids.txt"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = [int(pid) for pid in path.read_text().split()]
    path.unlink()
    return pids


def _differing(left: Path, right: Path) -> list[str]:
    """Files present in one tree only, or with other bytes (every file, the search index too)."""
    files = {p.relative_to(left) for p in left.rglob("*") if p.is_file()}
    others = {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    both = files & others
    return sorted(str(f) for f in (files ^ others) | {f for f in both if not filecmp.cmp(left / f, right / f, False)})


def test_a_dask_build_is_byte_identical_to_the_local_pools(cluster: LocalCluster, tmp_path_factory) -> None:
    sites = [Site(tmp_path_factory.mktemp(name)) for name in ("pool", "dask")]
    for site in sites:
        values = "末点为 @val:line.last，共 @val:line.points。\n\n"
        site.write("posts/a.md", _post(values, LINE.format(points=12).replace("seed: 1", "label: line")))
        data = "```repro\ncompute: toy.count_lines\ndata: content/data.txt\n```\n"
        site.write("posts/b.md", _post(LINE.format(points=30), data, slug="b"))
        site.write("data.txt", "一\n二\n三\n")
    pool = sites[0].build()
    dask_build = sites[1].build(_on(cluster))
    assert pool.returncode == 0, pool.log
    assert dask_build.returncode == 0, dask_build.log
    assert f"to compute on the Dask cluster at {cluster.scheduler_address} (2 worker(s))" in dask_build.log
    assert computed(pool.log) == computed(dask_build.log) == (0, 3, 0)
    assert _differing(sites[0].output, sites[1].output) == []
    assert computed(sites[1].build(_on(cluster)).log) == (3, 0, 0)  # what the workers made was cached


def test_a_job_over_its_timeout_is_killed_with_its_children(site: Site, cluster: LocalCluster) -> None:
    site.write("posts/faults.md", _post("```repro\ncompute: toy.hang\ntimeout: 2\n```\n", LINE.format(points=12)))
    result = site.build(_on(cluster))
    assert result.returncode == 1
    message = "directive 'toy.hang': timed out after 2 s and was killed (raise 'timeout' if it needs longer)"
    assert f"content/posts/faults.md:7: {message}" in result.log, result.log
    assert _gone(_hang_pids(cluster)), "the computation or its child outlived the timeout"
    assert computed(result.log) == (0, 2, 1)


def test_a_crashing_job_is_reported_and_later_jobs_still_run(site: Site, cluster: LocalCluster) -> None:
    crashes = ["```repro\ncompute: toy.crash\n```\n", "```repro\ncompute: toy.segfault\n```\n"]
    lines = [LINE.format(points=points) for points in (12, 13, 14)]
    site.write("posts/faults.md", _post(*crashes, *lines))
    result = site.build(_on(cluster))
    assert result.returncode == 1
    died = "the worker process died while computing"
    assert f"content/posts/faults.md:7: directive 'toy.crash': {died}: exit code 3" in result.log, result.log
    assert f"content/posts/faults.md:11: directive 'toy.segfault': {died}: segmentation fault (SIGSEGV)" in result.log
    assert computed(result.log) == (0, 5, 2)
    site.write("posts/faults.md", _post(*lines, LINE.format(points=15)))
    again = site.build(_on(cluster))
    assert again.returncode == 0, again.log
    assert computed(again.log) == (3, 1, 0)  # the pools replaced their dead processes
    assert len(cluster.scheduler_info["workers"]) == 2  # and no Dask worker died


def test_computations_that_measure_time_run_alone_and_their_page_names_the_worker(
    site: Site, cluster: LocalCluster
) -> None:
    site.write("posts/faults.md", _post("```repro\ncompute: toy.timed\n```\n", LINE.format(points=12)))
    result = site.build(_on(cluster))
    assert result.returncode == 0, result.log
    assert re.search(r"\[1/1\] ok toy.line .*\n.*\[1/1\] ok toy.timed", result.log), result.log  # after the others
    page = (site.output / "posts" / "faults.html").read_text(encoding="utf-8")
    first = sorted(cluster.scheduler_info["workers"])[0]
    assert f"<dt>运行位置</dt><dd>{socket.gethostname()}, Dask worker {first}</dd>" in page
    assert page.count("运行位置") == 1  # only the timed directive's note says where it ran


def test_the_local_pool_names_where_time_was_measured_too(site: Site) -> None:
    site.write("posts/faults.md", _post("```repro\ncompute: toy.timed\n```\n", LINE.format(points=12)))
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "faults.html").read_text(encoding="utf-8")
    assert f"<dt>运行位置</dt><dd>{socket.gethostname()}, local process pool</dd>" in page
    assert page.count("运行位置") == 1


def test_an_interrupt_stops_the_jobs_on_the_workers(site: Site, cluster: LocalCluster) -> None:
    site.write("posts/faults.md", _post(LINE.format(points=12), "```repro\ncompute: toy.hang\ntimeout: 300\n```\n"))
    build = _start(site, _on(cluster))
    _wait_for(build, "ok toy.line", seconds=180)  # a loaded machine starts slowly
    pids = _hang_pids(cluster)
    started = time.monotonic()
    build.send_signal(signal.SIGINT)
    log = build.communicate(timeout=60)[0]
    assert build.returncode == 130, log
    assert time.monotonic() - started < 15 and "Traceback" not in log
    assert _gone(pids), f"left running on a worker: {[pid for pid in pids if _alive(pid)]}"
    assert not site.output.exists()
    # The worker threads that waited for the stopped jobs are free again: the cluster takes the next build.
    site.write("posts/faults.md", _post(LINE.format(points=12), LINE.format(points=13), LINE.format(points=14)))
    after = site.build(_on(cluster))
    assert after.returncode == 0, after.log
    assert computed(after.log) == (1, 2, 0)


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """One worker that runs a copy of the project (``REPRO_CHECKOUT``), as a worker on another machine would.

    The copy holds the computations, the plugins and the test registry; ``.checkout`` names it.
    """
    copy = tmp_path_factory.mktemp("checkout")
    for folder in ("computations", "plugins"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(TESTS / "fake_computations.py", copy / "fake_computations.py")
    (copy / "node_modules").symlink_to(ROOT / "node_modules")  # temml, for a build from the copy
    with _cluster(tmp_path_factory.mktemp("elsewhere"), workers=1, REPRO_CHECKOUT=str(copy)) as started:
        started.checkout = copy  # type: ignore[attr-defined]
        yield started


@contextmanager
def _edited(path: Path, old: str, new: str) -> Iterator[None]:
    original = path.read_text(encoding="utf-8")
    assert old in original
    path.write_text(original.replace(old, new, 1), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_worker_whose_checkout_differs_is_rejected_and_nothing_is_cached(site: Site, elsewhere: LocalCluster) -> None:
    registry = elsewhere.checkout / "fake_computations.py"  # type: ignore[attr-defined]
    site.write("posts/faults.md", _post(LINE.format(points=12)))
    with _edited(registry, '"""A noisy line."""', '"""A noisy line (edited on the worker only)."""'):
        result = site.build(_on(elsewhere))
        theirs = hashlib.sha256(registry.read_bytes()).hexdigest()[:12]
    assert result.returncode == 1
    ours = hashlib.sha256((TESTS / "fake_computations.py").read_bytes()).hexdigest()[:12]
    (worker,) = elsewhere.scheduler_info["workers"]
    expected = (
        f"content/posts/faults.md:7: directive 'toy.line': rejected: {socket.gethostname()}, Dask worker {worker} "
        f"does not run the build's environment (code: fake_computations (build {ours}…, worker {theirs}…); "
        f"present code: fake_computations (build {ours}…, worker {theirs}…)); its result was not used or cached"
    )
    assert expected in result.log, result.log
    assert ArtifactCache(site.cache).keys() == [] and not site.output.exists()
    # The same worker, its checkout level with the build's again: accepted.
    level = site.build(_on(elsewhere))
    assert level.returncode == 0, level.log
    assert computed(level.log) == (0, 1, 0) and len(ArtifactCache(site.cache).keys()) == 1


def test_a_long_lived_worker_runs_the_code_of_each_build(site: Site, elsewhere: LocalCluster) -> None:
    # The build runs from the worker's copy too; between two builds both see one edit of the
    # renderer, which the worker process had imported (and forked its pool from) for the first.
    copy = elsewhere.checkout  # type: ignore[attr-defined]
    settings = (f'PLUGIN_PATHS=["{copy / "plugins"}"]', _on(elsewhere))
    environment = {"PYTHONPATH": str(copy)}
    site.write("posts/faults.md", _post(LINE.format(points=12)))
    first = site.build(*settings, environment=environment)
    assert first.returncode == 0, first.log
    # (an attribute the SVG sanitiser keeps: safesvg.py removes any it does not know)
    assert 'class="edited"' not in (site.output / "posts" / "faults.html").read_text(encoding="utf-8")
    svg = copy / "plugins" / "reproduce" / "svg.py"
    with _edited(
        svg, 'svg[svg.index("<svg") :]', 'svg[svg.index("<svg") :].replace("<svg ", \'<svg class="edited" \', 1)'
    ):
        second = site.build(*settings, environment=environment)
    assert second.returncode == 0, second.log
    assert "1 redrawn from stored results" in second.log  # the renderer changed: the page is drawn again
    assert 'class="edited"' in (site.output / "posts" / "faults.html").read_text(encoding="utf-8")


def test_the_build_checks_each_reply_itself_whatever_the_worker_says(cluster: LocalCluster) -> None:
    # The worker compares fingerprints before computing, but the build does not rely on it:
    # replies as a worker with another environment (or another version of this code) could send.
    expected = {"code": {"topic.module": "1" * 64}, "python": "3.11.2"}
    job = Job("k" * 64, Request("m:run", "toy.line", {}, 0, "m:show"), 5.0, "toy.line (a.md:1)")
    with Client(cluster) as client:
        executor = DaskExecutor(client, context=None)
        executor.expected[job.key] = expected

        def reply(found: dict | None) -> Future:
            return client.submit(
                dict, artifact={"items": []}, found=found, error=None, seconds=0.1, where="w1", pure=False
            )

        lying = executor.outcome(job, reply({**expected, "code": {"topic.module": "2" * 64}}))
        assert lying.artifact is None and lying.error.startswith(
            "rejected: w1 does not run the build's environment (code: topic.module (build 111111111111…, worker "
            "222222222222…)); its result was not used or cached"
        )
        silent = executor.outcome(job, reply(None))
        assert silent.artifact is None and "python: build 3.11.2, worker none" in silent.error
        assert executor.outcome(job, reply(expected)).artifact == {"items": []}


def test_a_daemonic_worker_is_one_clear_error(site: Site, tmp_path_factory) -> None:
    site.write("posts/faults.md", _post(LINE.format(points=12)))
    with _cluster(tmp_path_factory.mktemp("daemonic"), workers=1, daemon=True) as daemonic:
        result = site.build(_on(daemonic))
    assert result.returncode == 1
    assert "is a daemonic process and cannot start the processes that run jobs" in result.log, result.log
    assert "distributed.worker.daemon: False" in result.log
    assert "Traceback" not in result.log and not site.output.exists()


def test_an_unreachable_scheduler_is_one_clear_error(site: Site) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site.write("posts/faults.md", _post(LINE.format(points=12)))
    result = site.build(
        f'REPRO_EXECUTOR="dask://127.0.0.1:{port}"', environment={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    )
    assert result.returncode == 1
    assert f"repro: REPRO_EXECUTOR=tcp://127.0.0.1:{port}: cannot reach the Dask scheduler" in result.log, result.log
    assert "Traceback" not in result.log and not site.output.exists()


def test_a_bad_executor_setting_is_refused_before_any_work(site: Site) -> None:
    site.write("posts/faults.md", _post(LINE.format(points=12)))
    result = site.build(environment={"REPRO_EXECUTOR": "local:0"})  # the environment variable counts too
    assert result.returncode == 1
    assert "REPRO_EXECUTOR: expected 'pool', 'local:N' (N workers, 1-999) or 'dask://HOST:PORT', got 'local:0'" in (
        result.log
    )
    assert "to compute" not in result.log and "Traceback" not in result.log


def test_executor_settings_are_read_as_documented() -> None:
    assert parse_executor("") == parse_executor("pool") == ExecutorSpec("pool")
    assert parse_executor(" local:2 ") == ExecutorSpec("local", workers=2)
    assert parse_executor("dask://10.0.0.5:8786") == ExecutorSpec("dask", address="tcp://10.0.0.5:8786")
    assert parse_executor("tls://sched.example:8786").address == "tls://sched.example:8786"
    for bad in ("dask", "local:", "local:x", "dask://host", "http://host:8786", "tcp://a b:1"):
        with pytest.raises(ExecutorError, match="REPRO_EXECUTOR: expected"):
            parse_executor(bad)


def test_differences_name_each_differing_entry() -> None:
    build = {"code": {"a.b": "1" * 64, "a.c": "2" * 64}, "python": "3.11.2", "libraries": {"numpy": "2.4.6"}}
    worker = {"code": {"a.b": "1" * 64, "a.c": "3" * 64}, "python": "3.11.9", "libraries": {"numpy": "2.4.6"}}
    assert differences(build, worker) == (
        "code: a.c (build 222222222222…, worker 333333333333…); python: build 3.11.2, worker 3.11.9"
    )
    assert differences(build, build) == ""
    assert differences({"function": "m:f"}, {"function": None}) == "function: build m:f, worker none"
