"""Scoring and deciding a batch of comments: one model call per language in the batch, then
the policy per comment.

This is the one path from text to decision, shared by live ingestion, archive import and
``civility policy test``; they differ only in where the history comes from and where the
decisions go. Each comment is read by its own language's model, chosen as the Perspective API
chooses (``civility.scoring.LanguageScorers``); a comment in a language no model here reads is
held for a person, never scored by the English model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from civility.languages import ENGLISH, language_name
from civility.moderation.archive import ArchiveComment
from civility.moderation.history import History
from civility.moderation.policy import Policy
from civility.scoring import UNDETERMINED, LanguageScorers, Scorer, language_of

Calibrate = Callable[[np.ndarray], np.ndarray]
"""Maps the model's (n, n_labels) probabilities to a community's calibrated ones."""

CONTEXT_MAX_WORDS = 8
"""Replies shorter than this are also read together with their parent ("They are vermin")."""
CONTEXT_PRONOUN_MAX_WORDS = 30
"""Longer replies are read with their parent only when they point at someone by pronoun."""
PARENT_CONTEXT_CHARS = 1000
"""How much of the parent (its end, nearest the reply) goes with the reply."""
_POINTING = re.compile(
    r"(?i)\b(?:they|them|their|theirs|those|these|he|him|his|she|her|hers|such people)\b"
)
SENTENCES_FROM_CHARS = 200
"""Comments at least this long are also scored sentence by sentence: averaged into the whole,
one insult after 430 characters of civil text fell from 0.99 alone to 0.26 in the fast tier."""
SENTENCE_WEIGHT = 0.8
"""How far a comment's score moves toward its worst sentence's, where that one is higher."""
MAX_SENTENCE_WINDOWS = 24
"""Longer comments are cut into this many windows of consecutive sentences, not more."""
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
UNSERVED_RULE = "unserved-language"
"""The rule a comment in a language no model reads is held by, whatever the policy says."""


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
    model_version: str | None
    """None when no model read the comment (its language is not served)."""
    alert: bool
    """True when this comment tipped its thread into a toxicity alert."""


def needs_context(text: str) -> bool:
    """Whether a reply's meaning may lie in its parent: it is short, or it points by pronoun.

    A bag-of-n-grams model reads "They are vermin" without knowing who "they" are; long
    replies that name what they talk about are left alone, which keeps the extra texts few.
    """
    words = len(text.split())
    return words < CONTEXT_MAX_WORDS or (
        words <= CONTEXT_PRONOUN_MAX_WORDS and _POINTING.search(text) is not None
    )


def in_context(parent: str, reply: str) -> str:
    """The text scored for a reply read in context: the end of its parent, then the reply."""
    return f"{parent[-PARENT_CONTEXT_CHARS:]}\n{reply}"


def sentence_windows(text: str) -> list[str]:
    """The stretches of a long comment that are scored on their own: its sentences, grouped
    into at most ``MAX_SENTENCE_WINDOWS`` windows; none for a short or one-sentence comment."""
    if len(text) < SENTENCES_FROM_CHARS:
        return []
    parts = [part for part in _SENTENCE_BREAK.split(text) if part.strip()]
    if len(parts) < 2:
        return []
    size = -(-len(parts) // MAX_SENTENCE_WINDOWS)
    return [" ".join(parts[i : i + size]) for i in range(0, len(parts), size)]


def score_texts(
    scorer: Scorer, texts: Sequence[str], extra: Sequence[str] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Comments' probabilities, each raised toward its worst sentence's, and ``extra`` texts'
    as they are: one model call, the sentences riding along after the texts.

    A comment's score per attribute is ``whole + SENTENCE_WEIGHT * max(0, worst - whole)``,
    ``worst`` the highest of its sentence windows: a long civil comment keeps its own score,
    one with an insult in it scores close to the insult.
    """
    windows = [sentence_windows(text) for text in texts]
    flat = [window for group in windows for window in group]
    probabilities = np.asarray(scorer.predict_proba([*texts, *extra, *flat]))
    n, offset = len(texts), len(texts) + len(extra)
    own = probabilities[:n].copy()
    for i, group in enumerate(windows):
        if group:
            worst = probabilities[offset : offset + len(group)].max(axis=0)
            own[i] += SENTENCE_WEIGHT * np.maximum(worst - own[i], 0.0)
            offset += len(group)
    return own, probabilities[n : len(texts) + len(extra)]


def score_with_context(
    scorer: Scorer, comments: Sequence[ArchiveComment], parent_texts: Mapping[str, str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each comment's own probabilities (``score_texts``), and "parent + reply" ones for
    replies that need it.

    Still one model call per batch: the context texts ride along after the comments. The
    context rows are keyed by comment id; replies whose parent text is unknown (not stored,
    blanked by retention) have none.
    """
    pairs = [
        (c.comment_id, in_context(parent_texts[c.parent_id], c.text))
        for c in comments
        if c.parent_id and parent_texts.get(c.parent_id) and needs_context(c.text)
    ]
    own, read_in_context = score_texts(
        scorer, [c.text for c in comments], [text for _, text in pairs]
    )
    return own, {comment_id: read_in_context[i] for i, (comment_id, _) in enumerate(pairs)}


def context_fact(label: str) -> str:
    """The policy name of an attribute read in context: ``context.identity_attack``."""
    return f"context.{label.lower()}"


@dataclass(frozen=True)
class Scored:
    """A batch's probabilities, each comment read by its own language's model.

    The columns are ``labels`` (the English model's, a superset of every other language's): an
    attribute the comment's model does not serve is NaN, and so is every column of a comment
    whose language no model reads (``versions[i]`` None).
    """

    labels: tuple[str, ...]
    probabilities: np.ndarray
    context: dict[str, np.ndarray]
    """"Parent + reply" probabilities by comment id, in the same columns."""
    languages: list[str]
    versions: list[str | None]
    why_not: dict[str, str]
    """Why each unserved language in the batch is not scored, by code."""

    def take(self, indices: Sequence[int]) -> Scored:
        """The same for the comments at ``indices``, in that order."""
        return replace(
            self,
            probabilities=self.probabilities[list(indices)],
            languages=[self.languages[i] for i in indices],
            versions=[self.versions[i] for i in indices],
        )


def score_by_language(
    languages: LanguageScorers,
    comments: Sequence[ArchiveComment],
    parent_texts: Mapping[str, str],
    declared: Sequence[str] = (),
) -> Scored:
    """Each comment's language (its own ``language``, else ``declared``, unless its text clearly
    says otherwise) and its probabilities from that language's model: one ``score_with_context``
    call per language in the batch."""
    english = languages.scorer(ENGLISH)
    labels = tuple(english.labels_)
    table = languages.table
    chosen = [
        language_of(c.text, [c.language] if c.language else declared, table).language
        for c in comments
    ]
    probabilities = np.full((len(comments), len(labels)), np.nan)
    context: dict[str, np.ndarray] = {}
    versions: list[str | None] = [None] * len(comments)
    why_not: dict[str, str] = {}
    by_language: dict[str, list[int]] = {}
    for index, language in enumerate(chosen):
        by_language.setdefault(language, []).append(index)
    for language, indices in by_language.items():
        if table.model(language) is None:
            why_not[language] = table.why_not(language, "TOXICITY")
            continue
        scorer = languages.scorer(language)
        served = table.attributes(language)
        columns = [(labels.index(a), scorer.labels_.index(a)) for a in served if a in labels]
        into, out = [c for c, _ in columns], [c for _, c in columns]
        group = [comments[i] for i in indices]
        own, read_in_context = score_with_context(scorer, group, parent_texts)
        probabilities[np.ix_(indices, into)] = own[:, out]
        for comment_id, row in read_in_context.items():
            context[comment_id] = np.full(len(labels), np.nan)
            context[comment_id][into] = row[out]
        for i in indices:
            versions[i] = scorer.version
    return Scored(labels, probabilities, context, chosen, versions, why_not)


def unserved_reason(language: str, why_not: str) -> str:
    """What the audit trail says of a comment held because no model reads its language."""
    name = language_name(language)
    if language == UNDETERMINED:
        read = "Its language cannot be told (no letters to tell it by)"
    else:
        read = f"No model here reads {name} ({language})"
    held = "held for a moderator rather than scored by another language's model"
    return f"{read}: {held}. {why_not}".strip()


def decide_batch(
    comments: Sequence[ArchiveComment],
    policy: Policy,
    scored: Scored,
    history: History,
    calibrate: Calibrate | None = None,
    now: datetime | None = None,
) -> list[Decision]:
    """Decide ``comments`` in order, each one seeing the history left by those before it.

    ``scored.context`` holds "parent + reply" probabilities by comment id. They never replace a
    comment's own scores; policies read them as ``context.<attribute>`` (the comment's own score
    when it was not read in context) and the decision records them. An attribute the comment's
    language does not serve is absent from its scores (a condition on it reads 0); a comment
    no model read is held by ``UNSERVED_RULE``.
    """
    if not comments:
        return []
    labels = scored.labels
    raw = scored.probabilities
    seen = calibrate(raw) if calibrate is not None else raw
    reads_context = policy.reads_context
    context_seen: dict[str, list[float]] = {}
    if scored.context:
        keys = list(scored.context)
        rows = np.vstack([scored.context[k] for k in keys])
        rows = calibrate(rows) if calibrate is not None else rows
        context_seen = dict(zip(keys, rows.tolist(), strict=True))
    fallback = now or datetime.now(UTC)
    decisions = []
    for index, (comment, raw_row, seen_row) in enumerate(
        zip(comments, raw.tolist(), seen.tolist(), strict=True)
    ):
        version = scored.versions[index]
        scores = _named(labels, raw_row)
        decided_on = _named(labels, seen_row)
        when = comment.created_at or fallback
        if version is None:
            language = scored.languages[index]
            reason = unserved_reason(language, scored.why_not.get(language, ""))
            history.record(
                comment.comment_id, comment.author, comment.article_id, None, "hold", when
            )
            decisions.append(Decision("hold", UNSERVED_RULE, reason, {}, {}, None, False))
            continue
        facts = history.facts(
            decided_on, comment.text, comment.author, comment.article_id, comment.parent_id, when
        )
        in_context_row = context_seen.get(comment.comment_id) if comment.parent_id else None
        if in_context_row is not None:
            context_scores = {
                context_fact(label): value
                for label, value in _named(labels, in_context_row).items()
            }
            facts.update(context_scores)
            decided_on = {**decided_on, **context_scores}
        elif reads_context:
            facts.update({context_fact(label): value for label, value in decided_on.items()})
        verdict = policy.decide(facts, scored.languages[index])
        toxicity = seen_row[labels.index("TOXICITY")] if "TOXICITY" in labels else math.nan
        alert = history.record(
            comment.comment_id,
            comment.author,
            comment.article_id,
            None if math.isnan(toxicity) else toxicity,
            verdict.action,
            when,
        )
        decisions.append(
            Decision(
                verdict.action, verdict.rule, verdict.reason, scores, decided_on, version, alert
            )
        )
    return decisions


def _named(labels: Sequence[str], row: Sequence[float]) -> dict[str, float]:
    """The attributes of ``row`` that were scored, rounded as they are stored."""
    return {
        label: round(value, 4)
        for label, value in zip(labels, row, strict=True)
        if not math.isnan(value)
    }
