"""WCAG contrast of what a figure draws, against what it is drawn on, as Chromium renders it.

:data:`COLLECT` (``contrast.js``) runs in the page: for one ``figure.repro-figure`` it reads
the computed background of its panel (``.repro-svg``) and every colour its SVG actually
paints: the computed fill and stroke of each visible path, line, shape, marker (``<use>``)
and text, with the opacity of the element and its ancestors, and the pixels of every embedded
raster image (decoded in a canvas, with the image's computed CSS filter). :func:`failures`
does the arithmetic in Python (WCAG 2.x contrast, :func:`computations.palette.contrast`).

Rules, from WCAG 2.x (1.4.3 text, 1.4.11 non-text contrast):
- text needs 4.5:1, every other mark (lines, markers, fills, edges) 3:1 against what lies
  under it; a colour is composited over that background with its opacity first;
- a mark painted in the panel's own colour is paper (figure and axes backgrounds, legend
  boxes, white separators between facets) and is not a mark;
- an image with transparent pixels is a rasterised layer of marks (a scatter cloud, dense
  markers, shaded facets): each colour it has inside a mark (a pixel whose four neighbours
  are the same; not an anti-aliased rim, nor the blend where two rims meet), at the lowest
  opacity it has there (a lone translucent dot, not the overlap of several), is checked like
  a mark against what lies under it; a layer whose marks are all too thin to have such
  pixels (arrows, dots of two pixels) is read from its rims: the colours of its pixels at
  least 3/4 as opaque as its most opaque one, each at the highest opacity it (within the
  rounding of 8-bit pixels) reaches (a mark covering part of a pixel is fainter there, not
  another colour);
- an opaque image is a backdrop (a heat map): its own colours encode values read through
  its colour bar, so they are not held against the panel, but everything drawn over it
  (arrows, contour lines, markers) is checked against the image's pixels under it (points
  along its outline, or across its box); within a pixel of the image's edge, under the axes'
  frame, neither side counts.

Not covered: a vector mark over another vector mark (a line across a bar) is checked against
the panel only, not against the mark under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from computations import palette

TEXT_RATIO = 4.5  # WCAG 2.x 1.4.3
MARK_RATIO = palette.MARK_RATIO  # WCAG 2.x 1.4.11

# runs in the page: figure.evaluate(COLLECT) with a figure.repro-figure element
COLLECT = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Failure:
    """One colour of a figure below its threshold against what lies under it."""

    figure: str
    element: str
    kind: str
    colour: tuple[int, ...]
    background: tuple[int, ...]
    ratio: float

    def __str__(self) -> str:
        hex_colour = "#" + "".join(f"{c:02x}" for c in self.colour[:3])
        alpha = f" at opacity {self.colour[3]:.2f}" if len(self.colour) > 3 and self.colour[3] < 1 else ""
        on = "#" + "".join(f"{c:02x}" for c in self.background)
        need = TEXT_RATIO if self.kind == "text" else MARK_RATIO
        return f"{self.figure}: {self.element} ({self.kind}) {hex_colour}{alpha} on {on}: {self.ratio:.2f}:1 < {need}:1"


def contrast(first: Sequence[float], second: Sequence[float]) -> float:
    """WCAG contrast ratio (1–21) of two opaque 8-bit sRGB colours (the site's own formula)."""
    return palette.contrast(tuple(c / 255 for c in first[:3]), tuple(c / 255 for c in second[:3]))


def composite(colour: Sequence[float], under: Sequence[float]) -> tuple[float, float, float]:
    """The colour seen where ``colour`` (RGB + alpha in 0..1) is painted over opaque ``under``."""
    alpha = colour[3] if len(colour) > 3 else 1.0
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip(colour[:3], under[:3], strict=True))  # type: ignore[return-value]


def failures(figure: dict[str, Any], *, where: str) -> list[Failure]:
    """Every colour of one collected figure (:data:`COLLECT`) below its threshold."""
    panel = tuple(figure["panel"])
    found: dict[tuple[Any, ...], Failure] = {}
    for item in _marks(figure["items"]):
        if item["kind"] == "backdrop":
            continue
        colour = item["colour"]
        if "unsupported" in colour:
            raise AssertionError(f"{where} {figure['id']}: {item['name']} paints with {colour['unsupported']}")
        if item["under"] is None and all(abs(c - p) <= 1 for c, p in zip(colour[:3], panel, strict=True)):
            continue  # paper: the panel's own colour (drawn on the panel, it is not a mark)
        need = TEXT_RATIO if item["kind"] == "text" else MARK_RATIO
        for background in _backgrounds(item, panel):
            ratio = contrast(composite(colour, background), background)
            if ratio < need:
                failure = Failure(
                    f"{where} {figure['id']}",
                    item["name"],
                    item["kind"],
                    tuple(round(c, 2) for c in colour),
                    tuple(background),
                    ratio,
                )
                key = (failure.figure, failure.kind, failure.colour[:3], failure.background)
                if key not in found or ratio < found[key].ratio:
                    found[key] = failure
    return sorted(found.values(), key=lambda f: f.ratio)


def _backgrounds(item: dict[str, Any], panel: tuple[int, ...]) -> Iterable[tuple[int, ...]]:
    return [tuple(b) for b in item["under"]] if item["under"] else [panel]


def _marks(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The colours of each layer's marks: those inside marks, as collected; for a layer whose
    marks are all too thin to have an inside (arrows, clouds of small dots), those of its rims
    at least 3/4 as opaque as its most opaque pixel, each at the highest opacity it (or a
    colour within the rounding of un-premultiplied 8-bit pixels, ±3 per channel) reaches."""
    layers: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item["kind"] in ("layer", "rim"):
            layers.setdefault(item["name"], []).append(item)
    kept = [item for item in items if item["kind"] not in ("layer", "rim")]
    for group in layers.values():
        inside = [item for item in group if item["kind"] == "layer"]
        if inside:
            kept += inside
            continue
        top = max(item["colour"][3] for item in group)
        for item in (i for i in group if i["colour"][3] >= 0.75 * top):
            rgb = item["colour"][:3]
            near = [
                o["colour"][3] for o in group if all(abs(x - y) <= 3 for x, y in zip(rgb, o["colour"][:3], strict=True))
            ]
            kept.append({**item, "kind": "layer", "colour": [*rgb, max(near)]})
    return kept
