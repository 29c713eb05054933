"""The try-it page and the queue say which language each comment was read in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civility.api import create_app
from civility.scoring import FastScorer, LanguageScorers, language_table
from civility.settings import Settings
from civility.store import Community, Store
from civility.web.accounts import create_moderator
from tests.web.conftest import HOLD_EVERYTHING, PASSWORD, login, make_comment, seed_queue


@pytest.fixture
def languages(tiny_scorer: FastScorer, multilingual_model_dir: Path) -> LanguageScorers:
    table = language_table(tiny_scorer.labels_, multilingual_model_dir / "languages")
    return LanguageScorers(tiny_scorer, table)


@pytest.fixture
def multilingual_client(
    seeded: Store, tiny_scorer: FastScorer, languages: LanguageScorers, tmp_path: Path
) -> Iterator[TestClient]:
    settings = Settings(data_dir=str(tmp_path), require_key=False)
    app = create_app(settings, store=seeded, scorer=tiny_scorer, languages=languages)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def test_try_it_scores_a_comment_with_its_languages_model(
    multilingual_client: TestClient,
) -> None:
    html = multilingual_client.post(
        "/", data={"text": "Du bist ein dummer Idiot und ein erbärmlicher Trottel."}
    ).text
    assert 'Read as <b lang="de">German</b>' in html
    assert 'data-attribute="TOXICITY"' in html and 'data-attribute="INSULT"' in html
    assert 'data-attribute="THREAT"' not in html  # not served in German


def test_try_it_says_when_no_model_reads_the_language(multilingual_client: TestClient) -> None:
    html = multilingual_client.post(
        "/", data={"text": "Du är en dum idiot och jag hatar dig."}
    ).text
    assert "No model here reads Swedish (sv)." in html
    assert 'id="result"' not in html


def test_the_queue_shows_each_comments_language(
    seeded: Store, tiny_scorer: FastScorer, multilingual_client: TestClient
) -> None:
    with seeded.writer() as session:
        session.add(
            Community(slug="zeitung", name="Zeitung", policy=HOLD_EVERYTHING, language="de")
        )
    seed_queue(
        seeded,
        tiny_scorer,
        "zeitung",
        [
            make_comment("z1", "Danke!", article="z"),
            make_comment(
                "z2", "You are a stupid idiot and this reporting is careless.", article="z"
            ),
        ],
    )
    create_moderator(seeded, "bea", PASSWORD, ["zeitung"])
    login(multilingual_client, "bea")
    html = multilingual_client.get("/moderate").text
    assert '<span class="language" title="German" lang="de">de</span>' in html
    assert '<span class="language" title="English" lang="en">en</span>' in html


def test_the_queue_highlights_a_comment_with_its_languages_model(
    seeded: Store,
    tiny_scorer: FastScorer,
    languages: LanguageScorers,
    multilingual_client: TestClient,
) -> None:
    with seeded.writer() as session:
        session.add(
            Community(slug="zeitung", name="Zeitung", policy=HOLD_EVERYTHING, language="de")
        )
    comment = make_comment("z1", "Was für ein erbärmlicher Trottel", article="z")
    seed_queue(seeded, tiny_scorer, "zeitung", [comment], languages)
    create_moderator(seeded, "bea", PASSWORD, ["zeitung"])
    login(multilingual_client, "bea")
    html = multilingual_client.get("/moderate").text
    # The German model's words, with its attributes (the English one marks "für", not INSULT).
    assert re.search(r'title="INSULT, TOXICITY: \d+%">Trottel</mark>', html), html
    assert ">für</mark>" not in html
