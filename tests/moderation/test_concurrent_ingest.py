"""Concurrent ingest of new articles, authors and communities: get-or-create never fails.

Many writers meeting the same new article (a story everyone comments on at once) must each find
or create it, on SQLite and on PostgreSQL, without a unique violation reaching the caller.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.scoring import FastScorer
from civility.store import Article, Author, Comment, Community, Store
from tests.conftest import english_only
from tests.store.conftest import store, store_url  # noqa: F401  (both backends)

WRITERS, ROUNDS, PER_BATCH, POOL = 8, 20, 4, 12


def _batch(writer: int, round_: int) -> list[ArchiveComment]:
    """Comments on a few of the round's new stories, each writer's few overlapping others'."""
    stories = random.Random(writer * 1000 + round_).sample(range(POOL), PER_BATCH)
    return [
        ArchiveComment(
            article_id=f"story-{round_}-{a}",
            comment_id=f"w{writer}-r{round_}-a{a}",
            text=f"comment {writer} on story {a}",
            author=f"reader-{round_}-{a}",  # new too, and shared
            article_title=f"Story {a}",
        )
        for a in stories
    ]


def test_concurrent_ingest_of_new_articles_never_fails(
    store: Store,  # noqa: F811
    tiny_scorer: FastScorer,
) -> None:
    options = IngestOptions(create_articles=True, create_community=True)
    languages = english_only(tiny_scorer)
    barrier = threading.Barrier(WRITERS)

    def write(writer: int) -> int:
        stored = 0
        for round_ in range(ROUNDS):
            barrier.wait(timeout=120)  # every writer meets each round's new articles at once
            try:
                results = ingest(
                    store, languages, _batch(writer, round_), "breaking", None, options
                )
            except Exception:
                barrier.abort()  # the others stop waiting for this writer
                raise
            stored += len(results)
        return stored

    with ThreadPoolExecutor(WRITERS) as pool:
        stored = list(pool.map(write, range(WRITERS)))
    assert stored == [ROUNDS * PER_BATCH] * WRITERS
    stories = {
        (c.article_id, c.author)
        for w in range(WRITERS)
        for r in range(ROUNDS)
        for c in _batch(w, r)
    }
    with store.session() as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Community) == 1
        assert count(Article) == count(Author) == len(stories)
        assert count(Comment) == WRITERS * ROUNDS * PER_BATCH
