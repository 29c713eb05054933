"""No client input gives a 5xx: schemathesis, the audit's cases replayed, a seeded campaign.

All three run against a live ``civility serve`` over loopback, with an admin key that has no
rate limit (so requests reach validation, scoring and the store) and a signed-in moderator for
the moderation pages; afterwards the server must still be up and healthy. Schemathesis covers
the Perspective surface from its OpenAPI description; the replay holds every input an audit
found a 500 for; the campaign mutates valid requests to analyze, suggestscore, batch, ingest
and the moderation pages at random, from a fixed seed.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from civility.api.keys import create_key
from civility.store import open_store
from civility.web.accounts import create_moderator
from tests.api.conftest import LiveServer, start_server, stop_server

EXAMPLES = 40
MODERATOR_PASSWORD = "a long fuzzing password"
CAMPAIGN_REQUESTS = 3000
CAMPAIGN_SECONDS = 100.0
OURS = r"^/(v1alpha1/|batch$|\$discovery/|healthz$|metrics$)"


@pytest.fixture(scope="module")
def fuzz_server(
    tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("fuzz"), tiny_model_dir)
    store = open_store(f"sqlite:///{server.data_dir / 'civility.db'}")
    server.key = create_key(store, "fuzz", rate_limit=0, scopes=("admin",))[0]
    create_moderator(store, "mod", MODERATOR_PASSWORD, is_admin=True)
    store.dispose()
    yield server
    assert server.process.poll() is None, "the server died during the fuzz run"
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    stop_server(server)


def test_no_input_gives_a_server_error(fuzz_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json").include(
        path_regex=OURS
    )
    tried = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case) -> None:  # type: ignore[no-untyped-def]
            case.headers = {**(case.headers or {}), "x-goog-api-key": fuzz_server.key}
            response = case.call(timeout=30)
            statuses.append(response.status_code)
            assert response.status_code < 500, (case.path, response.status_code, response.text)

        call()
    assert "POST /v1alpha1/comments:analyze" in tried
    assert "POST /v1alpha1/comments:suggestscore" in tried
    assert len(statuses) >= 2 * EXAMPLES
    assert 200 in statuses and 400 in statuses  # both valid and refused inputs were reached


# -- the audit's cases, replayed ---------------------------------------------------------------

ANALYZE, SUGGEST = "/v1alpha1/comments:analyze", "/v1alpha1/comments:suggestscore"
TEXT = '"comment": {"text": "you are a stupid idiot"}'
WANTED = '"requestedAttributes": {"TOXICITY": {}}'
SUGGESTION = '"attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}'
ARTICLE = '"article_id": "a1", "article": {"title": "A story"}'


def multipart(parts: list[tuple[bytes, bytes]]) -> bytes:
    """A /batch body: (Content-ID, embedded request) per part, boundary ``b``."""
    body = b""
    for content_id, request in parts:
        body += b"--b\r\nContent-Type: application/http\r\nContent-ID: " + content_id
        body += b"\r\n\r\n" + request + b"\r\n"
    return body + b"--b--\r\n"


def embedded(target: bytes, body: bytes = b'{"comment": {"text": "hi"}}') -> bytes:
    return b"POST " + target + b"\r\nContent-Type: application/json\r\n\r\n" + body


BATCH = {"content-type": "multipart/mixed; boundary=b"}
JSON = {"content-type": "application/json"}
REPLAY: list[tuple[str, str, dict[str, str], bytes]] = [
    # F3: unpaired surrogates, escaped in JSON, in fields that are echoed or stored
    ("POST", ANALYZE, JSON, f'{{{TEXT}, {WANTED}, "clientToken": "\\ud800"}}'.encode()),
    ("POST", ANALYZE, JSON, f'{{{TEXT}, "requestedAttributes": {{"\\ud800": {{}}}}}}'.encode()),
    ("POST", ANALYZE, JSON, f'{{{TEXT}, {WANTED}, "languages": ["\\udfff"]}}'.encode()),
    ("POST", SUGGEST, JSON, f'{{{TEXT}, {SUGGESTION}, "communityId": "\\ud800"}}'.encode()),
    ("POST", SUGGEST, JSON, f'{{{TEXT}, {SUGGESTION}, "clientToken": "\\ud800x"}}'.encode()),
    (
        "POST",
        "/v1/comments",
        JSON,
        f'{{"community": "\\ud800", "comment_id": "c1", "text": "hi", {ARTICLE}}}'.encode(),
    ),
    ("PUT", "/v1/communities/x", JSON, b'{"name": "\\ud800"}'),
    # F6: NUL in text that would be stored
    (
        "POST",
        "/v1/comments",
        JSON,
        f'{{"comment_id": "n1", "text": "a\\u0000b", {ARTICLE}}}'.encode(),
    ),
    ("POST", SUGGEST, JSON, b'{"comment": {"text": "x\\u0000"}, ' + SUGGESTION.encode() + b"}"),
    # F4: batch Content-IDs that are not ASCII, part targets that are not UTF-8
    ("POST", "/batch", BATCH, multipart([("<é>".encode(), embedded(ANALYZE.encode()))])),
    ("POST", "/batch", BATCH, multipart([(b"<\xe9>", embedded(ANALYZE.encode()))])),
    ("POST", "/batch", BATCH, multipart([(b"<a>", embedded(ANALYZE.encode() + b"?key=\xff"))])),
    ("POST", "/batch", BATCH, multipart([(b"<a>", embedded(b"/v1alpha1/comments:\xff\xfe"))])),
    # F5: integers past 64 bits and digits that are not ASCII
    ("GET", "/v1/queue?after=9223372036854775808", {}, b""),
    ("GET", "/v1/queue?after=%D9%A1", {}, b""),
    ("GET", "/v1/queue?limit=99999999999999999999", {}, b""),
    ("GET", "/moderate?page=4611686018427387904", {}, b""),
    ("GET", "/moderate?page=99999999999999999999999", {}, b""),
]
DECISIONS = ["approve:99999999999999999999", "approve:²", "approve:١", "approve:-1"]


def signed_in(server: LiveServer) -> tuple[httpx.Client, str]:
    """A client with a moderator's session cookie, and the session's CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/moderate/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/moderate/login", data={"username": "mod", "password": MODERATOR_PASSWORD, "csrf": csrf}
    )
    assert response.status_code == 303, response.text
    page = client.get("/moderate")
    return client, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def assert_enveloped(path: str, response: httpx.Response) -> None:
    """A refusal in the envelope its path promises: Google's with ``details``, or Civility's."""
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    if path.startswith(("/v1alpha1", "/batch")):
        error = response.json()["error"]
        assert error["code"] == response.status_code and error["details"], error
    elif path.startswith("/v1/"):
        assert response.json()["ok"] is False


def test_the_audits_inputs_are_refused_with_a_4xx(fuzz_server: LiveServer) -> None:
    client, csrf = signed_in(fuzz_server)
    key = {"x-goog-api-key": fuzz_server.key}
    with contextlib.closing(client):
        for method, path, headers, body in REPLAY:
            response = client.request(method, path, headers={**key, **headers}, content=body)
            if path == "/batch":  # each part has its own status
                assert response.status_code == 200, response.text
                statuses = re.findall(rb"HTTP/1.1 (\d+)", response.content)
                assert statuses and all(int(s) < 500 for s in statuses), response.content
                assert b"Content-ID: <response-" in response.content
            elif path.startswith("/moderate"):
                assert response.status_code < 500, (path, response.status_code)
            else:
                assert_enveloped(path, response)
        for one in DECISIONS:
            response = client.post(
                "/moderate/decide", data={"csrf": csrf, "one": one, "page": "4611686018427387904"}
            )
            assert response.status_code == 303
            assert "Select+at+least+one+comment" in response.headers["location"]


def test_a_request_uvicorn_cannot_parse_is_refused_in_json(fuzz_server: LiveServer) -> None:
    address = urlsplit(fuzz_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(b"GET /\x01bad HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["details"]


# -- a seeded random campaign ------------------------------------------------------------------


def junk(rng: random.Random) -> Any:
    """A value no well-behaved client sends."""
    return rng.choice(
        [
            lambda: rng.randint(-(2**70), 2**70),
            lambda: "\ud800" + "x" * rng.randint(0, 3),
            lambda: "\udfff",
            lambda: "a\x00b",
            lambda: "١٢٣",
            lambda: "²",
            lambda: "x" * rng.choice([0, 1, 201, 2001, 30_000]),
            lambda: None,
            lambda: [],
            lambda: {},
            lambda: True,
            lambda: 1e308,
            lambda: -0.5,
            lambda: "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(1, 20))),
        ]
    )()


def mutate(rng: random.Random, value: Any) -> Any:
    """``value`` with one field, somewhere inside it, replaced, dropped or added."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        changed = dict(value)
        roll = rng.random()
        if roll < 0.2:
            del changed[key]
        elif roll < 0.4:
            changed[str(junk(rng)) if rng.random() < 0.3 else "extra"] = junk(rng)
        else:
            changed[key] = mutate(rng, value[key]) if rng.random() < 0.5 else junk(rng)
        return changed
    if isinstance(value, list) and value and rng.random() < 0.7:
        index = rng.randrange(len(value))
        return [*value[:index], mutate(rng, value[index]), *value[index + 1 :]]
    return junk(rng)


def encoded(rng: random.Random, value: Any) -> bytes:
    """JSON, now and then broken: truncated, not UTF-8, or not JSON at all."""
    try:
        body = json.dumps(value).encode()
    except (TypeError, ValueError):  # a key that JSON cannot hold
        body = b"{}"
    roll = rng.random()
    if roll < 0.05:
        return body[: rng.randrange(len(body) + 1)]
    if roll < 0.08:
        return body.replace(b'"', b"\xff", 1)
    if roll < 0.1:
        return rng.randbytes(rng.randint(0, 64))
    return body


def campaign_request(
    rng: random.Random, server: LiveServer, csrf: str
) -> tuple[str, str, dict[str, str], bytes]:
    """One mutated request to one of the surfaces; (method, path, headers, body)."""
    text = {"text": rng.choice(["you are a stupid idiot", "Thank you, well argued."])}
    analyze = {"comment": text, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}}
    suggest = {"comment": text, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}
    number = rng.randint(1, 40)
    comment = {
        "comment_id": f"c{number}",
        "article_id": "a1",
        "text": text["text"],
        "article": {"title": "A story"},
        "author": "ann",
    }
    surface = rng.choice(["analyze", "suggest", "batch", "ingest", "queue", "pages", "decide"])
    if surface in ("analyze", "suggest"):
        path = ANALYZE if surface == "analyze" else SUGGEST
        return (
            "POST",
            path,
            JSON,
            encoded(rng, mutate(rng, analyze if surface == "analyze" else suggest)),
        )
    if surface == "batch":
        parts = []
        for _ in range(rng.randint(1, 4)):
            target = rng.choice([ANALYZE, SUGGEST, "/v1/comments", "/nowhere"]).encode()
            if rng.random() < 0.2:
                target += rng.choice([b"?key=\xff", b"\xc3", b"?key=" + server.key.encode()])
            content_id = rng.choice(
                [b"<1>", "<é>".encode(), b"<\xff>", b"", b"<" + b"x" * 300 + b">"]
            )
            parts.append((content_id, embedded(target, encoded(rng, mutate(rng, analyze)))))
        return "POST", "/batch", BATCH, multipart(parts)
    if surface == "ingest":
        if rng.random() < 0.5:
            return "POST", "/v1/comments", JSON, encoded(rng, mutate(rng, comment))
        batch = {"comments": [mutate(rng, comment) if rng.random() < 0.5 else comment]}
        return "POST", "/v1/comments:batch", JSON, encoded(rng, mutate(rng, batch))
    if surface == "queue":
        name = rng.choice(["after", "limit", "min_score", "community", "status", "attribute"])
        value = rng.choice(["9223372036854775808", "-1", "١", "²", "%ED%A0%80", "x" * 3000, "0"])
        return "GET", f"/v1/queue?{name}={value}", {}, b""
    if surface == "pages":
        name = rng.choice(["page", "community", "attribute", "status", "article"])
        value = rng.choice(["4611686018427387904", "-7", "١", "²", "%ff", "%ED%A0%80", "x" * 3000])
        path = rng.choice(["/moderate", "/moderate/dashboard", "/moderate/dashboard/news"])
        return "GET", f"{path}?{name}={value}", {}, b""
    form = {"csrf": csrf, "one": f"approve:{number}", "page": "1", "status": "held"}
    form[rng.choice(["one", "page", "status", "ids", "action"])] = str(junk(rng))
    body = "&".join(f"{k}={v}" for k, v in form.items()).encode("utf-8", "surrogatepass")
    return "POST", "/moderate/decide", {"content-type": "application/x-www-form-urlencoded"}, body


@pytest.mark.slow
def test_a_seeded_campaign_gets_no_server_error(fuzz_server: LiveServer) -> None:
    rng = random.Random(36)
    client, csrf = signed_in(fuzz_server)
    statuses: Counter[int] = Counter()
    failures = []
    deadline = time.monotonic() + CAMPAIGN_SECONDS
    with contextlib.closing(client):
        client.headers["x-goog-api-key"] = fuzz_server.key
        for _ in range(CAMPAIGN_REQUESTS):
            if time.monotonic() > deadline:
                break
            method, path, headers, body = campaign_request(rng, fuzz_server, csrf)
            response = client.request(method, path, headers=headers, content=body)
            statuses[response.status_code] += 1
            if response.status_code >= 500 or (
                path == "/batch" and re.search(rb"HTTP/1.1 5\d\d", response.content)
            ):
                failures.append(
                    (method, path, body[:200], response.status_code, response.text[:300])
                )
    print("campaign statuses:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) >= 500, statuses  # enough ran to mean something
    assert failures == []
