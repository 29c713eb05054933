"""Schemathesis against the live server's OpenAPI description: no input gives a 5xx.

Runs on the Perspective surface (``/v1alpha1``, ``/batch``, discovery, health, metrics) with a
key that has no rate limit, so generated requests reach validation and scoring; afterwards the
server must still be up and healthy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from civility.api.keys import create_key
from civility.store import open_store
from tests.api.conftest import LiveServer, start_server, stop_server

EXAMPLES = 40
OURS = r"^/(v1alpha1/|batch$|\$discovery/|healthz$|metrics$)"


@pytest.fixture(scope="module")
def fuzz_server(
    tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("fuzz"), tiny_model_dir)
    store = open_store(f"sqlite:///{server.data_dir / 'civility.db'}")
    server.key = create_key(store, "fuzz", rate_limit=0)[0]
    store.dispose()
    yield server
    assert server.process.poll() is None, "the server died during the fuzz run"
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    stop_server(server)


def test_no_input_gives_a_server_error(fuzz_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json").include(
        path_regex=OURS
    )
    tried = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case) -> None:  # type: ignore[no-untyped-def]
            case.headers = {**(case.headers or {}), "x-goog-api-key": fuzz_server.key}
            response = case.call(timeout=30)
            statuses.append(response.status_code)
            assert response.status_code < 500, (case.path, response.status_code, response.text)

        call()
    assert "POST /v1alpha1/comments:analyze" in tried
    assert "POST /v1alpha1/comments:suggestscore" in tried
    assert len(statuses) >= 2 * EXAMPLES
    assert 200 in statuses and 400 in statuses  # both valid and refused inputs were reached
