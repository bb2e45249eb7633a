"""The shared cache: a second layer of results at any fsspec URL, read by every checkout.

A build looks up each directive in the local cache (``cache.py``), then here, and computes
only what neither holds; what it finds here is copied into the local cache. Every clone,
co-author and CI run then starts from what one of them computed, as Bazel's remote cache
does. The URL is ``REPRO_SHARED_CACHE`` (``file:///mnt/team/repro``, ``s3://bucket/repro``,
``gs://…``: whatever fsspec opens; s3fs reads the usual ``AWS_*`` variables, and fsspec's
``FSSPEC_S3_*`` ones). Writing is a setting (``REPRO_SHARED_CACHE_WRITE``; in practice only CI
writes), reading needs no write access.

An entry is ``<root>/<key[:2]>/<key>.json.gz``: gzip of one JSON document holding the run
key, the entry (artifact, stored result, page key), the key's components, the SHA-256 of
those, and an HMAC-SHA256 over key and digest with the secret ``REPRO_SHARED_CACHE_KEY``
(from the environment, never a settings file; Turborepo signs its remote cache the same
way). What is read is checked before use: a torn, unsigned, wrongly signed or altered
entry is a miss with its reason, reported by the build and recomputed, never a page.
The check proves who wrote an entry, not that it is harmless: rendering sanitises every
figure whatever its source (``safesvg.py``). Directives' validated parameters
(``cache.ParamsMemo``) are shared the same way, under ``<root>/params/``, so a fresh
checkout imports no computation module either.

Entries are written whole: on a local or mounted folder under a temporary name and then
moved (``pipe_file`` is not atomic there); on S3 one PUT is atomic, with ``If-None-Match: *``
so that the first writer wins. A key's result never changes (the key covers everything the
run depends on); its drawn page does when the present stage changes, so a writer that
redrew it replaces the entry.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import hmac
import importlib.util
import json
import uuid
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .cache import Entry

KEY_VARIABLE = "REPRO_SHARED_CACHE_KEY"
FORMAT = 1


class SharedCacheError(Exception):
    """The shared cache cannot be used at all (no fsspec, an unknown protocol, a bad URL)."""


@dataclass(frozen=True)
class Fetched:
    """What a lookup found: an entry, nothing, or the reason a present entry was refused."""

    entry: Entry | None = None
    components: Mapping[str, Any] | None = None
    problem: str | None = None


class SharedCache:
    """Signed, compressed entries under an fsspec URL, by run key."""

    def __init__(self, url: str, *, secret: bytes, writable: bool) -> None:
        if not secret:
            raise SharedCacheError(f"{KEY_VARIABLE} is empty: entries could be neither checked nor signed")
        protocol = _protocol(url)
        self.url = url
        self.secret = secret
        self.writable = writable
        self.local = protocol in ("file", "local")
        # s3fs asks an object's size (a HEAD) before each GET unless reads are one request each;
        # entries are far below its block size, so one GET is always enough.
        self.s3 = protocol in ("s3", "s3a")
        self.read_options = {"max_concurrency": 1} if self.s3 else {}
        self.prefetched: dict[str, bytes | None] = {}  # path → bytes, None when absent

    @functools.cached_property
    def _opened(self) -> tuple[Any, str]:
        import fsspec

        return fsspec.core.url_to_fs(self.url)

    @property
    def fs(self) -> Any:
        """The filesystem, opened at first use: a build that finds everything in its local
        cache never imports s3fs (0.35 s of imports, botocore and aiohttp among them)."""
        return self._opened[0]

    @property
    def root(self) -> str:
        return self._opened[1]

    def path(self, key: str, *, folder: str = "") -> str:
        return f"{self.root.rstrip('/')}/{folder}{key[:2]}/{key}.json.gz"

    def prefetch(self, keys: Iterable[str], *, folder: str = "") -> None:
        """Fetch these entries in one batch (concurrent requests on object stores) for :meth:`get`.

        Measured against moto's S3 on this machine: 28 entries one GET after the other cost
        about a second of a four-second build.
        """
        paths = [path for key in keys if (path := self.path(key, folder=folder)) not in self.prefetched]
        if not paths:
            return
        try:
            found = self.fs.cat(paths, on_error="return", **self.read_options)
        except Exception:  # get() fetches them one by one, and says what goes wrong
            return
        for path, data in found.items():
            if isinstance(data, bytes):
                self.prefetched[path] = data
            elif isinstance(data, FileNotFoundError):
                self.prefetched[path] = None

    def get(self, key: str) -> Fetched:
        """The entry stored under ``key`` if it is whole and signed with our secret."""
        payload, problem = self._read(self.path(key), key)
        if payload is None:
            return Fetched(problem=problem)
        try:
            return Fetched(entry=Entry(**payload["entry"]), components=payload.get("components"))
        except (KeyError, TypeError) as error:  # signed, yet not an entry: a writer of another version
            return Fetched(problem=f"not an entry ({type(error).__name__})")

    def put(self, key: str, entry: Entry, *, components: Mapping[str, Any] | None = None) -> bool:
        """Store a signed entry unless one with the same page is there; True if written."""
        if not self.writable:
            return False
        there = self.get(key)
        if there.entry is not None and there.entry.page == entry.page:
            return False  # first writer wins: the same result, drawn the same way
        payload = {"entry": asdict(entry), "components": components}
        return self._write(self.path(key), key, payload, replace=there.entry is not None or there.problem is not None)

    def get_params(self, key: str) -> tuple[Mapping[str, Any] | None, str | None]:
        """A directive body's validated parameters (``cache.ParamsMemo``), or why there are none.

        Shared too: without them a fresh checkout imports every computation module to validate
        its directives (numpy, scipy, matplotlib: most of what a warm build saves).
        """
        payload, problem = self._read(self.path(key, folder="params/"), key)
        record = payload.get("params") if payload else None
        return (record, None) if isinstance(record, dict) else (None, problem)

    def put_params(self, key: str, record: Mapping[str, Any]) -> bool:
        path = self.path(key, folder="params/")
        if not self.writable or self._read(path, key)[0] is not None:
            return False
        return self._write(path, key, {"params": record}, replace=False)

    def get_listings(self, keys: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
        """Highlighted source listings (``sources.py``) by key, in one batch; and why any were refused.

        Shared like results: highlighting the site's modules costs a fresh checkout more than
        everything else it does with a warm shared cache (~1.5 s of ~3 s, measured).
        """
        keys = list(keys)
        self.prefetch(keys, folder="sources/")
        found: dict[str, str] = {}
        problems: dict[str, str] = {}
        for key in keys:
            payload, problem = self._read(self.path(key, folder="sources/"), key)
            if payload is not None and isinstance(payload.get("html"), str):
                found[key] = payload["html"]
            elif problem is not None or payload is not None:
                problems[key] = problem or "not a listing"
        return found, problems

    def put_listing(self, key: str, html: str) -> bool:
        """Store a listing the caller found absent or refused by :meth:`get_listings`.

        Always written over what is there: a listing is the same bytes for its key on every
        machine, so there is no first writer to keep, and a refused one is repaired.
        """
        if not self.writable:
            return False
        return self._write(self.path(key, folder="sources/"), key, {"html": html}, replace=True)

    def _read(self, path: str, key: str) -> tuple[dict[str, Any] | None, str | None]:
        """The signed payload at ``path``, or (None, why it was refused; None if absent)."""
        try:
            data = self.prefetched.pop(path) if path in self.prefetched else self.fs.cat_file(path, **self.read_options)
        except FileNotFoundError:
            return None, None
        except Exception as error:  # a network or permission error of any backend: a miss, said
            return None, f"cannot be read ({type(error).__name__}: {error})"
        if data is None:
            return None, None
        try:
            stored = json.loads(gzip.decompress(data))
            claimed = (stored.pop("key"), stored.pop("digest"), stored.pop("signature", None))
            stored.pop("format", None)
        except (OSError, EOFError, zlib.error, ValueError, KeyError, TypeError, AttributeError) as error:
            return None, f"torn or not an entry ({type(error).__name__})"
        if claimed[0] != key:
            return None, "stored under another key"
        if not claimed[2]:
            return None, f"unsigned (only entries signed with {KEY_VARIABLE} are read)"
        if claimed[1] != _digest(stored):
            return None, "altered (its content does not match its signed digest)"
        if not hmac.compare_digest(str(claimed[2]), self._sign(key, claimed[1])):
            return None, f"wrongly signed (not with this {KEY_VARIABLE})"
        return stored, None

    def _write(self, path: str, key: str, payload: Mapping[str, Any], *, replace: bool) -> bool:
        digest = _digest(payload)
        document = {"format": FORMAT, "key": key, "digest": digest, "signature": self._sign(key, digest), **payload}
        # mtime=0: the same entry compresses to the same bytes on every machine.
        body = gzip.compress(json.dumps(document, ensure_ascii=False, sort_keys=True).encode(), mtime=0)
        if self.local:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            temporary = f"{path}.{uuid.uuid4().hex}.tmp"
            self.fs.pipe_file(temporary, body)
            self.fs.mv(temporary, path)  # a rename: readers see the old entry or the new one
        elif not replace and self.s3:
            try:
                self.fs.pipe_file(path, body, IfNoneMatch="*")
            except FileExistsError:
                return False  # another writer was first
        else:  # a redrawn page, or an entry that was refused, is replaced
            self.fs.pipe_file(path, body)
        return True

    def _sign(self, key: str, digest: str) -> str:
        return hmac.new(self.secret, f"{key}\n{digest}".encode(), hashlib.sha256).hexdigest()


def _digest(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _protocol(url: str) -> str:
    """The URL's fsspec protocol, once it is known that its filesystem can be imported (without importing it).

    Raises:
        SharedCacheError: no fsspec, an unknown protocol, or its package is not installed.
    """
    try:  # optional dependencies (requirements-scale.txt): only a shared cache needs them
        from fsspec.core import split_protocol
        from fsspec.registry import known_implementations, registry
    except ImportError:
        raise SharedCacheError("REPRO_SHARED_CACHE needs fsspec: pip install -r requirements-scale.txt") from None
    protocol = (split_protocol(url)[0] or "file").split("::")[0]
    if protocol in registry:
        return protocol
    known = known_implementations.get(protocol)
    if known is None:
        raise SharedCacheError(f"the shared cache {url} cannot be opened: fsspec knows no protocol {protocol!r}")
    if importlib.util.find_spec(known["class"].split(".")[0]) is None:
        hint = known.get("err") or f"install the package providing {known['class']}"
        raise SharedCacheError(f"the shared cache {url} cannot be opened: {hint}")
    return protocol
