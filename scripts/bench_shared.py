"""Print what a second checkout costs when it reads the shared cache (issue 13.1), on this site.

One cold build fills a ``file://`` shared cache (writing on, as CI would); its entries are
copied as they are into a bucket of moto's S3 server on 127.0.0.1. Then, interleaved
``--repeat`` times: a warm build of the first checkout (everything in its local cache), and a
second checkout with an empty local cache reading the shared cache (writing off) over
``file://`` and over S3, then that checkout's next build (its local cache now warm, the shared
cache still set: what an author pays on every build). Each line gives the median and the range, the computations the
second checkout ran (from its build report; the target is 0) and the ratio of medians to
the warm build (target ≤ 1.5). Run: ``invoke bench --shared`` (a cold build of the site,
then about a minute), or ``scripts/bench_shared.py --from-cache .repro-cache`` to start the
first checkout from a warm local cache (it then only fills the shared cache).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import secrets
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench import ROOT, copy_project, pelican

sys.path.insert(0, str(ROOT / "tests"))
from serving import serve_s3  # the tests' local S3 server: moto on 127.0.0.1

BUCKET = "repro-bench"


def build(project: Path, output: Path, cache: Path, environment: dict[str, str]) -> tuple[float, dict]:
    """Seconds of one build, and its report's totals."""
    seconds = pelican(project, output, f'REPRO_CACHE_PATH="{cache}"', environment=environment)
    return seconds, json.loads((cache / "build-report.json").read_text(encoding="utf-8"))["totals"]


def bucket_with(entries: Path, environment: dict[str, str]) -> None:
    """Copy the shared folder's entries, as they are, into the bucket."""
    import boto3

    client = boto3.client("s3", endpoint_url=environment["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    for path in entries.rglob("*.json.gz"):  # results, and the directives' parameters under params/
        key = f"site/{path.relative_to(entries).as_posix()}"
        client.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())


def differing(left: Path, right: Path) -> list[str]:
    """Files that differ between two built sites (or exist in one only)."""
    comparison = filecmp.dircmp(left, right)
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    found = [*comparison.left_only, *comparison.right_only, *mismatch, *errors]
    return found + [f"{d}/{name}" for d in comparison.common_dirs for name in differing(left / d, right / d)]


def line(name: str, times: list[float], *, warm: float | None = None, computed: list[int] | None = None) -> str:
    median = statistics.median(times)
    text = f"{name:<36}: median {median:6.2f} s (range {min(times):.2f}–{max(times):.2f}, n={len(times)})"
    if computed is not None:
        text += f"   computed {max(computed)}"
    if warm:
        text += f"   ratio to warm {median / warm:4.2f}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--from-cache", type=Path, help="start the first checkout from this local cache (it then fills the shared one)"
    )
    arguments = parser.parse_args()
    repeat = arguments.repeat
    key = {"REPRO_SHARED_CACHE_KEY": secrets.token_hex(16)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first, second = copy_project(work / "ci"), copy_project(work / "author")
        shared = work / "shared"
        writer = {**key, "REPRO_SHARED_CACHE": shared.as_uri(), "REPRO_SHARED_CACHE_WRITE": "1"}
        if arguments.from_cache:
            shutil.copytree(arguments.from_cache, work / "cache-ci")
        cold, totals = build(first, work / "out-ci", work / "cache-ci", writer)
        print(f"first build, filling the shared cache : {cold:6.2f} s, computed {totals['computed']}", flush=True)
        with serve_s3(BUCKET) as aws:
            bucket_with(shared, aws)
            layers = {
                "file://": {**key, "REPRO_SHARED_CACHE": shared.as_uri()},
                "s3:// (moto on 127.0.0.1)": {**key, **aws, "REPRO_SHARED_CACHE": f"s3://{BUCKET}/site"},
            }
            warm: list[float] = []
            second_times: dict[str, list[float]] = {name: [] for name in layers}
            second_computed: dict[str, list[int]] = {name: [] for name in layers}
            again: dict[str, list[float]] = {name: [] for name in layers}
            for round_ in range(repeat):
                warm.append(build(first, work / "out-ci", work / "cache-ci", {})[0])
                for number, (name, environment) in enumerate(layers.items()):
                    cache = work / f"cache-author-{round_}-{number}"  # empty: a fresh checkout
                    seconds, totals = build(second, work / f"out-author-{number}", cache, environment)
                    second_times[name].append(seconds)
                    second_computed[name].append(totals["computed"])
                    # and again, its local cache now warm (an author's every build, the shared cache set)
                    again[name].append(build(second, work / f"out-author-{number}", cache, environment)[0])
        different = {name: differing(work / "out-ci", work / f"out-author-{n}") for n, name in enumerate(layers)}
    print(line("warm build (local cache)", warm))
    for name in layers:
        print(line(f"second checkout, {name}", second_times[name], warm=statistics.median(warm),
                   computed=second_computed[name]))  # fmt: skip
        print(f"  pages byte-identical to the first checkout's: {not different[name]} {different[name][:5] or ''}")
        print(line(f"  its next build, {name}", again[name], warm=statistics.median(warm)))


if __name__ == "__main__":
    main()
