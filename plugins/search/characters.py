"""The copy of the site that Pagefind indexes: every Chinese character a word of its own.

Pagefind segments the indexed text with jieba, but a query with the browser's
``Intl.Segmenter`` (inside Pagefind's web worker, beyond our reach), and every piece of the
query must begin an indexed word of the page. The two disagree: Debian's Chromium splits
拉马努金 into 拉 马 努 金 while the index holds 拉 and 马努金, so 努 begins no word and the
post is not found; a browser with a full ICU dictionary splits other words differently again.
Indexing every Chinese character as its own word makes the index independent of any
segmenter; ``phrases.js`` (the query side, shipped in the bundle) then asks for the
characters of each Chinese piece of a query as an exact phrase, that is at consecutive word
positions, so a query finds the pages that contain it as written, not every page that has
its characters somewhere.

Each Chinese character is set apart with U+200B ZERO WIDTH SPACE on both sides, which jieba
does not join across and which Pagefind itself puts between the words of Chinese excerpts,
in a temporary copy: the published pages keep their text as written. Both sides, so that a
character next to a tag boundary (互<em>信息</em>) or a Latin letter is a word of its own
too. Only visible text and the attributes Pagefind indexes (``aria-label`` of figures,
``alt``) are split; ids (sub-result anchors) and the page's title (given back to Pagefind as
``data-pagefind-meta``) stay as they are.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

ZWSP = "\u200b"
#: Chinese characters (CJK Unified Ideographs, Extension A, Compatibility Ideographs); the same
#: class is ``HAN`` in phrases.js, which must agree with it.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
BESIDE_HAN = re.compile(f"(?<=[{HAN}])|(?=[{HAN}])")
TEXT = re.compile(r">([^<]+)<")
INDEXED_ATTRIBUTE = re.compile(r'( (?:aria-label|alt)=")([^"]*)"')
TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def split_characters(text: str) -> str:
    """``text`` with a zero-width space before and after every Chinese character (one between two)."""
    return BESIDE_HAN.sub(ZWSP, text)


def split_page(page: str) -> str:
    """``page`` with its body's Chinese text split into characters, its title kept whole."""
    head, body_tag, body = page.partition("<body")
    title = TITLE.search(body)
    body = TEXT.sub(lambda m: ">" + split_characters(m.group(1)) + "<", body)
    body = INDEXED_ATTRIBUTE.sub(lambda m: m.group(1) + split_characters(m.group(2)) + '"', body)
    if title:
        whole = html.escape(html.unescape(TAG.sub("", title.group(1))).strip(), quote=True)
        body = body.replace("data-pagefind-body", f'data-pagefind-body data-pagefind-meta="title:{whole}"', 1)
    return head + body_tag + body


def write_character_copy(site: Path, copy: Path) -> int:
    """Write every HTML page of ``site`` (but Pagefind's own) split into ``copy``; returns how many."""
    count = 0
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site)
        if relative.parts[0] == "pagefind":
            continue
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(split_page(page.read_text(encoding="utf-8")), encoding="utf-8")
        count += 1
    return count
