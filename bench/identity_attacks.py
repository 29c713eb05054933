"""Arm L4, rule 1: do our templated identity attacks teach more than their own wording?

Run from the repository root (it needs ../shared/data):

    .venv/bin/python bench/identity_attacks.py

A Dutch model (the other languages' fast-tier configuration) is fitted on the Dutch sentences
of ``bench/identity_attack_templates/nl.toml`` alone: attacks and threats against groups
(TOXICITY and IDENTITY_ATTACK 1) and the same groups named kindly, an attack denied or
condemned (both 0). It is scored on nl-hatecheck, functional test cases written by others, on
every case and on those that are not one of our sentences. docs/experiments.md has the rule
and the figures; the other languages' files hold the sentences rule 2 would have added to
their training. Printed, never asserted.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from civility.data.multilingual import load_hatecheck_nl
from civility.data.sources import data_root
from civility.metrics import roc_auc
from civility.scoring import Scorer, default_languages_dir, load_scorer
from civility.scoring._fast import FastScorer
from civility.text.normalize import normalization_for
from civility.training.languages import LanguageConfig

TEMPLATES = Path(__file__).parent / "identity_attack_templates"
NAMES = ["TOXICITY", "IDENTITY_ATTACK"]


def sentences(language: str) -> tuple[list[str], np.ndarray]:
    """Every template filled with every group; an attack or threat is 1, a contrast 0."""
    table = tomllib.loads((TEMPLATES / f"{language}.toml").read_text("utf-8"))
    texts, hateful = [], []
    for key, label in (("attacks", 1.0), ("threats", 1.0), ("contrasts", 0.0)):
        for template in table[key]:
            for group in table["groups"]:
                capital = group[:1].upper() + group[1:]
                texts.append(template.replace("{g}", group).replace("{G}", capital))
                hateful.append(label)
    return texts, np.array(hateful)


def main() -> None:
    texts, hateful = sentences("nl")
    params = {**LanguageConfig().scorer_params, "normalization": normalization_for("nl")}
    y = np.column_stack([hateful, hateful])
    scorer = FastScorer(**params).fit(texts, y, labels=NAMES)
    cases = list(load_hatecheck_nl(data_root()))
    gold = np.array([c.labels["IDENTITY_ATTACK"] for c in cases])
    ours = {t.casefold().strip(" .!") for t in texts}
    apart = np.array([c.text.casefold().strip(" .!") not in ours for c in cases])
    probs = scorer.predict_proba([c.text for c in cases])
    print(
        f"Dutch model on {len(texts)} sentences of ours; nl-hatecheck {len(cases)} cases,"
        f" {int((~apart).sum())} of them one of our sentences"
    )
    for j, name in enumerate(NAMES):
        every = roc_auc(gold, probs[:, j])
        rest = roc_auc(gold[apart], probs[apart, j])
        print(f"  {name:16s} ROC-AUC, every case {every:.3f}; the cases not ours {rest:.3f}")
    print("the shipped models of related languages on the same cases (transfer):")
    for label, scorer in related_models():
        probs = scorer.predict_proba([c.text for c in cases])
        labels = list(scorer.labels_)
        cells = [f"{n} {roc_auc(gold, probs[:, labels.index(n)]):.3f}" for n in NAMES]
        print(f"  {label:22s} " + "; ".join(cells))


def related_models() -> list[tuple[str, Scorer]]:
    from civility.languages import opt_in_directory

    found: list[tuple[str, Scorer]] = [("English fast tier", load_scorer("fast"))]
    found.append(("German (default)", FastScorer.load(default_languages_dir() / "de")))
    # The opt-in package's models, installed or in this repository.
    opt_in = opt_in_directory() or Path("packages/civility-models-nc/civility_models_nc/languages")
    for code, name in (("de", "German"), ("da", "Danish")):
        if (opt_in / code).is_dir():
            found.append((f"{name} (opt-in)", FastScorer.load(opt_in / code)))
    return found


if __name__ == "__main__":
    main()
