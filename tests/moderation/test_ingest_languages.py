"""Ingestion reads each comment in its own language: over real HTTP and through ``civility import``.

The live server finds the tiny per-language models under its models root, as an installation
finds the shipped ones; ``civility import`` runs with the shipped models themselves. A comment
in a language no model reads is stored and held for a moderator, never scored in English.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from civility.moderation.decide import UNSERVED_RULE
from civility.scoring import FastScorer, load_languages
from civility.store import Comment, Decision, Score, open_store
from tests.api.conftest import LiveServer, start_server, stop_server
from tests.moderation.test_communities import run

GERMAN_INSULT = "Du bist ein dummer Idiot und ein erbärmlicher Trottel."
GERMAN_THANKS = "Vielen Dank für diesen hilfreichen Artikel, ich habe viel gelernt."
CHINESE_THANKS = "谢谢你的文章，写得很好，学到了很多"
SWEDISH_INSULT = "Du är en dum idiot och jag hatar dig."
ENGLISH_THANKS = "Thank you for this careful and thoughtful reporting, I learned a lot."
IDS = itertools.count(1)


def version(model_dir: Path, language: str) -> str:
    """The version a tiny model under ``model_dir`` stores with its scores."""
    path = model_dir / "fast" if language == "en" else model_dir / "languages" / language
    return FastScorer.load(path).version


@pytest.fixture(scope="module")
def server(
    multilingual_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("serve"), multilingual_model_dir)
    yield live
    stop_server(live)


def _call(server: LiveServer, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    headers = {"x-goog-api-key": server.key}
    return httpx.request(method, f"{server.url}{path}", json=body, headers=headers, timeout=30)


def _batch(server: LiveServer, community: str, comments: list[dict[str, Any]]) -> list[Any]:
    rows = [
        {"article_id": "a1", "article": {"title": "Bridge"}, "comment_id": str(next(IDS)), **c}
        for c in comments
    ]
    response = _call(
        server, "POST", "/v1/comments:batch", {"community": community, "comments": rows}
    )
    assert response.status_code == 200, response.text
    results: list[Any] = response.json()["results"]
    return results


def test_a_german_community_reads_its_comments_with_the_german_model(
    server: LiveServer, multilingual_model_dir: Path
) -> None:
    made = _call(server, "PUT", "/v1/communities/zeitung", {"language": "de"})
    assert made.status_code == 200, made.text
    insult, thanks, english = _batch(
        server,
        "zeitung",
        [{"text": GERMAN_INSULT}, {"text": GERMAN_THANKS}, {"text": ENGLISH_THANKS}],
    )
    assert insult["language"] == "de" and insult["status"] == "held"
    assert insult["decision"]["model_version"] == version(multilingual_model_dir, "de")
    assert insult["decision"]["rule"] == "toxic"
    assert set(insult["scores"]) == {"TOXICITY", "INSULT"}  # what the German model serves
    assert thanks["language"] == "de" and thanks["status"] == "approved"
    # The text clearly says otherwise: read in English, as the Perspective API would.
    assert english["language"] == "en"
    assert english["decision"]["model_version"] == version(multilingual_model_dir, "en")


def test_a_chinese_thank_you_note_is_read_by_the_chinese_model_not_the_english_one(
    server: LiveServer, multilingual_model_dir: Path
) -> None:
    (result,) = _batch(server, "default", [{"text": CHINESE_THANKS}])
    assert result["language"] == "zh"
    assert result["decision"]["model_version"] == version(multilingual_model_dir, "zh")
    assert result["status"] == "approved"
    assert result["scores"]["TOXICITY"] < 0.4


def test_a_comments_own_language_is_what_it_is_read_in(
    server: LiveServer, multilingual_model_dir: Path
) -> None:
    # Too short for the detector to be sure: undeclared, it is read as English.
    declared, undeclared = _batch(
        server, "default", [{"text": "Du Idiot", "language": "de-CH"}, {"text": "Du Idiot"}]
    )
    assert declared["language"] == "de"
    assert declared["decision"]["model_version"] == version(multilingual_model_dir, "de")
    assert undeclared["language"] == "en"


def test_a_comment_no_model_reads_is_kept_and_held_with_the_reason(server: LiveServer) -> None:
    (result,) = _batch(server, "default", [{"text": SWEDISH_INSULT}])
    assert result["language"] == "sv" and result["status"] == "held"
    assert result["scores"] == {} and result["decision"]["model_version"] is None
    assert result["decision"]["rule"] == UNSERVED_RULE
    record = httpx.get(
        f"{server.url}/v1/comments/{result['comment_id']}",
        headers={"x-goog-api-key": server.key},
        timeout=30,
    ).json()
    assert record["text"] == SWEDISH_INSULT and record["language"] == "sv"
    (trail,) = record["decisions"]
    assert trail["reason"].startswith("No model here reads Swedish (sv): held for a moderator")
    queue = httpx.get(
        f"{server.url}/v1/queue",
        params={"rule": UNSERVED_RULE},
        headers={"x-goog-api-key": server.key},
        timeout=30,
    ).json()
    assert [item["comment_id"] for item in queue["items"]] == [result["comment_id"]]


def test_import_reads_each_row_in_its_language_with_the_shipped_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIVILITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CIVILITY_MODEL_DIR", raising=False)
    archive = tmp_path / "zeitung.jsonl"
    rows = [
        {"comment_id": "1", "text": GERMAN_INSULT},
        {"comment_id": "2", "text": GERMAN_THANKS},
        {"comment_id": "3", "text": CHINESE_THANKS, "language": "zh"},
        {"comment_id": "4", "text": SWEDISH_INSULT},
    ]
    archive.write_text(
        "".join(json.dumps({"article_id": "a", **row}) + "\n" for row in rows), encoding="utf-8"
    )
    code, _, err = run(monkeypatch, capsys, "communities", "create", "zeitung", "--language", "de")
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, "import", str(archive), "--community", "zeitung")
    assert code == 0, err
    assert "Imported 4 comments into 'zeitung' (2 approved, 2 held, 0 rejected)" in out
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'civility.db'}")
    with store.session() as session:
        comments = {c.external_id: c for c in session.scalars(select(Comment))}
        versions = {
            c.external_id: set(session.scalars(select(Score.model_version).filter_by(comment=c)))
            for c in comments.values()
        }
        actors = {
            c.external_id: session.scalar(select(Decision.actor).filter_by(comment_id=c.id))
            for c in comments.values()
        }
    store.dispose()
    assert {k: c.language for k, c in comments.items()} == {
        "1": "de",
        "2": "de",
        "3": "zh",
        "4": "sv",
    }
    assert {k: c.status for k, c in comments.items()} == {
        "1": "held",
        "2": "approved",
        "3": "approved",
        "4": "held",
    }
    shipped = load_languages()
    assert versions["1"] == versions["2"] == {shipped.scorer("de").version}
    assert versions["3"] == {shipped.scorer("zh").version}
    assert versions["4"] == set() and actors["4"] == f"policy:{UNSERVED_RULE}"
