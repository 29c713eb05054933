"""The ingest API over HTTP: decisions in the response, idempotent, nothing half-written."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from civility.store import Comment, Decision, Feedback, Score, Store

ARTICLE = {"title": "Council votes on the new bridge", "url": "https://news.example/bridge"}


def comment(cid: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"comment_id": cid, "article_id": "bridge", "text": text, "author": "ann", **extra}


def count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_one_comment_gets_a_decision_and_a_retry_never_duplicates(
    client: TestClient, store: Store
) -> None:
    body = comment("c1", "you are an idiot", article=ARTICLE)
    first = client.post("/v1/comments", json=body)
    assert first.status_code == 200, first.text
    data = first.json()
    assert data["status"] == "held"
    assert data["decision"]["rule"] == "toxic"
    assert data["decision"]["model_version"].startswith("fast-")
    assert data["scores"]["TOXICITY"] >= 0.6
    again = client.post("/v1/comments", json=body)
    assert again.json()["duplicate"] is True
    assert again.json()["status"] == "held"
    assert count(store, Comment) == 1
    assert count(store, Decision) == 1


def test_batch_rebuilds_the_thread_and_decides_each_comment(
    client: TestClient, store: Store
) -> None:
    batch = {
        "comments": [
            comment("c1", "Thank you for this careful reporting.", article=ARTICLE),
            comment("c2", "what a stupid moron you are", parent_id="c1", author="bob"),
            comment("c3", "Please keep it civil, thanks.", parent_id="c2"),
        ]
    }
    response = client.post("/v1/comments:batch", json=batch)
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["approved", "held", "approved"]
    record = client.get("/v1/comments/c3").json()
    assert record["parent_id"] == "c2"
    assert record["article_id"] == "bridge"
    assert record["decisions"][0]["actor"] == "policy:default"
    assert count(store, Score) == 3 * 7


def test_resending_a_partly_stored_batch_completes_it(client: TestClient, store: Store) -> None:
    client.post("/v1/comments", json=comment("c1", "first", article=ARTICLE))
    batch = {"comments": [comment("c1", "first"), comment("c2", "second", parent_id="c1")]}
    results = client.post("/v1/comments:batch", json=batch).json()["results"]
    assert [r["duplicate"] for r in results] == [True, False]
    assert count(store, Comment) == 2


def _refused(response: Any, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False
    assert body["error"].startswith(field), body
    return str(body["error"])


def test_bad_input_names_the_field_and_writes_nothing(client: TestClient, store: Store) -> None:
    ok = comment("ok", "fine words", article=ARTICLE)
    missing = {"comment_id": "x", "article_id": "bridge"}
    _refused(
        client.post("/v1/comments:batch", json={"comments": [ok, missing]}), 422, "comments[1].text"
    )
    unknown = {**comment("y", "hello"), "article_id": "nowhere"}
    _refused(
        client.post("/v1/comments:batch", json={"comments": [ok, unknown]}),
        422,
        "comments[1].article_id",
    )
    huge = comment("z", "a" * 20_481)
    message = _refused(
        client.post("/v1/comments:batch", json={"comments": [ok, huge]}), 422, "comments[1].text"
    )
    assert "20481" in message
    empty = comment("e", "   ")
    _refused(
        client.post("/v1/comments", json={**empty, "article": ARTICLE}), 422, "comments[0].text"
    )
    _refused(client.post("/v1/comments", json={**ok, "colour": "red"}), 422, "colour")
    assert count(store, Comment) == 0
    assert count(store, Decision) == 0


def test_parent_from_another_article_is_refused(client: TestClient, store: Store) -> None:
    client.post("/v1/comments", json=comment("p", "a parent", article=ARTICLE))
    other = {**comment("r", "a reply", parent_id="p"), "article_id": "other", "article": ARTICLE}
    message = _refused(client.post("/v1/comments", json=other), 422, "comments[0].parent_id")
    assert "belongs to article 'bridge'" in message
    _refused(
        client.post("/v1/comments", json=comment("r2", "x", parent_id="ghost")),
        422,
        "comments[0].parent_id",
    )
    assert count(store, Comment) == 1


def test_community_policy_applies_and_invalid_policies_are_refused(
    client: TestClient, store: Store
) -> None:
    bad = 'name = "strict"\n[[rules]]\nwhen = "TOXCITY >= 0.1"\naction = "reject"\n'
    response = client.put("/v1/communities/sport", json={"policy": bad})
    assert response.status_code == 422
    assert "line 3" in response.json()["error"]
    strict = (
        'name = "strict"\n[[rules]]\nname = "any-insult"\n'
        'when = "TOXICITY >= 0.3"\naction = "reject"\n'
    )
    assert client.put("/v1/communities/sport", json={"policy": strict}).status_code == 200
    result = client.post(
        "/v1/comments",
        json={**comment("s1", "you are an idiot", article=ARTICLE), "community": "sport"},
    ).json()
    assert (result["status"], result["decision"]["rule"]) == ("rejected", "any-insult")
    _refused(
        client.post("/v1/comments", json={**comment("s2", "hi"), "community": "nope"}),
        422,
        "community",
    )


def test_queue_lists_held_comments_and_moderators_decide(
    client: TestClient, store: Store, moderators: list[str]
) -> None:
    batch = {
        "comments": [
            comment("c1", "you are an idiot", article=ARTICLE),
            comment("c2", "I agree with the article, good points."),
            comment("c3", "shut up you pathetic loser", author="bob"),
        ]
    }
    client.post("/v1/comments:batch", json=batch)
    queue = client.get("/v1/queue").json()
    assert [i["comment_id"] for i in queue["items"]] == ["c1", "c3"]
    assert (
        client.get("/v1/queue", params={"author": "bob"}).json()["items"][0]["comment_id"] == "c3"
    )
    assert client.get("/v1/queue", params={"limit": 1}).json()["next"] is not None
    decided = client.post(
        "/v1/comments/c1/decisions", json={"action": "approve", "moderator": "alice"}
    )
    assert decided.status_code == 200, decided.text
    late = client.post("/v1/comments/c1/decisions", json={"action": "reject", "moderator": "bruno"})
    assert late.status_code == 409
    assert "decided by alice (approve)" in late.json()["error"]  # the person, not an id
    trail = client.get("/v1/comments/c1").json()["decisions"]
    assert [(d["actor"].split(":")[0], d["action"]) for d in trail] == [
        ("policy", "hold"),
        ("moderator", "approve"),
    ]
    assert [i["comment_id"] for i in client.get("/v1/queue").json()["items"]] == ["c3"]
    with store.session() as session:
        assert session.scalars(select(Feedback.value)).all() == [0.0]
    rejected = client.post(
        "/v1/comments/c3/decisions", json={"action": "reject", "moderator": "bruno"}
    )
    assert rejected.json()["status"] == "rejected"
    restored = client.post(
        "/v1/comments/c3/decisions", json={"action": "restore", "moderator": "alice"}
    )
    assert restored.json()["status"] == "held"  # back in the queue, not published
    assert "c3" in [i["comment_id"] for i in client.get("/v1/queue").json()["items"]]
    unknown = client.post(
        "/v1/comments/c2/decisions", json={"action": "approve", "moderator": "eve"}
    )
    _refused(unknown, 422, "moderator")
    _refused(
        client.post("/v1/comments/zz/decisions", json={"action": "approve", "moderator": "alice"}),
        404,
        "Unknown comment",
    )


def test_queue_items_name_the_comment_they_reply_to(client: TestClient) -> None:
    batch = {
        "comments": [
            comment("c1", "you are an idiot", article=ARTICLE),
            comment("c2", "shut up you pathetic loser", parent_id="c1", author="bob"),
        ]
    }
    client.post("/v1/comments:batch", json=batch)
    items = client.get("/v1/queue").json()["items"]
    assert [(i["comment_id"], i["parent_id"]) for i in items] == [("c1", None), ("c2", "c1")]
