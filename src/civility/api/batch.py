"""``POST /batch``: Google's multipart/mixed batch format, many API calls in one request.

Each part is an HTTP request (``POST /v1alpha1/comments:analyze?key=...`` plus JSON); each is
run through this same application in-process (a direct ASGI call: no socket, and no client
library logging URLs that carry keys), so it gets the same key check, rate limit,
validation and micro-batching as a direct call (the parts run concurrently, so their comments
are scored together). Parts may only call ``/v1alpha1`` methods.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from email.message import Message as MimePart
from email.parser import BytesParser
from email.policy import compat32
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Scope

from civility.api.deps import get_state
from civility.api.errors import ApiError, google_error_body, http_phrase

log = logging.getLogger("civility.api")
router = APIRouter(tags=["Batch"])
_FORWARDED_HEADERS = ("content-type", "x-goog-api-key", "accept")


def parse_batch(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    """(Content-ID, embedded HTTP request) for each part, in order."""
    if not content_type.lower().startswith("multipart/mixed") or "boundary=" not in content_type:
        raise ApiError(400, "Batch requests must be multipart/mixed with a boundary.")
    message = BytesParser(policy=compat32).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ApiError(400, "Batch request has no parts.")
    parts = []
    for part in message.get_payload():
        payload = part.get_payload(decode=True) if isinstance(part, MimePart) else None
        if not isinstance(part, MimePart) or not isinstance(payload, bytes):
            raise ApiError(400, "Batch part is not an HTTP request.")
        parts.append((str(part.get("Content-ID", "")), payload))
    return parts


def parse_http_request(raw: bytes) -> tuple[str, str, dict[str, str], bytes]:
    """(method, target, headers, body) of an embedded ``application/http`` request."""
    blank = re.search(rb"\r?\n\r?\n", raw)
    head, body = (raw[: blank.start()], raw[blank.end() :]) if blank else (raw, b"")
    lines = head.decode("latin-1").replace("\r\n", "\n").strip("\n").split("\n")
    request_line = lines[0].split()
    if len(request_line) < 2:
        raise ApiError(400, "Batch part does not start with an HTTP request line.")
    try:
        request_line[1].encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "Batch part's request target is not valid UTF-8.") from None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return request_line[0].upper(), request_line[1], headers, body.rstrip(b"\r\n")


def _http_part(content_id: str, status: int, payload: bytes, content_type: str) -> bytes:
    response_id = f"<response-{content_id[1:]}" if content_id.startswith("<") else content_id
    # The parser hands non-ASCII header bytes back as surrogate escapes; they are echoed as sent.
    head = b"Content-Type: application/http\r\nContent-ID: " + response_id.encode(
        "utf-8", "surrogateescape"
    )
    lines = [
        "",
        f"HTTP/1.1 {status} {http_phrase(status)}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(payload)}",
        "",
        "",
    ]
    return head + "\r\n".join(lines).encode("latin-1") + payload


@router.post("/batch", summary="Google multipart/mixed batch of v1alpha1 calls")
async def batch(request: Request) -> Response:
    state = get_state(request)
    parts = parse_batch(request.headers.get("content-type", ""), await request.body())
    if len(parts) > state.settings.batch_max_parts:
        raise ApiError(
            400,
            f"Too many requests in batch: {len(parts)} exceeds the limit of "
            f"{state.settings.batch_max_parts}.",
        )
    outer_key = request.headers.get("x-goog-api-key")

    async def run(raw: bytes) -> tuple[int, bytes, str]:
        try:
            method, target, headers, body = parse_http_request(raw)
        except ApiError as exc:
            return exc.code, _json(google_error_body(exc)), "application/json"
        path = urlsplit(target).path
        if not path.startswith("/v1alpha1/"):
            error = ApiError(400, f"Batch parts may only call /v1alpha1 methods, not {path}.")
            return 400, _json(google_error_body(error)), "application/json"
        forwarded = {k: v for k, v in headers.items() if k in _FORWARDED_HEADERS}
        if outer_key and "x-goog-api-key" not in forwarded:
            forwarded["x-goog-api-key"] = outer_key
        return await call_app(request.app, request.scope, method, target, forwarded, body)

    results = await asyncio.gather(*(run(raw) for _, raw in parts))
    boundary = "batch_" + secrets.token_hex(12)
    chunks = []
    for (content_id, _), (status, payload, content_type) in zip(parts, results, strict=True):
        chunks.append(
            b"--"
            + boundary.encode()
            + b"\r\n"
            + _http_part(content_id, status, payload, content_type)
            + b"\r\n"
        )
    chunks.append(b"--" + boundary.encode() + b"--\r\n")
    return Response(b"".join(chunks), media_type=f"multipart/mixed; boundary={boundary}")


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


async def call_app(
    app: ASGIApp, outer: Scope, method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes, str]:
    """Run one embedded request through ``app``; (status, body, content type)."""
    url = urlsplit(target)
    scope: Scope = {
        **{
            k: outer[k]
            for k in ("asgi", "http_version", "scheme", "server", "client")
            if k in outer
        },
        "type": "http",
        "method": method,
        "path": unquote(url.path),
        "raw_path": url.path.encode("latin-1"),
        "query_string": url.query.encode("latin-1"),
        "root_path": "",
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode())],
        "state": {},
    }
    done = asyncio.Event()
    sent_body = False
    status, content_type, chunks = 500, "application/json", []

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, content_type
        if message["type"] == "http.response.start":
            status = message["status"]
            for name, value in message.get("headers", []):
                if name.lower() == b"content-type":
                    content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                done.set()

    try:
        await app(scope, receive, send)
    except Exception as exc:  # already answered (500) by the app's error handler; keep that answer
        if not chunks:  # the handler itself failed: nothing was said, nor logged
            log.error("unanswered %s in a batch part", type(exc).__name__, exc_info=exc)
            error = ApiError(500, "Internal error encountered.")
            return 500, _json(google_error_body(error)), "application/json"
    finally:
        done.set()
    return status, b"".join(chunks), content_type
