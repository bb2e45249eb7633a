"""Content-addressed store of artifacts, one JSON file per directive key.

Keys come from ``fingerprint.py``: each entry stores, beside the artifact, the components
its key was made from, so a later build can say which component changed
(``invoke cache why``).

Why not a library (diskcache, joblib.Memory): both pickle values, so a cache file could run
code when read and cannot be inspected; we need a few dozen JSON documents, each written
atomically (temp file + ``os.replace``) and checked against an embedded SHA-256 on read,
so a truncated or corrupt entry is detected and recomputed, never served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class ArtifactCache:
    """Artifacts stored as ``<root>/<key[:2]>/<key>.json``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Mapping[str, Any] | None:
        """The stored artifact, or None if absent, truncated, corrupt or for another key."""
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            artifact = entry["artifact"]
            intact = entry["key"] == key and entry["sha256"] == _checksum(artifact)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("repro: discarding unreadable cache entry %s (%s)", path, error)
            return None
        if not intact:
            logger.warning("repro: discarding corrupt cache entry %s (checksum mismatch)", path)
            return None
        return artifact

    def put(self, key: str, artifact: Mapping[str, Any], *, components: Mapping[str, Any] | None = None) -> None:
        """Write atomically: readers see the old entry or the whole new one, never a part.

        ``components`` are what the key was made from (``fingerprint.Fingerprints``).
        """
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "sha256": _checksum(artifact), "artifact": artifact, "components": components}
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            json.dump(entry, tmp, ensure_ascii=False, sort_keys=True)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)

    # For ``invoke cache`` (cachetool.py): what is stored, without serving it.

    def keys(self) -> list[str]:
        """Keys of the stored entries, from their file names (contents are not checked)."""
        return sorted(path.stem for path in self.root.glob("??/*.json"))

    def path(self, key: str) -> Path:
        return self._path(key)

    def components(self, key: str) -> Mapping[str, Any] | None:
        """The components an entry's key was made from, or None if unreadable or not recorded."""
        try:
            components = json.loads(self._path(key).read_text(encoding="utf-8"))["components"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return components if isinstance(components, dict) else None

    def leftovers(self) -> list[Path]:
        """Temporary files of writes that never finished (a killed build)."""
        return sorted(self.root.glob("**/*.tmp"))


def _checksum(artifact: Mapping[str, Any]) -> str:
    canonical = json.dumps(artifact, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
