"""The computations' source as pages of the site: one highlighted page per module, line anchors.

Each directive's provenance note links to the line where its run function (and its present
function) starts, on ``source/<module>.html#L-<line>``. The modules shown are those the
build's results depend on: the code closure of every run and present module of a computation
the site used (``fingerprint.Fingerprints.code``: the module and the same-package modules it
imports), so a reader can follow each import the result depends on. Functions are found by
parsing the source (``ast``), never by importing it: a warm build imports no computation.
Pages are written by the plugin's generator with the theme's ``source.html``; they are left
out of the sitemap and the search index (``SITEMAP["exclude"]``; no ``data-pagefind-body``):
they are listings that support the posts, not posts.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pygments
from pygments import highlight
from pygments.filter import Filter
from pygments.filters import TokenMergeFilter
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String, Text

from .cache import write_text

FOLDER = "source"
LINE_PREFIX = "L"  # line 12 has the id "L-12" (Pygments' ``linespans``)


@dataclass(frozen=True)
class CodeLink:
    """Where a stage's function starts: ``url`` (from the site root) names the page and line."""

    stage: str  # "run" or "present"
    target: str  # "module:function", as the registry binds it
    url: str
    line: int


@dataclass(frozen=True)
class SourcePage:
    """One module's page: its name, file (relative to the project), digest, functions and listing."""

    module: str
    path: str
    url: str
    digest: str
    functions: tuple[tuple[str, int], ...]  # (qualified name, line of its def), in file order
    imports: tuple[tuple[str, str], ...]  # (module, url) of the shown modules it imports
    html: str


class SourceChangedError(Exception):
    """A module's file no longer holds the code the build hashed (and ran)."""


def page_url(module: str) -> str:
    return f"{FOLDER}/{module}.html"


def line_anchor(line: int) -> str:
    return f"{LINE_PREFIX}-{line}"


def functions_of(source: str) -> dict[str, int]:
    """Qualified name → line of its ``def`` (or ``class``), for module-level and class-level definitions."""
    return dict(_definitions(source))


@functools.lru_cache(maxsize=512)  # by the text itself, so never stale; each directive asks for its modules
def _definitions(source: str) -> tuple[tuple[str, int], ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()  # such a module fails at import, reported at its file:line; no anchors to offer
    found: dict[str, int] = {}

    def visit(nodes: Iterable[ast.stmt], prefix: str) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found[prefix + node.name] = node.lineno
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return tuple(found.items())


def code_link(stage: str, target: str, *, locate: Callable[[str], Path | None]) -> CodeLink | None:
    """The page and line of ``target``'s function; None when its module or function cannot be found."""
    module, _, function = target.partition(":")
    path = locate(module)
    if path is None:
        return None
    line = functions_of(path.read_text(encoding="utf-8", errors="replace")).get(function)
    if line is None:
        return None
    return CodeLink(stage, target, f"{page_url(module)}#{line_anchor(line)}", line)


class SharedListings(Protocol):
    """Where other checkouts' listings are kept (the build's shared cache, ``shared.py``)."""

    writable: bool

    def fetch(self, keys: Collection[str]) -> Mapping[str, str]: ...

    def store(self, key: str, html: str) -> None: ...


def source_pages(
    closures: Mapping[str, Mapping[str, str]],
    *,
    locate: Callable[[str], Path | None],
    imports: Callable[[str], Iterable[str]],
    root: Path,
    memo: Path | None = None,
    shared: SharedListings | None = None,
) -> list[SourcePage]:
    """One page per module of the closures (module → its closure's {module: digest}), sorted by name.

    Raises:
        SourceChangedError: a file no longer has the digest its closure recorded.

    Args:
        closures: per run or present module, ``Fingerprints.code`` of it.
        locate: module name → its source file (None: not a source module).
        imports: module name → the modules it imports, for the links between pages.
        root: the project folder, to name files relative to it.
        memo: a folder keeping listings from one build to the next (None: highlight every time).
        shared: listings other checkouts highlighted, read when ``memo`` lacks them (and filled
            when writable).
    """
    digests = {module: digest for closure in closures.values() for module, digest in closure.items()}
    files = {module: path for module in sorted(digests) if (path := locate(module)) is not None}
    sources = {}
    for module, path in files.items():
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digests[module]:
            # the file changed after the build hashed it: the page would not show the code that ran
            raise SourceChangedError(f"{_relative(path, root)}: changed while the site was being built; build again")
        sources[module] = data.decode("utf-8", errors="replace")
    listings = _listings({listing_key(digests[m]): text for m, text in sources.items()}, memo=memo, shared=shared)
    pages = []
    for module, source in sources.items():
        shown = sorted({m for m in imports(module) if m in digests and m != module})
        pages.append(
            SourcePage(
                module=module,
                path=_relative(files[module], root),
                url=page_url(module),
                digest=digests[module],
                functions=tuple(functions_of(source).items()),
                imports=tuple((m, page_url(m)) for m in shown),
                html=listings[listing_key(digests[module])],
            )
        )
    return pages


# One <span id="L-n"> per line, which a link can target ("lineanchors" would write <a name>,
# obsolete in HTML5). The numbers are drawn by site.css from a counter over those spans: not
# copied with the code, not read aloud before every line, and no element each for axe to check.
_FORMATTER = HtmlFormatter(linespans=LINE_PREFIX, wrapcode=True, cssclass="highlight")


# The token families the theme colours (site.css, ".highlight" rules); every other token is
# written as plain text. A listing then has half the elements: axe checks the contrast of each
# element with text, and the source pages are a third of the site's pages.
_COLOURED = (Comment, Keyword, Operator.Word, String, Number, Name.Function, Name.Class, Name.Namespace, Name.Builtin)
_COLOURED += (Error,)


class _PlainFilter(Filter):
    def filter(self, lexer: object, stream: Iterable[tuple[object, str]]) -> Iterable[tuple[object, str]]:
        shown: dict[object, object] = {}  # token type → itself or Text (a few dozen types, 10⁵ tokens)
        for kind, value in stream:
            if kind not in shown:
                shown[kind] = kind if any(kind in family for family in _COLOURED) else Text
            yield shown[kind], value


def listing_key(digest: str) -> str:
    """A listing's key: its file's digest, Pygments' version and this module's code."""
    return hashlib.sha256(f"{digest}:{_LISTING_VERSION}".encode()).hexdigest()


_LISTING_VERSION = f"{pygments.__version__}:{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"


def _listings(sources: Mapping[str, str], *, memo: Path | None, shared: SharedListings | None) -> dict[str, str]:
    """Key → highlighted HTML of each source: from ``memo``, else ``shared``, else highlighted now.

    Highlighting the site's 40-odd modules takes ~1.5–2.5 s, more than the rest of a warm
    build, and a listing changes only with what its key covers: so it is kept in ``memo`` and
    shared with other checkouts. A writer asks the shared layer for every key (one batch) to
    fill in what it lacks; a reader only for what ``memo`` lacks.
    """
    found = {key: html for key in sources if (html := _kept(memo, key)) is not None}
    there: Mapping[str, str] = {}
    if shared is not None:
        there = shared.fetch(list(sources) if shared.writable else [k for k in sources if k not in found])
        for key, html in there.items():
            if key not in found:
                found[key] = html
                _keep(memo, key, html)
    for key, source in sources.items():
        if key not in found:
            found[key] = highlight(source, _lexer(), _FORMATTER)
            _keep(memo, key, found[key])
    if shared is not None and shared.writable:
        for key in sources.keys() - there.keys():
            shared.store(key, found[key])
    return found


def _kept(memo: Path | None, key: str) -> str | None:
    try:
        return (memo / f"{key}.html").read_text(encoding="utf-8") if memo is not None else None
    except OSError:
        return None


def _keep(memo: Path | None, key: str, html: str) -> None:
    if memo is not None:
        with contextlib.suppress(OSError):  # a read-only cache still builds, only slower
            write_text(memo / f"{key}.html", html, durable=False)  # a lost listing is highlighted again


def _lexer() -> PythonLexer:
    lexer = PythonLexer()
    lexer.add_filter(_PlainFilter())
    lexer.add_filter(TokenMergeFilter())
    return lexer


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
