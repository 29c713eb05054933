"""Sign-in sessions, CSRF tokens and the login throttle.

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
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import case, delete, select

from civility.store import LoginFailures, Store, conflict_insert

SESSION_COOKIE = "civility_session"
LOGIN_CSRF_COOKIE = "civility_login"
IDLE_SECONDS = 60 * 60
MAX_AGE_SECONDS = 12 * 60 * 60
REFRESH_SECONDS = 60
"""A session's last-seen time is re-signed at most this often (one cookie write per minute)."""

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 20
LOGIN_DELAY_MAX_SECONDS = 30.0

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
    """Failed sign-ins per address, per account, and per account from one address, in the store.

    * An address with ``LOGIN_FAILURES_PER_ADDRESS`` failures in the window is refused for the
      rest of it (one client trying many usernames or passwords).
    * An account with ``LOGIN_FAILURES_PER_ACCOUNT`` failures from one address is refused from
      that address for the rest of the window.
    * From any other address, the account is only slowed down: each failure past
      ``LOGIN_FAILURES_PER_ACCOUNT`` doubles the wait after the latest one, up to
      ``LOGIN_DELAY_MAX_SECONDS``. Guessing from many addresses stays slow, and the moderator
      whose password is being guessed still signs in from their own address after a short wait.

    Counts live in the store (``login_failures``) so every worker and node shares them; keys are
    hashes, so a row costs the same whatever the username's length. Expired rows are deleted on
    each failure, which bounds the table by the rate of failures.
    """

    def __init__(self, store: Store, window: float = LOGIN_WINDOW_SECONDS) -> None:
        self.store = store
        self.window = window

    @staticmethod
    def _keys(username: str, address: str) -> dict[str, str]:
        def digest(kind: str, value: str) -> str:
            data = value.encode("utf-8", "surrogatepass")
            return f"{kind}:{hashlib.sha256(data).hexdigest()[:40]}"

        user = username.casefold()
        return {
            "address": digest("addr", address),
            "account": digest("user", user),
            "pair": digest("pair", f"{user}\n{address}"),
        }

    def retry_after(self, username: str, address: str, now: float | None = None) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = time.time() if now is None else now
        keys = self._keys(username, address)
        cutoff = _at(now - self.window)
        with self.store.session() as session:
            rows = {
                row.key: row
                for row in session.scalars(
                    select(LoginFailures).where(
                        LoginFailures.key.in_(keys.values()), LoginFailures.first_at >= cutoff
                    )
                )
            }
        waits = [0.0]
        for kind, limit in (
            ("address", LOGIN_FAILURES_PER_ADDRESS),
            ("pair", LOGIN_FAILURES_PER_ACCOUNT),
        ):
            row = rows.get(keys[kind])
            if row is not None and row.failures >= limit:
                waits.append(row.first_at.timestamp() + self.window - now)
        account = rows.get(keys["account"])
        if account is not None and account.failures >= LOGIN_FAILURES_PER_ACCOUNT:
            excess = account.failures - LOGIN_FAILURES_PER_ACCOUNT
            delay = min(LOGIN_DELAY_MAX_SECONDS, 2.0 ** min(excess, 32))
            waits.append(account.last_at.timestamp() + delay - now)
        wait = max(waits)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        at, cutoff = _at(now), _at(now - self.window)
        with self.store.writer() as session:
            session.execute(delete(LoginFailures).where(LoginFailures.last_at < cutoff))
            for key in self._keys(username, address).values():
                fresh = LoginFailures.first_at < cutoff  # the row's window has passed: restart it
                insert = conflict_insert(session, LoginFailures).values(
                    key=key, failures=1, first_at=at, last_at=at
                )
                session.execute(
                    insert.on_conflict_do_update(
                        index_elements=[LoginFailures.key],
                        set_={
                            "failures": case((fresh, 1), else_=LoginFailures.failures + 1),
                            "first_at": case((fresh, at), else_=LoginFailures.first_at),
                            "last_at": at,
                        },
                    )
                )

    def succeeded(self, username: str, address: str) -> None:
        """The account's failures are forgotten (not the address's: it may be guessing others)."""
        keys = self._keys(username, address)
        with self.store.writer() as session:
            session.execute(
                delete(LoginFailures).where(LoginFailures.key.in_([keys["account"], keys["pair"]]))
            )


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
