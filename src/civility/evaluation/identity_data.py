"""The labelled sets with identity information that the bias report is computed on.

Two kinds of evidence, reported separately because they answer different questions:

- **templates** (Conversation AI ``en_sentence_templates``): synthetic sentences that differ only
  in the identity term, so any gap between subgroups is the model's doing. The identity terms
  are read from the file itself (its ``I am <term>`` rows), never from a list kept here.
- **real comments** (validation texts of HateXplain, the Implicit Hate Corpus and ETHOS): what
  users will actually post. A comment's subgroups come from HateXplain's annotated targets where
  there are any, and otherwise from the group words it contains (``GROUP_PATTERNS``).

Only texts in the training pipeline's validation split (``split_of(dedup_key(text))``) are used,
so the model is never scored on comments it was trained on.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from civility.data import data_root, dedup_key, read_jsonl, split_of
from civility.errors import DataUnavailableError

TEMPLATES = Path("conversationai-bias-eval") / "en_sentence_templates.csv.gz"
MIN_SUBGROUP = 10
"""Subgroups with fewer comments than this are left out of the real-comment table: too noisy."""


@dataclass
class IdentitySet:
    """Texts, binary labels and one membership mask per subgroup."""

    name: str
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    members: list[set[str]] = field(default_factory=list)

    def add(self, text: str, label: int, groups: set[str]) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.members.append(groups)

    def subgroups(self, min_size: int = 1) -> dict[str, np.ndarray]:
        names = sorted({g for groups in self.members for g in groups})
        masks = {g: np.array([g in groups for groups in self.members]) for g in names}
        return {g: m for g, m in masks.items() if m.sum() >= min_size}


# Group words (our own list) for comments without annotated targets; slurs count as mentions.
GROUP_PATTERNS: dict[str, str] = {
    "women": r"wom[ae]n|girls?|females?|feminists?|wi(fe|ves)|ladies|lady|mothers?|sisters?",
    "men": r"m[ae]n|males?|boys|husbands?|fathers?|brothers?",
    "black": r"black(s| people| folks)?|africans?|african americans?|negro(e?s)?|nigg(er|a)s?",
    "white": r"whites?|caucasians?|white people",
    "asian": r"asians?|chinese|japanese|koreans?|vietnamese|chinks?",
    "hispanic": r"hispanics?|latin[oax]s?|mexicans?|spics?",
    "jewish": r"jews?|jewish|judaism|kikes?|zionists?",
    "muslim": r"muslims?|islam(ic)?|moslems?|mosques?",
    "arab": r"arabs?|arabic",
    "christian": r"christians?|christianity|catholics?|church",
    "lgbtq": r"gays?|lesbians?|homosexuals?|queers?|trans(gender)?|lgbtq?|bisexuals?"
    r"|fag(got)?s?|dykes?",
    "immigrants": r"(im)?migrants?|refugees?|illegals|asylum seekers?",
    "disability": r"disabled|disabilit(y|ies)|retard(ed|s)?|autis(tic|m)|blind|deaf|wheelchair",
    "indian": r"indians?|hindus?|hinduism|pakis?",
}
_GROUP_REGEX = {g: re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for g, p in GROUP_PATTERNS.items()}
_HATEXPLAIN_TARGETS = {
    "Women": "women",
    "Men": "men",
    "African": "black",
    "Caucasian": "white",
    "Asian": "asian",
    "Hispanic": "hispanic",
    "Jewish": "jewish",
    "Islam": "muslim",
    "Arab": "arab",
    "Christian": "christian",
    "Homosexual": "lgbtq",
    "Refugee": "immigrants",
    "Disability": "disability",
    "Indian": "indian",
    "Hindu": "indian",
}


def mentioned_groups(text: str) -> set[str]:
    """The identity groups whose words appear in ``text``."""
    return {g for g, regex in _GROUP_REGEX.items() if regex.search(text)}


def is_validation(text: str) -> bool:
    """Whether the training pipeline holds ``text`` out for validation."""
    key = dedup_key(text)
    return bool(key) and split_of(key) == "valid"


def load_templates(path: str | Path | None = None) -> IdentitySet:
    """The Conversation AI sentence templates; each sentence's subgroup is its identity term."""
    source = Path(path) if path is not None else data_root() / TEMPLATES
    if not source.is_file():
        raise DataUnavailableError(f"Training data file {source} not found.")
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    terms = sorted(
        {r["phrase"][len("I am ") :].lower() for r in rows if r["phrase"].startswith("I am ")},
        key=len,
        reverse=True,
    )
    finder = re.compile(r"\b(" + "|".join(map(re.escape, terms)) + r")\b", re.IGNORECASE)
    result = IdentitySet("templates")
    for row in rows:
        found = finder.search(row["phrase"])
        groups = {found.group(1).lower()} if found else set()
        result.add(row["phrase"], int(row["toxicity"] == "toxic"), groups)
    return result


def load_real_comments(root: Path | None = None) -> IdentitySet:
    """Validation comments of HateXplain, Implicit Hate and ETHOS with their identity groups."""
    base = root or data_root()
    result = IdentitySet("real comments")
    for record in read_jsonl(base / "hatexplain" / "hatexplain.jsonl.gz"):
        text = str(record["text"])
        if not is_validation(text):
            continue
        votes = record["labels"]
        toxic = sum(v != "normal" for v in votes) / len(votes) >= 0.5
        targets = {_HATEXPLAIN_TARGETS.get(t) for t in record["targets_union"]} - {None}
        result.add(text, int(toxic), {str(t) for t in targets} | mentioned_groups(text))
    folder = base / "implicit_hate_corpus"
    for record in read_jsonl(folder / "implicit_hate_stg1.jsonl.gz"):
        text = str(record["text"])
        if is_validation(text):
            result.add(text, int(record["class"] != "not_hate"), mentioned_groups(text))
    for record in read_jsonl(base / "ethos" / "ethos_binary.jsonl"):
        text = str(record["text"])
        if is_validation(text):
            result.add(text, int(float(record["isHate"]) >= 0.5), mentioned_groups(text))
    return result
