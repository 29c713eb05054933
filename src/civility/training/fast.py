"""Training the fast tier from the harmonised corpus: one function, deterministic for a seed.

``train_fast`` is what ``civility train`` runs. It mixes teacher scores into the labels where the
registry allows, adds augmented copies (disguised toxic texts, non-toxic identity mentions),
fits the scorer on the training split, measures it on the validation split per source, tunes
span thresholds on the Toxic Spans training posts, and reports span F1 on their test posts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from civility import __version__
from civility.attributes import ATTRIBUTES, attribute_index
from civility.data import Corpus, load_teacher_scores, mix_teachers
from civility.data.augment import (
    has_identity_terms,
    identity_sentences,
    obfuscated_copies,
    swap_identity_terms,
)
from civility.data.behaviours import behaviour_sentences
from civility.data.sources import SOURCES, data_root
from civility.metrics import attribute_metrics, span_f1
from civility.scoring._fast import FastScorer
from civility.scoring.spans import word_probabilities

TEACHER_CREDIT = (
    "Teacher probabilities from tox-block 0.1.2 and toxic-comment-classifier 0.3.0 (BiLSTMs "
    "trained on Jigsaw Toxic Comment Classification 2018) and alt-profanity-check 1.9.1 (TF-IDF "
    "+ SVM on Jigsaw 2018 and Davidson et al. 2017), all MIT-licensed, mixed into the labels of "
    "TOXICITY, SEVERE_TOXICITY, INSULT, PROFANITY and THREAT at training time only."
)


@dataclass
class TrainingConfig:
    """Everything that decides the trained model, recorded in its manifest."""

    teacher_share: float = 0.5
    teacher_only_weight: float = 0.3
    protect_identity_attacks: bool = True
    obfuscated_share: float = 0.3
    identity_sentences: int = 20000
    # Templated sentences per behaviour. At 3,000 they held our suites and cost the sets we
    # never trained on; at 1,000, with counter-speech and negation at three times that (the
    # one behaviour that fell without them), both hold (arm O12, docs/experiments.md).
    behaviour_sentences: int = 1000
    # Which templated behaviours (``civility.data.behaviours``) are added; None for all.
    behaviours: list[str] | None = None
    # Behaviours given this many times ``behaviour_sentences``.
    behaviour_scales: dict[str, float] = field(
        default_factory=lambda: {"counter_speech_and_negation": 3.0}
    )
    seed: int = 0
    # HateXplain's posts its three annotators all called normal are the corpus's largest set
    # of calm talk about identity groups, negation and counter-speech included; counted twice
    # they raised our suite's and the holdout's scores at two seeds (docs/fairness.md).
    clean_weights: dict[str, float] = field(default_factory=lambda: {"hatexplain": 2.0})
    # Counterfactual copies: every training text that names a group once more with the group
    # words swapped, same labels, so that no group word carries a label by itself.
    identity_swaps: bool = True
    # Each source's texts weighted by (texts in the source / median over sources) ** -power:
    # 0 leaves sources as they are, 1 gives each the same total weight.
    source_balance: float = 0.0
    # Within each source, texts that name a group and texts that do not weighted so that
    # both carry the source's own share of toxic texts (Kamiran and Calders' reweighing): a
    # corpus of hate speech, where nearly every group mention is labelled toxic, then no
    # longer teaches that a mention is itself toxic.
    decorrelate_mentions: bool = True
    # The same on the IDENTITY_ATTACK cells and labels alone: a text that names a group is
    # then no likelier to be an identity attack than one that does not, within its source.
    decorrelate_identity_attacks: bool = True
    scorer_params: dict[str, Any] = field(
        # Threats and sexual content are rare in every source: weight their classes equally,
        # or the model never dares a probability above one half for them.
        default_factory=lambda: {"class_balance": {"THREAT": 1.0, "SEXUALLY_EXPLICIT": 1.0}}
    )

    def cap_templates(self, limit: int) -> None:
        """At most ``limit`` templated sentences of each kind, so that a quick run at ``limit``
        texts per source keeps real texts the larger part of its training set."""
        self.identity_sentences = min(self.identity_sentences, limit)
        self.behaviour_sentences = min(self.behaviour_sentences, limit)


Progress = Callable[[str], None]
TOXICITY_COLUMN = attribute_index("TOXICITY")
OVERSAMPLED_GROUPS = (
    ("gay", "gay people"),
    ("gay", "gay men"),
    ("homosexual", "homosexuals"),
    ("lesbian", "lesbians"),
    ("female", "women"),
    ("Muslim", "Muslims"),
    ("Jewish", "Jews"),
    ("Black", "Black people"),
    ("transgender", "trans people"),
    ("queer", "queer people"),
)
"""Groups whose non-toxic mentions the first models scored worst (BPSN AUC in the bias report)."""


def check_clean_weights(multipliers: dict[str, float]) -> None:
    """Refuse what would silently train a different model: a misspelt source weights nothing,
    and a negative or infinite multiplier breaks the fit."""
    unknown = set(multipliers) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown sources: {', '.join(sorted(unknown))}")
    bad = {name: m for name, m in multipliers.items() if not (np.isfinite(m) and m >= 0)}
    if bad:
        raise ValueError(f"multipliers must be finite and at least 0: {bad}")


def weight_clean_texts(
    weights: np.ndarray, labels: np.ndarray, sources: np.ndarray, multipliers: dict[str, float]
) -> np.ndarray:
    """``weights`` with every cell of a source's texts that people labelled non-toxic multiplied
    by that source's entry in ``multipliers``; other sources' texts keep theirs.

    Human labels decide, not mixed targets: a teacher's doubt about a text its annotators all
    called clean must not take it out of the set.
    """
    check_clean_weights(multipliers)
    weighted = weights.copy()
    clean = labels[:, TOXICITY_COLUMN] == 0.0
    for source, multiplier in multipliers.items():
        weighted[(sources == source) & clean] *= multiplier
    return weighted


def balance_sources(weights: np.ndarray, sources: np.ndarray, power: float) -> np.ndarray:
    """``weights`` with each source's rows scaled by ``(its size / median size) ** -power``."""
    if not power:
        return weights
    names, counts = np.unique(sources, return_counts=True)
    scale = dict(zip(names.tolist(), (counts / np.median(counts)) ** -power, strict=True))
    return weights * np.array([scale[s] for s in sources.tolist()], dtype=np.float32)[:, None]


def decorrelate_mentions(
    weights: np.ndarray, texts: list[str], labels: np.ndarray, sources: np.ndarray
) -> np.ndarray:
    """``weights`` with each row of a source scaled by ``P(mention) P(toxic) / P(mention,
    toxic)`` within that source, where *mention* is whether the text names a group and
    *toxic* its human TOXICITY label; rows without that label keep their weights."""
    mentions = np.array([has_identity_terms(text) for text in texts], dtype=bool)
    return weights * _reweighing(mentions, labels[:, TOXICITY_COLUMN], sources)[:, None]


def decorrelate_identity_attacks(
    weights: np.ndarray, texts: list[str], labels: np.ndarray, sources: np.ndarray
) -> np.ndarray:
    """``weights`` with the IDENTITY_ATTACK cells reweighed as ``decorrelate_mentions`` does
    rows, on the human IDENTITY_ATTACK label: within a source, naming a group is then no
    evidence of an attack, and the model has to find the hostile act. Sources where a
    (mention, label) cell holds fewer than ``MIN_REWEIGHING_CELL`` texts keep their weights,
    since a handful of attacks that name no group would otherwise weigh as much as thousands."""
    mentions = np.array([has_identity_terms(text) for text in texts], dtype=bool)
    column = attribute_index("IDENTITY_ATTACK")
    scale = _reweighing(mentions, labels[:, column], sources, MIN_REWEIGHING_CELL)
    weights = weights.copy()
    weights[:, column] *= scale
    return weights


MIN_REWEIGHING_CELL = 20


def _reweighing(
    mentions: np.ndarray, label: np.ndarray, sources: np.ndarray, min_cell: int = 1
) -> np.ndarray:
    """Kamiran and Calders' weights ``P(mention) P(label) / P(mention, label)`` per source, 1
    where the label is missing or a source has a cell under ``min_cell`` texts."""
    known, positive = ~np.isnan(label), np.nan_to_num(label) >= 0.5
    scale = np.ones(len(mentions), dtype=np.float32)
    for source in np.unique(sources):
        rows = known & (sources == source)
        cells = [
            (rows & (mentions == mention) & (positive == value), mention, value)
            for mention in (False, True)
            for value in (False, True)
        ]
        if min_cell > 1 and min(cell.sum() for cell, _, _ in cells) < min_cell:
            continue
        for cell, mention, value in cells:
            if cell.any():
                scale[cell] = (
                    (rows & (mentions == mention)).sum()
                    * (rows & (positive == value)).sum()
                    / (rows.sum() * cell.sum())
                )
    return scale


def swapped_pairs(texts: Sequence[str]) -> np.ndarray:
    """(original, copy) row pairs of the copies ``swapped_copies`` appends to ``texts``."""
    rows = np.array([i for i, text in enumerate(texts) if has_identity_terms(text)], np.int64)
    return np.column_stack([rows, len(texts) + np.arange(len(rows), dtype=np.int64)])


def swapped_copies(
    texts: list[str], targets: np.ndarray, weights: np.ndarray, rng: np.random.Generator
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The texts, then a copy of each one that names a group with its group words swapped."""
    rows = swapped_pairs(texts)[:, 0]
    copies = [swap_identity_terms(texts[i], rng) for i in rows]
    return texts + copies, np.vstack([targets, targets[rows]]), np.vstack([weights, weights[rows]])


def augment(
    texts: list[str],
    targets: np.ndarray,
    weights: np.ndarray,
    rng: np.random.Generator,
    obfuscated_share: float,
    n_identity: int,
    n_behaviour: int,
    behaviours: Sequence[str] | None = None,
    behaviour_scales: Mapping[str, float] | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The training set of every tier: the texts, then disguised copies of a share of them,
    identity mentions and templated behaviours, with targets and weights to match.

    Disguised copies keep their labels; identity mentions are clean on every attribute;
    templated behaviours (threats, insults without swear words, violence that threatens no one,
    counter-speech...) carry their own labels, unlabelled where they say nothing.

    Non-toxic texts are disguised too, at a smaller rate: otherwise a "*" or a spaced word
    would itself become evidence of toxicity. Half the identity mentions name the groups the
    bias report finds worst treated (``OVERSAMPLED_GROUPS``).
    """
    toxicity = np.nan_to_num(targets[:, TOXICITY_COLUMN], nan=0.5)
    toxic, clean_rows = np.flatnonzero(toxicity >= 0.5), np.flatnonzero(toxicity < 0.2)
    chosen = np.sort(
        np.concatenate(
            [
                rng.choice(toxic, size=int(len(toxic) * obfuscated_share), replace=False),
                rng.choice(
                    clean_rows,
                    size=int(len(clean_rows) * obfuscated_share / 3),
                    replace=False,
                ),
            ]
        )
    )
    disguised = obfuscated_copies([texts[i] for i in chosen], rng)
    half = n_identity // 2
    mentions = identity_sentences(rng, half) + identity_sentences(
        rng, n_identity - half, OVERSAMPLED_GROUPS
    )
    clean = np.zeros((len(mentions), targets.shape[1]), dtype=np.float32)
    templated, behaviour_labels = behaviour_sentences(
        rng, n_behaviour, behaviours, behaviour_scales
    )
    return (
        texts + disguised + mentions + templated,
        np.vstack([targets, targets[chosen], clean, behaviour_labels]),
        np.vstack([weights, weights[chosen], np.ones_like(clean), np.ones_like(behaviour_labels)]),
    )


def span_examples(root: Path, split: str) -> list[tuple[str, set[int]]]:
    """(text, gold toxic character offsets) of a SemEval-2021 Toxic Spans split."""
    path = root / "toxic-spans" / f"tsd_{split}.jsonl"
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            rows.append((record["text"], set(record["spans"])))
    return rows


def predicted_offsets(
    words: list[tuple[list[tuple[int, int]], np.ndarray]], column: int, threshold: float
) -> list[set[int]]:
    """Character offsets covered by words whose probability clears ``threshold``."""
    return [
        {
            i
            for (b, e), p in zip(bounds, probs[:, column], strict=True)
            if p >= threshold
            for i in range(b, e)
        }
        for bounds, probs in words
    ]


def tune_span_thresholds(scorer: FastScorer, root: Path, progress: Progress) -> dict[str, Any]:
    """Pick the span threshold on Toxic Spans train posts; report F1 on its test posts."""
    column = scorer.labels_.index("TOXICITY")
    train = span_examples(root, "train")
    train_words = word_probabilities([t for t, _ in train], scorer.predict_proba)
    gold = [g for _, g in train]
    best = max(
        (span_f1(predicted_offsets(train_words, column, float(t)), gold), round(float(t), 2))
        for t in np.arange(0.2, 0.95, 0.05)
    )
    progress(f"span threshold {best[1]} (train F1 {best[0]:.3f})")
    # Spans for every attribute use the TOXICITY-tuned threshold: only TOXICITY has gold spans
    # of its own, and per-word probabilities are on the same scale for all attributes.
    scorer.span_thresholds_ = dict.fromkeys(scorer.labels_, best[1])
    test = span_examples(root, "test")
    test_words = word_probabilities([t for t, _ in test], scorer.predict_proba)
    test_f1 = span_f1(predicted_offsets(test_words, column, best[1]), [g for _, g in test])
    return {"threshold": best[1], "train_f1": round(best[0], 4), "test_f1": round(test_f1, 4)}


def validation_report(scorer: FastScorer, corpus: Corpus) -> dict[str, Any]:
    """Per source, per attribute metrics on the validation split (human labels only)."""
    valid = corpus.subset(corpus.splits == "valid")
    probs = scorer.predict_proba(valid.texts)
    report: dict[str, Any] = {"all": attribute_metrics(valid.labels, probs, corpus.attributes)}
    for source in dict.fromkeys(valid.sources.tolist()):
        rows = valid.sources == source
        report[source] = attribute_metrics(valid.labels[rows], probs[rows], corpus.attributes)
    return report


def training_metadata(train: Corpus, config: object, n_texts: int) -> dict[str, Any]:
    """What every tier's manifest says about its training: sources, licences, teachers."""
    used = sorted(set(train.sources.tolist()))
    known: dict[str, dict[str, str]] = train.meta.get("sources", {})
    licences = {
        name: known.get(name)
        or {"licence": SOURCES[name].licence, "class": SOURCES[name].licence_class}
        for name in used
    }
    return {
        "model_version": __version__,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training": {
            "config": dict(vars(config)),
            "n_texts": n_texts,
            "sources": {
                name: {**licences[name], "texts": int((train.sources == name).sum())}
                for name in used
            },
            "licence_classes": sorted({info["class"] for info in licences.values()}),
            "teachers": TEACHER_CREDIT,
        },
        "attributes": {a.name: {"experimental": a.experimental} for a in ATTRIBUTES},
    }


def train_fast(
    corpus: Corpus,
    config: TrainingConfig | None = None,
    progress: Progress = lambda message: None,
    root: Path | None = None,
    evaluate: bool = True,
    verbose: bool = False,
) -> tuple[FastScorer, dict[str, Any]]:
    """Fit the fast tier on ``corpus``'s training split; returns it and its manifest metadata.

    ``verbose`` shows a progress bar while the model is fitted.
    """
    config = config or TrainingConfig()
    root = root or data_root()
    rng = np.random.default_rng(config.seed)
    started = time.perf_counter()
    train = corpus.subset(corpus.splits == "train")
    progress(f"{len(train)} training texts from {len(set(train.sources.tolist()))} sources")
    teachers = load_teacher_scores(root)
    targets, weights, found = mix_teachers(
        train.texts,
        train.labels,
        teachers,
        config.teacher_share,
        config.teacher_only_weight,
        config.protect_identity_attacks,
    )
    progress(f"teacher scores found for {found.mean():.1%} of texts")
    weights = weight_clean_texts(weights, train.labels, train.sources, config.clean_weights)
    weights = balance_sources(weights, train.sources, config.source_balance)
    if config.decorrelate_mentions:
        weights = decorrelate_mentions(weights, train.texts, train.labels, train.sources)
    if config.decorrelate_identity_attacks:
        weights = decorrelate_identity_attacks(weights, train.texts, train.labels, train.sources)
    texts = list(train.texts)
    if config.identity_swaps:
        texts, targets, weights = swapped_copies(texts, targets, weights, rng)
        progress(f"{len(texts) - len(train)} counterfactual copies with group words swapped")
    texts, targets, weights = augment(
        texts,
        targets,
        weights,
        rng,
        config.obfuscated_share,
        config.identity_sentences,
        config.behaviour_sentences,
        config.behaviours,
        config.behaviour_scales,
    )
    progress(f"{len(texts)} texts after augmentation; fitting")
    scorer = FastScorer(**config.scorer_params).fit(
        texts, targets, sample_weight=weights, verbose=verbose
    )
    progress(f"fitted in {time.perf_counter() - started:.0f}s ({scorer.model_.n_iter_} iterations)")
    metadata = training_metadata(train, config, len(texts))
    if evaluate:
        progress("measuring on the validation split")
        metadata["metrics"] = {"validation": validation_report(scorer, corpus)}
        progress("tuning span thresholds")
        metadata["metrics"]["spans"] = tune_span_thresholds(scorer, root, progress)
    return scorer, metadata
