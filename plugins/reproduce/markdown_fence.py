"""The Markdown side: a ``repro`` fence for SuperFences and a reader that knows the file.

SuperFences hands a formatter only the fence body, so a ``MarkdownReader`` subclass puts
the file being read (path and text) into a context variable; the formatter finds its body
in that text to report the fence's line. The formatter never raises: SuperFences would
swallow any exception that is not a ``SuperFencesException`` and print the fence as inline
code, and raising that one would make Pelican drop the whole file after the first error.
Instead every problem is recorded by the build and reported together at the end.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from pelican.readers import MarkdownReader

from .directive import Location

FENCE = "repro"
_EMPTY_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*repro\b[^\n]*\n(?:[ \t]*\n)*[ \t]*\1[ \t]*$", re.MULTILINE)


class Directives(Protocol):
    """What the fence needs of a build: record a directive, or a directive it refuses."""

    def add(self, text: str, *, location: Location) -> str:
        """Record the directive whose body is ``text``; return the HTML to put in its place."""
        ...

    def reject(self, location: Location, message: str) -> str:
        """Record a directive that cannot run; return the HTML of its error box."""
        ...


@dataclass
class Source:
    """The file being read: its project-relative path, text and fences seen so far."""

    path: str
    text: str
    build: Directives
    seen: Counter[str] = field(default_factory=Counter)

    def fence_line(self, body: str) -> int:
        """1-based line of the fence that opens ``body`` (the k-th fence with that body)."""
        self.seen[body] += 1
        if not body.strip():  # an empty fence: find the k-th opening directly followed by its closing
            empty = list(_EMPTY_FENCE.finditer(self.text))
            if len(empty) >= self.seen[body]:
                return self.text.count("\n", 0, empty[self.seen[body] - 1].start()) + 1
        position = -1
        for _ in range(self.seen[body]):
            position = self.text.find(body, position + 1)
        if position < 0:  # nested or re-indented fence: fall back to its first line
            position = self.text.find(body.strip().splitlines()[0]) if body.strip() else -1
        return self.text.count("\n", 0, max(position, 0))


_source: ContextVar[Source] = ContextVar("repro_source")


def reader_class(build: Directives, *, root: str) -> type[MarkdownReader]:
    """A MarkdownReader that exposes the file it reads to the ``repro`` fence."""

    class DirectiveMarkdownReader(MarkdownReader):
        def read(self, source_path: str) -> Any:
            path = os.path.relpath(source_path, root)
            with open(source_path, "rb") as handle:
                raw = handle.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:  # Pelican would name the file only
                line = raw.count(b"\n", 0, error.start) + 1
                raise ValueError(f"{path}:{line}: not UTF-8 ({error.reason} at byte {error.start})") from None
            token = _source.set(Source(path=path, text=text, build=build))
            try:
                return super().read(source_path)
            finally:
                _source.reset(token)

    return DirectiveMarkdownReader


def validate(language: str, inputs: dict[str, str], options: dict[str, str], attrs: dict[str, str], md: Any) -> bool:
    """Accept every ``repro`` fence, so none can fall back to inline code; keep header options."""
    options.update(inputs)
    options.update(attrs)
    return True


def format_fence(src: str, language: str, class_name: str, options: dict[str, str], md: Any, **kwargs: Any) -> str:
    """Record the directive with the build and return its placeholder."""
    source = _source.get(None)
    if source is None:  # Markdown converted outside our reader (e.g. a metadata field)
        return (
            '<div class="repro-error" role="alert"><strong>repro directives belong in the body of a post</strong></div>'
        )
    location = Location(source.path, source.fence_line(src))
    if options:
        return source.build.reject(
            location, f"directive: put parameters in the fence body, not in the header (got {sorted(options)})"
        )
    return source.build.add(src, location=location)


def superfences_entry() -> dict[str, Any]:
    return {"name": FENCE, "class": FENCE, "format": format_fence, "validator": validate}
