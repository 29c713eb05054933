"""Archives in every supported format, all holding the same small discussion."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

THREAD = [
    # article, comment, parent, author, created_at, text
    ("a1", "c1", "", "ann", "2024-05-01T10:00:00Z", "Thank you for this careful reporting."),
    ("a1", "c2", "c1", "bob", "2024-05-01T10:05:00Z", "you are an idiot"),
    ("a1", "c3", "c2", "ann", "2024-05-01T10:06:00Z", "Please keep it civil, thanks."),
    ("a1", "c4", "", "cat", "2024-05-01T10:07:00Z", "Read more at https://spam.example.com/x now"),
    ("a2", "c5", "", "bob", "2024-05-01T11:00:00Z", "what a stupid moron you are"),
    ("a2", "c6", "c5", "dan", "2024-05-01T11:01:00Z", "I agree with the article, good points."),
]
FIELDS = ("article_id", "comment_id", "parent_id", "author", "created_at", "text")


def thread_records() -> list[dict[str, str]]:
    return [
        {**dict(zip(FIELDS, row, strict=True)), "article_title": f"Story {row[0]}"}
        for row in THREAD
    ]


@pytest.fixture
def jsonl_archive(tmp_path: Path) -> Path:
    path = tmp_path / "comments.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in thread_records()))
    return path


@pytest.fixture
def csv_archive(tmp_path: Path) -> Path:
    path = tmp_path / "comments.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, [*FIELDS, "article_title"])
        writer.writeheader()
        writer.writerows(thread_records())
    return path


@pytest.fixture
def disqus_archive(tmp_path: Path) -> Path:
    posts = []
    for article, comment, parent, author, created, text in THREAD:
        parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
        posts.append(
            f'<post dsq:id="{comment}"><id/><message><![CDATA[<p>{text}</p>]]></message>'
            f"<createdAt>{created}</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>"
            f"<author><name>{author.title()}</name><username>{author}</username></author>"
            f'<thread dsq:id="t-{article}"/>{parent_xml}</post>'
        )
    posts.append(
        '<post dsq:id="spam1"><message>buy pills</message><createdAt>2024-05-01T12:00:00Z'
        "</createdAt><isDeleted>false</isDeleted><isSpam>true</isSpam>"
        '<thread dsq:id="t-a1"/></post>'
    )
    threads = "".join(
        f'<thread dsq:id="t-{a}"><id>{a}</id><link>https://news.example/{a}</link>'
        f"<title>Story {a}</title><createdAt>2024-05-01T09:00:00Z</createdAt></thread>"
        for a in ("a1", "a2")
    )
    path = tmp_path / "export.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        f"{threads}{''.join(posts)}</disqus>\n"
    )
    return path


# -- a store and an API app, on SQLite and (when configured) PostgreSQL ------------------------

from collections.abc import Iterator  # noqa: E402

from fastapi.testclient import TestClient  # noqa: E402

from civility.moderation.archive import ArchiveComment  # noqa: E402
from civility.moderation.ingest import IngestOptions, ingest  # noqa: E402
from civility.scoring import FastScorer  # noqa: E402
from civility.settings import Settings  # noqa: E402
from civility.store import Moderator, Store  # noqa: E402
from tests.conftest import english_only  # noqa: E402
from tests.store.conftest import store, store_url  # noqa: E402, F401


@pytest.fixture
def client(store: Store, tiny_scorer: FastScorer, tmp_path: Path) -> Iterator[TestClient]:  # noqa: F811
    from civility.api import create_app

    settings = Settings(data_dir=str(tmp_path), require_key=False)
    app = create_app(settings, store=store, scorer=tiny_scorer)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def moderators(store: Store) -> list[str]:  # noqa: F811
    with store.writer() as session:
        for name in ("alice", "bruno"):
            session.add(Moderator(username=name, password_hash="x", is_admin=True))
    return ["alice", "bruno"]


def submit(store: Store, scorer: FastScorer, rows: list[dict[str, str]], **kwargs: object) -> list:  # noqa: F811
    """Ingest archive-shaped rows straight through the service (no HTTP)."""
    from civility.moderation.archive import from_record

    comments: list[ArchiveComment] = [from_record(r, i, "test") for i, r in enumerate(rows, 1)]
    return ingest(
        store, english_only(scorer), comments, options=IngestOptions(create_articles=True), **kwargs
    )  # type: ignore[arg-type]
