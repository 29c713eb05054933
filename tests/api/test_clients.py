"""Real clients we did not write, unchanged but for the URL, against a live ``civility serve``.

* Google's ``google-api-python-client``, through the discovery document (analyze,
  suggestscore, and a batch);
* the PyPI ``perspective`` client (its endpoint is an attribute of its API client object);
* the npm ``perspective-api-client`` under Node (its endpoint is a constant; axios requests
  for Google's host are sent to ours instead);
* ``curl -d``, exactly as the README shows it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from googleapiclient import discovery
from googleapiclient.errors import HttpError
from perspective import PerspectiveAPI

from tests.api.conftest import FRIENDLY, INSULT, LiveServer

NODE_DIR = Path(__file__).parent / "node"
IN_CI = os.environ.get("CI") == "true"


def google_service(server: LiveServer):  # type: ignore[no-untyped-def]
    return discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=server.key,
        discoveryServiceUrl=f"{server.url}/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )


def test_google_client_analyze(live_server: LiveServer) -> None:
    service = google_service(live_server)
    body = {
        "comment": {"text": INSULT},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
        "spanAnnotations": True,
        "clientToken": "g-1",
    }
    result = service.comments().analyze(body=body).execute()
    assert result["clientToken"] == "g-1"
    assert result["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.5
    assert result["attributeScores"]["INSULT"]["spanScores"]


def test_google_client_sees_perspective_errors(live_server: LiveServer) -> None:
    service = google_service(live_server)
    body = {"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}
    with pytest.raises(HttpError) as info:
        service.comments().analyze(body=body).execute()
    assert info.value.status_code == 400
    assert info.value.reason == "Comment must be non-empty."
    assert info.value.error_details[0]["errorType"] == "COMMENT_EMPTY"


def test_google_client_suggestscore(live_server: LiveServer) -> None:
    service = google_service(live_server)
    body = {
        "comment": {"text": FRIENDLY},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0}}},
        "communityId": "news",
        "clientToken": "g-2",
    }
    assert service.comments().suggestscore(body=body).execute()["clientToken"] == "g-2"


def test_google_client_batch(live_server: LiveServer) -> None:
    service = google_service(live_server)
    results: dict[str, object] = {}

    def collect(request_id: str, response: object, exception: Exception | None) -> None:
        results[request_id] = exception or response

    batch = service.new_batch_http_request(callback=collect)
    texts = {"insult": INSULT, "friendly": FRIENDLY, "empty": ""}
    for name, text in texts.items():
        body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
        batch.add(service.comments().analyze(body=body), request_id=name)
    batch.execute()
    score = {
        name: results[name]["attributeScores"]["TOXICITY"]["summaryScore"]["value"]  # type: ignore[index]
        for name in ("insult", "friendly")
    }
    assert score["insult"] > 0.5 > score["friendly"]
    assert isinstance(results["empty"], HttpError)
    assert results["empty"].status_code == 400


def test_pypi_perspective_client(live_server: LiveServer) -> None:
    client = PerspectiveAPI(live_server.key)
    client.api_client.url = f"{live_server.url}/v1alpha1/{{endpoint}}"
    scores = client.score(INSULT, tests=["TOXICITY", "INSULT"])
    assert scores["TOXICITY"] > 0.5 and set(scores) == {"TOXICITY", "INSULT"}
    result = client.analyze_comment(
        FRIENDLY,
        span_annotations=True,
        languages=["en"],
        client_token="p-1",
        do_not_store=True,
        community_id="news",
        context=[{"text": "the article"}],
    )
    assert result["clientToken"] == "p-1"
    assert result["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.5
    suggestion = client.suggest_score(
        FRIENDLY,
        {"TOXICITY": {"summaryScore": {"value": 0.0}}},
        community_id="news",
        client_token="p-2",
    )
    assert suggestion["clientToken"] == "p-2"


def _node_modules() -> Path:
    """The npm client, installed from tests/api/node/package-lock.json (``.ci/run`` does it)."""
    modules = NODE_DIR / "node_modules" / "perspective-api-client"
    if modules.is_dir():
        return modules
    npm = shutil.which("npm")
    reason = "node and npm are needed for the npm perspective-api-client test"
    if shutil.which("node") is None or npm is None:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        if IN_CI:
            pytest.fail(f"npm ci failed: {done.stderr[-500:]}")
        pytest.skip(f"npm ci failed (offline?): {done.stderr[-200:]}")
    return modules


def test_npm_perspective_api_client(live_server: LiveServer) -> None:
    _node_modules()
    env = {
        **os.environ,
        "CIVILITY_URL": live_server.url,
        "CIVILITY_KEY": live_server.key,
        "INSULT": INSULT,
        "FRIENDLY": FRIENDLY,
    }
    done = subprocess.run(
        ["node", "analyze.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["insult"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.5
    assert set(out["insult"]["attributeScores"]) == {"TOXICITY", "INSULT"}
    assert out["html"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.5
    assert out["empty"] == {
        "name": "ResponseError",
        "message": "Comment must be non-empty.",
        "status": 400,
    }


def test_curl_as_the_readme_shows_it(live_server: LiveServer) -> None:
    # `curl -d` labels its body a form (application/x-www-form-urlencoded); it is still JSON.
    if shutil.which("curl") is None:
        if IN_CI:
            pytest.fail("curl is needed for the README's example")
        pytest.skip("curl is not installed")
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}
    done = subprocess.run(
        [
            "curl",
            "-s",
            f"{live_server.url}/v1alpha1/comments:analyze?key={live_server.key}",
            "-d",
            json.dumps(body),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)["attributeScores"]
    assert scores["TOXICITY"]["summaryScore"]["value"] > 0.5


def test_live_server_serves_health_and_metrics(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/healthz").json()["ok"] is True
    assert "civility_http_requests_total" in httpx.get(f"{live_server.url}/metrics").text
