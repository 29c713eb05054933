"""``civility evaluate FILE``: how well a model does on the user's own labelled comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def evaluate_command(
    file: Annotated[
        Path | None, typer.Argument(help="CSV or JSONL with a text column and label columns.")
    ] = None,
    bias: Annotated[
        bool, typer.Option("--bias", help="Print the identity-term bias table instead.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    text_col: Annotated[
        str | None, typer.Option("--text-column", help="Column holding the text.")
    ] = None,
    tier: Annotated[str, typer.Option(help="Model tier to evaluate.")] = "fast",
    model: Annotated[Path | None, typer.Option(help="Model artifact directory.")] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language of the rows without a language field (default: detected)."),
    ] = None,
) -> None:
    """Per-attribute ROC-AUC, average precision and calibration error (ECE) on FILE, pooled
    and per language.

    Label columns may use Jigsaw names (toxic, severe_toxic, obscene, threat, insult,
    identity_hate) or Perspective's (TOXICITY, IDENTITY_ATTACK, ...); -1 or empty = unscored.
    Each comment is scored by its language's model (its "language" field, else --language,
    else detected; --tier and --model choose English's) on the attributes served there;
    comments no model reads are counted, not scored.
    With --bias: subgroup, BPSN and BNSP AUC per identity (same as ``civility bias``).
    """
    from civility.evaluation.evaluate import evaluate_file
    from civility.languages import normalize_language
    from civility.scoring import load_languages
    from civility.settings import load_settings

    if bias:
        from civility.cli.fairness import bias_command

        bias_command(data=None, attribute="TOXICITY", tier=tier, model=model, json_path=None)
        return
    if file is None:
        raise typer.BadParameter("give a FILE to evaluate, or --bias.")
    languages = load_languages(tier, model, opt_in_enabled=load_settings().noncommercial_models)
    declared = [normalize_language(language)] if language else []
    result = evaluate_file(languages, file, text_col, declared)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"{result['file']}: {result['n']} comments")
    for name in ("language", "model", "attribute", "labelled", "positives", "ROC-AUC"):
        table.add_column(
            name, justify="left" if name in ("language", "model", "attribute") else "right"
        )
    for name in ("avg precision", "ECE"):
        table.add_column(name, justify="right")
    groups = [
        (code, part["model"], part["attributes"]) for code, part in result["languages"].items()
    ]
    if len(groups) > 1:
        groups.insert(0, ("all", "", result["attributes"]))
    for code, version, attributes in groups:
        for attribute, m in attributes.items():
            table.add_row(
                code,
                version,
                attribute,
                str(m["n"]),
                str(m["positives"]),
                _fmt(m["roc_auc"]),
                _fmt(m["average_precision"]),
                _fmt(m["ece"]),
            )
    Console().print(table)
    if result["unscored"]:
        counts = ", ".join(f"{code} {n}" for code, n in result["unscored"].items())
        typer.echo(f"Not scored, in languages no model serves: {counts}")


def eval_report_command(
    output: Annotated[Path, typer.Option(help="Markdown file to write.")] = Path(
        "docs/evaluation.md"
    ),
    loso: Annotated[
        bool, typer.Option("--loso", help="Add leave-one-source-out (retrains per source).")
    ] = False,
    loso_max_iter: Annotated[
        int, typer.Option(help="Optimiser iterations of each LOSO model.")
    ] = 60,
    loso_limit: Annotated[
        int | None, typer.Option(help="Texts per source for the LOSO models (default: all).")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Fast-tier artifact directory.")] = None,
    ood: Annotated[
        bool,
        typer.Option(
            "--ood",
            help="Print the out-of-domain protocol table for the --compare models instead.",
        ),
    ] = False,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            help="With --ood: TIER (shipped) or TIER@ROOT (the artifact in ROOT/TIER); "
            "repeatable, the first is the baseline (default: fast)."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="With --ood: texts per set (default 2000).")
    ] = 2000,
    loso_source: Annotated[
        list[str] | None,
        typer.Option(help="With --ood: leave out only these sources (repeatable)."),
    ] = None,
    languages: Annotated[
        bool,
        typer.Option(
            "--languages",
            help="Only rewrite the other languages' section of OUTPUT, from the installed "
            "language artifacts' manifests.",
        ),
    ] = False,
    opt_in_dir: Annotated[
        Path | None,
        typer.Option(
            help="The opt-in package's language models (default: the installed package's)."
        ),
    ] = None,
    docs: Annotated[
        Path | None,
        typer.Option(
            "--docs",
            help="Measure every shipped tier and rewrite the figures in DIR/fairness.md and "
            "DIR/tiers.md instead.",
        ),
    ] = None,
) -> None:
    """Write the evaluation report: validation per source, external sets, LOSO, spans, and
    the other languages' figures from their manifests (alone with --languages).

    With --docs DIR, rewrite the shipped models' figures in the reference pages. With --ood,
    print the out-of-domain protocol instead (external sets, leave-one-source-out
    with --loso, benign identity mentions, identity swaps) for every --compare model in one
    run; training changes are chosen by it (docs/experiments.md).
    """
    from rich.console import Console as RichConsole

    from civility.scoring import load_scorer

    log = RichConsole(stderr=True).log
    from civility.data.files import atomic_output
    from civility.evaluation.report import (
        language_manifests,
        render_languages_markdown,
        replace_languages_section,
    )

    section = render_languages_markdown(language_manifests(opt_in_dir))
    if languages:
        document = output.read_text(encoding="utf-8") if output.is_file() else ""
        with atomic_output(output) as handle:
            handle.write(replace_languages_section(document, section))
        log(f"wrote the languages section of {output}")
        return
    if docs is not None:
        from civility.evaluation.shipped import write_docs

        write_docs(docs, progress=log)
        log(f"wrote the shipped figures into {docs / 'fairness.md'} and {docs / 'tiers.md'}")
        return
    if ood:
        from civility.evaluation.ood import ood_protocol, render_table

        specs = compare or ["fast"]
        rows = ood_protocol(
            specs,
            limit=limit,
            loso=loso,
            loso_limit=loso_limit or 3000,
            loso_max_iter=loso_max_iter,
            loso_sources=loso_source,
            progress=log,
        )
        typer.echo(render_table(specs, rows), nl=False)
        return

    from civility.evaluation.report import (
        external_evaluation,
        leave_one_source_out,
        render_markdown,
    )
    from civility.scoring import FastScorer
    from civility.training.fast import TrainingConfig

    scorer = load_scorer("fast", model)
    if not isinstance(scorer, FastScorer):
        raise typer.BadParameter("the report describes a fast-tier artifact")
    log("scoring the external sets")
    external = external_evaluation(scorer)
    params = {"max_iter": loso_max_iter}
    config = TrainingConfig()
    config.scorer_params.update(params)
    results = (
        leave_one_source_out(config=config, progress=log, limit_per_source=loso_limit)
        if loso
        else None
    )
    settings = {**params, "texts per source": loso_limit or "all"}
    with atomic_output(output) as handle:
        handle.write(
            replace_languages_section(render_markdown(scorer, external, results, settings), section)
        )
    log(f"wrote {output}")


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
    app.command("eval-report")(eval_report_command)
