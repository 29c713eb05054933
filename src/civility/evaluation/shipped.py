"""The shipped models' figures that docs/fairness.md and docs/tiers.md quote, regenerated.

``civility eval-report --docs`` measures every tier (identity-term bias, both functional suites,
robustness to disguises) and writes the tables between the markers of each page; the rest of
each page is prose that says what the figures mean and how to run them. ``tests/test_docs.py``
checks that the pages name the models that ship, so a retrained model cannot leave them
describing its predecessor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from civility.evaluation.fairness import evaluate_bias, validation_set
from civility.evaluation.functional import load_suite, run_suite
from civility.evaluation.robustness import run_robustness
from civility.metrics import mean_over_sources
from civility.scoring import Scorer, load_scorer

TIERS = ("fast", "accurate", "ensemble")
MEASURED_TIERS = ("fast", "ensemble")
"""The tiers the fairness page measures: the default, and the one that catches most attacks."""
BEGIN = "<!-- shipped figures: begin (regenerate with `civility eval-report --docs`) -->"
END = "<!-- shipped figures: end -->"
_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
ROBUSTNESS_TEXTS = 2000
VALIDATION_ATTRIBUTES = ("TOXICITY", "IDENTITY_ATTACK", "INSULT", "THREAT")

Progress = Callable[[str], None]


def _pct(total: dict[str, Any]) -> str:
    return f"{total['accuracy']:.1%}"


def measure(scorer: Scorer, progress: Progress = lambda message: None) -> dict[str, Any]:
    """Everything the fairness page quotes for one scorer."""
    progress(f"{scorer.version}: identity-term bias")
    bias = evaluate_bias(scorer)
    progress(f"{scorer.version}: functional suites")
    suites = {
        name: run_suite(scorer, load_suite(name))["totals"] for name in ("functional", "holdout")
    }
    progress(f"{scorer.version}: robustness")
    texts, labels = validation_set("TOXICITY", None, ROBUSTNESS_TEXTS, 0)
    rows = run_robustness(scorer, texts, labels)["rows"]
    worst = max(rows, key=lambda r: r["auc_drop_points"])
    reports: dict[str, Any] = {name: bias[name] for name in ("templates", "real")}
    return {
        "version": scorer.version,
        "bias": {name: report["final_score"] for name, report in reports.items()},
        "suites": suites,
        "worst_disguise": (worst["perturbation"], worst["auc_drop_points"]),
    }


def fairness_block(measured: Sequence[dict[str, Any]]) -> str:
    """The fairness page's table: one row per tier."""
    lines = [
        BEGIN,
        "| tier | model | bias final score, templates / real comments | functional suite, "
        "non-toxic / toxic right | holdout suite, non-toxic / toxic right | largest TOXICITY "
        "AUC loss to one disguise |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for tier, m in zip(MEASURED_TIERS, measured, strict=True):
        functional, holdout = m["suites"]["functional"], m["suites"]["holdout"]
        kind, loss = m["worst_disguise"]
        lines.append(
            f"| {tier} | `{m['version']}` | {m['bias']['templates']:.3f} / {m['bias']['real']:.3f} "
            f"| {_pct(functional['non_toxic'])} / {_pct(functional['toxic'])} "
            f"| {_pct(holdout['non_toxic'])} / {_pct(holdout['toxic'])} "
            f"| {max(loss, 0.0):.2f} points ({kind}) |"
        )
    return "\n".join([*lines, END])


def _auc(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def tiers_block(scorers: Sequence[Scorer]) -> str:
    """The tiers page's table, from the shipped manifests alone: validation ROC-AUC (the mean
    over sources; the accurate and ensemble tiers' on their validation subsample), span F1."""
    header = " | ".join(VALIDATION_ATTRIBUTES)
    lines = [
        BEGIN,
        f"| tier | model | {header} | span F1 (Toxic Spans test) |",
        "|---|---|" + "---:|" * (len(VALIDATION_ATTRIBUTES) + 1),
    ]
    for tier, scorer in zip(TIERS, scorers, strict=True):
        metrics = scorer.metadata_.get("metrics", {})
        validation = metrics.get("validation", {})
        cells = [_auc(mean_over_sources(validation, a)) for a in VALIDATION_ATTRIBUTES]
        spans = metrics.get("spans", {}).get("test_f1")
        lines.append(
            f"| {tier} | `{scorer.version}` | " + " | ".join(cells) + f" | {_auc(spans)} |"
        )
    return "\n".join([*lines, END])


def shipped_scorers() -> list[Scorer]:
    return [load_scorer(tier) for tier in TIERS]


def replace_block(path: Path, block: str) -> None:
    """Put ``block`` between the page's markers."""
    text = path.read_text(encoding="utf-8")
    if not _BLOCK.search(text):
        raise ValueError(f"{path} has no shipped-figures markers")
    path.write_text(_BLOCK.sub(lambda _: block, text), encoding="utf-8")


def read_block(path: Path) -> str:
    """The page's current block, markers included ('' if it has none)."""
    found = _BLOCK.search(path.read_text(encoding="utf-8"))
    return found.group(0) if found else ""


def write_docs(docs: Path, progress: Progress = lambda message: None) -> None:
    """Measure every shipped tier and rewrite both pages' blocks."""
    scorers = dict(zip(TIERS, shipped_scorers(), strict=True))
    replace_block(docs / "tiers.md", tiers_block(list(scorers.values())))
    measured = [measure(scorers[tier], progress) for tier in MEASURED_TIERS]
    replace_block(docs / "fairness.md", fairness_block(measured))
