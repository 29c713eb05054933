"""The pages: the "try it" page at ``/`` and the moderators' queue under ``/moderate``.

Server-rendered; every page works without JavaScript (forms post and redirect back), and
``static/moderate.js`` adds keyboard shortcuts and in-place updates on top. Every response
carries a strict Content-Security-Policy: no inline script or style is allowed, so even a
comment that slipped past escaping could not run code.

Moderators' decisions go through the moderation service (``AppState.moderation``), as the
ingest API's ``POST /v1/comments/{id}/decisions`` does.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from civility.api.deps import AppState
from civility.attributes import ATTRIBUTE_NAMES, get_attribute
from civility.errors import CivilityError, ForbiddenError, NotFoundError
from civility.languages import ENGLISH, language_name
from civility.moderation.queue import UNMODERATED
from civility.scoring import check_text, language_of
from civility.store.models import MAX_ROW_ID
from civility.web import sessions
from civility.web.accounts import (
    MAX_USERNAME_LENGTH,
    ModeratorInfo,
    authenticate,
    moderator_by_id,
)
from civility.web.charts import stacked_bars
from civility.web.highlight import Segment, segments
from civility.web.queue import (
    PAGE_SIZE,
    SORTS,
    STATUSES,
    QueueFilters,
    comment_targets,
    comment_view,
    dashboard,
    new_since,
    pending_comments,
    queue_page,
    recent_decisions,
)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_FILES = frozenset(p.name for p in STATIC_DIR.iterdir() if p.is_file())
HIGHLIGHT_MIN = 0.5
"""Words are highlighted for the attributes on which the whole comment scores at least this."""
PARTIAL_HEADER = "x-civility-partial"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


class PageRoute(APIRoute):
    """Adds the security headers to every response of these pages, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def secured(request: Request) -> Response:
            response = await handler(request)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            if request.url.path.startswith("/moderate"):
                response.headers["cache-control"] = "no-store"
            return response

        return secured


router = APIRouter(route_class=PageRoute, include_in_schema=False)
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
)
templates.env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M UTC") if d else ""
templates.env.filters["language_name"] = language_name
templates.env.filters["pct"] = lambda v: f"{100 * float(v):.0f}%"
templates.env.globals["zip"] = zip
for _template in sorted((HERE / "templates").glob("*.html")):
    # Compiled once here, so the first page a moderator opens after a restart does not pay for
    # it (about 100 ms for the queue's templates on a busy 2-core machine).
    templates.env.get_template(_template.name)


# -- sessions --------------------------------------------------------------------------------


@dataclass
class Visit:
    """A signed-in moderator's request."""

    moderator: ModeratorInfo
    csrf: str


def _state(request: Request) -> AppState:
    """The server's state, read directly: these handlers are plain functions, not dependencies."""
    state: AppState = request.app.state.civility
    return state


def _https(request: Request) -> bool:
    """Cookies are marked Secure except on plain-HTTP loopback (a local trial run)."""
    return request.url.scheme == "https" or request.url.hostname not in LOOPBACK


def _visit(request: Request) -> Visit | None:
    store = _state(request).store
    found = sessions.open_session(store, request.cookies.get(sessions.SESSION_COOKIE))
    if found is None:
        return None
    moderator = moderator_by_id(store, found.moderator_id)
    return Visit(moderator, found.csrf) if moderator is not None else None


def _set_session(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(
        sessions.SESSION_COOKIE,
        cookie,
        max_age=sessions.MAX_AGE_SECONDS,
        httponly=True,
        secure=_https(request),
        samesite="lax",
        path="/",
    )


def _same_origin(request: Request) -> bool:
    """Browsers send Origin on every POST; one from another site is refused outright."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urllib.parse.urlsplit(origin).netloc == request.headers.get("host")


def _render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    visit: Visit | None = None,
) -> Response:
    return templates.TemplateResponse(
        request, name, {"visit": visit, **context}, status_code=status
    )


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = urllib.parse.urlencode({"next": target})
    return RedirectResponse(f"/moderate/login?{query}", status_code=303)


def _refused(request: Request, message: str, status: int) -> Response:
    return _render(request, "error.html", {"message": message}, status)


# -- try it ----------------------------------------------------------------------------------


def _highlighted(
    state: AppState, text: str, scores: dict[str, float], language: str | None = None
) -> list[Segment]:
    """The words that drove ``scores``, found by the model that read the comment: its
    language's, through the app's span cache."""
    flagged = [a for a in ATTRIBUTE_NAMES if scores.get(a, 0.0) >= HIGHLIGHT_MIN]
    if not flagged:
        return segments(text, {})
    scorer = None  # English's, the cache's own
    if language not in (None, ENGLISH) and state.languages.table.model(language) is not None:
        scorer = state.languages.scorer(language)
    return segments(text, state.spans.spans(text, flagged, scorer))


@router.get("/")
def try_it_page(request: Request) -> Response:
    return _render(request, "try.html", {"text": "", "result": None}, visit=_visit(request))


@router.post("/")
def try_it(request: Request, text: Annotated[str, Form()] = "") -> Response:
    """Score a pasted comment with its language's model; nothing is stored or cached.

    Anyone may use this page without a key, so each address is held to
    ``try_it_per_minute`` comments.
    """
    state = _state(request)
    wait = state.try_it.acquire(request.client.host if request.client else "?")
    if wait:
        seconds = math.ceil(wait)
        message = f"Too many comments from your address. Try again in {seconds} seconds."
        response = _render(
            request, "try.html", {"text": text, "result": None, "error": message}, 429
        )
        response.headers["retry-after"] = str(seconds)
        return response
    try:
        check_text(text)
    except CivilityError as exc:
        return _render(request, "try.html", {"text": text, "result": None, "error": exc.message})
    choice = language_of(text, [], state.languages.table)
    language = {"code": choice.language, "name": language_name(choice.language)}
    served = state.languages.table.attributes(choice.language)
    if not served:
        error = f"No model here reads {language['name']} ({choice.language})."
        why = state.languages.table.why_not(choice.language, "TOXICITY")
        context = {"text": text, "result": None, "error": f"{error} {why}".strip()}
        return _render(request, "try.html", {**context, "language": language})
    scorer = state.languages.scorer(choice.language)
    scores = scorer.score([text])[0]
    spans = scorer.spans(text, list(served))
    rows = [
        {
            "name": name,
            "description": get_attribute(name).description,
            "score": scores[name],
            "words": [text[s.begin : s.end] for s in spans.get(name, [])],
        }
        for name in served
    ]
    flagged = {a: spans.get(a, []) for a in served if scores[a] >= HIGHLIGHT_MIN}
    result = {
        "rows": rows,
        "segments": segments(text, flagged),
        "version": scorer.version,
        "language": language,
    }
    return _render(request, "try.html", {"text": text, "result": result}, visit=_visit(request))


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(STATIC_DIR / name, headers={"cache-control": "public, max-age=3600"})


# -- sign in and out -------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce the moderator to another site."""
    if target and target.startswith("/moderate") and not target.startswith("//"):
        return target
    return "/moderate"


LOGIN_MESSAGES = {
    "signed-out": "Signed out.",
    "expired": "Your session ended before your last decision was saved. Sign in again and you "
    "will be asked for it once more; nothing was changed.",
}
"""What the sign-in page may say, by key: a link cannot make it show text of its own."""


def _login_form(
    request: Request,
    next_url: str,
    error: str | None = None,
    status: int = 200,
    username: str = "",
) -> Response:
    token = sessions.secrets.token_urlsafe(24)
    context = {
        "csrf": token,
        "next": _safe_next(next_url),
        "error": error,
        "username": username,
        "insecure": request.url.scheme != "https" and request.url.hostname not in LOOPBACK,
        "message": LOGIN_MESSAGES.get(request.query_params.get("message") or ""),
    }
    response = _render(request, "login.html", context, status)
    response.set_cookie(
        sessions.LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=_https(request),
        samesite="strict",
        path="/moderate/login",
    )
    return response


@router.get("/moderate/login")
def login_page(request: Request, next: str = "/moderate") -> Response:
    if _visit(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next)


@router.post("/moderate/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/moderate",
) -> Response:
    state = _state(request)
    # One character past the longest username: still no account's, and nothing longer is kept.
    username = username[: MAX_USERNAME_LENGTH + 1]
    expected = request.cookies.get(sessions.LOGIN_CSRF_COOKIE) or ""
    if not _same_origin(request) or not expected or not sessions.tokens_match(expected, csrf):
        return _login_form(request, next, "The form expired; please sign in again.", 403, username)
    address = request.client.host if request.client else "?"
    limiter = sessions.LoginLimiter(state.store)
    wait = limiter.retry_after(username, address)
    if wait:
        response = _login_form(
            request, next, f"Too many failed sign-ins. Try again in {wait} seconds.", 429, username
        )
        response.headers["retry-after"] = str(wait)
        return response
    moderator = authenticate(state.store, username, password)
    if moderator is None:
        limiter.failed(username, address)
        return _login_form(request, next, "Wrong username or password.", 401, username)
    limiter.succeeded(username, address)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session(request, response, sessions.start_session(state.store, moderator.id))
    response.delete_cookie(sessions.LOGIN_CSRF_COOKIE, path="/moderate/login")
    return response


@router.post("/moderate/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    visit = _visit(request)
    if visit is not None and not sessions.tokens_match(visit.csrf, csrf):
        return _refused(request, "The form expired; reload the page and try again.", 403)
    sessions.end_session(_state(request).store, request.cookies.get(sessions.SESSION_COOKIE))
    response = RedirectResponse("/moderate/login?message=signed-out", status_code=303)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


# -- the queue -------------------------------------------------------------------------------


def _filters(
    community: str | None,
    article: str | None,
    attribute: str | None,
    status: str | None,
    page: str | None,
    search: str | None = None,
    sort: str | None = None,
) -> QueueFilters:
    attribute = (attribute or "").upper() or None
    return QueueFilters(
        community=community or None,
        article=article or None,
        attribute=attribute,
        status=status if status in STATUSES else "held",
        page=_page_number(page),
        search=(search or "").strip()[:MAX_SEARCH] or None,
        sort=sort if sort in SORTS else "score",
    )


def _page_number(value: str | None) -> int:
    """A page number from a link someone may have edited: anything but a positive int is 1."""
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(value) if value and re.fullmatch("[0-9]{1,6}", value) and int(value) > 0 else 1


def _id_list(value: str | None) -> list[int]:
    """``"3,5,8"`` -> ``[3, 5, 8]``; what is not a number is dropped."""
    parts = (value or "").split(",")
    return [int(part) for part in parts if re.fullmatch("[0-9]{1,19}", part)][:PAGE_SIZE]


def _queue_context(
    request: Request, visit: Visit, filters: QueueFilters, selected: set[int]
) -> dict[str, Any]:
    state = _state(request)
    if filters.attribute and filters.attribute not in state.scorer.labels_:
        get_attribute(filters.attribute)  # raises UnknownAttributeError listing the names
    page = queue_page(state.store, visit.moderator, filters)
    for item in page.items:
        item.segments = (
            _highlighted(state, item.text, item.scores, item.language) if item.text else []
        )
    tab_queries = {
        tab: urllib.parse.urlencode({**filters.as_query(), "status": tab}) for tab in TABS
    }
    return {
        "page": page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "labels": state.scorer.labels_,
        "tabs": TABS,
        "sorts": SORTS,
        "tab_queries": tab_queries,
        "selected": selected,
        "audit": recent_decisions(state.store, visit.moderator),
        "query": urllib.parse.urlencode(filters.as_query()),
    }


@router.get("/moderate")
def queue(
    request: Request,
    community: str | None = None,
    article: str | None = None,
    attribute: str | None = None,
    status: str | None = None,
    page: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    notice: str | None = None,
    error: str | None = None,
    selected: str | None = None,
    pending: str | None = None,
    pending_ids: str | None = None,
    pending_reason: str | None = None,
) -> Response:
    visit = _visit(request)
    if visit is None:
        return _login_redirect(request)
    filters = _filters(community, article, attribute, status, page, q, sort)
    try:
        context = _queue_context(request, visit, filters, set(_id_list(selected)))
    except CivilityError as exc:
        return _render(request, "error.html", {"message": exc.message}, exc.status, visit)
    context["notice"] = notice
    context["error"] = error
    if pending in ACTION_LABELS:
        comments = pending_comments(_state(request).store, visit.moderator, _id_list(pending_ids))
        context["pending"] = {
            "action": pending,
            "label": ACTION_LABELS[pending],
            "comments": comments,
            "reason": pending_reason or None,
        }
    partial = request.headers.get(PARTIAL_HEADER) == "1"
    return _render(request, "_queue.html" if partial else "queue.html", context, visit=visit)


ACTION_WORDS = {
    "approve": "Approved",
    "reject": "Rejected",
    "restore": "Restored",
    "ban": "Rejected and banned the author of",
}
ACTION_LABELS = {
    "approve": "Approve",
    "reject": "Reject",
    "restore": "Restore",
    "ban": "Reject and ban the author of",
}
TABS = STATUSES
"""The queues, in the order of their tabs (and of the ``1``..``6`` shortcuts)."""
MAX_SEARCH = 200
SUSPENSIONS = {"1": "1 hour", "24": "1 day", "72": "3 days", "168": "7 days"}
"""The author page's suspension lengths, in hours."""
AUTHOR_ACTION_WORDS = {
    "warn": "Warned",
    "suspend": "Suspended",
    "premoderate": "Pre-moderated",
    "ban": "Banned",
    "unban": "Lifted every restriction on",
    "note": "Added a note on",
}


def apply_action(
    state: AppState,
    moderator: ModeratorInfo,
    ids: list[int],
    action: str,
    seen_status: str,
    reason: str | None = None,
) -> tuple[int, list[str]]:
    """Decide ``ids`` through the moderation service; (how many succeeded, error messages).

    The whole request is refused before anything changes if one comment lies outside the
    moderator's communities; after that, each comment stands alone (a conflict on one does not
    undo the others, as with the API).
    """
    if action not in ACTION_WORDS:
        raise ForbiddenError(f"Unknown action {action!r}.")
    targets = comment_targets(state.store, [i for i in ids if 0 < i <= MAX_ROW_ID])
    for id_ in ids:
        if id_ not in targets:
            raise NotFoundError(f"Comment #{id_} does not exist.")
        if not moderator.may_act_on(targets[id_][0]):
            raise ForbiddenError(
                f"You are not assigned to community {targets[id_][1]!r}; nothing was changed."
            )
    done, errors = 0, []
    for id_ in ids:
        _, slug, external, _status = targets[id_]
        try:
            state.moderation.decide(
                slug,
                external,
                "reject" if action == "ban" else action,
                moderator.username,
                reason,
                seen_status,
            )
            if action == "ban":
                state.moderation.ban_author(slug, external, moderator.username, reason)
        except CivilityError as exc:
            errors.append(exc.message)
            continue
        done += 1
    return done, errors


def _pending_redirect(
    filters: QueueFilters, action: str, chosen: list[int], reason: str, next_login: bool
) -> RedirectResponse:
    """Back to the queue with the decision that was not applied, to be asked for again.

    With ``next_login`` the way there leads through the sign-in page first (the session ended).
    """
    pending = {"pending": action, "pending_ids": ",".join(map(str, chosen))}
    if reason:
        pending["pending_reason"] = reason
    target = "/moderate?" + urllib.parse.urlencode({**filters.as_query(), **pending})
    if not next_login:
        return RedirectResponse(target, status_code=303)
    query = urllib.parse.urlencode({"next": target, "message": "expired"})
    return RedirectResponse(f"/moderate/login?{query}", status_code=303)


@router.post("/moderate/decide")
def decide(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    one: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    ids: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
    community: Annotated[str, Form()] = "",
    article: Annotated[str, Form()] = "",
    attribute: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "held",
    page: Annotated[str, Form()] = "1",
    q: Annotated[str, Form()] = "",
    sort: Annotated[str, Form()] = "",
) -> Response:
    """Apply a decision from the queue page.

    A decision whose session ended, or whose form token went stale (signed in again in another
    tab), is never applied and never dropped either: the moderator is sent to sign in (if need
    be) and back to the queue, which asks for it again.
    """
    filters = _filters(community, article, attribute, status, page, q, sort)
    selected = [int(i) for i in ids or [] if re.fullmatch("[0-9]{1,19}", i)]
    if one:
        action, _, single = one.partition(":")
        # ASCII digits only: int() also reads "١" (Arabic-Indic one) as 1.
        chosen = [int(single)] if re.fullmatch("[0-9]{1,19}", single) else []
    else:
        chosen = selected
    visit = _visit(request)
    if not _same_origin(request):
        return _refused(request, "This form was sent from another site; nothing was changed.", 403)
    if visit is None or not sessions.tokens_match(visit.csrf, csrf):
        if action not in ACTION_LABELS or not chosen:
            return _refused(request, "Sign in to moderate comments.", 403)
        return _pending_redirect(filters, action, chosen, reason, next_login=visit is None)
    partial = request.headers.get(PARTIAL_HEADER) == "1"
    code, notice, error = 200, "", ""
    if not chosen:
        error, code = "Select at least one comment first.", 400
    else:
        try:
            # The unmoderated queue shows approved comments no moderator has decided yet.
            seen = "approved" if filters.status == UNMODERATED else filters.status
            done, errors = apply_action(
                _state(request), visit.moderator, chosen, action, seen, reason or None
            )
        except CivilityError as exc:
            done, errors, code = 0, [exc.message], exc.status
        noun = "comment" if done == 1 else "comments"
        notice = f"{ACTION_WORDS.get(action, 'Decided')} {done} {noun}." if done else ""
        if errors:
            error = " ".join(errors)
            code = code if code != 200 else 409
    if not partial:
        message = {"notice": notice, "error": error, "selected": ",".join(map(str, selected))}
        query = urllib.parse.urlencode(
            {**filters.as_query(), **{k: v for k, v in message.items() if v}}
        )
        return RedirectResponse(f"/moderate?{query}", status_code=303)
    context = _queue_context(request, visit, filters, set(selected))
    context.update(notice=notice, error=error)
    return _render(request, "_queue.html", context, code, visit)


@router.get("/moderate/new")
def new_comments(
    request: Request,
    after: str = "0",
    community: str | None = None,
    article: str | None = None,
    attribute: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Response:
    """How many comments arrived in this queue after comment ``after``: the live count's poll."""
    visit = _visit(request)
    if visit is None:
        return JSONResponse({"error": "Sign in again."}, status_code=401)
    filters = _filters(community, article, attribute, status, None, q)
    since = int(after) if re.fullmatch("[0-9]{1,18}", after) else 0
    try:
        found = new_since(_state(request).store, visit.moderator, filters, since)
    except CivilityError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    return JSONResponse({"new": found})


def _form_refused(request: Request, visit: Visit | None, csrf: str) -> Response | None:
    """The refusal of a form sent from another site, or without a live session and token."""
    if not _same_origin(request):
        return _refused(request, "This form was sent from another site; nothing was changed.", 403)
    if visit is None or not sessions.tokens_match(visit.csrf, csrf):
        return _refused(request, "Your session ended; sign in again. Nothing was changed.", 403)
    return None


@router.post("/moderate/undo")
def undo(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    community: Annotated[str, Form()] = "",
    article: Annotated[str, Form()] = "",
    attribute: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "held",
    q: Annotated[str, Form()] = "",
    sort: Annotated[str, Form()] = "",
) -> Response:
    """Undo the moderator's last decision (``ModerationService.undo``), back to the queue."""
    visit = _visit(request)
    refused = _form_refused(request, visit, csrf)
    if refused is not None or visit is None:
        return refused or _login_redirect(request)
    filters = _filters(community, article, attribute, status, None, q, sort)
    try:
        done = _state(request).moderation.undo(visit.moderator.username)
        message = {
            "notice": f"Undid {done['undone']}: comment #{done['id']} is {done['status']} again."
        }
    except CivilityError as exc:
        message = {"error": exc.message}
    query = urllib.parse.urlencode({**filters.as_query(), **message})
    return RedirectResponse(f"/moderate?{query}", status_code=303)


# -- authors and single comments ---------------------------------------------------------------


def _author_path(slug: str, author: str) -> str:
    quote = urllib.parse.quote
    return f"/moderate/authors/{quote(slug, safe='')}/{quote(author, safe='')}"


@router.get("/moderate/authors/{slug}/{author}")
def author_page(
    request: Request,
    slug: str,
    author: str,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    """An author's record: standing, comments, rejection rate, notes, and the actions on them."""
    visit = _visit(request)
    if visit is None:
        return _login_redirect(request)
    try:
        if slug not in visit.moderator.communities:
            raise ForbiddenError(f"You are not assigned to a community called {slug!r}.")
        record = _state(request).moderation.author(slug, author)
    except CivilityError as exc:
        return _render(request, "error.html", {"message": exc.message}, exc.status, visit)
    context = {
        "record": record,
        "suspensions": SUSPENSIONS,
        "action_path": _author_path(slug, author),
        "notice": notice,
        "error": error,
    }
    return _render(request, "author.html", context, visit=visit)


@router.post("/moderate/authors/{slug}/{author}")
def author_action(
    request: Request,
    slug: str,
    author: str,
    csrf: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    hours: Annotated[str, Form()] = "24",
) -> Response:
    """Warn, suspend, pre-moderate, ban or unban the author, through the moderation service."""
    visit = _visit(request)
    refused = _form_refused(request, visit, csrf)
    if refused is not None or visit is None:
        return refused or _login_redirect(request)
    until = None
    if action == "suspend":
        until = datetime.now(UTC) + timedelta(hours=int(hours if hours in SUSPENSIONS else "24"))
    try:
        _state(request).moderation.act_on_author(
            slug, author, action, visit.moderator.username, reason.strip() or None, until
        )
        message = {"notice": f"{AUTHOR_ACTION_WORDS.get(action, action)} {author}."}
    except CivilityError as exc:
        message = {"error": exc.message}
    query = urllib.parse.urlencode(message)
    return RedirectResponse(f"{_author_path(slug, author)}?{query}", status_code=303)


@router.get("/moderate/comments/{comment_id}")
def comment_page(request: Request, comment_id: str) -> Response:
    """One comment with the chain it replies to and its whole thread: the permalink."""
    visit = _visit(request)
    if visit is None:
        return _login_redirect(request)
    state = _state(request)
    try:
        if not re.fullmatch("[0-9]{1,19}", comment_id):
            raise NotFoundError(f"There is no comment {comment_id!r}.")
        view = comment_view(state.store, visit.moderator, int(comment_id))
    except CivilityError as exc:
        return _render(request, "error.html", {"message": exc.message}, exc.status, visit)
    item = view.item
    item.segments = _highlighted(state, item.text, item.scores, item.language) if item.text else []
    permalink = str(request.url.replace(query=""))
    context = {"view": view, "item": item, "permalink": permalink, "selected": set(), "position": 1}
    return _render(request, "comment.html", context, visit=visit)


# -- dashboards ------------------------------------------------------------------------------


@router.get("/moderate/dashboard")
def dashboards(request: Request) -> Response:
    visit = _visit(request)
    if visit is None:
        return _login_redirect(request)
    if not visit.moderator.communities:
        return _render(
            request,
            "error.html",
            {"message": "You are not assigned to any community."},
            403,
            visit,
        )
    return RedirectResponse(
        f"/moderate/dashboard/{urllib.parse.quote(visit.moderator.communities[0])}", 303
    )


@router.get("/moderate/dashboard/{slug}")
def community_dashboard(request: Request, slug: str) -> Response:
    visit = _visit(request)
    if visit is None:
        return _login_redirect(request)
    try:
        board = dashboard(_state(request).store, visit.moderator, slug)
    except CivilityError as exc:
        return _render(request, "error.html", {"message": exc.message}, exc.status, visit)
    chart = stacked_bars(
        [counts for _, counts in board.days],
        board.actions,
        [day.strftime("%d %b") for day, _ in board.days],
    )
    return _render(request, "dashboard.html", {"board": board, "chart": chart}, visit=visit)
