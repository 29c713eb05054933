"""The desk's service methods on both backends: standing at intake, reports, undo, migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text

from civility.errors import DecisionConflictError, NotFoundError
from civility.moderation.service import ModerationService
from civility.scoring import FastScorer
from civility.store import Author, Comment, Feedback, Store, migrate, open_store
from civility.store.engine import alembic_config
from tests.moderation.conftest import submit

FRIENDLY = "Thank you for this careful reporting."
INSULT = "you are a stupid idiot"


def _status(store: Store, external: str) -> str:
    with store.session() as session:
        return str(session.scalar(select(Comment.status).where(Comment.external_id == external)))


def _row(cid: str, text_: str, author: str = "bob") -> dict[str, str]:
    return {"article_id": "a1", "comment_id": cid, "text": text_, "author": author}


def test_standing_decides_the_next_comment(
    store: Store, tiny_scorer: FastScorer, moderators: list[str]
) -> None:
    service = ModerationService(store)
    submit(store, tiny_scorer, [_row("c1", FRIENDLY)])
    assert _status(store, "c1") == "approved"
    service.act_on_author("default", "bob", "ban", "alice", "spam")
    [banned] = submit(store, tiny_scorer, [_row("c2", FRIENDLY)])
    assert (banned.status, banned.rule) == ("rejected", "author-banned")
    until = datetime.now(UTC) + timedelta(days=1)
    service.act_on_author("default", "bob", "suspend", "alice", "cool off", until)
    [suspended] = submit(store, tiny_scorer, [_row("c3", FRIENDLY)])
    assert (suspended.status, suspended.rule) == ("held", "author-suspended")
    service.act_on_author("default", "bob", "unban", "alice", "served it")
    [free] = submit(store, tiny_scorer, [_row("c5", FRIENDLY)])
    assert free.status == "approved"
    with store.session() as session:
        author = session.scalars(select(Author).where(Author.external_id == "bob")).one()
        assert (author.status, author.until) == ("active", None)


def test_reports_undo_and_restore(
    store: Store, tiny_scorer: FastScorer, moderators: list[str]
) -> None:
    service = ModerationService(store)
    submit(store, tiny_scorer, [_row("r1", FRIENDLY), _row("h1", INSULT)])
    for reader in ("x", "y"):
        assert service.report("default", "r1", reader, "rude", per_hour=5)["status"] == "approved"
    assert service.report("default", "r1", "z", "rude", per_hour=5)["status"] == "reported"
    assert _status(store, "r1") == "reported"

    assert _status(store, "h1") == "held"
    service.decide("default", "h1", "reject", "alice")
    undone = service.undo("alice")
    assert (undone["comment_id"], undone["status"], undone["undone"]) == ("h1", "held", "reject")
    with store.session() as session:  # the undone decision no longer teaches the calibration
        assert session.scalars(select(Feedback).where(Feedback.source == "moderator")).all() == []
    with pytest.raises(NotFoundError):
        service.undo("alice")

    service.decide("default", "h1", "reject", "alice")
    restored = service.decide("default", "h1", "restore", "bruno", expected_status="rejected")
    assert restored["status"] == "held"  # back in the queue, not published
    with pytest.raises(DecisionConflictError):
        service.undo("alice")  # bruno acted on it since


def test_migration_keeps_earlier_bans(store_url: str) -> None:
    """Authors banned before ``status`` existed stay banned after the upgrade."""
    old = open_store(store_url, upgrade=False)
    config = alembic_config(old.engine)
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(
            text(
                "INSERT INTO communities (slug, name, created_at) "
                "VALUES ('n', 'n', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO authors (community_id, external_id, banned, created_at) "
                "SELECT id, 'old', true, CURRENT_TIMESTAMP FROM communities"
            )
        )
    migrate(old.engine)
    with old.session() as session:
        assert session.scalars(select(Author.status)).all() == ["banned"]
    old.dispose()
