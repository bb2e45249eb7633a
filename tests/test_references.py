"""Related posts and source locations with hand-written inputs (the built site's are checked in
test_browser_meta.py; its posts share few tags, so the ordering is exercised here)."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from related import related
from reproduce.sources import code_link, functions_of, source_pages


@dataclass(frozen=True)
class Post:
    title: str
    tags: tuple[str, ...]
    day: int

    @property
    def date(self) -> datetime.datetime:
        return datetime.datetime(2019, 1, self.day, tzinfo=datetime.UTC)


def test_related_posts_most_shared_tags_first_then_newest_and_none_without_a_shared_tag() -> None:
    this = Post("this", ("a", "b", "c"), 1)
    one_old, one_new = Post("one old", ("a",), 2), Post("one new", ("c", "x"), 9)
    two = Post("two", ("b", "a"), 3)
    alone = Post("alone", ("z",), 4)
    posts = [this, one_old, one_new, two, alone]
    found = related(this, posts, limit=5)
    assert [(r.article.title, r.tags) for r in found] == [("two", ("a", "b")), ("one new", ("c",)), ("one old", ("a",))]
    assert [r.article.title for r in related(this, posts, limit=2)] == ["two", "one new"]
    assert related(alone, posts, limit=5) == []


def test_functions_are_found_with_their_def_lines_without_importing(tmp_path: Path) -> None:
    source = (
        "import not_installed\n\n\n@decorated\ndef run(*, x):\n    pass\n\n\n"
        "class A:\n    async def b(self):\n        pass\n"
    )
    assert functions_of(source) == {"run": 5, "A": 9, "A.b": 10}
    assert functions_of("def broken(:\n") == {}
    module = tmp_path / "topic.py"
    module.write_text(source, encoding="utf-8")
    link = code_link("run", "topic:run", locate=lambda name: module if name == "topic" else None)
    assert link is not None and (link.url, link.line) == ("source/topic.html#L-5", 5)
    assert code_link("run", "topic:missing", locate=lambda name: module) is None
    assert code_link("run", "other:run", locate=lambda name: None) is None


def test_a_kept_listing_is_the_highlighted_file_and_follows_its_edits(tmp_path: Path) -> None:
    module = tmp_path / "topic.py"
    memo = tmp_path / "memo"

    def listing() -> str:
        digest = hashlib.sha256(module.read_bytes()).hexdigest()
        (page,) = source_pages(
            {"topic": {"topic": digest}}, locate=lambda name: module, imports=lambda name: [], root=tmp_path, memo=memo
        )
        return page.html

    module.write_text("def run():\n    return 1\n", encoding="utf-8")
    fresh = listing()
    assert len(list(memo.iterdir())) == 1 and listing() == fresh  # the second read comes from the memo
    (kept,) = memo.iterdir()
    kept.write_text("<p>another listing</p>", encoding="utf-8")
    assert listing() == "<p>another listing</p>"  # (so the memo really is read)
    module.write_text("def run():\n    return 2\n", encoding="utf-8")
    assert ">2<" in listing().replace('<span class="mi">2</span>', ">2<") and len(list(memo.iterdir())) == 2
