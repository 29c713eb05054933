"""The store: migrated on open, same behaviour on SQLite and PostgreSQL, threads are real."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from civility.errors import ConfigError, StoreError
from civility.settings import Settings
from civility.store import (
    ApiKey,
    Article,
    Author,
    Base,
    Comment,
    CommentStatus,
    Community,
    Decision,
    Feedback,
    Moderator,
    Score,
    Store,
    Webhook,
    WebhookDelivery,
    current_revision,
    head_revision,
    open_store,
)


def _thread(store: Store) -> int:
    """A community with an article, an author and a two-level thread; returns the reply's id."""
    with store.writer() as session:
        community = Community(slug="news", name="News", policy="[[rules]]\n")
        article = Article(community=community, external_id="a1", url="https://x/a1", title="T")
        author = Author(community=community, external_id="u1", display_name="Ann")
        root = Comment(
            community=community, article=article, author=author, external_id="c1", text="hi"
        )
        reply = Comment(
            community=community,
            article=article,
            author=author,
            external_id="c2",
            text="you idiot",
            parent=root,
        )
        session.add_all([community, article, author, root, reply])
        session.flush()
        return reply.id


def test_open_store_migrates_a_fresh_database_to_head(store: Store) -> None:
    assert current_revision(store.engine) == head_revision() is not None
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_reopening_is_a_no_op_and_keeps_data(store: Store) -> None:
    with store.writer() as session:
        session.add(Community(slug="s", name="S"))
    again = open_store(store.url)
    with again.session() as session:
        assert session.scalars(select(Community.slug)).all() == ["s"]
    again.dispose()


@pytest.mark.parametrize(
    "store_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_disposed_postgres_store_leaves_no_connection_on_the_server(store_url: str) -> None:
    """A server's connection slots are few: what a store opened, dispose gives back."""
    name = f"civility-test-{os.getpid()}"
    store = open_store(f"{store_url}?application_name={name}")
    with store.writer() as session:
        session.add(Community(slug="news", name="News"))
    with pytest.raises(IntegrityError), store.writer() as session:
        session.add(Community(slug="news", name="Again"))  # rolled back, connection returned
    with store.session() as session:
        assert session.scalars(select(Community.name)).all() == ["News"]
    store.dispose()
    watcher = create_engine(store_url)
    with watcher.connect() as connection:
        left = connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": name},
        )
    watcher.dispose()
    assert left == 0


def test_sqlite_store_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'new' / 'dir' / 'c.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "new" / "dir" / "c.db").exists()
    store.dispose()


def test_sqlite_files_are_private_to_their_owner(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
        with store.writer() as session:
            session.add(Community(slug="news", name="News"))
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        store.dispose()
    finally:
        os.umask(previous)
    assert {"c.db", "c.db-wal", "c.db-shm", "c.db.lock"} <= set(files)
    assert files == dict.fromkeys(files, 0o600), files


@pytest.mark.parametrize(("level", "pragma"), [("normal", 1), ("full", 2), ("FULL", 2)])
def test_sqlite_synchronous_is_a_setting(tmp_path: Path, level: str, pragma: int) -> None:
    store = open_store(
        f"sqlite:///{tmp_path / 'c.db'}", settings=Settings(sqlite_synchronous=level)
    )
    for engine in (store.engine, store.write_engine):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
    store.dispose()


def test_an_unknown_synchronous_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'sqlite_synchronous' has value 'off'\. Must be one of"):
        open_store(f"sqlite:///{tmp_path / 'c.db'}", settings=Settings(sqlite_synchronous="off"))


def test_threads_link_parents_replies_and_articles(store: Store) -> None:
    reply_id = _thread(store)
    with store.session() as session:
        reply = session.get_one(Comment, reply_id)
        assert reply.parent is not None and reply.parent.external_id == "c1"
        assert [c.external_id for c in reply.parent.replies] == ["c2"]
        assert sorted(c.external_id for c in reply.article.comments) == ["c1", "c2"]
        assert reply.author is not None and reply.author.display_name == "Ann"
        assert reply.status == CommentStatus.PENDING
        assert reply.created_at.tzinfo is not None


def test_external_ids_are_unique_per_community_only(store: Store) -> None:
    _thread(store)
    with pytest.raises(IntegrityError), store.writer() as session:
        community = session.scalars(select(Community)).one()
        article = session.scalars(select(Article)).one()
        session.add(Comment(community_id=community.id, article=article, external_id="c1"))
    with store.writer() as session:
        other = Community(slug="sport", name="Sport")
        article = Article(community=other, external_id="a1")
        session.add(Comment(community=other, article=article, external_id="c1", text="ok"))
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 3


def test_text_can_be_blanked_while_scores_and_decisions_stay(store: Store) -> None:
    reply_id = _thread(store)
    snapshot = {"TOXICITY": 0.91, "INSULT": 0.88}
    with store.writer() as session:
        session.add_all(
            [
                Score(comment_id=reply_id, attribute=a, value=v, model_version="fast-1")
                for a, v in snapshot.items()
            ]
        )
        session.add(
            Decision(
                comment_id=reply_id,
                actor="policy:toxic-hold",
                action="hold",
                reason="TOXICITY >= 0.6",
                scores=snapshot,
                model_version="fast-1",
            )
        )
        session.get_one(Comment, reply_id).text = None
    with store.session() as session:
        reply = session.get_one(Comment, reply_id)
        assert reply.text is None
        assert {s.attribute: s.value for s in reply.scores} == snapshot
        (decision,) = reply.decisions
        assert decision.scores == snapshot
        assert decision.actor == "policy:toxic-hold"
        assert datetime.now(UTC) - decision.created_at < timedelta(minutes=5)


def test_one_score_per_comment_attribute_and_model(store: Store) -> None:
    reply_id = _thread(store)
    with pytest.raises(IntegrityError), store.writer() as session:
        for _ in range(2):
            session.add(
                Score(comment_id=reply_id, attribute="TOXICITY", value=0.5, model_version="fast-1")
            )


def test_moderators_are_assigned_to_communities(store: Store) -> None:
    with store.writer() as session:
        news, sport = Community(slug="news", name="N"), Community(slug="sport", name="S")
        session.add(Moderator(username="mo", password_hash="$argon2id$", communities=[news, sport]))
    with store.session() as session:
        mo = session.scalars(select(Moderator)).one()
        assert sorted(c.slug for c in mo.communities) == ["news", "sport"]
    with pytest.raises(IntegrityError), store.writer() as session:
        session.add(Moderator(username="mo", password_hash="y"))


def test_keys_feedback_and_webhook_deliveries_round_trip(store: Store) -> None:
    with store.writer() as session:
        community = Community(slug="news", name="N")
        key = ApiKey(prefix="civ_abcd", key_hash="0" * 64, name="cms", rate_limit=60)
        session.add_all([community, key])
        session.flush()
        session.add(
            Feedback(
                source="suggestscore",
                community="news",
                community_id=community.id,
                api_key_id=key.id,
                client_token="t",
                attribute="TOXICITY",
                value=1.0,
                text_sha256="f" * 64,
            )
        )
        hook = Webhook(community_id=community.id, url="https://cms/hook", secret="s")
        session.add(hook)
        session.flush()
        session.add(WebhookDelivery(webhook_id=hook.id, event="decision", payload={"a": [1, 2]}))
    with store.session() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.payload == {"a": [1, 2]}
        assert delivery.status == "pending" and delivery.attempts == 0
        feedback = session.scalars(select(Feedback)).one()
        assert feedback.text is None and feedback.value == 1.0
        assert session.scalars(select(ApiKey)).one().revoked_at is None


def test_deleting_a_community_deletes_its_threads(store: Store) -> None:
    _thread(store)
    with store.writer() as session:
        session.execute(text("DELETE FROM communities"))
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0
        assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_concurrent_writers_queue_instead_of_failing(store: Store) -> None:
    with store.writer() as session:
        session.add(Community(slug="news", name="N"))
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(20):
                with store.writer() as session:
                    community = session.scalars(select(Community)).one()
                    article = Article(community=community, external_id=f"{worker}-{i}")
                    session.add(article)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 80


def test_processes_opening_a_new_store_together_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    code = f"from civility.store import open_store; open_store({url!r}).dispose()"
    command = [sys.executable, "-c", code]
    procs = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(3)]
    results = [(p.wait(timeout=60), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert results == [(0, "")] * 3


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a valid SQLAlchemy URL"),
        ("nosuchdb://x/y", "names an unsupported backend"),
        ("postgresql+psycopg://u:secret@127.0.0.1:1/db", "Cannot open the store at"),
    ],
)
def test_bad_urls_are_one_line_errors_without_the_password(url: str, message: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert message in info.value.message
    assert "secret" not in info.value.message
    assert "\n" not in info.value.message


def test_errors_never_carry_bound_values(store: Store) -> None:
    with store.writer() as session:
        session.add(Community(slug="news", name="a comment's private words"))
    with pytest.raises(IntegrityError) as raised, store.writer() as session:
        session.add(Community(slug="news", name="a comment's private words"))
    assert "private words" not in str(raised.value)
