"""Reading users' comment files (JSONL or CSV) one record at a time, with clear errors.

Used by every command that takes a file (``score --input``, ``evaluate``, ``import``, ``train
--extra``), so they all accept the same formats and fail the same way: one line naming the file,
line and problem.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from civility.attributes import ATTRIBUTE_NAMES, attribute_for_column
from civility.errors import InputFileError

TEXT_COLUMNS = ("text", "comment_text", "comment", "tweet", "content", "body")
"""Column names accepted for the comment text, in order of preference."""


def _decoded_lines(path: Path, position: list[int]) -> Iterator[str]:
    """Lines of ``path`` decoded one by one, so a bad byte is reported with its line number."""
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            position[0] = number
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                raise InputFileError(f"{path}, line {number}: not valid UTF-8.") from None


def file_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    kind = suffixes[-1] if suffixes else ""
    if kind in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if kind in (".csv", ".tsv"):
        return kind[1:]
    raise InputFileError(f"{path}: unknown file type {kind or '(none)'!r}; use .jsonl or .csv.")


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Each record of a JSONL or CSV/TSV file (optionally gzipped) as a dict."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.")
    kind = file_format(path)
    position = [0]
    lines = _decoded_lines(path, position)
    if kind == "jsonl":
        for raw in lines:
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputFileError(
                    f"{path}, line {position[0]}: invalid JSON ({exc.msg})."
                ) from None
            if not isinstance(record, dict):
                raise InputFileError(f"{path}, line {position[0]}: expected a JSON object.")
            yield record
        return
    reader = csv.DictReader(lines, delimiter="\t" if kind == "tsv" else ",")
    try:
        yield from (dict(record) for record in reader)
    except csv.Error as exc:
        raise InputFileError(f"{path}, line {position[0]}: {exc}.") from None


def text_column(record: dict[str, Any], path: str | Path, wanted: str | None = None) -> str:
    """The name of the text column in ``record``, or a clear error listing what was found."""
    if wanted is not None:
        if wanted in record:
            return wanted
        raise InputFileError(
            f"{path}: no column {wanted!r}. Columns found: {', '.join(map(str, record))}."
        )
    for name in TEXT_COLUMNS:
        if name in record:
            return name
    raise InputFileError(
        f"{path}: no text column (looked for {', '.join(TEXT_COLUMNS)}). "
        f"Columns found: {', '.join(map(str, record))}. Use --text-column."
    )


def parse_label(value: Any) -> float:
    """A label cell as a probability; -1, empty or missing mean "not labelled" (NaN)."""
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        lowered = str(value).strip().lower()
        if lowered in ("true", "yes", "toxic"):
            return 1.0
        if lowered in ("false", "no", "nontoxic", "non-toxic"):
            return 0.0
        raise InputFileError(f"label value {value!r} is not a number") from None
    if number > 1:
        raise InputFileError(f"label value {value!r} is over 1: labels are probabilities")
    return math.nan if number < 0 else number


def label_columns(record: dict[str, Any]) -> dict[str, str]:
    """Attribute -> column of the file, for every column that names one of our attributes."""
    found: dict[str, str] = {}
    for column in record:
        attribute = attribute_for_column(str(column))
        if attribute is not None and attribute.name not in found:
            found[attribute.name] = str(column)
    return found


def iter_labelled(
    path: str | Path, text_col: str | None = None
) -> Iterator[tuple[str, dict[str, float], str | None]]:
    """Each record of a labelled file the user brings: its text, a label per attribute, and
    its ``language`` field (None when it has none).

    Label columns may use Jigsaw's names (toxic, obscene, identity_hate...) or ours; an
    attribute the file has no column for is left out, and an empty or negative cell is NaN
    (not labelled), never 0. Errors name the record at fault.
    """
    columns: dict[str, str] | None = None
    column = ""
    for number, record in enumerate(iter_records(path), start=1):
        if columns is None:
            column = text_column(record, path, text_col)
            columns = label_columns(record)
            if not columns:
                raise InputFileError(
                    f"{path}: no label columns. Expected any of toxic, severe_toxic, obscene, "
                    f"threat, insult, identity_hate or attribute names such as "
                    f"{', '.join(ATTRIBUTE_NAMES)}."
                )
        text = record.get(column)
        if not isinstance(text, str) or not text.strip():
            raise InputFileError(f"{path}, record {number}: empty or missing text.")
        try:
            labels = {a: parse_label(record.get(c)) for a, c in columns.items()}
        except InputFileError as exc:
            raise InputFileError(f"{path}, record {number}: {exc.message}") from None
        language = record.get("language")
        yield text, labels, str(language).strip() if language else None


@contextmanager
def atomic_output(path: str | Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path``, renamed into place only on success.

    A run that fails or is interrupted leaves no partial file that looks complete.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
