"""``civility bias | functional | robustness | reliability``: can people trust the scores?

Thin shells over ``civility.evaluation.fairness``, ``functional`` and ``robustness``: each
prints a table and, with ``--json``, writes the full report for the model card.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civility.errors import InputFileError

TierOption = Annotated[str, typer.Option(help="Model tier: fast, accurate or ensemble.")]
ModelOption = Annotated[
    Path | None, typer.Option(help="Model artifact directory (default: the shipped one).")
]
JsonOption = Annotated[Path | None, typer.Option("--json", help="Also write the full report here.")]
SourcesOption = Annotated[
    list[str] | None,
    typer.Option("--source", help="Training source whose validation split to use (repeatable)."),
]


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def _write_json(path: Path | None, report: dict[str, object]) -> None:
    from civility.data.files import atomic_output

    if path is not None:
        with atomic_output(path) as out:
            out.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")


def bias_command(
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            help="Identity set(s) to use: templates (sentence templates) or real (validation "
            "comments that name a target). Default: both.",
        ),
    ] = None,
    attribute: Annotated[str, typer.Option(help="Attribute whose scores are ranked.")] = "TOXICITY",
    tier: TierOption = "fast",
    model: ModelOption = None,
    json_path: JsonOption = None,
) -> None:
    """Identity-term bias: subgroup, BPSN and BNSP AUC per identity, and the final bias score."""
    from civility.evaluation.fairness import BIAS_SETS, evaluate_bias
    from civility.scoring import load_scorer

    report = evaluate_bias(load_scorer(tier, model), data or BIAS_SETS, attribute)
    console = Console()
    for name in data or BIAS_SETS:
        part = report[name]
        assert isinstance(part, dict)
        table = Table(title=f"{name}: {attribute} bias ({part['n']} texts, {report['model']})")
        for column in ("subgroup", "size", "toxic", "subgroup AUC", "BPSN AUC", "BNSP AUC"):
            table.add_column(column, justify="left" if column == "subgroup" else "right")
        for row in sorted(part["subgroups"], key=lambda r: min(r["bpsn_auc"], r["bnsp_auc"])):
            table.add_row(
                row["subgroup"],
                str(row["size"]),
                str(row["positives"]),
                *(_fmt(row[k]) for k in ("subgroup_auc", "bpsn_auc", "bnsp_auc")),
            )
        console.print(table)
        console.print(
            f"overall AUC {_fmt(part['overall_auc'])}  power means (p=-5): subgroup "
            f"{_fmt(part['power_mean_subgroup_auc'])}, BPSN {_fmt(part['power_mean_bpsn_auc'])}, "
            f"BNSP {_fmt(part['power_mean_bnsp_auc'])}  [bold]final bias score "
            f"{_fmt(part['final_score'])}[/bold]\n"
        )
    _write_json(json_path, report)


def functional_command(
    suite: Annotated[
        str,
        typer.Option(
            help="A shipped suite (functional, or holdout: written apart from the training "
            "templates) or a JSONL file of behaviour, text, attribute, label."
        ),
    ] = "functional",
    threshold: Annotated[
        float | None,
        typer.Option(help="Score at which a case counts as flagged (default: Perspective's)."),
    ] = None,
    failures: Annotated[bool, typer.Option("--failures", help="List every failed case.")] = False,
    tier: TierOption = "fast",
    model: ModelOption = None,
    json_path: JsonOption = None,
) -> None:
    """Accuracy per behaviour on our functional suite (identity mentions, negation, threats...)."""
    from civility.evaluation.functional import DEFAULT_THRESHOLD, load_suite, run_suite
    from civility.scoring import load_scorer

    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    report = run_suite(load_scorer(tier, model), load_suite(suite), threshold)
    table = Table(title=f"{suite} suite at threshold {threshold} ({report['model']})")
    for column in ("behaviour", "attribute", "expected", "cases", "accuracy"):
        table.add_column(column, justify="left" if column == "behaviour" else "right")
    behaviours = report["behaviours"]
    assert isinstance(behaviours, dict)
    for name, row in behaviours.items():
        table.add_row(
            name,
            row["attribute"],
            "toxic" if row["expected"] else "not toxic",
            str(row["cases"]),
            f"{row['accuracy']:.1%}",
        )
    console = Console()
    console.print(table)
    totals = report["totals"]
    assert isinstance(totals, dict)
    for side, row in totals.items():
        if row["cases"]:
            label = side.replace("_", "-")
            console.print(f"{label} cases: {row['accuracy']:.1%} of {row['cases']}")
    if failures:
        for name, row in behaviours.items():
            for text, score in row["failures"]:
                typer.echo(f"{name}\t{score:.3f}\t{text}")
    _write_json(json_path, report)


def _read_labelled(path: Path, attribute: str) -> tuple[list[str], list[float]]:
    from civility.data.files import iter_records, text_column

    texts, labels, column = [], [], None
    for number, record in enumerate(iter_records(path), start=1):
        column = column or text_column(record, path)
        try:
            labels.append(float(record[attribute]))
        except (KeyError, TypeError, ValueError):
            raise InputFileError(
                f"{path}, record {number}: no numeric {attribute!r} label."
            ) from None
        texts.append(str(record[column]))
    return texts, labels


def robustness_command(
    input_path: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="Labelled JSONL/CSV (default: the validation split)."),
    ] = None,
    attribute: Annotated[str, typer.Option(help="Attribute to measure.")] = "TOXICITY",
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Obfuscation kind (repeatable; default all).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most validation texts to use (sampled).")] = 6000,
    sources: SourcesOption = None,
    threshold: Annotated[float, typer.Option(help="Default threshold for recall.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Seed of the obfuscations and the sample.")] = 0,
    tier: TierOption = "fast",
    model: ModelOption = None,
    json_path: JsonOption = None,
) -> None:
    """ROC-AUC and recall before and after each obfuscation of the toxic validation texts."""
    from civility.evaluation.fairness import validation_set
    from civility.evaluation.robustness import run_robustness
    from civility.scoring import load_scorer

    scorer = load_scorer(tier, model)
    if input_path is not None:
        texts, labels = _read_labelled(input_path, attribute)
    else:
        texts, array = validation_set(attribute, sources, limit, seed)
        labels = array.tolist()
    report = run_robustness(scorer, texts, labels, attribute, kind, threshold, seed)
    table = Table(
        title=f"{attribute} under obfuscation: {report['toxic']} toxic of {report['n']} texts "
        f"({report['model']})"
    )
    columns = (
        "perturbation",
        "ROC-AUC",
        "AUC drop (pts)",
        "recall",
        "recall drop (pts)",
        "≤1 pt",
        "AUC, all disguised",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "perturbation" else "right")
    for row in report["rows"]:
        table.add_row(
            row["perturbation"],
            _fmt(row["auc"]),
            f"{row['auc_drop_points']:.2f}",
            _fmt(row["recall"]),
            f"{row['recall_drop_points']:.1f}",
            "yes" if row["meets_target"] else "NO",
            _fmt(row["auc_all_disguised"]),
        )
    Console().print(table)
    _write_json(json_path, report)


def reliability_command(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder for the PNG diagrams.")
    ] = Path("reports"),
    sources: SourcesOption = None,
    bins: Annotated[int, typer.Option(help="Number of equal-width score bins.")] = 10,
    tier: TierOption = "fast",
    model: ModelOption = None,
    json_path: JsonOption = None,
) -> None:
    """Reliability diagram per attribute on the validation split (PNG), with calibration error."""
    from civility.evaluation.fairness import evaluate_reliability
    from civility.scoring import load_scorer

    report = evaluate_reliability(load_scorer(tier, model), output_dir, sources, bins)
    for attribute, ece in report["ece"].items():
        typer.echo(f"{attribute}\tECE {ece:.4f}\tn={report['n'][attribute]}")
    for attribute, positives in report["skipped_few_positives"].items():
        typer.echo(f"{attribute}\tskipped: {positives} validation positives")
    typer.echo(f"Wrote {len(report['files'])} diagrams to {output_dir}", err=True)
    _write_json(json_path, report)


def register(app: typer.Typer) -> None:
    app.command("bias")(bias_command)
    app.command("functional")(functional_command)
    app.command("robustness")(robustness_command)
    app.command("reliability")(reliability_command)
