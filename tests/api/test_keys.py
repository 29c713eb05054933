"""Keys: required, hashed, revocable, rate-limited; managed by ``civility keys``."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from civility.api.keys import create_key, hash_key, request_cost, revoke_key
from civility.cli import app as cli
from civility.store import ApiKey, Store
from tests.api.conftest import INSULT
from tests.api.test_errors import assert_error

ANALYZE = "/v1alpha1/comments:analyze"
OK = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}


def test_missing_key_is_403(client: TestClient) -> None:
    error = assert_error(
        client.post(ANALYZE, json=OK), 403, None, "The request is missing a valid API key."
    )
    assert error["status"] == "PERMISSION_DENIED"


def test_unknown_key_is_400_api_key_invalid(client: TestClient) -> None:
    response = client.post(ANALYZE, params={"key": "civ_not-a-key"}, json=OK)
    error = assert_error(response, 400, None, "API key not valid. Please pass a valid API key.")
    assert error["details"][0]["reason"] == "API_KEY_INVALID"


def test_key_is_checked_before_the_body(client: TestClient) -> None:
    body = b'{"comment": {"text": 5}}'  # JSON, but no valid request: the key is refused first
    response = client.post(ANALYZE, params={"key": "wrong"}, content=body)
    assert response.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"


def test_keys_are_stored_hashed(api_store: Store, api_key: str) -> None:
    with api_store.session() as session:
        row = session.scalars(select(ApiKey)).one()
    assert row.key_hash == hash_key(api_key)
    assert api_key not in (row.key_hash, row.prefix)
    assert api_key.startswith(row.prefix)


def test_revoked_key_is_refused(client: TestClient, api_store: Store, api_key: str) -> None:
    state = client.app.state.civility  # type: ignore[attr-defined]
    assert client.post(ANALYZE, params={"key": api_key}, json=OK).status_code == 200
    revoke_key(api_store, api_key)
    state.keys.ttl = 0.0  # what CACHE_SECONDS later looks like
    state.keys._cache.clear()
    response = client.post(ANALYZE, params={"key": api_key}, json=OK)
    assert_error(response, 400, None, "API key not valid. Please pass a valid API key.")


def test_rate_limit_is_per_key_with_429_and_retry_after(
    client: TestClient, api_store: Store
) -> None:
    slow, _ = create_key(api_store, "slow", rate_limit=3)
    fast, _ = create_key(api_store, "fast")
    codes = [client.post(ANALYZE, params={"key": slow}, json=OK).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.post(ANALYZE, params={"key": slow}, json=OK)
    error = assert_error(
        response, 429, None, "Quota exceeded: this API key may make 3 requests per minute."
    )
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert int(response.headers["retry-after"]) >= 1
    # Other keys are not affected.
    assert client.post(ANALYZE, params={"key": fast}, json=OK).status_code == 200


def test_quota_weighs_calls_by_text_length_tier_and_spans(
    client: TestClient, api_store: Store
) -> None:
    assert request_cost(20_000, "accurate", spans=True) >= 100 * request_cost(200, "fast")
    key, _ = create_key(api_store, "weighed", rate_limit=10)
    long_with_spans = {
        "comment": {"text": (INSULT + ". ") * 130},  # 3,120 characters: 4 units, x2 for spans
        "requestedAttributes": {"TOXICITY": {}},
        "spanAnnotations": True,
    }
    assert client.post(ANALYZE, params={"key": key}, json=long_with_spans).status_code == 200
    codes = [client.post(ANALYZE, params={"key": key}, json=OK).status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # 8 + 2 units spent of 10


def test_processes_on_one_store_share_one_quota(make_client, api_store: Store) -> None:  # type: ignore[no-untyped-def]
    key, _ = create_key(api_store, "shared", rate_limit=6)
    nodes = [make_client(), make_client()]
    codes = [nodes[i % 2].post(ANALYZE, params={"key": key}, json=OK).status_code for i in range(8)]
    assert codes == [200] * 6 + [429] * 2


def test_server_default_rate_limit_applies_to_keys_without_their_own(
    make_client,
    api_key: str,  # type: ignore[no-untyped-def]
) -> None:
    client = make_client(rate_limit_per_minute=2)
    codes = [client.post(ANALYZE, params={"key": api_key}, json=OK).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_keys_can_be_optional(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(require_key=False)
    assert client.post(ANALYZE, json=OK).status_code == 200
    assert client.post(ANALYZE, params={"key": "wrong"}, json=OK).status_code == 400


def test_keys_cli_create_list_revoke(tmp_path: Path, client: TestClient) -> None:
    runner = CliRunner()
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    created = runner.invoke(
        cli, ["keys", "create", "cms", "--rate-limit", "60", "--database", database]
    )
    assert created.exit_code == 0, created.output
    key = re.search(r"civ_\S+", created.stdout).group(0)  # type: ignore[union-attr]
    listed = runner.invoke(cli, ["keys", "list", "--database", database])
    assert listed.exit_code == 0
    assert (
        key[:12] in listed.stdout and "cms\t60/min" in listed.stdout and "active" in listed.stdout
    )
    assert key not in listed.stdout
    revoked = runner.invoke(cli, ["keys", "revoke", key[:12], "--database", database])
    assert revoked.exit_code == 0 and "Revoked" in revoked.stdout
    assert "revoked" in runner.invoke(cli, ["keys", "list", "--database", database]).stdout
    missing = runner.invoke(cli, ["keys", "revoke", "civ_nope", "--database", database])
    assert missing.exit_code != 0


def test_key_cache_expires(api_store: Store) -> None:
    from civility.api.keys import KeyChecker

    now = [0.0]
    key, _ = create_key(api_store, "k")
    checker = KeyChecker(api_store, ttl=5.0, clock=lambda: now[0])
    assert checker.lookup(key) is not None
    revoke_key(api_store, key)
    now[0] = 4.9
    assert checker.cached(key)[0] is True  # a revoked key serves until its entry expires
    now[0] = 5.1
    assert checker.cached(key)[0] is False
    assert checker.lookup(key) is None
