"""Measure the distributed path (``invoke bench --dask``, ``invoke bench --scale``); needs requirements-scale.txt.

``--dask``: cold builds of this site (empty caches) with the local pool (``REPRO_EXECUTOR=pool``,
2 workers) and with a Dask LocalCluster of 2 workers that the build starts (``local:2``),
interleaved ``--repeats`` times: median and spread of each, their ratio, and which files of
the two outputs differ (only the pages of ``EXCLUSIVE`` computations, which show measured
times, and what contains them — their data files, the feed, the search index — may).

``--scale``: a generated site of N posts × 5 directives of a cheap registered computation
(``masks.permutation``, a seed each, so every directive is a distinct job), built cold for
each N with both executors: build time, the build process's peak RSS, and the peak PSS of
the build with every process under it (workers and their pools), as a table.

The project is copied into a temporary folder (as ``bench.py`` does); nothing in the tree changes.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from bench import FENCE, ROOT, copy_project

EXECUTORS = ("pool", "local:2")
DIRECTIVE = "```repro\ncompute: masks.permutation\nrandom_orders: 2\nseed: {seed}\n```\n"


@dataclass(frozen=True)
class Run:
    seconds: float
    build_rss: int  # bytes, the build process alone
    tree_pss: int  # bytes, the build and every process under it (shared pages counted once per process share)


def build(project: Path, output: Path, cache: Path, executor: str) -> Run:
    """One strict build in a fresh process, its memory sampled every 0.2 s."""
    command = [sys.executable, "-m", "pelican", str(project / "content"), "-s", str(ROOT / "pelicanconf.py")]
    command += ["-o", str(output), "--fatal", "errors", "-q", "-e", f'THEME="{ROOT / "theme"}"']
    command += [f'REPRO_CACHE_PATH="{cache}"', f'REPRO_EXECUTOR="{executor}"', "REPRO_WORKERS=2"]
    # A shared machine can be several times slower than an idle one: no directive may time out here.
    command += ["REPRO_TIMEOUT=1800"]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)])}
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=project, env=environment, stdout=log, stderr=subprocess.STDOUT)
        build_rss = tree_pss = 0
        handle = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                build_rss = max(build_rss, handle.memory_info().rss)
                tree_pss = max(tree_pss, sum(_pss(p) for p in [handle, *handle.children(recursive=True)]))
            except psutil.Error:
                pass
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if process.returncode:
            log.seek(0)
            raise SystemExit(f"bench: the build with {executor} failed:\n{log.read().decode()[-3000:]}")
    return Run(seconds, build_rss, tree_pss)


def _pss(process: psutil.Process) -> int:
    try:
        return process.memory_full_info().pss
    except psutil.Error:
        return 0


def compare_executors(work: Path, repeats: int) -> None:
    project = copy_project(work / "project")
    times: dict[str, list[float]] = {executor: [] for executor in EXECUTORS}
    for round_ in range(repeats):
        for executor in EXECUTORS if round_ % 2 == 0 else reversed(EXECUTORS):  # interleaved, order alternating
            name = executor.replace(":", "-")
            run = build(project, work / f"out-{name}", work / f"cache-{name}-{round_}", executor)
            times[executor].append(run.seconds)
            print(f"  round {round_ + 1}: {executor:8s} {run.seconds:7.2f} s", flush=True)
    pool, dask = (statistics.median(times[e]) for e in EXECUTORS)
    for executor in EXECUTORS:
        values = times[executor]
        spread = f"min {min(values):.2f}, max {max(values):.2f}"
        print(f"cold build, {executor:8s}: median {statistics.median(values):7.2f} s ({spread})")
    print(f"ratio local:2 / pool: {dask / pool:5.2f} (target <= 1.2)")
    differing = _differing(work / "out-pool", work / "out-local-2")
    allowed = _exclusive_outputs(project, work / "out-pool")
    unexpected = [path for path in differing if path not in allowed and not path.startswith(("pagefind/", "feeds/"))]
    print(f"files that differ: {len(differing)} ({', '.join(differing) or 'none'})")
    print(f"differences outside the pages of EXCLUSIVE computations: {', '.join(unexpected) or 'none'}")


def _differing(left: Path, right: Path) -> list[str]:
    files = {str(p.relative_to(left)) for p in left.rglob("*") if p.is_file()}
    others = {str(p.relative_to(right)) for p in right.rglob("*") if p.is_file()}
    same = {f for f in files & others if filecmp.cmp(left / f, right / f, shallow=False)}
    return sorted((files | others) - same)


def _exclusive_outputs(project: Path, output: Path) -> set[str]:
    """The pages of posts with an EXCLUSIVE computation, and the files those pages link to."""
    sys.path.insert(0, str(project))
    from computations.registry import EXCLUSIVE

    found: set[str] = set()
    for post in (project / "content").rglob("*.md"):
        text = post.read_text(encoding="utf-8")
        names = {m.group(1) for f in FENCE.findall(text) for m in re.finditer(r"compute:\s*(\S+)", f)}
        slug = re.search(r"^Slug:\s*(\S+)", text, re.MULTILINE)
        if names & set(EXCLUSIVE) and slug:
            for page in output.rglob(f"{slug.group(1)}.html"):
                found.add(str(page.relative_to(output)))
                for link in re.findall(r'(?:href|src)="(?:\.\./)*([^"#:]+)"', page.read_text(encoding="utf-8")):
                    found.add(link)
    return found


def scale(work: Path, sizes: list[int]) -> None:
    print("| posts | directives | executor | build (s) | build RSS peak (MB) | all processes PSS peak (MB) |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    for posts in sizes:
        project = work / f"site-{posts}"
        for number in range(posts):
            bodies = "\n".join(DIRECTIVE.format(seed=number * 5 + k) for k in range(5))
            post = f"Title: 第 {number} 篇\nDate: 2026-11-01\nSlug: p{number}\n\n正文。\n\n{bodies}"
            (project / "content" / "posts").mkdir(parents=True, exist_ok=True)
            (project / "content" / "posts" / f"p{number}.md").write_text(post, encoding="utf-8")
        for executor in EXECUTORS:
            name = executor.replace(":", "-")
            run = build(project, work / f"out-{posts}-{name}", work / f"cache-{posts}-{name}", executor)
            mb = 1024 * 1024
            print(
                f"| {posts} | {posts * 5} | {executor} | {run.seconds:.1f} | {run.build_rss / mb:.0f} | "
                f"{run.tree_pss / mb:.0f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dask", action="store_true", help="cold builds: local pool vs LocalCluster(2)")
    parser.add_argument("--repeats", type=int, default=1, help="rounds of --dask (interleaved)")
    parser.add_argument("--scale", action="store_true", help="a generated site of growing size")
    parser.add_argument("--sizes", default="25,50,100,200", help="posts per generated site, for --scale")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if arguments.dask:
            compare_executors(Path(tmp), arguments.repeats)
        if arguments.scale:
            scale(Path(tmp), [int(n) for n in arguments.sizes.split(",")])


if __name__ == "__main__":
    main()
