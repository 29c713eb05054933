"""``civility serve``: zero-config first run, one-line config errors, several workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from civility.cli import app as cli
from civility.errors import StoreError
from civility.store import check_servable
from tests.api.conftest import INSULT, start_server, stop_server


@pytest.mark.slow
def test_first_run_prints_a_working_key_and_later_runs_do_not(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    server = start_server(tmp_path, tiny_model_dir)
    try:
        response = httpx.post(
            f"{server.url}/v1alpha1/comments:analyze",
            params={"key": server.key},
            json={"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}},
        )
        assert response.status_code == 200
    finally:
        stop_server(server)
    assert (tmp_path / "civility.db").exists()
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["serve", "--data-dir", str(tmp_path), "--get", "/healthz"],
        env={"CIVILITY_MODEL_DIR": str(tiny_model_dir)},
    )
    assert result.exit_code == 0, result.output
    assert "First API key" not in result.output  # a key exists: none is made
    assert '"ok":true' in result.output


def test_get_answers_without_opening_a_port(tiny_model_dir: Path, tmp_path: Path) -> None:
    before = dict(os.environ)
    result = CliRunner().invoke(
        cli,
        ["serve", "--data-dir", str(tmp_path), "--get", "/$discovery/rest"],
        env={"CIVILITY_MODEL_DIR": str(tiny_model_dir)},
    )
    assert result.exit_code == 0, result.output
    assert '"name":"commentanalyzer"' in result.output
    assert dict(os.environ) == before  # settings are not exported into the caller's process


def test_bad_configuration_is_one_line(tiny_model_dir: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from civility.cli import main; main()", "serve", "--get", "/"],
        env={
            "CIVILITY_PORT": "eighty",
            "CIVILITY_MODEL_DIR": str(tiny_model_dir),
            "CIVILITY_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: [C050] Setting 'port' has value 'eighty' (from CIVILITY_PORT). Not a valid integer."
    )


def test_missing_model_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from civility.cli import main; main()", "serve", "--get", "/"],
        env={
            "CIVILITY_MODEL_DIR": str(tmp_path / "none"),
            "CIVILITY_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("Error: [C020]")


@pytest.mark.slow
def test_two_workers_share_the_store_and_merge_metrics(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    server = start_server(tmp_path, tiny_model_dir, workers=2)
    try:
        body = {"comment": {"text": INSULT}, "requestedAttributes": {"TOXICITY": {}}}
        close = {"connection": "close"}  # a new connection each time, so both workers answer
        pids: set[int] = set()
        calls = 0
        with httpx.Client(base_url=server.url) as client:
            while len(pids) < 2 and calls < 200:
                response = client.post(
                    "/v1alpha1/comments:analyze",
                    params={"key": server.key},
                    json=body,
                    headers=close,
                )
                assert response.status_code == 200
                calls += 1
                pids.add(client.get("/healthz", headers=close).json()["pid"])
            metrics = client.get("/metrics").text
        assert len(pids) == 2, "the second worker never answered"
        line = next(
            li
            for li in metrics.splitlines()
            if li.startswith("civility_http_requests_total{")
            and 'route="/v1alpha1/comments:analyze"' in li
            and 'status="200"' in li
        )
        assert float(line.rsplit(" ", 1)[1]) == calls  # every worker's count, merged
    finally:
        stop_server(server)


def test_an_in_memory_sqlite_store_for_several_workers_is_refused_at_start(
    tiny_model_dir: Path,
) -> None:
    result = CliRunner().invoke(
        cli,
        ["serve", "--database", "sqlite:///:memory:", "--workers", "2", "--get", "/healthz"],
        env={"CIVILITY_MODEL_DIR": str(tiny_model_dir)},
    )
    assert result.exit_code != 0
    assert "cannot be shared by 2 server processes" in str(result.exception or result.output)


def test_a_sqlite_store_on_a_network_filesystem_is_refused(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    share = tmp_path / "share"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nfiler:/export {share} nfs4 rw,relatime 0 0\n")
    with pytest.raises(StoreError, match=r"network filesystem \(nfs4\).*PostgreSQL"):
        check_servable(f"sqlite:///{share / 'civility.db'}", 1, mounts)
    check_servable(f"sqlite:///{tmp_path / 'local' / 'civility.db'}", 4, mounts)  # one host
    check_servable("postgresql+psycopg://u:p@db/civility", 8, mounts)
