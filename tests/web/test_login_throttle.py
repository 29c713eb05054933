"""The login throttle: shared by every process, bounded, and never locks the real moderator out."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from civility.api import create_app
from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import LoginFailures, Store, open_store
from civility.web import sessions
from civility.web.accounts import create_moderator
from tests.api.conftest import start_server, stop_server
from tests.store.conftest import store, store_url  # noqa: F401  (both backends)
from tests.web.conftest import PASSWORD, csrf_of, login

ATTACKER, OWNER = ("203.0.113.9", 40000), ("198.51.100.7", 40000)


@pytest.fixture
def clients(app_client: TestClient) -> Iterator[dict[str, TestClient]]:
    """The same server seen from two addresses."""
    app: FastAPI = app_client.app  # type: ignore[assignment]
    opened = {
        name: TestClient(app, base_url="https://testserver", follow_redirects=False, client=peer)
        for name, peer in (("attacker", ATTACKER), ("owner", OWNER))
    }
    yield opened
    for client in opened.values():
        client.close()


def test_a_guessed_account_signs_in_from_its_own_address_after_a_short_wait(
    clients: dict[str, TestClient],
) -> None:
    attacker, owner = clients["attacker"], clients["owner"]
    for _ in range(sessions.LOGIN_FAILURES_PER_ACCOUNT):
        assert login(attacker, password="guess").status_code == 401
    slowed = login(owner)
    assert slowed.status_code == 429
    wait = int(slowed.headers["retry-after"])
    assert 0 < wait <= sessions.LOGIN_DELAY_MAX_SECONDS
    time.sleep(wait)
    assert login(owner).status_code == 303  # the right password from elsewhere gets in
    assert login(attacker).status_code == 429  # the guessing address stays locked out
    assert int(login(attacker).headers["retry-after"]) > 60


def test_the_delay_doubles_and_stays_short(store: Store) -> None:  # noqa: F811
    limiter = sessions.LoginLimiter(store)
    now = 1_000_000.0
    waits = []
    for attempt in range(12):
        limiter.failed("alice", f"10.0.0.{attempt}", now)
        waits.append(limiter.retry_after("alice", "192.0.2.1", now))
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:8] == [1, 2, 4, 8]
    assert max(waits) == sessions.LOGIN_DELAY_MAX_SECONDS
    assert limiter.retry_after("alice", "192.0.2.1", now + 31) == 0
    assert limiter.retry_after("alice", "10.0.0.1", now + 31) == 0  # one failure there: not locked


def test_failures_are_shared_by_every_server_process(
    app_client: TestClient, seeded: Store, tiny_scorer: FastScorer, tmp_path: Path
) -> None:
    for _ in range(sessions.LOGIN_FAILURES_PER_ACCOUNT):
        assert login(app_client, password="guess").status_code == 401
    settings = Settings(data_dir=str(tmp_path), require_key=False)
    other = create_app(settings, store=seeded, scorer=tiny_scorer)
    with TestClient(other, base_url="https://testserver", follow_redirects=False) as second:
        assert login(second).status_code == 429


def test_long_usernames_leave_nothing_behind(app_client: TestClient, seeded: Store) -> None:
    login(app_client, username="warm-up", password="guess")
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(15):  # fewer than the address's limit: every one is checked and refused
        assert login(app_client, username=f"{i}" + "u" * 200_000, password="x").status_code == 401
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 1_000_000, f"15 refused 200 kB usernames kept {grown} bytes"
    with seeded.session() as session:
        assert session.scalar(select(func.max(func.length(LoginFailures.key)))) <= 64


@pytest.mark.slow
def test_forwarded_for_is_believed_only_from_configured_proxies(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    accounts = open_store(f"sqlite:///{tmp_path / 'civility.db'}")
    create_moderator(accounts, "alice", PASSWORD)
    accounts.dispose()
    server = start_server(tmp_path, tiny_model_dir)
    try:
        with httpx.Client(base_url=server.url) as client:
            codes = []
            for i in range(sessions.LOGIN_FAILURES_PER_ADDRESS + 1):
                page = client.get("/moderate/login")
                response = client.post(
                    "/moderate/login",
                    data={"username": f"user{i}", "password": "guess", "csrf": csrf_of(page.text)},
                    headers={"x-forwarded-for": f"10.1.{i}.1"},
                )
                codes.append(response.status_code)
    finally:
        stop_server(server)
    assert codes[:-1] == [401] * sessions.LOGIN_FAILURES_PER_ADDRESS
    assert codes[-1] == 429  # a made-up X-Forwarded-For did not give it a fresh address
