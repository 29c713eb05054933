"""The fairness and robustness measurements as plain functions that return JSON-able dicts.

The ``civility bias | functional | robustness | reliability`` commands, ``civility evaluate
--bias`` and the model card all call these, so every surface reports the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from civility.attributes import get_attribute
from civility.errors import DataUnavailableError, UnknownNameError
from civility.evaluation.bias import bias_report
from civility.evaluation.identity_data import (
    MIN_SUBGROUP,
    TEMPLATES,
    IdentitySet,
    load_real_comments,
    load_templates,
)
from civility.evaluation.reliability import ReliabilityCurve, plot_reliability, reliability_curve
from civility.scoring import Scorer

BIAS_SETS = ("templates", "real")
"""``templates``: Conversation AI sentence templates; ``real``: validation comments with targets."""


def _identity_set(name: str, root: Path | None) -> tuple[IdentitySet, int]:
    if name == "templates":
        return load_templates(None if root is None else root / TEMPLATES), 1
    if name == "real":
        return load_real_comments(root), MIN_SUBGROUP
    raise UnknownNameError("bias set", name, BIAS_SETS)


def evaluate_bias(
    scorer: Scorer,
    sets: Sequence[str] = BIAS_SETS,
    attribute: str = "TOXICITY",
    root: Path | None = None,
) -> dict[str, object]:
    """The bias report of ``scorer`` on each identity set: subgroup, BPSN, BNSP AUCs and score."""
    column = scorer.labels_.index(get_attribute(attribute).name)
    reports: dict[str, object] = {"model": scorer.version, "attribute": attribute}
    for name in sets:
        data, min_size = _identity_set(name, root)
        scores = scorer.predict_proba(data.texts)[:, column]
        reports[name] = bias_report(np.array(data.labels), scores, data.subgroups(min_size))
    return reports


def validation_set(
    attribute: str = "TOXICITY",
    sources: Sequence[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
) -> tuple[list[str], np.ndarray]:
    """Validation-split texts with a known ``attribute`` label, at most ``limit`` (sampled)."""
    from civility.data import load_corpus

    corpus = load_corpus(sources)
    j = corpus.attributes.index(get_attribute(attribute).name)
    keep = np.flatnonzero((corpus.splits == "valid") & ~np.isnan(corpus.labels[:, j]))
    if keep.size == 0:
        raise DataUnavailableError(f"No validation texts with a {attribute} label in {sources}.")
    if limit is not None and keep.size > limit:
        keep = np.sort(np.random.default_rng(seed).choice(keep, size=limit, replace=False))
    return [corpus.texts[i] for i in keep], corpus.labels[keep, j].astype(np.float64)


def evaluate_reliability(
    scorer: Scorer,
    output_dir: Path,
    sources: Sequence[str] | None = None,
    bins: int = 10,
    min_positives: int = 10,
) -> dict[str, Any]:
    """Reliability diagrams on the validation split: one PNG per attribute and one with all.

    Attributes with fewer than ``min_positives`` validation positives are skipped: a diagram
    over a handful of positives says nothing about calibration.
    """
    from civility.data import load_corpus

    corpus = load_corpus(sources)
    valid = corpus.splits == "valid"
    texts = [t for t, v in zip(corpus.texts, valid, strict=True) if v]
    probs = scorer.predict_proba(texts)
    curves: dict[str, ReliabilityCurve] = {}
    skipped = {}
    for attribute in scorer.labels_:
        labels = corpus.labels[valid, corpus.attributes.index(attribute)]
        known = ~np.isnan(labels)
        positives = int((labels[known] >= 0.5).sum())
        if positives < min_positives:
            skipped[attribute] = positives
            continue
        column = probs[known, scorer.labels_.index(attribute)]
        curves[attribute] = reliability_curve(labels[known], column, bins)
        path = output_dir / f"reliability_{attribute}.png"
        plot_reliability({attribute: curves[attribute]}, path)
    plot_reliability(curves, output_dir / "reliability.png", title=scorer.version)
    return {
        "model": scorer.version,
        "ece": {name: curve.expected_calibration_error for name, curve in curves.items()},
        "n": {name: int(curve.counts.sum()) for name, curve in curves.items()},
        "skipped_few_positives": skipped,
        "files": sorted(str(p) for p in output_dir.glob("reliability*.png")),
    }


def bias_markdown(report: dict[str, object], worst: int = 5) -> str:
    """The bias section of a model card: each set's summary and its worst subgroups by BPSN."""

    def fmt(value: object) -> str:
        return "n/a" if not isinstance(value, float) or np.isnan(value) else f"{value:.3f}"

    lines = [
        f"## Identity-term bias ({report.get('attribute', 'TOXICITY')})",
        "",
        "| set | texts | overall AUC | subgroup AUC | BPSN AUC | BNSP AUC | final score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    sets = [name for name in BIAS_SETS if isinstance(report.get(name), dict)]
    for name in sets:
        part = report[name]
        assert isinstance(part, dict)
        lines.append(
            f"| {name} | {part['n']} | {fmt(part['overall_auc'])} | "
            f"{fmt(part['power_mean_subgroup_auc'])} | {fmt(part['power_mean_bpsn_auc'])} | "
            f"{fmt(part['power_mean_bnsp_auc'])} | {fmt(part['final_score'])} |"
        )
    lines += ["", "Subgroup, BPSN and BNSP columns are power means (p = -5) over subgroups."]
    for name in sets:
        part = report[name]
        assert isinstance(part, dict)
        rows = sorted(part["subgroups"], key=lambda r: r["bpsn_auc"])[:worst]
        lines += [
            "",
            f"Worst {len(rows)} subgroups by BPSN AUC ({name}): "
            + ", ".join(f"{r['subgroup']} {fmt(r['bpsn_auc'])}" for r in rows)
            + ".",
        ]
    return "\n".join(lines) + "\n"
