"""The README's figures that the shipped models carry, regenerated from what is shipped.

Rows of the README's "Figures" table whose figure comes from a shipped model's manifest or model
card (validation ROC-AUC, span F1, bias scores), or from running the shipped functional suites
on the shipped models, are rewritten here; the other rows (data-dependent evaluations, speed)
are measured by their own commands. ``tests/test_readme.py`` checks the README against the same
functions, so a model retrained without regenerating the README fails there, not in a reader's
hands.

    python scripts/readme_figures.py            # rewrite README.md's rows
    python scripts/readme_figures.py --check    # exit 1 (and show the rows) if any is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"


@cache
def manifest(tier: str) -> dict[str, Any]:
    from civility.scoring import default_model_path

    return json.loads((default_model_path(tier) / "manifest.json").read_text("utf-8"))


def _card_bias(tier: str, set_name: str) -> float:
    """The final bias score of ``set_name`` in the tier's model card (its last column)."""
    from civility.scoring import default_model_path

    card = (default_model_path(tier) / "MODEL_CARD.md").read_text("utf-8")
    row = re.search(rf"^\| {set_name} \|.*\| ([0-9.]+) \|$", card, re.MULTILINE)
    if row is None:
        raise LookupError(f"the {tier} model card has no bias row for {set_name!r}")
    return float(row.group(1))


def _auc(tier: str, key: str = "validation") -> float:
    return float(manifest(tier)["metrics"][key]["all"]["TOXICITY"]["roc_auc"])


def _span_f1(tier: str) -> float:
    return float(manifest(tier)["metrics"]["spans"]["test_f1"])


@cache
def functional_totals(tier: str, suite: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(correct, cases) of the non-toxic and of the toxic cases of ``suite`` on ``tier``."""
    from civility.evaluation.functional import load_suite, run_suite
    from civility.scoring import load_scorer

    totals: Any = run_suite(load_scorer(tier), load_suite(suite))["totals"]
    return tuple((totals[k]["correct"], totals[k]["cases"]) for k in ("non_toxic", "toxic"))  # type: ignore[return-value]


def _percent(correct: int, cases: int) -> str:
    return f"{100 * correct / cases:.1f}%"


def _functional(suite: str) -> str:
    return "; ".join(
        " / ".join(_percent(*total) for total in functional_totals(tier, suite))
        for tier in ("fast", "ensemble")
    )


def suite_cases(suite: str) -> int:
    return sum(cases for _, cases in functional_totals("fast", suite))


FIGURES: dict[str, Callable[[], str]] = {
    "TOXICITY ROC-AUC, validation split of the training sources": lambda: f"{_auc('fast'):.3f}",
    "TOXICITY ROC-AUC, validation subsample, accurate / ensemble tiers": lambda: (
        f"{_auc('accurate'):.3f} / {_auc('ensemble'):.3f} "
        f"(fast {_auc('ensemble', 'validation_fast'):.3f} on the same texts)"
    ),
    "Toxic Spans span F1": lambda: f"{_span_f1('fast'):.3f} (ensemble {_span_f1('ensemble'):.3f})",
    "bias final score on the identity templates / on real comments": lambda: (
        f"{_card_bias('fast', 'templates'):.3f} / {_card_bias('fast', 'real'):.3f} "
        f"(ensemble {_card_bias('ensemble', 'templates'):.3f} / "
        f"{_card_bias('ensemble', 'real'):.3f})"
    ),
    "functional suite (": lambda: _functional("functional"),
    "holdout functional suite (": lambda: _functional("holdout"),
}
"""The start of a Figures row's first cell -> its figure, computed from what is shipped."""

SUITE_OF_ROW = {"functional suite (": "functional", "holdout functional suite (": "holdout"}


def table_rows(text: str) -> dict[str, tuple[str, str]]:
    """Each FIGURES key -> (the README's whole row, its figure cell)."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for key in FIGURES:
            if line.startswith("|") and len(cells) >= 3 and cells[0].startswith(key):
                rows[key] = (line, cells[1])
    missing = set(FIGURES) - set(rows)
    if missing:
        raise LookupError(f"README.md's Figures table has no row for {sorted(missing)}")
    return rows


def regenerated(text: str) -> str:
    """``text`` (the README) with each figure row's figure, and suite size, as shipped."""
    for key, (line, _) in table_rows(text).items():
        cells = line.split("|")
        cells[2] = f" {FIGURES[key]()} "
        if key in SUITE_OF_ROW:
            cells[1] = re.sub(r"\(\d+ cases", f"({suite_cases(SUITE_OF_ROW[key])} cases", cells[1])
        text = text.replace(line, "|".join(cells))
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="Only say whether a row is stale.")
    args = parser.parse_args()
    text = README.read_text("utf-8")
    new = regenerated(text)
    if args.check:
        stale = [line for line in new.splitlines() if line not in text.splitlines()]
        for line in stale:
            print(f"stale; shipped: {line}")
        return 1 if stale else 0
    README.write_text(new, "utf-8")
    print("README.md figures regenerated" if new != text else "README.md figures are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
