"""The pages in-process: what a moderator sees and may do, and what an attacker may not."""

from __future__ import annotations

import re
from collections import Counter

from fastapi.testclient import TestClient

from civility.attributes import ATTRIBUTE_NAMES
from civility.moderation.queue import comment_record
from civility.store import Author, Comment, Community, Moderator, Store, Webhook, WebhookDelivery
from civility.web import sessions
from civility.web.accounts import create_moderator, set_password
from tests.web.conftest import HOSTILE, PASSWORD, csrf_of, login


def ids_in_order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="item[^"]*" id="c\d+" data-id="(\d+)"', html)]


def comment_id(store: Store, external: str) -> int:
    with store.session() as session:
        return session.query(Comment).filter_by(external_id=external).one().id


def status_of(store: Store, community: str, external: str) -> str:
    return str(comment_record(store, community, external)["status"])


def decide(client: TestClient, **data: object) -> object:
    page = client.get("/moderate")
    return client.post("/moderate/decide", data={"csrf": csrf_of(page.text), **data})


# -- security headers and escaping -------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy(signed_in: TestClient) -> None:
    for path in ("/", "/moderate", "/moderate/dashboard/news", "/moderate/login"):
        policy = signed_in.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_contain_no_inline_script_or_style(signed_in: TestClient) -> None:
    html = signed_in.get("/moderate").text + signed_in.post("/", data={"text": HOSTILE}).text
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert " style=" not in html and "<style" not in html


def test_try_it_escapes_hostile_text_and_highlights_words(app_client: TestClient) -> None:
    html = app_client.post("/", data={"text": HOSTILE}).text
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;" in html or "&lt;<mark" in html
    assert re.search(r'<mark class="hl hl-\d" title="[^"]*">idiot</mark>', html)
    for name in ATTRIBUTE_NAMES:
        assert f'data-attribute="{name}"' in html


def test_try_it_refuses_empty_text_with_a_message(app_client: TestClient) -> None:
    response = app_client.post("/", data={"text": "   "})
    assert response.status_code == 200
    assert "Comment must be non-empty." in response.text
    assert 'id="result"' not in response.text


def test_queue_escapes_comment_and_article_text(signed_in: TestClient) -> None:
    html = signed_in.get("/moderate").text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "onerror=&#34;" in html or "onerror</mark>" in html  # the attribute name is only text
    assert "Storm &lt;b&gt;warning&lt;/b&gt;" in html


# -- signing in --------------------------------------------------------------------------------


def test_logged_out_visitors_are_refused(app_client: TestClient, seeded: Store) -> None:
    page = app_client.get("/moderate")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/moderate/login")
    assert app_client.get("/moderate/dashboard/news").status_code == 303
    target = comment_id(seeded, "c2")
    refused = app_client.post("/moderate/decide", data={"one": f"approve:{target}"})
    assert refused.status_code == 303  # to sign in first; the decision waits in the link
    assert refused.headers["location"].startswith("/moderate/login?next=")
    assert status_of(seeded, "news", "c2") == "held"
    forged = app_client.post(
        "/moderate/decide",
        data={"one": f"approve:{target}"},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    assert status_of(seeded, "news", "c2") == "held"


def test_session_cookie_is_secure_httponly_and_samesite(app_client: TestClient) -> None:
    response = login(app_client)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(sessions.SESSION_COOKIE)
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie


def test_wrong_password_is_refused(app_client: TestClient) -> None:
    response = login(app_client, password="not the password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert app_client.get("/moderate").status_code == 303


def test_sign_in_attempts_are_rate_limited(app_client: TestClient) -> None:
    for _ in range(sessions.LOGIN_FAILURES_PER_ACCOUNT):
        assert login(app_client, password="guess").status_code == 401
    blocked = login(app_client)  # even the right password, until the window passes
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in blocked.text


def test_sign_in_needs_the_forms_csrf_token(app_client: TestClient) -> None:
    app_client.get("/moderate/login")
    forged = app_client.post(
        "/moderate/login", data={"username": "alice", "password": PASSWORD, "csrf": "guess"}
    )
    assert forged.status_code == 403
    page = app_client.get("/moderate/login")
    other_site = app_client.post(
        "/moderate/login",
        data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(page.text)},
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403


def test_decisions_need_the_sessions_csrf_token(signed_in: TestClient, seeded: Store) -> None:
    target = comment_id(seeded, "c2")
    response = signed_in.post("/moderate/decide", data={"one": f"approve:{target}", "csrf": "x"})
    assert response.status_code == 303  # back to the queue, which asks for the decision again
    assert f"pending=approve&pending_ids={target}" in response.headers["location"]
    assert status_of(seeded, "news", "c2") == "held"
    asked = signed_in.get(response.headers["location"]).text
    assert 'id="pending-form"' in asked and f'name="ids" value="{target}"' in asked
    assert status_of(seeded, "news", "c2") == "held"


def test_logout_ends_the_session(signed_in: TestClient) -> None:
    page = signed_in.get("/moderate")
    response = signed_in.post("/moderate/logout", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 303
    assert signed_in.get("/moderate").status_code == 303


def test_a_new_password_ends_open_sessions(signed_in: TestClient, seeded: Store) -> None:
    assert signed_in.get("/moderate").status_code == 200
    set_password(seeded, "alice", "another long password")
    assert signed_in.get("/moderate").status_code == 303


def test_sessions_expire_and_cannot_be_guessed(seeded: Store) -> None:
    with seeded.session() as session:
        alice = session.query(Moderator).filter_by(username="alice").one().id
    cookie = sessions.start_session(seeded, alice, now=1000.0)
    opened = sessions.open_session(seeded, cookie, now=1001.0)
    assert opened is not None and opened.moderator_id == alice
    assert sessions.open_session(seeded, cookie, now=1000.0 + sessions.IDLE_SECONDS + 1) is None
    assert sessions.open_session(seeded, cookie[:-2] + "xx", now=1001.0) is None
    for hour in range(1, 12):  # kept alive by use, but not past the maximum age
        assert sessions.open_session(seeded, cookie, now=1000.0 + hour * 3600) is not None
    assert sessions.open_session(seeded, cookie, now=1000.0 + sessions.MAX_AGE_SECONDS + 1) is None


# -- the queue ---------------------------------------------------------------------------------


def test_queue_puts_the_highest_scores_first_and_shows_context(
    signed_in: TestClient, seeded: Store
) -> None:
    html = signed_in.get("/moderate").text
    order = ids_in_order(html)
    priorities = []
    with seeded.session() as session:
        for id_ in order:
            comment = session.get(Comment, id_)
            assert comment is not None and comment.status == "held"
            priorities.append(max(s.value for s in comment.scores))
    assert priorities == sorted(priorities, reverse=True) and len(order) >= 2
    assert "Council votes on the new budget" in html
    assert "In reply to:</span> Thank you for this careful reporting." in html
    assert re.search(r"\d+ approved · \d+ rejected \(30 days\)", html)


def test_queue_shows_only_assigned_communities(signed_in: TestClient, seeded: Store) -> None:
    html = signed_in.get("/moderate").text
    assert comment_id(seeded, "s1") not in ids_in_order(html)
    assert ids_in_order(signed_in.get("/moderate?community=sport").text) == []


def test_filters_by_article_attribute_and_status(signed_in: TestClient, seeded: Store) -> None:
    by_article = ids_in_order(signed_in.get("/moderate?article=a2").text)
    assert by_article == [comment_id(seeded, "c3")]
    by_attribute = ids_in_order(signed_in.get("/moderate?attribute=insult").text)
    assert comment_id(seeded, "c2") in by_attribute
    assert ids_in_order(signed_in.get("/moderate?status=rejected").text) == []
    unknown = signed_in.get("/moderate?attribute=RUDENESS")
    assert unknown.status_code == 400 and "Unknown attribute &#39;RUDENESS&#39;" in unknown.text


def test_approving_goes_through_the_moderation_service(
    signed_in: TestClient, seeded: Store
) -> None:
    target = comment_id(seeded, "c2")
    response = decide(signed_in, one=f"approve:{target}", reason="fair point, harsh words")
    assert response.status_code == 303
    assert "Approved+1+comment" in response.headers["location"]
    record = comment_record(seeded, "news", "c2")
    assert record["status"] == "approved"
    last = record["decisions"][-1]
    assert last["action"] == "approve" and last["reason"] == "fair point, harsh words"
    assert last["actor"].startswith("moderator:")
    page = signed_in.get("/moderate").text
    assert target not in ids_in_order(page)
    audit = page[page.index('id="audit"') :]
    assert re.search(r'<b class="who">alice</b>\s*<span class="action action-approve">', audit)


def test_partial_update_returns_the_new_queue(signed_in: TestClient, seeded: Store) -> None:
    target = comment_id(seeded, "c2")
    page = signed_in.get("/moderate")
    response = signed_in.post(
        "/moderate/decide",
        data={"csrf": csrf_of(page.text), "one": f"reject:{target}"},
        headers={"x-civility-partial": "1"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="queue-region"')
    assert "Rejected 1 comment." in response.text
    assert target not in ids_in_order(response.text)


def test_bulk_reject_then_restore(signed_in: TestClient, seeded: Store) -> None:
    chosen = [comment_id(seeded, "c2"), comment_id(seeded, "c3")]
    decide(signed_in, action="reject", ids=chosen, bulk="1")
    assert [status_of(seeded, "news", c) for c in ("c2", "c3")] == ["rejected", "rejected"]
    rejected = signed_in.get("/moderate?status=rejected").text
    assert sorted(ids_in_order(rejected)) == sorted(chosen)
    assert f'value="restore:{chosen[0]}"' in rejected
    decide(signed_in, one=f"restore:{chosen[0]}", status="rejected")
    assert status_of(seeded, "news", "c2") == "held"  # back in the queue, not published
    assert chosen[0] in ids_in_order(signed_in.get("/moderate").text)


def test_reject_and_ban_bans_the_author(signed_in: TestClient, seeded: Store) -> None:
    with seeded.writer() as session:
        news = session.query(Community).filter_by(slug="news").one()
        session.add(Webhook(community_id=news.id, url="https://cms.example/hook", secret="s" * 16))
    decide(signed_in, one=f"ban:{comment_id(seeded, 'c2')}")
    assert status_of(seeded, "news", "c2") == "rejected"
    with seeded.session() as session:
        bobs = {
            a.community.slug: a.status for a in session.query(Author).filter_by(external_id="bob")
        }
    assert bobs == {"news": "banned", "sport": "active"}  # a ban is the community's own
    actions = [d["action"] for d in comment_record(seeded, "news", "c2")["decisions"]]
    assert actions[-2:] == ["reject", "ban_author"]
    with seeded.session() as session:
        sent = [d.payload for d in session.query(WebhookDelivery).order_by(WebhookDelivery.id)]
    # The pages' ban goes through the moderation service: the CMS hears of it.
    assert [(p["event"], p["action"]) for p in sent] == [
        ("comment.decided", "reject"),
        ("author.banned", "ban"),
    ]
    assert (sent[1]["author"], sent[1]["moderator"], sent[1]["status"], sent[1]["comment_id"]) == (
        "bob",
        "alice",
        "banned",
        "c2",
    )


def test_acting_outside_assigned_communities_is_forbidden(
    signed_in: TestClient, seeded: Store
) -> None:
    chosen = [comment_id(seeded, "c2"), comment_id(seeded, "s1")]
    response = decide(signed_in, action="approve", ids=chosen, bulk="1")
    assert "not+assigned+to+community" in response.headers["location"]
    assert status_of(seeded, "news", "c2") == "held"  # nothing changed, not even the allowed one
    assert status_of(seeded, "sport", "s1") == "held"
    assert signed_in.get("/moderate/dashboard/sport").status_code == 403


def test_a_comment_decided_meanwhile_is_a_conflict(signed_in: TestClient, seeded: Store) -> None:
    target = comment_id(seeded, "c2")
    decide(signed_in, one=f"approve:{target}")
    page = signed_in.get("/moderate")
    response = signed_in.post(
        "/moderate/decide",
        data={"csrf": csrf_of(page.text), "one": f"approve:{target}"},
        headers={"x-civility-partial": "1"},
    )
    assert response.status_code == 409
    assert "decided by alice (approve)" in response.text


def test_dashboard_counts_decisions_and_lists_hot_threads(
    signed_in: TestClient, seeded: Store
) -> None:
    decide(signed_in, one=f"reject:{comment_id(seeded, 'c2')}")
    html = signed_in.get("/moderate/dashboard/news").text
    days = html[html.index('id="days"') :]
    assert '<th scope="col" class="moderator">reject</th>' in days
    assert '<th scope="col" class="automatic">hold</th>' in days  # the policy's, kept apart
    chart = html[html.index('id="chart"') : html.index("</svg>")]
    assert 'class="series-reject"' in chart and "series-hold" not in chart
    assert re.findall(r'<text class="tick-y"[^>]*>(\d+)</text>', chart) == ["0", "1"]
    assert len(re.findall(r'<text class="tick-x"', chart)) == 7  # every other of 14 days
    assert '<span class="swatch series-reject"' in html[html.index('id="legend"') :]
    threads = html[html.index('id="threads"') :]
    assert "Council votes on the new budget" in threads
    assert "Storm &lt;b&gt;warning&lt;/b&gt;" in threads
    assert "<rect" in html


# -- the desk's smaller promises ---------------------------------------------------------------


def test_a_page_number_that_is_no_number_shows_the_first_page(signed_in: TestClient) -> None:
    response = signed_in.get("/moderate?page=abc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert ids_in_order(response.text) == ids_in_order(signed_in.get("/moderate").text)


def test_past_the_last_page_points_back_to_it(signed_in: TestClient) -> None:
    html = signed_in.get("/moderate?page=5").text
    assert "Nothing held here." not in html
    assert "Page 5 is past the end of this queue" in html
    assert 'href="/moderate?status=held&amp;page=1"' in html


def test_queues_are_tabs_with_counts(signed_in: TestClient, seeded: Store) -> None:
    decide(signed_in, one=f"reject:{comment_id(seeded, 'c2')}")
    html = signed_in.get("/moderate").text
    tabs = dict(re.findall(r'status=(\w+)"[^>]*>\w+ <span class="count">(\d+)</span>', html))
    with seeded.session() as session:
        stored = Counter(c.status for c in session.query(Comment) if c.community.slug == "news")
    statuses = ("held", "reported", "approved", "rejected", "pending")
    assert {s: tabs[s] for s in statuses} == {s: str(stored[s]) for s in statuses}
    assert stored["rejected"] == 1
    # Unmoderated: approved on the policy's word, no moderator has looked at them yet.
    assert tabs["unmoderated"] == str(stored["approved"])
    assert re.search(r'status=held" data-key="1" aria-current="page"', html)


def test_a_moderator_without_a_community_is_told_so(app_client: TestClient, seeded: Store) -> None:
    create_moderator(seeded, "newbie", PASSWORD)
    assert login(app_client, "newbie").status_code == 303
    html = app_client.get("/moderate").text
    assert "You are not assigned to any community yet" in html
    assert "civility moderators assign newbie COMMUNITY" in html
    assert 'id="queue"' not in html


def test_a_wrong_password_keeps_the_username(app_client: TestClient) -> None:
    html = login(app_client, password="not the password").text
    assert 'id="username" name="username" value="alice"' in html
    assert re.search(r'id="password"[^>]*autofocus', html)


def test_a_single_decision_keeps_the_other_selections(signed_in: TestClient, seeded: Store) -> None:
    c2, c3 = comment_id(seeded, "c2"), comment_id(seeded, "c3")
    page = signed_in.get("/moderate")
    partial = signed_in.post(
        "/moderate/decide",
        data={"csrf": csrf_of(page.text), "one": f"approve:{c2}", "ids": [str(c3)]},
        headers={"x-civility-partial": "1"},
    )
    assert re.search(rf'name="ids" value="{c3}" id="c{c3}-select" checked', partial.text)
    plain = decide(signed_in, one=f"reject:{comment_id(seeded, 'c1')}", ids=[str(c3)])
    html = signed_in.get(plain.headers["location"]).text
    assert re.search(rf'name="ids" value="{c3}" id="c{c3}-select" checked', html)


def test_errors_and_successes_are_told_apart(signed_in: TestClient, seeded: Store) -> None:
    target = comment_id(seeded, "c2")
    decide(signed_in, one=f"approve:{target}")
    page = signed_in.get("/moderate")
    response = signed_in.post(
        "/moderate/decide",
        data={"csrf": csrf_of(page.text), "one": f"approve:{target}"},
        headers={"x-civility-partial": "1"},
    )
    assert response.status_code == 409
    assert 'data-notice=""' in response.text
    assert re.search(r'data-error="Comment &#39;c2&#39; is approved, not held', response.text)
    again = decide(signed_in, one=f"approve:{target}")
    html = signed_in.get(again.headers["location"]).text
    assert re.search(r'<p class="toast error" role="alert" id="error">Comment', html)
    assert '<p class="toast notice" role="status" id="notice"></p>' in html


def test_an_expired_session_asks_for_the_decision_after_signing_in(
    app_client: TestClient, seeded: Store
) -> None:
    target = comment_id(seeded, "c2")
    sent = app_client.post(
        "/moderate/decide", data={"one": f"reject:{target}", "reason": "rude", "status": "held"}
    )
    assert status_of(seeded, "news", "c2") == "held"
    sign_in = app_client.get(sent.headers["location"])
    assert "Your session ended before your last decision was saved" in sign_in.text
    signed = app_client.post(
        "/moderate/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf": csrf_of(sign_in.text),
            "next": re.search(r'name="next" value="([^"]+)"', sign_in.text)
            .group(1)
            .replace(  # type: ignore[union-attr]
                "&amp;", "&"
            ),
        },
    )
    asked = app_client.get(signed.headers["location"]).text
    assert "Your decision was not saved yet" in asked and "(reason: rude)" in asked
    assert status_of(seeded, "news", "c2") == "held"  # asked for, not applied behind one's back
    form = asked[asked.index('id="pending-form"') :]
    fields = dict(re.findall(r'name="(action|reason)" value="([^"]*)"', form))
    assert fields == {"action": "reject", "reason": "rude"}
    applied = app_client.post(
        "/moderate/decide",
        data={"csrf": csrf_of(asked), "action": "reject", "ids": [str(target)], "bulk": "1"},
    )
    assert "Rejected+1+comment" in applied.headers["location"]
    assert status_of(seeded, "news", "c2") == "rejected"
