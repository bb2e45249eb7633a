"""Build into a staging folder and swap it in only when the build succeeded; one build at a time.

Pelican writes (and, with DELETE_OUTPUT_DIRECTORY, first empties) its output folder as it
goes, so a build that fails halfway would leave a broken site. The plugin points Pelican at
``<output>.staging`` and, once everything is written, swaps the two folders with renames.

Two builds of one checkout would share that staging folder (measured: both exited 0 and
``output/`` held 83 of 179 files), so a build first takes ``<output>.lock`` and a second
build waits for it, saying for whom. It is a POSIX record lock (``lockf``), released by the
kernel when the process ends however it ends, and, unlike ``flock``, not shared with the
forked workers: a killed build's orphaned workers must not keep the next build waiting.
Under the lock, a build first repairs what a killed one left: the previous site if it died
between the two renames of :func:`promote`, and unfinished cache writes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

# A cache write takes milliseconds; a .tmp file this old belongs to a build that died.
STALE_TMP_SECONDS = 600


def staging_path(output: Path) -> Path:
    return output.with_name(output.name + ".staging")


def previous_path(output: Path) -> Path:
    return output.with_name(output.name + ".previous")


def take_lock(output: Path, *, say: Callable[[str], None]) -> IO[str]:
    """Hold ``<output>.lock`` for this process's lifetime; wait (and say so) while another build has it."""
    lock = output.with_name(output.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = lock.open("a+", encoding="utf-8")
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        say(f"repro: another build of {output}/ is running (pid {holder}); waiting for it to finish")
        fcntl.lockf(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def recover(output: Path, *, cache: Path, say: Callable[[str], None]) -> None:
    """Undo what a killed build left: a site moved aside and never put back, unfinished writes."""
    previous = previous_path(output)
    if previous.is_dir() and not output.exists():
        os.replace(previous, output)
        say(f"repro: restored {output}/ from {previous.name}/ (an earlier build stopped while publishing)")
    now = time.time()
    for tmp in cache.glob("**/*.tmp") if cache.is_dir() else []:
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                tmp.unlink()
        except OSError:
            continue


def promote(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging``; the old site stays whole until the last rename.

    Between the two renames only ``<output>.previous`` exists; :func:`recover` puts it back
    if the process dies there.
    """
    previous = previous_path(output)
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        os.replace(output, previous)
    os.replace(staging, output)
    shutil.rmtree(previous, ignore_errors=True)
