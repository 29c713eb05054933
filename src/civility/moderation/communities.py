"""Communities (sites or sections) and their policies: created, listed and changed.

One place for every surface that writes them: ``civility communities`` on the command line and
``PUT /v1/communities/{slug}`` over HTTP. A community without a policy is moderated by the
default policy (``civility.moderation.policy.DEFAULT_POLICY_TEXT``); a policy is validated
before it is stored, so a typo is refused with its line and never reaches live comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from civility.errors import CivilityError, UnknownCommunityError
from civility.languages import LANGUAGE_TAG, normalize_language
from civility.moderation.policies import policy_format
from civility.moderation.policy import parse_policy
from civility.store import Community, Store


@dataclass(frozen=True)
class CommunityInfo:
    slug: str
    name: str
    has_policy: bool
    language: str | None = None
    """The language its comments are written in; None: any (each comment's is detected)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "community": self.slug,
            "name": self.name,
            "has_policy": self.has_policy,
            "language": self.language,
        }


def _info(community: Community) -> CommunityInfo:
    return CommunityInfo(community.slug, community.name, bool(community.policy), community.language)


def _check_policy(policy: str | None, where: str) -> None:
    if policy is not None:
        parse_policy(policy, policy_format(policy), where)


def put_community(
    store: Store,
    slug: str,
    name: str | None = None,
    policy: str | None = None,
    language: str | None = None,
    *,
    create: bool = True,
    exclusive: bool = False,
    where: str = "policy",
) -> CommunityInfo:
    """Create ``slug`` or update its name, policy and language; what is None is left as it is
    (``language=""`` clears the language: any).

    ``create=False`` refuses an unknown community (naming the command that creates it);
    ``exclusive=True`` refuses an existing one. ``where`` names the policy in its errors.
    """
    slug = slug.strip()
    if not slug or len(slug) > 100:
        raise CivilityError("Community slugs must be 1 to 100 characters long.")
    _check_policy(policy, where)
    if language is not None and re.fullmatch(LANGUAGE_TAG, language) is None:
        raise CivilityError(f"{language!r} is not a language code such as 'de' or 'pt-BR'.")
    with store.writer() as session:
        community = session.scalar(select(Community).where(Community.slug == slug))
        if community is None:
            if not create:
                raise UnknownCommunityError(slug, session.scalars(select(Community.slug)))
            community = Community(slug=slug, name=name or slug)
            session.add(community)
        elif exclusive:
            raise CivilityError(f"Community {slug!r} already exists.")
        if name is not None:
            community.name = name
        if policy is not None:
            community.policy = policy
        if language is not None:
            community.language = normalize_language(language) or None
        session.flush()
        return _info(community)


def clear_policy(store: Store, slug: str) -> CommunityInfo:
    """Moderate ``slug`` by the default policy again."""
    with store.writer() as session:
        community = session.scalar(select(Community).where(Community.slug == slug))
        if community is None:
            raise UnknownCommunityError(slug, session.scalars(select(Community.slug)))
        community.policy = None
        return _info(community)


def list_communities(store: Store) -> list[CommunityInfo]:
    with store.session() as session:
        return [_info(c) for c in session.scalars(select(Community).order_by(Community.slug))]


def require_community(store: Store, slug: str) -> None:
    """Raise ``UnknownCommunityError`` unless ``slug`` is in the store."""
    with store.session() as session:
        slugs = list(session.scalars(select(Community.slug)))
    if slug not in slugs:
        raise UnknownCommunityError(slug, slugs)
