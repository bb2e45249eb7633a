"""A figure's SVG made smaller (plugins/reproduce/compact.py) draws the same: lossless images,
only unreferenced ids gone, numbers rounded where rounding cannot be seen."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
from matplotlib.figure import Figure
from PIL import Image
from reproduce.artifact import configure_matplotlib
from reproduce.compact import compact, round_numbers, smallest_image
from reproduce.svg import from_figure

SVG = "{http://www.w3.org/2000/svg}"


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def _decode(url: str) -> tuple[str, np.ndarray]:
    mime, data = re.fullmatch(r"data:(image/\w+);base64,(.*)", url, re.DOTALL).groups()
    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        return mime, np.asarray(image.convert("RGBA"))


def test_a_smooth_image_becomes_a_smaller_lossless_webp() -> None:
    y, x = np.mgrid[0:120, 0:160]
    pixels = np.stack([x * 255 // 159, y * 255 // 119, (x + y) % 256, np.full_like(x, 200)], axis=-1).astype(np.uint8)
    png = _png(pixels)
    url = smallest_image(png)
    mime, decoded = _decode(url)
    assert mime == "image/webp"
    assert np.array_equal(decoded, pixels)  # every pixel, alpha included
    assert len(url) < len(base64.b64encode(png)) / 2


def test_an_image_that_webp_would_not_shrink_stays_png() -> None:
    # noise compresses in neither format, and WebP's container is the larger
    png = _png(np.random.default_rng(0).integers(0, 256, size=(8, 8, 4), dtype=np.uint8))
    assert smallest_image(png) == "data:image/png;base64," + base64.b64encode(png).decode()


def test_only_ids_nothing_refers_to_are_dropped() -> None:
    svg = (
        '<svg><defs><path id="m1" d="M 0 0"/><clipPath id="p2"><rect/></clipPath></defs>'
        '<g id="line2d_1" clip-path="url(#p2)"><use xlink:href="#m1" x="1" y="2"/></g><g id="text_3"/></svg>'
    )
    out = compact(svg)
    assert 'id="m1"' in out and 'id="p2"' in out
    assert "line2d_1" not in out and "text_3" not in out
    # a group left bare goes, its children stay; a group that still clips stays
    assert '<g clip-path="url(#p2)"><use xlink:href="#m1" x="1" y="2"/></g></svg>' in out


def test_the_labels_font_family_is_said_once_on_the_svg() -> None:
    family = "font-family: 'Noto Sans CJK SC', 'DejaVu Sans'"
    svg = (
        f'<svg width="1pt"><text style="font-size: 10px; {family}; text-anchor: end">a</text>'
        f'<text style="font-size: 12px; {family}">b</text>'
        "<text style=\"font-family: 'DejaVu Sans'\"><tspan style=\"font-family: 'DejaVu Sans'\">c</tspan></text></svg>"
    )
    assert compact(svg) == (
        f'<svg style="{family}" width="1pt"><text style="font-size: 10px; text-anchor: end">a</text>'
        '<text style="font-size: 12px">b</text>'
        "<text style=\"font-family: 'DejaVu Sans'\"><tspan style=\"font-family: 'DejaVu Sans'\">c</tspan></text></svg>"
    )


def test_bare_groups_are_unwrapped_and_their_children_kept() -> None:
    svg = '<svg><g><g style="a"><g><path d="M 0 0 \nL 1 1 \n"/></g></g><g/><text>x</text></g></svg>'
    assert compact(svg) == '<svg><g style="a"><path d="M 0 0 L 1 1 "/></g><text>x</text></svg>'


def test_numbers_are_rounded_in_geometry_but_not_in_text_transforms_or_ids() -> None:
    svg = (
        '<svg><path d="M 65.814597 -0.001 L 3.5 1.23456" style="stroke-width: 0.812345"/>'
        '<image transform="matrix(3.312345 0 0 -3.312345 10.123456 20.5)"/>'
        '<text x="40.20024" y="229.309812" transform="rotate(-0 40.20024 229.309812)">0.001234</text>'
        '<g id="a1.23456"/><use xlink:href="#a1.23456"/></svg>'
    )
    out = compact(svg)
    assert '<path d="M 65.81 0 L 3.5 1.23" style="stroke-width: 0.81"/>' in out
    assert 'transform="matrix(3.312345 0 0 -3.312345 10.123456 20.5)"' in out
    assert '<text x="40.2" y="229.31">0.001234</text>' in out  # the no-op rotation is gone too
    assert 'id="a1.23456"' in out and 'xlink:href="#a1.23456"' in out


def _figure() -> Figure:
    configure_matplotlib()  # the site's settings: text as <text>, the CJK font
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    t = np.linspace(0, 1, 200)
    ax.plot(t, np.sin(7 * t), marker="o", markevery=10, label=r"$\sin 7t$ 正弦")
    ax.scatter(t, np.cos(5 * t), s=4, alpha=0.5, rasterized=True)
    ax.imshow(np.outer(t, t), extent=(0, 1, -1, 1), aspect="auto", interpolation="bilinear")
    ax.set_title(r"标题 $\sigma^2\nabla\log p_\sigma$")
    ax.legend()
    return fig


def test_a_real_figure_keeps_every_element_text_and_reference() -> None:
    buffer = io.StringIO()
    _figure().savefig(buffer, format="svg")
    raw = buffer.getvalue()
    raw = raw[raw.index("<svg") :]
    small = from_figure(_figure())
    assert len(small) < 0.7 * len(raw)
    before, after = ET.fromstring(raw), ET.fromstring(small)  # still well-formed XML

    def drawn(root: ET.Element) -> dict[str, int]:
        tags = ("path", "use", "text", "tspan", "image", "rect", "clipPath")
        return {tag: len(root.findall(f".//{SVG}{tag}")) for tag in tags}

    def text(root: ET.Element) -> list[str]:
        return [re.sub(r"\s", "", "".join(t.itertext())) for t in root.iter(f"{SVG}text")]

    assert drawn(after) == drawn(before)
    assert text(after) == text(before)
    ids = {element.get("id") for element in after.iter()}
    assert set(re.findall(r'(?:url\(#|href="#)([^)"]+)', small)) <= ids  # every reference still resolves


def test_rounding_moves_no_number_of_a_real_figure_by_more_than_half_a_hundredth() -> None:
    buffer = io.StringIO()
    _figure().savefig(buffer, format="svg")
    raw = buffer.getvalue()
    rounded = round_numbers(raw)
    number = re.compile(r"-?\d+(?:\.\d+)?")
    before, after = number.findall(raw), number.findall(rounded)
    assert len(before) == len(after) and before != after  # the same numbers, in order, and some rounded
    assert max(abs(float(a) - float(b)) for a, b in zip(before, after, strict=True)) <= 0.005 + 1e-9
