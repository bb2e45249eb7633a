"""Cache keys (stable where they must be, changed by what must change them) and the store."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from reproduce.cache import ArtifactCache, Entry
from reproduce.directive import Location, parse_directive
from reproduce.fingerprint import Fingerprints, cache_key


def f(*, n: int = 3, title: str = "a", rng: object) -> None: ...


def g(*, n: int = 3, title: str = "a", rng: object) -> None: ...


REGISTRY = {"toy.f": f}
TARGET = f"{__name__}:f"


def key(text: str, *, line: int = 1, target: str = TARGET, fingerprints: Fingerprints | None = None) -> str:
    directive = parse_directive(text, location=Location("a.md", line), registry=REGISTRY, default_timeout=5)
    fingerprints = fingerprints or Fingerprints(renderer_module="reproduce.artifact")
    return cache_key(fingerprints.components(directive, target=target, markers={}))


def test_key_ignores_order_defaults_location_and_timeout() -> None:
    base = key("compute: toy.f\nn: 3\ntitle: a\n")
    assert key("compute: toy.f\ntitle: a\nn: 3\n") == base
    assert key("compute: toy.f\n") == base
    assert key("compute: toy.f\ntimeout: 99\n", line=40) == base


def test_key_changes_with_parameters_and_seed() -> None:
    base = key("compute: toy.f\n")
    others = {key("compute: toy.f\nn: 4\n"), key("compute: toy.f\nseed: 1\n")}
    assert base not in others and len(others) == 2


def test_pointing_a_name_at_another_function_of_the_same_module_changes_the_key() -> None:
    # Issue 8.2: the same module source, another function behind the same registry name.
    assert key("compute: toy.f\n", target=f"{__name__}:g") != key("compute: toy.f\n")


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return package


def test_code_follows_same_package_imports_and_each_build_rereads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path, monkeypatch, "fakepkg")
    (package / "helper.py").write_text("X = 1\n")
    (package / "topic.py").write_text(
        textwrap.dedent("""\
        import json
        from . import helper
        from fakepkg.helper import X
    """)
    )
    build = Fingerprints(renderer_module="reproduce.artifact")
    before = build.code("fakepkg.topic")
    assert set(before) == {"fakepkg.helper", "fakepkg.topic"}
    (package / "helper.py").write_text("X = 2\n")
    # Issue 8.1: a later build (a new Fingerprints) sees the edit; one build sees one tree.
    assert Fingerprints(renderer_module="reproduce.artifact").code("fakepkg.topic") != before
    assert build.code("fakepkg.topic") == before


def test_input_file_edits_reach_the_next_build(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("一\n")
    first = Fingerprints(renderer_module="reproduce.artifact")
    before = first.file(data)
    data.write_text("一\n二\n")
    assert Fingerprints(renderer_module="reproduce.artifact").file(data) != before


def test_libraries_are_those_the_code_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 8.3: a scipy upgrade must re-run what imports scipy, and nothing else.
    package = _package(tmp_path, monkeypatch, "libpkg")
    (package / "plain.py").write_text("import numpy as np\nimport json\n")
    (package / "special.py").write_text("from scipy import special\nfrom . import plain\n")
    (package / "segment.py").write_text("def cut(text):\n    import rjieba\n    return rjieba.cut(text)\n")
    build = Fingerprints(renderer_module="reproduce.artifact")
    plain = build.libraries(build.code("libpkg.plain"))
    special = build.libraries(build.code("libpkg.special"))
    segment = build.libraries(build.code("libpkg.segment"))
    assert "numpy" in plain and "scipy" not in plain and "json" not in plain
    assert {"scipy", "numpy"} <= set(special)  # scipy, and numpy through plain and scipy's requirements
    assert set(segment) == {"rjieba"}
    # The renderer draws every figure: matplotlib and what it requires belong to every page's
    # key; the plugin's glue (its package __init__, Pelican) belongs to none.
    assert {"matplotlib", "numpy", "pillow", "fonttools"} <= set(build.renderer["libraries"])
    assert "pelican" not in build.renderer["libraries"]
    assert set(build.code("reproduce.artifact")) == {
        "reproduce.artifact",
        "reproduce.cells",
        "reproduce.compact",
        "reproduce.mathtext",
        "reproduce.registry",
        "reproduce.jobs",
        "reproduce.svg",
    }


def test_the_renderer_is_in_the_page_key_not_the_result_key() -> None:
    # Drawing figures differently redraws pages from stored results; it never recomputes.
    build = Fingerprints(renderer_module="reproduce.artifact")
    run = build.components(
        parse_directive("compute: toy.f\n", location=Location("a.md", 1), registry=REGISTRY, default_timeout=5),
        target=TARGET,
        markers={},
    )
    page = build.page(present=TARGET, result="{}")
    assert "renderer" not in run and "matplotlib" not in run["libraries"]
    assert page["renderer"] == build.renderer["code"] and "matplotlib" in page["libraries"]


def test_real_topics_record_the_libraries_they_use() -> None:
    build = Fingerprints(renderer_module="reproduce.artifact")
    assert "scipy" in build.libraries(build.code("computations.angles.experiments"))
    assert "scipy" not in build.libraries(build.code("computations.denoising.experiments"))
    assert "rjieba" in build.libraries(build.code("computations.wordcount.experiments"))


def test_store_round_trip_keeps_components_and_corruption_is_a_miss(tmp_path: Path) -> None:
    store = ArtifactCache(tmp_path)
    artifact = {"items": [{"kind": "check", "claim": "中文", "passed": True, "detail": ""}], "provenance": {}}
    assert store.get("ab" * 32) is None
    store.put("ab" * 32, Entry(artifact, result='{"x":1}', page="cd" * 32), components={"function": "m:f"})
    assert store.get("ab" * 32) == Entry(artifact, result='{"x":1}', page="cd" * 32)
    (path,) = tmp_path.rglob("*.json")
    assert not list(tmp_path.rglob("*.tmp"))
    entry = json.loads(path.read_text())
    assert entry["components"] == {"function": "m:f"}
    entry["artifact"]["items"][0]["passed"] = False
    path.write_text(json.dumps(entry))
    assert store.get("ab" * 32) is None
    path.write_text("{")
    assert store.get("ab" * 32) is None
    path.rename(tmp_path / "ab" / f"{'cd' * 32}.json")
    store.put("ab" * 32, Entry(artifact))
    assert store.get("cd" * 32) is None  # an entry under the wrong name is not served
