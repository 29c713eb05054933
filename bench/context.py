"""Does reading a reply with its parent help? Own scores against "parent + reply" scores.

    .venv/bin/python bench/context.py                 # the shipped fast model
    .venv/bin/python bench/context.py --model path/to/artifact --tier fast

The cases (``bench/context_cases.jsonl``) are short replies whose identity attack is only
visible under their parent ("They are vermin" under "What do you think of immigrants?"), and
controls: kind replies under the same parents, and the same hostile words under parents that
name no group. Prints, for IDENTITY_ATTACK and TOXICITY, ROC-AUC and the share of attacks and of
controls at or above 0.5, read alone, in context, and as the larger of the two. The controls
matter as much as the attacks: a model that scores identity words themselves will score kind
replies higher in context too, and that is a false alarm, not a gain.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from civility.attributes import attribute_index
from civility.moderation.decide import in_context, needs_context
from civility.scoring import load_scorer

CASES = Path(__file__).with_name("context_cases.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="fast", help="scorer tier")
    parser.add_argument("--model", type=Path, help="model artifact directory")
    args = parser.parse_args()
    scorer = load_scorer(args.tier, args.model)
    cases = [json.loads(line) for line in CASES.open(encoding="utf-8")]
    labels = np.array([c["identity_attack"] for c in cases])
    read_in_context = sum(needs_context(c["reply"]) for c in cases)
    alone = scorer.predict_proba([c["reply"] for c in cases])
    together = scorer.predict_proba([in_context(c["parent"], c["reply"]) for c in cases])
    print(f"model {scorer.version}: {labels.sum()} attacks, {(1 - labels).sum()} controls")
    print(f"replies the service reads in context: {read_in_context} of {len(cases)}")
    print(f"{'attribute':<16}{'reading':<10}{'ROC-AUC':>8}{'attacks>=.5':>13}{'controls>=.5':>14}")
    for name in ("IDENTITY_ATTACK", "TOXICITY"):
        column = attribute_index(name)
        for reading, scores in (
            ("alone", alone[:, column]),
            ("context", together[:, column]),
            ("max", np.maximum(alone[:, column], together[:, column])),
        ):
            flagged = scores >= 0.5
            print(
                f"{name:<16}{reading:<10}{roc_auc_score(labels, scores):>8.3f}"
                f"{flagged[labels == 1].mean():>13.2f}{flagged[labels == 0].mean():>14.2f}"
            )


if __name__ == "__main__":
    main()
