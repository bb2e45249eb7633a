"""Figures' SVG made safe to inline, whatever produced it (a worker, the local or the shared cache).

Write access to a cache is write access to the site unless rendering checks what it
inlines: an SVG can carry ``<script>``, ``<foreignObject>`` (any HTML), ``on*`` handlers and
links or loads to other hosts. :func:`sanitise` keeps an allow-list of the SVG elements and
attributes matplotlib writes; references may only be ``#id`` (``<use>``, ``clip-path``) or a
``data:image/png`` or ``data:image/webp`` (rasterised layers, which ``compact.py`` turns into
lossless WebP); CSS (``style``) may call only ``url(#…)``, ``var()`` and colour/transform
functions, with no ``@`` rules and no escapes.

Why not nh3 (ammonia), which ``untrusted.py`` uses for posts: measured on our figures, it
drops ``xlink:href`` (every ``<use>`` marker and tick vanishes) and ``xmlns:xlink``, rewrites
each ``<path …/>`` as ``<path …></path>``, and does not look inside CSS. Our figures must stay
byte-identical, so this module parses with the standard library's expat and, when nothing
is disallowed, returns the text unchanged; otherwise it writes the allowed parts again.

Passing the original text through is safe only where the browser's HTML parser (which reads
an inline SVG as "foreign content") sees what expat saw. So a document type (entities),
processing instructions and CDATA sections are never passed through, and neither are
comments that HTML ends early (``<!-->``, ``<!--->``); every allowed element is an SVG
element, none of the HTML names that break out of foreign content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from xml.parsers import expat

ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "style", "path", "rect", "circle", "ellipse", "line", "polyline",
        "polygon", "text", "tspan", "use", "clipPath", "mask", "pattern", "image", "symbol",
        "marker", "linearGradient", "radialGradient", "stop", "title", "desc",
    }
)  # fmt: skip
ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "transform", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
        "r", "rx", "ry", "fx", "fy", "dx", "dy", "width", "height", "viewBox", "version",
        "preserveAspectRatio", "points", "fill", "fill-opacity", "fill-rule", "stroke",
        "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
        "stroke-dashoffset", "stroke-miterlimit", "opacity", "clip-path", "clip-rule",
        "clipPathUnits", "mask", "maskUnits", "maskContentUnits", "font-family", "font-size",
        "font-style", "font-weight", "text-anchor", "dominant-baseline", "xml:space", "type",
        "patternUnits", "patternContentUnits", "patternTransform", "gradientUnits",
        "gradientTransform", "offset", "stop-color", "stop-opacity", "rotate", "textLength",
        "lengthAdjust", "markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits",
        "href", "xlink:href", "xmlns", "xmlns:xlink",
    }
)  # fmt: skip
# Left out, their content kept: matplotlib wraps an artist whose ``url`` is set in a link.
UNWRAPPED = frozenset({"a"})
NAMESPACES = {"xmlns": "http://www.w3.org/2000/svg", "xmlns:xlink": "http://www.w3.org/1999/xlink"}
_LINK = re.compile(r"#[A-Za-z_][\w.:-]*|data:image/(?:png|webp);base64,[A-Za-z0-9+/=\s]*")
_CSS_CALL = re.compile(r"([a-zA-Z-]*)\s*\(")
_CSS_FUNCTIONS = frozenset({"url", "var", "rgb", "rgba", "hsl", "hsla", "translate", "scale", "rotate", "matrix"})
_CSS_URL = re.compile(r"url\(\s*(['\"]?)#[A-Za-z_][\w.:-]*\1\s*\)")


class UnsafeSVGError(ValueError):
    """An SVG that cannot be checked at all (not well-formed XML, or a document type)."""


@dataclass(frozen=True)
class Sanitised:
    """The SVG to inline, and what was taken out of it (empty: ``svg`` is the input, unchanged)."""

    svg: str
    removed: tuple[str, ...] = ()


# A build checks each cached figure twice (can it be drawn? then on its page): remember a few.
@lru_cache(maxsize=64)
def sanitise(svg: str) -> Sanitised:
    """Keep only allowed SVG; unchanged text when everything in it is allowed.

    Raises:
        UnsafeSVGError: not well-formed XML, or it declares a document type or entities.
    """
    writer = _Writer()
    parser = expat.ParserCreate()
    parser.buffer_text = True  # one text event per run of text, so CSS is checked whole
    parser.StartElementHandler = writer.start
    parser.EndElementHandler = writer.end
    parser.CharacterDataHandler = writer.text
    parser.CommentHandler = writer.comment
    parser.ProcessingInstructionHandler = lambda target, data: writer.remove(f"processing instruction <?{target}>")
    parser.StartCdataSectionHandler = lambda: writer.remove("CDATA section")
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_doctype
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as error:
        reason = f"{expat.ErrorString(error.code)}, line {error.lineno}"
        raise UnsafeSVGError(f"the SVG is not well-formed XML ({reason})") from None
    if not writer.removed:
        return Sanitised(svg)
    return Sanitised("".join(writer.out), tuple(dict.fromkeys(writer.removed)))


def _no_doctype(*_: object) -> None:
    raise UnsafeSVGError("the SVG declares a document type or entities")


class _Writer:
    """Expat's events written out again, leaving out what is not allowed (and noting it)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.removed: list[str] = []
        self.skipping = 0  # depth inside a removed element: its whole subtree goes
        # Open elements: name and where its start tag is in ``out``; None for a removed one.
        self.stack: list[tuple[str, int] | None] = []

    def remove(self, what: str) -> None:
        self.removed.append(what)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name in UNWRAPPED and not self.skipping and self.stack:
            self.remove(f"link <{name}> to {attributes.get('xlink:href', attributes.get('href', ''))[:60]!r}")
            self.stack.append((name, -1))  # no tag of its own: its children go on as they are
            return
        keep = not self.skipping and name in ELEMENTS and (bool(self.stack) or name == "svg")
        if not keep:
            if not self.skipping:
                self.remove(f"element <{name}>")
            self.skipping += 1
            self.stack.append(None)
            return
        self.stack.append((name, len(self.out)))
        kept = [(key, value) for key, value in attributes.items() if self._allowed(name, key, value)]
        written = "".join(f' {key}="{escape(value, quote=True)}"' for key, value in kept)
        self.out.append(f"<{name}{written}>")

    def end(self, name: str) -> None:
        opened = self.stack.pop()
        if opened is None:
            self.skipping -= 1
        elif opened[1] == -1:
            return
        elif opened[1] == len(self.out) - 1:
            self.out[-1] = self.out[-1][:-1] + "/>"  # an empty element, as matplotlib writes it
        else:
            self.out.append(f"</{name}>")

    def text(self, data: str) -> None:
        if self.skipping:
            return
        if self.stack and self.stack[-1] and self.stack[-1][0] == "style" and not _safe_css(data):
            self.remove(f"CSS in <style>: {data.strip()[:60]!r}")
            return
        self.out.append(escape(data, quote=False))

    def comment(self, data: str) -> None:
        # HTML ends "<!-->" and "<!--->" at once, so what follows would be markup to a browser.
        if data.startswith((">", "->")) or data.endswith("-") or "--" in data:
            self.remove("a comment HTML reads differently")
        # Comments are not written again (only an unchanged SVG keeps them).

    def _allowed(self, element: str, key: str, value: str) -> bool:
        if key not in ATTRIBUTES:
            self.remove(f"attribute {key} on <{element}>")
        elif key in NAMESPACES and value != NAMESPACES[key]:
            self.remove(f"namespace {key}={value[:60]!r}")
        elif key in ("href", "xlink:href") and not _LINK.fullmatch(value):
            self.remove(f"link {value[:60]!r} on <{element}>")
        elif key == "style" and not _safe_css(value):
            self.remove(f"style {value[:60]!r} on <{element}>")
        elif "(" in value and key not in ("style", "transform") and not _safe_css(value):
            self.remove(f"attribute {key}={value[:60]!r} on <{element}>")
        else:
            return True
        return False


def _safe_css(css: str) -> bool:
    """CSS that can load nothing and run nothing: allowed functions only, ``url`` to ``#id`` only."""
    if "@" in css or "\\" in css or "<" in css:
        return False
    if any(match.group(1).lower() not in _CSS_FUNCTIONS for match in _CSS_CALL.finditer(css)):
        return False
    return css.lower().count("url(") == len(_CSS_URL.findall(css))
