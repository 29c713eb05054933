"""API keys: created by the CLI, stored as SHA-256 hashes, checked and rate-limited per request.

A key is shown once, when created; the store keeps only its hash and a short prefix to name it
in listings and revocations. Each key carries scopes (``SCOPES``): a key handed to a CMS plugin
for scoring cannot decide comments or change policies, and a key may be limited to some
communities. Checking a key on every request must not cost a database round
trip, so verified keys are cached in-process for ``CACHE_SECONDS``: a revocation takes effect
within that delay on every server process, on every node (the 2 s a deployment of several
nodes promises). Quotas, on the other hand, are charged in the store (``RateLimiter``), since a
count kept in each process would grant the quota once per process.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, or_, select, text

from civility.api.scopes import DEFAULT_SCOPES, SCOPES
from civility.errors import ApiKeyNotFoundError, InvalidParameterError
from civility.store import ApiKey, RateWindow, Store, conflict_insert

KEY_PREFIX = "civ_"
PREFIX_LENGTH = 12
CACHE_SECONDS = 1.0
WINDOW_SECONDS = 60.0


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

    def __init__(
        self, store: Store, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, KeyInfo | None]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, KeyInfo | None]:
        """(found in cache, key) without touching the database."""
        digest = hash_key(key)
        with self._lock:
            entry = self._cache.get(digest)
        if entry is not None and entry[0] > self.clock():
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
            self._cache[digest] = (self.clock() + self.ttl, info)
        return info


class RateLimiter:
    """Per-key quotas kept in the store: ``limit`` units per key and minute, for all nodes.

    Each charge is one atomic upsert on the key's counter (``INSERT ... ON CONFLICT DO UPDATE
    ... WHERE ... RETURNING``), so any number of server processes, on one host or many, share
    one counter and together never grant more than the quota; counting in each process instead
    would grant it once per process. A window opens with the first call after the previous one
    ended, and a key that spent its quota waits for its window to end. Windows are timed by
    each node's clock: nodes must keep time (NTP) to within a small part of a minute.
    """

    def __init__(self, store: Store, window_s: float = WINDOW_SECONDS) -> None:
        self.store = store
        self.window_s = window_s
        self._postgresql = store.engine.dialect.name == "postgresql"

    def acquire(self, key_id: int, limit: int, cost: int = 1) -> float:
        """0.0 if ``cost`` units may be spent now, else the seconds until the window ends.

        A call dearer than the whole quota is charged the quota: it may still run, alone in
        its window, rather than never.
        """
        if limit <= 0:
            return 0.0
        cost = max(1, min(cost, limit))
        now = time.time()
        table = RateWindow.__table__
        ended = table.c.window_start <= now - self.window_s
        with self.store.writer() as session:
            if self._postgresql:
                # A counter lost in a crash costs nothing; waiting for its fsync costs every call.
                session.execute(text("SET LOCAL synchronous_commit = off"))
            statement = (
                conflict_insert(session, RateWindow)
                .values(key_id=key_id, window_start=now, used=cost)
                .on_conflict_do_update(
                    index_elements=[table.c.key_id],
                    set_={
                        "window_start": case((ended, now), else_=table.c.window_start),
                        "used": case((ended, cost), else_=table.c.used + cost),
                    },
                    where=or_(ended, table.c.used + cost <= limit),
                )
                .returning(table.c.used)
            )
            if session.execute(statement).first() is not None:
                return 0.0
            started = session.scalar(select(table.c.window_start).where(table.c.key_id == key_id))
        return max(float(started or now) + self.window_s - now, 0.001)


TIER_COST = {"fast": 1, "accurate": 4, "ensemble": 5}
"""Relative scoring cost per tier (the accurate tier runs a transformer encoder)."""
COST_CHARACTERS = 1000
SPANS_COST = 2


def request_cost(characters: int, tier: str, spans: bool = False) -> int:
    """Quota units one scoring call costs: text length x tier x spans.

    A short fast-tier call is 1 unit, so a key's limit reads as requests per minute for
    ordinary traffic; a 20,000-character accurate-tier call with spans is 20 x 4 x 2 = 160.
    """
    length = max(1, -(-characters // COST_CHARACTERS))
    return length * TIER_COST.get(tier, 1) * (SPANS_COST if spans else 1)


class AddressLimiter:
    """Requests per minute per client address, for pages that need no key (the try-it page).

    Counted in this process's memory, in fixed one-minute windows: a count lost on restart
    costs nothing, and charging the store would make every anonymous request a write. At most
    ``max_addresses`` are remembered, the least recently seen forgotten first, so a flood of
    addresses cannot grow memory. With several workers each counts apart (the limit is per
    process).
    """

    def __init__(
        self, per_minute: int, max_addresses: int = 10_000, window_s: float = WINDOW_SECONDS
    ) -> None:
        self.per_minute = per_minute
        self.max_addresses = max_addresses
        self.window_s = window_s
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, address: str, now: float | None = None) -> float:
        """0.0 if ``address`` may make a request now, else the seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            start, used = self._windows.pop(address, (now, 0))
            if now - start >= self.window_s:
                start, used = now, 0
            allowed = used < self.per_minute
            self._windows[address] = (start, used + 1 if allowed else used)
            while len(self._windows) > self.max_addresses:
                self._windows.popitem(last=False)
        return 0.0 if allowed else start + self.window_s - now

    def __len__(self) -> int:
        return len(self._windows)
