"""What the moderator pages read: the prioritised queue, the audit trail and the dashboards.

Reads only. Decisions and bans are never written here: the pages call the moderation service
(``civility.moderation.service``), as the ingest API's decision endpoint does, so a click and an
API call leave the same trail and send the same webhook events.

The queue spans every community the moderator may act on and puts the most urgent comment first:
priority is a comment's highest attribute score (or, with an attribute filter, that attribute's).
Which comments it holds is ``civility.moderation.queue.QueueQuery``, the ingest API's filter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, func, or_, select
from sqlalchemy.orm import Session

from civility.errors import ForbiddenError
from civility.moderation.authors import standing
from civility.moderation.queue import (
    QUEUE_STATUSES,
    QueueQuery,
    queue_counts,
    status_condition,
    thread_states,
)
from civility.store import (
    Article,
    Author,
    Comment,
    CommentStatus,
    Community,
    Decision,
    Moderator,
    Score,
    Store,
)
from civility.store.models import MAX_ROW_ID
from civility.web.accounts import ModeratorInfo
from civility.web.highlight import Segment

PAGE_SIZE = 50
ATTRIBUTE_FILTER_MIN = 0.5
"""With an attribute filter, the queue shows comments scoring at least this on it."""
HISTORY_DAYS = 30
"""The author's record shown beside each comment covers this many days."""
STATUSES = QUEUE_STATUSES


SORTS = {"score": "highest score", "newest": "newest", "oldest": "oldest"}
"""The queue's orders, by query value; ``score`` (the most urgent first) is the default."""
MAX_THREAD = 500
"""Most comments the single-comment page shows of the thread around it."""
MAX_PARENTS = 50


@dataclass(frozen=True)
class QueueFilters:
    community: str | None = None
    article: str | None = None
    attribute: str | None = None
    status: str = CommentStatus.HELD.value
    page: int = 1
    search: str | None = None
    """Words of the text, or an author's or article's name or id."""
    sort: str = "score"

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters, to keep them across actions and pages."""
        values = {
            "community": self.community,
            "article": self.article,
            "attribute": self.attribute,
            "status": self.status,
            "q": self.search,
            "sort": self.sort if self.sort != "score" else None,
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class AuditEntry:
    actor: str
    action: str
    reason: str | None
    at: datetime
    comment_id: int = 0
    community: str = ""
    excerpt: str = ""


@dataclass
class QueueItem:
    id: int
    external_id: str
    community: str
    status: str
    text: str | None
    created_at: datetime
    priority: float
    scores: dict[str, float]
    article_title: str
    article_url: str | None
    article_external_id: str
    parent_text: str | None
    author_name: str | None
    author_status: str
    """The author's standing (``active``, ``banned``, ...); empty without a known author."""
    author_external_id: str | None = None
    author_approved: int = 0
    author_rejected: int = 0
    thread_alert: bool = False
    language: str | None = None
    trail: list[AuditEntry] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    """The text cut for highlighting (filled by the page, which holds the scorer)."""


@dataclass
class QueuePage:
    items: list[QueueItem]
    total: int
    filters: QueueFilters
    articles: list[tuple[str, str]]
    """(external id, title) of the articles with comments in this status, for the filter."""
    counts: dict[str, int] = field(default_factory=dict)
    """Comments in each queue under the same community and article filters (the tabs)."""
    latest: int = 0
    """The newest comment id in this queue: the live count asks for comments after it."""

    @property
    def has_next(self) -> bool:
        return self.filters.page * PAGE_SIZE < self.total

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def actor_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """``moderator:7`` -> ``alice``; ``policy:toxic`` -> ``policy (toxic)``."""
    ids = {
        int(a.split(":", 1)[1]) for a in actors if a.startswith("moderator:") and a[10:].isdigit()
    }
    usernames = dict(
        session.execute(select(Moderator.id, Moderator.username).where(Moderator.id.in_(ids))).all()
        if ids
        else []
    )
    names = {}
    for actor in actors:
        kind, _, rest = actor.partition(":")
        if kind == "moderator" and rest.isdigit() and int(rest) in usernames:
            names[actor] = usernames[int(rest)]
        elif kind == "policy":
            names[actor] = f"policy ({rest})" if rest else "policy"
        else:
            names[actor] = actor
    return names


def _safe_url(url: str | None) -> str | None:
    """Only web links are linked: a ``javascript:`` URL from a CMS must never become a href."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def queue_page(store: Store, moderator: ModeratorInfo, filters: QueueFilters) -> QueuePage:
    allowed = _allowed_ids(store, moderator, filters.community)
    filters_query = QueueQuery(
        status=filters.status,
        article=filters.article,
        attribute=filters.attribute,
        min_score=ATTRIBUTE_FILTER_MIN if filters.attribute else None,
    )
    with store.session() as session:
        where = _where(filters, filters_query, allowed)
        # Priority: the highest score, or with an attribute filter that attribute's score.
        scored = (
            and_(Score.comment_id == Comment.id, Score.attribute == filters_query.attribute_name)
            if filters.attribute
            else Score.comment_id == Comment.id
        )
        priority = select(func.max(Score.value)).where(scored).scalar_subquery()
        total = session.scalar(select(func.count()).select_from(Comment).where(*where)) or 0
        order = {
            "newest": (Comment.created_at.desc(), Comment.id.desc()),
            "oldest": (Comment.created_at, Comment.id),
        }.get(filters.sort, (priority.desc().nulls_last(), Comment.id))
        rows = session.execute(
            select(Comment, priority)
            .where(*where)
            .order_by(*order)
            .offset((filters.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        items = _items(session, [(c, float(p or 0.0)) for c, p in rows])
        articles = session.execute(
            select(Article.external_id, Article.title)
            .where(
                Article.id.in_(
                    select(Comment.article_id).where(
                        Comment.community_id.in_(allowed), status_condition(filters.status)
                    )
                )
            )
            .order_by(Article.title)
            .limit(200)
        ).all()
        article_ids = (
            select(Article.id).where(
                Article.external_id == filters.article, Article.community_id.in_(allowed)
            )
            if filters.article
            else None
        )
        counts = queue_counts(session, allowed, article_ids)
        latest = session.scalar(select(func.max(Comment.id)).where(*where)) or 0
    return QueuePage(items, total, filters, [(a, t or a) for a, t in articles], counts, latest)


def _where(
    filters: QueueFilters, query: QueueQuery, allowed: list[int]
) -> list[ColumnElement[bool]]:
    """The queue's conditions: ``QueueQuery``'s, and the search box's."""
    where = query.where(allowed)
    if filters.search:
        words = filters.search
        where.append(
            or_(
                Comment.text.icontains(words, autoescape=True),
                Comment.author_id.in_(
                    select(Author.id).where(
                        Author.community_id.in_(allowed),
                        or_(
                            Author.external_id == words,
                            Author.display_name.icontains(words, autoescape=True),
                        ),
                    )
                ),
                Comment.article_id.in_(
                    select(Article.id).where(
                        Article.community_id.in_(allowed),
                        or_(
                            Article.external_id == words,
                            Article.title.icontains(words, autoescape=True),
                        ),
                    )
                ),
            )
        )
    return where


def new_since(store: Store, moderator: ModeratorInfo, filters: QueueFilters, after: int) -> int:
    """How many comments arrived in the queue the moderator is looking at after id ``after``."""
    allowed = _allowed_ids(store, moderator, filters.community)
    query = QueueQuery(
        status=filters.status,
        article=filters.article,
        attribute=filters.attribute,
        min_score=ATTRIBUTE_FILTER_MIN if filters.attribute else None,
        after=after,
    )
    with store.session() as session:
        found = session.scalar(select(func.count()).where(*_where(filters, query, allowed)))
    return int(found or 0)


@dataclass(frozen=True)
class PendingComment:
    id: int
    excerpt: str
    status: str


def pending_comments(
    store: Store, moderator: ModeratorInfo, ids: list[int]
) -> list[PendingComment]:
    """The comments of a decision that was not applied, as far as the moderator may see them."""
    if not ids:
        return []
    allowed = _allowed_ids(store, moderator, None)
    with store.session() as session:
        rows = session.execute(
            select(Comment.id, Comment.text, Comment.external_id, Comment.status)
            .where(Comment.id.in_(ids), Comment.community_id.in_(allowed))
            .order_by(Comment.id)
        ).all()
    return [
        PendingComment(id_, _excerpt(text or f"(comment {external} has no stored text)"), status)
        for id_, text, external, status in rows
    ]


def _allowed_ids(store: Store, moderator: ModeratorInfo, community: str | None) -> list[int]:
    ids = set(moderator.community_ids)
    if moderator.is_admin:
        with store.session() as session:
            ids = set(session.scalars(select(Community.id)))
    if community:
        with store.session() as session:
            wanted = session.scalar(select(Community.id).where(Community.slug == community))
        ids &= {wanted} if wanted is not None else set()
    return sorted(ids)


def _items(session: Session, rows: list[tuple[Comment, float]]) -> list[QueueItem]:
    if not rows:
        return []
    comments = [c for c, _ in rows]
    ids = [c.id for c in comments]
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for comment_id, attribute, value in session.execute(
        select(Score.comment_id, Score.attribute, Score.value).where(Score.comment_id.in_(ids))
    ):
        scores[comment_id][attribute] = float(value)
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article).where(Article.id.in_({c.article_id for c in comments}))
        )
    }
    slugs = dict(session.execute(select(Community.id, Community.slug)).all())
    parent_ids = {c.parent_id for c in comments if c.parent_id}
    parents = dict(
        session.execute(select(Comment.id, Comment.text).where(Comment.id.in_(parent_ids))).all()
    )
    author_ids = {c.author_id for c in comments if c.author_id}
    authors = {a.id: a for a in session.scalars(select(Author).where(Author.id.in_(author_ids)))}
    records: dict[int, dict[str, int]] = defaultdict(dict)
    since = datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
    for author_id, status, count in session.execute(
        select(Comment.author_id, Comment.status, func.count())
        .where(Comment.author_id.in_(author_ids), Comment.created_at >= since)
        .group_by(Comment.author_id, Comment.status)
    ):
        assert author_id is not None  # the IN filter leaves out comments without an author
        records[author_id][status] = int(count)
    trails = audit_for(session, ids)
    alerts = thread_states(session, {c.article_id for c in comments})
    items = []
    now = datetime.now(UTC)
    for comment, priority in rows:
        article = articles[comment.article_id]
        author = authors.get(comment.author_id) if comment.author_id else None
        record = records.get(comment.author_id or 0, {})
        items.append(
            QueueItem(
                id=comment.id,
                external_id=comment.external_id,
                community=slugs.get(comment.community_id, "?"),
                status=comment.status,
                text=comment.text,
                created_at=comment.created_at,
                priority=priority,
                scores=scores[comment.id],
                article_title=article.title or article.external_id,
                article_url=_safe_url(article.url),
                article_external_id=article.external_id,
                parent_text=parents.get(comment.parent_id) if comment.parent_id else None,
                author_name=(author.display_name or author.external_id) if author else None,
                author_external_id=author.external_id if author else None,
                author_status=standing(author.status, author.until, now) if author else "",
                author_approved=record.get(CommentStatus.APPROVED.value, 0),
                author_rejected=record.get(CommentStatus.REJECTED.value, 0),
                thread_alert=alerts[comment.article_id].alerting,
                language=comment.language,
                trail=trails.get(comment.id, []),
            )
        )
    return items


def audit_for(session: Session, comment_ids: list[int]) -> dict[int, list[AuditEntry]]:
    """Each comment's audit trail, oldest first, with moderators named."""
    decisions = session.scalars(
        select(Decision).where(Decision.comment_id.in_(comment_ids)).order_by(Decision.id)
    ).all()
    names = actor_names(session, {d.actor for d in decisions})
    trails: dict[int, list[AuditEntry]] = defaultdict(list)
    for d in decisions:
        trails[d.comment_id].append(AuditEntry(names[d.actor], d.action, d.reason, d.created_at))
    return trails


def recent_decisions(
    store: Store, moderator: ModeratorInfo, limit: int = 15, moderators_only: bool = True
) -> list[AuditEntry]:
    """The latest decisions in the moderator's communities: who decided what, and when."""
    allowed = _allowed_ids(store, moderator, None)
    with store.session() as session:
        query = (
            select(Decision, Comment.text, Comment.external_id, Community.slug)
            .join(Comment, Decision.comment_id == Comment.id)
            .join(Community, Comment.community_id == Community.id)
            .where(Comment.community_id.in_(allowed))
        )
        if moderators_only:
            query = query.where(Decision.actor.like("moderator:%"))
        rows = session.execute(query.order_by(Decision.id.desc()).limit(limit)).all()
        names = actor_names(session, {d.actor for d, *_ in rows})
    return [
        AuditEntry(
            names[d.actor],
            d.action,
            d.reason,
            d.created_at,
            d.comment_id,
            slug,
            _excerpt(text or f"(comment {external} has no stored text)"),
        )
        for d, text, external, slug in rows
    ]


def _excerpt(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def comment_targets(store: Store, ids: list[int]) -> dict[int, tuple[int, str, str, str]]:
    """comment id -> (community id, community slug, external id, status), for acting on it."""
    with store.session() as session:
        rows = session.execute(
            select(
                Comment.id,
                Comment.community_id,
                Community.slug,
                Comment.external_id,
                Comment.status,
            )
            .join(Community, Comment.community_id == Community.id)
            .where(Comment.id.in_(ids))
        ).all()
    return {
        id_: (community_id, slug, external, status)
        for id_, community_id, slug, external, status in rows
    }


@dataclass
class Dashboard:
    community: str
    name: str
    days: list[tuple[date, dict[str, int]]]
    """Moderators' decisions per day and action."""
    actions: list[str]
    threads: list[dict[str, Any]]
    held: int
    automatic: list[tuple[date, dict[str, int]]] = field(default_factory=list)
    """The policy's own decisions per day and action, kept apart from the moderators'."""
    automatic_actions: list[str] = field(default_factory=list)


DASHBOARD_DAYS = 14
HOT_THREAD_HOURS = 48


def dashboard(
    store: Store, moderator: ModeratorInfo, slug: str, now: datetime | None = None
) -> Dashboard:
    """Decisions per day over two weeks, and the threads running hottest over the last two days."""
    now = now or datetime.now(UTC)
    start = (now - timedelta(days=DASHBOARD_DAYS - 1)).date()
    with store.session() as session:
        community = session.scalar(select(Community).where(Community.slug == slug))
        if community is None or not moderator.may_act_on(community.id):
            raise ForbiddenError(f"You are not assigned to a community called {slug!r}.")
        days = [start + timedelta(days=i) for i in range(DASHBOARD_DAYS)]
        counts: dict[date, dict[str, int]] = {day: defaultdict(int) for day in days}
        automatic: dict[date, dict[str, int]] = {day: defaultdict(int) for day in days}
        for created, actor, action in session.execute(
            select(Decision.created_at, Decision.actor, Decision.action)
            .join(Comment, Decision.comment_id == Comment.id)
            .where(
                Comment.community_id == community.id,
                Decision.created_at >= datetime.combine(start, datetime.min.time(), UTC),
            )
        ):
            day = created.astimezone(UTC).date()
            if day in counts:
                (counts if actor.startswith("moderator:") else automatic)[day][action] += 1
        since = now - timedelta(hours=HOT_THREAD_HOURS)
        flagged = func.sum(Comment.status.in_(("held", "rejected")).cast(Integer))
        threads = session.execute(
            select(
                Article.id,
                Article.external_id,
                Article.title,
                func.count(Comment.id),
                func.coalesce(flagged, 0),
                func.avg(Score.value),
            )
            .join(Comment, Comment.article_id == Article.id)
            .outerjoin(Score, and_(Score.comment_id == Comment.id, Score.attribute == "TOXICITY"))
            .where(Article.community_id == community.id, Comment.received_at >= since)
            .group_by(Article.id, Article.external_id, Article.title)
        ).all()
        alerts = thread_states(session, {t[0] for t in threads})
        held = session.scalar(
            select(func.count()).where(
                Comment.community_id == community.id, Comment.status == "held"
            )
        )
    hot = sorted(
        (
            {
                "external_id": external,
                "title": title or external,
                "comments": int(total),
                "flagged": int(flag),
                "toxicity": float(tox or 0.0),
                "alert": alerts[article_id].alerting,
            }
            for article_id, external, title, total, flag, tox in threads
        ),
        key=lambda t: (t["alert"], t["flagged"], t["toxicity"]),
        reverse=True,
    )[:10]
    return Dashboard(
        community.slug,
        community.name,
        [(day, dict(c)) for day, c in sorted(counts.items())],
        sorted({a for day in counts.values() for a in day}),
        hot,
        int(held or 0),
        [(day, dict(c)) for day, c in sorted(automatic.items())],
        sorted({a for day in automatic.values() for a in day}),
    )


@dataclass(frozen=True)
class ThreadEntry:
    id: int
    external_id: str
    author: str
    text: str | None
    status: str
    created_at: datetime
    depth: int


@dataclass
class CommentView:
    """One comment with what surrounds it: the replies it answers, and its whole thread."""

    item: QueueItem
    parents: list[ThreadEntry]
    """The chain of comments it replies to, the first comment of the chain first."""
    thread: list[ThreadEntry]
    """The article's discussion in reply order (each reply under its parent), at most
    ``MAX_THREAD`` comments."""
    thread_total: int


def comment_view(store: Store, moderator: ModeratorInfo, comment_id: int) -> CommentView:
    """The single-comment page: refused (403) outside the moderator's communities."""
    with store.session() as session:
        comment = session.get(Comment, comment_id) if 0 < comment_id <= MAX_ROW_ID else None
        if comment is None or not moderator.may_act_on(comment.community_id):
            raise ForbiddenError(f"There is no comment #{comment_id} in your communities.")
        [item] = _items(session, [(comment, 0.0)])
        rows = session.execute(
            select(Comment, Author.display_name, Author.external_id)
            .outerjoin(Author, Comment.author_id == Author.id)
            .where(Comment.article_id == comment.article_id)
            .order_by(Comment.created_at, Comment.id)
        ).all()
    by_id = {c.id: (c, name or external or "anonymous") for c, name, external in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for c, _, _ in rows:
        children[c.parent_id if c.parent_id in by_id else None].append(c.id)

    def entry(id_: int, depth: int) -> ThreadEntry:
        c, who = by_id[id_]
        return ThreadEntry(c.id, c.external_id, who, c.text, c.status, c.created_at, depth)

    thread: list[ThreadEntry] = []
    stack = [(id_, 0) for id_ in reversed(children[None])]
    while stack and len(thread) < MAX_THREAD:
        id_, depth = stack.pop()
        thread.append(entry(id_, depth))
        stack.extend((child, depth + 1) for child in reversed(children[id_]))
    parents: list[ThreadEntry] = []
    parent = comment.parent_id
    while parent in by_id and len(parents) < MAX_PARENTS:
        parents.insert(0, entry(parent, 0))
        parent = by_id[parent][0].parent_id
    return CommentView(item, parents, thread, len(rows))
