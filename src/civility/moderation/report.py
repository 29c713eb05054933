"""What the moderation report shows, computed from the store: numbers first, pictures later.

``load_report`` reads the rows of one community (or all) and period; everything after that is
pure functions over plain rows, so each figure's numbers can be tested without drawing it, and
``civility.moderation.report_html`` only turns a ``Report`` into a page.

Counts follow the policy's decision on each comment (its first decision), not the status it
has now: a comment held by the policy and approved by a moderator an hour later still made its
thread hotter at the time, and it still cost a moderator's attention. Moderators' own decisions
are counted separately.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import InputFileError, InvalidParameterError, NotFoundError
from civility.moderation.archive import parse_time
from civility.moderation.history import ThreadState
from civility.store import (
    Article,
    Author,
    AuthorStatus,
    Comment,
    Community,
    Decision,
    Score,
    Store,
)

BINS = 20
"""Histogram bins over [0, 1] for the score distributions."""
TOP_ARTICLES = 10
TEMPERATURE_ARTICLES = 5
"""Threads drawn in the temperature chart: the most-held ones, so the lines stay readable."""
TOP_OFFENDERS = 15
OFFENDER_MIN_FLAGGED = 2
"""Comments held or rejected before an author counts as a repeat offender."""
_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class CommentRow:
    """One comment as the report sees it: where it sits, and what the policy did with it."""

    id: int
    article_id: int
    author_id: int | None
    created_at: datetime
    status: str
    policy_action: str | None
    """approve, hold or reject; None when no policy decided it (pending)."""
    rule: str | None
    """The rule that fired; None for the policy's default."""
    toxicity: float | None


@dataclass(frozen=True)
class Distribution:
    """A histogram of one attribute's scores over ``BINS`` equal bins of [0, 1]."""

    attribute: str
    counts: list[int]
    mean: float
    high_share: float
    """Share of comments scoring 0.5 or more."""

    @property
    def n(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    action: str
    count: int


@dataclass(frozen=True)
class ArticleRow:
    article_id: int
    external_id: str
    title: str
    url: str | None
    comments: int
    held: int
    rejected: int
    waiting: int
    """Comments still held now, waiting for a moderator."""

    @property
    def flagged_share(self) -> float:
        return (self.held + self.rejected) / self.comments if self.comments else 0.0


@dataclass(frozen=True)
class TemperaturePoint:
    when: datetime
    flagged_share: float
    toxicity: float
    alert: bool
    """This comment tipped the thread into an alert."""


@dataclass(frozen=True)
class ThreadCurve:
    title: str
    points: list[TemperaturePoint]

    @property
    def alerts(self) -> list[datetime]:
        return [p.when for p in self.points if p.alert]


@dataclass(frozen=True)
class OffenderRow:
    external_id: str
    name: str
    banned: bool
    comments: int
    held: int
    rejected: int
    last_flagged: datetime | None


@dataclass
class Report:
    community: str | None
    since: datetime | None
    generated_at: datetime
    statuses: dict[str, int] = field(default_factory=dict)
    policy_actions: dict[str, int] = field(default_factory=dict)
    moderator_actions: dict[str, int] = field(default_factory=dict)
    model_version: str | None = None
    distributions: list[Distribution] = field(default_factory=list)
    rules: list[RuleCount] = field(default_factory=list)
    articles: list[ArticleRow] = field(default_factory=list)
    temperature: list[ThreadCurve] = field(default_factory=list)
    offenders: list[OffenderRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def alerts(self) -> int:
        return sum(len(curve.alerts) for curve in self.temperature)


# -- pure functions: rows in, figures' numbers out ------------------------------------------


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """``--since``: an ISO date or time (``2024-05-01``, ``2024-05-01T10:00Z``) or an age (``7d``).

    Ages are hours, days or weeks (``24h``, ``7d``, ``2w``): what people type for a weekly
    report; absolute times reproduce a past one.
    """
    if value is None or not value.strip():
        return None
    relative = _RELATIVE.match(value)
    if relative:
        return now - int(relative.group(1)) * _UNITS[relative.group(2)]
    try:
        return parse_time(value.strip(), "--since")
    except InputFileError:
        raise InvalidParameterError(
            f"The 'since' parameter must be an ISO date or time (2024-05-01) or an age such as "
            f"7d, 24h or 2w. Got {value!r} instead."
        ) from None


def score_distributions(
    scores: Iterable[tuple[str, float]], attributes: Sequence[str] = ATTRIBUTE_NAMES
) -> list[Distribution]:
    """One histogram per attribute (registry order), from ``(attribute, value)`` pairs."""
    counts = {a: [0] * BINS for a in attributes}
    sums: dict[str, float] = defaultdict(float)
    high: Counter[str] = Counter()
    for attribute, value in scores:
        if attribute not in counts:
            continue
        clipped = min(max(float(value), 0.0), 1.0)
        counts[attribute][min(int(clipped * BINS), BINS - 1)] += 1
        sums[attribute] += clipped
        high[attribute] += clipped >= 0.5
    out = []
    for attribute in attributes:
        n = sum(counts[attribute])
        if n:
            out.append(
                Distribution(attribute, counts[attribute], sums[attribute] / n, high[attribute] / n)
            )
    return out


def decisions_per_rule(rows: Iterable[CommentRow]) -> list[RuleCount]:
    """How often each rule decided, most frequent first; the default is named ``(default)``."""
    counts: Counter[tuple[str, str]] = Counter(
        (row.rule or "(default)", row.policy_action) for row in rows if row.policy_action
    )
    return [
        RuleCount(rule, action, n)
        for (rule, action), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def most_held_articles(
    rows: Iterable[CommentRow],
    articles: dict[int, tuple[str, str | None, str | None]],
    limit: int = TOP_ARTICLES,
) -> list[ArticleRow]:
    """Articles whose comments the policy held most often (ties: more rejections, then title).

    ``articles`` maps an article's id to (external id, title, url).
    """
    tally: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counter = tally[row.article_id]
        counter["comments"] += 1
        counter["held"] += row.policy_action == "hold"
        counter["rejected"] += row.policy_action == "reject"
        counter["waiting"] += row.status == "held"
    found = []
    for article_id, counter in tally.items():
        if not (counter["held"] or counter["rejected"]):
            continue
        external, title, url = articles.get(article_id, (str(article_id), None, None))
        found.append(
            ArticleRow(
                article_id,
                external,
                title or external,
                url,
                counter["comments"],
                counter["held"],
                counter["rejected"],
                counter["waiting"],
            )
        )
    found.sort(key=lambda a: (-a.held, -a.rejected, a.title))
    return found[:limit]


def thread_temperature(rows: Sequence[CommentRow], title: str) -> ThreadCurve:
    """The thread's temperature after each comment, as the alert saw it.

    Same window and thresholds as live ingestion (``ThreadState``): share held or rejected and
    mean TOXICITY over the last comments, so an alert in the report is one that fired.
    """
    state = ThreadState()
    points = []
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        raised = state.add(float(row.toxicity or 0.0), row.policy_action or "approve")
        points.append(
            TemperaturePoint(row.created_at, state.recent_flagged_share, state.toxicity, raised)
        )
    return ThreadCurve(title, points)


def repeat_offenders(
    rows: Iterable[CommentRow],
    authors: dict[int, tuple[str, str | None, bool]],
    limit: int = TOP_OFFENDERS,
    min_flagged: int = OFFENDER_MIN_FLAGGED,
) -> list[OffenderRow]:
    """Authors with at least ``min_flagged`` comments held or rejected, worst first.

    ``authors`` maps an author's id to (external id, display name, banned). Rejections weigh
    more than holds in the order because a moderator (or a strict rule) confirmed them.
    """
    tally: dict[int, Counter[str]] = defaultdict(Counter)
    last: dict[int, datetime] = {}
    for row in rows:
        if row.author_id is None:
            continue
        counter = tally[row.author_id]
        counter["comments"] += 1
        rejected = row.policy_action == "reject" or row.status == "rejected"
        held = row.policy_action == "hold" and not rejected
        counter["rejected"] += rejected
        counter["held"] += held
        if rejected or held:
            last[row.author_id] = max(last.get(row.author_id, row.created_at), row.created_at)
    found = []
    for author_id, counter in tally.items():
        if counter["held"] + counter["rejected"] < min_flagged:
            continue
        external, name, banned = authors.get(author_id, (str(author_id), None, False))
        found.append(
            OffenderRow(
                external,
                name or external,
                banned,
                counter["comments"],
                counter["held"],
                counter["rejected"],
                last.get(author_id),
            )
        )
    found.sort(key=lambda o: (-o.rejected, -o.held, o.external_id))
    return found[:limit]


def build_report(
    rows: Sequence[CommentRow],
    scores: Iterable[tuple[str, float]],
    moderator_actions: dict[str, int],
    articles: dict[int, tuple[str, str | None, str | None]],
    authors: dict[int, tuple[str, str | None, bool]],
    community: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
    model_version: str | None = None,
) -> Report:
    """Every figure's numbers, from the rows ``load_report`` read."""
    report = Report(community, since, now or datetime.now(UTC), model_version=model_version)
    report.statuses = dict(Counter(row.status for row in rows).most_common())
    report.policy_actions = dict(
        Counter(row.policy_action for row in rows if row.policy_action).most_common()
    )
    report.moderator_actions = dict(moderator_actions)
    report.distributions = score_distributions(scores)
    report.rules = decisions_per_rule(rows)
    report.articles = most_held_articles(rows, articles)
    by_article: dict[int, list[CommentRow]] = defaultdict(list)
    for row in rows:
        by_article[row.article_id].append(row)
    report.temperature = [
        thread_temperature(by_article[a.article_id], a.title)
        for a in report.articles[:TEMPERATURE_ARTICLES]
    ]
    report.offenders = repeat_offenders(rows, authors)
    return report


# -- the edge: reading the store -------------------------------------------------------------


def load_report(
    store: Store, community: str | None = None, since: datetime | None = None
) -> Report:
    """Read the comments of ``community`` (None: all) created since ``since`` and summarise them.

    A handful of queries whatever the store's size; the rows of the period are held in memory,
    so ``--since`` is what keeps a report over a large archive quick.
    """
    with store.session() as session:
        scope = []
        if community is not None:
            community_id = session.scalar(select(Community.id).where(Community.slug == community))
            if community_id is None:
                known = session.scalars(select(Community.slug)).all()
                raise NotFoundError(
                    f"Unknown community {community!r}. Available: {', '.join(sorted(known))}"
                )
            scope.append(Comment.community_id == community_id)
        if since is not None:
            scope.append(Comment.created_at >= since)

        policy: dict[int, tuple[str, str]] = {}
        moderators: Counter[str] = Counter()
        for comment_id, actor, action in session.execute(
            select(Decision.comment_id, Decision.actor, Decision.action)
            .join(Comment, Decision.comment_id == Comment.id)
            .where(*scope)
            .order_by(Decision.id)
        ):
            if actor.startswith("policy:"):
                policy.setdefault(comment_id, (actor.removeprefix("policy:"), action))
            else:
                moderators[action] += 1

        versions = Counter(
            dict(
                session.execute(
                    select(Score.model_version, func.count(Score.id))
                    .join(Comment, Score.comment_id == Comment.id)
                    .where(*scope)
                    .group_by(Score.model_version)
                ).all()
            )
        )
        model_version = versions.most_common(1)[0][0] if versions else None
        scores: list[tuple[str, float]] = []
        toxicity: dict[int, float] = {}
        if model_version is not None:
            for comment_id, attribute, value in session.execute(
                select(Score.comment_id, Score.attribute, Score.value)
                .join(Comment, Score.comment_id == Comment.id)
                .where(*scope, Score.model_version == model_version)
            ):
                scores.append((attribute, value))
                if attribute == "TOXICITY":
                    toxicity[comment_id] = value

        rows = []
        for id_, article_id, author_id, created, status in session.execute(
            select(
                Comment.id,
                Comment.article_id,
                Comment.author_id,
                Comment.created_at,
                Comment.status,
            ).where(*scope)
        ):
            rule, policy_action = policy.get(id_, (None, None))
            rows.append(
                CommentRow(
                    id_,
                    article_id,
                    author_id,
                    created,
                    status,
                    policy_action,
                    None if rule in (None, "default") else rule,
                    toxicity.get(id_),
                )
            )
        articles = {
            id_: (external, title, url)
            for id_, external, title, url in session.execute(
                select(Article.id, Article.external_id, Article.title, Article.url).where(
                    Article.id.in_(select(Comment.article_id).where(*scope))
                )
            )
        }
        authors = {
            id_: (external, name, status == AuthorStatus.BANNED)
            for id_, external, name, status in session.execute(
                select(Author.id, Author.external_id, Author.display_name, Author.status).where(
                    Author.id.in_(select(Comment.author_id).where(*scope))
                )
            )
        }
    return build_report(
        rows,
        scores,
        dict(moderators),
        articles,
        authors,
        community,
        since,
        model_version=model_version,
    )
