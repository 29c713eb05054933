"""The evaluation report shipped with the model (``docs/evaluation.md``).

Three views, from least to most honest about comments from a site the model has never seen:

1. validation ROC-AUC per source and attribute (held-out texts of the training sources);
2. external sets: the class-B sets, which the default model never trains on, each from another
   platform (Reddit, Facebook, Gab, tweets, news comments);
3. leave-one-source-out: retrain without a class-A source, then score that source.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from civility.data import LOCAL_CLASS, load_corpus
from civility.data.sources import SOURCES, default_sources
from civility.languages import (
    DEFAULT_PACKAGE,
    ENGLISH,
    OPT_IN_PACKAGE,
    PERSPECTIVE_LANGUAGES,
    LanguageTable,
    opt_in_directory,
    read_models,
)
from civility.metrics import (
    MIN_CLASS,
    attribute_metrics,
    is_measurable,
    mean_over_sources,
    roc_auc,
)
from civility.scoring import FastScorer, Scorer, default_languages_dir

if TYPE_CHECKING:
    from civility.training.fast import TrainingConfig

Progress = Callable[[str], None]


def external_evaluation(
    scorer: Scorer, sources: Sequence[str] | None = None, root: Path | None = None
) -> dict[str, dict[str, Any]]:
    """Metrics on whole datasets the model did not train on (default: every class-B source)."""
    names = list(sources) if sources is not None else default_sources("B")
    results = {}
    for name in names:
        corpus = load_corpus([name], root=root)
        probs = scorer.predict_proba(corpus.texts)
        results[name] = attribute_metrics(corpus.labels, probs, scorer.labels_)
    return results


def leave_one_source_out(
    sources: Sequence[str] | None = None,
    config: TrainingConfig | None = None,
    root: Path | None = None,
    progress: Progress = lambda message: None,
    limit_per_source: int | None = None,
) -> dict[str, float | None]:
    """TOXICITY ROC-AUC on each source for a model trained on all the other sources.

    Teachers and augmentation are used as ``config`` (default: ``civility train``'s) says; the
    held-out source's texts are scored with their human labels only.
    """
    from civility.training.fast import TrainingConfig, train_fast

    names = list(sources) if sources is not None else default_sources("A")
    corpus = load_corpus(names, root=root, limit_per_source=limit_per_source)
    tox = corpus.attributes.index("TOXICITY")
    results: dict[str, float | None] = {}
    for name in names:
        held_out = corpus.sources == name
        if np.isnan(corpus.labels[held_out, tox]).all():
            continue
        started = time.perf_counter()
        rest = corpus.subset(~held_out)
        rest.splits = np.where(rest.splits == "test", "test", "train")
        scorer, _ = train_fast(rest, config or TrainingConfig(), root=root, evaluate=False)
        target = corpus.subset(held_out)
        known = ~np.isnan(target.labels[:, tox])
        probs = scorer.predict_proba([t for t, k in zip(target.texts, known, strict=True) if k])
        results[name] = roc_auc(target.labels[known, tox], probs[:, tox])
        progress(
            f"leave out {name}: TOXICITY ROC-AUC {results[name]} "
            f"({time.perf_counter() - started:.0f}s)"
        )
    return results


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _auc_cell(cell: dict[str, Any]) -> str:
    """A source's AUC, in parentheses where too few texts of one class decide it."""
    value = _cell(cell["roc_auc"])
    return value if is_measurable(cell) or cell["roc_auc"] is None else f"({value})"


def render_markdown(
    scorer: FastScorer,
    external: dict[str, dict[str, Any]],
    loso: dict[str, float | None] | None,
    loso_params: dict[str, Any] | None = None,
) -> str:
    """The report as markdown, from the model's manifest metrics and the runs above."""
    metrics = scorer.metadata_.get("metrics", {})
    attributes = scorer.labels_
    lines = [
        "# Evaluation report",
        "",
        f"Model `{scorer.version}`. Regenerate with `civility eval-report` "
        "(add `--loso` for the leave-one-source-out table; it retrains once per source).",
        "",
        "## Validation split (held-out texts of the training sources)",
        "",
        "ROC-AUC per source and attribute, on texts whose source labels the attribute "
        f"(– : not labelled, or one class only; in parentheses: fewer than {MIN_CLASS} texts "
        "of one class, so a handful of texts decide it). The last row is the mean over the "
        "sources that can measure the attribute, each counted once. The last column is the "
        "calibration error (ECE) of TOXICITY.",
        "",
        "| source | " + " | ".join(attributes) + " | TOXICITY ECE |",
        "|---|" + "---:|" * (len(attributes) + 1),
    ]
    validation = metrics.get("validation", {})
    for source, per_attribute in validation.items():
        cells = [_auc_cell(per_attribute[a]) for a in attributes]
        ece = per_attribute["TOXICITY"]["ece"]
        lines.append(f"| {source} | " + " | ".join(cells) + f" | {_cell(ece)} |")
    if validation:
        means = [_cell(mean_over_sources(validation, a)) for a in attributes]
        lines.append("| mean over sources | " + " | ".join(means) + " | |")
    lines += [
        "",
        "## Calibration (validation split, all sources)",
        "",
        "| attribute | labelled | positives | ROC-AUC | average precision | ECE |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for attribute in attributes:
        m = validation.get("all", {}).get(attribute)
        if m:
            lines.append(
                f"| {attribute} | {m['n']} | {m['positives']} | {_cell(m['roc_auc'])} | "
                f"{_cell(m['average_precision'])} | {_cell(m['ece'])} |"
            )
    lines += [
        "",
        "## External sets (never trained on: class-B licences)",
        "",
        "Whole datasets from platforms and definitions the default model never saw. Closest to "
        "the question that matters: how does it do on a site it has never seen?",
        "",
        "| set | platform | " + " | ".join(attributes) + " |",
        "|---|---|" + "---:|" * len(attributes),
    ]
    for name, per_attribute in external.items():
        cells = [_cell(per_attribute[a]["roc_auc"]) for a in attributes]
        lines.append(f"| {name} | {SOURCES[name].description} | " + " | ".join(cells) + " |")
    if loso is not None:
        lines += [
            "",
            "## Leave one source out (TOXICITY ROC-AUC)",
            "",
            "Each row: a model trained on every other class-A source (with teachers and "
            f"augmentation; settings {loso_params or {}}), scored on all of that source's "
            "texts. Smaller and shorter-trained than the shipped model, so read the rows "
            "against each other rather than against the validation table.",
            "",
            "| held-out source | TOXICITY ROC-AUC |",
            "|---|---:|",
        ]
        lines += [f"| {name} | {_cell(auc)} |" for name, auc in loso.items()]
    spans = metrics.get("spans")
    if spans:
        lines += [
            "",
            "## Span scores (SemEval-2021 Toxic Spans)",
            "",
            f"Character-offset F1 on the 2,000 test posts: **{spans['test_f1']:.3f}** (threshold "
            f"{spans['threshold']} chosen on the training posts, F1 {spans['train_f1']:.3f} "
            "there). SemEval-2021's best system: 0.708.",
        ]
    return "\n".join(lines) + "\n"


FAST_SUMMARY = (
    "Civility's fast tier: word and character n-gram TF-IDF features on normalised text "
    "(obfuscation undone) and a multi-attribute logistic regression trained with masked, "
    "soft labels."
)


def render_model_card(
    scorer: Scorer,
    bias_section: str = "",
    summary: str = FAST_SUMMARY,
    command: str = "civility train",
) -> str:
    """The model card shipped beside an artifact: data, licences, teachers, headline figures.

    Every tier's manifest carries the same ``training`` and ``metrics`` sections, so one card
    fits all; ``summary`` says what the model is and ``command`` what rebuilds it.
    """
    meta = scorer.metadata_
    training = meta.get("training", {})
    metrics = meta.get("metrics", {})
    config = f" (config: `{training['config']}`)" if "config" in training else ""
    lines = [
        f"# Model card: `{scorer.version}`",
        "",
        f"{summary} Scores English comments; trained "
        f"{meta.get('trained_at', 'at an unknown time')} with `{command}`{config}.",
        "",
        "## Attributes",
        "",
        "| attribute | validation ROC-AUC | mean over sources | status |",
        "|---|---:|---:|---|",
    ]
    validation = metrics.get("validation", {})
    overall = validation.get("all", {})
    attributes = meta.get("attributes", {})
    for attribute in scorer.labels_:
        auc = overall.get(attribute, {}).get("roc_auc")
        mean = mean_over_sources(validation, attribute)
        status = "experimental" if attributes.get(attribute, {}).get("experimental") else ""
        lines.append(f"| {attribute} | {_cell(auc)} | {_cell(mean)} | {status} |")
    lines += [
        "",
        "ROC-AUC on the held-out texts of the training sources, all together and as the mean "
        f"over the sources with at least {MIN_CLASS} texts of each class. Compare models by "
        "the mean: the AUC over all texts also rewards telling one source's texts from "
        "another's.",
    ]
    spans = metrics.get("spans")
    if spans:
        lines += [
            "",
            f"Span F1 on the SemEval-2021 Toxic Spans test posts: {spans['test_f1']:.3f} "
            f"(threshold {spans['threshold']}, chosen on training posts).",
        ]
    if training:
        classes = training.get("licence_classes", [])
        local = (
            "; local: files of the trainer's own, given with `--extra`, licence not recorded"
            if LOCAL_CLASS in classes
            else ""
        )
        lines += [
            "",
            "## Training data",
            "",
            f"Licence classes used: {', '.join(classes)} (A: may train the default model; "
            f"B: opt-in models only{local}).",
            "",
            "| source | licence | class | texts |",
            "|---|---|---|---:|",
        ]
        for name, info in training.get("sources", {}).items():
            lines.append(f"| {name} | {info['licence']} | {info['class']} | {info['texts']} |")
        lines += [
            "",
            f"Augmentation: see the config above ({training.get('n_texts', '?')} training "
            "texts in all, with disguised copies, templated identity mentions and templated "
            "behaviours where the config asks for them).",
            "",
            "## Teachers",
            "",
            str(training.get("teachers", "none")),
        ]
    lines += [
        "",
        "## Limits",
        "",
        "English only. Trained on tweets, forum and Reddit posts and a small share of news "
        "comments; SEXUALLY_EXPLICIT rests on a few hundred examples and is experimental. "
        "See `docs/evaluation.md` for per-source and external figures and `docs/fairness.md` "
        "for identity-term bias.",
    ]
    if bias_section:
        lines += ["", bias_section.strip()]
    return "\n".join(lines) + "\n"


# -- other languages ----------------------------------------------------------------------------

LANGUAGES_BEGIN = "<!-- languages: written by `civility eval-report --languages` -->"
LANGUAGES_END = "<!-- /languages -->"
LANGUAGE_TARGET_AUC = 0.85
LANGUAGE_TARGET_TEXTS = 5000


def _source_rows(manifest: dict[str, Any]) -> list[str]:
    rows = ["| source | licence | class | texts | train | valid |", "|---|---|---|---:|---:|---:|"]
    for name, info in manifest["training"]["sources"].items():
        rows.append(
            f"| {name} | {info['licence']} | {info['class']} | {info['texts']} "
            f"| {info['train']} | {info['valid']} |"
        )
    return rows


def _validation_rows(manifest: dict[str, Any]) -> list[str]:
    """Validation ROC-AUC per attribute (columns) and source (rows): attributes with no labelled
    validation text at all are left out, parenthesised cells have fewer than 10 texts of a class."""
    report = manifest["validation"]
    shown = [a for a in report["all"] if report["all"][a]["roc_auc"] is not None]
    rows = [
        "| source | " + " | ".join(shown) + " |",
        "|---|" + "---:|" * len(shown),
    ]
    for source, cells in report.items():
        label = "**all**" if source == "all" else source
        rows.append(f"| {label} | " + " | ".join(_auc_cell(cells[a]) for a in shown) + " |")
    counts = " / ".join(
        f"{a} {report['all'][a]['positives']}+ of {report['all'][a]['n']}" for a in shown
    )
    rows.append("")
    rows.append(f"Validation texts (positives of labelled): {counts}.")
    return rows


def _loso_rows(manifest: dict[str, Any]) -> list[str]:
    results = manifest.get("leave_one_source_out") or {}
    if not results:
        return []
    rows = [
        "",
        "Leave-one-source-out: ROC-AUC on all of a source's texts for a model trained on the "
        "language's other sources, per attribute both sides label:",
        "",
        "| held-out source | attribute | texts | positives | ROC-AUC |",
        "|---|---|---:|---:|---:|",
    ]
    for name, cells in results.items():
        for attribute, cell in cells.items():
            rows.append(
                f"| {name} | {attribute} | {cell['n']} | {cell['positives']} "
                f"| {_cell(cell['roc_auc'])} |"
            )
    return rows


def render_language_section(manifest: dict[str, Any], level: str = "##") -> str:
    """One language artifact's figures: sources, licences, counts, validation per attribute and
    source, leave-one-source-out."""
    served = ", ".join(manifest["served_attributes"]) or "nothing"
    lines = [
        f"{level} {manifest['language']} ({manifest['package']}, licence classes "
        f"{'+'.join(manifest['licence_classes'])})",
        "",
        f"Served attributes: {served}. Only these may be answered for this language: the others "
        "have too few human-labelled validation texts of a class, or rank too poorly, to trust.",
        "",
        *_source_rows(manifest),
        "",
        *_validation_rows(manifest),
        *_loso_rows(manifest),
    ]
    return "\n".join(lines) + "\n"


def render_language_card(manifest: dict[str, Any]) -> str:
    """The model card of one language's artifact."""
    from civility.training.languages import SERVED_MIN_AUC, SERVED_MIN_CLASS

    return "\n".join(
        [
            f"# Model card: {manifest['language']} ({manifest['package']})",
            "",
            "The fast tier (word and character n-grams, masked multi-attribute logistic "
            "regression) trained on this language's labelled sets alone, with the "
            f"`multilingual-v1` normaliser; trained {manifest['trained_at']} with `civility train "
            "--languages`. No teachers, augmentation or span tuning: those are English. An "
            f"attribute is served when its validation split has {SERVED_MIN_CLASS} or more "
            f"human-labelled texts of each class and a ROC-AUC of {SERVED_MIN_AUC} or more. "
            "Validation splits are drawn per source by a hash of the text, after duplicates "
            "within and across the language's sets are merged.",
            "",
            render_language_section(manifest),
        ]
    )


def language_manifests(
    opt_in_dir: Path | None = None, languages_dir: Path | None = None
) -> list[dict[str, Any]]:
    """The manifests of the installed language artifacts (``languages_dir``: the default
    package's models, ``opt_in_dir``: the opt-in package's; default: where the server finds
    them), in the registry's order of languages, the default package's before the opt-in's."""
    table = LanguageTable(
        read_models(languages_dir or default_languages_dir(), DEFAULT_PACKAGE),
        read_models(opt_in_dir or opt_in_directory(), OPT_IN_PACKAGE),
    )
    paths = [
        path
        for code in (row["language"] for row in table.rows())
        for models in (table.default, table.opt_in)
        if code in models and (path := models[code].path) is not None
    ]
    return [json.loads((path / "manifest.json").read_text(encoding="utf-8")) for path in paths]


def render_languages_markdown(manifests: Sequence[dict[str, Any]]) -> str:
    """The per-language section of ``docs/evaluation.md``, between its markers."""
    head = [
        LANGUAGES_BEGIN,
        "## Other languages",
        "",
        "Every language artifact's validation figures, from its manifest. Default-package "
        "artifacts are trained on class-A sets only; `civility-models-nc` artifacts on class A "
        "and B (non-commercial and research terms). The target: TOXICITY validation "
        f"ROC-AUC ≥ {LANGUAGE_TARGET_AUC} in every language with ≥ {LANGUAGE_TARGET_TEXTS:,} "
        "labelled texts (– : fewer texts than that).",
        "",
        "| language | package | served | texts | TOXICITY validation ROC-AUC | target |",
        "|---|---|---|---:|---:|---|",
    ]
    for m in manifests:
        texts = sum(info["texts"] for info in m["training"]["sources"].values())
        auc = m["validation"]["all"].get("TOXICITY", {}).get("roc_auc")
        target = "–" if texts < LANGUAGE_TARGET_TEXTS else "not measured"
        if auc is not None and texts >= LANGUAGE_TARGET_TEXTS:
            target = "met" if auc >= LANGUAGE_TARGET_AUC else f"not met ({auc:.4f})"
        head.append(
            f"| {m['language']} | {m['package']} | {', '.join(m['served_attributes'])} "
            f"| {texts} | {_cell(auc)} | {target} |"
        )
    present = {m["language"] for m in manifests}
    unserved = [
        f"{code} ({name})"
        for code, name in PERSPECTIVE_LANGUAGES.items()
        if code != ENGLISH and code not in present
    ]
    if unserved:
        head += [
            "",
            f"Perspective scored these languages and no artifact here does: "
            f"{', '.join(unserved)}. Their comments get Perspective's "
            "`LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE` from the API and are held for a moderator "
            "by ingestion; none is scored by the English model.",
        ]
    sections = [render_language_section(m, "###") for m in manifests]
    return "\n".join([*head, "", *sections, LANGUAGES_END]) + "\n"


def replace_languages_section(document: str, section: str) -> str:
    """``document`` with its languages section replaced by ``section`` (appended if absent)."""
    if LANGUAGES_BEGIN in document and LANGUAGES_END in document:
        before = document[: document.index(LANGUAGES_BEGIN)]
        after = document[document.index(LANGUAGES_END) + len(LANGUAGES_END) :].lstrip("\n")
        return before + section + ("\n" + after if after else "")
    return document.rstrip("\n") + "\n\n" + section
