"""Offending words as text segments, so templates can mark them without ever trusting the text.

Comment text is hostile input. Rather than inserting ``<mark>`` tags into it (and then having to
mark the result safe), the text is cut into plain segments, each with the highest span score
covering it and the attributes involved; the template escapes every segment as it prints it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from civility.scoring import Span


@dataclass(frozen=True)
class Segment:
    text: str
    score: float = 0.0
    """Highest span score covering the segment; 0 for text no span covers."""
    attributes: tuple[str, ...] = ()

    @property
    def level(self) -> int:
        """1 to 3 by score, for the CSS class; 0 when not highlighted."""
        if not self.attributes:
            return 0
        return 3 if self.score >= 0.9 else 2 if self.score >= 0.7 else 1


def segments(text: str, spans: Mapping[str, Sequence[Span]]) -> list[Segment]:
    """Cut ``text`` at every span boundary; joining the segments' text gives ``text`` back.

    Spans of several attributes may overlap; each piece carries every attribute covering it.
    Spans outside the text are clipped, empty ones ignored.
    """
    cuts = {0, len(text)}
    flat: list[tuple[int, int, float, str]] = []
    for attribute, found in spans.items():
        for span in found:
            begin, end = max(0, span.begin), min(len(text), span.end)
            if begin < end:
                flat.append((begin, end, span.score, attribute))
                cuts.update((begin, end))
    bounds = sorted(cuts)
    pieces: list[Segment] = []
    for begin, end in itertools.pairwise(bounds):
        covering = [(s, a) for b, e, s, a in flat if b <= begin and end <= e]
        score = max((s for s, _ in covering), default=0.0)
        attributes = tuple(sorted({a for _, a in covering}))
        if pieces and pieces[-1].attributes == attributes and pieces[-1].score == score:
            previous = pieces.pop()
            pieces.append(Segment(previous.text + text[begin:end], score, attributes))
        else:
            pieces.append(Segment(text[begin:end], score, attributes))
    return pieces
