"""The harmonised training corpus: every source's texts with labels on our attributes.

Labels are a float matrix (n_texts, n_attributes): a probability where the source says
something about the attribute (per-annotator votes become the share of annotators), NaN where
it says nothing. Missing is not negative: a hate-speech set that never asked about profanity
must not teach the model that its posts are clean.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civility.attributes import ATTRIBUTE_NAMES
from civility.text.normalize import normalize, normalize_multilingual

VALID_PERCENT = 10
"""Share of each source (by text hash) held out for validation."""

_DEDUP_STRIP = re.compile(r"[^a-z0-9]+")
_DEDUP_STRIP_ANY_SCRIPT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Example:
    """One labelled text from one source, before deduplication."""

    id: str
    text: str
    labels: Mapping[str, float]
    split: str | None = None  # "test" pins a row out of training (e.g. SemEval test texts)


@dataclass
class Corpus:
    """Deduplicated texts with a label matrix, their source and a deterministic split."""

    ids: list[str]
    texts: list[str]
    labels: np.ndarray  # (n, n_attributes), NaN = no label
    sources: np.ndarray  # (n,) source name of each text
    splits: np.ndarray  # (n,) "train", "valid" or "test"
    attributes: tuple[str, ...] = ATTRIBUTE_NAMES
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, mask: np.ndarray) -> Corpus:
        index = np.flatnonzero(mask)
        return Corpus(
            ids=[self.ids[i] for i in index],
            texts=[self.texts[i] for i in index],
            labels=self.labels[index],
            sources=self.sources[index],
            splits=self.splits[index],
            attributes=self.attributes,
            meta=dict(self.meta),
        )


def dedup_key(text: str, language: str = "en") -> str:
    """Texts equal up to case, punctuation, spacing and obfuscation are one text.

    English keeps the key its split was drawn with; other languages keep the letters of every
    script (the English key is Latin letters and digits only, which would make every Chinese
    or Arabic text the same empty key).
    """
    if language == "en":
        return _DEDUP_STRIP.sub("", normalize(text, split_stable=True))
    return _DEDUP_STRIP_ANY_SCRIPT.sub("", normalize_multilingual(text))


def split_of(key: str) -> str:
    digest = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16)
    return "valid" if digest % 100 < VALID_PERCENT else "train"


def build_corpus(
    examples_by_source: Iterable[tuple[str, Iterable[Example]]],
    languages: Mapping[str, str] | None = None,
) -> Corpus:
    """Merge sources into one corpus, removing exact and near duplicates across them.

    ``languages`` gives a source's language (default English), which decides its texts'
    dedup key (``dedup_key``).

    A text found in several sources (or several times in one) keeps its first id and source and
    the mean of every label the copies give. Its split comes from its normalised text, so copies
    can never land on both sides of the validation split.
    """
    index: dict[str, int] = {}
    ids: list[str] = []
    texts: list[str] = []
    sources: list[str] = []
    pinned: list[str | None] = []
    sums: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    k = len(ATTRIBUTE_NAMES)
    for source, examples in examples_by_source:
        language = (languages or {}).get(source, "en")
        for example in examples:
            if not example.text or not example.text.strip():
                continue
            key = dedup_key(example.text, language)
            if not key:
                continue
            row = np.zeros(k)
            seen = np.zeros(k)
            for attribute, value in example.labels.items():
                if value is None or np.isnan(value):
                    continue
                j = ATTRIBUTE_NAMES.index(attribute)
                row[j] = float(value)
                seen[j] = 1.0
            position = index.get(key)
            if position is None:
                index[key] = len(texts)
                ids.append(example.id)
                texts.append(example.text)
                sources.append(source)
                pinned.append(example.split)
                sums.append(row)
                counts.append(seen)
            else:
                sums[position] += row
                counts[position] += seen
                if example.split == "test":
                    pinned[position] = "test"
    total = np.array(counts) if counts else np.zeros((0, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        labels = np.where(total > 0, np.array(sums).reshape(total.shape) / total, np.nan)
    keys = list(index)
    splits = np.array([pin or split_of(key) for pin, key in zip(pinned, keys, strict=True)])
    return Corpus(
        ids=ids,
        texts=texts,
        labels=labels.astype(np.float32),
        sources=np.array(sources),
        splits=splits,
    )
