"""Read a directive body as YAML 1.2 (core schema) into plain Python values, with each key's line.

Why YAML 1.2 and not PyYAML's YAML 1.1: 1.1 reads ``points: 010`` as the octal 8,
``slope: yes`` as ``True`` (so a float parameter silently became 1.0) and ``2.5e5`` as a
string. In 1.2 only ``true``/``false`` are booleans and ``2.5e5``/``1e3`` are numbers. What
is still ambiguous between the two versions is refused with the reason, never guessed:
an integer with a leading zero (``010``) names 8 to a YAML 1.1 reader and 10 to a 1.2 one.

ruamel.yaml composes the text into nodes (resolving each plain scalar's tag with the 1.2
rules and recording its position); we build the values from the nodes ourselves, so the
result holds only ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` and ``None``:
no ruamel types, no dates (a timestamp-looking scalar stays the text it is), no binary
or custom tags.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_TAG = "tag:yaml.org,2002:"
# What YAML 1.1 read as an octal integer: a leading zero, then octal digits.
_OCTAL_1_1 = re.compile(r"[-+]?0[0-7_]+")
# Directives are a few lines; anything larger is a mistake (or an attack on the build's memory).
MAX_BODY = 16 * 1024
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


class BodyError(ValueError):
    """The body cannot be read; ``line`` is the 1-based body line at fault (None: the whole body)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Body:
    """A directive body: the top-level mapping as plain values, and the body line of each key.

    A key whose value cannot be read is left out of ``values`` and its problem kept in
    ``problems``, so the caller can name the directive and the parameter in the message.
    """

    values: dict[str, Any]
    lines: dict[str, int]
    problems: dict[str, BodyError]


def read_body(text: str) -> Body:
    """Parse a fence body that must be a YAML mapping with string keys.

    Raises:
        BodyError: invalid YAML, an empty body, not a mapping, or a key that is not a name.
            Problems of one value (a duplicate key, an unsupported tag, a scalar whose
            meaning differs between YAML 1.1 and 1.2) are returned in ``Body.problems``.
    """
    if len(text) > MAX_BODY:
        raise BodyError(f"the body is {len(text)} characters long; a directive may have at most {MAX_BODY}")
    try:
        node = YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise BodyError(f"the body is not valid YAML ({error.problem or error})", _line(mark)) from None
    except YAMLError as error:
        raise BodyError(f"the body is not valid YAML ({error})") from None
    if node is None:
        raise BodyError("empty directive: expected 'compute: <name>' and its parameters")
    if not isinstance(node, MappingNode):
        kind = "list" if isinstance(node, SequenceNode) else "scalar"
        raise BodyError(f"expected a YAML mapping of 'key: value' lines, got a {kind}")
    _refuse_aliases(node)
    body = Body(values={}, lines={}, problems={})
    for key_node, value_node in node.value:
        key = _key(key_node)
        line = _line(key_node.start_mark) or 1
        try:
            if key in body.lines:
                raise BodyError(f"key '{key}' is written twice: keep one", line)
            body.values[key] = _value(value_node)
        except BodyError as error:
            body.problems.setdefault(key, error)
        body.lines.setdefault(key, line)
    return body


def _refuse_aliases(root: Node) -> None:
    """An alias (``*name``) makes one node appear many times: nested aliases grow exponentially
    (a "billion laughs" body took 70 s and ended in MemoryError). Parameters never need them."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            raise BodyError(
                "YAML aliases (*name) are not allowed in a directive: write the value out", _line(node.start_mark)
            )
        seen.add(id(node))
        if isinstance(node, MappingNode):
            pending.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            pending.extend(node.value)


def _key(node: Node) -> str:
    key = _scalar(node) if isinstance(node, ScalarNode) else None
    if not isinstance(key, str) or str(node.tag) == _TAG + "merge":
        raise BodyError(f"keys must be names, got {node.value!r}", _line(node.start_mark))
    return key


def _value(node: Node) -> Any:
    # No node appears twice (_refuse_aliases), so this walk is linear in the body's size.
    if isinstance(node, MappingNode):
        return _mapping(node)
    if isinstance(node, SequenceNode):
        return [_value(item) for item in node.value]
    return _scalar(node)


def _mapping(node: MappingNode) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _key(key_node)
        if key in result:
            # PyYAML kept the last of two equal keys without a word; an author means one of them.
            raise BodyError(f"key '{key}' is written twice: keep one", _line(key_node.start_mark))
        result[key] = _value(value_node)
    return result


def _scalar(node: ScalarNode) -> Any:
    tag, text = str(node.tag), str(node.value)
    if tag == _TAG + "str" or tag == _TAG + "timestamp":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() == "true"
    if tag == _TAG + "int":
        return _integer(text, _line(node.start_mark))
    if tag == _TAG + "float":
        special = _SPECIAL_FLOATS.get(text.lower())
        return special if special is not None else _number(float, text, _line(node.start_mark))
    raise BodyError(f"unsupported YAML tag {tag!r} on {text!r}: write plain values", _line(node.start_mark))


def _integer(text: str, line: int | None) -> int:
    if _OCTAL_1_1.fullmatch(text):
        sign = "-" if text.startswith("-") else ""
        digits = text.lstrip("+-").replace("_", "").lstrip("0") or "0"
        if int(digits, 8) != int(digits):  # "07" means 7 either way; "010" does not
            raise BodyError(
                f"{text!r} has a leading zero: YAML 1.1 read it as the octal number {sign}{int(digits, 8)}, "
                f"YAML 1.2 as {sign}{digits}; write {sign}{digits}, or {sign}0o{digits} if you mean octal",
                line,
            )
    return _number(lambda digits: int(digits, 0 if "o" in digits or "x" in digits else 10), text, line)


def _number(parse: Any, text: str, line: int | None) -> Any:
    try:
        return parse(text)
    except ValueError:  # e.g. a YAML 1.1 sexagesimal "1:20" under an explicit %YAML 1.1
        raise BodyError(f"cannot read {text!r} as a number", line) from None


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None
