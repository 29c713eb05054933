"""Dry runs: what a policy would have done to an archive, rule by rule, before it goes live."""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from civility.moderation.archive import ArchiveComment
from civility.moderation.decide import Calibrate, Decision, decide_batch, score_by_language
from civility.moderation.history import History
from civility.moderation.policy import ACTIONS, Policy
from civility.scoring import LanguageScorers

BATCH_SIZE = 512
RECENT_TEXTS = 50_000
"""Texts kept for replies further down the archive to be read with their parent."""
EXAMPLES_PER_RULE = 3
DEFAULT_RULE = "(default)"


@dataclass
class ReplayResult:
    """Counts per action and per rule, a few example comments per rule, and thread alerts."""

    policy: str
    total: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    rule_actions: dict[str, str] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    """(article id, comment id) of each comment that tipped its thread into an alert."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "total": self.total,
            "actions": {a: self.actions.get(a, 0) for a in ACTIONS},
            "rules": [
                {
                    "rule": rule,
                    "action": self.rule_actions[rule],
                    "count": count,
                    "examples": self.examples[rule],
                }
                for rule, count in self.rules.most_common()
            ],
            "alerts": [{"article_id": a, "comment_id": c} for a, c in self.alerts],
        }


def _batches(items: Iterable[ArchiveComment], size: int) -> Iterator[list[ArchiveComment]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def replay(
    policy: Policy,
    comments: Iterable[ArchiveComment],
    languages: LanguageScorers,
    calibrate: Calibrate | None = None,
    batch_size: int = BATCH_SIZE,
    on_decision: Callable[[ArchiveComment, Decision], None] | None = None,
    progress: Callable[[int], object] | None = None,
) -> ReplayResult:
    """Score and decide ``comments`` in file order with an in-memory history; writes nothing.

    Comments are taken in the archive's order, which for exports is the order they were posted,
    so author history and thread state evolve as they did on the site. Each comment is read
    in its own language, as ingestion reads it.
    """
    result = ReplayResult(policy.name)
    history = History()
    recent: OrderedDict[str, str] = OrderedDict()
    for batch in _batches(comments, batch_size):
        if policy.reads_context:
            recent.update((c.comment_id, c.text) for c in batch)
            while len(recent) > RECENT_TEXTS:
                recent.popitem(last=False)
        scored = score_by_language(languages, batch, recent)
        decisions = decide_batch(batch, policy, scored, history, calibrate)
        for comment, decision in zip(batch, decisions, strict=True):
            rule = decision.rule or DEFAULT_RULE
            result.total += 1
            result.actions[decision.action] += 1
            result.rules[rule] += 1
            result.rule_actions[rule] = decision.action
            examples = result.examples.setdefault(rule, [])
            if len(examples) < EXAMPLES_PER_RULE:
                examples.append(comment.text[:160])
            if decision.alert:
                result.alerts.append((comment.article_id, comment.comment_id))
            if on_decision is not None:
                on_decision(comment, decision)
        if progress is not None:
            progress(len(batch))
    return result
