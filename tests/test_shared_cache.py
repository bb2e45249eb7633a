"""Issue 13.1: a shared cache (file:// and S3 through moto's server), signed, checked and sanitised.

Each test builds small sites of the fake registry in two folders ("checkouts") with their
own local caches and one shared cache between them, as CI and an author would.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, Site
from reproduce.cache import Entry
from reproduce.shared import SharedCache
from serving import serve_s3
from test_site_build import _identical_trees, computed

SECRET = "a-secret-only-ci-and-authors-hold"
POST = """\
Title: {slug}
Date: 2026-11-01
Slug: {slug}

一段文字。

```repro
compute: {compute}
{params}
```
"""
LINES = {f"line-{points}": ("toy.line", f"points: {points}\nseed: 1") for points in (10, 11, 12, 13)}


def _checkout(site: Site | Path, posts: dict[str, tuple[str, str]]) -> Site:
    """A checkout of a site with ``posts``; the ``site`` fixture is the first (it makes these site-tier tests)."""
    site = site if isinstance(site, Site) else Site(site)
    for slug, (compute, params) in posts.items():
        site.write(f"posts/{slug}.md", POST.format(slug=slug, compute=compute, params=params))
    return site


def _environment(url: str, *, write: bool, key: str | None = SECRET, **more: str) -> dict[str, str]:
    environment = {"REPRO_SHARED_CACHE": url, "REPRO_SHARED_CACHE_WRITE": "1" if write else "0", **more}
    if key is not None:
        environment["REPRO_SHARED_CACHE_KEY"] = key
    return environment


def _report(site: Site) -> dict:
    return json.loads((site.cache / "build-report.json").read_text(encoding="utf-8"))


def _ci_build(site: Site, posts: dict[str, tuple[str, str]]) -> Path:
    """Build ``posts`` in the ``site`` fixture as CI would, filling a file:// shared cache; its folder.

    Other checkouts go beside that folder, outside the first checkout's content.
    """
    shared = site.path / "elsewhere" / "shared"
    result = _checkout(site, posts).build(environment=_environment(shared.as_uri(), write=True))
    assert result.returncode == 0, result.log
    return shared


def _keys(site: Site) -> dict[str, str]:
    """Each post's directive key, by slug, from the last build's report."""
    return {Path(r["location"].split(":")[0]).stem: r["key"] for r in _report(site)["records"]}


def _entries(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("??/*.json.gz"))}


def _sign(shared: str, key: str, entry: dict, components: object, secret: str = SECRET) -> None:
    """Write an entry as a writer holding ``secret`` would (a compromised or a foreign one)."""
    cache = SharedCache(shared, secret=secret.encode(), writable=True)
    cache.fs.rm(cache.path(key))
    assert cache.put(key, Entry(**entry), components=components)


def _read(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def test_a_second_checkout_computes_nothing_and_builds_the_same_pages(site: Site) -> None:
    shared = _ci_build(site, LINES)
    first, elsewhere = site, shared.parent
    assert _report(first)["totals"]["computed"] == 4
    stored = _entries(shared)
    assert len(stored) == 4 and all(gzip.decompress(data).startswith(b"{") for data in stored.values())

    second = _checkout(elsewhere / "author", LINES)
    result = second.build(environment=_environment(shared.as_uri(), write=False))
    assert result.returncode == 0, result.log
    assert computed(result.log) == (4, 0, 0)
    assert "4 from the shared cache" in result.log
    assert _report(second)["totals"]["shared"] == 4
    assert _identical_trees(first.output, second.output)
    assert _entries(shared) == stored  # a reader writes nothing there
    # The validated parameters were shared too: the second checkout validated nothing again
    # (validating imports each computation's module: numpy, scipy, matplotlib).
    assert len(_entries(shared / "params")) == 4
    assert len(list((second.cache / "params").glob("*.json"))) == 4
    # A shared hit was copied into the local cache: a third build does not read the shared one.
    result = second.build()
    assert computed(result.log) == (4, 0, 0) and "shared" not in result.log


def test_a_writer_with_a_warm_local_cache_fills_an_empty_shared_one(site: Site) -> None:
    _checkout(site, LINES)
    assert computed(site.build().log) == (0, 4, 0)  # before the team had a shared cache
    shared = site.path / "elsewhere" / "shared"
    result = site.build(environment=_environment(shared.as_uri(), write=True))
    assert computed(result.log) == (4, 0, 0)
    assert len(_entries(shared)) == 4 and len(_entries(shared / "params")) == 4
    second = _checkout(shared.parent / "author", LINES)
    assert computed(second.build(environment=_environment(shared.as_uri(), write=False)).log) == (4, 0, 0)


def test_the_same_against_s3_served_by_moto(site: Site, s3: dict[str, str]) -> None:
    elsewhere = site.path / "elsewhere"
    url = "s3://repro-cache/site"
    first = _checkout(site, LINES)
    result = first.build(environment=_environment(url, write=True, **s3))
    assert result.returncode == 0, result.log
    assert computed(result.log) == (0, 4, 0)
    second = _checkout(elsewhere / "author", LINES)
    result = second.build(environment=_environment(url, write=False, **s3))
    assert result.returncode == 0, result.log
    assert computed(result.log) == (4, 0, 0)
    assert _identical_trees(first.output, second.output)
    # What is in the bucket: four signed, gzipped entries named by key.
    import boto3

    client = boto3.client("s3", endpoint_url=s3["AWS_ENDPOINT_URL_S3"], region_name="us-east-1")
    names = [item["Key"] for item in client.list_objects_v2(Bucket="repro-cache")["Contents"]]
    entries = [name for name in names if not name.startswith(("site/params/", "site/sources/"))]
    assert sorted(entries) == sorted(f"site/{key[:2]}/{key}.json.gz" for key in _keys(first).values())
    assert sum(name.startswith("site/params/") for name in names) == 4  # each directive's validated parameters
    listings = sum(name.startswith("site/sources/") for name in names)  # and each source page's listing
    assert listings == len(list((first.output / "source").glob("*.html"))) > 0


def test_torn_unsigned_wrongly_signed_and_altered_entries_are_recomputed_and_reported(site: Site) -> None:
    shared = _ci_build(site, LINES)
    first, elsewhere = site, shared.parent
    keys = _keys(first)
    path = {slug: shared / key[:2] / f"{key}.json.gz" for slug, key in keys.items()}
    torn, unsigned, foreign, altered = path["line-10"], path["line-11"], path["line-12"], path["line-13"]
    torn.write_bytes(torn.read_bytes()[: len(torn.read_bytes()) // 2])
    document = _read(unsigned)
    del document["signature"]
    unsigned.write_bytes(gzip.compress(json.dumps(document).encode()))
    document = _read(foreign)
    _sign(shared.as_uri(), keys["line-12"], document["entry"], document["components"], secret="another-secret")
    document = _read(altered)
    document["entry"]["artifact"]["items"][1]["caption"] = "改过的表"
    altered.write_bytes(gzip.compress(json.dumps(document).encode()))

    second = _checkout(elsewhere / "author", LINES)
    result = second.build(environment=_environment(shared.as_uri(), write=False))
    assert result.returncode == 0, result.log
    assert computed(result.log) == (0, 4, 0)
    reasons = {
        "line-10": "torn or not an entry",
        "line-11": "unsigned (only entries signed with REPRO_SHARED_CACHE_KEY are read)",
        "line-12": "wrongly signed (not with this REPRO_SHARED_CACHE_KEY)",
        "line-13": "altered (its content does not match its signed digest)",
    }
    problems = _report(second)["problems"]
    for slug, reason in reasons.items():
        expected = f"content/posts/{slug}.md:7: shared cache entry {keys[slug]} refused: {reason}"
        assert expected in result.log, result.log
        assert any(problem.startswith(expected) for problem in problems)
    assert "改过的表" not in (second.output / "posts" / "line-13.html").read_text(encoding="utf-8")
    assert _identical_trees(first.output, second.output)


def test_source_listings_are_shared_signed_and_checked_like_results(site: Site) -> None:
    # A fresh checkout would otherwise highlight every source page again (~1.5 s of a ~3 s build).
    shared = _ci_build(site, LINES)
    first, elsewhere = site, shared.parent
    (stored,) = (shared / "sources").glob("??/*.json.gz")  # the fake registry is one module
    (page,) = (first.output / "source").glob("*.html")
    key = stored.name.removesuffix(".json.gz")
    # Replaced by a writer holding the secret: a reader shows it, so it reads listings from
    # the shared cache rather than highlighting them again; and keeps it locally.
    cache = SharedCache(shared.as_uri(), secret=SECRET.encode(), writable=True)
    assert cache.put_listing(key, '<div class="highlight">共享的列表</div>')
    second = _checkout(elsewhere / "author", LINES)
    result = second.build(environment=_environment(shared.as_uri(), write=False))
    assert result.returncode == 0 and "source listing" not in result.log, result.log
    assert "共享的列表" in (second.output / "source" / page.name).read_text(encoding="utf-8")
    assert _listing_of(second, key) == '<div class="highlight">共享的列表</div>'

    # Signed with a foreign secret: refused, said, highlighted again.
    stranger = SharedCache(shared.as_uri(), secret=b"another-secret", writable=True)
    assert stranger.put_listing(key, '<div class="highlight"><script>alert(1)</script></div>')
    third = _checkout(elsewhere / "reader", LINES)
    result = third.build(environment=_environment(shared.as_uri(), write=False))
    assert result.returncode == 0, result.log
    expected = f"shared source listing {key} refused: wrongly signed (not with this REPRO_SHARED_CACHE_KEY)"
    assert expected in result.log and any(p.startswith(expected) for p in _report(third)["problems"])
    assert _identical_trees(first.output, third.output)

    # A writer replaces the listing it refused with its own.
    again = _checkout(elsewhere / "ci-2", LINES)
    result = again.build(environment=_environment(shared.as_uri(), write=True))
    assert result.returncode == 0 and "refused: wrongly signed" in result.log
    assert cache.get_listings([key]) == ({key: _listing_of(again, key)}, {})


def _listing_of(site: Site, key: str) -> str:
    return (site.cache / "sources" / f"{key}.html").read_text(encoding="utf-8")


def test_a_writer_repairs_what_it_refused_and_a_missing_secret_is_said_and_reads_nothing(site: Site) -> None:
    posts = dict(list(LINES.items())[:1])
    shared = _ci_build(site, posts)
    elsewhere = shared.parent
    (entry,) = shared.glob("??/*.json.gz")
    entry.write_bytes(b"\x1f\x8b torn")
    again = _checkout(elsewhere / "ci-2", posts)
    result = again.build(environment=_environment(shared.as_uri(), write=True))
    assert computed(result.log) == (0, 1, 0) and "refused: torn" in result.log
    assert _read(entry)["signature"]  # the writer replaced the torn entry with a whole one

    reader = _checkout(elsewhere / "no-key", posts)
    result = reader.build(environment=_environment(shared.as_uri(), write=False, key=None))
    assert result.returncode == 0, result.log
    assert "REPRO_SHARED_CACHE is set but REPRO_SHARED_CACHE_KEY is not" in result.log
    assert "none is read (unsigned content is never used)" in result.log
    assert computed(result.log) == (0, 1, 0)


HOSTILE = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
    "<script>alert(2)</script>"
    '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">phish</div></foreignObject>'
    '<image xlink:href="https://evil.example/track.png" width="1" height="1"/>'
    '<a href="javascript:alert(3)"><text x="1" y="1">click</text></a>'
    '<g style="fill: url(https://evil.example/x)"><path d="M 0 0 L 1 1" onclick="alert(4)"/></g>'
    '<text x="5" y="5">&lt;留下的文字&gt;</text></svg>'
)


def test_a_hostile_svg_in_a_signed_entry_is_sanitised_on_the_page_and_in_its_file(site: Site) -> None:
    posts = dict(list(LINES.items())[:1])
    shared = _ci_build(site, posts)
    first, elsewhere = site, shared.parent
    (key,) = _keys(first).values()
    document = _read(shared / key[:2] / f"{key}.json.gz")
    document["entry"]["artifact"]["items"][0]["svg"] = HOSTILE  # a writer (CI) that was compromised
    _sign(shared.as_uri(), key, document["entry"], document["components"])

    second = _checkout(elsewhere / "author", posts)
    result = second.build(environment=_environment(shared.as_uri(), write=False))
    assert result.returncode == 0, result.log
    assert computed(result.log) == (1, 0, 0)
    page = (second.output / "posts" / "line-10.html").read_text(encoding="utf-8")
    (figure,) = re.findall(r'<figure class="repro-figure".*?</figure>', page, re.DOTALL)
    (figure_file,) = (second.output / "repro").glob("*/figure-1.svg")
    for shown in (figure, figure_file.read_text(encoding="utf-8")):
        for hostile in ("<script", "foreignObject", "onload", "onclick", "evil.example", "javascript:", "phish"):
            assert hostile not in shown
        assert "&lt;留下的文字&gt;" in shown  # the text stays, as text
    sanitised = "content/posts/line-10.md:7: figure SVG sanitised, removed: figure 1: attribute onload on <svg>"
    assert sanitised in result.log
    assert any("element <script>" in problem for problem in _report(second)["problems"])


def test_a_fresh_computations_figure_is_sanitised_too(site: Site) -> None:
    _checkout(site, {"linked": ("toy.linked", "points: 5")})
    result = site.build()
    assert result.returncode == 0, result.log
    assert computed(result.log) == (0, 1, 0)
    page = (site.output / "posts" / "linked.html").read_text(encoding="utf-8")
    (figure,) = re.findall(r'<figure class="repro-figure".*?</figure>', page, re.DOTALL)
    assert "javascript" not in figure and "<a " not in figure.split("<figcaption>")[0]
    # the line it wrapped is drawn: the link's place holds the bare path (ticks are <use>)
    assert re.search(r'</text>\s*<path d="M [^"]*" clip-path=', figure)
    assert "linked.md:7: figure SVG sanitised, removed: figure 1: link <a> to 'javascript:alert(1)'" in result.log


def test_frozen_mode_computes_nothing_and_names_each_missing_directive_by_line_and_key(site: Site) -> None:
    posts = dict(list(LINES.items())[:2])
    shared = _ci_build(site, posts)
    first, elsewhere = site, shared.parent
    keys = _keys(first)

    empty = _checkout(elsewhere / "offline", posts)
    result = empty.build(environment={"REPRO_MODE": "frozen"})
    assert result.returncode == 1
    for slug, key in keys.items():
        expected = f"content/posts/{slug}.md:7: directive 'toy.line': REPRO_MODE=frozen computes nothing: "
        assert f"{expected}no stored result, key {key}" in result.log, result.log
    assert computed(result.log) == (0, 0, 2)
    assert not empty.output.exists()

    reader = _checkout(elsewhere / "author", posts)
    result = reader.build(environment=_environment(shared.as_uri(), write=False, REPRO_MODE="frozen"))
    assert result.returncode == 0, result.log
    assert computed(result.log) == (2, 0, 0)


def test_an_unknown_mode_is_one_clear_error(site: Site) -> None:
    site = _checkout(site, dict(list(LINES.items())[:1]))
    result = site.build(environment={"REPRO_MODE": "freeze"})
    assert result.returncode == 1
    assert "repro: REPRO_MODE is 'freeze'; expected one of: build, frozen, verify" in result.log


def test_verify_mode_compares_with_the_shared_entry_and_says_what_changed(site: Site) -> None:
    posts = {"line-10": LINES["line-10"], "jitter": ("toy.jitter", "")}
    shared = _ci_build(site, posts)
    elsewhere = shared.parent
    stored = _entries(shared)

    checker = _checkout(elsewhere / "nightly", posts)
    result = checker.build(environment=_environment(shared.as_uri(), write=True, REPRO_MODE="verify"))
    assert result.returncode == 1
    assert "content/posts/jitter.md:7: verify: the result differs from the cached one with the same key" in result.log
    assert re.search(r"jitter\.md:7: verify: .*: value: \d+ → \d+", result.log), result.log
    assert "line-10.md:7: verify" not in result.log  # seeded: the same result again
    assert _entries(shared) == stored  # verifying stores nothing in the shared cache


ENTRY = Entry({"items": [], "provenance": {"seconds": 1.0}}, result='[{"value": 1}]', page="p" * 64)


def test_a_bad_url_is_said_at_once_and_s3fs_is_imported_only_when_a_lookup_needs_it() -> None:
    # A warm build with a shared cache set reads nothing from it: it should not pay for
    # importing s3fs, botocore and aiohttp either (0.35 s measured).
    script = """
import importlib.util, sys
from fsspec.registry import known_implementations
from reproduce.shared import SharedCache, SharedCacheError

missing = next(p for p, k in known_implementations.items()
               if "err" in k and importlib.util.find_spec(k["class"].split(".")[0]) is None)
cases = {"nosuch://b/x": "fsspec knows no protocol 'nosuch'", f"{missing}://b/x": known_implementations[missing]["err"]}
for url, expected in cases.items():
    try:
        SharedCache(url, secret=b"k", writable=False)
    except SharedCacheError as error:
        assert expected in str(error), error
    else:
        raise AssertionError(url)
cache = SharedCache("s3://bucket/site", secret=b"k", writable=False)
cache.prefetch([]), cache.prefetch([], folder="params/"), cache.get_listings([])
assert "s3fs" not in sys.modules
assert cache.path("ab12") == "bucket/site/ab/ab12.json.gz" and "s3fs" in sys.modules
"""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("where", ["file", "s3"])
def test_the_first_writer_wins_a_redrawn_page_replaces_and_entries_are_the_same_bytes(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (tmp_path / "shared").as_uri() if where == "file" else f"s3://repro-cache/{tmp_path.name}"
    if where == "s3":
        request.getfixturevalue("s3")
    key = "ab" + "0" * 62
    writer = SharedCache(url, secret=SECRET.encode(), writable=True)
    assert writer.put(key, ENTRY, components={"name": "toy.line"})
    stored = writer.fs.cat_file(writer.path(key))
    later = Entry({**ENTRY.artifact, "provenance": {"seconds": 2.0}}, ENTRY.result, ENTRY.page)
    assert not writer.put(key, later)  # same result and page, other timings: the first stays
    assert writer.fs.cat_file(writer.path(key)) == stored
    assert SharedCache(url, secret=SECRET.encode(), writable=False).get(key).entry == ENTRY
    redrawn = Entry(ENTRY.artifact, ENTRY.result, "q" * 64)
    assert writer.put(key, redrawn)  # the present stage changed: the page is replaced
    assert writer.get(key).entry == redrawn
    assert not SharedCache(url, secret=SECRET.encode(), writable=False).put(key, ENTRY)  # a reader writes nothing
    if where == "file":
        assert not list((tmp_path / "shared").rglob("*.tmp"))  # written under a temporary name, then moved
        again = tmp_path / "again"
        SharedCache(again.as_uri(), secret=SECRET.encode(), writable=True).put(key, redrawn)
        assert (again / "ab" / f"{key}.json.gz").read_bytes() == writer.fs.cat_file(writer.path(key))


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    """Moto's S3 server with the bucket ``repro-cache``; its variables set for the test's own clients too."""
    with serve_s3("repro-cache") as environment, pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        yield environment
