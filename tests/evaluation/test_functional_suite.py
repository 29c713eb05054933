"""The functional suite: its contents, its scoring, and the floors the shipped model must hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import InputFileError
from civility.evaluation.functional import (
    Case,
    behaviour_accuracy,
    load_suite,
    run_suite,
)
from civility.scoring import FastScorer, default_model_path, load_scorer

# The behaviours, and reclaimed words, which public functional suites count among the
# non-hateful cases that Perspective got wrong.
BEHAVIOURS = {
    "identity_neutral",
    "identity_positive",
    "negation",
    "counter_speech",
    "profanity_not_attacking",
    "insult_with_profanity",
    "insult_without_profanity",
    "threat",
    "threat_history_or_prediction",
    "sarcasm",
    "reclaimed_words",
    "obfuscation_spaced",
    "obfuscation_dotted",
    "obfuscation_leet",
    "obfuscation_masked_star",
    "obfuscation_masked_hash",
    "obfuscation_homoglyph",
    "obfuscation_zero_width",
    "obfuscation_missing_letters",
    "obfuscation_doubled_letters",
}


def test_suite_covers_every_behaviour_with_enough_cases() -> None:
    cases = load_suite()
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.behaviour] = counts.get(case.behaviour, 0) + 1
        assert case.attribute in ATTRIBUTE_NAMES
        assert case.label in (0, 1)
    assert set(counts) == BEHAVIOURS
    assert min(counts.values()) >= 25
    assert len({c.text for c in cases}) == len(cases)  # no case counted twice


HOLDOUT_BEHAVIOURS = {
    "identity_neutral",
    "identity_positive",
    "negation",
    "counter_speech",
    "profanity_not_attacking",
    "reclaimed_words",
    "sarcasm_benign",
    "threat_history_or_prediction",
    "criticism_not_insult",
    "insult_with_profanity",
    "insult_without_profanity",
    "identity_hate",
    "threat",
    "obfuscated_insult",
    "obfuscated_hate",
    "spam_free_civil",
    "dogwhistle_free_mentions",
    "insult_in_civil_context",
    "sexual_harassment",
    "dismissive_hostile",
}


def test_holdout_is_a_second_suite_that_shares_no_case_with_the_first() -> None:
    holdout = load_suite("holdout")
    counts: dict[str, set[int]] = {}
    for case in holdout:
        counts.setdefault(case.behaviour, set()).add(case.label)
    assert set(counts) == HOLDOUT_BEHAVIOURS
    assert all(len(labels) == 1 for labels in counts.values())
    assert len(holdout) == 20 * len(HOLDOUT_BEHAVIOURS) == len({c.text for c in holdout})
    assert not {c.text for c in holdout} & {c.text for c in load_suite()}


def test_each_behaviour_has_one_expected_label() -> None:
    labels: dict[str, set[int]] = {}
    for case in load_suite():
        labels.setdefault(case.behaviour, set()).add(case.label)
    assert all(len(v) == 1 for v in labels.values())
    assert labels["negation"] == {0} and labels["threat"] == {1}


def test_accuracy_counts_each_side_of_the_threshold() -> None:
    cases = [
        Case("negation", "I don't hate anyone", "TOXICITY", 0),
        Case("negation", "I do not hate them", "TOXICITY", 0),
        Case("threat", "I will hurt you", "THREAT", 1),
        Case("threat", "watch your back", "THREAT", 1),
    ]
    result = behaviour_accuracy(cases, [0.2, 0.5, 0.5, 0.49], threshold=0.5)
    assert result["negation"].accuracy == 0.5  # 0.5 is flagged: at the threshold counts
    assert result["negation"].failures == [("I do not hate them", 0.5)]
    assert result["threat"].correct == 1
    assert result["threat"].failures == [("watch your back", 0.49)]


def test_a_broken_suite_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "suite.jsonl"
    path.write_text('{"behaviour": "x", "text": "hi", "label": 0}\n{"text": "no behaviour"}\n')
    with pytest.raises(InputFileError, match="line 2"):
        load_suite(path)
    with pytest.raises(InputFileError, match="cannot read"):
        load_suite(tmp_path / "missing.jsonl")


def test_run_suite_reports_every_behaviour_and_totals(tiny_scorer: FastScorer) -> None:
    report = run_suite(tiny_scorer)
    assert set(report["behaviours"]) == BEHAVIOURS  # type: ignore[arg-type]
    totals = report["totals"]
    assert totals["non_toxic"]["cases"] + totals["toxic"]["cases"] == len(load_suite())  # type: ignore[index]


# Per-behaviour accuracy the shipped models reach, rounded down (measured with `civility
# functional --tier T` on fast-0.1.0-0755c8b8c777 and on its ensemble with
# accurate-0.1.0-6ae2e6e83667; see docs/fairness.md, fourth mitigation). A change that drops a
# behaviour below its floor is a regression users would notice. Raise floors as models
# improve; the ensemble's floor for missing letters was lowered by one case when its head was
# refitted on the fourth mitigation's templates. Threats also have a strict expected failure
# below, for the 0.90 target.
FLOORS: dict[str, dict[str, float]] = {
    "fast": {
        "identity_neutral": 0.96,  # 27/28
        "identity_positive": 1.00,  # 26/26
        "negation": 0.80,  # 21/26
        "counter_speech": 0.76,  # 20/26
        "profanity_not_attacking": 0.84,  # 22/26
        "insult_with_profanity": 0.92,  # 24/26
        "insult_without_profanity": 0.80,  # 21/26
        "threat": 0.80,  # 21/26
        "threat_history_or_prediction": 1.00,  # 26/26
        "sarcasm": 1.00,  # 26/26
        "reclaimed_words": 0.92,  # 24/26
        "obfuscation_spaced": 1.00,  # 25/25
        "obfuscation_dotted": 1.00,  # 25/25
        "obfuscation_leet": 0.92,  # 23/25
        "obfuscation_masked_star": 1.00,  # 25/25
        "obfuscation_masked_hash": 1.00,  # 25/25
        "obfuscation_homoglyph": 1.00,  # 25/25
        "obfuscation_zero_width": 1.00,  # 25/25
        "obfuscation_missing_letters": 0.96,  # 24/25
        "obfuscation_doubled_letters": 1.00,  # 25/25
    },
    "ensemble": {
        "identity_neutral": 1.00,  # 28/28
        "identity_positive": 1.00,  # 26/26
        "negation": 0.76,  # 20/26
        "counter_speech": 0.80,  # 21/26
        "profanity_not_attacking": 0.76,  # 20/26
        "insult_with_profanity": 0.92,  # 24/26
        "insult_without_profanity": 0.92,  # 24/26
        "threat": 0.84,  # 22/26
        "threat_history_or_prediction": 1.00,  # 26/26
        "sarcasm": 1.00,  # 26/26
        "reclaimed_words": 0.92,  # 24/26
        "obfuscation_spaced": 1.00,  # 25/25
        "obfuscation_dotted": 1.00,  # 25/25
        "obfuscation_leet": 0.96,  # 24/25
        "obfuscation_masked_star": 1.00,  # 25/25
        "obfuscation_masked_hash": 1.00,  # 25/25
        "obfuscation_homoglyph": 1.00,  # 25/25
        "obfuscation_zero_width": 1.00,  # 25/25
        "obfuscation_missing_letters": 0.96,  # 24/25
        "obfuscation_doubled_letters": 1.00,  # 25/25
    },
}
TARGET = 0.90
"""The issue's goal for every behaviour."""


def _shipped(tier: str) -> bool:
    needed = ("fast",) if tier == "fast" else ("fast", "accurate", "ensemble")
    return all((default_model_path(t) / "manifest.json").is_file() for t in needed)


@pytest.mark.parametrize(
    ("tier", "behaviour"), [(tier, b) for tier, floors in FLOORS.items() for b in sorted(floors)]
)
def test_shipped_model_holds_its_floor(tier: str, behaviour: str) -> None:
    if not _shipped(tier):
        pytest.skip(f"the shipped {tier} model is not built in this checkout")
    report = _shipped_report(tier)
    accuracy = report[behaviour]["accuracy"]
    assert accuracy >= FLOORS[tier][behaviour], report[behaviour]["failures"]  # type: ignore[operator]


@pytest.mark.parametrize("tier", sorted(FLOORS))
@pytest.mark.xfail(strict=True, reason="known failure: fewer than 90% of threats reach THREAT 0.5")
def test_shipped_model_flags_threats(tier: str) -> None:
    """Strict: when a model starts flagging threats this passes, and the floor must be raised."""
    if not _shipped(tier):
        pytest.xfail(f"the shipped {tier} model is not built in this checkout")
    assert _shipped_report(tier)["threat"]["accuracy"] >= TARGET  # type: ignore[operator]


def test_every_tier_has_a_floor_for_every_behaviour() -> None:
    assert all(set(floors) == BEHAVIOURS for floors in FLOORS.values())


_CACHE: dict[str, dict[str, dict[str, object]]] = {}


def _shipped_report(tier: str) -> dict[str, dict[str, object]]:
    if tier not in _CACHE:
        _CACHE[tier] = run_suite(load_scorer(tier))["behaviours"]  # type: ignore[assignment]
    return _CACHE[tier]
