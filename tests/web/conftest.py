"""Web fixtures: an app on a fresh SQLite store with held comments, moderators, and a browser.

``seed_queue`` goes through the ingest service, so the queue holds what a publisher's CMS
would have sent; moderators are created with the same function as ``civility moderators``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civility.api import create_app
from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.scoring import FastScorer
from civility.settings import Settings
from civility.store import Community, Store, open_store
from civility.web.accounts import create_moderator

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


def seed_queue(store: Store, scorer: FastScorer, community: str, comments: list) -> None:
    """Create ``community`` (holding every comment) and ingest ``comments`` into it."""
    with store.writer() as session:
        if session.query(Community).filter_by(slug=community).one_or_none() is None:
            session.add(Community(slug=community, name=community.title(), policy=HOLD_EVERYTHING))
    ingest(store, scorer, comments, community, options=IngestOptions(create_articles=True))


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
