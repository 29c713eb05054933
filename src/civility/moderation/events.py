"""The events a publisher's webhooks receive: one schema per event, whoever caused it.

``comment.decided`` is sent for every entry of the audit trail, the policy's and moderators'
alike, with the same keys every time (``None`` where a key does not apply: a policy has no
``moderator``, a moderator's decision no ``rule``, ``scores`` or ``model_version``), so a CMS
parses one shape. ``author.banned`` is the same shape plus ``author``; ``thread.alert`` reports
a discussion turning toxic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from civility.moderation.webhooks import Event

COMMENT_DECIDED = "comment.decided"
AUTHOR_BANNED = "author.banned"
THREAD_ALERT = "thread.alert"


@dataclass(frozen=True)
class DecisionPayload:
    """What ``comment.decided`` (and ``author.banned``) carry about one audit-trail entry."""

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


def author_banned(payload: DecisionPayload, author: str, decision_id: int | None) -> Event:
    return (AUTHOR_BANNED, {**payload.as_dict(), "author": author}, decision_id)


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
