"""The desk's author, report, undo and live-count flows in headless Chromium.

Each flow is checked by reloading the page and in the store. New comments arrive as a CMS sends
them (the ingest service, or reports over the HTTP API) while the browser works the desk.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from civility.api.keys import create_key
from civility.moderation.ingest import ingest
from civility.scoring import FastScorer
from civility.store import Author, Comment, open_store
from civility.web.accounts import create_moderator
from tests.conftest import english_only
from tests.web.conftest import PASSWORD, Server, axe_violations, make_comment, seed_queue, serve
from tests.web.test_desk_browser import PHONE, sign_in, status

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a server and Chromium per module

FRIENDLY = "Thank you for this careful reporting."


@pytest.fixture(scope="module")
def server(
    sync_api: Any,
    tiny_scorer: FastScorer,
    tiny_model_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("desk-flows")
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    seed_queue(
        store,
        tiny_scorer,
        "news",
        [
            make_comment(f"f{i}", f"you are a stupid idiot number {i}", author=f"writer{i}")
            for i in range(6)
        ]
        + [make_comment("p1", FRIENDLY, author="polly"), make_comment("p2", "idiot", parent="p1")],
    )
    create_moderator(store, "alice", PASSWORD, ["news"], display_name="Alice")
    store.dispose()
    with serve(data_dir, tiny_model_dir) as running:
        yield running


def arrive(server: Server, scorer: FastScorer, comment_id: str, text: str, author: str) -> str:
    """A comment sent by the CMS now; its status as the store holds it."""
    store = server.store()
    try:
        comments = [make_comment(comment_id, text, author=author)]
        ingest(store, english_only(scorer), comments, "news")
    finally:
        store.dispose()
    return status(server, comment_id)


def comment_number(server: Server, external: str) -> int:
    store = server.store()
    try:
        with store.session() as session:
            return int(session.query(Comment).filter_by(external_id=external).one().id)
    finally:
        store.dispose()


def open_author(page: Any, server: Server, external: str) -> None:
    """From the queue, the record of the author of comment ``external``."""
    page.click(f"#c{server.held[external]} .author-link")
    page.wait_for_selector("#author")


def test_ban_from_the_author_page_rejects_the_next_comment(
    server: Server, page: Any, tiny_scorer: FastScorer
) -> None:
    sign_in(page, server)
    open_author(page, server, "f0")
    page.fill("#author-reason", "keeps insulting people")
    page.click("#author-actions button[value=ban]")
    page.wait_for_selector("#notice:has-text('Banned writer0.')")
    page.reload()
    assert page.locator("#author-status").inner_text() == "banned"
    assert "keeps insulting people" in page.locator("#author-history").inner_text()
    assert arrive(server, tiny_scorer, "f0-next", FRIENDLY, "writer0") == "rejected"
    page.goto(server.url + "/moderate?status=rejected")
    rejected = page.locator(f"#c{comment_number(server, 'f0-next')}")
    assert "banned" in rejected.locator(".trail").inner_text()
    page.goto(server.url + "/moderate/authors/news/writer0")
    page.click("#author-actions button[value=unban]")
    page.wait_for_selector("#notice:not(:empty)")
    assert arrive(server, tiny_scorer, "f0-after", FRIENDLY, "writer0") == "approved"


def test_suspend_holds_comments_until_it_ends(
    server: Server, page: Any, tiny_scorer: FastScorer
) -> None:
    sign_in(page, server)
    open_author(page, server, "f1")
    page.select_option("#author-hours", "1")
    page.click("#author-actions button[value=suspend]")
    page.wait_for_selector("#notice:has-text('Suspended writer1.')")
    page.reload()
    assert page.locator("#author-status").inner_text() == "suspended"
    assert arrive(server, tiny_scorer, "f1-during", FRIENDLY, "writer1") == "held"
    page.goto(server.url + "/moderate?q=writer1")
    assert page.locator(f"#c{comment_number(server, 'f1-during')}").count() == 1
    store = server.store()  # an hour passes
    try:
        with store.writer() as session:
            author = session.query(Author).filter_by(external_id="writer1").one()
            author.until = datetime.now(UTC) - timedelta(seconds=1)
    finally:
        store.dispose()
    assert arrive(server, tiny_scorer, "f1-after", FRIENDLY, "writer1") == "approved"
    page.goto(server.url + "/moderate/authors/news/writer1")
    assert page.locator("#author-status").inner_text() == "active"


def test_reports_bring_a_published_comment_into_the_reported_tab(server: Server, page: Any) -> None:
    assert status(server, "p1") == "approved"
    store = server.store()
    try:
        key = create_key(store, "cms", scopes=["ingest"])[0]
    finally:
        store.dispose()
    for reader in ("reader-a", "reader-b", "reader-c"):
        filed = httpx.post(
            f"{server.url}/v1/comments/p1/reports",
            json={"community": "news", "reason": "rude", "reporter": reader},
            headers={"x-goog-api-key": key},
            trust_env=False,
        )
        assert filed.status_code == 200, filed.text
    assert status(server, "p1") == "reported"
    sign_in(page, server)
    page.locator("#queue .item").first.focus()
    page.keyboard.press("2")
    page.wait_for_url("**status=reported**")
    target = f"#c{comment_number(server, 'p1')}"
    assert page.locator('.tabs a[aria-current="page"]').inner_text() == "Reported 1"
    assert "3 reader reports" in page.locator(f"{target} .trail").inner_text()
    page.locator(target).focus()
    with page.expect_response("**/moderate/decide") as decided:
        page.keyboard.press("a")  # the moderator keeps it
    assert decided.value.status == 200
    page.reload()
    assert page.locator(target).count() == 0
    assert status(server, "p1") == "approved"


def test_undo_returns_the_last_decision(server: Server, page: Any) -> None:
    sign_in(page, server)
    target = f"#c{server.held['f3']}"
    page.locator(target).focus()
    with page.expect_response("**/moderate/decide"):
        page.keyboard.press("r")
    page.wait_for_selector(target, state="detached")
    assert status(server, "f3") == "rejected"
    page.locator("#queue .item").first.focus()
    page.keyboard.press("u")
    page.wait_for_selector("#notice:has-text('Undid reject')")
    page.reload()
    assert page.locator(target).count() == 1
    assert status(server, "f3") == "held"
    assert "undo" in page.locator(f"{target} .trail").inner_text()


def test_new_comments_are_announced_without_moving_the_list(
    server: Server, page: Any, tiny_scorer: FastScorer
) -> None:
    page.clock.install()
    sign_in(page, server)
    before = page.locator("#queue .item").count()
    assert arrive(server, tiny_scorer, "live1", "you utter idiot", "newcomer") == "held"
    page.clock.run_for(16_000)
    page.wait_for_selector("#live-show")
    assert page.locator("#live-show").inner_text() == "1 new comment: show them"
    assert page.locator("#queue .item").count() == before  # nothing moved under the moderator
    page.click("#live-show")
    page.wait_for_selector(f"#c{comment_number(server, 'live1')}")


def test_comment_page_has_the_thread_and_a_permalink(server: Server, page: Any) -> None:
    sign_in(page, server)
    reply = server.held["p2"]
    page.click(f"#c{reply} .permalink")
    page.wait_for_selector("#comment")
    assert page.url.endswith(f"/moderate/comments/{reply}")
    assert page.locator("#permalink").get_attribute("href") == page.url
    assert FRIENDLY in page.locator("#parents").inner_text()
    assert page.locator("#thread li.this").count() == 1
    page.reload()
    assert FRIENDLY in page.locator("#parents").inner_text()


def _desk_paths(server: Server) -> list[str]:
    return [
        "/moderate?status=reported",
        "/moderate?status=unmoderated",
        "/moderate/authors/news/writer4",
        f"/moderate/comments/{server.held['p2']}",
    ]


def test_desk_pages_pass_axe_and_fit_a_phone(server: Server, browser: Any) -> None:
    for viewport in ({"width": 1200, "height": 900}, PHONE):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        try:
            sign_in(page, server)
            for path in _desk_paths(server):
                page.goto(server.url + path)
                assert axe_violations(page) == [], path
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], (path, width)
        finally:
            context.close()
