"""The moderation desk over real HTTP: author actions at intake, reader reports, queues, undo.

One ``civility serve`` for the module, on a store this module sets up (communities, moderators,
a webhook); every test works on comments and authors of its own, so the tests hold in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from civility.api.keys import create_key
from civility.store import Author, Comment, Community, Store, Webhook, WebhookDelivery, open_store
from civility.web.accounts import create_moderator
from tests.api.conftest import FRIENDLY, INSULT, LiveServer, start_server, stop_server

DESK_POLICY = """
name = "desk"
default = "approve"

[[rules]]
name = "toxic"
when = "TOXICITY >= 0.5"
action = "hold"
"""
REPORTS_PER_HOUR = 4
CLOSED_PORT_HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture(scope="module")
def server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("desk-api")
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    with store.writer() as session:
        for slug in ("news", "sport"):
            community = Community(slug=slug, name=slug.title(), policy=DESK_POLICY)
            session.add(community)
            session.flush()
            session.add(
                # A closed loopback port: deliveries fail at once, where an unresolvable
                # host can hold the server's stop for the send's whole timeout.
                Webhook(community_id=community.id, url=CLOSED_PORT_HOOK, secret="s" * 16)
            )
    create_moderator(store, "alice", "correct horse battery", ["news"])
    create_moderator(store, "bruno", "correct horse battery", ["news"])
    create_moderator(store, "mallory", "correct horse battery", ["sport"])
    store.dispose()
    extra = {
        "CIVILITY_REPORTS_PER_HOUR": str(REPORTS_PER_HOUR),
        "CIVILITY_WEBHOOK_PRIVATE_DESTINATIONS": "true",
    }
    running = start_server(data_dir, tiny_model_dir, extra_env=extra)
    yield running
    stop_server(running)


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.url, headers={"x-goog-api-key": server.key}, timeout=30
    ) as client:
        yield client


@pytest.fixture
def store(server: LiveServer) -> Iterator[Store]:
    """The server's store, opened here to check what a request did."""
    opened = open_store(f"sqlite:///{server.data_dir / 'civility.db'}")
    yield opened
    opened.dispose()


def post_comment(
    http: httpx.Client, comment_id: str, text: str, author: str, community: str = "news"
) -> dict[str, Any]:
    response = http.post(
        "/v1/comments",
        json={
            "community": community,
            "comment_id": comment_id,
            "article_id": "desk-a1",
            "text": text,
            "author": author,
            "article": {"title": "The council's budget"},
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def act(http: httpx.Client, author: str, action: str, **extra: Any) -> httpx.Response:
    body = {"action": action, "reason": f"{action} for the test", "moderator": "alice", **extra}
    return http.post(f"/v1/communities/news/authors/{author}/actions", json=body)


def events_about(store: Store, key: str, value: str) -> list[dict[str, Any]]:
    with store.session() as session:
        payloads = session.query(WebhookDelivery.payload).order_by(WebhookDelivery.id).all()
    return [p for (p,) in payloads if p.get(key) == value]


def test_ban_unban_suspend_and_premoderate_apply_to_the_next_comment(
    http: httpx.Client, store: Store
) -> None:
    # A ban may come before the author's first comment.
    banned = act(http, "troll", "ban")
    assert banned.status_code == 200, banned.text
    assert banned.json()["status"] == "banned"
    first = post_comment(http, "t1", FRIENDLY, "troll")
    assert first["status"] == "rejected"
    assert first["decision"]["rule"] == "author-banned"
    assert "banned" in first["decision"]["reason"]
    trail = http.get("/v1/comments/t1", params={"community": "news"}).json()["decisions"]
    assert [(d["actor"], d["action"]) for d in trail] == [("policy:author-banned", "reject")]

    assert act(http, "troll", "unban").json()["status"] == "active"
    assert post_comment(http, "t2", FRIENDLY, "troll")["status"] == "approved"

    until = datetime.now(UTC) + timedelta(hours=2)
    suspended = act(http, "troll", "suspend", until=until.isoformat())
    assert suspended.status_code == 200, suspended.text
    held = post_comment(http, "t3", FRIENDLY, "troll")
    assert (held["status"], held["decision"]["rule"]) == ("held", "author-suspended")
    # Time passes: the suspension ends by itself, with no one lifting it.
    with store.writer() as session:
        author = session.query(Author).filter_by(external_id="troll").one()
        author.until = datetime.now(UTC) - timedelta(minutes=1)
    assert post_comment(http, "t4", FRIENDLY, "troll")["status"] == "approved"

    assert act(http, "troll", "premoderate").json()["status"] == "premoderated"
    premoderated = post_comment(http, "t5", FRIENDLY, "troll")
    assert (premoderated["status"], premoderated["decision"]["rule"]) == (
        "held",
        "author-premoderated",
    )
    assert act(http, "troll", "warn").json()["status"] == "premoderated"  # a warning changes none

    record = http.get("/v1/communities/news/authors/troll").json()
    assert record["status"] == "premoderated"
    assert record["counts"]["rejected"] == 1 and record["counts"]["held"] == 2
    assert record["comments"] == 5
    assert record["rejection_rate"] == pytest.approx(1 / 3, abs=1e-3)  # 1 of 3 decided
    assert [c["comment_id"] for c in record["recent"]][:1] == ["t5"]
    assert record["warnings"] == 1
    assert [a["action"] for a in record["actions"]] == [
        "warn",
        "premoderate",
        "suspend",
        "unban",
        "ban",
    ]
    assert {a["moderator"] for a in record["actions"]} == {"alice"}
    assert record["actions"][0]["reason"] == "warn for the test"

    sent = [e["event"] for e in events_about(store, "author", "troll")]
    assert sent == [
        "author.banned",
        "author.unbanned",
        "author.suspended",
        "author.premoderated",
        "author.warned",
    ]


def test_a_community_may_hold_banned_authors_comments_instead(
    http: httpx.Client, store: Store
) -> None:
    policy = DESK_POLICY.replace(
        'default = "approve"', 'default = "approve"\nbanned_authors = "hold"'
    )
    assert http.put("/v1/communities/sport", json={"policy": policy}).status_code == 200
    body = {"action": "ban", "reason": "spam", "moderator": "mallory"}
    assert http.post("/v1/communities/sport/authors/spammer/actions", json=body).status_code == 200
    result = post_comment(http, "sp1", FRIENDLY, "spammer", community="sport")
    assert (result["status"], result["decision"]["rule"]) == ("held", "author-banned")


def test_author_actions_are_refused_outside_what_the_caller_may_do(
    http: httpx.Client, server: LiveServer, store: Store
) -> None:
    body = {"action": "ban", "reason": "x", "moderator": "mallory"}  # moderates sport only
    assert http.post("/v1/communities/news/authors/ann/actions", json=body).status_code == 403
    ingest_only = create_key(store, "cms", scopes=["ingest"])[0]
    refused = httpx.post(
        f"{server.url}/v1/communities/news/authors/ann/actions",
        json={**body, "moderator": "alice"},
        headers={"x-goog-api-key": ingest_only},
    )
    assert refused.status_code == 403
    too_short = act(
        http, "ann", "suspend", until=(datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    )
    assert too_short.status_code == 422 and "1 hour to 7 days" in too_short.json()["error"]
    too_long = act(
        http, "ann", "suspend", until=(datetime.now(UTC) + timedelta(days=8)).isoformat()
    )
    assert too_long.status_code == 422
    assert act(http, "ann", "suspend").status_code == 422  # no end given
    assert act(http, "ann", "exile").status_code == 422
    with store.session() as session:
        assert session.query(Author).filter_by(external_id="ann").count() == 0  # nothing written


def test_reports_move_a_published_comment_to_the_reported_queue(
    http: httpx.Client, store: Store
) -> None:
    assert post_comment(http, "r1", FRIENDLY, "rita")["status"] == "approved"

    def report(reporter: str) -> httpx.Response:
        body = {"community": "news", "reason": "off-topic", "reporter": reporter}
        return http.post("/v1/comments/r1/reports", json=body)

    assert report("reader1").json()["reports"] == 1
    again = report("reader1").json()  # one reader counts once
    assert (again["reports"], again["duplicate"], again["status"]) == (1, True, "approved")
    assert report("reader2").json()["status"] == "approved"
    third = report("reader3").json()
    assert (third["status"], third["reports"], third["threshold"]) == ("reported", 3, 3)

    reported = http.get("/v1/queue", params={"community": "news", "status": "reported"}).json()
    assert [i["comment_id"] for i in reported["items"]] == ["r1"]
    assert reported["counts"]["reported"] == 1
    trail = http.get("/v1/comments/r1", params={"community": "news"}).json()["decisions"]
    assert (trail[-1]["actor"], trail[-1]["action"]) == ("readers", "report")
    assert "3 reader reports" in trail[-1]["reason"]

    # A moderator keeps it: it is published again and needs fresh reports to come back.
    kept = http.post(
        "/v1/comments/r1/decisions",
        json={
            "community": "news",
            "action": "approve",
            "moderator": "alice",
            "expected_status": "reported",
        },
    )
    assert kept.status_code == 200, kept.text
    assert report("reader4").json()["status"] == "approved"
    events = [e["event"] for e in events_about(store, "comment_id", "r1")]
    assert events.count("comment.reported") == 4
    assert "comment.decided" in events


def test_a_reader_may_file_only_so_many_reports_an_hour(http: httpx.Client) -> None:
    for i in range(REPORTS_PER_HOUR + 1):
        post_comment(http, f"flood{i}", FRIENDLY, "fiona")
    body = {"community": "news", "reason": "spam", "reporter": "flooder"}
    codes = [
        http.post(f"/v1/comments/flood{i}/reports", json=body).status_code
        for i in range(REPORTS_PER_HOUR + 1)
    ]
    assert codes == [200] * REPORTS_PER_HOUR + [429]


def test_queue_counts_each_queue_and_lists_unmoderated_comments(
    http: httpx.Client, store: Store
) -> None:
    post_comment(http, "q1", FRIENDLY, "quinn")
    post_comment(http, "q2", INSULT, "quinn")
    unmoderated = http.get("/v1/queue", params={"community": "news", "status": "unmoderated"})
    listed = [i["comment_id"] for i in unmoderated.json()["items"]]
    assert "q1" in listed and "q2" not in listed
    counts = unmoderated.json()["counts"]
    assert set(counts) == {"held", "reported", "unmoderated", "approved", "rejected", "pending"}
    with store.session() as session:
        news = session.query(Community).filter_by(slug="news").one()
        held = session.query(Comment).filter_by(community_id=news.id, status="held").count()
    assert counts["held"] == held
    assert counts["unmoderated"] <= counts["approved"]
    refused = http.get("/v1/queue", params={"community": "news", "status": "flagged"})
    assert refused.status_code == 422


def test_undo_returns_the_last_decision_and_only_that(http: httpx.Client, store: Store) -> None:
    assert post_comment(http, "u1", INSULT, "uma")["status"] == "held"
    decided = http.post(
        "/v1/comments/u1/decisions",
        json={"community": "news", "action": "approve", "moderator": "bruno"},
    )
    assert decided.json()["status"] == "approved"
    undone = http.post("/v1/decisions:undo", json={"community": "news", "moderator": "bruno"})
    assert undone.status_code == 200, undone.text
    assert (undone.json()["comment_id"], undone.json()["status"]) == ("u1", "held")
    with store.session() as session:
        assert session.query(Comment).filter_by(external_id="u1").one().status == "held"
    trail = http.get("/v1/comments/u1", params={"community": "news"}).json()["decisions"]
    assert [d["action"] for d in trail] == ["hold", "approve", "undo"]
    again = http.post("/v1/decisions:undo", json={"community": "news", "moderator": "bruno"})
    assert again.status_code == 404  # the undo itself is not undone

    # Someone decided the comment since: undoing would overwrite them, so it is refused.
    http.post(
        "/v1/comments/u1/decisions",
        json={"community": "news", "action": "reject", "moderator": "bruno"},
    )
    http.post(
        "/v1/comments/u1/decisions",
        json={
            "community": "news",
            "action": "restore",
            "moderator": "alice",
            "expected_status": "rejected",
        },
    )
    late = http.post("/v1/decisions:undo", json={"community": "news", "moderator": "bruno"})
    assert late.status_code == 409
    assert "restore" in late.json()["error"]
