"""Replies read with their parent: "They are vermin" under "What do you think of immigrants?".

The scorer here is a stand-in that only knows two words, so what is tested is the plumbing a
real model would go through: which replies are re-read, that it costs no extra model call, that
the reply's own scores still stand, and that policies and the audit trail see the context.
How much a trained model gains from it is measured by ``bench/context.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES, attribute_index
from civility.moderation.archive import ArchiveComment
from civility.moderation.decide import needs_context
from civility.moderation.ingest import IngestOptions, ingest
from civility.moderation.policy import parse_policy
from civility.moderation.queue import comment_record
from civility.moderation.replay import replay
from civility.scoring import Span
from civility.store import Community, Store
from tests.conftest import english_only

POLICY = """
name = "context"

[[rules]]
name = "attack-in-context"
when = "is_reply and context.identity_attack >= 0.8"
action = "hold"
"""
QUESTION = "What do you think of immigrants?"


class TwoWordScorer:
    """IDENTITY_ATTACK is high only when a text names the group and the slur together."""

    labels_ = ATTRIBUTE_NAMES
    version = "two-words-1"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.full((len(texts), len(self.labels_)), 0.05)
        for row, text in enumerate(texts):
            lowered = text.lower()
            if "vermin" in lowered:
                out[row, attribute_index("TOXICITY")] = 0.3
                if "immigrants" in lowered:
                    out[row, attribute_index("IDENTITY_ATTACK")] = 0.95
        return out

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [dict(zip(self.labels_, row, strict=True)) for row in self.predict_proba(texts)]

    def spans(self, text: str, attributes: Sequence[str] | None = None) -> dict[str, list[Span]]:
        return {a: [] for a in attributes or self.labels_}


def _comment(comment_id: str, text: str, parent: str | None = None) -> ArchiveComment:
    return ArchiveComment(
        article_id="a1",
        comment_id=comment_id,
        text=text,
        parent_id=parent,
        author=comment_id,
        article_title="Migration figures",
    )


@pytest.fixture
def community(store: Store) -> Store:
    with store.writer() as session:
        session.add(Community(slug="news", name="News", policy=POLICY))
    return store


def _ingest(store: Store, scorer: TwoWordScorer, comments: list[ArchiveComment]) -> list:
    return ingest(
        store, english_only(scorer), comments, "news", options=IngestOptions(create_articles=True)
    )


def test_short_reply_is_held_for_what_it_means_under_its_parent(community: Store) -> None:
    scorer = TwoWordScorer()
    question, reply = _ingest(
        community, scorer, [_comment("q", QUESTION), _comment("r", "They are vermin", "q")]
    )
    assert question.action == "approve"
    assert (reply.action, reply.rule) == ("hold", "attack-in-context")
    # The reply's own scores are what is stored and returned: context never replaces them.
    assert reply.scores["IDENTITY_ATTACK"] == pytest.approx(0.05)
    # One model call, the context text riding along after the batch's own texts.
    assert scorer.calls == [[QUESTION, "They are vermin", f"{QUESTION}\nThey are vermin"]]
    (decision,) = comment_record(community, "news", "r")["decisions"]
    assert decision["scores"]["context.identity_attack"] == pytest.approx(0.95)
    assert decision["scores"]["IDENTITY_ATTACK"] == pytest.approx(0.05)


def test_parent_stored_by_an_earlier_batch_is_read_too(community: Store) -> None:
    scorer = TwoWordScorer()
    _ingest(community, scorer, [_comment("q", QUESTION)])
    (reply,) = _ingest(community, scorer, [_comment("r", "They are vermin", "q")])
    assert reply.action == "hold"
    assert scorer.calls[-1] == ["They are vermin", f"{QUESTION}\nThey are vermin"]


def test_replies_that_name_their_subject_are_read_alone(community: Store) -> None:
    scorer = TwoWordScorer()
    long_reply = "The new figures on net migration were revised upwards again in the spring"
    _, reply = _ingest(community, scorer, [_comment("q", QUESTION), _comment("r", long_reply, "q")])
    assert reply.action == "approve"
    assert scorer.calls == [[QUESTION, long_reply]]
    (decision,) = comment_record(community, "news", "r")["decisions"]
    assert not any(name.startswith("context.") for name in decision["scores"])


def test_without_a_context_rule_the_reply_is_decided_on_its_own_scores(store: Store) -> None:
    scorer = TwoWordScorer()
    _, reply = ingest(
        store,
        english_only(scorer),
        [_comment("q", QUESTION), _comment("r", "They are vermin", "q")],
        options=IngestOptions(create_articles=True),
    )
    assert reply.action == "approve"  # the default policy reads IDENTITY_ATTACK alone
    # A policy that never reads context.* costs no extra model time and records none.
    assert scorer.calls == [[QUESTION, "They are vermin"]]
    (decision,) = comment_record(store, "default", "r")["decisions"]
    assert not any(name.startswith("context.") for name in decision["scores"])


def test_policy_dry_run_reads_replies_in_context_too() -> None:
    comments = [
        _comment("q", QUESTION),
        _comment("x", "Unrelated top-level comment about the bridge budget."),
        _comment("r", "They are vermin", "q"),
    ]
    result = replay(parse_policy(POLICY), comments, english_only(TwoWordScorer()), batch_size=1)
    assert result.rules["attack-in-context"] == 1 and result.actions["hold"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They are vermin", True),
        ("Send them all back where they came from, every last one of them", True),
        ("I think the council should publish the full report on the bridge budget", False),
        ("Agreed.", True),
    ],
)
def test_which_replies_are_read_in_context(text: str, expected: bool) -> None:
    assert needs_context(text) is expected
