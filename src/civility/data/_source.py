"""What every loader shares: the data folder, the attribute names, reading JSONL, ``Source``."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civility.data._corpus import Example
from civility.errors import DataUnavailableError

TOX, SEV, IDA, INS, PRO, THR, SEX = (
    "TOXICITY",
    "SEVERE_TOXICITY",
    "IDENTITY_ATTACK",
    "INSULT",
    "PROFANITY",
    "THREAT",
    "SEXUALLY_EXPLICIT",
)


def data_root() -> Path:
    """The shared data folder: ``CIVILITY_TRAINING_DATA``, else ``../shared/data``."""
    configured = os.environ.get("CIVILITY_TRAINING_DATA")
    if configured:
        return Path(configured)
    for base in (Path.cwd(), *Path(__file__).resolve().parents):
        candidate = base.parent / "shared" / "data"
        if (candidate / "README.md").is_file():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise DataUnavailableError(f"Training data file {path} not found.")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True)
class Source:
    name: str
    licence_class: str  # "A": may train the default model; "B": opt-in models only
    licence: str
    description: str
    loader: Callable[[Path], Iterator[Example]]
    language: str = "en"  # the Perspective code of the texts' language

    def examples(self, root: Path | None = None) -> Iterator[Example]:
        return self.loader(root or data_root())
