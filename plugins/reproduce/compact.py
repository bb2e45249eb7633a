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
  nothing and broke the label's words apart when copied.
"""

from __future__ import annotations

import base64
import io
import re

from PIL import Image

_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")
_REFERENCE = re.compile(r"#([^\s\"')]+)")
_ID = re.compile(r' id="([^"]+)"')
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [^)"]*\)"')
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_DECIMAL = re.compile(r"-?\d+\.\d{3,}")
_KEEP_WHOLE = frozenset({"id", "href", "xlink:href", "transform"})
_INDENT = re.compile(r">\n[ \t]*<")


def compact(svg: str) -> str:
    """``svg`` with smaller images, rounded numbers, and no unreferenced ids, no-op rotations or indentation."""
    svg = _PNG.sub(lambda m: smallest_image(base64.b64decode(m.group(1))), svg)
    referenced = set(_REFERENCE.findall(svg))
    svg = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = _NO_ROTATION.sub("", svg)
    return round_numbers(_INDENT.sub("><", svg))


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


def _rounded_attribute(match: re.Match[str]) -> str:
    name, value = match.groups()
    if name in _KEEP_WHOLE or value.startswith("data:"):
        return match.group(0)
    return f'{name}="{_DECIMAL.sub(_two_decimals, value)}"'


def _two_decimals(number: re.Match[str]) -> str:
    text = f"{float(number.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
