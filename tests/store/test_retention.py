"""Stored text is blanked after the retention period; values and scores stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from civility.store import Article, Comment, Community, Feedback, Store
from civility.store.retention import purge_expired_text


def test_old_text_is_blanked_recent_text_kept(store: Store) -> None:
    now = datetime.now(UTC)
    with store.writer() as session:
        community = Community(slug="news", name="N")
        article = Article(community=community, external_id="a")
        session.add_all(
            [
                Comment(
                    community=community,
                    article=article,
                    external_id="old",
                    text="old words",
                    received_at=now - timedelta(days=40),
                ),
                Comment(
                    community=community,
                    article=article,
                    external_id="new",
                    text="new words",
                    received_at=now - timedelta(days=5),
                ),
                Feedback(
                    source="suggestscore",
                    attribute="TOXICITY",
                    value=1.0,
                    text="old fb",
                    text_sha256="a" * 64,
                    created_at=now - timedelta(days=31),
                ),
            ]
        )
    assert purge_expired_text(store, days=30, now=now) == 2
    with store.session() as session:
        texts = dict(session.execute(select(Comment.external_id, Comment.text)).all())
        feedback = session.scalars(select(Feedback)).one()
    assert texts == {"old": None, "new": "new words"}
    assert feedback.text is None and feedback.value == 1.0 and feedback.text_sha256 == "a" * 64
    assert purge_expired_text(store, days=0, now=now) == 0  # 0: keep forever
