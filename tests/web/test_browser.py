"""End to end in headless Chromium against a real ``civility serve`` on a loopback port.

Needs Debian's ``chromium`` and the ``playwright`` package (``.ci/run`` installs both); without
them the tests skip, except in CI (``CI=true``) where their absence is a failure. Set
``CIVILITY_SCREENSHOTS=docs/screenshots`` to refresh the README's screenshots.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.scoring import FastScorer
from civility.store import Comment, open_store
from civility.web.accounts import create_moderator
from tests.web.conftest import HOSTILE, PASSWORD, Server, make_comment, seed_queue, serve

SHIPPED_MODELS = Path(__file__).resolve().parents[2] / "src" / "civility" / "models"

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a server and Chromium per module


@pytest.fixture(scope="module")
def server(
    sync_api: Any,
    tiny_scorer: FastScorer,
    tiny_model_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("serve")
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    # Screenshots for the README show the shipped model; the assertions hold for either.
    shipped = bool(os.environ.get("CIVILITY_SCREENSHOTS")) and SHIPPED_MODELS.is_dir()
    models_root = SHIPPED_MODELS if shipped else tiny_model_dir
    seed_queue(
        store,
        FastScorer.load(models_root / "fast") if shipped else tiny_scorer,
        "news",
        [
            make_comment("c1", "Thank you for this careful reporting.", author="ann"),
            make_comment("c2", "you are a stupid idiot", parent="c1"),
            make_comment("c3", HOSTILE, article="a2", title="Storm warning for the coast"),
            make_comment(
                "c4",
                "shut up you pathetic loser",
                article="a2",
                author="cat",
                title="Storm warning for the coast",
            ),
        ],
    )
    create_moderator(store, "alice", PASSWORD, ["news"], display_name="Alice")
    store.dispose()
    with serve(data_dir, models_root) as server:
        yield server


def _screenshot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("CIVILITY_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)
    assert (folder / name).stat().st_size > 10_000


def test_logged_out_visitor_is_refused(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/moderate")
    assert "/moderate/login" in page.url
    assert page.locator("#queue").count() == 0
    refused = page.request.post(
        f"{server.url}/moderate/decide", form={"one": f"approve:{server.held['c2']}"}
    )
    assert "/moderate/login?next=" in refused.url  # sent to sign in; nothing was decided
    store = server.store()
    with store.session() as session:
        assert session.get(Comment, server.held["c2"]).status == "held"  # type: ignore[union-attr]
    store.dispose()


def test_try_it_page_scores_and_highlights(server: Server, page: Any, tmp_path: Path) -> None:
    page.goto(server.url + "/")
    page.fill("#text", "you can f off, tosser. What a stupid idea <img src=x onerror=alert(1)>")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")
    assert page.locator("#highlighted mark").count() > 0
    assert page.locator("#result img").count() == 0  # the markup stayed text
    rows = page.locator("table.attributes tbody tr").all()
    assert [row.get_attribute("data-attribute") for row in rows] == list(ATTRIBUTE_NAMES)
    assert page.dialogs == []
    _screenshot(page, "try-it.png", tmp_path)


def test_moderator_approves_by_keyboard(server: Server, page: Any, tmp_path: Path) -> None:
    page.goto(f"{server.url}/moderate")
    page.fill("#username", "alice")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#queue .item")
    target = f"#c{server.held['c2']}"
    marked = page.locator(f"{target} .comment-text mark").all_inner_texts()
    assert "idiot" in marked and "stupid" in marked
    # Hostile markup is shown as text: no element was created from it and nothing ran.
    assert "<script>" in page.locator(f"#c{server.held['c3']} .comment-text").inner_text()
    assert page.locator("#queue img, #queue script").count() == 0
    assert page.dialogs == []
    _screenshot(page, "queue.png", tmp_path)

    order = [item.get_attribute("id") for item in page.locator("#queue .item").all()]
    for _ in range(order.index(target[1:])):
        page.keyboard.press("j")
    assert page.locator(f"{target}.current").count() == 1
    with page.expect_response("**/moderate/decide") as decided:
        page.keyboard.press("a")
    assert decided.value.status == 200
    page.wait_for_selector(target, state="detached")
    assert page.locator("#notice").inner_text() == "Approved 1 comment."
    audit = page.locator("#audit li").first.inner_text()
    assert "alice" in audit and "approve" in audit and "stupid idiot" in audit
    page.reload()  # the decision is stored, not just removed from the page
    assert page.locator(target).count() == 0
    assert page.locator(f"#c{server.held['c4']}").count() == 1
