"""Moderator accounts: created from the command line, checked at sign-in, scoped to communities.

Passwords are hashed with Argon2id (``argon2-cffi``'s defaults, which follow RFC 9106's
recommendations); the store never holds a password, only its hash. Sign-in takes the same time
whether or not the username exists, so the login form cannot be used to list accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civility.errors import ModeratorError, UnknownCommunityError
from civility.store import Community, Moderator, ModeratorSession, Store

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 100
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("civility: a password nobody has")


@dataclass(frozen=True)
class ModeratorInfo:
    """What the pages need to know about the signed-in moderator (no password hash)."""

    id: int
    username: str
    display_name: str | None
    is_admin: bool
    communities: tuple[str, ...]
    """Slugs of the communities this moderator may act on (every one for an admin)."""
    community_ids: frozenset[int]

    def may_act_on(self, community_id: int) -> bool:
        return self.is_admin or community_id in self.community_ids


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ModeratorError(f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long.")
    return _HASHER.hash(password)


def _info(session: Session, moderator: Moderator) -> ModeratorInfo:
    rows: Sequence[tuple[int, str]]
    if moderator.is_admin:
        rows = session.execute(select(Community.id, Community.slug).order_by(Community.slug)).all()
    else:
        rows = [(c.id, c.slug) for c in sorted(moderator.communities, key=lambda c: c.slug)]
    return ModeratorInfo(
        id=moderator.id,
        username=moderator.username,
        display_name=moderator.display_name,
        is_admin=moderator.is_admin,
        communities=tuple(slug for _, slug in rows),
        community_ids=frozenset(id_ for id_, _ in rows),
    )


def _communities(session: Session, slugs: list[str]) -> list[Community]:
    found = {c.slug: c for c in session.scalars(select(Community))}
    for slug in slugs:
        if slug not in found:
            raise UnknownCommunityError(slug, found)
    return [found[slug] for slug in slugs]


def _moderator(session: Session, username: str) -> Moderator:
    moderator = session.scalar(select(Moderator).where(Moderator.username == username))
    if moderator is None:
        raise ModeratorError(f"No moderator is called {username!r}.")
    return moderator


def create_moderator(
    store: Store,
    username: str,
    password: str,
    communities: list[str] | None = None,
    *,
    is_admin: bool = False,
    display_name: str | None = None,
) -> ModeratorInfo:
    """Create an account; communities must exist (a typo must not create an empty one)."""
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_LENGTH:
        raise ModeratorError(f"Usernames must be 1 to {MAX_USERNAME_LENGTH} characters long.")
    password_hash = hash_password(password)
    with store.writer() as session:
        if session.scalar(select(Moderator.id).where(Moderator.username == username)):
            raise ModeratorError(f"A moderator called {username!r} already exists.")
        moderator = Moderator(
            username=username,
            password_hash=password_hash,
            display_name=display_name,
            is_admin=is_admin,
            communities=_communities(session, communities or []),
        )
        session.add(moderator)
        session.flush()
        return _info(session, moderator)


def list_moderators(store: Store) -> list[ModeratorInfo]:
    with store.session() as session:
        return [
            _info(session, m)
            for m in session.scalars(select(Moderator).order_by(Moderator.username))
        ]


def assign(
    store: Store, username: str, communities: list[str], *, remove: bool = False
) -> ModeratorInfo:
    """Add (or with ``remove``, take away) communities a moderator may act on."""
    with store.writer() as session:
        moderator = _moderator(session, username)
        for community in _communities(session, communities):
            if remove and community in moderator.communities:
                moderator.communities.remove(community)
            elif not remove and community not in moderator.communities:
                moderator.communities.append(community)
        session.flush()
        return _info(session, moderator)


def set_password(store: Store, username: str, password: str) -> ModeratorInfo:
    """Replace a password; every session signed in with the old one stops working."""
    password_hash = hash_password(password)
    with store.writer() as session:
        moderator = _moderator(session, username)
        moderator.password_hash = password_hash
        session.execute(
            delete(ModeratorSession).where(ModeratorSession.moderator_id == moderator.id)
        )
        session.flush()
        return _info(session, moderator)


def authenticate(store: Store, username: str, password: str) -> ModeratorInfo | None:
    """The moderator if the password is right, else None (in the same time either way)."""
    with store.session() as session:
        moderator = session.scalar(select(Moderator).where(Moderator.username == username))
        stored = moderator.password_hash if moderator is not None else _DUMMY_HASH
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if moderator is None:
            return None
        return _info(session, moderator)


def moderator_by_id(store: Store, moderator_id: int) -> ModeratorInfo | None:
    with store.session() as session:
        moderator = session.get(Moderator, moderator_id)
        return _info(session, moderator) if moderator is not None else None
