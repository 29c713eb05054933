"""The desk's pages without a browser: search and sort, authors, a comment in its thread, undo,
the live count, and the Reported and Unmoderated tabs."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from civility.moderation.queue import comment_record
from civility.moderation.service import ModerationService
from civility.scoring import FastScorer
from civility.store import Author, Store
from tests.web.conftest import csrf_of, make_comment, seed_queue
from tests.web.test_pages import comment_id, decide, ids_in_order, status_of


def test_search_finds_text_authors_and_articles(signed_in: TestClient, seeded: Store) -> None:
    def found(**query: str) -> list[int]:
        return ids_in_order(signed_in.get("/moderate", params=query).text)

    assert found(q="stupid") == [comment_id(seeded, "c2")]
    bobs = sorted([comment_id(seeded, "c2"), comment_id(seeded, "c3")])
    assert sorted(found(q="BOB")) == bobs  # an author's name, any case
    assert found(q="ann", status="approved") == [comment_id(seeded, "c1")]
    assert found(q="storm") == [comment_id(seeded, "c3")]  # an article's title
    assert found(q="nothing like this") == []
    assert found(q="%") == []  # a wildcard is a character, not "anything"


def test_sort_orders_newest_and_oldest(signed_in: TestClient, seeded: Store) -> None:
    oldest = ids_in_order(signed_in.get("/moderate?sort=oldest").text)
    newest = ids_in_order(signed_in.get("/moderate?sort=newest").text)
    assert newest == list(reversed(oldest)) and len(oldest) >= 2
    assert oldest == sorted(oldest)  # seeded in order
    assert 'name="sort" value="newest"' in signed_in.get("/moderate?sort=newest").text


def test_author_page_acts_through_the_service(signed_in: TestClient, seeded: Store) -> None:
    page = signed_in.get("/moderate/authors/news/bob")
    assert page.status_code == 200
    assert 'id="author-status">active<' in page.text
    response = signed_in.post(
        "/moderate/authors/news/bob",
        data={"csrf": csrf_of(page.text), "action": "suspend", "hours": "72", "reason": "heated"},
    )
    assert response.status_code == 303
    after = signed_in.get(response.headers["location"]).text
    assert "Suspended bob." in after
    assert 'id="author-status">suspended<' in after and "heated" in after
    with seeded.session() as session:
        bob = session.query(Author).filter_by(external_id="bob").first()
        assert bob is not None and bob.status == "suspended" and bob.until is not None
    noted = signed_in.post(
        "/moderate/authors/news/bob",
        data={"csrf": csrf_of(after), "action": "note", "reason": "writes at night"},
    )
    history = signed_in.get(noted.headers["location"]).text
    assert "writes at night" in history and 'id="author-status">suspended<' in history
    empty = signed_in.post(
        "/moderate/authors/news/bob", data={"csrf": csrf_of(after), "action": "note"}
    )
    assert "a+note+needs+its+text" in empty.headers["location"]
    assert signed_in.get("/moderate/authors/sport/bob").status_code == 403  # not alice's
    forged = signed_in.post("/moderate/authors/news/bob", data={"csrf": "x", "action": "ban"})
    assert forged.status_code == 403


def test_comment_page_shows_the_chain_and_the_thread(signed_in: TestClient, seeded: Store) -> None:
    reply = comment_id(seeded, "c2")
    page = signed_in.get(f"/moderate/comments/{reply}")
    assert page.status_code == 200
    parents = re.search(r'<ol class="chain" id="parents">(.*?)</ol>', page.text, re.S)
    assert parents and "Thank you for this careful reporting." in parents.group(1)
    assert f'href="https://testserver/moderate/comments/{reply}" id="permalink"' in page.text
    thread = re.search(r'<ol class="thread" id="thread">(.*?)</ol>', page.text, re.S)
    assert thread and 'class="depth-1 this"' in thread.group(1)
    assert signed_in.get(f"/moderate/comments/{comment_id(seeded, 's1')}").status_code == 403
    assert signed_in.get("/moderate/comments/99999999").status_code == 403


def test_undo_from_the_queue(signed_in: TestClient, seeded: Store) -> None:
    target = comment_id(seeded, "c2")
    decide(signed_in, one=f"reject:{target}")
    assert status_of(seeded, "news", "c2") == "rejected"
    page = signed_in.get("/moderate")
    response = signed_in.post("/moderate/undo", data={"csrf": csrf_of(page.text)})
    assert "Undid+reject" in response.headers["location"]
    assert status_of(seeded, "news", "c2") == "held"
    again = signed_in.post("/moderate/undo", data={"csrf": csrf_of(page.text)})
    assert "no+decision+of+yours+to+undo" in again.headers["location"]


def test_live_count_and_the_new_tabs(
    signed_in: TestClient, seeded: Store, tiny_scorer: FastScorer
) -> None:
    latest = int(re.search(r'data-latest="(\d+)"', signed_in.get("/moderate").text).group(1))
    assert signed_in.get("/moderate/new", params={"after": latest}).json() == {"new": 0}
    seed_queue(
        seeded, tiny_scorer, "news", [make_comment("n1", "you idiot"), make_comment("n2", "idiot")]
    )
    assert signed_in.get("/moderate/new", params={"after": latest}).json() == {"new": 2}
    elsewhere = signed_in.get("/moderate/new", params={"after": latest, "status": "rejected"})
    assert elsewhere.json() == {"new": 0}

    service = ModerationService(seeded)
    service.decide("news", "n1", "approve", "alice")
    for reader in ("r1", "r2", "r3"):
        service.report("news", "n1", reader, "rude", per_hour=10)
    page = signed_in.get("/moderate?status=reported").text
    assert ids_in_order(page) == [comment_id(seeded, "n1")]
    assert re.search(r'>Reported <span class="count">1<', page)
    unmoderated = signed_in.get("/moderate?status=unmoderated").text
    assert comment_id(seeded, "n1") not in ids_in_order(unmoderated)  # a moderator approved it
    decide(signed_in, one=f"approve:{comment_id(seeded, 'n1')}", status="reported")
    assert status_of(seeded, "news", "n1") == "approved"


def test_b_in_the_queue_rejects_the_authors_next_comment(
    signed_in: TestClient, seeded: Store, tiny_scorer: FastScorer
) -> None:
    decide(signed_in, one=f"ban:{comment_id(seeded, 'c2')}")
    thanks = "Thank you for this careful reporting."
    seed_queue(seeded, tiny_scorer, "news", [make_comment("next", thanks, author="bob")])
    seed_queue(seeded, tiny_scorer, "sport", [make_comment("s-next", thanks, author="bob")])
    record = comment_record(seeded, "news", "next")
    assert record["status"] == "rejected"
    assert record["decisions"][0]["actor"] == "policy:author-banned"
    assert status_of(seeded, "sport", "s-next") == "approved"  # banned in news only
