"""The data model: communities, their articles and comment threads, scores, decisions, keys.

Typed SQLAlchemy 2 declarative classes, identical on SQLite and PostgreSQL (no dialect-specific
types). The schema itself is created only by the Alembic migrations in ``migrations/``; these
classes must match them, which ``tests/store/test_migrations.py`` checks.

Design choices that other modules rely on:

* External ids (the publisher's ids) are unique per community, so a retried submission can be
  recognised and never duplicates a row.
* ``Comment.text`` is nullable: ``doNotStore`` and text retention blank it while the comment's
  scores and decisions stay.
* ``Decision`` rows are an append-only audit trail: never updated, never deleted.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


MAX_ROW_ID = 2**63 - 1
"""The largest id either backend stores (a signed 64-bit integer); larger ones name no row."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zones and hands back naive datetimes; comparing those with aware ones
    raises. Storing UTC and re-attaching it on read makes both backends behave alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter them by name on every backend.
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model maps one table (no joined or selectable mappings), so Core statements built
    # on ``Model.__table__`` type-check as statements on a table.
    __table__: ClassVar[Table]


class CommentStatus(enum.StrEnum):
    """Where a comment stands; ``pending`` until policy (or a moderator) has decided.

    ``reported`` is a published comment that enough readers reported: still shown on the site,
    waiting in the Reported queue for a moderator to approve (keep) or reject it.
    """

    PENDING = "pending"
    APPROVED = "approved"
    HELD = "held"
    REJECTED = "rejected"
    REPORTED = "reported"


class AuthorStatus(enum.StrEnum):
    """What intake does with an author's next comment (``civility.moderation.authors``)."""

    ACTIVE = "active"
    BANNED = "banned"
    SUSPENDED = "suspended"
    """Held until ``Author.until``; active again after it, with no one having to lift it."""
    PREMODERATED = "premoderated"


moderator_communities = Table(
    "moderator_communities",
    Base.metadata,
    Column("moderator_id", ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True),
    Column("community_id", ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True),
)


class Community(Base):
    """A site or section with its own policy (TOML/YAML text, parsed by civility.moderation)."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    """The language its comments are written in (``civility.languages`` code), None: any."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="community")
    moderators: Mapped[list[Moderator]] = relationship(
        secondary=moderator_communities, back_populates="communities"
    )


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship(back_populates="articles")
    comments: Mapped[list[Comment]] = relationship(back_populates="article")


class Author(Base):
    """A commenter as the publisher knows them; ids are the publisher's, per community."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=AuthorStatus.ACTIVE.value)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When a suspension ends; None for every other status."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship()
    comments: Mapped[list[Comment]] = relationship(back_populates="author")
    actions: Mapped[list[AuthorAction]] = relationship(
        back_populates="author", order_by="AuthorAction.id"
    )


class AuthorAction(Base):
    """A moderator's action on an author (ban, unban, suspend, premoderate, warn): append-only.

    The author's audit trail, as ``Decision`` is a comment's; its reasons are the moderators'
    notes shown on the author's page.
    """

    __tablename__ = "author_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    """The comment the action was taken from (``b`` in the queue), if any."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Author] = relationship(back_populates="actions")


class Report(Base):
    """A reader's report of a published comment; one per reporter and comment."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter"),
        Index("ix_reports_reporter", "community_id", "reporter", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("community_id", "external_id"),
        Index("ix_comments_queue", "community_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("authors.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.PENDING.value)
    language: Mapped[str | None] = mapped_column(String(16))
    """The language it was read in: the community's, unless the text clearly said otherwise."""

    community: Mapped[Community] = relationship()
    article: Mapped[Article] = relationship(back_populates="comments")
    author: Mapped[Author | None] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(back_populates="parent")
    scores: Mapped[list[Score]] = relationship(back_populates="comment")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="comment", order_by="Decision.id"
    )


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("comment_id", "attribute", "model_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    attribute: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(200))

    comment: Mapped[Comment] = relationship(back_populates="scores")


class Decision(Base):
    """One entry of the audit trail: who (``policy:<rule>`` or a moderator id) did what, why."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(200))
    previous_status: Mapped[str | None] = mapped_column(String(16))
    """The comment's status before a moderator's entry: what undoing it returns it to."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    comment: Mapped[Comment] = relationship(back_populates="decisions")


class Moderator(Base):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(500))
    display_name: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    communities: Mapped[list[Community]] = relationship(
        secondary=moderator_communities, back_populates="moderators"
    )


class ModeratorSession(Base):
    """A signed-in moderator's session, named by the SHA-256 of its cookie.

    Kept in the store so that signing out, or a new password, ends it at once for every copy
    of the cookie, in every server process; the cookie itself is never stored.
    """

    __tablename__ = "moderator_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True
    )
    csrf: Mapped[str] = mapped_column(String(64))
    """The token this session's forms echo; other sites cannot know it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ApiKey(Base):
    """An API key, stored as its SHA-256: the key itself is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    rate_limit: Mapped[int | None] = mapped_column(Integer)
    """Requests per minute; None: the server's ``rate_limit_per_minute``."""
    scopes: Mapped[str] = mapped_column(String(100), default="score")
    """Space-separated scopes (``score``, ``ingest``, ``moderate``, ``admin``)."""
    communities: Mapped[list[str] | None] = mapped_column(JSON)
    """Community slugs the key may act on; None: every community."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RateWindow(Base):
    """How much of its quota an API key has spent in its current window (a minute).

    One row per key, charged by a single atomic upsert (``civility.api.keys.RateLimiter``), so
    every server process on the store charges the same counter and the total across nodes never
    exceeds the quota.
    """

    __tablename__ = "rate_windows"

    key_id: Mapped[int] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[float] = mapped_column(Float)
    """Unix time, in seconds, at which the window began."""
    used: Mapped[int] = mapped_column(Integer)


class LoginFailures(Base):
    """Failed sign-ins counted under one key (an account, an address, or the two together).

    Kept in the store, not in a process, so every worker and every node counts the same
    failures. Keys are fixed-length hashes: a megabyte-long username costs one short row.
    """

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """Start of the current window; failures older than the window are forgotten."""
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Feedback(Base):
    """A suggested score (comments:suggestscore) or a moderator's decision read as a label.

    ``community`` is the client's ``communityId`` as sent; ``community_id`` links it when a
    community with that slug exists. ``text`` is kept only when allowed (no ``doNotStore``,
    ``store_text`` on) and blanked after the retention period; ``text_sha256`` stays so
    repeated feedback on one text can still be grouped.
    """

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_community_attribute", "community", "attribute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # "suggestscore" or "moderator"
    community: Mapped[str | None] = mapped_column(String(200))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL")
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    client_token: Mapped[str | None] = mapped_column(String(500))
    session_id: Mapped[str | None] = mapped_column(String(500))
    attribute: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookDelivery(Base):
    """One event to send to one webhook; retried with backoff until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
