"""What every request meets first: its log line, CORS, how its body is read, the offline docs."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from civility.api.logs import ACCESS_LOGGER
from tests.api.conftest import start_server, stop_server

ANALYZE = "/v1alpha1/comments:analyze"
SECRET_TEXT = "my neighbour Bartholomew is a thieving liar"
BODY = {"comment": {"text": SECRET_TEXT}, "requestedAttributes": {"TOXICITY": {}}}


@pytest.mark.slow
def test_every_request_is_logged_as_json_without_text_or_key(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    server = start_server(
        tmp_path,
        tiny_model_dir,
        extra_env={"CIVILITY_LOG_FORMAT": "json", "CIVILITY_LOG_LEVEL": "info"},
    )
    try:
        scored = httpx.post(
            f"{server.url}{ANALYZE}",
            params={"key": server.key},
            json=BODY,
            headers={"x-request-id": "cms-42"},
        )
        refused = httpx.post(f"{server.url}{ANALYZE}", params={"key": "civ_wrong"}, json=BODY)
        missing = httpx.get(f"{server.url}/v1alpha1/nowhere")
    finally:
        stop_server(server)
    assert server.process.stdout is not None
    output = server.process.stdout.read()
    assert scored.status_code == 200 and scored.headers["x-request-id"] == "cms-42"
    assert refused.status_code == 400 and len(refused.headers["x-request-id"]) == 32
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [e for e in entries if e["logger"] == ACCESS_LOGGER]
    by_id = {e["request_id"]: e for e in requests}
    assert {
        k: by_id["cms-42"][k] for k in ("method", "route", "status", "key_prefix", "level")
    } == {
        "method": "POST",
        "route": ANALYZE,
        "status": 200,
        "key_prefix": server.key[:12],
        "level": "info",
    }
    assert by_id["cms-42"]["duration_ms"] > 0
    assert by_id[refused.headers["x-request-id"]]["status"] == 400
    assert by_id[refused.headers["x-request-id"]]["key_prefix"] == "-"
    assert by_id[missing.headers["x-request-id"]]["route"] == "unmatched"
    assert SECRET_TEXT not in output and "Bartholomew" not in output
    assert server.key not in output  # (its first-key line was read by start_server)


def test_the_text_log_names_the_request(
    client: TestClient, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.post(ANALYZE, params={"key": api_key}, json=BODY)
    (line,) = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert line.startswith(f"POST {ANALYZE} 200 ")
    assert f"key={api_key[:12]} request_id={response.headers['x-request-id']}" in line
    assert SECRET_TEXT not in caplog.text and api_key not in caplog.text


def _preflight(client: TestClient, origin: str) -> httpx.Response:
    return client.options(
        ANALYZE,
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,x-goog-api-key",
        },
    )


def test_cors_preflight_answered_for_configured_origins_only(
    make_client: Any, api_key: str
) -> None:
    client = make_client(cors_origins="https://news.example, https://www.news.example")
    allowed = _preflight(client, "https://www.news.example")
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://www.news.example"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert allowed.headers["access-control-allow-headers"] == "content-type,x-goog-api-key"
    assert allowed.headers["access-control-max-age"] == "3600"
    scored = client.post(
        ANALYZE, params={"key": api_key}, json=BODY, headers={"origin": "https://news.example"}
    )
    assert scored.headers["access-control-allow-origin"] == "https://news.example"
    other = _preflight(client, "https://elsewhere.example")
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    by_default = _preflight(make_client(), "https://news.example")
    assert "access-control-allow-origin" not in by_default.headers


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", None])
def test_a_json_object_is_read_whatever_it_is_labelled(
    client: TestClient, api_key: str, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(
        ANALYZE, params={"key": api_key}, content=json.dumps(BODY).encode(), headers=headers
    )
    assert response.status_code == 200, response.text
    assert "TOXICITY" in response.json()["attributeScores"]
    broken = client.post(ANALYZE, params={"key": api_key}, content=b'{"comment": ', headers=headers)
    assert broken.status_code == 400
    assert broken.json()["error"]["message"].startswith("Invalid JSON payload received.")


def test_docs_are_served_without_a_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text
    script = page.text.split('<script src="')[1].split('"')[0]
    assert script.startswith("/") and client.get(script).status_code == 200
