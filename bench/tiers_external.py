"""ROC-AUC of several scorers on the same sample of every external (class-B) set, in one run.

The class-B sets are never trained on by the default models, and each comes from another
platform, so they are our best stand-in for "comments from a site the model never saw".
``civility eval-report`` scores them whole with the fast tier; this script compares tiers (or
two builds of one tier) on a fixed random sample per set, which the encoder tiers can afford.

    .venv/bin/python bench/tiers_external.py fast accurate ensemble
    .venv/bin/python bench/tiers_external.py accurate accurate@var/models-old

Each argument is ``TIER`` or ``TIER@MODELS_ROOT``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from civility.data import load_corpus
from civility.data.sources import default_sources
from civility.evaluation.metrics import roc_auc
from civility.scoring import load_scorer

ATTRIBUTES = ("TOXICITY", "INSULT", "IDENTITY_ATTACK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scorers", nargs="+", help="TIER or TIER@MODELS_ROOT")
    parser.add_argument("--per-set", type=int, default=3000, help="texts sampled per set")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scorers = {}
    for spec in args.scorers:
        tier, _, root = spec.partition("@")
        scorers[spec] = load_scorer(tier, Path(root) / tier if root else None)
    rng = np.random.default_rng(args.seed)
    header = "| set | attribute | texts | " + " | ".join(args.scorers) + " |"
    print(header)
    print("|---|---|---:|" + "---:|" * len(args.scorers))
    for name in default_sources("B"):
        corpus = load_corpus([name])
        rows = np.sort(rng.permutation(len(corpus))[: args.per_set])
        texts = [corpus.texts[i] for i in rows]
        probs = {spec: s.predict_proba(texts) for spec, s in scorers.items()}
        for attribute in ATTRIBUTES:
            column = corpus.attributes.index(attribute)
            labels = corpus.labels[rows, column]
            known = ~np.isnan(labels)
            if known.sum() < 50 or len(set(labels[known] > 0.5)) < 2:
                continue
            cells = []
            for spec, scorer in scorers.items():
                auc = roc_auc(labels[known], probs[spec][known, scorer.labels_.index(attribute)])
                cells.append(f"{auc:.3f}" if auc is not None else "")
            print(f"| {name} | {attribute} | {int(known.sum())} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
