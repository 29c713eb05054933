"""Scoring and deciding a batch of comments: one model call per batch, then the policy per comment.

This is the one path from text to decision, shared by live ingestion, archive import and
``civility policy test``; they differ only in where the history comes from and where the
decisions go.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from civility.moderation.archive import ArchiveComment
from civility.moderation.history import History
from civility.moderation.policy import Policy
from civility.scoring import Scorer

Calibrate = Callable[[np.ndarray], np.ndarray]
"""Maps the model's (n, n_labels) probabilities to a community's calibrated ones."""


class ContextScorer(Protocol):
    """A scorer that can read a comment with its article and parent (none ships yet)."""

    def predict_proba_in_context(
        self, texts: Sequence[str], parents: Sequence[str | None], articles: Sequence[str | None]
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class Decision:
    """A policy's decision on one comment, with everything needed to explain it later."""

    action: str
    rule: str | None
    reason: str
    scores: dict[str, float]
    """Raw model scores, as stored with the model version."""
    decided_on: dict[str, float]
    """The scores the policy saw (calibrated for the community when a calibration applies)."""
    model_version: str
    alert: bool
    """True when this comment tipped its thread into a toxicity alert."""


def score_batch(
    scorer: Scorer,
    comments: Sequence[ArchiveComment],
    parents: Sequence[str | None] | None = None,
    articles: Sequence[str | None] | None = None,
) -> np.ndarray:
    """One model call for the whole batch; context goes along when the scorer can use it."""
    texts = [c.text for c in comments]
    if parents is not None and hasattr(scorer, "predict_proba_in_context"):
        return np.asarray(
            scorer.predict_proba_in_context(texts, parents, articles or [None] * len(texts))
        )
    return np.asarray(scorer.predict_proba(texts))


def decide_batch(
    comments: Sequence[ArchiveComment],
    policy: Policy,
    scorer: Scorer,
    history: History,
    calibrate: Calibrate | None = None,
    probabilities: np.ndarray | None = None,
    now: datetime | None = None,
) -> list[Decision]:
    """Decide ``comments`` in order, each one seeing the history left by those before it."""
    if not comments:
        return []
    raw = probabilities if probabilities is not None else score_batch(scorer, comments)
    seen = calibrate(raw) if calibrate is not None else raw
    labels = scorer.labels_
    toxicity_column = labels.index("TOXICITY") if "TOXICITY" in labels else 0
    version = scorer.version
    fallback = now or datetime.now(UTC)
    decisions = []
    for comment, raw_row, seen_row in zip(comments, raw.tolist(), seen.tolist(), strict=True):
        scores = {label: round(value, 4) for label, value in zip(labels, raw_row, strict=True)}
        decided_on = {label: round(value, 4) for label, value in zip(labels, seen_row, strict=True)}
        when = comment.created_at or fallback
        facts = history.facts(
            decided_on, comment.text, comment.author, comment.article_id, comment.parent_id, when
        )
        verdict = policy.decide(facts)
        alert = history.record(
            comment.comment_id,
            comment.author,
            comment.article_id,
            seen_row[toxicity_column],
            verdict.action,
            when,
        )
        decisions.append(
            Decision(
                verdict.action, verdict.rule, verdict.reason, scores, decided_on, version, alert
            )
        )
    return decisions
