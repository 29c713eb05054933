"""Key scopes: a scoring key cannot moderate, decisions name a moderator of the community."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from civility.api.keys import create_key
from civility.cli import app as cli
from civility.store import ApiKey, Community, Moderator, Store, open_store
from civility.store.engine import alembic_config
from tests.api.conftest import INSULT

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
SCORE_BODY = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}


def comment(cid: str, community: str = "news") -> dict[str, object]:
    return {
        "community": community,
        "comment_id": cid,
        "article_id": "a1",
        "text": INSULT,
        "article": {"title": "A story"},
    }


def key(store: Store, *scopes: str, communities: list[str] | None = None) -> dict[str, str]:
    return {"x-goog-api-key": create_key(store, "k", 0, scopes or ("score",), communities)[0]}


@pytest.fixture
def newsroom(api_store: Store) -> Store:
    """Two communities; ``mo`` moderates news only, ``chief`` is an admin."""
    with api_store.writer() as session:
        news, sport = Community(slug="news", name="News"), Community(slug="sport", name="Sport")
        session.add_all([news, sport])
        session.add(Moderator(username="mo", password_hash="x", communities=[news]))
        session.add(Moderator(username="chief", password_hash="x", is_admin=True))
    return api_store


def denied(response, reason: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.text
    body = response.json()
    if "error" in body and isinstance(body["error"], dict):  # Google's envelope
        assert body["error"]["status"] == "PERMISSION_DENIED"
        assert body["error"]["details"][0]["reason"] == reason
        return str(body["error"]["message"])
    assert body["reason"] == reason
    return str(body["error"])


def test_a_new_key_may_only_score(client: TestClient, newsroom: Store) -> None:
    scoring = key(newsroom)
    assert client.post(ANALYZE, headers=scoring, json=SCORE_BODY).status_code == 200
    message = denied(
        client.post("/v1/comments", headers=scoring, json=comment("c1")),
        "API_KEY_SCOPE_INSUFFICIENT",
    )
    assert "(score)" in message and "ingest" in message
    for response in (
        client.get("/v1/queue", headers=scoring, params={"community": "news"}),
        client.post(
            "/v1/comments/c1/decisions",
            headers=scoring,
            json={"community": "news", "action": "approve", "moderator": "chief"},
        ),
        client.put("/v1/communities/news", headers=scoring, json={"policy": "[[rules]]\n"}),
        client.post(
            "/v1/communities/news/webhooks",
            headers=scoring,
            json={"url": "https://cms.example/hook", "secret": "s" * 16},
        ),
    ):
        denied(response, "API_KEY_SCOPE_INSUFFICIENT")


def test_ingest_submits_and_reads_its_decisions_but_cannot_moderate_or_score(
    client: TestClient, newsroom: Store
) -> None:
    ingesting = key(newsroom, "ingest")
    submitted = client.post("/v1/comments", headers=ingesting, json=comment("c1"))
    assert submitted.status_code == 200, submitted.text
    record = client.get("/v1/comments/c1", headers=ingesting, params={"community": "news"})
    assert record.json()["decisions"][0]["actor"].startswith("policy:")
    denied(client.get("/v1/queue", headers=ingesting), "API_KEY_SCOPE_INSUFFICIENT")
    denied(client.post(ANALYZE, headers=ingesting, json=SCORE_BODY), "API_KEY_SCOPE_INSUFFICIENT")


def test_moderate_decides_only_as_a_moderator_of_that_community(
    client: TestClient, newsroom: Store
) -> None:
    ingesting, moderating = key(newsroom, "ingest"), key(newsroom, "moderate")
    for cid, community in (("n1", "news"), ("s1", "sport")):
        client.post("/v1/comments", headers=ingesting, json=comment(cid, community))
    queue = client.get("/v1/queue", headers=moderating, params={"community": "news"})
    assert [item["comment_id"] for item in queue.json()["items"]] == ["n1"]

    def decide(cid: str, community: str, moderator: str):  # type: ignore[no-untyped-def]
        return client.post(
            f"/v1/comments/{cid}/decisions",
            headers=moderating,
            json={"community": community, "action": "reject", "moderator": moderator},
        )

    outsider = decide("s1", "sport", "mo")
    assert outsider.status_code == 403
    assert "'mo' is not a moderator of community 'sport'" in outsider.json()["error"]
    assert decide("n1", "news", "mo").json()["status"] == "rejected"
    assert decide("s1", "sport", "chief").json()["status"] == "rejected"
    with newsroom.session() as session:
        assert session.scalar(select(Community.slug).where(Community.slug == "sport"))
    denied(
        client.put("/v1/communities/news", headers=moderating, json={"name": "N"}),
        "API_KEY_SCOPE_INSUFFICIENT",
    )


def test_a_key_limited_to_communities_stays_in_them(client: TestClient, newsroom: Store) -> None:
    limited = key(newsroom, "score", "ingest", "admin", communities=["news"])
    assert client.post("/v1/comments", headers=limited, json=comment("c1")).status_code == 200
    denied(
        client.post("/v1/comments", headers=limited, json=comment("c2", "sport")),
        "API_KEY_COMMUNITY_DENIED",
    )
    denied(
        client.put("/v1/communities/sport", headers=limited, json={"name": "Sports"}),
        "API_KEY_COMMUNITY_DENIED",
    )
    suggestion = {
        "comment": {"text": INSULT},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.0}}},
        "communityId": "sport",
    }
    message = denied(
        client.post(SUGGEST, headers=limited, json=suggestion), "API_KEY_COMMUNITY_DENIED"
    )
    assert "'sport'" in message
    own = client.put("/v1/communities/news", headers=limited, json={"name": "N"})
    assert own.status_code == 200


def test_admin_manages_communities_and_webhooks_and_keeps_every_scope(
    client: TestClient, newsroom: Store
) -> None:
    admin = key(newsroom, "admin")
    assert client.put("/v1/communities/opinion", headers=admin, json={}).status_code == 200
    hook = client.post(
        "/v1/communities/opinion/webhooks",
        headers=admin,
        json={"url": "https://cms.example/hook", "secret": "s" * 16},
    )
    assert hook.status_code == 200, hook.text
    assert client.post(ANALYZE, headers=admin, json=SCORE_BODY).status_code == 200
    assert client.get("/v1/queue", headers=admin, params={"community": "news"}).status_code == 200


def test_keys_issued_before_scopes_become_admin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO api_keys (prefix, key_hash, name, created_at) "
                "VALUES ('civ_old', 'h', 'old', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()
    store = open_store(url)
    with store.session() as session:
        row = session.scalars(select(ApiKey)).one()
    store.dispose()
    assert (row.scopes, row.communities) == ("admin", None)


def test_keys_cli_takes_scopes_and_communities_and_lists_them(tmp_path: Path) -> None:
    runner = CliRunner()
    database = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    desk = ["keys", "create", "desk", "--scope", "moderate", "--scope", "ingest"]
    created = runner.invoke(cli, [*desk, "--community", "news", *database])
    assert created.exit_code == 0, created.output
    plain = runner.invoke(cli, ["keys", "create", "plugin", *database])
    listed = runner.invoke(cli, ["keys", "list", *database]).stdout
    assert re.search(r"desk\tdefault\tingest,moderate\tnews\t", listed)
    assert re.search(r"plugin\tdefault\tscore\t\*\t", listed)
    assert plain.exit_code == 0
    wrong = runner.invoke(cli, ["keys", "create", "x", "--scope", "everything", *database])
    assert wrong.exit_code != 0 and "Unknown scope 'everything'" in str(wrong.exception)
