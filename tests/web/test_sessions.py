"""Sessions live in the store: signing out or a new password ends them for every copy of the cookie.

Against a real ``civility serve`` over loopback HTTP: a cookie copied before signing out (as
someone reading it off a shared machine would) must not open the queue afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from civility.store import ModeratorSession, Store
from civility.web import sessions
from tests.web.conftest import PASSWORD, Server, csrf_of, serve


def _serve_copy(seeded_template: Path, tiny_model_dir: Path, directory: Path) -> Iterator[Server]:
    shutil.copyfile(seeded_template, directory / "civility.db")
    with serve(directory, tiny_model_dir) as running:
        yield running


@pytest.fixture(scope="module")
def server(
    seeded_template: Path, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server for the tests that only add sessions of their own."""
    yield from _serve_copy(seeded_template, tiny_model_dir, tmp_path_factory.mktemp("sessions"))


@pytest.fixture
def own_server(seeded_template: Path, tiny_model_dir: Path, tmp_path: Path) -> Iterator[Server]:
    """A server of its own, for a test that changes alice's password."""
    yield from _serve_copy(seeded_template, tiny_model_dir, tmp_path)


def _sign_in(server: Server) -> str:
    """Sign alice in from a fresh client; its session cookie."""
    with httpx.Client(base_url=server.url, trust_env=False) as client:
        page = client.get("/moderate/login")
        response = client.post(
            "/moderate/login",
            data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(page.text)},
        )
        assert response.status_code == 303, response.text
        return client.cookies[sessions.SESSION_COOKIE]


def _opens_queue(server: Server, cookie: str) -> bool:
    """Whether a client holding only ``cookie`` sees the queue (not the sign-in page)."""
    with httpx.Client(base_url=server.url, trust_env=False) as other:
        other.cookies.set(sessions.SESSION_COOKIE, cookie)
        response = other.get("/moderate", follow_redirects=True)
    return 'name="password"' not in response.text and response.status_code == 200


def test_a_cookie_copied_before_signing_out_gets_the_sign_in_page(server: Server) -> None:
    copied = _sign_in(server)
    assert _opens_queue(server, copied)
    with httpx.Client(base_url=server.url, trust_env=False) as browser:
        browser.cookies.set(sessions.SESSION_COOKIE, copied)
        page = browser.get("/moderate")
        signed_out = browser.post("/moderate/logout", data={"csrf": csrf_of(page.text)})
        assert signed_out.status_code == 303
    assert not _opens_queue(server, copied)


@pytest.mark.slow
def test_a_new_password_from_the_command_line_ends_every_session(own_server: Server) -> None:
    server = own_server
    cookies = [_sign_in(server), _sign_in(server)]  # two browsers
    assert all(_opens_queue(server, cookie) for cookie in cookies)
    command = [sys.executable, "-c", "from civility.cli import main; main()", "moderators"]
    changed = subprocess.run(
        [
            *command,
            "passwd",
            "alice",
            "--password-stdin",
            "--database",
            f"sqlite:///{server.database}",
        ],
        input="a brand new password\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert changed.returncode == 0, changed.stderr
    assert not any(_opens_queue(server, cookie) for cookie in cookies)


def test_the_store_keeps_only_a_hash_of_the_cookie(server: Server) -> None:
    cookie = _sign_in(server)
    store: Store = server.store()
    try:
        with store.session() as session:
            ids = [row.id for row in session.query(ModeratorSession)]
    finally:
        store.dispose()
    assert sessions.session_id(cookie) in ids
    assert not any(cookie in stored for stored in ids)
