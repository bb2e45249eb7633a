"""No number in a post's prose is typed by hand where the build computes it (issue 10).

The prose of every post (outside formulas, code, directives, quotes of the article and
links) may hold a number only if the post's header lists it with the reason it is not the
build's to compute — a year, the original article's own printed value, a count that
defines the experiment — in a ``Stated_numbers:`` line::

    Stated_numbers: 2019 = 原文发表的年份; 0.765 = 原文报告的 F1

Everything a run measures is quoted with ``@val:label.name`` instead. A listed number that
no longer occurs fails too, so the list cannot go stale; a listed number without a reason
fails as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

POSTS = Path(__file__).resolve().parent.parent / "content" / "posts"
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
DISPLAY = re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}|\$\$.*?\$\$", re.DOTALL)
INLINE = re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$|`[^`\n]+`")
LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
TOKEN = re.compile(r"@(?:val|fig|tab|eq):[a-z0-9_.-]+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

STATED = re.compile(r"^Stated_numbers:(.*)$", re.MULTILINE)


def stated(text: str) -> dict[str, str]:
    """The numbers the post's header allows in its prose, each with its reason."""
    header = text.split("\n\n", 1)[0]
    entries = [entry for line in STATED.findall(header) for entry in line.split(";") if entry.strip()]
    return {number.strip(): reason.strip() for number, _, reason in (entry.partition("=") for entry in entries)}


def prose(text: str) -> str:
    """The reader-facing prose of a post: no header, code, formulas, quotes, links or tokens."""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    for pattern in (FENCE, DISPLAY, INLINE, LINK_TARGET, TOKEN):
        body = pattern.sub(" ", body)
    return "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))


def test_the_scanner_finds_typed_numbers_and_skips_the_rest() -> None:
    text = "Title: x\nDate: 2026-01-01\n\n比值是 1.04，$n=3$，`k=2`，@val:a.b2，[链接](https://x.cn/7076)。"
    text += "\n\n> 原文：0.765\n"
    assert NUMBER.findall(prose(text)) == ["1.04"]
    assert stated("Title: x\nStated_numbers: 2019 = 原文年份; 4 = 标准误个数\n\n正文") == {
        "2019": "原文年份",
        "4": "标准误个数",
    }


@pytest.mark.parametrize("post", sorted(POSTS.glob("*.md")), ids=lambda path: path.stem)
def test_numbers_in_the_prose_are_computed_or_allowed_with_a_reason(post: Path) -> None:
    text = post.read_text(encoding="utf-8")
    found, allowed = set(NUMBER.findall(prose(text))), stated(text)
    assert sorted(found - set(allowed)) == [], "typed numbers: quote them with @val, or state them with a reason"
    assert sorted(set(allowed) - found) == [], "stated numbers that no longer occur"
    assert all(allowed.values()), "every stated number needs its reason"
