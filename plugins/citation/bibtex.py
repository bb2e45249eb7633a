"""BibTeX entries as text: field values escaped for (bib)LaTeX, in a fixed field order.

No Pelican here: :func:`entry` takes plain values and returns the entry's text, so the
escaping can be tested on its own. Values are written in braces; a title is double-braced so
that bibliography styles keep its capitals ("Transformer", "HSIC") as written, and a group
author is double-braced so that it is one name, not a first and a last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

# What (bib)LaTeX reads as commands inside a braced value: a title like "50% & more_x" would
# otherwise break the reader's document, or, with an unbalanced brace, the whole .bib file.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_PATTERN = re.compile("|".join(re.escape(c) for c in _SPECIAL))
# Keys: what BibTeX and biber both accept everywhere (no spaces, commas, braces, quotes, #, %).
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.+-]")


@dataclass(frozen=True)
class Field:
    """One field: ``kind`` is "text" (escaped), "literal" (escaped and double-braced: a title
    whose capitals stay, a group's name that must not be split into first and last names) or
    "url" (verbatim in biblatex: only what would unbalance the braces is percent-encoded).
    A "names" field's value is a tuple of names, each braced (one name, never split into first
    and last: a group, or a Chinese name written without a space) and joined by "and"."""

    name: str
    value: str | tuple[str, ...]
    kind: str = "text"


def escape(text: str) -> str:
    """``text`` with every (bib)LaTeX special character written as a literal; runs of white space as one space."""
    return _SPECIAL_PATTERN.sub(lambda m: _SPECIAL[m.group(0)], " ".join(text.split()))


def key(text: str) -> str:
    """A citation key made of ``text``'s safe characters ("repro:hsic"); never empty."""
    return _KEY_UNSAFE.sub("", text) or "entry"


def entry(kind: str, citation_key: str, fields: Sequence[Field]) -> str:
    """The entry ``@kind{key, name = {value}, ...}``, one field a line, empty fields left out."""
    width = max((len(f.name) for f in fields), default=0)
    filled = [f for f in fields if (f.value if isinstance(f.value, tuple) else f.value.strip())]
    lines = [f"  {f.name.ljust(width)} = {_value(f)}," for f in filled]
    return "\n".join([f"@{kind}{{{key(citation_key)},", *lines, "}"])


def _value(field: Field) -> str:
    if isinstance(field.value, tuple):
        return "{" + " and ".join("{" + escape(name) + "}" for name in field.value) + "}"
    if field.kind == "url":
        return "{" + quote(field.value.strip(), safe="/:?=&%#+~@!$'()*,;[]-._") + "}"
    if field.kind == "literal":
        return "{{" + escape(field.value) + "}}"
    return "{" + escape(field.value) + "}"
