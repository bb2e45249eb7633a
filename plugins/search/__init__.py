"""Full-text search: Pagefind indexes the built site before it is published.

Pagefind's extended binary (pip ``pagefind[extended]``) segments Chinese when a page's
``<html lang>`` is ``zh-cn``; it writes the index and its default UI into ``pagefind/`` of
the site, so the search page loads nothing from another host.

The index is written in the ``finalized`` signal, into the folder Pelican just built. That
folder is ``output.staging`` while the reproduce plugin is loaded, and reproduce's own
``finalized`` receiver then swaps it in as ``output``: list this plugin *before*
``reproduce`` in PLUGINS (blinker calls receivers in connection order), or the index would
be written after the swap, into a folder that no longer exists. A failure fails the build,
and the published site stays as it was.

What is indexed: pages with a ``data-pagefind-body`` element (posts and pages, see the
theme), their visible text (figure and table captions included) and the alt text of figures:
the directive engine writes it as the ``aria-label`` of each inline ``<svg role="img">``
together with ``data-pagefind-index-attrs="aria-label"``, and marks its provenance notes
``data-pagefind-ignore``. Settings: ``SEARCH_INDEX`` (True), ``SEARCH_EXCLUDE_SELECTORS``
(more elements to leave out of the index).

Pagefind reads a temporary copy of the site whose Chinese is split into single characters
(``characters.py`` says why: otherwise words such as 拉马努金 or 互信息 are not found) and writes
the index into this site's ``pagefind/``; beside it goes ``phrases/pagefind.js``
(``phrases.js``), the query side of that index, which the search page's UI loads in place of
Pagefind's module so that a Chinese query finds its characters as a phrase.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.log import console

from .characters import write_character_copy

PHRASES = Path(__file__).with_name("phrases.js")


class SearchIndexError(Exception):
    """Raised to make Pelican exit non-zero; the previous output stays untouched."""


def pagefind_executable() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as missing:  # the plain binary would index Chinese as whole runs of text
        raise SearchIndexError("pagefind's extended binary is missing: pip install 'pagefind[extended]'") from missing
    return str(get_executable())


def index(pelican: Any) -> None:
    settings = pelican.settings
    if not settings.get("SEARCH_INDEX", True):
        return
    site = Path(pelican.output_path)
    with tempfile.TemporaryDirectory(prefix="search-") as copy:
        write_character_copy(site, Path(copy))
        command = [pagefind_executable(), "--site", copy, "--output-path", str(site / "pagefind")]
        for selector in settings.get("SEARCH_EXCLUDE_SELECTORS", []):
            command += ["--exclude-selectors", selector]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError(f"pagefind failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    (site / "pagefind" / "phrases").mkdir(exist_ok=True)
    shutil.copyfile(PHRASES, site / "pagefind" / "phrases" / "pagefind.js")
    pages = re.search(r"Indexed (\d+) pages?", result.stdout)
    words = re.search(r"Indexed (\d+) words?", result.stdout)
    console.print(f"search: Pagefind indexed {pages and pages.group(1)} page(s), {words and words.group(1)} word(s)")


def register() -> None:
    signals.finalized.connect(index)
