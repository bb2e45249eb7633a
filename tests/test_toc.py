"""plugins/toc: the contents read from a page's finished headings."""

from __future__ import annotations

from toc import Heading, headings

PAGE = (
    '<h2 id="甲">甲<a class="headerlink" href="#甲" title="本节的链接">#</a></h2><p>正文</p>'
    '<h3 id="甲一">甲一 <math><mi>x</mi></math><a class="headerlink" href="#甲一">#</a></h3>'
    '<h4 id="深">深</h4><h2 id="乙">乙<a class="headerlink" href="#乙">#</a></h2>'
)


def test_sections_nest_their_subsections_and_drop_the_permalink() -> None:
    assert headings(PAGE) == [
        Heading("甲", "甲", [Heading("甲一", "甲一 <math><mi>x</mi></math>")]),
        Heading("乙", "乙"),
    ]


def test_a_subsection_before_any_section_is_listed_at_the_top() -> None:
    assert headings('<h3 id="a">a</h3><h2 id="b">b</h2>') == [Heading("a", "a"), Heading("b", "b")]
