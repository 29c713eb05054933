"""Concurrent moderators, signed webhooks with retries, thread alerts."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from civility.errors import DecisionConflictError, WebhookDestinationError
from civility.moderation.queue import QueueQuery, article_health, list_queue
from civility.moderation.service import ModerationService
from civility.moderation.webhooks import (
    backoff,
    check_destination,
    claim_due,
    deliver_due,
    verify,
)
from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import Community, Decision, Store, Webhook, WebhookDelivery
from tests.receivers import EventReceiver

from .conftest import submit

SECRET = "s3cret-s3cret-s3cret"


def rows(n: int, text: str = "you are an idiot", article: str = "a1") -> list[dict[str, str]]:
    return [
        {"article_id": article, "comment_id": f"{article}-{i}", "text": text, "author": f"u{i}"}
        for i in range(n)
    ]


def test_concurrent_moderators_one_wins_the_other_gets_a_conflict(
    store: Store, tiny_scorer: FastScorer, moderators: list[str]
) -> None:
    submit(store, tiny_scorer, rows(6))
    for i in range(6):
        barrier = threading.Barrier(2)

        def decide(
            who: str, action: str, cid: str = f"a1-{i}", barrier: threading.Barrier = barrier
        ) -> str:
            barrier.wait()
            try:
                ModerationService(store).decide("default", cid, action, who)
            except DecisionConflictError:
                return "conflict"
            return "won"

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(decide, moderators, ["approve", "reject"]))
        assert sorted(outcomes) == ["conflict", "won"]
    with store.session() as session:
        by_moderators = session.scalars(
            select(Decision).where(Decision.actor.like("moderator:%"))
        ).all()
    assert len(by_moderators) == 6  # exactly one moderator decision per comment


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if Receiver.fail_first > 0:
            Receiver.fail_first -= 1
            self.send_response(503)
        else:
            Receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Any:
    Receiver.received = []
    Receiver.fail_first = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def _hook(store: Store, url: str) -> None:
    with store.writer() as session:
        community = session.scalar(select(Community).where(Community.slug == "default"))
        if community is None:
            community = Community(slug="default", name="default")
            session.add(community)
            session.flush()
        session.add(Webhook(community_id=community.id, url=url, secret=SECRET))


def test_decisions_reach_the_cms_signed(
    store: Store, tiny_scorer: FastScorer, receiver: str
) -> None:
    _hook(store, receiver)
    submit(store, tiny_scorer, rows(2))
    with httpx.Client() as client:
        assert deliver_due(store, client, allow_private=True) == 2
        # Delivered events are not sent again.
        assert deliver_due(store, client, allow_private=True) == 0
    headers, body = Receiver.received[0]
    assert verify(SECRET, headers["x-civility-timestamp"], body, headers["x-civility-signature"])
    assert not verify(
        "wrong-secret-wrong", headers["x-civility-timestamp"], body, headers["x-civility-signature"]
    )
    payload = json.loads(body)
    assert (payload["event"], payload["comment_id"], payload["status"]) == (
        "comment.decided",
        "a1-0",
        "held",
    )


def test_failed_deliveries_are_retried_with_backoff(
    store: Store, tiny_scorer: FastScorer, receiver: str
) -> None:
    _hook(store, receiver)
    Receiver.fail_first = 1
    submit(store, tiny_scorer, rows(1))
    with httpx.Client() as client:
        deliver_due(store, client, allow_private=True)
        with store.session() as session:
            delivery = session.scalars(select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            "pending",
            1,
            "HTTP 503",
        )
        assert delivery.next_attempt_at > datetime.now(UTC)
        # Not due yet: it waits out its backoff.
        assert deliver_due(store, client, allow_private=True) == 0
        with store.writer() as session:
            session.execute(
                WebhookDelivery.__table__.update().values(next_attempt_at=datetime.now(UTC))
            )
        assert deliver_due(store, client, allow_private=True) == 1
    assert len(Receiver.received) == 1
    assert backoff(1, 1.0) < backoff(3, 1.0) < backoff(30, 1.0) == 3600.0


def test_an_unreachable_cms_never_blocks_ingestion(store: Store, tiny_scorer: FastScorer) -> None:
    _hook(store, "http://127.0.0.1:9/never")  # discard port: nothing listens
    results = submit(store, tiny_scorer, rows(3))
    assert len(results) == 3
    with store.session() as session:
        assert len(session.scalars(select(WebhookDelivery)).all()) == 3


def test_a_discussion_turning_toxic_raises_one_alert(store: Store, tiny_scorer: FastScorer) -> None:
    calm = rows(6, "I agree with the article, good points.", "hot")
    results = submit(store, tiny_scorer, calm)
    assert not any(r.alert for r in results)
    heated = [
        {**r, "comment_id": f"x{i}"} for i, r in enumerate(rows(8, "you are an idiot", "hot"))
    ]
    results = submit(store, tiny_scorer, heated[:4]) + submit(store, tiny_scorer, heated[4:])
    assert sum(r.alert for r in results) == 1  # once per episode, across batches
    health = article_health(store, "default", "hot")
    assert health["alert"] is True and health["comments"] == 14
    queue = list_queue(store, "default", QueueQuery(article="hot"))
    assert queue["items"] and all(i["thread_alert"] for i in queue["items"])


def test_processes_delivering_together_send_each_event_once(
    store: Store, tiny_scorer: FastScorer
) -> None:
    EventReceiver.seen, EventReceiver.overlaps = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), EventReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _hook(store, f"http://127.0.0.1:{server.server_port}/hook")
    submit(store, tiny_scorer, rows(40))
    barrier = threading.Barrier(3)

    def worker(_: int) -> None:
        with httpx.Client() as client:
            barrier.wait()
            while deliver_due(store, client, limit=5, allow_private=True):
                pass

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(worker, range(3)))
    server.shutdown()
    with store.session() as session:
        deliveries = session.execute(
            select(WebhookDelivery.id, WebhookDelivery.attempts).order_by(WebhookDelivery.id)
        ).all()
    assert len(deliveries) >= 40  # a decision per comment, and the thread's alert
    assert sorted(EventReceiver.seen, key=int) == [str(d.id) for d in deliveries]  # each once
    assert EventReceiver.overlaps == []
    assert {d.attempts for d in deliveries} == {1}


def test_a_killed_senders_claims_expire_and_are_sent_again(
    store: Store, tiny_scorer: FastScorer, receiver: str
) -> None:
    _hook(store, receiver)
    submit(store, tiny_scorer, rows(2))
    assert len(claim_due(store, 10, lease_s=0.5)) == 2  # claimed, then the process "dies"
    assert claim_due(store, 10) == []  # nobody else may take them while the lease runs
    time.sleep(0.6)
    with httpx.Client() as client:
        assert deliver_due(store, client, allow_private=True) == 2
    assert len(Receiver.received) == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/x",
    ],
)
def test_webhooks_to_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(WebhookDestinationError, match="non-public address"):
        check_destination(url)
    check_destination(url, allow_private=True)


def _app(store: Store, scorer: FastScorer, tmp_path: Path, **settings: Any) -> TestClient:
    from civility.api import create_app

    values = Settings(data_dir=str(tmp_path), require_key=False, **settings)
    return TestClient(create_app(values, store=store, scorer=scorer))


@pytest.mark.slow
def test_registration_refuses_private_destinations_unless_allowed(
    store: Store, tiny_scorer: FastScorer, tmp_path: Path
) -> None:
    hook = {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
    with _app(store, tiny_scorer, tmp_path) as client:
        client.put("/v1/communities/news", json={"name": "News"})
        refused = client.post("/v1/communities/news/webhooks", json=hook)
        assert refused.status_code == 422
        assert "non-public address" in refused.json()["error"]
    with _app(store, tiny_scorer, tmp_path, webhook_private_destinations=True) as client:
        assert client.post("/v1/communities/news/webhooks", json=hook).status_code == 200


def test_delivery_failures_are_visible_through_the_api(
    store: Store, tiny_scorer: FastScorer, tmp_path: Path
) -> None:
    _hook(store, "http://127.0.0.1:9/never")  # registered while allowed; not allowed now
    submit(store, tiny_scorer, rows(2))
    with httpx.Client() as client:
        assert deliver_due(store, client) == 2
    with _app(store, tiny_scorer, tmp_path) as client:
        [hook] = client.get("/v1/communities/default/webhooks").json()["webhooks"]
    assert hook["deliveries"] == {"pending": 2, "delivered": 0, "failed": 0}
    assert len(hook["recent_failures"]) == 2
    assert all("non-public address" in f["error"] for f in hook["recent_failures"])
