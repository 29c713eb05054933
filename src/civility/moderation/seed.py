"""Reading from the store the part of its history a batch's policy decisions need.

Live ingestion decides each batch against an in-memory ``History``; this module fills it for
the batch's authors, articles and parents with a fixed number of queries, whatever the number
of authors or articles in the batch, because a query per article was what made large batches
over many threads slow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from civility.moderation.archive import ArchiveComment
from civility.moderation.history import DAY, THREAD_WINDOW, History
from civility.store import Comment, Score

ACTION_OF = {"approved": "approve", "held": "hold", "rejected": "reject"}
FLAGGED = ("held", "rejected")


def _authors(
    session: Session, history: History, comments: Sequence[ArchiveComment], authors: dict[str, int]
) -> None:
    by_author_id = {id_: external for external, id_ in authors.items()}
    if not by_author_id:
        return
    rows = session.execute(
        select(Comment.author_id, Comment.status, func.count())
        .where(Comment.author_id.in_(by_author_id))
        .group_by(Comment.author_id, Comment.status)
    )
    for author_id, status, count in rows:
        assert author_id is not None  # the IN filter leaves out comments without an author
        if status in ACTION_OF:
            history.author(by_author_id[author_id]).counts[ACTION_OF[status]] = count
    earliest = min((c.created_at for c in comments if c.created_at), default=None)
    since = (earliest or datetime.now(UTC)) - DAY
    recent = session.execute(
        select(Comment.author_id, Comment.status, Comment.created_at)
        .where(
            Comment.author_id.in_(by_author_id),
            Comment.status.in_(FLAGGED),
            Comment.created_at >= since,
        )
        .order_by(Comment.created_at)
    )
    for author_id, status, created in recent:
        assert author_id is not None
        history.author(by_author_id[author_id]).recent.append((created, ACTION_OF[status]))


def _threads(
    session: Session,
    history: History,
    comments: Sequence[ArchiveComment],
    articles: dict[str, int],
) -> None:
    wanted = {c.article_id for c in comments}
    by_article_id = {id_: external for external, id_ in articles.items() if external in wanted}
    if not by_article_id:
        return
    for external in by_article_id.values():
        history.thread(external)
    totals = session.execute(
        select(
            Comment.article_id,
            func.count(),
            func.coalesce(func.sum(Comment.status.in_(FLAGGED).cast(Integer)), 0),
        )
        .where(Comment.article_id.in_(by_article_id))
        .group_by(Comment.article_id)
    )
    counts = {article_id: (int(total), int(flagged)) for article_id, total, flagged in totals}
    # The last THREAD_WINDOW scored comments of every article at once (a window function:
    # SQLite >= 3.25 and PostgreSQL both have it).
    rank = (
        func.row_number()
        .over(partition_by=Comment.article_id, order_by=Comment.id.desc())
        .label("rank")
    )
    ranked = (
        select(Comment.article_id, Score.value, Comment.status, rank)
        .join(Comment, Score.comment_id == Comment.id)
        .where(Comment.article_id.in_(by_article_id), Score.attribute == "TOXICITY")
        .subquery()
    )
    window = session.execute(
        select(ranked.c.article_id, ranked.c.value, ranked.c.status)
        .where(ranked.c.rank <= THREAD_WINDOW)
        .order_by(ranked.c.article_id, ranked.c.rank.desc())
    )
    for article_id, value, status in window:
        history.thread(by_article_id[article_id]).add(
            float(value), ACTION_OF.get(status, "approve")
        )
    for article_id, external in by_article_id.items():
        thread = history.thread(external)
        thread.comments, thread.flagged = counts.get(article_id, (0, 0))


def _parents(session: Session, history: History, parents: dict[str, tuple[int, str]]) -> None:
    if not parents:
        return
    rows = session.execute(
        select(Comment.external_id, Score.value)
        .join(Score, Score.comment_id == Comment.id)
        .where(Comment.id.in_([id_ for id_, _ in parents.values()]), Score.attribute == "TOXICITY")
    )
    history.toxicity.update({external: float(value) for external, value in rows})


def seed_history(
    session: Session,
    comments: Sequence[ArchiveComment],
    authors: dict[str, int],
    articles: dict[str, int],
    parents: dict[str, tuple[int, str]],
) -> History:
    """The part of the store's history a batch's policy decisions can read, in memory.

    ``authors``, ``articles`` and ``parents`` map the batch's external ids to stored ids (and,
    for parents, their article's external id).
    """
    history = History()
    _authors(session, history, comments, authors)
    _threads(session, history, comments, articles)
    _parents(session, history, parents)
    return history
