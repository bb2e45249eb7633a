"""Print build times of this site and the ratios that matter, measured side by side in one run.

* cold build with 2 workers and with 1 (empty caches): the computation phase's speed-up;
* warm build (everything cached) against plain Pelican on the same posts with the
  directives cut out (the math and search plugins still on): what the directive engine adds;
* caption edit (a present stage's source changes: pages are redrawn from stored results) and
  prose edit (a post's text changes: nothing runs), each as a rebuild of a warm site.

The edits are made in a private copy of ``computations/`` and ``content/``, never in the
tree. Run: ``invoke bench`` (several minutes: two cold builds of the whole site).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```repro\n.*?^```\n", re.DOTALL | re.MULTILINE)


def pelican(project: Path, output: Path, *overrides: str, environment: dict[str, str] | None = None) -> float:
    """Seconds of one strict build of ``project/content`` (a fresh process, as every build is)."""
    command = [sys.executable, "-m", "pelican", str(project / "content"), "-s", str(ROOT / "pelicanconf.py")]
    command += ["-o", str(output), "--fatal", "errors", "-q", "-e", f'THEME="{ROOT / "theme"}"', *overrides]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)]), **(environment or {})}
    started = time.perf_counter()
    result = subprocess.run(command, check=False, cwd=project, capture_output=True, text=True, env=environment)
    if result.returncode:
        log = (result.stdout + result.stderr)[-3000:]
        raise SystemExit(f"bench: a build failed (exit {result.returncode}):\n{log}")
    return time.perf_counter() - started


def copy_project(into: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "computations", into / "computations", ignore=ignore)
    shutil.copytree(ROOT / "content", into / "content")
    return into


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"bench: {old!r} not found in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = copy_project(work / "project")
        cache = f'REPRO_CACHE_PATH="{work / "cache"}"'
        cold_one = pelican(project, work / "one", f'REPRO_CACHE_PATH="{work / "cache-one"}"', "REPRO_WORKERS=1")
        cold = pelican(project, work / "out", cache, "REPRO_WORKERS=2")
        warm = pelican(project, work / "out", cache)

        plain = copy_project(work / "plain")
        for post in (plain / "content").rglob("*.md"):
            post.write_text(FENCE.sub("", post.read_text(encoding="utf-8")), encoding="utf-8")
        others = '["pelican.plugins.sitemap", "sitemap_dates", "search", "texmath"]'  # all but reproduce
        plain_time = pelican(plain, work / "plain-out", f"PLUGINS={others}")
        bare = pelican(plain, work / "bare-out", "PLUGINS=[]")

        pages = project / "computations" / "wordcount" / "pages.py"
        edit(pages, 'caption=f"', 'caption=f"（改）')
        caption = pelican(project, work / "out", cache)
        post = next((project / "content" / "posts").glob("multiprocess-word-count.md"))
        edit(post, "\n\n", "\n\n改过的一句话。\n\n")
        prose = pelican(project, work / "out", cache)

    posts = len(list((ROOT / "content").rglob("*.md")))
    directives = sum(len(FENCE.findall(p.read_text(encoding="utf-8"))) for p in (ROOT / "content").rglob("*.md"))
    print(f"site: {posts} Markdown files, {directives} directives")
    print(f"cold build, 1 worker              : {cold_one:7.2f} s")
    print(f"cold build, 2 workers             : {cold:7.2f} s   ratio 2/1 workers {cold / cold_one:5.2f}")
    print(f"warm build (all cached)           : {warm:7.2f} s")
    print(f"plain Pelican, directives cut out : {plain_time:7.2f} s   ratio warm/plain {warm / plain_time:5.2f}")
    print(f"  (no plugins at all              : {bare:7.2f} s   ratio warm/bare  {warm / bare:5.2f})")
    print(f"caption edit (word-count pages.py): {caption:7.2f} s   ratio to warm {caption / warm:5.2f}")
    print(f"prose edit (word-count post)      : {prose:7.2f} s   ratio to warm {prose / warm:5.2f}")


if __name__ == "__main__":
    main()
