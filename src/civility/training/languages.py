"""Training the other languages' models: one fast-tier artifact per language and package.

Each language gets its own ``FastScorer`` (n-grams and a masked logistic regression), trained
on that language's sets with the ``multilingual-v1`` normaliser. The English recipe's extras
are English-only and are left out: the teachers are English models, the augmentations and
templated behaviours are English sentences, the span thresholds are tuned on English spans.

Two artifacts per language, where the data allows:

- the default one, in the ``civility`` package, from class-A sets only;
- the opt-in one, in ``civility-models-nc``, from class-A and class-B sets (non-commercial,
  research-only and unlicensed data: its terms are the package's LICENSE).

A manifest says which attributes the artifact may answer (``served_attributes``): those with
enough human-labelled validation texts of both classes in that language to be measured, and a
validation ROC-AUC worth serving. The others are predicted (the model has seven outputs) but
must not be claimed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from civility import __version__
from civility.attributes import ATTRIBUTE_NAMES
from civility.data import Corpus, load_corpus
from civility.data.sources import SOURCES, default_sources, languages
from civility.metrics import is_measurable, roc_auc
from civility.scoring._fast import FastScorer
from civility.text.normalize import normalization_for
from civility.training.fast import validation_report

Progress = Callable[[str], None]

PACKAGES = {"A": "civility", "AB": "civility-models-nc"}
"""Which package ships a language's artifact, by the licence classes it was trained on."""

UNLABELLED_INTERCEPT = -6.0
"""Log-odds of an attribute no training text of the language is a positive of (p = 0.0025)."""

SERVED_MIN_CLASS = 30
"""Human-labelled validation texts of each class an attribute needs before it is served."""

SERVED_MIN_AUC = 0.75
"""Validation ROC-AUC below which an attribute is not served: a score that ranks this poorly
would mislead a moderator more than it helps."""


@dataclass
class LanguageConfig:
    """Everything that decides a language's model, recorded in its manifest."""

    seed: int = 0
    scorer_params: dict[str, Any] = field(
        default_factory=lambda: {
            "char_ngrams": (2, 4),
            "word_ngrams": (1, 2),
            "max_char_features": 100_000,
            "max_word_features": 50_000,
            "min_df": 2,
            "alpha": 3e-5,
            "max_iter": 50,
            "class_balance": 0.5,
        }
    )


ARTIFACT_PARAMS: dict[tuple[str, str], dict[str, Any]] = {
    # Arm L1 in docs/experiments.md: validation TOXICITY 0.8497 -> 0.8569, 5-fold 0.8485 -> 0.8553.
    ("ko", "A"): {"char_ngrams": (1, 5), "max_char_features": 200_000},
}
"""Changes to ``LanguageConfig``'s scorer parameters for one (language, licence classes)
artifact, each adopted by an arm's rule in docs/experiments.md; every other artifact uses the
defaults."""


def artifact_config(language: str, licence_classes: str, seed: int = 0) -> LanguageConfig:
    """The configuration ``civility train --languages`` fits ``language``'s artifact with."""
    config = LanguageConfig(seed=seed)
    config.scorer_params.update(ARTIFACT_PARAMS.get((language, licence_classes), {}))
    return config


def language_sources(language: str, licence_classes: str) -> list[str]:
    """The training sources of ``language``'s artifact for ``licence_classes``."""
    return default_sources(licence_classes, language)


def trainable_languages(licence_classes: str) -> list[str]:
    """Languages with at least one source of the licence classes; for the opt-in package,
    only those with class-B data (the others' opt-in model would be the default one)."""
    found = [
        lang for lang in languages() if lang != "en" and language_sources(lang, licence_classes)
    ]
    if licence_classes == "AB":
        found = [lang for lang in found if language_sources(lang, "B")]
    return found


def served_attributes(report: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Attributes whose pooled validation cell has ``SERVED_MIN_CLASS`` texts of each class
    and a ROC-AUC of at least ``SERVED_MIN_AUC``."""
    cells = report["all"]
    return [
        a
        for a in ATTRIBUTE_NAMES
        if is_measurable(cells[a], SERVED_MIN_CLASS) and cells[a]["roc_auc"] >= SERVED_MIN_AUC
    ]


def fit_language(corpus: Corpus, language: str, config: LanguageConfig) -> FastScorer:
    """A scorer fitted on ``corpus``'s training split, every text weighing the same.

    Only the attributes some training text is labelled positive for are fitted (each costs a
    full pass over the n-grams per iteration, and most languages have three or four); the
    others get zero weights and an intercept that says "no": they are never served.
    """
    train = corpus.subset(corpus.splits == "train")
    labelled = [j for j in range(len(ATTRIBUTE_NAMES)) if (train.labels[:, j] >= 0.5).any()]
    params = {**config.scorer_params, "normalization": normalization_for(language)}
    scorer = FastScorer(**params).fit(
        train.texts, train.labels[:, labelled], labels=[ATTRIBUTE_NAMES[j] for j in labelled]
    )
    coef = np.zeros((scorer.model_.coef_.shape[0], len(ATTRIBUTE_NAMES)), dtype=np.float32)
    intercept = np.full(len(ATTRIBUTE_NAMES), UNLABELLED_INTERCEPT, dtype=np.float32)
    coef[:, labelled] = scorer.model_.coef_
    intercept[labelled] = scorer.model_.intercept_
    scorer.model_.coef_, scorer.model_.intercept_ = coef, intercept
    scorer.labels_ = ATTRIBUTE_NAMES
    scorer.span_thresholds_ = dict.fromkeys(ATTRIBUTE_NAMES, 0.5)
    return scorer


def leave_one_source_out(
    corpus: Corpus, language: str, config: LanguageConfig, progress: Progress
) -> dict[str, dict[str, dict[str, Any]]]:
    """For each source of a language with two or more: ROC-AUC on all of its texts for a model
    trained on the other sources (the figure nearest to a new site's comments), per attribute
    that the held-out source labels with both classes and the others teach."""
    names = list(dict.fromkeys(corpus.sources.tolist()))
    results: dict[str, dict[str, dict[str, Any]]] = {}
    if len(names) < 2:
        return results
    for name in names:
        held = corpus.sources == name
        rest = corpus.subset(~held)
        taught = (rest.labels[rest.splits == "train"] >= 0.5).any(axis=0)
        columns = [
            j
            for j in range(len(ATTRIBUTE_NAMES))
            if taught[j] and _both_classes(corpus.labels[held, j])
        ]
        if not columns:
            continue
        progress(f"{language}: leaving out {name}")
        only = np.full_like(rest.labels, np.nan)
        only[:, columns] = rest.labels[:, columns]  # the figures asked for, nothing more to fit
        rest.labels = only
        scorer = fit_language(rest, language, config)
        probs = scorer.predict_proba([t for t, h in zip(corpus.texts, held, strict=True) if h])
        results[name] = {}
        for j in columns:
            y = corpus.labels[held, j]
            known = ~np.isnan(y)
            results[name][ATTRIBUTE_NAMES[j]] = {
                "roc_auc": roc_auc(y[known], probs[known, j]),
                "n": int(known.sum()),
                "positives": int((y[known] >= 0.5).sum()),
            }
    return results


def _both_classes(column: np.ndarray) -> bool:
    known = column[~np.isnan(column)]
    return bool((known >= 0.5).any() and (known < 0.5).any())


def train_language(
    language: str,
    licence_classes: str = "A",
    config: LanguageConfig | None = None,
    progress: Progress = lambda message: None,
    root: Path | None = None,
    limit_per_source: int | None = None,
    loso: bool = True,
) -> tuple[FastScorer, dict[str, Any]]:
    """Fit ``language``'s artifact for ``licence_classes``; returns it and its manifest metadata."""
    config = config or artifact_config(language, licence_classes)
    started = time.perf_counter()
    names = language_sources(language, licence_classes)
    corpus = load_corpus(names, root=root, limit_per_source=limit_per_source)
    progress(f"{language} ({licence_classes}): {len(corpus)} texts from {len(names)} sources")
    scorer = fit_language(corpus, language, config)
    report = validation_report(scorer, corpus)
    sources = corpus.meta["sources"]
    metadata: dict[str, Any] = {
        "model_version": __version__,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "language": language,
        "package": PACKAGES[licence_classes],
        "licence_classes": sorted({sources[n]["class"] for n in names}),
        "served_attributes": served_attributes(report),
        "training": {
            "config": {"seed": config.seed, "scorer_params": config.scorer_params},
            "sources": {
                n: {
                    "licence": sources[n]["licence"],
                    "class": sources[n]["class"],
                    "description": SOURCES[n].description,
                    "texts": int((corpus.sources == n).sum()),
                    "train": int(((corpus.sources == n) & (corpus.splits == "train")).sum()),
                    "valid": int(((corpus.sources == n) & (corpus.splits == "valid")).sum()),
                }
                for n in names
            },
        },
        "validation": report,
        "leave_one_source_out": (
            leave_one_source_out(corpus, language, config, progress) if loso else {}
        ),
    }
    served = ", ".join(metadata["served_attributes"]) or "nothing"
    progress(
        f"{language} ({licence_classes}): serves {served}"
        f"; TOXICITY validation ROC-AUC {_fmt(report['all']['TOXICITY']['roc_auc'])}"
        f" ({time.perf_counter() - started:.0f}s)"
    )
    return scorer, metadata


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
