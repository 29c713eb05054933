"""Web fixtures: an app on a fresh SQLite store with held comments, moderators, and a browser.

The browser fixtures (``sync_api``, ``browser``, ``page``, and ``serve`` for a real ``civility
serve``) need Debian's ``chromium`` and the ``playwright`` package (``.ci/run`` installs both);
without them the browser tests skip, except in CI (``CI=true``) where their absence fails.

``seed_queue`` goes through the ingest service, so the queue holds what a publisher's CMS
would have sent; moderators are created with the same function as ``civility moderators``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from civility.api import create_app
from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.scoring import FastScorer, LanguageScorers
from civility.settings import Settings
from civility.store import Comment, Community, Store, open_store
from civility.web.accounts import create_moderator
from tests.conftest import english_only

PASSWORD = "correct horse battery"
HOLD_EVERYTHING = """
name = "hold-all"
default = "hold"

[[rules]]
name = "friendly"
when = "TOXICITY < 0.05"
action = "approve"
"""
HOSTILE = '<script>alert("x")</script> you idiot <img src=x onerror="alert(1)">'


def make_comment(
    comment_id: str,
    text: str,
    article: str = "a1",
    parent: str | None = None,
    author: str | None = "bob",
    title: str = "Council votes on the new budget",
) -> ArchiveComment:
    return ArchiveComment(
        article_id=article,
        comment_id=comment_id,
        text=text,
        parent_id=parent,
        author=author,
        author_name=author.title() if author else None,
        article_title=title,
        article_url=f"https://news.example/{article}",
    )


def seed_queue(
    store: Store,
    scorer: FastScorer,
    community: str,
    comments: list,
    languages: LanguageScorers | None = None,
) -> None:
    """Create ``community`` (holding every comment) and ingest ``comments`` into it, read by
    ``languages`` (default: ``scorer`` for English, and no other language)."""
    with store.writer() as session:
        if session.query(Community).filter_by(slug=community).one_or_none() is None:
            session.add(Community(slug=community, name=community.title(), policy=HOLD_EVERYTHING))
    ingest(
        store,
        languages or english_only(scorer),
        comments,
        community,
        options=IngestOptions(create_articles=True),
    )


@pytest.fixture(scope="session")
def seeded_template(tiny_scorer: FastScorer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two communities with held comments; alice moderates ``news`` only (built once, copied)."""
    path = tmp_path_factory.mktemp("seeded") / "civility.db"
    store = open_store(f"sqlite:///{path}")
    seed_queue(
        store,
        tiny_scorer,
        "news",
        [
            make_comment("c1", "Thank you for this careful reporting.", author="ann"),
            make_comment("c2", "you are a stupid idiot", parent="c1"),
            make_comment("c3", HOSTILE, article="a2", title="Storm <b>warning</b>"),
        ],
    )
    seed_queue(store, tiny_scorer, "sport", [make_comment("s1", "what a load of shit")])
    create_moderator(store, "alice", PASSWORD, ["news"])
    store.dispose()  # checkpoints the WAL: the file alone holds everything
    return path


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the seeded store, so each test may change it freely."""
    shutil.copyfile(seeded_template, tmp_path / "civility.db")
    store = open_store(f"sqlite:///{tmp_path / 'civility.db'}")
    yield store
    store.dispose()


@pytest.fixture
def app_client(seeded: Store, tiny_scorer: FastScorer, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=str(tmp_path), require_key=False)
    app = create_app(settings, store=seeded, scorer=tiny_scorer)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str = "alice", password: str = PASSWORD) -> object:
    page = client.get("/moderate/login")
    return client.post(
        "/moderate/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text)},
    )


@pytest.fixture
def signed_in(app_client: TestClient) -> TestClient:
    response = login(app_client)
    assert response.status_code == 303, response.text
    return app_client


# -- a real server and a real browser ----------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
TIMEOUT_MS = 15_000


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def sync_api() -> Any:
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    import playwright.sync_api

    return playwright.sync_api


@dataclass
class Server:
    url: str
    held: dict[str, int]
    """external id -> comment id of the seeded held comments."""
    database: Path

    def store(self) -> Store:
        """The server's store, opened here to check what a page did (dispose it after)."""
        return open_store(f"sqlite:///{self.database}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(data_dir: Path, models_root: Path) -> Iterator[Server]:
    """``civility serve`` on a free loopback port over the store in ``data_dir``, until exit."""
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    with store.session() as session:
        held = {c.external_id: c.id for c in session.query(Comment).filter_by(status="held")}
    store.dispose()
    port = _free_port()
    log = (data_dir / "serve.log").open("w")
    env = {
        **os.environ,
        "CIVILITY_MODEL_DIR": str(models_root),
        "CIVILITY_DATA_DIR": str(data_dir),
        "CIVILITY_LOG_LEVEL": "warning",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    command = [sys.executable, "-c", "from civility.cli import main; main()", "serve"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert process.poll() is None, (data_dir / "serve.log").read_text()
            assert time.monotonic() < deadline, "civility serve did not start within 60 s"
            try:
                if httpx.get(f"{url}/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield Server(url, held, data_dir / "civility.db")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs
    yield opened
    context.close()


AXE_JS = Path(__file__).resolve().parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
"""Installed by ``npm ci`` in tests/web/node (``.ci/run`` does it)."""
BLOCKING_IMPACTS = ("serious", "critical")
ALWAYS_BLOCKING = ("landmark-unique", "page-has-heading-one", "label-content-name-mismatch")
"""Rules rated moderate that these pages once broke (unnamed navs, no h1): kept fixed too."""


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as shown, one line each.

    ``label-content-name-mismatch`` is experimental in axe and runs only when asked for.
    """
    if not AXE_JS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run axe-core: npm ci in tests/web/node")
        pytest.skip("axe-core is not installed (cd tests/web/node && npm ci)")
    page.evaluate(AXE_JS.read_text())  # evaluated over the devtools protocol: the page's CSP stays
    found = page.evaluate(
        "async () => (await axe.run(document, {rules: {'label-content-name-mismatch':"
        " {enabled: true}}})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in found
        if v["impact"] in BLOCKING_IMPACTS or v["id"] in ALWAYS_BLOCKING
    ]
