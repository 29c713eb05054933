"""Sign-in sessions, CSRF tokens and the login throttle.

A session is a row in the store (``moderator_sessions``) named by the SHA-256 of a random
cookie. It ends after ``IDLE_SECONDS`` without a request, ``MAX_AGE_SECONDS`` after sign-in
whatever happens, when the moderator signs out (the row is deleted), and when their password
changes (every row of theirs is deleted). Because the store decides, a copied cookie stops
working the moment its session ends, in every worker process and on every node sharing the
store; the store never holds the cookie itself, so reading it gives nobody a session.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, case, delete, or_, select, update

from civility.store import LoginFailures, ModeratorSession, Store, conflict_insert

SESSION_COOKIE = "civility_session"
LOGIN_CSRF_COOKIE = "civility_login"
IDLE_SECONDS = 60 * 60
MAX_AGE_SECONDS = 12 * 60 * 60
REFRESH_SECONDS = 60
"""A session's last-seen time is written at most this often (one write per minute)."""

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 20
LOGIN_DELAY_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class SessionInfo:
    """An open session: whose it is, and the token its forms must echo."""

    moderator_id: int
    csrf: str


def session_id(cookie: str) -> str:
    """The row id of the session whose cookie is ``cookie``."""
    return hashlib.sha256(cookie.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(store: Store, moderator_id: int, now: float | None = None) -> str:
    """Open a session for ``moderator_id``; returns the cookie (shown only to the browser).

    Sessions that have ended are deleted here, which bounds the table by the rate of sign-ins.
    """
    now = time.time() if now is None else now
    cookie = secrets.token_urlsafe(32)
    with store.writer() as session:
        session.execute(delete(ModeratorSession).where(_ended(now)))
        session.add(
            ModeratorSession(
                id=session_id(cookie),
                moderator_id=moderator_id,
                csrf=secrets.token_urlsafe(32),
                created_at=_at(now),
                seen_at=_at(now),
            )
        )
    return cookie


def open_session(store: Store, cookie: str | None, now: float | None = None) -> SessionInfo | None:
    """The session of ``cookie``, or None if it is missing, unknown, ended or expired.

    A session in use has its last-seen time moved on (at most once per ``REFRESH_SECONDS``).
    """
    if not cookie:
        return None
    now = time.time() if now is None else now
    key = session_id(cookie)
    with store.session() as session:
        row = session.scalar(
            select(ModeratorSession).where(ModeratorSession.id == key, ~_ended(now))
        )
    if row is None:
        return None
    if now - row.seen_at.timestamp() > REFRESH_SECONDS:
        with store.writer() as session:
            session.execute(
                update(ModeratorSession).where(ModeratorSession.id == key).values(seen_at=_at(now))
            )
    return SessionInfo(row.moderator_id, row.csrf)


def end_session(store: Store, cookie: str | None) -> None:
    """Sign out: the session of ``cookie`` ends for every copy of the cookie."""
    if cookie:
        with store.writer() as session:
            session.execute(
                delete(ModeratorSession).where(ModeratorSession.id == session_id(cookie))
            )


def _ended(now: float) -> ColumnElement[bool]:
    return or_(
        ModeratorSession.seen_at < _at(now - IDLE_SECONDS),
        ModeratorSession.created_at < _at(now - MAX_AGE_SECONDS),
    )


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
