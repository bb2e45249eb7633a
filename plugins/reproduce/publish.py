"""Build into a staging folder and swap it in only when the build succeeded.

Pelican writes (and, with DELETE_OUTPUT_DIRECTORY, first empties) its output folder as it
goes, so a build that fails halfway would leave a broken site. The plugin points Pelican at
``<output>.staging`` and, once everything is written, swaps the two folders with renames.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def staging_path(output: Path) -> Path:
    return output.with_name(output.name + ".staging")


def promote(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging``; the old site stays whole until the last rename."""
    previous = output.with_name(output.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        os.replace(output, previous)
    os.replace(staging, output)
    shutil.rmtree(previous, ignore_errors=True)
