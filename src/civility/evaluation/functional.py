"""The functional test suite: does the model get the cases people complain about right?

Aggregate AUCs hide the failures that make a moderation tool untrustworthy: an identity mention
flagged as abuse, "I don't hate X" read as hate, a history comment read as a threat, "f u c k
off" let through. ``functional_suite.jsonl`` holds our own hand-written cases, grouped by
behaviour, each with the attribute it is about and the label a moderator would give. The
report is accuracy per behaviour at the default threshold, because a behaviour that fails is
a failure users see, however good the average looks.

``functional_holdout.jsonl`` is a second suite of about 40 cases per behaviour, written by two
other authors (half each, neither seeing the other's) who saw neither the first suite nor the
training templates (``civility.data.behaviours``), with behaviours the first one lacks (insults
inside civil comments, hostile dismissals, sexual harassment, civil criticism). The templates
were written after reading the first suite's failures, so that suite flatters the models; the
holdout is the honest estimate of how they do on cases nobody tuned for. Its failures are
never read to write templates: that would spend it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from civility.attributes import get_attribute
from civility.errors import InputFileError
from civility.scoring import Scorer

DEFAULT_THRESHOLD = 0.5
"""Score at or above which a case counts as flagged, as in Perspective's documented default."""
SUITES = {"functional": "functional_suite.jsonl", "holdout": "functional_holdout.jsonl"}
"""The shipped suites by name; ``functional`` is the default."""


@dataclass(frozen=True)
class Case:
    """One hand-written comment, the attribute it tests and the label a moderator would give."""

    behaviour: str
    text: str
    attribute: str
    label: int


def load_suite(suite: str | Path = "functional") -> list[Case]:
    """A shipped suite by name (``SUITES``), or a file in the same format (``behaviour, text,
    attribute, label``)."""
    if str(suite) in SUITES:
        source = SUITES[str(suite)]
        raw = resources.files("civility.evaluation").joinpath(source).read_text("utf-8")
    else:
        try:
            raw = Path(suite).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{suite}: cannot read the functional suite ({exc}).") from None
        source = str(suite)
    cases = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            cases.append(
                Case(
                    behaviour=str(record["behaviour"]),
                    text=str(record["text"]),
                    attribute=get_attribute(record.get("attribute", "TOXICITY")).name,
                    label=int(record["label"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputFileError(
                f"{source}, line {number}: not a functional case ({exc})."
            ) from None
    return cases


@dataclass
class BehaviourResult:
    """How the model did on one behaviour; ``failures`` are (text, score) for review."""

    behaviour: str
    attribute: str
    expected: int
    cases: int = 0
    correct: int = 0
    failures: list[tuple[str, float]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.cases if self.cases else math.nan

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "accuracy": self.accuracy}


def behaviour_accuracy(
    cases: Sequence[Case],
    scores: Sequence[float] | np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, BehaviourResult]:
    """Per behaviour, in suite order: how many cases land on the expected side of ``threshold``.

    ``scores[i]`` is case i's score on its own attribute.
    """
    report: dict[str, BehaviourResult] = {}
    for case, score in zip(cases, np.asarray(scores, dtype=np.float64), strict=True):
        row = report.setdefault(
            case.behaviour, BehaviourResult(case.behaviour, case.attribute, case.label)
        )
        row.cases += 1
        if (score >= threshold) == bool(case.label):
            row.correct += 1
        else:
            row.failures.append((case.text, round(float(score), 4)))
    return report


def case_scores(scorer: Scorer, cases: Sequence[Case]) -> np.ndarray:
    """Each case's score on the attribute it tests."""
    probs = scorer.predict_proba([case.text for case in cases])
    columns = [scorer.labels_.index(case.attribute) for case in cases]
    return probs[np.arange(len(cases)), columns]


def run_suite(
    scorer: Scorer,
    cases: Sequence[Case] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, object]:
    """Score the suite; per-behaviour accuracy plus the non-toxic and toxic case totals."""
    chosen = list(cases) if cases is not None else load_suite()
    scores = case_scores(scorer, chosen)
    behaviours = behaviour_accuracy(chosen, scores, threshold)
    totals = {}
    for label, name in ((0, "non_toxic"), (1, "toxic")):
        n = sum(r.cases for r in behaviours.values() if r.expected == label)
        correct = sum(r.correct for r in behaviours.values() if r.expected == label)
        totals[name] = {"cases": n, "correct": correct, "accuracy": correct / n if n else None}
    return {
        "model": scorer.version,
        "threshold": threshold,
        "behaviours": {name: row.as_dict() for name, row in behaviours.items()},
        "totals": totals,
    }
