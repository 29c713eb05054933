"""Configurations of a language's model (class A by default), judged as docs/experiments.md says.

Run from the repository root (it needs ../shared/data):

    .venv/bin/python bench/language_arms.py ru ar
    .venv/bin/python bench/language_arms.py ko --arms shipped L1 L3 L5
    .venv/bin/python bench/language_arms.py de --licence AB --arms shipped L1 L3 L5

For each language and arm: the validation TOXICITY ROC-AUC of the model trained as
``civility train --languages`` trains it, the mean TOXICITY ROC-AUC over 5 folds of the
training split (folds by a hash of the text, the same for every arm), and the validation
ROC-AUC of the other attributes with enough labelled texts. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from typing import Any

import numpy as np

from civility.attributes import ATTRIBUTE_NAMES
from civility.data import load_corpus
from civility.metrics import is_measurable, roc_auc
from civility.training.fast import validation_report
from civility.training.languages import artifact_config, fit_language, language_sources

ARMS: dict[str, dict[str, Any]] = {
    "shipped": {},
    "L1": {"char_ngrams": (1, 5), "max_char_features": 200_000},
    "L2": {"max_iter": 200},
    "L3": {"alpha": 1e-4},
    "L5": {"alpha": 1e-5},
}
FOLDS = 5
TOXICITY = ATTRIBUTE_NAMES.index("TOXICITY")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="+")
    parser.add_argument("--licence", default="A", help="A (default package) or AB (opt-in).")
    parser.add_argument("--arms", nargs="*", default=list(ARMS), choices=list(ARMS))
    args = parser.parse_args()
    for language in args.languages:
        corpus = load_corpus(language_sources(language, args.licence))
        train = corpus.subset(corpus.splits == "train")
        folds = np.array(
            [int(hashlib.sha256(t.encode("utf-8")).hexdigest(), 16) % FOLDS for t in train.texts]
        )
        for arm in args.arms:
            change = ARMS[arm]
            config = artifact_config(language, args.licence)  # as shipped
            config.scorer_params.update(change)
            report = validation_report(fit_language(corpus, language, config), corpus)["all"]
            cv = []
            for k in range(FOLDS):
                model = fit_language(train.subset(folds != k), language, config)
                held = train.subset(folds == k)
                known = ~np.isnan(held.labels[:, TOXICITY])
                probs = model.predict_proba(
                    [t for t, ok in zip(held.texts, known, strict=True) if ok]
                )
                cv.append(roc_auc(held.labels[known, TOXICITY], probs[:, TOXICITY]))
            others = {
                a: round(report[a]["roc_auc"], 3)
                for a in ATTRIBUTE_NAMES
                if a != "TOXICITY" and is_measurable(report[a])
            }
            row = {
                "language": language,
                "licence": args.licence,
                "arm": arm,
                "validation TOXICITY": round(report["TOXICITY"]["roc_auc"], 4),
                f"{FOLDS}-fold TOXICITY": round(float(np.mean(cv)), 4),
                "validation, others": others,
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
