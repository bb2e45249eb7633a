"""Print wall times of building this site: cold (empty directive cache), warm, and plain.

"plain" is Pelican alone on the same posts with the directives cut out and no plugins of
ours: the floor the directive engine and math rendering add to. Run: ``invoke bench``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```repro\n.*?^```\n", re.DOTALL | re.MULTILINE)


def pelican(content: Path, output: Path, *overrides: str) -> float:
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "-s",
        str(ROOT / "pelicanconf.py"),
        "-o",
        str(output),
        "--fatal",
        "errors",
        "-q",
        "-e",
        f'THEME="{ROOT / "theme"}"',
        *overrides,
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cache = f'REPRO_CACHE_PATH="{work / "cache"}"'
        cold = pelican(ROOT / "content", work / "out", cache)
        warm = pelican(ROOT / "content", work / "out", cache)
        plain_content = work / "content"
        shutil.copytree(ROOT / "content", plain_content)
        for post in plain_content.rglob("*.md"):
            post.write_text(FENCE.sub("", post.read_text(encoding="utf-8")), encoding="utf-8")
        plain = pelican(plain_content, work / "plain", "PLUGINS=[]")
    posts = len(list((ROOT / "content").rglob("*.md")))
    directives = sum(len(FENCE.findall(p.read_text(encoding="utf-8"))) for p in (ROOT / "content").rglob("*.md"))
    print(f"site: {posts} Markdown files, {directives} directives")
    print(f"cold build (empty cache) : {cold:6.2f} s")
    print(f"warm build (all cached)  : {warm:6.2f} s")
    print(f"plain Pelican, no directives, no plugins: {plain:6.2f} s")


if __name__ == "__main__":
    main()
