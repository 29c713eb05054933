"""The API on PostgreSQL: keys and feedback go through the same code as on SQLite."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from civility.api import create_app
from civility.api.keys import create_key
from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import Feedback, open_store
from tests.api.conftest import INSULT
from tests.store.conftest import POSTGRES_URL, reset_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url() -> str:
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set CIVILITY_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("CIVILITY_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


def test_analyze_and_suggestscore_on_postgres(postgres_url: str, tiny_scorer: FastScorer) -> None:
    store = open_store(postgres_url)
    key, _ = create_key(store, "pg", rate_limit=0)
    app = create_app(Settings(database_url=postgres_url), store=store, scorer=tiny_scorer)
    with TestClient(app) as client:
        analyzed = client.post(
            "/v1alpha1/comments:analyze",
            params={"key": key},
            json={"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}},
        )
        assert analyzed.status_code == 200
        suggested = client.post(
            "/v1alpha1/comments:suggestscore",
            params={"key": key},
            json={
                "comment": {"text": INSULT},
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
                "communityId": "news",
            },
        )
        assert suggested.status_code == 200
        assert client.get("/healthz").json()["store"] == "postgresql"
    with store.session() as session:
        (row,) = session.scalars(select(Feedback)).all()
    assert (row.attribute, row.value, row.community, row.text) == ("TOXICITY", 1.0, "news", INSULT)
    store.dispose()
