"""A long civil comment with one insult in it is held: its sentences are scored too."""

from __future__ import annotations

import pytest

from civility.moderation.archive import ArchiveComment
from civility.moderation.decide import MAX_SENTENCE_WINDOWS, sentence_windows
from civility.moderation.ingest import IngestOptions, ingest
from civility.scoring import load_scorer
from civility.store import Store
from tests.conftest import RecordingScorer, english_only

CIVIL = (
    "Thank you for this careful reporting on the council budget. I attended the meeting on "
    "Tuesday and the figures quoted here match what was presented. The road repairs on the east "
    "side have been delayed for two years now, and residents deserve a clear timetable. I hope "
    "the paper follows up after the vote next month and asks about the library hours too, "
    "which were cut again in the spring without any notice to the people who use them. "
)
INSULT = "You are a fucking idiot."


def _comment(comment_id: str, text: str) -> ArchiveComment:
    return ArchiveComment(
        article_id="a1", comment_id=comment_id, text=text, author=comment_id, article_title="Budget"
    )


def test_an_insult_after_430_characters_of_civil_text_is_held(store: Store) -> None:
    scorer = RecordingScorer(load_scorer("fast"))
    assert len(CIVIL) >= 430
    assert scorer.score([INSULT])[0]["TOXICITY"] >= 0.99
    assert scorer.score([CIVIL + INSULT])[0]["TOXICITY"] < 0.5  # the whole text hides it
    scorer.calls.clear()
    civil, hidden = ingest(
        store,
        english_only(scorer),
        [_comment("c1", CIVIL), _comment("c2", CIVIL + INSULT)],
        options=IngestOptions(create_articles=True),
    )
    assert civil.action == "approve" and civil.scores["TOXICITY"] < 0.3
    assert hidden.action in ("hold", "reject") and hidden.scores["TOXICITY"] >= 0.75
    # The sentences ride along in the batch's one model call.
    assert scorer.calls == [
        2 + len(sentence_windows(CIVIL)) + len(sentence_windows(CIVIL + INSULT))
    ]


def test_short_comments_are_scored_whole_and_long_ones_in_bounded_windows() -> None:
    assert sentence_windows("Short. Two sentences.") == []
    assert sentence_windows("x" * 300) == []  # one sentence: the whole is the sentence
    many = " ".join(f"Sentence number {i} says something calm." for i in range(100))
    windows = sentence_windows(many)
    assert len(windows) <= MAX_SENTENCE_WINDOWS
    assert " ".join(windows) == many


@pytest.mark.parametrize("text", [CIVIL, CIVIL + INSULT])
def test_a_comment_never_scores_below_its_whole_text(store: Store, text: str) -> None:
    scorer = load_scorer("fast")
    (decision,) = ingest(
        store,
        english_only(scorer),
        [_comment("c", text)],
        options=IngestOptions(create_articles=True),
    )
    whole = scorer.score([text])[0]
    assert all(decision.scores[a] >= round(whole[a], 4) - 1e-4 for a in whole)
