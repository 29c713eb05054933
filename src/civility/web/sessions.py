"""Sign-in sessions, CSRF tokens and the login rate limit, without a sessions table.

A session is a signed cookie (HMAC-SHA256 with a per-installation secret) naming the moderator,
when they signed in and when they were last seen. It ends after ``IDLE_SECONDS`` without a
request, ``MAX_AGE_SECONDS`` after sign-in whatever happens, when the moderator signs out, and
when their password changes (the cookie carries a fingerprint of the password hash). Keeping the
state in the cookie means every worker process, and every server sharing a data directory,
accepts the same sessions without a shared cache.

The secret lives in ``<data_dir>/session_secret``, created on first use with mode 0600; delete
it to sign everyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

SESSION_COOKIE = "civility_session"
LOGIN_CSRF_COOKIE = "civility_login"
IDLE_SECONDS = 60 * 60
MAX_AGE_SECONDS = 12 * 60 * 60
REFRESH_SECONDS = 60
"""A session's last-seen time is re-signed at most this often (one cookie write per minute)."""

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 20

_SECRETS: dict[str, bytes] = {}
_SECRETS_LOCK = threading.Lock()


def load_secret(data_dir: str | Path) -> bytes:
    """The installation's signing key, created atomically on first use (workers may race)."""
    path = Path(data_dir).resolve() / "session_secret"
    key = str(path)
    with _SECRETS_LOCK:
        if key in _SECRETS:
            return _SECRETS[key]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".session_secret.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(temporary, path)  # fails if another process won the race; theirs stays
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        secret = bytes.fromhex(path.read_text().strip())
        _SECRETS[key] = secret
        return secret


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SessionData:
    moderator_id: int
    fingerprint: str
    nonce: str
    issued_at: float
    seen_at: float

    def expired(self, now: float) -> bool:
        return now - self.seen_at > IDLE_SECONDS or now - self.issued_at > MAX_AGE_SECONDS

    def needs_refresh(self, now: float) -> bool:
        return now - self.seen_at > REFRESH_SECONDS


def new_session(moderator_id: int, fingerprint: str, now: float | None = None) -> SessionData:
    now = time.time() if now is None else now
    return SessionData(moderator_id, fingerprint, secrets.token_urlsafe(16), now, now)


def encode_session(secret: bytes, data: SessionData) -> str:
    payload = json.dumps(
        [data.moderator_id, data.fingerprint, data.nonce, data.issued_at, data.seen_at],
        separators=(",", ":"),
    ).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _sign(secret, payload)


def decode_session(
    secret: bytes, token: str | None, now: float | None = None
) -> SessionData | None:
    """The session in ``token``, or None if it is missing, forged, malformed or expired."""
    if not token or "." not in token:
        return None
    encoded, signature = token.rsplit(".", 1)
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        moderator_id, fingerprint, nonce, issued_at, seen_at = json.loads(payload)
        data = SessionData(int(moderator_id), str(fingerprint), str(nonce), issued_at, seen_at)
    except (ValueError, TypeError):
        return None
    return None if data.expired(time.time() if now is None else now) else data


def csrf_token(secret: bytes, nonce: str) -> str:
    """The CSRF token of one session: forms and scripts echo it, other sites cannot know it."""
    return _sign(secret, b"csrf:" + nonce.encode())


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


class LoginLimiter:
    """Failed sign-ins per account and per address in a sliding window (per server process).

    Counting per account stops password guessing on one username from many addresses; per
    address stops one client trying many usernames. A successful sign-in clears the account's
    failures but not the address's.
    """

    def __init__(self, window: float = LOGIN_WINDOW_SECONDS) -> None:
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, username: str, address: str, now: float | None = None) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = time.monotonic() if now is None else now
        waits = []
        with self._lock:
            for key, limit in (
                (f"user:{username.lower()}", LOGIN_FAILURES_PER_ACCOUNT),
                (f"addr:{address}", LOGIN_FAILURES_PER_ADDRESS),
            ):
                failures = self._recent(key, now)
                if len(failures) >= limit:
                    waits.append(failures[len(failures) - limit] + self.window - now)
        return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failures[f"user:{username.lower()}"].append(now)
            self._failures[f"addr:{address}"].append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username.lower()}", None)
