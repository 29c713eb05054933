"""The ingest API: comments in, decisions out; the queue; moderators' decisions; policies.

JSON over HTTP on the same server as the Perspective API, behind the same API keys. Handlers
are thin: they validate the body (naming the field at fault), call ``civility.moderation`` and
turn its CivilityErrors into the ``{ok, error, errors, status}`` envelope. They are plain
``def`` functions, so scoring and database work run in the threadpool, off the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import select

from civility.api.deps import (
    AdminKey,
    AppState,
    IngestKey,
    ModerateKey,
    ModerationDep,
    ReadKey,
    StateDep,
    StoreDep,
    charge,
    check_community,
)
from civility.api.errors import ApiError
from civility.api.keys import KeyInfo, request_cost
from civility.errors import CivilityError, NotFoundError, StoreBusyError
from civility.languages import LANGUAGE_TAG, normalize_language
from civility.moderation import communities
from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import DEFAULT_COMMUNITY
from civility.moderation.queue import QueueQuery
from civility.moderation.webhooks import WebhookWorker, check_destination, delivery_report
from civility.store import Community, Store, Webhook
from civility.store.models import MAX_ROW_ID

MAX_BATCH = 1000
"""Most comments one batch request may carry (bodies are also capped by ``max_body_bytes``)."""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Deliver webhooks in the background for as long as the server runs."""
    state = getattr(app.state, "civility", None)
    worker = None
    if state is not None:
        allow_private = state.settings.webhook_private_destinations
        worker = WebhookWorker(state.store, allow_private=allow_private).start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()


router = APIRouter(prefix="/v1", tags=["moderation"], lifespan=_lifespan)


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=2000)
    body: str | None = None


class CommentIn(BaseModel):
    """One comment as the publisher's CMS sends it."""

    model_config = ConfigDict(extra="forbid")
    comment_id: str = Field(min_length=1, max_length=200)
    article_id: str = Field(min_length=1, max_length=200)
    text: str
    parent_id: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    author_name: str | None = Field(default=None, max_length=200)
    created_at: datetime | None = None
    article: ArticleIn | None = None
    language: str | None = Field(
        None,
        pattern=LANGUAGE_TAG,
        description="The language it is written in (default: the community's, else detected).",
    )

    def to_archive(self) -> ArchiveComment:
        article = self.article or ArticleIn()
        return ArchiveComment(
            article_id=self.article_id,
            comment_id=self.comment_id,
            text=self.text,
            parent_id=self.parent_id or None,
            author=self.author or None,
            created_at=self.created_at,
            article_title=article.title,
            article_url=article.url,
            article_body=article.body,
            author_name=self.author_name,
            language=normalize_language(self.language) if self.language else None,
        )


class SubmitOne(CommentIn):
    community: str = DEFAULT_COMMUNITY


class SubmitBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community: str = DEFAULT_COMMUNITY
    comments: list[CommentIn] = Field(min_length=1, max_length=MAX_BATCH)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community: str = DEFAULT_COMMUNITY
    action: str
    moderator: str = Field(min_length=1)
    reason: str | None = None
    expected_status: str | None = None


class AuthorActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    until: datetime | None = None
    reason: str = Field(min_length=1, max_length=2000)
    moderator: str = Field(min_length=1)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community: str = DEFAULT_COMMUNITY
    reason: str = Field(min_length=1, max_length=2000)
    reporter: str = Field(min_length=1, max_length=200)


class UndoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    community: str = DEFAULT_COMMUNITY
    moderator: str = Field(min_length=1)


class CommunityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    policy: str | None = None
    language: str | None = Field(
        None,
        pattern=LANGUAGE_TAG,
        description="The language its comments are written in (de, pt-BR, hi-Latn; '' for any).",
    )


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://", max_length=2000)
    secret: str = Field(min_length=16, max_length=200)


Model = TypeVar("Model", bound=BaseModel)
JsonBody = Annotated[Any, Body()]


def _field(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def parse(model: type[Model], body: Any) -> Model:
    """Validate ``body`` as ``model``; the error names the first field at fault."""
    try:
        return TypeAdapter(model).validate_python(body)
    except ValidationError as exc:
        messages = [f"{_field(e['loc'])}: {e['msg']}." for e in exc.errors()]
        raise _refusal(422, messages) from None


def _refusal(status: int, messages: list[str]) -> ApiError:
    error = ApiError(status, messages[0])
    error.details = {"errors": messages}
    return error


T = TypeVar("T")


def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a moderation function, turning the errors users cause into HTTP refusals."""
    try:
        return function(*args, **kwargs)
    except StoreBusyError:
        raise  # 503 with Retry-After, as every surface answers it
    except CivilityError as exc:
        raise _refusal(exc.status, [exc.message]) from None


def _charge_scoring(state: AppState, key: KeyInfo | None, comments: Sequence[CommentIn]) -> None:
    """Charge what scoring ``comments`` costs, less the unit the key paid on arrival."""
    tier = state.settings.tier
    charge(state, key, sum(request_cost(len(c.text), tier) for c in comments) - 1)


@router.post("/comments")
def submit_comment(body: JsonBody, state: StateDep, key: IngestKey) -> dict[str, Any]:
    """Submit one comment; the response carries the decision (approve, hold or reject)."""
    one = parse(SubmitOne, body)
    check_community(key, one.community)
    _charge_scoring(state, key, [one])
    [result] = call(state.moderation.ingest, state.languages, [one.to_archive()], one.community)
    return {"ok": True, **result.as_dict()}


@router.post("/comments:batch")
def submit_batch(body: JsonBody, state: StateDep, key: IngestKey) -> dict[str, Any]:
    """Submit up to 1,000 comments, all committed together (or none, on any error)."""
    batch = parse(SubmitBatch, body)
    check_community(key, batch.community)
    _charge_scoring(state, key, batch.comments)
    comments = [c.to_archive() for c in batch.comments]
    results = call(state.moderation.ingest, state.languages, comments, batch.community)
    return {"ok": True, "results": [r.as_dict() for r in results]}


@router.get("/queue")
def queue(
    moderation: ModerationDep,
    key: ModerateKey,
    community: str = DEFAULT_COMMUNITY,
    status: str = "held",
    article_id: str | None = None,
    author: str | None = None,
    rule: str | None = None,
    attribute: str | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[int | None, Query(ge=0, le=MAX_ROW_ID)] = None,
) -> dict[str, Any]:
    """One queue (held, reported, unmoderated, approved, rejected or pending), oldest first, with
    scores and thread alert badges, and how many comments each queue holds (``counts``)."""
    check_community(key, community)
    filters = QueueQuery(status, article_id, author, rule, attribute, min_score, after)
    page = call(moderation.queue, community, filters, limit)
    return {"ok": True, **page}


@router.get("/comments/{comment_id}")
def get_comment(
    comment_id: str, moderation: ModerationDep, key: ReadKey, community: str = DEFAULT_COMMUNITY
) -> dict[str, Any]:
    """A comment, its scores and its audit trail."""
    check_community(key, community)
    return {"ok": True, **call(moderation.comment, community, comment_id)}


@router.post("/comments/{comment_id}/decisions")
def decide(
    comment_id: str, body: JsonBody, moderation: ModerationDep, key: ModerateKey
) -> dict[str, Any]:
    """A moderator approves, rejects or restores a comment; 409 if someone decided first.

    ``moderator`` must name a moderator of the community: the audit trail records that name.
    """
    decision = parse(DecisionIn, body)
    check_community(key, decision.community)
    result = call(
        moderation.decide,
        decision.community,
        comment_id,
        decision.action,
        decision.moderator,
        decision.reason,
        decision.expected_status,
    )
    return {"ok": True, **result}


@router.post("/decisions:undo")
def undo(body: JsonBody, moderation: ModerationDep, key: ModerateKey) -> dict[str, Any]:
    """Undo the moderator's last decision in the community: the comment's status goes back.

    404 when there is none to undo (the last was undone already), 409 when someone has decided
    the comment since.
    """
    request = parse(UndoIn, body)
    check_community(key, request.community)
    return {"ok": True, **call(moderation.undo, request.moderator, request.community)}


@router.post("/comments/{comment_id}/reports")
def report(comment_id: str, body: JsonBody, state: StateDep, key: IngestKey) -> dict[str, Any]:
    """A reader reports a comment; enough reports move a published one to the Reported queue.

    The CMS files it for the reader (``reporter`` is the reader's id there); a reader may file
    ``reports_per_hour`` an hour (429 past it), and a second report of one comment counts once.
    """
    filed = parse(ReportIn, body)
    check_community(key, filed.community)
    per_hour = state.settings.reports_per_hour
    result = call(
        state.moderation.report, filed.community, comment_id, filed.reporter, filed.reason, per_hour
    )
    return {"ok": True, **result}


@router.post("/communities/{slug}/authors/{author}/actions")
def act_on_author(
    slug: str, author: str, body: JsonBody, moderation: ModerationDep, key: ModerateKey
) -> dict[str, Any]:
    """Ban, unban, suspend (``until``: 1 hour to 7 days ahead), pre-moderate, warn or note.

    ``moderator`` must moderate the community; the action applies to the author's next
    comments and is recorded in their trail.
    """
    check_community(key, slug)
    action = parse(AuthorActionIn, body)
    result = call(
        moderation.act_on_author,
        slug,
        author,
        action.action,
        action.moderator,
        action.reason,
        action.until,
    )
    return {"ok": True, **result}


@router.get("/communities/{slug}/authors/{author}")
def get_author(
    slug: str, author: str, moderation: ModerationDep, key: ModerateKey
) -> dict[str, Any]:
    """The author's standing, comments per status, rejection rate, recent comments and notes."""
    check_community(key, slug)
    return {"ok": True, **call(moderation.author, slug, author)}


@router.get("/articles/{article_id}/health")
def health(
    article_id: str,
    moderation: ModerationDep,
    key: ReadKey,
    community: str = DEFAULT_COMMUNITY,
    bucket_minutes: Annotated[int, Query(ge=1, le=1440)] = 60,
) -> dict[str, Any]:
    """An article's discussion over time, and whether it is turning toxic."""
    check_community(key, community)
    health = call(moderation.article_health, community, article_id, bucket_minutes)
    return {"ok": True, **health}


@router.put("/communities/{slug}")
def put_community(slug: str, body: JsonBody, store: StoreDep, key: AdminKey) -> dict[str, Any]:
    """Create or update a community and its policy; an invalid policy is refused with its line."""
    check_community(key, slug)
    update = parse(CommunityIn, body)
    info = call(communities.put_community, store, slug, update.name, update.policy, update.language)
    return {"ok": True, **info.as_dict()}


def _community_id(session: Any, slug: str) -> int:
    community_id = session.scalar(select(Community.id).where(Community.slug == slug))
    if community_id is None:
        raise NotFoundError(f"Unknown community {slug!r}.")
    return int(community_id)


def _add_webhook(store: Store, slug: str, hook: WebhookIn, allow_private: bool) -> dict[str, Any]:
    check_destination(hook.url, allow_private)
    with store.writer() as session:
        row = Webhook(community_id=_community_id(session, slug), url=hook.url, secret=hook.secret)
        session.add(row)
        session.flush()
        return {"id": row.id, "url": row.url}


@router.post("/communities/{slug}/webhooks")
def add_webhook(slug: str, body: JsonBody, state: StateDep, key: AdminKey) -> dict[str, Any]:
    """Register a CMS endpoint for the community's decisions and thread alerts.

    A URL whose host resolves to a non-public address is refused (422) unless the server
    allows it with ``webhook_private_destinations``.
    """
    check_community(key, slug)
    hook = parse(WebhookIn, body)
    allow_private = state.settings.webhook_private_destinations
    return {"ok": True, **call(_add_webhook, state.store, slug, hook, allow_private)}


def _webhooks(store: Store, slug: str) -> dict[str, Any]:
    with store.session() as session:
        community_id = _community_id(session, slug)
    return {"webhooks": delivery_report(store, community_id)}


@router.get("/communities/{slug}/webhooks")
def list_webhooks(slug: str, store: StoreDep, key: AdminKey) -> dict[str, Any]:
    """The community's webhooks, their deliveries counted by status, and their last failures."""
    check_community(key, slug)
    return {"ok": True, **call(_webhooks, store, slug)}
