"""The HTTP application: ``create_app()`` wires settings, store, scorer and routers together.

One call per server process: the scorer is loaded here, once, and shared by every request
(``civility serve`` calls ``create_app_from_env`` in each worker). Routers are listed in
``ROUTER_MODULES``; each module exposes an ``APIRouter`` named ``router``, so a new surface
(the moderation service's ``civility.api.ingest``) is one line here and one module there.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civility import __version__
from civility.api.batcher import MicroBatcher
from civility.api.bodies import StorableTextMiddleware
from civility.api.deps import AppState
from civility.api.errors import ApiError, error_body, store_unavailable, uses_google_envelope
from civility.api.keys import AddressLimiter, KeyChecker, RateLimiter
from civility.api.logs import REQUEST_ID_HEADER, log_request, request_id
from civility.api.metrics import ERRORS, LATENCY, REQUESTS
from civility.api.shedding import LoadSheddingMiddleware
from civility.errors import CivilityError, StoreBusyError
from civility.moderation.service import ModerationService
from civility.scoring import LanguageScorers, Scorer, language_table, load_scorer
from civility.scoring.spans import SpanCache
from civility.settings import Settings, load_settings
from civility.store import Store, open_store
from civility.store.retention import purge_expired_text
from civility.text.language import warm_up

log = logging.getLogger("civility.api")

ROUTER_MODULES = (
    "civility.api.perspective",
    "civility.api.batch",
    "civility.api.discovery",
    "civility.api.ops",
    "civility.api.ingest",
    "civility.web.routes",
)
"""Modules whose ``router`` is included; one that does not exist (yet) is skipped."""

RETENTION_INTERVAL_SECONDS = 3600.0

_PYDANTIC_TYPES = {
    "string_type": "TYPE_STRING",
    "bool_type": "TYPE_BOOL",
    "bool_parsing": "TYPE_BOOL",
    "float_type": "TYPE_FLOAT",
    "float_parsing": "TYPE_FLOAT",
    "int_type": "TYPE_INT32",
    "int_parsing": "TYPE_INT32",
    "list_type": "TYPE_LIST",
    "dict_type": "TYPE_MESSAGE",
    "model_attributes_type": "TYPE_MESSAGE",
}


def _routers() -> list[Any]:
    found = []
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        found.append(module.router)
    return found


# Paths whose bodies are JSON and nothing else; the web pages' forms live elsewhere.
_JSON_APIS = ("/v1alpha1/", "/v1/")
_READ_AS_JSON = (b"", b"application/x-www-form-urlencoded", b"text/plain")


def _mislabelled_json(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """A JSON API's body labelled as anything a caller sends JSON as without meaning otherwise.

    ``curl -d``, the quickest way to try an API, labels its body a form; browsers send
    ``text/plain`` to avoid a CORS preflight; some clients send no Content-Type at all. Every
    Perspective client sends ``application/json``; without reading these bodies as JSON, a valid
    JSON object would be answered "Expected a JSON object". Malformed JSON is still refused
    with Perspective's "Invalid JSON payload received".
    """
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return content_type in _READ_AS_JSON and scope["path"].startswith(_JSON_APIS)


def _as_json(scope: Scope) -> Scope:
    headers = [(name, value) for name, value in scope["headers"] if name != b"content-type"]
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


class EdgeMiddleware:
    """Body size limit, metrics, request ids and an access log without comment text or keys.

    A pure ASGI middleware (not ``BaseHTTPMiddleware``) to keep per-request overhead small.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        headers = dict(scope["headers"])
        request = request_id(headers)
        if _mislabelled_json(scope, headers):
            scope = _as_json(scope)
        limit = self.max_body_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_error(scope, send, _too_large(limit))
            self._record(scope, 413, start, request)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _too_large(limit)
            return message

        async def recording_send(message: Message) -> None:
            # Whatever the app made of a cut-off body (FastAPI turns it into a parse error),
            # the client is told the truth: the body was too large.
            nonlocal status
            if too_large:
                if message["type"] == "http.response.start":
                    status = 413
                    await _send_error(scope, send, _too_large(limit))
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (REQUEST_ID_HEADER, request.encode())],
                }
            await send(message)

        try:
            await self.app(scope, limited_receive, recording_send)
        finally:
            self._record(scope, status, start, request)

    @staticmethod
    def _record(scope: Scope, status: int, start: float, request: str) -> None:
        elapsed = time.perf_counter() - start
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        REQUESTS.labels(route, scope["method"], str(status)).inc()
        LATENCY.labels(route).observe(elapsed)
        key = getattr(scope.get("state", {}).get("api_key"), "prefix", "-")
        log_request(scope["method"], route, status, elapsed, key, request)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, f"Request payload size exceeds the limit: {limit} bytes.", "INVALID_REQUEST"
    )


async def _send_error(scope: Scope, send: Send, error: ApiError) -> None:
    body = json.dumps(error_body(scope["path"], error)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
                *((k.lower().encode(), v.encode()) for k, v in (error.headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _error_response(request: Request, error: ApiError) -> JSONResponse:
    # The scope's path, not ``request.url``: building the URL fails on a query string that is
    # not UTF-8, and an error response must never fail.
    if error.error_type:
        ERRORS.labels(error.error_type).inc()
    return JSONResponse(error_body(request.scope["path"], error), error.code, headers=error.headers)


def _validation_error(exc: RequestValidationError) -> ApiError:
    """Google's wording for a body that is not JSON or has a field of the wrong type."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    kind = str(first.get("type", ""))
    location = [str(part) for part in first.get("loc", ()) if part != "body"]
    if kind == "json_invalid":
        detail = first.get("ctx", {}).get("error", "syntax error")
        return ApiError(400, f"Invalid JSON payload received. {detail}.", "INVALID_REQUEST")
    if not location and isinstance(first.get("input"), bytes | str):
        try:
            json.loads(first["input"])
        except ValueError as exc:
            return ApiError(400, f"Invalid JSON payload received. {exc}.", "INVALID_REQUEST")
    if not location:
        return ApiError(
            400, "Invalid JSON payload received. Expected a JSON object.", "INVALID_REQUEST"
        )
    value = json.dumps(first.get("input"), default=str)
    expected = _PYDANTIC_TYPES.get(kind, kind)
    return ApiError(
        400, f"Invalid value at '{'.'.join(location)}' ({expected}), {value}", "INVALID_REQUEST"
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(request, _validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = request.scope["path"]
        if exc.status_code == 405:
            message = f"Method {request.method} is not allowed for {path}."
        elif exc.status_code == 404:
            message = f"The requested URL {path} was not found on this server."
        else:
            message = str(exc.detail)
        error_type = "INVALID_REQUEST" if uses_google_envelope(path) else None
        headers = dict(exc.headers or {})
        return _error_response(
            request, ApiError(exc.status_code, message, error_type, headers=headers)
        )

    @app.exception_handler(CivilityError)
    async def civility_error(request: Request, exc: CivilityError) -> JSONResponse:
        return _error_response(request, ApiError(exc.status, exc.message, "INVALID_REQUEST"))

    @app.exception_handler(OperationalError)
    async def store_down(request: Request, exc: OperationalError) -> JSONResponse:
        # The database is down, unreachable or (SQLite) locked past its timeout: the client
        # did nothing wrong and should retry. The engines hide bound parameters, so the log
        # line carries no comment text.
        log.warning("store unavailable on %s: %s", request.scope["path"], exc.orig)
        return _error_response(request, store_unavailable())

    @app.exception_handler(StoreBusyError)
    async def store_busy(request: Request, exc: StoreBusyError) -> JSONResponse:
        return _error_response(request, store_unavailable(exc.message))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled %s on %s", type(exc).__name__, request.scope["path"], exc_info=exc)
        return _error_response(request, ApiError(500, "Internal error encountered."))


async def _retention_loop(state: AppState) -> None:
    while True:
        try:
            await run_in_threadpool(
                purge_expired_text, state.store, state.settings.text_retention_days
            )
        except Exception as exc:  # a failed purge must not stop serving; it retries next hour
            log.warning("text retention purge failed: %s", exc)
        await asyncio.sleep(RETENTION_INTERVAL_SECONDS)


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    scorer: Scorer | None = None,
    languages: LanguageScorers | None = None,
) -> FastAPI:
    """The API for ``settings`` (default: file and environment), on ``store`` and ``scorer``.

    ``languages`` serve the comments in other languages (default: the package's models, and the
    opt-in package's when ``noncommercial_models`` is on); each loads on its first comment.
    """
    settings = settings or load_settings()
    store = store or open_store(settings.resolved_database_url, settings=settings)
    scorer = scorer or load_scorer(settings.tier, settings.model_path or None)
    if languages is None:
        table = language_table(scorer.labels_, opt_in_enabled=settings.noncommercial_models)
        languages = LanguageScorers(scorer, table)
    languages.preload(settings.preload_languages)
    warm_up()
    state = AppState(
        settings=settings,
        store=store,
        scorer=scorer,
        batcher=MicroBatcher(scorer, settings.microbatch_max),
        keys=KeyChecker(store),
        limiter=RateLimiter(store),
        languages=languages,
        moderation=ModerationService(store),
        spans=SpanCache(scorer),
        try_it=AddressLimiter(settings.try_it_per_minute),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_retention_loop(state))
        try:
            yield
        finally:
            task.cancel()

    # /docs and /redoc from the assets fastapi-offline ships: nothing is fetched from a CDN.
    app = FastAPIOffline(
        title="Civility",
        version=__version__,
        summary="Perspective-compatible comment scoring and moderation, self-hosted.",
        lifespan=lifespan,
    )
    app.state.civility = state
    app.add_middleware(StorableTextMiddleware, paths=_JSON_APIS, send_error=_send_error)
    # Preflights are answered as Google's API front end answers them (the origin echoed, the
    # requested headers allowed, cached for an hour), but only for the configured origins.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"],
        allow_headers=["*"],
        max_age=3600,
    )
    app.add_middleware(
        LoadSheddingMiddleware,
        max_concurrency=settings.max_concurrency,
        max_queue=settings.max_queue,
        send_error=_send_error,
    )
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes)  # outermost
    _install_error_handlers(app)
    for router in _routers():
        app.include_router(router)
    return app


def create_app_from_env() -> FastAPI:
    """Uvicorn's factory for ``civility serve``: settings from the environment it exported."""
    return create_app()
