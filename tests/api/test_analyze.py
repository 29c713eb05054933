"""comments:analyze answers what Perspective answers, in the shape its clients parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civility.api.perspective import utf16_converter
from tests.api.conftest import FRIENDLY, INSULT

ANALYZE = "/v1alpha1/comments:analyze"


def analyze(client: TestClient, key: str, body: dict, **params: str) -> dict:
    response = client.post(ANALYZE, params={"key": key, **params}, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_insult_scores_high_and_thanks_low_with_perspective_shape(
    client: TestClient, api_key: str
) -> None:
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}}
    result = analyze(client, api_key, body)
    assert set(result["attributeScores"]) == {"TOXICITY", "INSULT"}
    toxicity = result["attributeScores"]["TOXICITY"]
    assert toxicity["summaryScore"]["type"] == "PROBABILITY"
    assert toxicity["summaryScore"]["value"] > 0.5
    # Without spanAnnotations Perspective gives one span covering the whole text.
    assert toxicity["spanScores"] == [
        {"begin": 0, "end": len(INSULT), "score": toxicity["summaryScore"]}
    ]
    assert result["languages"] == ["en"]
    assert result["detectedLanguages"] == ["en"]
    friendly = analyze(client, api_key, {**body, "comment": {"text": FRIENDLY}})
    assert friendly["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.5


def test_snake_case_fields_and_alt_json_are_accepted(client: TestClient, api_key: str) -> None:
    body = {
        "comment": {"text": INSULT},
        "requested_attributes": {"INSULT": {"score_type": "PROBABILITY"}},
        "client_token": "tok-1",
        "do_not_store": True,
    }
    result = analyze(client, api_key, body, alt="json")
    assert list(result["attributeScores"]) == ["INSULT"]
    assert result["clientToken"] == "tok-1"


def test_key_in_header_works_like_key_in_query(client: TestClient, api_key: str) -> None:
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}
    response = client.post(ANALYZE, headers={"x-goog-api-key": api_key}, json=body)
    assert response.status_code == 200


def test_score_threshold_omits_attributes_scoring_below_it(
    client: TestClient, api_key: str
) -> None:
    body = {
        "comment": {"text": FRIENDLY},
        "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.9}, "INSULT": {}},
    }
    result = analyze(client, api_key, body)
    assert list(result["attributeScores"]) == ["INSULT"]


def test_span_annotations_use_utf16_offsets(client: TestClient, api_key: str) -> None:
    text = "😀😀 you are a stupid idiot"
    body = {
        "comment": {"text": text},
        "requestedAttributes": {"TOXICITY": {}},
        "spanAnnotations": True,
    }
    spans = analyze(client, api_key, body)["attributeScores"]["TOXICITY"]["spanScores"]
    assert spans, "the insult words should drive the score"
    encoded = text.encode("utf-16-le")
    words = {encoded[2 * s["begin"] : 2 * s["end"]].decode("utf-16-le") for s in spans}
    assert words & {"stupid", "idiot"}
    assert all(w.strip() == w and w for w in words)


def test_utf16_conversion_counts_astral_characters_twice() -> None:
    text = "a😀b𝒳c"
    to_utf16 = utf16_converter(text)
    assert [to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert to_utf16(len(text)) == len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    "text",
    ["yo hamburger", "lol", "shut up idiot", "u r so dum lmao", "ok", "Great piece!"],
)
def test_short_or_unsure_text_falls_back_to_english(
    client: TestClient, api_key: str, text: str
) -> None:
    body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
    result = analyze(client, api_key, body)
    assert result["languages"] == ["en"]
    assert "TOXICITY" in result["attributeScores"]


def test_explicit_regional_english_is_served(client: TestClient, api_key: str) -> None:
    body = {
        "comment": {"text": INSULT},
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en-GB"],
    }
    result = analyze(client, api_key, body)
    assert result["languages"] == ["en"]
    assert "detectedLanguages" not in result


def test_drop_unsupported_attributes_leaves_unknown_ones_out(
    client: TestClient, api_key: str
) -> None:
    body = {
        "comment": {"text": INSULT},
        "requestedAttributes": {"TOXICITY": {}, "FLIRTATION": {}},
        "dropUnsupportedAttributes": True,
    }
    assert list(analyze(client, api_key, body)["attributeScores"]) == ["TOXICITY"]


def test_experimental_names_get_the_same_scores_under_the_name_asked_for(
    client: TestClient, api_key: str
) -> None:
    """Clients written for Perspective's experimental attributes keep working unchanged."""
    body = {
        "comment": {"text": INSULT},
        "requestedAttributes": {"INSULT": {}, "insult_experimental": {}, "THREAT_EXPERIMENTAL": {}},
        "spanAnnotations": True,
    }
    scores = analyze(client, api_key, body)["attributeScores"]
    assert list(scores) == ["INSULT", "INSULT_EXPERIMENTAL", "THREAT_EXPERIMENTAL"]
    assert scores["INSULT_EXPERIMENTAL"] == scores["INSULT"]
    assert scores["INSULT"]["spanScores"], "the insult's words should be marked under both names"


def test_experimental_suffix_on_an_unknown_attribute_is_still_unknown(
    client: TestClient, api_key: str
) -> None:
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"FLIRTATION_EXPERIMENTAL": {}}}
    response = client.post(ANALYZE, params={"key": api_key}, json=body)
    assert response.status_code == 400
    assert "FLIRTATION_EXPERIMENTAL" in response.json()["error"]["message"]


def test_lowercase_attribute_names_are_answered_in_perspective_spelling(
    client: TestClient, api_key: str
) -> None:
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"toxicity": {}}}
    assert list(analyze(client, api_key, body)["attributeScores"]) == ["TOXICITY"]


def test_context_is_accepted(client: TestClient, api_key: str) -> None:
    body = {
        "comment": {"text": INSULT},
        "context": {"entries": [{"text": "the article", "type": "PLAIN_TEXT"}]},
        "requestedAttributes": {"TOXICITY": {}},
        "sessionId": "s",
        "communityId": "news",
    }
    assert "TOXICITY" in analyze(client, api_key, body)["attributeScores"]


def test_concurrent_calls_are_scored_together(client: TestClient, api_key: str) -> None:
    """Micro-batching: a burst of requests takes fewer model calls than requests."""
    from concurrent.futures import ThreadPoolExecutor

    batcher = client.app.state.civility.batcher  # type: ignore[attr-defined]
    before_batches, before_texts = batcher.batches, batcher.texts
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}
    with ThreadPoolExecutor(16) as pool:
        codes = list(
            pool.map(
                lambda _: client.post(ANALYZE, params={"key": api_key}, json=body).status_code,
                range(64),
            )
        )
    assert codes == [200] * 64
    assert batcher.texts - before_texts == 64
    assert batcher.batches - before_batches <= 64


def test_a_request_may_pick_another_tier(
    client: TestClient, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The optional ``tier`` field (never sent by Perspective clients) overrides the server's."""
    shipped = Path(__file__).resolve().parents[2] / "src" / "civility" / "models"
    if not (shipped / "accurate" / "manifest.json").is_file():
        pytest.skip("the shipped accurate model is not in this checkout")
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}
    default = analyze(client, api_key, body)["attributeScores"]["TOXICITY"]["summaryScore"]
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(shipped))
    accurate = analyze(client, api_key, {**body, "tier": "accurate"})
    value = accurate["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert value != default["value"] and 0 <= value <= 1


@pytest.mark.parametrize(
    ("tier", "message"), [("bert", "Unknown tier 'bert'"), ("ensemble", "not available")]
)
def test_an_unusable_tier_is_a_clear_400(
    client: TestClient,
    api_key: str,
    tier: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tmp_path))  # no artifacts there
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}, "tier": tier}
    response = client.post(ANALYZE, params={"key": api_key}, json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
