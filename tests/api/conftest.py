"""API fixtures: an in-process app on a fresh SQLite store, and a live ``civility serve``.

The in-process ``client`` is for behaviour and error cases; ``live_server`` runs the real
command in a subprocess on a loopback port, for third-party clients that open sockets.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from civility.api import create_app
from civility.api.keys import create_key
from civility.scoring import FastScorer, LanguageScorers
from civility.settings import Settings
from civility.store import Store, open_store
from tests.conftest import english_only

INSULT = "you are a stupid idiot"
FRIENDLY = "Thank you for this thoughtful article, I learned a lot."


@pytest.fixture
def api_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'civility.db'}")
    yield store
    store.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path))


@pytest.fixture
def make_client(api_store: Store, tiny_scorer: FastScorer, settings: Settings) -> Iterator[object]:
    """Build a TestClient for given settings overrides; closed at teardown."""
    clients: list[TestClient] = []

    def make(languages: LanguageScorers | None = None, **overrides: object) -> TestClient:
        values = {**settings.__dict__, **overrides}
        app = create_app(
            Settings(**values),
            store=api_store,
            scorer=tiny_scorer,
            languages=languages or english_only(tiny_scorer),
        )
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:  # type: ignore[no-untyped-def]
    return make_client()


@pytest.fixture
def api_key(api_store: Store) -> str:
    return create_key(api_store, "tests")[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    key: str
    data_dir: Path
    process: subprocess.Popen[str]


def start_server(
    data_dir: Path, model_dir: Path, workers: int = 1, extra_env: dict[str, str] | None = None
) -> LiveServer:
    """Run ``civility serve`` on a free loopback port; wait until /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "CIVILITY_MODEL_DIR": str(model_dir),
        "CIVILITY_DATA_DIR": str(data_dir),
        "CIVILITY_LOG_LEVEL": "warning",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-c",
        "from civility.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"(civ_\S+)", first)
    assert match, f"serve did not print a first key: {first!r}"
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(url, match.group(1), data_dir, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("serve did not become healthy within 60 s")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def live_server(
    tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("serve"), tiny_model_dir)
    yield server
    stop_server(server)


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients under test must reach the loopback server directly, whatever the machine's proxy."""
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
