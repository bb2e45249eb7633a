"""Equation labels and ``@eq:`` references of one page: numbers, anchors and links.

An author labels a displayed equation with ``\\label{name}`` inside it and refers to it in the
prose as ``@eq:name``; the build turns the reference into ``<a class="repro-ref"
href="#eq-name">式 (3)</a>``. temml numbers nothing itself: every numbered row carries an
empty ``<span class="tml-eqn">`` and temml's stylesheet draws the number with a CSS counter
(``body { counter-reset: tmlEqnNo }``, ``.tml-eqn::before { counter-increment: tmlEqnNo }``),
so the number the reader sees is the position of that span among all such spans of the page.
We count them the same way, in document order. Numbered: ``equation``, ``align``, ``gather``,
``alignat``, ``multline`` (each row that has no ``\\nonumber``/``\\notag``); not numbered:
the starred forms, ``$$..$$`` and inline math. A ``\\tag{..}`` row shows its tag instead and
does not advance the counter; a reference to it reads the tag.

``\\eqref`` and ``\\ref`` (temml renders them as empty links), an unknown ``@eq:`` label, a
label used twice on a page and a label on a row that shows no number are errors.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .mathml import Formula, Rendered, substitute

ADVICE = "write @eq:name in the prose and \\label{name} in the equation"
LABEL = re.compile(r"\\label\{([^{}]*)\}")
NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
FORBIDDEN = re.compile(r"\\(?:eq)?ref\s*\{[^{}]*\}")
# "@eq:name" in the prose, not inside an e-mail address or an ASCII word; a Chinese character
# may touch it ("代入@eq:x"): Python's \w would count it as a word character.
REFERENCE = re.compile(r"(?<![A-Za-z0-9_.@])@eq:(?P<name>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)")
# What the prose scan must leave alone: code (which may show the syntax) and the formulas.
_SKIP = r'<(?P<code>pre|code)\b.*?</(?P=code)>|<(?P<math>span|div) class="arithmatex"[^>]*>.*?</(?P=math)>'
_PROSE = re.compile(rf"(?P<skip>{_SKIP})|{REFERENCE.pattern}|(?P<tex>{FORBIDDEN.pattern})", re.DOTALL)
# The pieces of temml's MathML that decide numbering: rows (with the id \label gives them
# and the class \tag gives them), the counter's span, and a tag's text.
_ROW_PIECE = re.compile(
    r'<mtr(?: id="(?P<id>[^"]*)")?(?: class="(?P<tagged>tml-tageqn)")?[^>]*>'
    r'|(?P<close></mtr>)|(?P<eqn><span class="tml-eqn">)|<mtext class="tml-tag">(?P<tag>[^<]*)</mtext>'
)


@dataclass(frozen=True)
class Issue:
    """A bad label or reference: the source text showing it, which occurrence, and what is wrong."""

    needle: str
    occurrence: int
    message: str


@dataclass(frozen=True)
class Linked:
    """A page with its formulas substituted and its references linked."""

    html: str
    issues: list[Issue]


@dataclass(frozen=True)
class Row:
    """A labelled row of one formula: its counter position within the formula, or its tag."""

    label: str
    number: int | None
    tag: str | None


def check_tex(tex: str) -> str | None:
    """Why a formula must not be rendered as written (``\\eqref``, a bad label), or None."""
    forbidden = FORBIDDEN.search(tex)
    if forbidden:
        return f"{forbidden.group(0)} is not supported: {ADVICE}"
    for name in LABEL.findall(tex):
        if not NAME.fullmatch(name):
            return f"\\label{{{name}}}: a label is lowercase letters, digits and hyphens, e.g. \\label{{density}}"
    return None


def mentions_equations(page_html: str) -> bool:
    """Whether a page's HTML holds an ``@eq:`` reference or a ``\\ref``/``\\eqref``."""
    return REFERENCE.search(page_html) is not None or FORBIDDEN.search(page_html) is not None


def numbered_rows(mathml: str) -> tuple[int, list[Row]]:
    """How many numbers a formula shows, and its labelled rows in order.

    A row that shows no number (``\\nonumber``, starred environments) gets neither a number
    nor a tag; temml drops the id of such rows, so they are absent here.
    """
    count = 0
    rows: list[Row] = []
    stack: list[tuple[str | None, int, str | None]] = []  # open rows: id, count at opening, tag
    for piece in _ROW_PIECE.finditer(mathml):
        if piece.group("eqn"):
            count += 1
        elif piece.group("tag") is not None and stack:
            stack[-1] = (stack[-1][0], stack[-1][1], piece.group("tag"))
        elif piece.group("close"):
            label, opened, tag = stack.pop()
            if label is not None:
                rows.append(Row(label, count if count > opened else None, tag))
        else:
            stack.append((piece.group("id"), count, None))
    return count, rows


def anchored(mathml: str) -> str:
    """MathML whose labelled rows carry ``id="eq-name"`` (temml writes the bare name)."""
    return re.sub(r'<mtr id="([^"]*)"', r'<mtr id="eq-\1"', mathml)


def link_page(page_html: str, found: Sequence[Formula], rendered: Mapping[Formula, Rendered]) -> Linked:
    """Substitute a page's formulas (``found``, in page order) and resolve its references."""
    issues: list[Issue] = []
    texts, pieces = _number(found, rendered, issues)
    seen: dict[str, int] = {}

    def prose(match: re.Match[str]) -> str:
        if match.group("skip"):
            return match.group(0)
        token = match.group(0)
        occurrence = seen[token] = seen.get(token, -1) + 1
        name = match.group("name")
        if name in texts:
            return f'<a class="repro-ref" href="#eq-{name}">{texts[name]}</a>'
        if name is None:
            message = f"{token} is not supported, in math or in the prose: {ADVICE}"
        else:
            known = ", ".join(sorted(texts)) or "none"
            message = f"unknown reference '{token}' (labelled on this page: {known}); {ADVICE}"
        issues.append(Issue(token, occurrence, message))
        return (
            f'<span class="repro-error-inline" role="alert">{token}'
            f'<span class="repro-error-message">{html.escape(message)}</span></span>'
        )

    return Linked(substitute(_PROSE.sub(prose, page_html), pieces), issues)


def _number(
    found: Sequence[Formula], rendered: Mapping[Formula, Rendered], issues: list[Issue]
) -> tuple[dict[str, str], list[Rendered]]:
    """The reference text of each label ("式 (3)"), and each formula's rendering in page order."""
    texts: dict[str, str] = {}
    pieces: list[Rendered] = []
    counter = 0  # numbers shown so far on the page: the CSS counter's value
    for index, formula in enumerate(found):
        result = rendered[formula]
        if result.mathml is None:
            pieces.append(result)
            continue
        count, rows = numbered_rows(result.mathml)
        mathml = anchored(result.mathml)
        shown = {row.label for row in rows if row.number is not None or row.tag is not None}
        for name in sorted(set(LABEL.findall(formula.tex)) - shown):
            needle = f"\\label{{{name}}}"
            message = f"{needle} is on a row that shows no number (label a row of equation, align or gather)"
            issues.append(Issue(needle, _occurrence(found, index, needle), message))
        for row in rows:
            if row.label in texts:
                needle = f"\\label{{{row.label}}}"
                issues.append(Issue(needle, _occurrence(found, index, needle), f"label '{row.label}' is used twice"))
                mathml = mathml.replace(f' id="eq-{row.label}"', "", 1)  # ids stay unique in draft mode
            elif row.number is not None:
                texts[row.label] = f"式 ({counter + row.number})"
            elif row.tag is not None:
                texts[row.label] = f"式 {row.tag}"
        counter += count
        pieces.append(Rendered(mathml, None))
    return texts, pieces


def _occurrence(found: Sequence[Formula], index: int, needle: str) -> int:
    """Which occurrence of ``needle`` in the source the formula ``found[index]`` holds."""
    return sum(formula.tex.count(needle) for formula in found[:index])
