"""The events a publisher's webhooks receive: one schema per event, whoever caused it.

``comment.decided`` is sent for every entry of the audit trail, the policy's and moderators'
alike, with the same keys every time (``None`` where a key does not apply: a policy has no
``moderator``, a moderator's decision no ``rule``, ``scores`` or ``model_version``), so a CMS
parses one shape. ``author.<banned|unbanned|suspended|premoderated|warned|noted>`` report a
moderator's action on an author (``AuthorPayload``), ``comment.reported`` a reader's report,
and ``thread.alert`` a discussion turning toxic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from civility.moderation.webhooks import Event

COMMENT_DECIDED = "comment.decided"
COMMENT_REPORTED = "comment.reported"
THREAD_ALERT = "thread.alert"
AUTHOR_EVENTS = {
    "ban": "author.banned",
    "unban": "author.unbanned",
    "suspend": "author.suspended",
    "premoderate": "author.premoderated",
    "warn": "author.warned",
    "note": "author.noted",
}


@dataclass(frozen=True)
class DecisionPayload:
    """What ``comment.decided`` carries about one audit-trail entry."""

    community: str
    article_id: str | None
    comment_id: str
    status: str
    """The comment's status after the decision."""
    action: str
    actor: str
    """``policy:<rule>`` or ``moderator:<id>``, as in the audit trail."""
    reason: str | None
    decided_at: str
    moderator: str | None = None
    """The moderator's username; None for the policy."""
    rule: str | None = None
    """The policy rule that matched; None for the default action and for moderators."""
    scores: dict[str, float] | None = None
    """The model's scores the policy decided on; None for moderators."""
    model_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decided(payload: DecisionPayload, decision_id: int | None) -> Event:
    return (COMMENT_DECIDED, payload.as_dict(), decision_id)


@dataclass(frozen=True)
class AuthorPayload:
    """What the ``author.*`` events carry about one moderator's action on an author."""

    community: str
    author: str
    action: str
    """ban, unban, suspend, premoderate, warn or note."""
    status: str
    """The author's standing after the action (active, banned, suspended, premoderated)."""
    until: str | None
    """When a suspension ends; None for every other action."""
    reason: str | None
    actor: str
    moderator: str
    decided_at: str
    comment_id: str | None = None
    """The comment the action was taken from (a ban from the queue), if any."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def author_acted(payload: AuthorPayload) -> Event:
    return (AUTHOR_EVENTS[payload.action], payload.as_dict(), None)


def reported(
    community: str,
    article_id: str,
    comment_id: str,
    reporter: str,
    reason: str,
    reports: int,
    status: str,
    now: datetime,
) -> Event:
    """A reader's report; ``reports`` counts those toward the threshold, ``status`` is after it."""
    return (
        COMMENT_REPORTED,
        {
            "community": community,
            "article_id": article_id,
            "comment_id": comment_id,
            "reporter": reporter,
            "reason": reason,
            "reports": reports,
            "status": status,
            "reported_at": now.isoformat(),
        },
        None,
    )


def thread_alert(community: str, article_id: str, comment_id: str, now: datetime) -> Event:
    return (
        THREAD_ALERT,
        {
            "community": community,
            "article_id": article_id,
            "comment_id": comment_id,
            "reason": "The discussion is turning toxic: many recent comments were held, "
            "rejected or scored high on TOXICITY.",
            "raised_at": now.isoformat(),
        },
        None,
    )
