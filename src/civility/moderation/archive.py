"""Reading existing comment archives: JSONL, CSV and Disqus XML exports, one comment at a time.

Every format becomes the same ``ArchiveComment``, so import, ``policy test`` and calibration
never care where a comment came from. Files are streamed (Disqus exports run to gigabytes);
only Disqus threads (articles) are kept in memory, because posts refer to them by id.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civility.data.files import iter_records
from civility.errors import InputFileError
from civility.languages import normalize_language

REQUIRED = ("article_id", "comment_id", "text")
"""Fields every archive record needs; ``parent_id``, ``author`` and ``created_at`` may be empty."""

_TAG_RE = re.compile(r"<[^>]+>")
_BR_RE = re.compile(r"(?i)<\s*(br|/p)\s*/?>")


@dataclass(frozen=True)
class ArchiveComment:
    """One comment of an archive, with the article it belongs to and its place in the thread."""

    article_id: str
    comment_id: str
    text: str
    parent_id: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    article_title: str | None = None
    article_url: str | None = None
    article_body: str | None = None
    author_name: str | None = None
    language: str | None = None
    """The language it is written in, as its record or request declares it; when it is
    ingested, the language it was read in (this one, else the community's, unless the text
    clearly says otherwise)."""
    position: int = 0
    """Record number in the file (1-based): where to resume and what to quote in errors."""


def parse_time(value: Any, where: str = "created_at") -> datetime | None:
    """ISO 8601 text (``Z`` allowed) or Unix seconds, as an aware UTC datetime; None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d+(\.\d+)?", text):
                return datetime.fromtimestamp(float(text), tz=UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputFileError(f"{where}: {value!r} is not an ISO 8601 time.") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise InputFileError(f"{where}: {value!r} is not a time.")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _language(value: Any) -> str | None:
    text = _text(value)
    return normalize_language(text) if text else None


def from_record(record: dict[str, Any], position: int, where: str) -> ArchiveComment:
    """Validate one JSONL/CSV record; errors name the file, the record and the field."""
    for name in REQUIRED:
        if _text(record.get(name)) is None:
            raise InputFileError(f"{where}, record {position}: field {name!r} is missing or empty.")
    return ArchiveComment(
        article_id=str(record["article_id"]).strip(),
        comment_id=str(record["comment_id"]).strip(),
        text=str(record["text"]),
        parent_id=_text(record.get("parent_id")),
        author=_text(record.get("author")),
        created_at=parse_time(record.get("created_at"), f"{where}, record {position}: created_at"),
        article_title=_text(record.get("article_title")),
        article_url=_text(record.get("article_url")),
        language=_language(record.get("language")),
        position=position,
    )


def html_to_text(markup: str) -> str:
    """Disqus stores messages as HTML; moderation and scoring want what a reader sees."""
    return html.unescape(_TAG_RE.sub("", _BR_RE.sub("\n", markup))).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _dsq_id(element: ET.Element) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == "id":
            return value
    return None


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _child_text(element: ET.Element, name: str) -> str | None:
    child = _child(element, name)
    return _text(child.text) if child is not None else None


def iter_disqus(path: Path) -> Iterator[ArchiveComment]:
    """Posts of a Disqus XML export, with their thread's title and link; deleted/spam skipped.

    The article id is the thread's own identifier when the site set one (that is what the
    CMS knows the article by), else Disqus's thread id.
    """
    threads: dict[str, tuple[str, str | None, str | None]] = {}
    position = 0
    try:
        for _, element in ET.iterparse(path, events=("end",)):
            tag = _local(element.tag)
            if tag == "thread" and len(element):
                dsq = _dsq_id(element) or ""
                ident = _child_text(element, "id") or dsq
                threads[dsq] = (ident, _child_text(element, "title"), _child_text(element, "link"))
                element.clear()
            elif tag == "post":
                position += 1
                if "true" in (_child_text(element, "isDeleted"), _child_text(element, "isSpam")):
                    element.clear()
                    continue
                thread = _child(element, "thread")
                thread_id = _dsq_id(thread) if thread is not None else None
                if thread_id is None or thread_id not in threads:
                    raise InputFileError(
                        f"{path}, post {position}: refers to thread {thread_id!r}, not in the file."
                    )
                article, title, url = threads[thread_id]
                parent = _child(element, "parent")
                author = _child(element, "author")
                name = None
                if author is not None:
                    name = _child_text(author, "username") or _child_text(author, "name")
                text = html_to_text(_child_text(element, "message") or "")
                comment_id = _dsq_id(element)
                if not comment_id or not text:
                    element.clear()
                    continue
                yield ArchiveComment(
                    article_id=article,
                    comment_id=comment_id,
                    text=text,
                    parent_id=_dsq_id(parent) if parent is not None else None,
                    author=name,
                    created_at=parse_time(
                        _child_text(element, "createdAt"), f"{path}, post {position}: createdAt"
                    ),
                    article_title=title,
                    article_url=url,
                    position=position,
                )
                element.clear()
    except ET.ParseError as exc:
        raise InputFileError(f"{path}, line {exc.position[0]}: invalid XML ({exc.msg}).") from None


def archive_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] == ".xml":
        return "disqus"
    return "records"


def iter_archive(path: str | Path, skip: int = 0) -> Iterator[ArchiveComment]:
    """Comments of a JSONL, CSV or Disqus XML archive, in file order, after the first ``skip``."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.")
    if archive_format(path) == "disqus":
        for comment in iter_disqus(path):
            if comment.position > skip:
                yield comment
        return
    for position, record in enumerate(iter_records(path), start=1):
        if position > skip:
            yield from_record(record, position, str(path))
