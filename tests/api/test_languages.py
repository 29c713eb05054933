"""Comments in other languages, over real HTTP, against live ``civility serve`` processes.

The servers find their models the way an installation does: the other languages under the
models root (``CIVILITY_MODEL_DIR/languages``) and the opt-in ones in an importable
``civility_models_nc`` package, switched on by the ``noncommercial_models`` setting. The models
are tiny ones trained on a few sentences per language (tests/fixtures/tiny_languages.jsonl):
enough that an insult in a language scores high only in that language's model.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import FRIENDLY, INSULT, LiveServer, start_server, stop_server

CORAL_TIMEOUT = 0.8
"""Coral Talk's default timeout for a Perspective call, in seconds."""
CORAL_HEADERS = {"User-Agent": "Coral Hooks", "Content-Type": "application/json"}

COMMENTS = {
    "en": (INSULT, FRIENDLY),
    "es": (
        "Eres un idiota estúpido y un payaso patético.",
        "Muchas gracias por este artículo tan interesante, aprendí mucho.",
    ),
    "fr": (
        "Tu es un imbécile stupide et un crétin pathétique.",
        "Merci beaucoup pour cet article très intéressant et utile.",
    ),
    "de": (
        "Du bist ein dummer Idiot und ein erbärmlicher Trottel.",
        "Vielen Dank für diesen hilfreichen Artikel, ich habe viel gelernt.",
    ),
    "pt": (
        "Você é um idiota estúpido e um babaca patético.",
        "Muito obrigado por este artigo interessante, aprendi muito.",
    ),
    "ar": ("أنت غبي وأحمق وتافه", "شكرا جزيلا على هذا المقال الرائع"),
    "zh": ("你是个愚蠢的白痴", "谢谢你的文章，写得很好，学到了很多"),
    "ko": ("너는 멍청한 바보야 꺼져", "좋은 기사 감사합니다 정말 유익해요"),
}


def _server(root: Path, model_dir: Path, opt_in_dir: Path, opt_in: bool) -> Iterator[LiveServer]:
    path = os.pathsep.join(p for p in (str(opt_in_dir), os.environ.get("PYTHONPATH")) if p)
    env = {
        "PYTHONPATH": path,
        "CIVILITY_NONCOMMERCIAL_MODELS": str(opt_in).lower(),
        # As a site Coral calls is set up: its language loaded before its first comment.
        "CIVILITY_PRELOAD_LANGUAGES": "de,fr,pt,es" if opt_in else "",
    }
    server = start_server(root, model_dir, extra_env=env)
    # Coral calls a server that has been up for a while: its first request (the store's
    # first write, lazy imports) is not what the 800 ms budget measures.
    body = {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}}
    httpx.post(f"{server.url}/v1alpha1/comments:analyze?key={server.key}", json=body, timeout=60)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def server(
    multilingual_model_dir: Path, opt_in_package_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server with the opt-in package installed and switched on."""
    yield from _server(
        tmp_path_factory.mktemp("serve-nc"), multilingual_model_dir, opt_in_package_dir, True
    )


@pytest.fixture(scope="module")
def server_opt_in_off(
    multilingual_model_dir: Path, opt_in_package_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The same installation with ``noncommercial_models`` left off."""
    yield from _server(
        tmp_path_factory.mktemp("serve"), multilingual_model_dir, opt_in_package_dir, False
    )


def analyze(server: LiveServer, body: dict[str, Any]) -> httpx.Response:
    with httpx.Client(timeout=CORAL_TIMEOUT, headers=CORAL_HEADERS) as http:
        return http.post(f"{server.url}/v1alpha1/comments:analyze?key={server.key}", json=body)


def coral(text: str, locale: str) -> dict[str, Any]:
    """The body Coral Talk sends: the site's locale as the language, doNotStore on."""
    return {
        "comment": {"text": text},
        "languages": [locale],
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
    }


def toxicity(response: httpx.Response) -> float:
    assert response.status_code == 200, response.text
    return float(response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"])


def refusal(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    return error


@pytest.mark.parametrize(
    ("locale", "language"),
    [("en-US", "en"), ("es", "es"), ("fr-FR", "fr"), ("de", "de"), ("pt-BR", "pt")],
)
def test_coral_requests_are_scored_in_every_served_language(
    server: LiveServer, locale: str, language: str
) -> None:
    insult, friendly = COMMENTS[language]
    scored = analyze(server, coral(insult, locale))
    assert scored.json()["languages"] == [language]
    assert "detectedLanguages" not in scored.json()
    assert toxicity(scored) > 0.5 > toxicity(analyze(server, coral(friendly, locale)))


@pytest.mark.parametrize("language", ["ar", "zh", "ko"])
def test_arabic_chinese_and_korean_reach_their_own_models(
    server: LiveServer, language: str
) -> None:
    insult, friendly = COMMENTS[language]
    body = {"comment": {"text": insult}, "requestedAttributes": {"TOXICITY": {}}}
    scored = analyze(server, body)
    assert scored.json()["languages"] == [language]
    assert scored.json()["detectedLanguages"] == [language]
    thanks = analyze(server, {**body, "comment": {"text": friendly}})
    assert toxicity(scored) > 0.5 > toxicity(thanks)


def test_a_language_with_no_model_gets_perspectives_error(server: LiveServer) -> None:
    error = refusal(analyze(server, coral("Du är en dum idiot och jag hatar dig.", "sv")))
    assert error["message"] == "Attribute TOXICITY does not support request languages: sv"
    japanese = {"comment": {"text": "ありがとうございます、とても良い記事でした"}}
    error = refusal(analyze(server, {**japanese, "requestedAttributes": {"TOXICITY": {}}}))
    detail = error["details"][0]["languageNotSupportedByAttributeError"]
    assert detail == {"attribute": "TOXICITY", "detectedLanguages": ["ja"]}


def test_romanised_hindi_is_not_scored_as_english(server: LiveServer) -> None:
    body = coral("tum bahut bekar ho yaar, kya bakwas hai", "en")
    error = refusal(analyze(server, body))
    assert error["message"] == "Attribute TOXICITY does not support request languages: hi-Latn"


def test_german_comment_sent_as_english_is_scored_in_german(server: LiveServer) -> None:
    insult, _ = COMMENTS["de"]
    response = analyze(server, coral(insult, "en"))
    assert response.json()["languages"] == ["de"]
    assert response.json()["detectedLanguages"] == ["de"]
    assert toxicity(response) > 0.5


def test_drop_unsupported_attributes_keeps_what_the_language_serves(server: LiveServer) -> None:
    insult, _ = COMMENTS["de"]
    body = {**coral(insult, "de"), "requestedAttributes": {"TOXICITY": {}, "THREAT": {}}}
    error = refusal(analyze(server, body))
    assert error["message"] == (
        "Attribute THREAT does not support request languages: de. "
        "The German model serves TOXICITY, INSULT."
    )
    kept = analyze(server, {**body, "dropUnsupportedAttributes": True})
    assert set(kept.json()["attributeScores"]) == {"TOXICITY"}


def test_opt_in_language_while_switched_off_names_the_setting(
    server_opt_in_off: LiveServer,
) -> None:
    insult, _ = COMMENTS["es"]
    error = refusal(analyze(server_opt_in_off, coral(insult, "es")))
    assert error["message"].startswith("Attribute TOXICITY does not support request languages: es")
    assert "noncommercial_models = true" in error["message"]
    assert "CIVILITY_NONCOMMERCIAL_MODELS=true" in error["message"]
    assert toxicity(analyze(server_opt_in_off, coral(COMMENTS["de"][0], "de"))) > 0.5


def test_discovery_and_health_name_the_served_languages(
    server: LiveServer, server_opt_in_off: LiveServer
) -> None:
    document = httpx.get(f"{server.url}/$discovery/rest?version=v1alpha1").json()
    field = document["schemas"]["AnalyzeCommentRequest"]["properties"]["languages"]
    assert field["description"].endswith("This server scores: ar, zh, en, fr, de, ko, pt, es.")
    health = httpx.get(f"{server_opt_in_off.url}/healthz").json()
    assert health["languages"] == ["ar", "zh", "en", "fr", "de", "ko", "pt"]
    assert "ko" not in health["languages_loaded"]  # no Korean comment has reached it yet
