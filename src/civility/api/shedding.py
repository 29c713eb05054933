"""Load shedding: past a bounded number of requests in flight, refuse at once instead of queueing.

Without a bound, an overloaded server accepts everything: each request waits behind all the
others, latency grows with the backlog (seconds at twice the sustainable rate), memory and file
descriptors grow with it, and every caller times out together. Here at most
``max_concurrency`` requests run at once and at most ``max_queue`` more wait for a turn, in
arrival order; any request beyond that is answered 503 ``UNAVAILABLE`` with ``Retry-After``
straight away, before its body is read. A refused request costs microseconds, so the accepted
ones keep their usual latency and the server recovers the moment the burst ends.

Health checks and metrics are never shed: a load balancer must still see the server alive, and
a dashboard must still see it shedding.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from civility.api.errors import ApiError
from civility.api.metrics import SHED

EXEMPT_PATHS = frozenset({"/healthz", "/metrics"})
RETRY_AFTER_SECONDS = 1


def overloaded() -> ApiError:
    return ApiError(
        503,
        "The server is overloaded; retry later.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class LoadSheddingMiddleware:
    """At most ``max_concurrency`` requests in the app and ``max_queue`` waiting; 503 beyond.

    ``max_concurrency = 0`` turns shedding off. ``send_error`` writes the refusal in the
    envelope the path's clients read (Google's on the Perspective surface).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_concurrency: int,
        max_queue: int,
        send_error: Callable[[Scope, Send, ApiError], Awaitable[None]],
    ) -> None:
        self.app = app
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self.send_error = send_error
        self.running = 0
        self.waiting: deque[asyncio.Future[None]] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_concurrency or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.running >= self.max_concurrency:
            if len(self.waiting) >= self.max_queue:
                SHED.inc()
                await self.send_error(scope, send, overloaded())
                return
            turn = asyncio.get_running_loop().create_future()
            self.waiting.append(turn)
            try:
                await turn  # the finishing request handed its place over: running is unchanged
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._release()  # given a place, then cancelled: pass it on
                elif turn in self.waiting:
                    self.waiting.remove(turn)
                raise
        else:
            self.running += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._release()

    def _release(self) -> None:
        """Hand this request's place to the longest waiting one, or free it."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1
