"""Texts a computation or an author writes for a page (captions, headers, checks): ``$..$`` is math.

A caption such as ``"精确密度 $p_n(\\theta) = c_n\\sin^{n-2}\\theta$"`` is shown in three ways:

- on the page (:func:`to_html`): the text escaped and each formula left as the element
  ``pymdownx.arithmatex`` makes of prose math, ``<span class="arithmatex">\\(..\\)</span>``, so
  ``plugins/texmath`` renders it to MathML with the prose's formulas, in the same font. The
  span carries ``data-source="file:line"`` (the directive's location): a formula that does
  not render fails a strict build there, like any TeX error in the prose;
- where only text can stand, an SVG's ``aria-label`` and a CSV header (:func:`to_plain`):
  each formula as readable Unicode (``p_n(θ) = c_n sin^(n−2) θ``), converted by
  ``pylatexenc`` with a few macros of our own (fractions, roots and scripts keep their
  grouping in parentheses);
- for a reader (the page, an ``aria-label``), a number Python wrote in exponent notation
  (``3.2e-08``) is shown as tables show it (``cells.py``): ``3.2×10⁻⁸``; a CSV keeps it;
- :func:`check` refuses a text whose ``$`` do not pair up (write ``\\$`` for a dollar sign),
  in the worker, so such a result is never cached.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from typing import Any

from markupsafe import Markup

# A formula: from an unescaped "$" to the next; "$$" (display math) is not for one-line texts.
_FORMULA = re.compile(r"(?<!\\)\$((?:[^$\\]|\\.)+?)(?<!\\)\$", re.DOTALL)
_DOLLAR = re.compile(r"(?<!\\)\$")
_SPACES = re.compile(r"\s+")
# Relations and binary operators get a space on each side in plain text, as TeX spaces them.
_RELATION = re.compile(r"\s*([=≤≥≈≠<>∝±→])\s*")
# A function name's spaces stay out of its script and brackets: "sin^(n−2)", "(cos θ)".
_BEFORE_SCRIPT = re.compile(r"\s+([\^_])")
_AFTER_OPENING = re.compile(r"([(\[{])\s+")
# A number as Python's "e" formats write it (5e-07, 3.2e-08, 1.5E+10), not inside a word or hash.
_EXPONENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.])")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class MathTextError(ValueError):
    """A text whose ``$`` signs do not pair up into formulas."""


def check(text: str, *, what: str) -> None:
    """Raise :class:`MathTextError` if ``text`` has a ``$`` that opens no formula or closes none."""
    if _DOLLAR.search(_FORMULA.sub("", text)):
        raise MathTextError(f"{what} {text!r}: a '$' without its pair (formulas are $..$; a dollar sign is \\$)")


def has_math(text: str) -> bool:
    return _FORMULA.search(text) is not None


def readable_numbers(text: str) -> str:
    """``3.2e-08`` → ``3.2×10⁻⁸``, ``1e-05`` → ``10⁻⁵`` in the text outside ``$..$`` (``2e+00`` → ``2``)."""
    out, at = [], 0
    for formula in _FORMULA.finditer(text):
        out += [_EXPONENT.sub(_power_of_ten, text[at : formula.start()]), formula.group(0)]
        at = formula.end()
    return "".join([*out, _EXPONENT.sub(_power_of_ten, text[at:])])


def tex_numbers(text: str) -> str:
    """``3.2e-08`` → ``3.2\\times 10^{-8}``: a number Python wrote, inside a formula."""
    return _EXPONENT.sub(lambda m: _power_of_ten(m, tex=True), text)


def _power_of_ten(match: re.Match[str], *, tex: bool = False) -> str:
    mantissa, power = match.group(1), int(match.group(2))
    if power == 0:
        return mantissa
    ten = f"10^{{{power}}}" if tex else f"10{str(power).translate(_SUPERSCRIPT)}"
    if mantissa == "1":  # 1e-05: 10⁻⁵, as the prose writes it (1.0e-05 keeps its written precision)
        return ten
    return f"{mantissa}\\times {ten}" if tex else f"{mantissa}×{ten}"


def to_html(text: str, *, source: str = "") -> Markup:
    """``text`` as HTML: escaped, each ``$..$`` as an arithmatex span for ``plugins/texmath``,
    numbers as a reader reads them (:func:`readable_numbers`).

    Args:
        source: ``file:line`` where the text is shown (its directive), named when a formula fails.
    """
    check(text, what="text")
    text = readable_numbers(text)
    attribute = f' data-source="{escape(source)}"' if source else ""
    out, at = [], 0
    for formula in _FORMULA.finditer(text):
        out.append(escape(_unescape(text[at : formula.start()]), quote=False))
        out.append(f'<span class="arithmatex"{attribute}>\\({escape(formula.group(1), quote=False)}\\)</span>')
        at = formula.end()
    out.append(escape(_unescape(text[at:]), quote=False))
    return Markup("".join(out))


def to_plain(text: str, *, reader: bool = False) -> str:
    """``text`` with each ``$..$`` as readable Unicode text (for an ``aria-label``, a CSV header).

    ``reader``: for a person (an ``aria-label``), numbers too (:func:`readable_numbers`); a
    CSV is read by programs and keeps them as written.
    """
    check(text, what="text")
    text = readable_numbers(text) if reader else text
    out, at = [], 0
    for formula in _FORMULA.finditer(text):
        out += [_unescape(text[at : formula.start()]), _plain_formula(formula.group(1))]
        at = formula.end()
    return "".join([*out, _unescape(text[at:])])


def _unescape(text: str) -> str:
    return text.replace("\\$", "$")


def _plain_formula(tex: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

    parse, convert = _contexts()
    try:
        nodes, _, _ = LatexWalker(tex, latex_context=parse, tolerant_parsing=False).get_latex_nodes()
        text = LatexNodes2Text(latex_context=convert, math_mode="text").nodelist_to_text(nodes)
    except LatexWalkerError:
        # The page's MathML is what fails the build on bad TeX (with its location); the
        # plain version of a formula that does not parse is its source.
        return tex
    text = _RELATION.sub(lambda m: f" {m.group(1)} ", text.replace("-", "−"))
    text = _AFTER_OPENING.sub(r"\1", _BEFORE_SCRIPT.sub(r"\1", text))
    return _SPACES.sub(" ", text).strip()


def _grouped(text: str) -> str:
    """A script, numerator or radicand of more than one symbol keeps its grouping: ``(n−2)``."""
    text = text.strip()
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def _argument(node: Any, l2tobj: Any, index: int = -1) -> str:
    argument = node.nodeargd.argnlist[index]
    return "" if argument is None else l2tobj.nodelist_to_text([argument])


def _script(mark: str) -> Any:
    def render(node: Any, l2tobj: Any) -> str:
        return mark + _grouped(_argument(node, l2tobj))

    return render


def _fraction(node: Any, l2tobj: Any) -> str:
    return f"{_grouped(_argument(node, l2tobj, -2))}/{_grouped(_argument(node, l2tobj, -1))}"


def _root(node: Any, l2tobj: Any) -> str:
    return "√" + _grouped(_argument(node, l2tobj))


@cache
def _contexts() -> tuple[Any, Any]:
    """pylatexenc's parser and converter contexts, with our fractions, roots, scripts and names.

    pylatexenc reads ``^`` and ``_`` as plain characters and drops braces (``sin^{n-2}`` would
    read "sin^n-2"); here they take an argument like a macro does.
    """
    from pylatexenc import latex2text, latexwalker, macrospec

    arguments = {"frac": "{{", "tfrac": "{{", "dfrac": "{{", "sqrt": "[{", "operatorname": "{", "mathrm": "{"}
    parse = latexwalker.get_default_latex_context_db()
    parse.add_context_category(
        "repro-plain",
        prepend=True,
        macros=[macrospec.MacroSpec(name, spec) for name, spec in arguments.items()],
        specials=[macrospec.SpecialsSpec(mark, args_parser=macrospec.MacroStandardArgsParser("{")) for mark in "^_"],
    )
    names = ("log", "exp", "sin", "cos", "tan", "max", "min", "arg", "det", "tr", "sup", "inf", "lim")
    convert = latex2text.get_default_latex_context_db()
    convert.add_context_category(
        "repro-plain",
        prepend=True,
        macros=[
            *(latex2text.MacroTextSpec(name, simplify_repl=_fraction) for name in ("frac", "tfrac", "dfrac")),
            latex2text.MacroTextSpec("sqrt", simplify_repl=_root),
            latex2text.MacroTextSpec("operatorname", "%s"),
            latex2text.MacroTextSpec("mathrm", "%s"),
            latex2text.MacroTextSpec("|", "‖"),
            latex2text.MacroTextSpec("mid", " | "),
            latex2text.MacroTextSpec("left", ""),
            latex2text.MacroTextSpec("right", ""),
            *(latex2text.MacroTextSpec(name, f" {name} ") for name in names),
        ],
        specials=[latex2text.SpecialsTextSpec(mark, simplify_repl=_script(mark)) for mark in "^_"],
    )
    return parse, convert
