"""SQLite writers fail fast: a write that would wait too long is 503 with Retry-After at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from civility.api import create_app
from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import Store, open_store
from tests.api.conftest import INSULT

SUGGESTION = {
    "comment": {"text": INSULT},
    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.0}}},
}


@pytest.fixture
def busy_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=str(tmp_path),
        require_key=False,
        sqlite_busy_timeout_ms=300,
        sqlite_write_queue=0,
    )


@pytest.fixture
def served(busy_settings: Settings, tiny_scorer: FastScorer) -> Iterator[tuple[Store, TestClient]]:
    store = open_store(busy_settings.resolved_database_url, settings=busy_settings)
    app = create_app(busy_settings, store=store, scorer=tiny_scorer)
    # No lifespan: the hourly retention purge would take the write lock when it starts.
    yield store, TestClient(app, raise_server_exceptions=False)
    store.dispose()


def _assert_unavailable(response: object, elapsed: float, message: str) -> None:
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert (error["status"], error["message"]) == ("UNAVAILABLE", message)
    assert error["details"][0]["reason"] == "UNAVAILABLE"
    assert response.headers["retry-after"] == "1"  # type: ignore[attr-defined]
    assert elapsed < 5, f"answered after {elapsed:.1f} s"


def test_a_write_locked_by_another_process_is_refused_after_the_busy_timeout(
    served: tuple[Store, TestClient], busy_settings: Settings
) -> None:
    _, client = served
    other = open_store(busy_settings.resolved_database_url)  # another server's connection
    try:
        with other.writer() as session:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held
            start = time.monotonic()
            response = client.post("/v1alpha1/comments:suggestscore", json=SUGGESTION)
            elapsed = time.monotonic() - start
    finally:
        other.dispose()
    _assert_unavailable(response, elapsed, "The store is unavailable; retry later.")
    assert client.post("/v1alpha1/comments:suggestscore", json=SUGGESTION).status_code == 200


def test_a_write_beyond_the_queue_is_refused_at_once(served: tuple[Store, TestClient]) -> None:
    store, client = served
    with store.writer() as session:  # this process's one writer, with no room to queue
        session.execute(text("SELECT 1"))
        start = time.monotonic()
        response = client.post("/v1alpha1/comments:suggestscore", json=SUGGESTION)
        elapsed = time.monotonic() - start
        health = client.get("/healthz")  # reads the store
    _assert_unavailable(response, elapsed, "The store is busy; retry later.")
    assert elapsed < 0.25  # not even the busy timeout: nobody waits behind a full queue
    assert client.post("/v1alpha1/comments:suggestscore", json=SUGGESTION).status_code == 200
    assert health.status_code == 200  # reads never wait for writers
