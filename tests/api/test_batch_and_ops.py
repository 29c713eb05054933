"""POST /batch in Google's multipart format; discovery, health, metrics and OpenAPI."""

from __future__ import annotations

import json
import os
from email.parser import BytesParser
from email.policy import compat32

import numpy as np
import pytest
from fastapi.testclient import TestClient

from civility.api import create_app
from civility.scoring import default_model_path, load_scorer
from civility.settings import Settings
from civility.store import Store
from tests.api.conftest import FRIENDLY, INSULT

BOUNDARY = "===============7330845974216740156=="


def batch_body(parts: list[tuple[str, str]], key: str | None) -> bytes:
    """A batch as googleapiclient writes it (LF line ends inside parts)."""
    chunks = []
    for index, (path, body) in enumerate(parts, 1):
        target = f"{path}?key={key}&alt=json" if key else f"{path}?alt=json"
        chunks.append(
            f"--{BOUNDARY}\nContent-Type: application/http\nMIME-Version: 1.0\n"
            f"Content-Transfer-Encoding: binary\nContent-ID: <abc + {index}>\n\n"
            f"POST {target} HTTP/1.1\nContent-Type: application/json\nMIME-Version: 1.0\n"
            f"accept: application/json\ncontent-length: {len(body.encode())}\n"
            f"host: testserver\n\n{body}\n"
        )
    chunks.append(f"--{BOUNDARY}--")
    return "".join(chunks).encode()


def split_batch_response(response) -> list[tuple[str, int, dict]]:  # type: ignore[no-untyped-def]
    message = BytesParser(policy=compat32).parsebytes(
        f"Content-Type: {response.headers['content-type']}\r\n\r\n".encode() + response.content
    )
    results = []
    for part in message.get_payload():
        payload = part.get_payload()
        status_line, rest = payload.split("\n", 1)
        body = rest.split("\r\n\r\n", 1)[1]
        results.append((part["Content-ID"], int(status_line.split()[1]), json.loads(body)))
    return results


def analyze_body(text: str) -> str:
    return json.dumps({"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}})


def test_batch_answers_each_part_in_order_with_its_own_status(
    client: TestClient, api_key: str
) -> None:
    parts = [
        ("/v1alpha1/comments:analyze", analyze_body(INSULT)),
        ("/v1alpha1/comments:analyze", analyze_body("")),
        ("/v1alpha1/comments:analyze", analyze_body(FRIENDLY)),
    ]
    response = client.post(
        "/batch",
        content=batch_body(parts, api_key),
        headers={"content-type": f'multipart/mixed; boundary="{BOUNDARY}"'},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("multipart/mixed; boundary=")
    (id1, s1, r1), (id2, s2, r2), (id3, s3, r3) = split_batch_response(response)
    assert (id1, id2, id3) == ("<response-abc + 1>", "<response-abc + 2>", "<response-abc + 3>")
    assert (s1, s2, s3) == (200, 400, 200)
    toxic = r1["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert toxic > r3["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert r2["error"]["details"][0]["errorType"] == "COMMENT_EMPTY"


def test_batch_parts_need_a_key_each(client: TestClient) -> None:
    parts = [("/v1alpha1/comments:analyze", analyze_body(INSULT))]
    response = client.post(
        "/batch",
        content=batch_body(parts, None),
        headers={"content-type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    ((_, status, body),) = split_batch_response(response)
    assert status == 403
    assert body["error"]["message"] == "The request is missing a valid API key."


def test_batch_parts_may_only_call_the_api(client: TestClient, api_key: str) -> None:
    parts = [("/batch", "{}"), ("/healthz", "{}")]
    response = client.post(
        "/batch",
        content=batch_body(parts, api_key),
        headers={"content-type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    statuses = [(s, b["error"]["message"]) for _, s, b in split_batch_response(response)]
    assert statuses == [
        (400, "Batch parts may only call /v1alpha1 methods, not /batch."),
        (400, "Batch parts may only call /v1alpha1 methods, not /healthz."),
    ]


def test_batch_refuses_non_multipart_and_too_many_parts(
    make_client,
    api_key: str,  # type: ignore[no-untyped-def]
) -> None:
    client = make_client(batch_max_parts=2)
    response = client.post("/batch", json={"comment": {}})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Batch requests must be multipart/mixed with a boundary."
    )
    parts = [("/v1alpha1/comments:analyze", analyze_body(INSULT))] * 3
    response = client.post(
        "/batch",
        content=batch_body(parts, api_key),
        headers={"content-type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Too many requests in batch: 3 exceeds the limit of 2."
    )


def test_discovery_document_points_at_this_server(client: TestClient) -> None:
    response = client.get("/$discovery/rest", params={"version": "v1alpha1"})
    assert response.status_code == 200
    document = response.json()
    assert document["rootUrl"] == "http://testserver/"
    assert document["batchPath"] == "batch"
    methods = document["resources"]["comments"]["methods"]
    assert methods["analyze"]["path"] == "v1alpha1/comments:analyze"
    assert methods["suggestscore"]["path"] == "v1alpha1/comments:suggestscore"
    # Every $ref resolves, or Google's client refuses the document.
    refs = {m for m in json.dumps(document).split('"$ref": "')[1:]}
    assert {r.split('"')[0] for r in refs} <= set(document["schemas"])
    assert client.get("/$discovery/rest", params={"version": "v9"}).status_code == 404


def test_health_reports_model_and_store(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["ok"] is True
    assert body["store"] == "sqlite"
    assert "TOXICITY" in body["attributes"]


def test_metrics_count_requests_latency_and_scores(client: TestClient, api_key: str) -> None:
    client.post(
        "/v1alpha1/comments:analyze",
        params={"key": api_key},
        json={"comment": {"text": INSULT}, "requestedAttributes": {"INSULT": {}}},
    )
    text = client.get("/metrics").text
    assert (
        'civility_http_requests_total{method="POST",route="/v1alpha1/comments:analyze",'
        'status="200"}' in text
    )
    assert 'civility_http_request_duration_seconds_bucket{le="0.025",' in text
    assert 'civility_attribute_score_count{attribute="INSULT"}' in text
    assert "civility_model_batch_size_count" in text


def test_metrics_may_require_a_key(make_client, api_key: str) -> None:  # type: ignore[no-untyped-def]
    assert make_client().get("/metrics").status_code == 200  # open by default, as before
    guarded = make_client(metrics_require_key=True, require_key=False)
    refused = guarded.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["reason"] == "API_KEY_MISSING"
    assert "civility_http_requests_total" not in refused.text
    assert guarded.get("/metrics", params={"key": "civ_not_a_key"}).status_code == 400
    allowed = guarded.get("/metrics", headers={"x-goog-api-key": api_key})
    assert allowed.status_code == 200 and "civility_http_requests_total" in allowed.text


def test_openapi_describes_the_perspective_methods(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    analyze = spec["paths"]["/v1alpha1/comments:analyze"]["post"]
    schema_ref = analyze["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.endswith("/AnalyzeCommentRequest")
    assert (
        "requestedAttributes"
        in spec["components"]["schemas"]["AnalyzeCommentRequest"]["properties"]
    )
    assert "/v1alpha1/comments:suggestscore" in spec["paths"]


def test_errors_outside_the_perspective_surface_use_civility_envelope(
    client: TestClient,
) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.json() == {
        "ok": False,
        "error": "The requested URL /no-such-page was not found on this server.",
        "errors": ["The requested URL /no-such-page was not found on this server."],
        "status": 404,
    }


def test_a_failing_part_does_not_sink_the_batch(client: TestClient, api_key: str) -> None:
    state = client.app.state.civility  # type: ignore[attr-defined]
    real = state.batcher.predict

    async def broken(texts):  # type: ignore[no-untyped-def]
        if texts == ["boom boom boom"]:
            raise RuntimeError("model failure")
        return await real(texts)

    state.batcher.predict = broken
    parts = [
        ("/v1alpha1/comments:analyze", analyze_body("boom boom boom")),
        ("/v1alpha1/comments:analyze", analyze_body(INSULT)),
    ]
    response = client.post(
        "/batch",
        content=batch_body(parts, api_key),
        headers={"content-type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    assert response.status_code == 200
    (_, s1, r1), (_, s2, _) = split_batch_response(response)
    assert (s1, s2) == (500, 200)
    assert r1["error"] == {
        "code": 500,
        "message": "Internal error encountered.",
        "status": "INTERNAL",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "INTERNAL",
                "domain": "civility",
            }
        ],
    }


@pytest.mark.skipif(
    not (default_model_path("ensemble") / "manifest.json").is_file()
    or "CIVILITY_MODEL_DIR" in os.environ,
    reason="the shipped ensemble model is not built",
)
def test_a_comment_scores_the_same_whether_or_not_its_call_shared_a_model_call(
    api_store: Store, settings: Settings, api_key: str
) -> None:
    """Concurrent calls share one model call; the shipped ensemble must not let them mix.

    Whether a batch's parts reach the model together depends on scheduling, so the model call
    they would share is also made directly, and both must give the lone comment's score.
    """
    scorer = load_scorer("ensemble")
    with TestClient(create_app(settings, store=api_store, scorer=scorer)) as client:
        alone, together = _alone_and_together(client, api_key)
    assert together == pytest.approx(alone, abs=1e-5)
    lone = scorer.predict_proba([COMMENT])[0]
    shared = scorer.predict_proba([*OTHERS, COMMENT])[-1]
    np.testing.assert_allclose(shared, lone, atol=1e-5)


COMMENT = "you are a pathetic idiot and everyone hates you"
OTHERS = ["THIS IS AN OUTRAGE!!! " * 12, "ok", "the council voted 7-2 to close the library"]


def _alone_and_together(client: TestClient, api_key: str) -> tuple[float, float]:
    def toxicity(body: dict) -> float:  # type: ignore[type-arg]
        return body["attributeScores"]["TOXICITY"]["summaryScore"]["value"]

    alone = client.post(
        f"/v1alpha1/comments:analyze?key={api_key}",
        content=analyze_body(COMMENT),
        headers={"content-type": "application/json"},
    ).json()
    response = client.post(
        "/batch",
        content=batch_body(
            [("/v1alpha1/comments:analyze", analyze_body(t)) for t in [*OTHERS, COMMENT]],
            api_key,
        ),
        headers={"content-type": f'multipart/mixed; boundary="{BOUNDARY}"'},
    )
    return toxicity(alone), toxicity(split_batch_response(response)[-1][2])
