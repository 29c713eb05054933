"""``civility import``: archives into the store, threads rebuilt, resumable without duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from civility.cli import app
from civility.moderation.archive import iter_archive
from civility.moderation.service import ModerationService
from civility.scoring import FastScorer
from civility.store import Comment, Store, open_store
from tests.conftest import english_only


def test_import_rebuilds_threads_and_resumes(
    store: Store, tiny_scorer: FastScorer, disqus_archive: Path
) -> None:
    # An interrupted import: only the first 3 posts made it.
    service = ModerationService(store)
    first = service.import_archive(
        english_only(tiny_scorer), list(iter_archive(disqus_archive))[:3], "site", 2
    )
    assert first["imported"] == 3
    again = service.import_archive(
        english_only(tiny_scorer), iter_archive(disqus_archive), "site", 2
    )
    assert (again["imported"], again["skipped"]) == (3, 3)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 6
        reply = session.scalar(select(Comment).where(Comment.external_id == "c3"))
        assert reply is not None and reply.parent is not None
        assert reply.parent.external_id == "c2"


def test_replies_to_missing_parents_are_kept(
    store: Store, tiny_scorer: FastScorer, jsonl_archive: Path
) -> None:
    orphans = [c for c in iter_archive(jsonl_archive) if c.comment_id != "c1"]
    result = ModerationService(store).import_archive(english_only(tiny_scorer), orphans, "site")
    assert result["imported"] == 5


def test_import_command(
    tmp_path: Path, csv_archive: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))
    url = f"sqlite:///{tmp_path / 'db' / 'civility.db'}"
    result = CliRunner().invoke(app, ["import", str(csv_archive), "--database", url])
    assert result.exit_code == 0, result.output
    assert "Imported 6 comments" in result.output
    result = CliRunner().invoke(app, ["import", str(csv_archive), "--database", url])
    assert "Imported 0 comments" in result.output and "6 already stored" in result.output
    store = open_store(url)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 6
    store.dispose()
