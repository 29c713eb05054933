"""API keys: created by the CLI, stored as SHA-256 hashes, checked and rate-limited per request.

A key is shown once, when created; the store keeps only its hash and a short prefix to name it
in listings and revocations. Each key carries scopes (``SCOPES``): a key handed to a CMS plugin
for scoring cannot decide comments or change policies, and a key may be limited to some
communities. Checking a key on every request must not cost a database round
trip, so verified keys are cached in-process for ``CACHE_SECONDS``: a revocation takes effect
within that delay on every server process.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from civility.errors import ApiKeyNotFoundError, InvalidParameterError
from civility.store import ApiKey, Store

KEY_PREFIX = "civ_"
PREFIX_LENGTH = 12
CACHE_SECONDS = 10.0

SCOPES = {
    "score": "the Perspective API: comments:analyze, comments:suggestscore, /batch",
    "ingest": "submit comments and read their decisions",
    "moderate": "the queue, decisions (as a moderator of the community) and authors",
    "admin": "everything: communities, policies, webhooks, and every other scope",
}
"""Scope name -> what it allows. ``admin`` includes every other scope."""
DEFAULT_SCOPES = ("score",)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    """What a request needs to know about its key (a detached copy of the row)."""

    id: int
    prefix: str
    name: str
    rate_limit: int | None
    created_at: datetime
    revoked_at: datetime | None
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    communities: frozenset[str] | None = None
    """The communities the key may act on; None: every one."""

    @classmethod
    def from_row(cls, row: ApiKey) -> KeyInfo:
        return cls(
            row.id,
            row.prefix,
            row.name,
            row.rate_limit,
            row.created_at,
            row.revoked_at,
            tuple(row.scopes.split()),
            frozenset(row.communities) if row.communities is not None else None,
        )

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    def covers(self, community: str) -> bool:
        return self.communities is None or community in self.communities


def create_key(
    store: Store,
    name: str,
    rate_limit: int | None = None,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    communities: Sequence[str] | None = None,
) -> tuple[str, KeyInfo]:
    """A new key and its stored description; the key itself is not recoverable afterwards.

    ``communities`` limits the key to those community slugs (None: every community).
    """
    if rate_limit is not None and rate_limit < 0:
        raise InvalidParameterError(
            f"Rate limit must be >= 0 requests per minute. Got {rate_limit}."
        )
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise InvalidParameterError(
            f"Unknown scope {(unknown or [''])[0]!r}. Available: {', '.join(SCOPES)}"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    with store.writer() as session:
        row = ApiKey(
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_key(key),
            name=name,
            rate_limit=rate_limit,
            scopes=" ".join(s for s in SCOPES if s in scopes),
            communities=sorted(set(communities)) if communities is not None else None,
        )
        session.add(row)
        session.flush()
        return key, KeyInfo.from_row(row)


def list_keys(store: Store) -> list[KeyInfo]:
    with store.session() as session:
        return [KeyInfo.from_row(r) for r in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(store: Store, prefix: str) -> KeyInfo:
    """Revoke the key whose prefix (as listed) or full value is ``prefix``."""
    prefix = prefix[:PREFIX_LENGTH]
    with store.writer() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
        if row is None:
            raise ApiKeyNotFoundError(
                f"No API key with prefix {prefix!r}. See 'civility keys list'."
            )
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        return KeyInfo.from_row(row)


class KeyChecker:
    """Looks keys up by hash, with a short in-process cache of hits and misses."""

    def __init__(self, store: Store, ttl: float = CACHE_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self._cache: dict[str, tuple[float, KeyInfo | None]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, KeyInfo | None]:
        """(found in cache, key) without touching the database."""
        digest = hash_key(key)
        with self._lock:
            entry = self._cache.get(digest)
        if entry is not None and entry[0] > time.monotonic():
            return True, entry[1]
        return False, None

    def lookup(self, key: str) -> KeyInfo | None:
        """The active key matching ``key``, or None (unknown or revoked)."""
        digest = hash_key(key)
        with self.store.session() as session:
            row = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).one_or_none()
            info = KeyInfo.from_row(row) if row is not None and row.revoked_at is None else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (time.monotonic() + self.ttl, info)
        return info


class RateLimiter:
    """A token bucket per key: ``limit`` requests per minute, bursts up to ``limit``.

    Buckets live in each server process; with N workers each process allows ``limit / N`` so
    the server as a whole keeps to the key's limit (slightly under when load is uneven).
    """

    def __init__(self, processes: int = 1) -> None:
        self.processes = max(1, processes)
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key_id: int, limit: int) -> float:
        """0.0 if the request may go ahead, else the seconds to wait before retrying."""
        if limit <= 0:
            return 0.0
        capacity = max(1.0, limit / self.processes)
        rate = capacity / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key_id] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) / rate
