"""Training data: one loader per public dataset, harmonised onto our attributes.

``load_corpus()`` reads the chosen sources from the shared data folder, maps their labels onto
the attribute registry (missing where a set is silent), removes duplicates across sets and
assigns a deterministic validation split. ``summarize()`` counts what each source contributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path

import numpy as np
from tqdm import tqdm

from civility.data._corpus import Corpus, Example, build_corpus, dedup_key, split_of
from civility.data._source import read_jsonl
from civility.data.files import iter_labelled
from civility.data.sources import SOURCES, data_root, default_sources, get_source
from civility.data.teachers import load_teacher_scores, mix_teachers
from civility.errors import ConfigError

__all__ = [
    "LOCAL_CLASS",
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
    "read_jsonl",
    "split_of",
    "summarize",
]


LOCAL_CLASS = "local"
"""Licence class of the files a user adds with ``extra``: theirs, so theirs to judge."""


def load_corpus(
    sources: Sequence[str] | None = None,
    root: Path | None = None,
    limit_per_source: int | None = None,
    progress: bool = False,
    extra: Sequence[Path] = (),
) -> Corpus:
    """The harmonised, deduplicated corpus of ``sources`` (default: every class-A source).

    ``extra`` adds labelled files of one's own (a site's moderated comments, a newly labelled
    set), read like ``civility evaluate``'s input: each becomes a source named
    ``local:<file name up to its first dot>``, split and deduplicated with the rest, its silent
    attributes missing.
    """
    names = list(sources) if sources is not None else default_sources("A")
    chosen = [get_source(name) for name in names]
    base = root or data_root()
    local = {f"local:{Path(path).name.split('.')[0]}": Path(path) for path in extra}
    if len(local) < len(extra):
        raise ConfigError("Extra files need distinct names: each one is a source of its own.")
    for path in local.values():
        next(iter_labelled(path), None)  # a missing file or label column fails before loading

    def stream() -> Iterator[tuple[str, Iterator[Example]]]:
        for source in tqdm(chosen, desc="loading sources", disable=not progress):
            yield source.name, islice(source.examples(base), limit_per_source)
        for name, path in local.items():
            examples = (
                Example(f"{name}:{number}", text, labels)
                for number, (text, labels, _) in enumerate(iter_labelled(path), start=1)
            )
            yield name, islice(examples, limit_per_source)

    corpus = build_corpus(stream(), {s.name: s.language for s in chosen})
    corpus.meta["sources"] = {
        **{
            s.name: {"licence": s.licence, "class": s.licence_class, "language": s.language}
            for s in chosen
        },
        **{
            name: {"licence": f"{path.name} (not recorded)", "class": LOCAL_CLASS}
            for name, path in local.items()
        },
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
