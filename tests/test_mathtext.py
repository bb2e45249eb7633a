"""Formulas in the texts a computation or an author writes: ``$..$`` → math on the page, readable text elsewhere."""

from __future__ import annotations

import re

import pytest
from reproduce.html import AuthorTextError, PageNumbers, render_artifact, with_author_texts
from reproduce.mathtext import MathTextError, check, tex_numbers, to_html, to_plain

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><g id="a"></g></svg>'
PROVENANCE = {"compute": "toy.f", "params": {}, "seed": 0, "seconds": 0.5, "versions": {"numpy": "2"}}


def test_each_formula_becomes_the_span_texmath_renders_and_names_where_it_was_written() -> None:
    html = to_html(r"密度 $p_n(\theta) < 1$ 与 <b>$x$</b>", source="content/posts/a.md:7")
    spans = re.findall(r'<span class="arithmatex" data-source="content/posts/a.md:7">(.*?)</span>', html)
    assert spans == [r"\(p_n(\theta) &lt; 1\)", r"\(x\)"]
    assert html.startswith("密度 <span") and "&lt;b&gt;" in html  # the text around stays text


def test_a_text_without_formulas_is_only_escaped_and_an_escaped_dollar_is_a_dollar() -> None:
    assert to_html("a < b") == "a &lt; b"
    assert to_html(r"价格 \$5") == "价格 $5"
    assert to_plain(r"价格 \$5，$x$") == "价格 $5，x"


@pytest.mark.parametrize("text", ["一个 $ 号", "$x$ 和 $y", r"$x\$"])
def test_a_dollar_without_its_pair_is_refused_with_the_text(text: str) -> None:
    with pytest.raises(MathTextError, match=re.escape(repr(text))):
        check(text, what="figure caption")
    with pytest.raises(MathTextError):
        to_html(text)


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        (r"p_n(\theta) = c_n\sin^{n-2}\theta", "p_n(θ) = c_n sin^(n−2)θ"),
        (r"\mathrm{SE} = \sqrt{p(1-p)/N}", "SE = √(p(1−p)/N)"),
        (r"\frac{1}{n-2}", "1/(n−2)"),
        (r"\|\mu\|^2+\lambda_{\max}(\Sigma)", "‖μ‖^2+λ_max(Σ)"),
        (r"E[x\mid y]", "E[x | y]"),
        (r"\operatorname{Var}(\cos\theta)", "Var(cos θ)"),
    ],
)
def test_alt_text_and_csv_headers_get_formulas_as_readable_text(tex: str, plain: str) -> None:
    assert to_plain(f"公式 ${tex}$。") == f"公式 {plain}。"


def test_a_formula_that_does_not_parse_stays_as_written_in_plain_text() -> None:
    # The page's MathML is what fails the build on it (at the directive's line).
    assert to_plain(r"$\frac{1$") == r"\frac{1"


def artifact() -> dict:
    return {
        "items": [
            {"kind": "figure", "caption": "图注 $x^2$", "alt": r"替代 $\alpha_1$", "svg": SVG, "csv": "x\n"},
            {
                "kind": "table",
                "caption": "表注 $n$",
                "columns": ["$n$", "名称"],
                "rows": [["3", r"$\beta$"]],
                "numeric": [[True, False]],
                "csv": "n\n",
            },
            {"kind": "check", "claim": "断言 $a=b$", "passed": True, "detail": "细节 $c$"},
        ],
        "provenance": PROVENANCE,
    }


def test_captions_headers_cells_and_checks_carry_formulas_and_the_alt_text_is_plain() -> None:
    html = render_artifact(artifact(), key="f" * 64, location="p.md:4", numbers=PageNumbers(), root="").html
    span = '<span class="arithmatex" data-source="p.md:4">'
    for formula in (r"\(x^2\)", r"\(n\)", r"\(\beta\)", r"\(a=b\)", r"\(c\)"):
        assert span + formula + "</span>" in html, formula
    assert f'<th scope="col" class="num">{span}\\(n\\)</span></th>' in html
    assert 'aria-label="替代 α_1"' in html
    assert "$" not in html


def test_an_authors_caption_with_an_unpaired_dollar_names_the_key() -> None:
    with pytest.raises(AuthorTextError, match=r"parameter 'caption': caption text '价格 \$5'"):
        with_author_texts(artifact(), captions=["价格 $5"], alts=None)
    shown = with_author_texts(artifact(), captions=[r"作者的 $\frac{1}{n}$"], alts=None)
    assert shown["items"][0]["caption"] == r"作者的 $\frac{1}{n}$"


def test_numbers_in_exponent_notation_are_shown_as_a_reader_reads_them_but_a_csv_keeps_them() -> None:
    text = "差 3.2e-08 ≤ 5e-08 或 1e-05 或 1.0e-05，共 1.5E+10 次，$\\alpha = 1e-5$，哈希 3e4f1a，x1e5，2e+00"
    shown = "差 3.2×10⁻⁸ ≤ 5×10⁻⁸ 或 10⁻⁵ 或 1.0×10⁻⁵，共 1.5×10¹⁰ 次，{math}，哈希 3e4f1a，x1e5，2"
    assert str(to_html(text)) == shown.format(math='<span class="arithmatex">\\(\\alpha = 1e-5\\)</span>')
    assert to_plain(text, reader=True) == shown.format(math="α = 1e−5")
    assert to_plain(text) == text.replace("$\\alpha = 1e-5$", "α = 1e−5")  # a CSV header as written
    # a value quoted inside a formula (@val: in $..$) becomes TeX, not Unicode superscripts
    assert tex_numbers("-6.9e-07 与 1e-05 与 2e+00") == "-6.9\\times 10^{-7} 与 10^{-5} 与 2"
