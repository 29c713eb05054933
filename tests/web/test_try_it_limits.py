"""The try-it page needs no key: each address is rate limited, and nothing it scores is kept."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civility.api import create_app
from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import Store

ONE, OTHER = ("203.0.113.9", 40000), ("198.51.100.7", 40000)


@pytest.fixture
def limited(
    seeded: Store, tiny_scorer: FastScorer, tmp_path: Path
) -> Iterator[dict[str, TestClient]]:
    settings = Settings(data_dir=str(tmp_path), require_key=False, try_it_per_minute=3)
    app = create_app(settings, store=seeded, scorer=tiny_scorer)
    clients = {
        name: TestClient(app, base_url="https://testserver", client=peer)
        for name, peer in (("one", ONE), ("other", OTHER))
    }
    yield clients
    for client in clients.values():
        client.close()


def test_each_address_may_score_a_few_comments_a_minute(limited: dict[str, TestClient]) -> None:
    one, other = limited["one"], limited["other"]
    codes = [one.post("/", data={"text": f"you idiot {i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 200]
    refused = one.post("/", data={"text": "you idiot again"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert "Too many comments from your address" in refused.text
    assert other.post("/", data={"text": "you idiot"}).status_code == 200  # another address


@pytest.mark.slow
def test_long_texts_are_not_kept_in_the_span_cache(app_client: TestClient) -> None:
    cache = app_client.app.state.civility.spans  # type: ignore[attr-defined]
    labels = list(cache.scorer.labels_)
    cache.spans("you are an idiot", labels)
    assert len(cache) == 1  # a comment of usual length is kept for the next reload
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(60):  # made and dropped here: only the cache could keep them
        cache.spans(f"{i} " + "you stupid idiot, read the article " * 550, labels)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(cache) == 1
    assert grown < 500_000, f"60 texts of 19 kB kept {grown} bytes"


def test_the_span_cache_keeps_at_most_its_size(app_client: TestClient) -> None:
    cache = app_client.app.state.civility.spans  # type: ignore[attr-defined]
    cache.size = 5
    for i in range(20):
        cache.spans(f"comment number {i}", ["TOXICITY"])
    assert len(cache) == 5
