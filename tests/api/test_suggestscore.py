"""comments:suggestscore stores feedback for calibration, and keeps no text when told not to."""

from __future__ import annotations

import hashlib
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from civility.store import Community, Feedback, Store
from tests.api.test_errors import assert_error

SUGGEST = "/v1alpha1/comments:suggestscore"
TEXT = "a comment a moderator has views on"


def coral_body(**extra: object) -> dict:
    """What Coral Talk sends: 0/1 per attribute, communityId and clientToken."""
    return {
        "comment": {"text": TEXT},
        "attributeScores": {
            "TOXICITY": {"summaryScore": {"value": 1}},
            "INSULT": {"summaryScore": {"value": 0}},
        },
        "communityId": "news",
        "clientToken": "comment-42",
        **extra,
    }


def feedback(store: Store) -> list[Feedback]:
    with store.session() as session:
        return list(session.scalars(select(Feedback).order_by(Feedback.attribute)))


def test_suggestions_are_stored_per_attribute(
    client: TestClient, api_store: Store, api_key: str
) -> None:
    with api_store.writer() as session:
        session.add(Community(slug="news", name="News"))
    response = client.post(SUGGEST, params={"key": api_key}, json=coral_body())
    assert response.status_code == 200
    assert response.json() == {"detectedLanguages": ["en"], "clientToken": "comment-42"}
    rows = feedback(api_store)
    assert [(r.attribute, r.value) for r in rows] == [("INSULT", 0.0), ("TOXICITY", 1.0)]
    assert all(r.community == "news" and r.community_id is not None for r in rows)
    assert all(r.client_token == "comment-42" and r.source == "suggestscore" for r in rows)
    assert all(r.text == TEXT for r in rows)
    assert all(r.api_key_id is not None for r in rows)


def test_suggestions_for_experimental_names_feed_the_same_attribute(
    client: TestClient, api_store: Store, api_key: str
) -> None:
    body = coral_body(attributeScores={"TOXICITY_EXPERIMENTAL": {"summaryScore": {"value": 1}}})
    assert client.post(SUGGEST, params={"key": api_key}, json=body).status_code == 200
    assert [(r.attribute, r.value) for r in feedback(api_store)] == [("TOXICITY", 1.0)]


def test_do_not_store_keeps_no_text_anywhere(
    client: TestClient, api_store: Store, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "my very private comment text"
    body = coral_body(doNotStore=True, comment={"text": secret})
    assert client.post(SUGGEST, params={"key": api_key}, json=body).status_code == 200
    analyze = {
        "comment": {"text": secret},
        "requestedAttributes": {"TOXICITY": {}},
        "doNotStore": True,
    }
    assert (
        client.post("/v1alpha1/comments:analyze", params={"key": api_key}, json=analyze).status_code
        == 200
    )
    rows = feedback(api_store)
    assert rows and all(r.text is None and r.text_sha256 is None for r in rows)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with api_store.engine.connect() as connection:
        dump = "\n".join(connection.connection.driver_connection.iterdump())  # type: ignore[union-attr]
    assert secret not in dump and digest not in dump
    server_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("civility"))
    assert "comments:analyze" in server_log  # the access log ran...
    assert secret not in server_log  # ...without the text
    assert api_key not in server_log  # and names keys by prefix only


def test_store_text_off_keeps_only_the_hash(
    make_client,
    api_store: Store,
    api_key: str,  # type: ignore[no-untyped-def]
) -> None:
    client = make_client(store_text=False)
    assert client.post(SUGGEST, params={"key": api_key}, json=coral_body()).status_code == 200
    rows = feedback(api_store)
    assert all(
        r.text is None and r.text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest() for r in rows
    )


def test_feedback_disabled_stores_nothing_but_answers(
    make_client,
    api_store: Store,
    api_key: str,  # type: ignore[no-untyped-def]
) -> None:
    client = make_client(feedback_enabled=False)
    response = client.post(SUGGEST, params={"key": api_key}, json=coral_body())
    assert response.status_code == 200 and response.json()["clientToken"] == "comment-42"
    assert feedback(api_store) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"comment": {"text": TEXT}}, "Missing attribute_scores"),
        (
            coral_body(attributeScores={"FLIRTATION": {"summaryScore": {"value": 1}}}),
            "Unknown requested attribute: FLIRTATION",
        ),
        (
            coral_body(attributeScores={"TOXICITY": {"summaryScore": {"value": 2}}}),
            "Summary score for attribute TOXICITY must be between 0 and 1. Got 2.0.",
        ),
        (
            coral_body(attributeScores={"TOXICITY": {}}),
            "Missing summary_score for attribute TOXICITY",
        ),
    ],
)
def test_bad_suggestions_are_refused_and_not_stored(
    client: TestClient, api_store: Store, api_key: str, body: dict, message: str
) -> None:
    response = client.post(SUGGEST, params={"key": api_key}, json=body)
    assert_error(response, 400, "INVALID_REQUEST", message)
    assert feedback(api_store) == []


def test_empty_suggested_comment(client: TestClient, api_key: str) -> None:
    response = client.post(SUGGEST, params={"key": api_key}, json=coral_body(comment={"text": ""}))
    assert_error(response, 400, "COMMENT_EMPTY", "Comment must be non-empty.")
