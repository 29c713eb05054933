"""FastAPI dependencies shared by every router: the app's state, the store, the API key.

Routers in other modules (``civility.api.ingest``) declare what they need with these
``Annotated`` aliases instead of reaching into ``app.state``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from civility.api.batcher import MicroBatcher
from civility.api.errors import (
    community_denied,
    key_invalid,
    key_missing,
    rate_limited,
    scope_denied,
)
from civility.api.keys import AddressLimiter, KeyChecker, KeyInfo, RateLimiter
from civility.languages import ENGLISH
from civility.moderation.service import ModerationService
from civility.scoring import LanguageScorers, Scorer
from civility.scoring.spans import SpanCache
from civility.settings import Settings
from civility.store import Store


@dataclass
class AppState:
    """Everything one server process holds for its lifetime (loaded once, never per request).

    Caches belong here, never in module globals: two apps in one process (tests, or a server
    and an import) must not share a community's calibration or a scorer's spans.
    """

    settings: Settings
    store: Store
    scorer: Scorer
    batcher: MicroBatcher
    keys: KeyChecker
    limiter: RateLimiter
    languages: LanguageScorers
    """Every served language's scorer, English's being ``scorer``; loaded on first use."""
    moderation: ModerationService
    """Decisions, the queue and moderators' actions, with the policies and calibrations."""
    spans: SpanCache
    """The moderator pages' highlighted words."""
    try_it: AddressLimiter
    """The try-it page's requests per address (it needs no key)."""
    batchers: dict[str, MicroBatcher] = field(default_factory=dict)

    def language_batcher(self, language: str) -> MicroBatcher:
        """The micro-batcher of ``language``'s scorer (English's is ``batcher``)."""
        if language == ENGLISH:
            return self.batcher
        found = self.batchers.get(language)
        if found is None:
            scorer = self.languages.scorer(language)
            found = self.batchers[language] = MicroBatcher(scorer, self.settings.microbatch_max)
        return found


def get_state(request: Request) -> AppState:
    """The process's ``AppState`` (a plain function: usable from any handler or helper)."""
    state: AppState = request.app.state.civility
    return state


# The dependencies below are ``async def`` although they do not await: FastAPI runs plain
# ``def`` dependencies in its threadpool, a thread hop per request for nothing.
async def state_dependency(request: Request) -> AppState:
    return get_state(request)


async def get_store(request: Request) -> Store:
    return get_state(request).store


async def get_scorer(request: Request) -> Scorer:
    return get_state(request).scorer


async def get_moderation(request: Request) -> ModerationService:
    return get_state(request).moderation


def request_key(request: Request) -> str | None:
    """The API key as Google's clients send it: ``?key=`` or the ``x-goog-api-key`` header."""
    return request.query_params.get("key") or request.headers.get("x-goog-api-key") or None


def charge(state: AppState, key: KeyInfo | None, cost: int) -> None:
    """Spend ``cost`` units of ``key``'s quota, or refuse with 429 and ``Retry-After``."""
    if key is None or cost <= 0:
        return
    limit = key.rate_limit if key.rate_limit is not None else state.settings.rate_limit_per_minute
    wait = state.limiter.acquire(key.id, limit, cost)
    if wait > 0:
        raise rate_limited(limit, wait)


async def require_api_key(request: Request) -> KeyInfo | None:
    """The caller's key, checked and charged one unit of its quota.

    None only when the server runs with ``require_key = false`` and no key was sent; a key
    that is sent is always checked, so a mistyped key is never silently ignored. Routes whose
    calls cost more (long texts, dearer tiers, spans) charge the rest with ``charge`` once
    their body is read.
    """
    state = get_state(request)
    key = request_key(request)
    if key is None:
        if not state.settings.require_key:
            return None
        raise key_missing()
    found, info = state.keys.cached(key)
    if not found:
        info = await run_in_threadpool(state.keys.lookup, key)
    if info is None:
        raise key_invalid()
    await run_in_threadpool(charge, state, info, 1)
    request.state.api_key = info
    return info


def key_with_scope(*scopes: str) -> Callable[..., Awaitable[KeyInfo | None]]:
    """A dependency: the caller's key, refused with 403 unless it has one of ``scopes``.

    A keyless request on a server with ``require_key = false`` has every scope: that setting
    is for trials on a closed network, where nobody is told apart.
    """

    async def scoped(
        key: Annotated[KeyInfo | None, Depends(require_api_key)],
    ) -> KeyInfo | None:
        if key is not None and not any(key.allows(scope) for scope in scopes):
            raise scope_denied(key.scopes, scopes)
        return key

    return scoped


def check_community(key: KeyInfo | None, community: str) -> None:
    """Refuse (403) a key limited to other communities than ``community``."""
    if key is not None and not key.covers(community):
        raise community_denied(community)


StateDep = Annotated[AppState, Depends(state_dependency)]
StoreDep = Annotated[Store, Depends(get_store)]
ScorerDep = Annotated[Scorer, Depends(get_scorer)]
ModerationDep = Annotated[ModerationService, Depends(get_moderation)]
ScoreKey = Annotated[KeyInfo | None, Depends(key_with_scope("score"))]
IngestKey = Annotated[KeyInfo | None, Depends(key_with_scope("ingest"))]
ReadKey = Annotated[KeyInfo | None, Depends(key_with_scope("ingest", "moderate"))]
"""Reading a comment and its decisions: the CMS that sent it, or a moderator."""
ModerateKey = Annotated[KeyInfo | None, Depends(key_with_scope("moderate"))]
AdminKey = Annotated[KeyInfo | None, Depends(key_with_scope("admin"))]
