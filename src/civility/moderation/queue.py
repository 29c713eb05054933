"""The moderators' side, read only: the queue of held comments, a comment's trail, thread health.

``QueueQuery`` is the one definition of which comments a queue shows: the ingest API's
``/v1/queue`` (one community, oldest first) and the moderator pages (every community the
moderator may act on, most urgent first) filter with it and differ only in order and paging.
Writes (moderators' decisions) belong to ``civility.moderation.service``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from civility.attributes import get_attribute
from civility.errors import InvalidCommentError, NotFoundError
from civility.moderation.history import ThreadState
from civility.store import (
    Article,
    Author,
    Comment,
    CommentStatus,
    Community,
    Decision,
    Score,
    Store,
)


def community_by_slug(session: Session, slug: str) -> Community:
    community = session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFoundError(f"Unknown community {slug!r}.")
    return community


def find_comment(session: Session, community: Community, external_id: str) -> Comment:
    comment = session.scalar(
        select(Comment).where(
            Comment.community_id == community.id, Comment.external_id == external_id
        )
    )
    if comment is None:
        raise NotFoundError(f"Unknown comment {external_id!r} in community {community.slug!r}.")
    return comment


def _scores(session: Session, ids: list[int]) -> dict[int, dict[str, float]]:
    found: dict[int, dict[str, float]] = defaultdict(dict)
    if ids:
        for comment_id, attribute, value in session.execute(
            select(Score.comment_id, Score.attribute, Score.value).where(Score.comment_id.in_(ids))
        ):
            found[comment_id][attribute] = value
    return found


def thread_states(session: Session, article_ids: set[int]) -> dict[int, ThreadState]:
    """Each article's recent temperature, rebuilt from its latest comments (the queue badge)."""
    states: dict[int, ThreadState] = {}
    for article_id in article_ids:
        state = ThreadState()
        rows = session.execute(
            select(Score.value, Comment.status)
            .join(Comment, Score.comment_id == Comment.id)
            .where(Comment.article_id == article_id, Score.attribute == "TOXICITY")
            .order_by(Comment.id.desc())
            .limit(state.recent.maxlen or 20)
        ).all()
        for value, status in reversed(rows):
            state.add(float(value), "approve" if status == "approved" else "hold")
        states[article_id] = state
    return states


UNMODERATED = "unmoderated"
QUEUE_STATUSES = (
    CommentStatus.HELD.value,
    CommentStatus.REPORTED.value,
    UNMODERATED,
    CommentStatus.APPROVED.value,
    CommentStatus.REJECTED.value,
    CommentStatus.PENDING.value,
)
"""The queues: each comment status, and ``unmoderated``, the approved comments no moderator
has decided (published on the policy's word alone). ``approved`` holds those too."""


def _reviewed() -> ColumnElement[bool]:
    """Comments a moderator has decided at least once."""
    return (
        select(Decision.id)
        .where(Decision.comment_id == Comment.id, Decision.actor.like("moderator:%"))
        .exists()
    )


def status_condition(status: str) -> ColumnElement[bool]:
    """Which comments are in the queue ``status`` (one of ``QUEUE_STATUSES``)."""
    if status not in QUEUE_STATUSES:
        raise InvalidCommentError(
            "status", f"must be one of {', '.join(QUEUE_STATUSES)}; got {status!r}."
        )
    if status == UNMODERATED:
        return and_(Comment.status == CommentStatus.APPROVED.value, ~_reviewed())
    return Comment.status == status


def queue_counts(
    session: Session, community_ids: Sequence[int], article_ids: Any = None
) -> dict[str, int]:
    """Comments in each queue of ``community_ids`` (optionally of ``article_ids`` only)."""
    where = [Comment.community_id.in_(community_ids)]
    if article_ids is not None:
        where.append(Comment.article_id.in_(article_ids))
    by_status = dict(
        session.execute(
            select(Comment.status, func.count()).where(*where).group_by(Comment.status)
        ).all()
    )
    unmoderated = session.scalar(select(func.count()).where(*where, status_condition(UNMODERATED)))
    return {
        status: int(unmoderated or 0) if status == UNMODERATED else int(by_status.get(status, 0))
        for status in QUEUE_STATUSES
    }


@dataclass(frozen=True)
class QueueQuery:
    """Which comments a queue shows: one status, optionally narrowed."""

    status: str = CommentStatus.HELD.value
    article: str | None = None
    """The article's external id."""
    author: str | None = None
    """The author's external id."""
    rule: str | None = None
    """Comments the policy decided by this rule."""
    attribute: str | None = None
    min_score: float | None = None
    """With ``attribute``: comments scoring at least this on it (any score when None)."""
    after: int | None = None
    """Keyset paging: comments after this internal id."""

    def where(self, community_ids: Sequence[int]) -> list[ColumnElement[bool]]:
        """The conditions on ``Comment``, for comments of ``community_ids``."""
        where = [Comment.community_id.in_(community_ids), status_condition(self.status)]
        if self.article is not None:
            where.append(
                Comment.article_id.in_(
                    select(Article.id).where(
                        Article.external_id == self.article, Article.community_id.in_(community_ids)
                    )
                )
            )
        if self.author is not None:
            where.append(
                Comment.author_id.in_(
                    select(Author.id).where(
                        Author.external_id == self.author, Author.community_id.in_(community_ids)
                    )
                )
            )
        if self.after is not None:
            where.append(Comment.id > self.after)
        if self.attribute is not None:
            where.append(
                Comment.id.in_(
                    select(Score.comment_id).where(
                        Score.attribute == self.attribute_name,
                        Score.value >= (self.min_score or 0.0),
                    )
                )
            )
        if self.rule is not None:
            where.append(
                Comment.id.in_(
                    select(Decision.comment_id).where(Decision.actor == f"policy:{self.rule}")
                )
            )
        return where

    @property
    def attribute_name(self) -> str | None:
        return get_attribute(self.attribute).name if self.attribute is not None else None


def list_queue(
    store: Store, community: str, filters: QueueQuery, limit: int = 50
) -> dict[str, Any]:
    """Comments of ``community`` matching ``filters``, oldest first; ``next`` continues the list."""
    limit = max(1, min(limit, 500))
    with store.session() as session:
        found = community_by_slug(session, community)
        rows = session.scalars(
            select(Comment).where(*filters.where([found.id])).order_by(Comment.id).limit(limit + 1)
        ).all()
        page = rows[:limit]
        ids = [c.id for c in page]
        scores = _scores(session, ids)
        articles = _external_ids(session, Article, {c.article_id for c in page})
        authors = _external_ids(session, Author, {c.author_id for c in page if c.author_id})
        parents = _external_ids(session, Comment, {c.parent_id for c in page if c.parent_id})
        reasons: dict[int, Decision] = {}
        if ids:
            for decision in session.scalars(
                select(Decision).where(Decision.comment_id.in_(ids)).order_by(Decision.id)
            ):
                reasons[decision.comment_id] = decision
        states = thread_states(session, {c.article_id for c in page})
        counts = queue_counts(session, [found.id])
    items = [
        {
            "comment_id": c.external_id,
            "article_id": articles.get(c.article_id),
            "author": authors.get(c.author_id) if c.author_id else None,
            "parent_id": parents.get(c.parent_id) if c.parent_id else None,
            "text": c.text,
            "status": c.status,
            "language": c.language,
            "created_at": c.created_at.isoformat(),
            "scores": scores.get(c.id, {}),
            "last_decision": {
                "actor": reasons[c.id].actor,
                "action": reasons[c.id].action,
                "reason": reasons[c.id].reason,
            }
            if c.id in reasons
            else None,
            "thread_alert": states[c.article_id].alerting,
        }
        for c in page
    ]
    return {"items": items, "next": page[-1].id if len(rows) > limit else None, "counts": counts}


def _external_ids(
    session: Session, model: type[Article] | type[Author] | type[Comment], ids: set[int]
) -> dict[int, str]:
    """Internal id -> the publisher's id, for rows of ``model``."""
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.external_id).where(model.id.in_(ids))).all())


def comment_record(store: Store, community: str, external_id: str) -> dict[str, Any]:
    """A comment with its scores and its whole audit trail, oldest first."""
    with store.session() as session:
        found = community_by_slug(session, community)
        comment = find_comment(session, found, external_id)
        article = session.get(Article, comment.article_id)
        parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
        trail = session.scalars(
            select(Decision).where(Decision.comment_id == comment.id).order_by(Decision.id)
        ).all()
        return {
            "comment_id": comment.external_id,
            "article_id": article.external_id if article else None,
            "parent_id": parent.external_id if parent else None,
            "text": comment.text,
            "status": comment.status,
            "language": comment.language,
            "scores": _scores(session, [comment.id]).get(comment.id, {}),
            "decisions": [
                {
                    "actor": d.actor,
                    "action": d.action,
                    "reason": d.reason,
                    "model_version": d.model_version,
                    "scores": d.scores,
                    "at": d.created_at.isoformat(),
                }
                for d in trail
            ],
        }


def article_health(
    store: Store, community: str, article: str, bucket_minutes: int = 60
) -> dict[str, Any]:
    """An article's discussion over time: per time bucket, volume, held/rejected share, toxicity."""
    with store.session() as session:
        found = community_by_slug(session, community)
        row = session.scalar(
            select(Article).where(Article.community_id == found.id, Article.external_id == article)
        )
        if row is None:
            raise NotFoundError(f"Unknown article {article!r} in community {found.slug!r}.")
        comments = session.execute(
            select(Comment.created_at, Comment.status, Score.value)
            .outerjoin(Score, and_(Score.comment_id == Comment.id, Score.attribute == "TOXICITY"))
            .where(Comment.article_id == row.id)
            .order_by(Comment.created_at, Comment.id)
        ).all()
    state = ThreadState()
    buckets: dict[datetime, dict[str, float]] = {}
    alerts: list[str] = []
    for created, status, toxicity in comments:
        start = created.replace(
            minute=(created.minute // bucket_minutes) * bucket_minutes
            if bucket_minutes < 60
            else 0,
            second=0,
            microsecond=0,
        )
        bucket = buckets.setdefault(
            start, {"comments": 0, "held": 0, "rejected": 0, "toxicity": 0.0}
        )
        bucket["comments"] += 1
        bucket["held"] += status == "held"
        bucket["rejected"] += status == "rejected"
        bucket["toxicity"] += float(toxicity or 0.0)
        if state.add(float(toxicity or 0.0), "approve" if status == "approved" else "hold"):
            alerts.append(created.isoformat())
    series = [
        {
            "start": start.isoformat(),
            "comments": int(b["comments"]),
            "flagged_share": (b["held"] + b["rejected"]) / b["comments"],
            "mean_toxicity": b["toxicity"] / b["comments"],
        }
        for start, b in sorted(buckets.items())
    ]
    return {
        "article_id": article,
        "title": row.title,
        "comments": len(comments),
        "alert": state.alerting,
        "alerts": alerts,
        "series": series,
    }
