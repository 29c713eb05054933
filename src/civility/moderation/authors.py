"""Authors' standing: what a ban, a suspension or pre-moderation does to an author's next comment.

Moderators act on an author per community (``ModerationService.act_on_author`` writes it); intake
reads the standing here and makes the policy's decision at least as strict as it requires:

* a banned author's comment is rejected, or held where the community's policy says
  ``banned_authors = "hold"``;
* a suspended author's comment is held until the suspension ends, after which the author is
  treated as active again without anyone lifting it;
* a pre-moderated author's comment is always held.

Each restriction decides under its own rule name (``author-banned``, ...), so the audit trail
and the webhooks say why. A policy verdict that is already stricter (a reject for a suspended
author's attack) stands.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civility.errors import InvalidCommentError, NotFoundError
from civility.moderation.policy import Policy
from civility.store import (
    Article,
    Author,
    AuthorAction,
    AuthorStatus,
    Comment,
    CommentStatus,
    Moderator,
    Store,
)

AUTHOR_ACTIONS: dict[str, str | None] = {
    "ban": AuthorStatus.BANNED.value,
    "unban": AuthorStatus.ACTIVE.value,
    "suspend": AuthorStatus.SUSPENDED.value,
    "premoderate": AuthorStatus.PREMODERATED.value,
    "warn": None,
    "note": None,
}
"""action -> the author's status after it (None: unchanged). ``unban`` lifts any restriction;
``note`` only records the moderator's note (its reason) on the author's page."""
MIN_SUSPENSION = timedelta(hours=1)
MAX_SUSPENSION = timedelta(days=7)
SUSPENSION_SLACK = timedelta(minutes=5)
"""A suspension picked on a form a few minutes ago still counts as 1 hour or 7 days."""
RECENT_COMMENTS = 20
STRICTNESS = {"approve": 0, "hold": 1, "reject": 2}


@dataclass(frozen=True)
class Restriction:
    """What intake decides for a restricted author's comment, under which rule, and why."""

    action: str
    rule: str
    reason: str


def standing(status: str, until: datetime | None, now: datetime) -> str:
    """The author's status as it applies at ``now``: a suspension that has ended is active."""
    if status == AuthorStatus.SUSPENDED and (until is None or until <= now):
        return AuthorStatus.ACTIVE.value
    return status


def restriction(
    status: str, until: datetime | None, policy: Policy, now: datetime
) -> Restriction | None:
    """What the author's standing imposes on a comment received at ``now`` (None: nothing)."""
    current = standing(status, until, now)
    if current == AuthorStatus.BANNED:
        return Restriction(
            policy.banned_authors, "author-banned", "The author is banned in this community."
        )
    if current == AuthorStatus.SUSPENDED and until is not None:
        return Restriction(
            "hold",
            "author-suspended",
            f"The author is suspended until {until:%Y-%m-%d %H:%M} UTC.",
        )
    if current == AuthorStatus.PREMODERATED:
        return Restriction(
            "hold", "author-premoderated", "The author is pre-moderated: every comment is held."
        )
    return None


def stricter(policy_action: str, imposed: Restriction | None) -> bool:
    """Whether ``imposed`` replaces the policy's action (it is at least as strict)."""
    return imposed is not None and STRICTNESS[imposed.action] >= STRICTNESS[policy_action]


def restrictions(
    session: Session, author_ids: dict[str, int], policy: Policy, now: datetime
) -> dict[str, Restriction]:
    """Author external id -> what their standing imposes, for the restricted ones among them."""
    if not author_ids:
        return {}
    rows = session.execute(
        select(Author.external_id, Author.status, Author.until).where(
            Author.id.in_(author_ids.values()), Author.status != AuthorStatus.ACTIVE.value
        )
    ).all()
    found = {external: restriction(status, until, policy, now) for external, status, until in rows}
    return {external: r for external, r in found.items() if r is not None}


def check_action(
    action: str, until: datetime | None, now: datetime, reason: str | None = None
) -> datetime | None:
    """Refuse an unknown action, a note without text or a suspension outside 1 hour to 7 days;
    the ``until`` kept."""
    if action not in AUTHOR_ACTIONS:
        raise InvalidCommentError(
            "action", f"must be one of {', '.join(AUTHOR_ACTIONS)}; got {action!r}."
        )
    if action == "note" and not (reason or "").strip():
        raise InvalidCommentError("reason", "a note needs its text.")
    if action != "suspend":
        if until is not None:
            raise InvalidCommentError("until", f"applies to suspend only, not {action!r}.")
        return None
    if until is None:
        raise InvalidCommentError("until", "is required to suspend: when the suspension ends.")
    until = until if until.tzinfo is not None else until.replace(tzinfo=UTC)
    length = until - now
    if length < MIN_SUSPENSION - SUSPENSION_SLACK or length > MAX_SUSPENSION + SUSPENSION_SLACK:
        raise InvalidCommentError(
            "until", "a suspension lasts from 1 hour to 7 days from now; got " + until.isoformat()
        )
    return until.astimezone(UTC)


def find_author(session: Session, community_id: int, external_id: str) -> Author | None:
    return session.scalar(
        select(Author).where(Author.community_id == community_id, Author.external_id == external_id)
    )


def author_record(store: Store, community_id: int, slug: str, external_id: str) -> dict[str, Any]:
    """An author's standing, comments per status, rejection rate, recent comments and actions.

    The rejection rate is rejected over decided comments (approved, rejected, reported); the
    actions, newest first, carry the moderators' notes (their reasons) and usernames.
    """
    now = datetime.now(UTC)
    with store.session() as session:
        author = find_author(session, community_id, external_id)
        if author is None:
            raise NotFoundError(f"Unknown author {external_id!r} in community {slug!r}.")
        counts = Counter(
            dict(
                session.execute(
                    select(Comment.status, func.count())
                    .where(Comment.author_id == author.id)
                    .group_by(Comment.status)
                ).all()
            )
        )
        recent = session.execute(
            select(Comment, Article.external_id)
            .join(Article, Comment.article_id == Article.id)
            .where(Comment.author_id == author.id)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(RECENT_COMMENTS)
        ).all()
        trail = session.scalars(
            select(AuthorAction)
            .where(AuthorAction.author_id == author.id)
            .order_by(AuthorAction.id.desc())
        ).all()
        usernames = {
            f"moderator:{id_}": name
            for id_, name in session.execute(select(Moderator.id, Moderator.username)).all()
        }
        actions = [(a, usernames.get(a.actor)) for a in trail]
        decided = sum(
            counts[s]
            for s in (CommentStatus.APPROVED, CommentStatus.REJECTED, CommentStatus.REPORTED)
        )
        current = standing(author.status, author.until, now)
        return {
            "community": slug,
            "author": author.external_id,
            "display_name": author.display_name,
            "status": current,
            "until": author.until.isoformat()
            if author.until and current == AuthorStatus.SUSPENDED
            else None,
            "counts": {s.value: int(counts[s.value]) for s in CommentStatus},
            "comments": int(sum(counts.values())),
            "rejection_rate": round(counts[CommentStatus.REJECTED.value] / decided, 4)
            if decided
            else 0.0,
            "warnings": sum(a.action == "warn" for a, _ in actions),
            "recent": [
                {
                    "comment_id": c.external_id,
                    "id": c.id,
                    "article_id": article,
                    "text": c.text,
                    "status": c.status,
                    "created_at": c.created_at.isoformat(),
                }
                for c, article in recent
            ],
            "actions": [
                {
                    "action": a.action,
                    "until": a.until.isoformat() if a.until else None,
                    "reason": a.reason,
                    "moderator": username or a.actor,
                    "at": a.created_at.isoformat(),
                }
                for a, username in actions
            ],
        }
