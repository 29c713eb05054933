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

# The issue's behaviours; reclaimed words and hostility aimed at things ("I hate this stupid
# printer"), which public functional suites count among the non-hateful cases that Perspective
# got wrong.
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
    "hostility_at_things",
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
    "hostility_at_things",
}


def test_holdout_is_a_second_suite_that_shares_no_case_with_the_first() -> None:
    holdout = load_suite("holdout")
    counts: dict[str, set[int]] = {}
    for case in holdout:
        counts.setdefault(case.behaviour, set()).add(case.label)
    assert set(counts) == HOLDOUT_BEHAVIOURS
    assert all(len(labels) == 1 for labels in counts.values())
    assert min(sum(c.behaviour == b for c in holdout) for b in HOLDOUT_BEHAVIOURS) >= 39
    assert len({_letters(c.text) for c in holdout}) == len(holdout)
    assert not {_letters(c.text) for c in holdout} & {_letters(c.text) for c in load_suite()}


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


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


# Per-behaviour accuracy the shipped models reached, rounded down (measured with `civility
# functional --tier T` on fast-0.1.0-c7be342b1c1a and on its ensemble with
# accurate-0.1.0-cdee9c6e91f0). The suites are regression checks, not targets: models are
# chosen on the out-of-domain protocol (docs/experiments.md), and a behaviour fails here only
# when it falls more than FLOOR_MARGIN below these figures, about two cases of 26 or three of
# 40: a behaviour users would notice breaking, not one case moving.
FLOORS: dict[str, dict[str, float]] = {
    "fast": {
        "counter_speech": 0.88,  # 23/26
        "hostility_at_things": 0.88,  # 23/26
        "identity_neutral": 0.96,  # 27/28
        "identity_positive": 1.00,  # 26/26
        "insult_with_profanity": 0.92,  # 24/26
        "insult_without_profanity": 0.84,  # 22/26
        "negation": 0.84,  # 22/26
        "obfuscation_dotted": 1.00,  # 25/25
        "obfuscation_doubled_letters": 1.00,  # 25/25
        "obfuscation_homoglyph": 0.96,  # 24/25
        "obfuscation_leet": 0.92,  # 23/25
        "obfuscation_masked_hash": 1.00,  # 25/25
        "obfuscation_masked_star": 1.00,  # 25/25
        "obfuscation_missing_letters": 0.96,  # 24/25
        "obfuscation_spaced": 1.00,  # 25/25
        "obfuscation_zero_width": 1.00,  # 25/25
        "profanity_not_attacking": 0.76,  # 20/26
        "reclaimed_words": 0.92,  # 24/26
        "sarcasm": 0.96,  # 25/26
        "threat": 0.88,  # 23/26
        "threat_history_or_prediction": 1.00,  # 26/26
    },
    "ensemble": {
        "counter_speech": 0.84,  # 22/26
        "hostility_at_things": 0.92,  # 24/26
        "identity_neutral": 1.00,  # 28/28
        "identity_positive": 1.00,  # 26/26
        "insult_with_profanity": 0.96,  # 25/26
        "insult_without_profanity": 0.92,  # 24/26
        "negation": 0.92,  # 24/26
        "obfuscation_dotted": 1.00,  # 25/25
        "obfuscation_doubled_letters": 1.00,  # 25/25
        "obfuscation_homoglyph": 1.00,  # 25/25
        "obfuscation_leet": 0.96,  # 24/25
        "obfuscation_masked_hash": 1.00,  # 25/25
        "obfuscation_masked_star": 1.00,  # 25/25
        "obfuscation_missing_letters": 0.96,  # 24/25
        "obfuscation_spaced": 1.00,  # 25/25
        "obfuscation_zero_width": 1.00,  # 25/25
        "profanity_not_attacking": 0.84,  # 22/26
        "reclaimed_words": 0.92,  # 24/26
        "sarcasm": 1.00,  # 26/26
        "threat": 0.80,  # 21/26
        "threat_history_or_prediction": 1.00,  # 26/26
    },
}


def _shipped(tier: str) -> bool:
    needed = ("fast",) if tier == "fast" else ("fast", "accurate", "ensemble")
    return all((default_model_path(t) / "manifest.json").is_file() for t in needed)


# The same on the holdout suite, which no template was written from (`civility functional
# --suite holdout --tier T`, same models). Its floors guard against regressions only: lifting
# them by writing templates from its failures would spend the one honest estimate we have.
HOLDOUT_FLOORS: dict[str, dict[str, float]] = {
    "fast": {
        "counter_speech": 0.87,  # 35/40
        "criticism_not_insult": 1.00,  # 40/40
        "dismissive_hostile": 0.70,  # 28/40
        "dogwhistle_free_mentions": 1.00,  # 40/40
        "hostility_at_things": 0.82,  # 33/40
        "identity_hate": 0.82,  # 33/40
        "identity_neutral": 1.00,  # 40/40
        "identity_positive": 1.00,  # 40/40
        "insult_in_civil_context": 0.57,  # 23/40
        "insult_with_profanity": 0.87,  # 34/39
        "insult_without_profanity": 0.72,  # 29/40
        "negation": 0.87,  # 34/39
        "obfuscated_hate": 0.82,  # 33/40
        "obfuscated_insult": 0.95,  # 38/40
        "profanity_not_attacking": 0.70,  # 28/40
        "reclaimed_words": 1.00,  # 40/40
        "sarcasm_benign": 1.00,  # 40/40
        "sexual_harassment": 0.50,  # 20/40
        "spam_free_civil": 1.00,  # 40/40
        "threat": 0.70,  # 28/40
        "threat_history_or_prediction": 0.95,  # 38/40
    },
    "ensemble": {
        "counter_speech": 0.82,  # 33/40
        "criticism_not_insult": 0.97,  # 39/40
        "dismissive_hostile": 0.67,  # 27/40
        "dogwhistle_free_mentions": 1.00,  # 40/40
        "hostility_at_things": 0.80,  # 32/40
        "identity_hate": 1.00,  # 40/40
        "identity_neutral": 1.00,  # 40/40
        "identity_positive": 0.97,  # 39/40
        "insult_in_civil_context": 0.87,  # 35/40
        "insult_with_profanity": 0.94,  # 37/39
        "insult_without_profanity": 0.85,  # 34/40
        "negation": 0.69,  # 27/39
        "obfuscated_hate": 0.92,  # 37/40
        "obfuscated_insult": 1.00,  # 40/40
        "profanity_not_attacking": 0.77,  # 31/40
        "reclaimed_words": 0.92,  # 37/40
        "sarcasm_benign": 1.00,  # 40/40
        "sexual_harassment": 0.40,  # 16/40
        "spam_free_civil": 1.00,  # 40/40
        "threat": 0.80,  # 32/40
        "threat_history_or_prediction": 1.00,  # 40/40
    },
}


SUITE_FLOORS = {"functional": FLOORS, "holdout": HOLDOUT_FLOORS}
FLOOR_MARGIN = 0.08


@pytest.mark.parametrize(
    ("suite", "tier", "behaviour"),
    [
        (suite, tier, b)
        for suite, by_tier in SUITE_FLOORS.items()
        for tier, floors in by_tier.items()
        for b in sorted(floors)
    ],
)
def test_shipped_model_holds_its_floor(suite: str, tier: str, behaviour: str) -> None:
    if not _shipped(tier):
        pytest.skip(f"the shipped {tier} model is not built in this checkout")
    report = _shipped_report(tier, suite)
    accuracy = report[behaviour]["accuracy"]
    floor = SUITE_FLOORS[suite][tier][behaviour] - FLOOR_MARGIN
    assert accuracy >= floor, report[behaviour]["failures"]  # type: ignore[operator]


def test_every_tier_has_a_floor_for_every_behaviour() -> None:
    assert all(set(floors) == BEHAVIOURS for floors in FLOORS.values())
    assert all(set(floors) == HOLDOUT_BEHAVIOURS for floors in HOLDOUT_FLOORS.values())


_CACHE: dict[tuple[str, str], dict[str, dict[str, object]]] = {}


def _shipped_report(tier: str, suite: str = "functional") -> dict[str, dict[str, object]]:
    if (tier, suite) not in _CACHE:
        report = run_suite(load_scorer(tier), load_suite(suite))
        _CACHE[tier, suite] = report["behaviours"]  # type: ignore[assignment]
    return _CACHE[tier, suite]
