"""Scoring: texts in, one probability per attribute out, plus the spans that drove them.

``load_scorer()`` returns the model shipped with the package; everything else in Civility talks
to the ``Scorer`` interface, so tiers are interchangeable.
"""

from civility.scoring._accurate import AccurateScorer
from civility.scoring._base import MAX_TEXT_BYTES, Scorer, Span, check_text
from civility.scoring._ensemble import EnsembleScorer
from civility.scoring._fast import FastScorer
from civility.scoring._loading import TIERS, default_model_path, load_scorer

__all__ = [
    "MAX_TEXT_BYTES",
    "TIERS",
    "AccurateScorer",
    "EnsembleScorer",
    "FastScorer",
    "Scorer",
    "Span",
    "check_text",
    "default_model_path",
    "load_scorer",
]
