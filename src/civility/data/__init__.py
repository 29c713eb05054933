"""Training data: one loader per public dataset, harmonised onto our attributes.

``load_corpus()`` reads the chosen sources from the shared data folder, maps their labels onto
the attribute registry (missing where a set is silent), removes duplicates across sets and
assigns a deterministic validation split. ``summarize()`` counts what each source contributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from pathlib import Path

import numpy as np
from tqdm import tqdm

from civility.data._corpus import Corpus, Example, build_corpus, dedup_key, split_of
from civility.data.sources import SOURCES, data_root, default_sources, get_source
from civility.data.teachers import load_teacher_scores, mix_teachers

__all__ = [
    "SOURCES",
    "Corpus",
    "Example",
    "build_corpus",
    "data_root",
    "dedup_key",
    "default_sources",
    "get_source",
    "load_corpus",
    "load_teacher_scores",
    "mix_teachers",
    "split_of",
    "summarize",
]


def load_corpus(
    sources: Sequence[str] | None = None,
    root: Path | None = None,
    limit_per_source: int | None = None,
    progress: bool = False,
) -> Corpus:
    """The harmonised, deduplicated corpus of ``sources`` (default: every class-A source)."""
    names = list(sources) if sources is not None else default_sources("A")
    chosen = [get_source(name) for name in names]
    base = root or data_root()

    def stream():  # type: ignore[no-untyped-def]
        for source in tqdm(chosen, desc="loading sources", disable=not progress):
            yield source.name, islice(source.examples(base), limit_per_source)

    corpus = build_corpus(stream())
    corpus.meta["sources"] = {
        s.name: {"licence": s.licence, "class": s.licence_class} for s in chosen
    }
    return corpus


def summarize(corpus: Corpus) -> list[dict[str, object]]:
    """Per source and attribute: positives (label >= 0.5), negatives, missing."""
    rows = []
    for source in dict.fromkeys(corpus.sources.tolist()):
        in_source = corpus.sources == source
        for j, attribute in enumerate(corpus.attributes):
            column = corpus.labels[in_source, j]
            known = ~np.isnan(column)
            rows.append(
                {
                    "source": source,
                    "attribute": attribute,
                    "positive": int((column[known] >= 0.5).sum()),
                    "negative": int((column[known] < 0.5).sum()),
                    "missing": int((~known).sum()),
                }
            )
    return rows
