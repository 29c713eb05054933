"""Ingestion: comments in, decisions out, written in one transaction per batch.

A batch is scored with one model call, decided in order against the history the store already
holds, and written (comments, scores, the policy's decisions and the webhook events that report
them) in a single transaction: when the caller gets an answer the whole batch is committed, and
a failure leaves nothing behind. Comments are recognised by their external id, so re-sending a
batch, whole or in part, never duplicates anything: known comments come back as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civility.errors import EmptyTextError, InvalidCommentError, TextTooLongError
from civility.moderation import events
from civility.moderation.archive import ArchiveComment
from civility.moderation.authors import Restriction, restrictions, stricter
from civility.moderation.decide import Decision as Verdict
from civility.moderation.decide import Scored, decide_batch, needs_context, score_by_language
from civility.moderation.policies import PolicyCache
from civility.moderation.seed import seed_history
from civility.moderation.webhooks import enqueue_events
from civility.scoring import LanguageScorers, check_text
from civility.store import (
    Article,
    Author,
    Comment,
    Community,
    Decision,
    Score,
    Store,
    conflict_insert,
)

STATUS_OF = {"approve": "approved", "hold": "held", "reject": "rejected"}
ACTION_OF = {status: action for action, status in STATUS_OF.items()}
DEFAULT_COMMUNITY = "default"
"""The community used when a submission names none; created on first use."""


@dataclass(frozen=True)
class IngestResult:
    """What the caller learns about one submitted comment."""

    comment_id: str
    id: int
    status: str
    action: str
    rule: str | None
    reason: str
    scores: dict[str, float]
    model_version: str | None
    duplicate: bool = False
    alert: bool = False
    language: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "comment_id": self.comment_id,
            "status": self.status,
            "language": self.language,
            "decision": {
                "action": self.action,
                "rule": self.rule,
                "reason": self.reason,
                "model_version": self.model_version,
            },
            "scores": self.scores,
            "duplicate": self.duplicate,
            "thread_alert": self.alert,
        }


@dataclass
class IngestOptions:
    """How strict a caller is about threads and articles.

    The API refuses unknown articles and parents (the publisher should send them); an archive
    import creates articles as it meets them and keeps replies whose parent is missing (deleted
    or spam in the export) as top-level comments.
    """

    create_articles: bool = False
    require_parents: bool = True
    create_community: bool = False


def validate(comments: Sequence[ArchiveComment]) -> None:
    """Refuse the batch before anything is scored or written, naming the field at fault."""
    seen: dict[str, int] = {}
    for index, comment in enumerate(comments):
        where = f"comments[{index}]"
        for name in ("comment_id", "article_id"):
            value = getattr(comment, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidCommentError(f"{where}.{name}", "is required.")
            if len(value) > 200:
                raise InvalidCommentError(f"{where}.{name}", "is longer than 200 characters.")
        try:
            check_text(comment.text)
        except (EmptyTextError, TextTooLongError) as exc:
            raise InvalidCommentError(f"{where}.text", exc.message) from None
        if comment.comment_id in seen:
            raise InvalidCommentError(
                f"{where}.comment_id",
                f"{comment.comment_id!r} also appears at comments[{seen[comment.comment_id]}].",
            )
        if comment.parent_id == comment.comment_id:
            raise InvalidCommentError(f"{where}.parent_id", "a comment cannot reply to itself.")
        seen[comment.comment_id] = index


def _community(session: Session, slug: str, create: bool) -> Community:
    community = session.scalar(select(Community).where(Community.slug == slug))
    if community is not None:
        return community
    if not (create or slug == DEFAULT_COMMUNITY):
        raise InvalidCommentError("community", f"unknown community {slug!r}.")
    # Get-or-create in one statement: a concurrent request creating it too is no conflict.
    session.execute(
        conflict_insert(session, Community)
        .values(slug=slug, name=slug)
        .on_conflict_do_nothing(index_elements=[Community.slug])
    )
    return session.scalars(select(Community).where(Community.slug == slug)).one()


def _existing(session: Session, community_id: int, ids: Sequence[str]) -> dict[str, Comment]:
    if not ids:
        return {}
    rows = session.scalars(
        select(Comment).where(Comment.community_id == community_id, Comment.external_id.in_(ids))
    )
    return {c.external_id: c for c in rows}


def _parent_texts(
    session: Session, community_id: int | None, comments: Sequence[ArchiveComment]
) -> dict[str, str]:
    """Texts of the parents of the replies that will be read in context (batch or store)."""
    texts = {c.comment_id: c.text for c in comments}
    wanted = sorted(
        {
            c.parent_id
            for c in comments
            if c.parent_id and c.parent_id not in texts and needs_context(c.text)
        }
    )
    if wanted and community_id is not None:
        stored = session.execute(
            select(Comment.external_id, Comment.text).where(
                Comment.community_id == community_id, Comment.external_id.in_(wanted)
            )
        )
        texts.update((external, text) for external, text in stored if text is not None)
    return texts


def _known_result(comment: Comment, session: Session) -> IngestResult:
    """A re-sent comment: its current status and the policy's original decision."""
    first = session.scalar(
        select(Decision).where(Decision.comment_id == comment.id).order_by(Decision.id).limit(1)
    )
    scores = {
        s.attribute: s.value
        for s in session.scalars(select(Score).where(Score.comment_id == comment.id))
    }
    rule = None
    if first is not None and first.actor.startswith("policy:") and first.actor != "policy:default":
        rule = first.actor.removeprefix("policy:")
    return IngestResult(
        comment.external_id,
        comment.id,
        comment.status,
        ACTION_OF.get(comment.status, "hold"),
        rule,
        (first.reason or "") if first is not None else "",
        scores,
        first.model_version if first is not None else None,
        language=comment.language,
        duplicate=True,
    )


def _articles(
    session: Session, community: Community, comments: Sequence[ArchiveComment], create: bool
) -> dict[str, int]:
    """Each article's id, new ones created from the first comment that names them.

    New articles are inserted with ``ON CONFLICT DO NOTHING`` in a fixed order, so concurrent
    requests meeting the same new story each find it instead of failing on the unique key (or
    deadlocking on PostgreSQL).
    """
    wanted = sorted({c.article_id for c in comments})
    known = set(
        session.scalars(
            select(Article.external_id).where(
                Article.community_id == community.id, Article.external_id.in_(wanted)
            )
        )
    )
    new: dict[str, dict[str, Any]] = {}
    for index, comment in enumerate(comments):
        if comment.article_id in known or comment.article_id in new:
            continue
        if not (create or comment.article_title or comment.article_url or comment.article_body):
            raise InvalidCommentError(
                f"comments[{index}].article_id",
                f"unknown article {comment.article_id!r}; send the article's title or url "
                "with its first comment.",
            )
        new[comment.article_id] = {
            "community_id": community.id,
            "external_id": comment.article_id,
            "title": comment.article_title,
            "url": comment.article_url,
            "body": comment.article_body,
        }
    if new:
        session.execute(
            conflict_insert(session, Article)
            .values([new[external] for external in sorted(new)])
            .on_conflict_do_nothing(index_elements=[Article.community_id, Article.external_id])
        )
    found = {
        a.external_id: a
        for a in session.scalars(
            select(Article).where(
                Article.community_id == community.id, Article.external_id.in_(wanted)
            )
        )
    }
    for comment in comments:
        if comment.article_title or comment.article_url or comment.article_body:
            # The publisher's latest title/url wins (articles get corrected after publication).
            article = found[comment.article_id]
            article.title = comment.article_title or article.title
            article.url = comment.article_url or article.url
            article.body = comment.article_body or article.body
    session.flush()
    return {external: a.id for external, a in found.items()}


def _authors(
    session: Session, community: Community, comments: Sequence[ArchiveComment]
) -> dict[str, int]:
    wanted = sorted({c.author for c in comments if c.author})
    if not wanted:
        return {}
    found = {
        a.external_id: a.id
        for a in session.scalars(
            select(Author).where(
                Author.community_id == community.id, Author.external_id.in_(wanted)
            )
        )
    }
    names = {c.author: c.author_name for c in comments if c.author}
    missing = [a for a in wanted if a not in found]
    if missing:
        connection = session.connection()
        connection.execute(
            conflict_insert(session, Author)
            .values(
                [
                    {"community_id": community.id, "external_id": a, "display_name": names[a] or a}
                    for a in missing  # sorted: concurrent requests take locks in one order
                ]
            )
            .on_conflict_do_nothing(index_elements=[Author.community_id, Author.external_id])
        )
        found.update(
            connection.execute(
                select(Author.external_id, Author.id).where(
                    Author.community_id == community.id, Author.external_id.in_(missing)
                )
            ).all()
        )
    return found


def _parents(
    session: Session,
    community: Community,
    comments: Sequence[ArchiveComment],
    require: bool,
) -> tuple[dict[str, tuple[int, str]], list[ArchiveComment]]:
    """Stored parents (id, article external id), and the batch with unresolvable parents cut.

    A parent may be stored already or come earlier in the same batch; either way it must
    belong to the same article, or the thread would be nonsense.
    """
    in_batch = {c.comment_id: c.article_id for c in comments}
    outside = sorted({c.parent_id for c in comments if c.parent_id and c.parent_id not in in_batch})
    stored: dict[str, tuple[int, str]] = {}
    if outside:
        rows = session.execute(
            select(Comment.external_id, Comment.id, Article.external_id)
            .join(Article, Comment.article_id == Article.id)
            .where(Comment.community_id == community.id, Comment.external_id.in_(outside))
        )
        stored = {external: (id_, article) for external, id_, article in rows}
    position = {c.comment_id: i for i, c in enumerate(comments)}
    kept: list[ArchiveComment] = []
    for index, comment in enumerate(comments):
        parent = comment.parent_id
        if parent is None:
            kept.append(comment)
            continue
        if parent in in_batch and position[parent] < index:
            article = in_batch[parent]
        elif parent in stored:
            article = stored[parent][1]
        else:
            if require:
                raise InvalidCommentError(
                    f"comments[{index}].parent_id", f"unknown parent comment {parent!r}."
                )
            kept.append(replace(comment, parent_id=None))
            continue
        if article != comment.article_id:
            raise InvalidCommentError(
                f"comments[{index}].parent_id",
                f"parent comment {parent!r} belongs to article {article!r}, "
                f"not {comment.article_id!r}.",
            )
        kept.append(comment)
    return stored, kept


def _write(
    session: Session,
    community: Community,
    comments: Sequence[ArchiveComment],
    verdicts: Sequence[Verdict],
    articles: dict[str, int],
    authors: dict[str, int],
    parents: dict[str, tuple[int, str]],
    now: datetime,
) -> list[IngestResult]:
    """Insert comments, scores, decisions and webhook events with bulk statements."""
    rows = [
        {
            "community_id": community.id,
            "article_id": articles[c.article_id],
            "parent_id": parents[c.parent_id][0] if c.parent_id in parents else None,
            "author_id": authors.get(c.author) if c.author else None,
            "external_id": c.comment_id,
            "text": c.text,
            "text_sha256": hashlib.sha256(c.text.encode("utf-8", "surrogatepass")).hexdigest(),
            "created_at": c.created_at or now,
            "received_at": now,
            "status": STATUS_OF[v.action],
            "language": c.language,
        }
        for c, v in zip(comments, verdicts, strict=True)
    ]
    # One executemany and one SELECT of the new ids by their unique external ids: RETURNING
    # in parameter order would insert row by row on SQLite, which has no insert sentinel.
    connection = session.connection()
    connection.execute(insert(Comment.__table__), rows)
    by_external: dict[str, int] = dict(
        connection.execute(
            select(Comment.external_id, Comment.id).where(
                Comment.community_id == community.id,
                Comment.external_id.in_([c.comment_id for c in comments]),
            )
        ).all()
    )
    ids = [by_external[c.comment_id] for c in comments]
    links = [
        {"b_id": by_external[c.comment_id], "b_parent": by_external[c.parent_id]}
        for c in comments
        if c.parent_id and c.parent_id in by_external
    ]
    if links:
        connection.execute(
            update(Comment.__table__)
            .where(Comment.__table__.c.id == bindparam("b_id"))
            .values(parent_id=bindparam("b_parent")),
            links,
        )
    scores = [
        {"comment_id": id_, "attribute": a, "value": value, "model_version": v.model_version}
        for id_, v in zip(ids, verdicts, strict=True)
        for a, value in v.scores.items()
    ]
    if scores:  # none when no model read any of them
        connection.execute(insert(Score.__table__), scores)
    connection.execute(
        insert(Decision.__table__),
        [
            {
                "comment_id": id_,
                "actor": f"policy:{v.rule or 'default'}",
                "action": v.action,
                "reason": v.reason,
                "scores": v.decided_on,
                "model_version": v.model_version,
                "created_at": now,
            }
            for id_, v in zip(ids, verdicts, strict=True)
        ],
    )
    # These comments are new in this transaction, so each has exactly this one decision.
    decision_of: dict[int, int] = {
        comment_id: id_
        for comment_id, id_ in connection.execute(
            select(Decision.comment_id, Decision.id).where(Decision.comment_id.in_(ids))
        )
    }
    decision_ids = [decision_of[id_] for id_ in ids]
    results = [
        IngestResult(
            c.comment_id,
            id_,
            STATUS_OF[v.action],
            v.action,
            v.rule,
            v.reason,
            v.scores,
            v.model_version,
            alert=v.alert,
            language=c.language,
        )
        for c, id_, v in zip(comments, ids, verdicts, strict=True)
    ]
    enqueue_events(
        session,
        community,
        [
            events.decided(_payload(community.slug, c, r, now), decision_id)
            for c, r, decision_id in zip(comments, results, decision_ids, strict=True)
        ]
        + [
            events.thread_alert(community.slug, c.article_id, c.comment_id, now)
            for c, r in zip(comments, results, strict=True)
            if r.alert
        ],
    )
    return results


def _payload(
    community: str, comment: ArchiveComment, result: IngestResult, now: datetime
) -> events.DecisionPayload:
    return events.DecisionPayload(
        community=community,
        article_id=comment.article_id,
        comment_id=comment.comment_id,
        status=result.status,
        action=result.action,
        actor=f"policy:{result.rule or 'default'}",
        reason=result.reason,
        decided_at=now.isoformat(),
        rule=result.rule,
        scores=result.scores,
        model_version=result.model_version,
    )


def _restricted(verdict: Verdict, imposed: Restriction | None) -> Verdict:
    """The policy's verdict, or what the author's standing imposes where that is as strict."""
    if imposed is None or not stricter(verdict.action, imposed):
        return verdict
    return replace(verdict, action=imposed.action, rule=imposed.rule, reason=imposed.reason)


def ingest(
    store: Store,
    languages: LanguageScorers,
    comments: Sequence[ArchiveComment],
    community: str = DEFAULT_COMMUNITY,
    policies: PolicyCache | None = None,
    options: IngestOptions | None = None,
) -> list[IngestResult]:
    """Score, decide and store ``comments``; one result per comment, in order.

    Each comment is read in its own ``language``, else the community's, unless its text
    clearly says otherwise (``civility.moderation.decide.score_by_language``); the language
    used is stored with it. Raises InvalidCommentError (naming the field) before anything is
    written. Safe to call again with the same comments: known ones are returned with
    ``duplicate=True``.
    """
    options = options or IngestOptions()
    policies = policies or PolicyCache()
    validate(comments)
    if not comments:
        return []
    ids = [c.comment_id for c in comments]
    with store.session() as session:
        row = session.scalar(select(Community).where(Community.slug == community))
        known = row.id if row is not None else None
        already = set(_existing(session, known, ids)) if known is not None else set()
        declared = [row.language] if row is not None and row.language else []
        fresh = [c for c in comments if c.comment_id not in already]
        # Replies are read with their parent only for policies that look at it: the extra
        # texts cost model time, and on the shipped model they are no better on their own.
        reads_context = row is not None and policies.policy(row).reads_context
        parent_texts = _parent_texts(session, known, fresh) if reads_context else {}
    scored = score_by_language(languages, fresh, parent_texts, declared) if fresh else None
    if scored is not None:
        fresh = [replace(c, language=code) for c, code in zip(fresh, scored.languages, strict=True)]
    for attempt in range(2):
        try:
            return _ingest_in_transaction(
                store, comments, fresh, scored, community, policies, options
            )
        except IntegrityError:
            # A concurrent request inserted some of these comments first: the retry will
            # find them and return them as duplicates. A second failure is a real error.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _ingest_in_transaction(
    store: Store,
    comments: Sequence[ArchiveComment],
    fresh: list[ArchiveComment],
    scored: Scored | None,
    slug: str,
    policies: PolicyCache,
    options: IngestOptions,
) -> list[IngestResult]:
    now = datetime.now(UTC)
    with store.writer() as session:
        community = _community(session, slug, options.create_community)
        existing = _existing(session, community.id, [c.comment_id for c in comments])
        todo = [i for i, c in enumerate(fresh) if c.comment_id not in existing]
        batch = [fresh[i] for i in todo]
        results: dict[str, IngestResult] = {
            external: _known_result(comment, session) for external, comment in existing.items()
        }
        if batch:
            articles = _articles(session, community, batch, options.create_articles)
            authors = _authors(session, community, batch)
            parents, batch = _parents(session, community, batch, options.require_parents)
            history = seed_history(session, batch, authors, articles, parents)
            policy, calibrate = policies.get(session, community)
            assert scored is not None
            verdicts = decide_batch(batch, policy, scored.take(todo), history, calibrate, now)
            imposed = restrictions(session, authors, policy, now)
            verdicts = [
                _restricted(v, imposed.get(c.author or ""))
                for c, v in zip(batch, verdicts, strict=True)
            ]
            for result in _write(
                session, community, batch, verdicts, articles, authors, parents, now
            ):
                results[result.comment_id] = result
    return [results[c.comment_id] for c in comments]
