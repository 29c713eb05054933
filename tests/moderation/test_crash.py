"""An acknowledged comment is never lost: SIGKILL the server in the middle of a batch ingest."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from civility.store import Comment, open_store

BATCHES, PER_BATCH = 60, 25

SERVER = """
import sys, uvicorn
from civility.api import create_app
from civility.scoring import load_scorer
from civility.settings import Settings
settings = Settings(database_url=sys.argv[1], require_key=False, data_dir=sys.argv[4])
app = create_app(settings, scorer=load_scorer("fast", sys.argv[2]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(url: str, model: Path, port: int, data: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(model), str(port), str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(error) from None
            time.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start")


def _batch(b: int) -> dict[str, object]:
    return {
        "comments": [
            {
                "comment_id": f"b{b}-c{i}",
                "article_id": f"article-{b % 3}",
                "article": {"title": f"Story {b % 3}"},
                "author": f"user{i % 7}",
                "text": "you are an idiot" if i % 5 == 0 else "I agree with the article.",
            }
            for i in range(PER_BATCH)
        ]
    }


def _count(url: str) -> tuple[int, int]:
    store = open_store(url)
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(Comment)) or 0
        distinct = session.scalar(select(func.count(func.distinct(Comment.external_id)))) or 0
    store.dispose()
    return total, distinct


@pytest.mark.slow
def test_sigkill_mid_batch_loses_nothing_acknowledged(
    store_url: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(store_url, tiny_model_dir / "fast", port, tmp_path)
    acknowledged: list[int] = []

    def send() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            for b in range(BATCHES):
                try:
                    response = client.post("/v1/comments:batch", json=_batch(b))
                except httpx.HTTPError:
                    return  # the server died under us: this batch was never acknowledged
                assert response.status_code == 200, response.text
                acknowledged.append(b)

    sender = threading.Thread(target=send)
    sender.start()
    while len(acknowledged) < 5 and sender.is_alive():
        time.sleep(0.005)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    sender.join()
    assert 5 <= len(acknowledged) < BATCHES, "the kill must land while batches are in flight"

    store = open_store(store_url)
    with store.session() as session:
        stored_ids = set(session.scalars(select(Comment.external_id)))
    store.dispose()
    for b in acknowledged:
        assert {f"b{b}-c{i}" for i in range(PER_BATCH)} <= stored_ids, f"batch {b} lost"
    # Batches are atomic: a batch is either entirely stored or not at all.
    assert len(stored_ids) % PER_BATCH == 0

    server = _start(store_url, tiny_model_dir / "fast", port, tmp_path)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for b in range(BATCHES):
                response = client.post("/v1/comments:batch", json=_batch(b))
                assert response.status_code == 200, response.text
                duplicates = [r["duplicate"] for r in response.json()["results"]]
                if b in acknowledged:
                    assert all(duplicates), f"acknowledged batch {b} was stored again"
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert _count(store_url) == (BATCHES * PER_BATCH, BATCHES * PER_BATCH)
