"""Archives: JSONL, CSV and Disqus XML all read as the same threads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from civility.errors import InputFileError
from civility.moderation.archive import iter_archive

from .conftest import THREAD


@pytest.mark.parametrize("fixture", ["jsonl_archive", "csv_archive", "disqus_archive"])
def test_every_format_rebuilds_the_same_threads(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    comments = list(iter_archive(request.getfixturevalue(fixture)))
    got = [(c.article_id, c.comment_id, c.parent_id or "", c.author, c.text) for c in comments]
    assert got == [(a, c, p, who, text) for a, c, p, who, _, text in THREAD]
    assert comments[0].created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert comments[4].article_title == "Story a2"


def test_disqus_messages_are_plain_text_and_spam_is_skipped(disqus_archive: Path) -> None:
    comments = list(iter_archive(disqus_archive))
    assert all("<p>" not in c.text for c in comments)
    assert "spam1" not in {c.comment_id for c in comments}
    assert comments[0].article_url == "https://news.example/a1"


def test_skip_resumes_after_the_given_record(jsonl_archive: Path, disqus_archive: Path) -> None:
    assert [c.comment_id for c in iter_archive(jsonl_archive, skip=4)] == ["c5", "c6"]
    assert [c.comment_id for c in iter_archive(disqus_archive, skip=4)] == ["c5", "c6"]


def test_missing_field_names_the_record_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"article_id": "a", "comment_id": "1", "text": "ok"}\n{"article_id": "a", "text": "x"}\n'
    )
    with pytest.raises(InputFileError, match=r"bad.jsonl, record 2: field 'comment_id'"):
        list(iter_archive(path))


def test_bad_time_and_broken_xml_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("article_id,comment_id,text,created_at\na,1,hello,yesterday\n")
    with pytest.raises(InputFileError, match=r"record 1: created_at: 'yesterday'"):
        list(iter_archive(path))
    xml = tmp_path / "broken.xml"
    xml.write_text("<disqus>\n<thread>\n</disqus>\n")
    with pytest.raises(InputFileError, match=r"broken.xml, line 3: invalid XML"):
        list(iter_archive(xml))
