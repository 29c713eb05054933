"""Load shedding over real HTTP: past its limit the server refuses at once, and recovers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import INSULT, LiveServer, start_server, stop_server

BURST = 60
LONG = ("you are a stupid idiot and this is a long comment about the council budget " * 250)[
    :20_000
]


@pytest.fixture
def tiny_limit_server(tiny_model_dir: Path, tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path,
        tiny_model_dir,
        extra_env={
            "CIVILITY_MAX_CONCURRENCY": "1",
            "CIVILITY_MAX_QUEUE": "1",
            "CIVILITY_RATE_LIMIT_PER_MINUTE": "0",
        },
    )
    yield server
    stop_server(server)


def _analyze(text: str) -> dict[str, object]:
    return {
        "comment": {"text": text},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
        "spanAnnotations": True,
    }


async def _burst(server: LiveServer) -> tuple[list[httpx.Response], list[httpx.Response]]:
    limits = httpx.Limits(max_connections=BURST + 10)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
        path = f"/v1alpha1/comments:analyze?key={server.key}"
        calls = [client.post(path, json=_analyze(LONG)) for _ in range(BURST)]
        health = [client.get("/healthz") for _ in range(5)]
        answers = await asyncio.gather(*calls, *health)
    return list(answers[:BURST]), list(answers[BURST:])


def test_excess_requests_are_shed_with_retry_after_and_health_still_answers(
    tiny_limit_server: LiveServer,
) -> None:
    analyzed, health = asyncio.run(_burst(tiny_limit_server))
    codes = sorted(r.status_code for r in analyzed)
    assert set(codes) <= {200, 503}, codes
    shed = [r for r in analyzed if r.status_code == 503]
    assert shed and len(shed) < BURST, codes  # one ran, one waited, the rest were refused
    for response in shed:
        assert response.headers["retry-after"] == "1"
        error = response.json()["error"]
        assert error["code"] == 503 and error["status"] == "UNAVAILABLE"
        assert error["details"][0]["reason"] == "UNAVAILABLE"
    assert [r.status_code for r in health] == [200] * len(health)
    metrics = httpx.get(f"{tiny_limit_server.url}/metrics").text
    assert f"civility_http_shed_total {float(len(shed))}" in metrics
    # Once the burst is over, requests one at a time are all served again.
    with httpx.Client(base_url=tiny_limit_server.url) as client:
        path = f"/v1alpha1/comments:analyze?key={tiny_limit_server.key}"
        assert [client.post(path, json=_analyze(INSULT)).status_code for _ in range(5)] == [200] * 5
