"""Cache keys (stable where they must be, changed by what must change them) and the store."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from reproduce.cache import ArtifactCache, cache_key, code_fingerprint
from reproduce.directive import Location, parse_directive


def f(*, n: int = 3, title: str = "a", rng: object) -> None: ...


REGISTRY = {"toy.f": f}


def key(text: str, *, environment: str = "env", line: int = 1) -> str:
    directive = parse_directive(text, location=Location("a.md", line), registry=REGISTRY, default_timeout=5)
    return cache_key(directive, f, environment=environment)


def test_key_ignores_order_defaults_location_and_timeout() -> None:
    base = key("compute: toy.f\nn: 3\ntitle: a\n")
    assert key("compute: toy.f\ntitle: a\nn: 3\n") == base
    assert key("compute: toy.f\n") == base
    assert key("compute: toy.f\ntimeout: 99\n", line=40) == base


def test_key_changes_with_parameters_seed_and_environment() -> None:
    base = key("compute: toy.f\n")
    others = {
        key("compute: toy.f\nn: 4\n"),
        key("compute: toy.f\nseed: 1\n"),
        key("compute: toy.f\n", environment="e2"),
    }
    assert base not in others and len(others) == 3


def test_code_fingerprint_follows_same_package_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "fakepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text("X = 1\n")
    (package / "topic.py").write_text(
        textwrap.dedent("""\
        import json
        from . import helper
        from fakepkg.helper import X
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    before = code_fingerprint("fakepkg.topic")
    code_fingerprint.cache_clear()
    (package / "helper.py").write_text("X = 2\n")
    after = code_fingerprint("fakepkg.topic")
    code_fingerprint.cache_clear()
    assert before != after
    sys.modules.pop("fakepkg", None)


def test_store_round_trip_and_corruption_is_a_miss(tmp_path: Path) -> None:
    store = ArtifactCache(tmp_path)
    artifact = {"items": [{"kind": "check", "claim": "中文", "passed": True, "detail": ""}], "provenance": {}}
    assert store.get("ab" * 32) is None
    store.put("ab" * 32, artifact)
    assert store.get("ab" * 32) == artifact
    (path,) = tmp_path.rglob("*.json")
    assert not list(tmp_path.rglob("*.tmp"))
    entry = json.loads(path.read_text())
    entry["artifact"]["items"][0]["passed"] = False
    path.write_text(json.dumps(entry))
    assert store.get("ab" * 32) is None
    path.write_text("{")
    assert store.get("ab" * 32) is None
    path.rename(tmp_path / "ab" / f"{'cd' * 32}.json")
    store.put("ab" * 32, artifact)
    assert store.get("cd" * 32) is None  # an entry under the wrong name is not served
