"""Highlighting cuts the text without changing it, whatever the spans."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civility.scoring import Span
from civility.web.highlight import segments


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, dict[str, list[Span]]]:
    text = draw(st.text(max_size=60))
    bound = st.integers(-3, len(text) + 3)
    spans = draw(
        st.dictionaries(
            st.sampled_from(["TOXICITY", "INSULT", "THREAT"]),
            st.lists(st.builds(Span, bound, bound, st.floats(0, 1)), max_size=4),
            max_size=3,
        )
    )
    return text, spans


@given(text_and_spans())
def test_segments_join_back_to_the_text(case: tuple[str, dict[str, list[Span]]]) -> None:
    text, spans = case
    assert "".join(s.text for s in segments(text, spans)) == text


@given(text_and_spans())
def test_highlighted_characters_are_exactly_those_inside_spans(
    case: tuple[str, dict[str, list[Span]]],
) -> None:
    text, spans = case
    covered = {i for found in spans.values() for s in found for i in range(max(0, s.begin), s.end)}
    position = 0
    for segment in segments(text, spans):
        for offset in range(len(segment.text)):
            assert (position + offset in covered) == bool(segment.attributes)
        position += len(segment.text)


def test_overlapping_spans_name_every_attribute_and_keep_the_highest_score() -> None:
    text = "you absolute idiot"
    spans = {"TOXICITY": [Span(4, 18, 0.6)], "INSULT": [Span(13, 18, 0.95)]}
    cut = segments(text, spans)
    assert [s.text for s in cut] == ["you ", "absolute ", "idiot"]
    assert cut[2].attributes == ("INSULT", "TOXICITY") and cut[2].score == 0.95
    assert [s.level for s in cut] == [0, 1, 3]
