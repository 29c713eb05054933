"""JSON bodies with strings no store or response can hold: refused at the edge, with a 400.

JSON may escape a lone UTF-16 surrogate (``"\\ud800"``) or NUL (``"\\u0000"``). Python parses
both into ``str``, but neither survives the way out: a surrogate cannot be encoded as UTF-8 (the
response, SQLite and PostgreSQL all fail), and PostgreSQL refuses NUL in text. Rather than
guard every field that may be echoed or stored, a body carrying either is refused before any
handler sees it. Only bodies whose bytes contain such an escape are parsed here, so other
requests pay one regular-expression scan.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civility.api.errors import ApiError

_SUSPECT = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")
_METHODS = frozenset({"POST", "PUT", "PATCH"})


def unstorable(value: Any) -> str | None:
    """What is wrong with the first unstorable string in a parsed JSON value, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "a string contains NUL (\\u0000)"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a string contains an unpaired UTF-16 surrogate"
        return None
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = unstorable(item)
        if found:
            return found
    return None


class StorableTextMiddleware:
    """Reads JSON bodies on ``paths`` whole and refuses those with unstorable strings."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...], send_error: Any) -> None:
        self.app = app
        self.paths = paths
        self.send_error = send_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _METHODS
            or not scope["path"].startswith(self.paths)
        ):
            await self.app(scope, receive, send)
            return
        chunks = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
        except ApiError as error:  # the body is over the size limit
            await self.send_error(scope, send, error)
            return
        body = b"".join(chunks)
        if _SUSPECT.search(body):
            try:
                problem = unstorable(json.loads(body))
            except ValueError:
                problem = None  # not JSON at all: the handler says so, in its own words
            if problem:
                invalid = ApiError(
                    400, f"Invalid JSON payload received. {problem}.", "INVALID_REQUEST"
                )
                await self.send_error(scope, send, invalid)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
