"""The moderation desk in headless Chromium: each flow a moderator follows, checked by reloading
the page and in the store, at desktop and phone widths, with axe-core on every page.

The server and its store belong to this module; every test works on comments of its own, so the
tests hold in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civility.moderation.service import ModerationService
from civility.scoring import FastScorer
from civility.store import Comment, open_store
from civility.web.accounts import create_moderator
from tests.web.conftest import PASSWORD, Server, axe_violations, make_comment, seed_queue, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a server and Chromium per module

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(
    sync_api: Any,
    tiny_scorer: FastScorer,
    tiny_model_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("desk")
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    long_title = "A headline long enough to push a narrow layout past the edge of a phone screen"
    seed_queue(
        store,
        tiny_scorer,
        "news",
        [
            make_comment(f"d{i}", f"you are a stupid idiot number {i}", author=f"user{i}")
            for i in range(12)
        ]
        + [
            make_comment(
                "wide",
                "averyveryverylongwordwithoutanyspacesthatwouldoverflowanarrowcolumn idiot",
                article="a9",
                title=long_title,
            )
        ],
    )
    create_moderator(store, "alice", PASSWORD, ["news"], display_name="Alice")
    create_moderator(store, "bea", PASSWORD, ["news"], display_name="Bea")
    store.dispose()
    with serve(data_dir, tiny_model_dir) as running:
        yield running


def sign_in(page: Any, server: Server, path: str = "/moderate") -> None:
    page.goto(server.url + "/moderate/login")
    page.fill("#username", "alice")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#queue")
    if path != "/moderate":
        page.goto(server.url + path)


def status(server: Server, external: str) -> str:
    store = server.store()
    try:
        with store.session() as session:
            return str(session.query(Comment).filter_by(external_id=external).one().status)
    finally:
        store.dispose()


def go_to(page: Any, server: Server, external: str) -> None:
    """Move with ``j`` until the comment ``external`` is the current one."""
    target = f"#c{server.held[external]}"
    order = [item.get_attribute("id") for item in page.locator("#queue .item").all()]
    page.locator("#queue .item").first.focus()
    for _ in range(order.index(target[1:])):
        page.keyboard.press("j")
    assert page.locator(f"{target}.current").count() == 1


def test_expired_session_asks_for_the_decision_again(server: Server, page: Any) -> None:
    sign_in(page, server)
    go_to(page, server, "d0")
    page.context.clear_cookies()  # the session ends while the moderator is reading
    page.keyboard.press("r")
    page.wait_for_url("**/moderate/login**")
    assert "Your session ended" in page.locator("#login-message").inner_text()
    assert status(server, "d0") == "held"
    page.fill("#username", "alice")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#pending")
    assert "you are a stupid idiot number 0" in page.locator("#pending").inner_text()
    assert status(server, "d0") == "held"  # asked for, not applied behind the moderator's back
    page.click("#pending-apply")
    page.wait_for_selector("#pending", state="detached")
    assert page.locator("#notice").inner_text() == "Rejected 1 comment."
    page.reload()
    assert page.locator(f"#c{server.held['d0']}").count() == 0
    assert status(server, "d0") == "rejected"


def test_selections_and_shortcuts_survive_a_single_decision(server: Server, page: Any) -> None:
    sign_in(page, server)
    first, second = server.held["d1"], server.held["d2"]
    page.click(f"#c{first}-select")  # a click on a checkbox must not swallow the shortcuts
    page.click(f"#c{second}-select")
    go_to(page, server, "d3")
    with page.expect_response("**/moderate/decide") as decided:
        page.keyboard.press("a")
    assert decided.value.status == 200
    page.wait_for_selector(f"#c{server.held['d3']}", state="detached")
    assert page.locator(f"#c{first}-select").is_checked()
    assert page.locator(f"#c{second}-select").is_checked()
    page.reload()
    assert page.locator(f"#c{server.held['d3']}").count() == 0
    assert status(server, "d3") == "approved"
    assert (status(server, "d1"), status(server, "d2")) == ("held", "held")


def test_j_and_k_move_the_keyboard_focus(server: Server, page: Any) -> None:
    sign_in(page, server)
    items = page.locator("#queue .item")
    items.first.focus()
    page.keyboard.press("j")
    second = items.nth(1).get_attribute("id")
    assert page.evaluate("document.activeElement.id") == second
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == items.first.get_attribute("id")


def test_arrow_keys_in_a_filter_do_not_submit_it(server: Server, page: Any) -> None:
    sign_in(page, server)
    before = page.url
    page.focus("select[name=article]")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == before
    page.click("#filters button[type=submit]")
    page.wait_for_url("**article=**")


def test_help_overlay_and_turning_single_key_shortcuts_off(server: Server, page: Any) -> None:
    sign_in(page, server)
    page.locator("#queue .item").first.focus()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.click("#shortcuts-enabled")  # off
    page.click("#help-close")
    assert not page.locator("#help").is_visible()
    page.reload()
    page.locator("#queue .item").first.focus()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.keyboard.press("a")
    page.keyboard.press("5")
    page.wait_for_timeout(300)
    assert not [url for url in requests if "/moderate" in url]  # nothing decided, no tab change
    page.click("#help-button")
    page.click("#shortcuts-enabled")  # on again
    page.click("#help-close")
    page.locator("#queue .item").first.focus()
    page.keyboard.press("5")
    page.wait_for_url("**status=rejected**")
    assert page.locator('.tabs a[aria-current="page"]').inner_text().startswith("Rejected")


def test_a_conflict_is_an_error_in_view(server: Server, page: Any) -> None:
    sign_in(page, server)
    page.mouse.wheel(0, 4000)  # scrolled down: a notice at the top of the page would be missed
    store = server.store()
    ModerationService(store).decide("news", "d11", "reject", "bea")  # decided elsewhere meanwhile
    store.dispose()
    target = f"#c{server.held['d11']}"
    page.locator(target).scroll_into_view_if_needed()
    page.locator(target).focus()
    with page.expect_response("**/moderate/decide") as decided:
        page.keyboard.press("a")
    assert decided.value.status == 409
    error = page.locator("#error")
    error.wait_for()
    assert "rejected, not held" in error.inner_text()
    assert page.locator("#notice").inner_text() == ""
    box = error.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900
    red, green, _ = (
        int(c) for c in error.evaluate("e => getComputedStyle(e).color")[4:-1].split(",")
    )
    assert red > green  # an error does not look like a success
    page.reload()
    assert status(server, "d11") == "rejected"


@pytest.mark.parametrize("path", ["/moderate", "/moderate/dashboard/news", "/"])
def test_nothing_is_wider_than_a_phone(server: Server, browser: Any, path: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, server, path)
        if path == "/":
            page.fill("#text", "you can f off, tosser " + "x" * 90)
            page.click(".try-form button[type=submit]")
            page.wait_for_selector("#result")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        controls = ["#signed-in-as + button"]
        if path == "/moderate":
            controls.append("#apply-selected")
        for selector in controls:
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"], selector
    finally:
        context.close()


@pytest.mark.parametrize(
    "path", ["/moderate", "/moderate?status=rejected", "/moderate/dashboard/news", "/"]
)
def test_axe_finds_nothing_serious(server: Server, page: Any, path: str) -> None:
    sign_in(page, server, path)
    if path == "/":
        page.fill("#text", "you can f off, tosser")
        page.click(".try-form button[type=submit]")
        page.wait_for_selector("#result")
    assert axe_violations(page) == []


def test_axe_on_the_sign_in_page_and_the_help_overlay(server: Server, page: Any) -> None:
    page.goto(server.url + "/moderate/login")
    assert axe_violations(page) == []
    sign_in(page, server)
    page.click("#help-button")
    assert axe_violations(page) == []
