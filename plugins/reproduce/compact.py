"""A figure's SVG text made smaller without changing what it draws.

Posts were 73–94 % inline SVG, and most of a figure's bytes are not what it draws: images
stored as RGBA PNG, an ``id`` on every group that nothing refers to, six decimals on every
coordinate, a ``rotate(-0 …)`` on every label. :func:`compact` (called by
``svg.from_figure``) removes that weight:

- **Images** (rasterised layers, ``imshow``): matplotlib embeds RGBA PNGs, and PNG compresses
  smooth colour gradients poorly (the denoising post's error heat map was 41 KB). Each one is
  re-encoded as lossless WebP (Pillow's libwebp; every browser draws it inside an SVG
  ``<image>``) and the smaller of the two is kept: the same pixels, every colour as drawn, a
  quarter to a half of the bytes. The theme never rewrites an image, so a rasterised layer
  shows its drawn colours in both themes.
- **Ids** that no ``#id`` reference in the figure names (``line2d_5``, ``text_12``; about 35
  bytes each once a page prefixes them) are dropped; clip paths, markers and glyphs keep theirs.
- **Numbers** in attribute values are rounded to two decimals: coordinates are in points, and
  0.005 pt is a hundredth of a pixel at the sizes a figure is drawn. ``transform`` is left
  whole (a matrix's scale multiplies its error), and so are ids, links and text.
- **No-op rotations** ``transform="rotate(-0 x y)"`` on unrotated text are dropped.
- **Indentation**: the newline and spaces matplotlib puts before each element go. Between
  the ``<tspan>``s of a label (each placed by its own x and y) they were spaces that drew
  nothing and broke the label's words apart when copied. So do the newlines inside path data.
- **Font family**: the family every label names (``'Noto Sans CJK SC', 'DejaVu Sans'``) is
  said once, on the ``<svg>``, and inherited; a label or ``<tspan>`` with another keeps its own.
- **Bare groups**: a ``<g>`` left without attributes (its id was the only one) groups nothing
  that draws differently; it and its ``</g>`` go, its children stay in place.
"""

from __future__ import annotations

import base64
import io
import re
from collections import Counter

from PIL import Image

_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")
_REFERENCE = re.compile(r"#([^\s\"')]+)")
_ID = re.compile(r' id="([^"]+)"')
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [^)"]*\)"')
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_DECIMAL = re.compile(r"-?\d+\.\d{3,}")
_KEEP_WHOLE = frozenset({"id", "href", "xlink:href", "transform"})
_INDENT = re.compile(r">\n[ \t]*<")
_GROUP = re.compile(r"<g\b[^>]*>|</g>")
_TEXT_STYLE = re.compile(r'(<text\b[^>]*?\bstyle=")([^"]*)(")')
_ROOT_STYLE = re.compile(r"<svg\b[^>]*\bstyle=")


def compact(svg: str) -> str:
    """``svg`` with smaller images, rounded numbers, and no unreferenced ids, no-op rotations or indentation."""
    svg = _PNG.sub(lambda m: smallest_image(base64.b64decode(m.group(1))), svg)
    referenced = set(_REFERENCE.findall(svg))
    svg = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = _NO_ROTATION.sub("", svg)
    svg = _hoist_font_family(_unwrap_bare_groups(_INDENT.sub("><", svg)))
    return round_numbers(svg)


def round_numbers(svg: str) -> str:
    """``svg`` with the numbers of its attribute values rounded to two decimals (not transforms, ids, links)."""
    return _ATTRIBUTE.sub(_rounded_attribute, svg)


def smallest_image(png: bytes) -> str:
    """The data URL of the smaller of ``png`` and its lossless WebP."""
    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", lossless=True, quality=100, method=6, exact=True)
    mime, data = min((("image/png", png), ("image/webp", buffer.getvalue())), key=lambda pair: len(pair[1]))
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _declarations(style: str) -> list[str]:
    return [declaration.strip() for declaration in style.split(";") if declaration.strip()]


def _hoist_font_family(svg: str) -> str:
    families = Counter(
        declaration
        for style in _TEXT_STYLE.finditer(svg)
        for declaration in _declarations(style.group(2))
        if declaration.startswith("font-family:")
    )
    if not families or _ROOT_STYLE.match(svg):
        return svg
    family = families.most_common(1)[0][0]

    def without(style: re.Match[str]) -> str:
        kept = [declaration for declaration in _declarations(style.group(2)) if declaration != family]
        return style.group(1) + "; ".join(kept) + style.group(3)

    return _TEXT_STYLE.sub(without, svg).replace("<svg ", f'<svg style="{family}" ', 1)


def _unwrap_bare_groups(svg: str) -> str:
    pieces: list[str] = []
    bare: list[bool] = []  # per open <g>: whether it (and so its </g>) is dropped
    end = 0
    for tag in _GROUP.finditer(svg):
        pieces.append(svg[end : tag.start()])
        end = tag.end()
        if tag.group(0).endswith("/>"):  # an empty group: dropped when bare, else kept whole
            pieces.append("" if tag.group(0) == "<g/>" else tag.group(0))
        elif tag.group(0) == "</g>":
            if not (bare.pop() if bare else False):
                pieces.append("</g>")
        elif tag.group(0) == "<g>":
            bare.append(True)
        else:
            bare.append(False)
            pieces.append(tag.group(0))
    pieces.append(svg[end:])
    return "".join(pieces)


def _rounded_attribute(match: re.Match[str]) -> str:
    name, value = match.groups()
    if name in _KEEP_WHOLE or value.startswith("data:"):
        return match.group(0)
    if name == "d":
        value = value.replace("\n", "")
    return f'{name}="{_DECIMAL.sub(_two_decimals, value)}"'


def _two_decimals(number: re.Match[str]) -> str:
    text = f"{float(number.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
