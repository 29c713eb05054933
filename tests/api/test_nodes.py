"""Three ``civility serve`` nodes on one PostgreSQL, under load: what several nodes promise.

Each node is its own process, as on separate hosts behind a proxy, and they start together on
an empty database, so their migrations race for the lock. Loopback only and bounded: about a
thousand requests in all, a few seconds each test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from civility.api.keys import create_key, revoke_key
from civility.store import Comment, Store, WebhookDelivery, head_revision, open_store
from tests.api.conftest import FRIENDLY, INSULT, free_port
from tests.receivers import EventReceiver
from tests.store.conftest import POSTGRES_URL, reset_postgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

NODES = 3
QUOTA = 600
ANALYZE = "/v1alpha1/comments:analyze"
SCORE = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}


@dataclass
class Node:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Store]:
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set CIVILITY_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("CIVILITY_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    yield _store_when_migrated()
    reset_postgres(POSTGRES_URL)


def _store_when_migrated() -> Store:
    """The test's own handle on the database, opened without migrating (the nodes do that)."""
    return open_store(POSTGRES_URL, upgrade=False)


@pytest.fixture(scope="module")
def nodes(
    postgres: Store, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Node]]:
    env = {
        **os.environ,
        "CIVILITY_MODEL_DIR": str(tiny_model_dir),
        "CIVILITY_LOG_LEVEL": "warning",
        "CIVILITY_RATE_LIMIT_PER_MINUTE": str(QUOTA),
        "CIVILITY_WEBHOOK_PRIVATE_DESTINATIONS": "true",  # the receiver is on loopback
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    started = []
    for i in range(NODES):  # all at once, on an empty database
        port = free_port()
        directory = tmp_path_factory.mktemp(f"node{i}")
        command = [sys.executable, "-c", "from civility.cli import main; main()", "serve"]
        command += ["--port", str(port), "--database", POSTGRES_URL]
        command += ["--data-dir", str(directory)]
        with (directory / "serve.log").open("wb") as log:  # the node writes to its own copy
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(Node(f"http://127.0.0.1:{port}", process))
    try:
        for node in started:
            _wait_healthy(node)
        yield started
    finally:
        for node in started:
            if node.process.poll() is None:
                node.process.terminate()
        for node in started:
            try:
                node.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                node.process.kill()
        postgres.dispose()


def _wait_healthy(node: Node) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise AssertionError(f"a node exited with {node.process.returncode}")
        try:
            if httpx.get(node.url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("a node did not become healthy within 90 s")


def test_nodes_started_together_migrate_once(nodes: list[Node], postgres: Store) -> None:
    with postgres.session() as session:
        versions = session.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [v[0] for v in versions] == [head_revision()]


def test_a_quota_is_held_in_total_across_nodes(nodes: list[Node], postgres: Store) -> None:
    key, _ = create_key(postgres, "quota")  # the server default: 600 per minute
    sent = QUOTA + QUOTA // 4
    clients = threading.local()

    def call(i: int) -> tuple[int, float]:
        if not hasattr(clients, "client"):
            clients.client = httpx.Client(timeout=30)
        node = nodes[i % NODES]
        response = clients.client.post(node.url + ANALYZE, params={"key": key}, json=SCORE)
        return response.status_code, time.monotonic()

    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(sent)))
    codes = [code for code, _ in results]
    assert codes.count(200) + codes.count(429) == sent
    # Answers given within a minute of the first call were all charged in its window; a
    # machine slow enough to take longer than that may see a second window open.
    in_window = [code for code, done in results if done < start + 60]
    assert in_window.count(200) <= QUOTA * 1.05, in_window.count(200)
    assert codes.count(200) >= QUOTA * 0.95, codes.count(200)
    for n in range(NODES):  # every node refused its share once the quota was spent
        assert 429 in codes[n::NODES]


def test_a_revoked_key_is_refused_on_every_node_within_2_s(
    nodes: list[Node], postgres: Store
) -> None:
    key, _ = create_key(postgres, "to revoke")
    for node in nodes:  # each node has checked, and cached, the key
        assert httpx.post(node.url + ANALYZE, params={"key": key}, json=SCORE).status_code == 200
    revoke_key(postgres, key)
    revoked = time.monotonic()

    def refused_after(node: Node) -> float:
        while time.monotonic() - revoked < 5:
            response = httpx.post(node.url + ANALYZE, params={"key": key}, json=SCORE)
            if response.status_code == 400:
                return time.monotonic() - revoked
            time.sleep(0.05)
        return float("inf")

    with ThreadPoolExecutor(NODES) as pool:
        delays = list(pool.map(refused_after, nodes))
    assert max(delays) < 2.0, delays


def _batch(prefix: str, n: int, community: str = "default") -> dict[str, Any]:
    return {
        "community": community,
        "comments": [
            {
                "comment_id": f"{prefix}-{i}",
                "article_id": f"{prefix}-article",
                "article": {"title": "A story"},
                "author": f"user{i % 7}",
                "text": INSULT if i % 3 == 0 else FRIENDLY,
            }
            for i in range(n)
        ],
    }


def test_webhook_events_arrive_at_least_once_and_never_twice_at_once(
    nodes: list[Node], postgres: Store
) -> None:
    EventReceiver.seen, EventReceiver.overlaps = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), EventReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    admin = {"x-goog-api-key": create_key(postgres, "cms", 0, scopes=("admin",))[0]}
    try:
        httpx.put(nodes[0].url + "/v1/communities/news", headers=admin, json={"name": "News"})
        hook = {"url": f"http://127.0.0.1:{server.server_port}/hook", "secret": "s" * 16}
        added = httpx.post(nodes[1].url + "/v1/communities/news/webhooks", headers=admin, json=hook)
        assert added.status_code == 200, added.text
        for b in range(12):  # 60 comments, through every node
            node = nodes[b % NODES]
            response = httpx.post(
                node.url + "/v1/comments:batch", headers=admin, json=_batch(f"w{b}", 5, "news")
            )
            assert response.status_code == 200, response.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with postgres.session() as session:
                states = session.execute(select(WebhookDelivery.id, WebhookDelivery.status)).all()
            if states and all(status == "delivered" for _, status in states):
                break
            time.sleep(0.2)
    finally:
        server.shutdown()
    assert len(states) >= 60 and all(status == "delivered" for _, status in states)
    assert {str(i) for i, _ in states} <= set(EventReceiver.seen)  # every event at least once
    assert EventReceiver.overlaps == []  # and never by two nodes at once


def test_kill_9_of_one_node_mid_load_loses_no_acknowledged_comment(
    nodes: list[Node], postgres: Store
) -> None:
    headers = {"x-goog-api-key": create_key(postgres, "cms", 0, scopes=("ingest",))[0]}
    batches, per_batch = 45, 10
    acknowledged: set[int] = set()
    lock = threading.Lock()
    victim = nodes[2]

    def send(first: int) -> None:
        with httpx.Client(timeout=30) as client:
            for b in range(first, batches, NODES):
                # As a proxy would: a batch a dead node never acknowledged goes to the next node.
                for attempt in range(NODES):
                    node = nodes[(b + attempt) % NODES]
                    try:
                        response = client.post(
                            node.url + "/v1/comments:batch",
                            headers=headers,
                            json=_batch(f"k{b}", per_batch),
                        )
                    except httpx.TransportError:
                        continue
                    assert response.status_code == 200, response.text
                    with lock:
                        acknowledged.add(b)
                    break

    senders = [threading.Thread(target=send, args=(i,)) for i in range(NODES)]
    for sender in senders:
        sender.start()
    while len(acknowledged) < 6:
        time.sleep(0.005)
    os.kill(victim.process.pid, signal.SIGKILL)
    at_kill = len(acknowledged)
    victim.process.wait()
    for sender in senders:
        sender.join()
    assert at_kill < batches, "the kill must land while batches are in flight"
    assert len(acknowledged) == batches  # the other nodes took the dead node's share
    with postgres.session() as session:
        stored = set(
            session.scalars(select(Comment.external_id).where(Comment.external_id.like("k%")))
        )
        total = session.scalar(
            select(func.count()).select_from(Comment).where(Comment.external_id.like("k%"))
        )
    expected = {f"k{b}-{i}" for b in acknowledged for i in range(per_batch)}
    assert expected <= stored
    assert total == len(stored)  # and nothing twice
