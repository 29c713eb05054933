"""Every refusal: status, Google envelope, errorType and Perspective's own message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import Store
from civility.store.engine import create_store_engine
from tests.api.conftest import INSULT

ANALYZE = "/v1alpha1/comments:analyze"
ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
OK = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}


def assert_error(response: Any, code: int, error_type: str | None, message: str) -> dict:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] == message
    assert error["status"] in {
        "INVALID_ARGUMENT",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "UNIMPLEMENTED",
        "NOT_FOUND",
    }
    if error_type is not None:
        (detail,) = [d for d in error["details"] if d["@type"] == ERROR_TYPE]
        assert detail["errorType"] == error_type
        return detail
    return error


@pytest.mark.parametrize(
    ("body", "error_type", "message"),
    [
        ({**OK, "comment": {"text": ""}}, "COMMENT_EMPTY", "Comment must be non-empty."),
        ({**OK, "comment": {"text": "   \n"}}, "COMMENT_EMPTY", "Comment must be non-empty."),
        ({"requestedAttributes": {"TOXICITY": {}}}, "COMMENT_EMPTY", "Comment must be non-empty."),
        (
            {**OK, "comment": {"text": "é" * 10_241}},
            "COMMENT_TOO_LONG",
            "Comment text was too many bytes. Value (20482) exceeded limit (20480).",
        ),
        ({"comment": {"text": INSULT}}, "NO_REQUESTED_ATTRIBUTES", "Missing requested_attributes"),
        (
            {**OK, "requestedAttributes": {}},
            "NO_REQUESTED_ATTRIBUTES",
            "Missing requested_attributes",
        ),
        (
            {**OK, "requestedAttributes": {"FLIRTATION": {}}},
            "INVALID_REQUEST",
            "Unknown requested attribute: FLIRTATION",
        ),
        (
            {**OK, "requestedAttributes": {"TOXICITY": {"scoreType": "PERCENTILE"}}},
            "INVALID_REQUEST",
            "Requested score type PERCENTILE is not supported by attribute TOXICITY",
        ),
        (
            {**OK, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 1.5}}},
            "INVALID_REQUEST",
            "Score threshold for attribute TOXICITY must be between 0 and 1. Got 1.5.",
        ),
        (
            {**OK, "comment": {"text": INSULT, "type": "HTML"}},
            "INVALID_REQUEST",
            "Currently, only 'PLAIN_TEXT' comments are supported",
        ),
        (
            {**OK, "comment": {"text": INSULT, "type": "MARKDOWN"}},
            "INVALID_REQUEST",
            "Unknown text type",
        ),
        (
            {
                **OK,
                "context": {
                    "entries": [{"text": "a"}],
                    "articleAndParentComment": {"article": {"text": "b"}},
                },
            },
            "INVALID_REQUEST",
            "Context can have either entries or article_and_parent_comment, "
            "but both fields were populated.",
        ),
        (
            {**OK, "comment": {"text": "1234 5678 !!! ???"}},
            "LANGUAGE_DETECTION_FAILED",
            "Unable to detect language",
        ),
        ({**OK, "languages": ["???"]}, "INVALID_REQUEST", "Unable to parse language code: ???"),
        (
            {**OK, "comment": {"text": 5}},
            "INVALID_REQUEST",
            "Invalid value at 'comment.text' (TYPE_STRING), 5",
        ),
        (
            {**OK, "requestedAttributes": ["TOXICITY"]},
            "INVALID_REQUEST",
            "Invalid value at 'requestedAttributes' (TYPE_MESSAGE), [\"TOXICITY\"]",
        ),
        (
            {**OK, "spanAnnotations": "often"},
            "INVALID_REQUEST",
            "Invalid value at 'spanAnnotations' (TYPE_BOOL), \"often\"",
        ),
        ([OK], "INVALID_REQUEST", "Invalid JSON payload received. Expected a JSON object."),
    ],
)
def test_bad_analyze_requests(
    client: TestClient, api_key: str, body: Any, error_type: str, message: str
) -> None:
    response = client.post(ANALYZE, params={"key": api_key}, json=body)
    assert_error(response, 400, error_type, message)


def test_requested_language_the_models_do_not_support(client: TestClient, api_key: str) -> None:
    text = "Das ist ein wirklich schlechter Artikel, und der Autor sollte sich schämen."
    body = {**OK, "comment": {"text": text}, "languages": ["de"]}
    detail = assert_error(
        client.post(ANALYZE, params={"key": api_key}, json=body),
        400,
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        "Attribute TOXICITY does not support request languages: de",
    )
    assert detail["languageNotSupportedByAttributeError"] == {
        "attribute": "TOXICITY",
        "detectedLanguages": [],
    }


def test_english_text_declared_german_is_scored_in_english(
    client: TestClient, api_key: str
) -> None:
    response = client.post(ANALYZE, params={"key": api_key}, json={**OK, "languages": ["de"]})
    assert response.status_code == 200, response.text
    assert response.json()["languages"] == ["en"]
    assert response.json()["detectedLanguages"] == ["en"]


def test_confidently_detected_other_language(client: TestClient, api_key: str) -> None:
    text = "Das ist ein wirklich schlechter Artikel, und der Autor sollte sich schämen."
    response = client.post(ANALYZE, params={"key": api_key}, json={**OK, "comment": {"text": text}})
    detail = assert_error(
        response,
        400,
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        "Attribute TOXICITY does not support request languages: de",
    )
    assert detail["languageNotSupportedByAttributeError"]["detectedLanguages"] == ["de"]


def test_malformed_json(client: TestClient, api_key: str) -> None:
    response = client.post(
        ANALYZE,
        params={"key": api_key},
        content=b'{"comment": ',
        headers={"content-type": "application/json"},
    )
    assert_error(
        response, 400, "INVALID_REQUEST", "Invalid JSON payload received. Expecting value."
    )


def test_malformed_json_without_content_type(client: TestClient, api_key: str) -> None:
    response = client.post(ANALYZE, params={"key": api_key}, content=b"{bad")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid JSON payload received.")


def test_json_labelled_a_form_is_read_as_json_and_a_real_form_is_refused(
    client: TestClient, api_key: str
) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = client.post(
        ANALYZE, params={"key": api_key}, content=json.dumps(OK).encode(), headers=form
    )
    assert response.status_code == 200, response.text
    response = client.post(ANALYZE, params={"key": api_key}, content=b"text=hello", headers=form)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid JSON payload received.")


def test_wrong_method(client: TestClient, api_key: str) -> None:
    response = client.get(ANALYZE, params={"key": api_key})
    assert_error(
        response,
        405,
        "INVALID_REQUEST",
        "Method GET is not allowed for /v1alpha1/comments:analyze.",
    )


def test_unknown_method_path(client: TestClient, api_key: str) -> None:
    response = client.post("/v1alpha1/comments:classify", params={"key": api_key}, json=OK)
    assert_error(
        response,
        404,
        "INVALID_REQUEST",
        "The requested URL /v1alpha1/comments:classify was not found on this server.",
    )


def test_oversized_body(make_client, api_key: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(max_body_bytes=1000)
    body = {**OK, "comment": {"text": "word " * 400}}
    response = client.post(ANALYZE, params={"key": api_key}, json=body)
    assert_error(
        response, 413, "INVALID_REQUEST", "Request payload size exceeds the limit: 1000 bytes."
    )


def test_oversized_chunked_body_is_cut_off(make_client, api_key: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(max_body_bytes=1000)

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"comment": {"text": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}}'

    response = client.post(
        ANALYZE,
        params={"key": api_key},
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert_error(
        response, 413, "INVALID_REQUEST", "Request payload size exceeds the limit: 1000 bytes."
    )


def test_a_store_outage_is_503_unavailable_with_retry_after(
    tiny_scorer: FastScorer, tmp_path: Path
) -> None:
    from civility.api import create_app

    engine, _ = create_store_engine("postgresql+psycopg://civility:civility@127.0.0.1:9/down")
    sessions = sessionmaker(engine, expire_on_commit=False)
    down = Store("down", engine, engine, sessions, sessions)
    app = create_app(
        Settings(data_dir=str(tmp_path), require_key=False), store=down, scorer=tiny_scorer
    )
    client = TestClient(app, raise_server_exceptions=False)  # no lifespan: no background work
    suggestion = {
        "comment": {"text": INSULT},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.0}}},
    }
    response = client.post("/v1alpha1/comments:suggestscore", json=suggestion)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["status"] == "UNAVAILABLE"
    assert response.json()["error"]["details"][0]["reason"] == "UNAVAILABLE"
    assert response.headers["retry-after"] == "1"
    queue = client.get("/v1/queue")
    assert (queue.status_code, queue.json()["ok"]) == (503, False)
    engine.dispose()


def test_every_google_refusal_has_details(client: TestClient) -> None:
    response = client.post("/batch", content=b"x", headers={"content-type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"@type": ERROR_TYPE, "errorType": "INVALID_REQUEST"}
    ]
