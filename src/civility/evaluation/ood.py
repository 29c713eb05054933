"""The out-of-domain protocol: the figures every training change is chosen by.

Scores on the validation split of the training sources reward whatever those sources share, and
our own templated suites reward texts like the templates we trained on. Neither predicts how a
model does on a site it has never seen. The protocol measures that, for several models in one
run (so two builds are compared on the same texts):

- **external sets**: the class-B sets, never trained on, each from another platform: TOXICITY
  and IDENTITY_ATTACK ROC-AUC on a fixed sample of each (INSULT where a set labels it: the
  Kaggle news comments label nothing else);
- **leave one source out**: a model of the same recipe (read from each model's manifest) trained
  without one class-A source, scored on that source;
- **benign mentions**: validation comments that name an identity group and that people labelled
  non-toxic (HateXplain, the Implicit Hate Corpus, GoEmotions, Toxic Spans): the share scored
  0.5 or more;
- **identity swaps**: labelled validation comments that name a group, scored again with the
  group words swapped for another group's (``swap_identity_terms``): the mean absolute shift
  and how far the TOXICITY ROC-AUC moves.

``--limit`` bounds every set, so the whole table fits in minutes on two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from civility.data import Corpus, default_sources, load_corpus
from civility.data.augment import has_identity_terms, swap_identity_terms
from civility.evaluation.identity_data import mentioned_groups
from civility.metrics import roc_auc
from civility.scoring import Scorer, load_scorer

Progress = Callable[[str], None]
ATTRIBUTES = ("TOXICITY", "IDENTITY_ATTACK")
EXTERNAL_ATTRIBUTES = (*ATTRIBUTES, "INSULT")
"""INSULT too: the Kaggle news comments label only insults, and no other set is news."""
MENTION_SOURCES = ("hatexplain", "implicit_hate_corpus", "goemotions_reddit", "toxic-spans")
"""Sources whose non-toxic validation texts are the benign mentions."""
FLAG_AT = 0.5
MIN_LABELLED = 50
"""Fewer labelled texts of a set than this, or one class only, and its cell stays empty."""


@dataclass
class Row:
    """One measure of the table: a value per model (None where it cannot be measured)."""

    section: str
    measure: str
    texts: int
    values: list[float | None] = field(default_factory=list)


def parse_spec(spec: str) -> tuple[str, Path | None]:
    """``TIER`` (the shipped artifact) or ``TIER@ROOT`` (the artifact in ``ROOT/TIER``)."""
    tier, _, root = spec.partition("@")
    return tier, Path(root) / tier if root else None


def _sample(n: int, limit: int | None, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if limit is None or n <= limit else np.sort(rng.permutation(n)[:limit])


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    known = ~np.isnan(labels)
    if known.sum() < MIN_LABELLED:
        return None
    return roc_auc(labels[known], scores[known])


def _column(scorer: Scorer, probs: np.ndarray, attribute: str) -> np.ndarray:
    return probs[:, scorer.labels_.index(attribute)]


def external_rows(
    scorers: Sequence[Scorer], sets: Mapping[str, Corpus], limit: int | None, seed: int = 0
) -> list[Row]:
    """TOXICITY and IDENTITY_ATTACK ROC-AUC on a fixed sample of each set (the class-B sets),
    and their means over the sets that measure them."""
    rng = np.random.default_rng(seed)
    rows: list[Row] = []
    for name, corpus in sets.items():
        chosen = _sample(len(corpus), limit, rng)
        texts = [corpus.texts[i] for i in chosen]
        probs = [s.predict_proba(texts) for s in scorers]
        for attribute in EXTERNAL_ATTRIBUTES:
            labels = corpus.labels[chosen, corpus.attributes.index(attribute)]
            values = [
                _auc(labels, _column(s, p, attribute)) for s, p in zip(scorers, probs, strict=True)
            ]
            if any(v is not None for v in values):
                known = int((~np.isnan(labels)).sum())
                rows.append(Row("external", f"{name} {attribute}", known, values))
    for attribute in ATTRIBUTES:
        cells = [r for r in rows if r.measure.endswith(f" {attribute}")]
        means = [_mean([r.values[k] for r in cells]) for k in range(len(scorers))]
        rows.append(Row("external", f"mean {attribute}", len(cells), means))
    return rows


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def benign_mention_rows(
    scorers: Sequence[Scorer], validation: Corpus, limit: int | None, seed: int = 0
) -> list[Row]:
    """Share of non-toxic validation comments naming a group that score >= 0.5, per source."""
    rng = np.random.default_rng(seed)
    tox = validation.labels[:, validation.attributes.index("TOXICITY")]
    pooled: dict[str, list[np.ndarray]] = {a: [] for a in ATTRIBUTES}
    rows = []
    for name in MENTION_SOURCES:
        candidates = np.flatnonzero((validation.sources == name) & (tox == 0.0))
        mentions = [i for i in candidates if mentioned_groups(validation.texts[i])]
        if not mentions:
            continue
        chosen = np.asarray(mentions)[_sample(len(mentions), limit, rng)]
        texts = [validation.texts[i] for i in chosen]
        probs = [s.predict_proba(texts) for s in scorers]
        for attribute in ATTRIBUTES:
            flagged = [
                _column(s, p, attribute) >= FLAG_AT for s, p in zip(scorers, probs, strict=True)
            ]
            pooled[attribute].append(np.vstack(flagged))
            rows.append(
                Row(
                    "benign mentions",
                    f"{name} flagged {attribute}",
                    len(chosen),
                    [float(f.mean()) for f in flagged],
                )
            )
    for attribute in ATTRIBUTES:
        if pooled[attribute]:
            together = np.hstack(pooled[attribute])
            rows.append(
                Row(
                    "benign mentions",
                    f"all flagged {attribute}",
                    together.shape[1],
                    [float(v) for v in together.mean(axis=1)],
                )
            )
    return rows


def swap_rows(
    scorers: Sequence[Scorer], validation: Corpus, limit: int | None, seed: int = 0
) -> list[Row]:
    """Score shifts when labelled validation comments have their group words swapped."""
    rng = np.random.default_rng(seed)
    tox = validation.labels[:, validation.attributes.index("TOXICITY")]
    candidates = [
        i for i in np.flatnonzero(~np.isnan(tox)) if has_identity_terms(validation.texts[i])
    ]
    chosen = np.asarray(candidates)[_sample(len(candidates), limit, rng)]
    originals = [validation.texts[i] for i in chosen]
    swapped = [swap_identity_terms(text, rng) for text in originals]
    labels = tox[chosen]
    rows = [Row("identity swaps", f"mean absolute shift {a}", len(chosen)) for a in ATTRIBUTES]
    gap = Row("identity swaps", "TOXICITY ROC-AUC change", len(chosen))
    for scorer in scorers:
        before, after = scorer.predict_proba(originals), scorer.predict_proba(swapped)
        for row, attribute in zip(rows, ATTRIBUTES, strict=True):
            shift = _column(scorer, after, attribute) - _column(scorer, before, attribute)
            row.values.append(float(np.abs(shift).mean()) if len(shift) else None)
        auc_before = _auc(labels, _column(scorer, before, "TOXICITY"))
        auc_after = _auc(labels, _column(scorer, after, "TOXICITY"))
        changed = None if auc_before is None or auc_after is None else auc_after - auc_before
        gap.values.append(changed)
    return [*rows, gap]


def loso_rows(
    scorers: Sequence[Scorer],
    limit: int | None,
    max_iter: int,
    sources: Sequence[str] | None = None,
    root: Path | None = None,
    progress: Progress = lambda message: None,
) -> list[Row]:
    """Leave-one-source-out TOXICITY ROC-AUC of each fast-tier model's recipe, as recorded in
    its manifest, at ``limit`` texts per source (augmentation scaled down to match)."""
    from civility.evaluation.report import leave_one_source_out
    from civility.training.fast import TrainingConfig

    per_model: list[dict[str, float | None]] = []
    for scorer in scorers:
        recorded = scorer.metadata_.get("training", {}).get("config")
        if not recorded or "identity_sentences" not in recorded:
            per_model.append({})
            continue
        config = TrainingConfig(**recorded)
        config.scorer_params = {**config.scorer_params, "max_iter": max_iter}
        if limit is not None:
            config.cap_templates(limit)
        progress(f"leave one source out: {scorer.version}")
        per_model.append(
            leave_one_source_out(
                sources, config=config, root=root, progress=progress, limit_per_source=limit
            )
        )
    names = list(dict.fromkeys(name for results in per_model for name in results))
    section = "leave one source out"
    rows = [
        Row(section, f"{name} TOXICITY", limit or 0, [r.get(name) for r in per_model])
        for name in names
    ]
    if rows:
        means = [_mean([row.values[k] for row in rows]) for k in range(len(scorers))]
        rows.append(Row(section, "mean TOXICITY", len(rows), means))
    return rows


def ood_protocol(
    specs: Sequence[str],
    limit: int | None = 2000,
    loso: bool = True,
    loso_limit: int | None = 3000,
    loso_max_iter: int = 60,
    loso_sources: Sequence[str] | None = None,
    seed: int = 0,
    root: Path | None = None,
    progress: Progress = lambda message: None,
) -> list[Row]:
    """Every row of the protocol for the scorers named by ``specs`` (see ``parse_spec``)."""
    scorers = [load_scorer(*parse_spec(spec)) for spec in specs]
    progress("external sets")
    external = {name: load_corpus([name], root=root) for name in default_sources("B")}
    rows = external_rows(scorers, external, limit, seed)
    progress("validation texts of the training sources")
    corpus = load_corpus(default_sources("A"), root=root)
    validation = corpus.subset(corpus.splits == "valid")
    progress("benign mentions and identity swaps")
    rows += benign_mention_rows(scorers, validation, limit, seed)
    rows += swap_rows(scorers, validation, limit, seed)
    if loso:
        rows += loso_rows(scorers, loso_limit, loso_max_iter, loso_sources, root, progress)
    return rows


def render_table(specs: Sequence[str], rows: Sequence[Row]) -> str:
    """The protocol as one markdown table; with two or more models, the change of the last
    against the first."""
    compare = len(specs) > 1
    header = ["section", "measure", "texts", *specs] + (["change"] if compare else [])
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    for row in rows:
        cells = ["–" if v is None else f"{v:.3f}" for v in row.values]
        if compare:
            first, last = row.values[0], row.values[-1]
            cells.append("–" if first is None or last is None else f"{last - first:+.3f}")
        lines.append(f"| {row.section} | {row.measure} | {row.texts} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
