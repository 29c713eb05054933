"""The moderators' side: the queue of held comments, their decisions, and each thread's health.

A moderator's decision is a compare-and-set on the comment's status: it names the status the
moderator saw (``held`` by default), and only one of two moderators deciding the same comment
at once can change it; the other gets a DecisionConflictError (HTTP 409) saying who won.
Every decision is appended to the audit trail, stored as feedback for calibration, and queued
for the publisher's webhooks, all in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from civility.errors import (
    DecisionConflictError,
    ForbiddenError,
    InvalidCommentError,
    NotFoundError,
)
from civility.moderation.history import ThreadState
from civility.moderation.webhooks import enqueue_events
from civility.store import (
    Article,
    Author,
    Comment,
    Community,
    Decision,
    Feedback,
    Moderator,
    Score,
)

MODERATOR_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "approve": ("approved", ("held", "pending")),
    "reject": ("rejected", ("held", "pending", "approved")),
    "restore": ("approved", ("rejected",)),
}
"""action -> (new status, statuses it may be taken from). The first is the default expectation."""

LABEL_OF = {"approve": 0.0, "restore": 0.0, "reject": 1.0}


def community_by_slug(session: Session, slug: str) -> Community:
    community = session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFoundError(f"Unknown community {slug!r}.")
    return community


def _comment(session: Session, community: Community, external_id: str) -> Comment:
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


def list_queue(
    store: Any,
    community: str,
    status: str = "held",
    article: str | None = None,
    author: str | None = None,
    rule: str | None = None,
    attribute: str | None = None,
    min_score: float | None = None,
    limit: int = 50,
    after: int | None = None,
) -> dict[str, Any]:
    """Comments in ``status`` (oldest first), filtered, one page; ``next`` continues the list."""
    if status not in ("pending", "held", "approved", "rejected"):
        raise InvalidCommentError(
            "status", f"must be pending, held, approved or rejected; got {status!r}."
        )
    limit = max(1, min(limit, 500))
    with store.session() as session:
        found = community_by_slug(session, community)
        query = (
            select(Comment, Article.external_id, Author.external_id)
            .join(Article, Comment.article_id == Article.id)
            .outerjoin(Author, Comment.author_id == Author.id)
            .where(Comment.community_id == found.id, Comment.status == status)
        )
        if article is not None:
            query = query.where(Article.external_id == article)
        if author is not None:
            query = query.where(Author.external_id == author)
        if after is not None:
            query = query.where(Comment.id > after)
        if attribute is not None:
            from civility.attributes import get_attribute

            name = get_attribute(attribute).name
            query = query.join(
                Score, and_(Score.comment_id == Comment.id, Score.attribute == name)
            ).where(Score.value >= (min_score or 0.0))
        if rule is not None:
            first = (
                select(Decision.comment_id)
                .where(Decision.actor == f"policy:{rule}")
                .scalar_subquery()
            )
            query = query.where(Comment.id.in_(first))
        rows = session.execute(query.order_by(Comment.id).limit(limit + 1)).all()
        page = rows[:limit]
        ids = [c.id for c, _, _ in page]
        scores = _scores(session, ids)
        reasons: dict[int, Decision] = {}
        if ids:
            for decision in session.scalars(
                select(Decision).where(Decision.comment_id.in_(ids)).order_by(Decision.id)
            ):
                reasons[decision.comment_id] = decision
        states = thread_states(session, {c.article_id for c, _, _ in page})
    items = [
        {
            "comment_id": c.external_id,
            "article_id": article_id,
            "author": author_id,
            "parent_id": None,
            "text": c.text,
            "status": c.status,
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
        for c, article_id, author_id in page
    ]
    return {"items": items, "next": page[-1][0].id if len(rows) > limit else None}


def comment_record(store: Any, community: str, external_id: str) -> dict[str, Any]:
    """A comment with its scores and its whole audit trail, oldest first."""
    with store.session() as session:
        found = community_by_slug(session, community)
        comment = _comment(session, found, external_id)
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


def decide_comment(
    store: Any,
    community: str,
    external_id: str,
    action: str,
    moderator: str,
    reason: str | None = None,
    expected_status: str | None = None,
) -> dict[str, Any]:
    """Record a moderator's approve/reject/restore; 409 if the comment moved on meanwhile."""
    if action not in MODERATOR_ACTIONS:
        raise InvalidCommentError(
            "action", f"must be one of {', '.join(MODERATOR_ACTIONS)}; got {action!r}."
        )
    new_status, allowed = MODERATOR_ACTIONS[action]
    expected = expected_status or allowed[0]
    if expected not in allowed:
        raise InvalidCommentError(
            "expected_status",
            f"{action!r} applies to comments that are {' or '.join(allowed)}; got {expected!r}.",
        )
    now = datetime.now(UTC)
    with store.writer() as session:
        found = community_by_slug(session, community)
        person = session.scalar(select(Moderator).where(Moderator.username == moderator))
        if person is None:
            raise InvalidCommentError("moderator", f"unknown moderator {moderator!r}.")
        if not person.is_admin and found not in person.communities:
            raise ForbiddenError(f"{moderator!r} is not a moderator of community {found.slug!r}.")
        comment = _comment(session, found, external_id)
        changed = session.execute(
            update(Comment)
            .where(Comment.id == comment.id, Comment.status == expected)
            .values(status=new_status)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            _conflict(store, found.id, comment.id, external_id, expected)
        actor = f"moderator:{person.id}"
        decision = Decision(
            comment_id=comment.id,
            actor=actor,
            action=action,
            reason=reason,
            created_at=now,
        )
        session.add(decision)
        session.add(
            Feedback(
                source="moderator",
                community=found.slug,
                community_id=found.id,
                comment_id=comment.id,
                attribute="TOXICITY",
                value=LABEL_OF[action],
                text_sha256=comment.text_sha256,
                created_at=now,
            )
        )
        session.flush()
        article = session.get(Article, comment.article_id)
        payload = {
            "community": found.slug,
            "article_id": article.external_id if article else None,
            "comment_id": external_id,
            "status": new_status,
            "action": action,
            "actor": actor,
            "moderator": person.username,
            "reason": reason,
            "decided_at": now.isoformat(),
        }
        enqueue_events(session, found, [("comment.decided", payload, decision.id)])
    return {"comment_id": external_id, "status": new_status, "decision": payload}


def _conflict(
    store: Any, community_id: int, comment_id: int, external_id: str, expected: str
) -> None:
    with store.session() as session:
        status = session.scalar(select(Comment.status).where(Comment.id == comment_id))
        last = session.scalar(
            select(Decision).where(Decision.comment_id == comment_id).order_by(Decision.id.desc())
        )
    who = f" by {last.actor} ({last.action})" if last is not None else ""
    raise DecisionConflictError(
        f"Comment {external_id!r} is {status}, not {expected}: it was decided{who} first."
    )


def article_health(
    store: Any, community: str, article: str, bucket_minutes: int = 60
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
