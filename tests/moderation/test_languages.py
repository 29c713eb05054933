"""A community's language, the language each comment is read in, and rules for a language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from civility.errors import PolicyError
from civility.moderation.policy import parse_policy

GERMAN_ONLY = """
name = "strict-in-german"
default = "approve"

[[rules]]
name = "german-insults"
when = "INSULT >= 0.0"
action = "hold"
languages = ["de-DE"]
"""


def test_a_rule_with_languages_decides_only_comments_in_them() -> None:
    policy = parse_policy(GERMAN_ONLY)
    assert policy.rules[0].languages == ("de",)
    assert policy.decide({"INSULT": 0.9}, "de").action == "hold"
    assert policy.decide({"INSULT": 0.9}, "en").action == "approve"
    assert policy.decide({"INSULT": 0.9}).action == "approve"


def test_languages_must_be_a_list_of_codes() -> None:
    with pytest.raises(PolicyError, match=r"line 9: rule 'german-insults': 'languages' must"):
        parse_policy(GERMAN_ONLY.replace('["de-DE"]', '"de"'))


def test_a_communitys_language_is_its_comments_unless_the_text_says_otherwise(
    client: TestClient,
) -> None:
    made = client.put("/v1/communities/zeitung", json={"language": "de-AT", "policy": GERMAN_ONLY})
    assert made.status_code == 200, made.text
    assert made.json()["language"] == "de"
    batch = {
        "community": "zeitung",
        "comments": [
            {"comment_id": "z1", "article_id": "a", "text": "Danke!", "article": {"title": "A"}},
            {
                "comment_id": "z2",
                "article_id": "a",
                "text": "Thank you for this careful and thoughtful reporting, I learned a lot.",
            },
        ],
    }
    response = client.post("/v1/comments:batch", json=batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["language"] for r in results] == ["de", "en"]
    assert [r["status"] for r in results] == ["held", "approved"]
    record = client.get("/v1/comments/z1", params={"community": "zeitung"}).json()
    assert record["language"] == "de"
    queue = client.get("/v1/queue", params={"community": "zeitung"}).json()
    assert [item["language"] for item in queue["items"]] == ["de"]


def test_an_unparsable_community_language_is_refused(client: TestClient) -> None:
    response = client.put("/v1/communities/x", json={"language": "not a code"})
    assert response.status_code == 422
    assert "language" in response.json()["error"]
