"""Scoring: texts in, one probability per attribute out, plus the spans that drove them.

``load_scorer()`` returns the model shipped with the package; everything else in Civility talks
to the ``Scorer`` interface, so tiers are interchangeable.
"""

from civility.scoring._accurate import AccurateScorer
from civility.scoring._base import MAX_TEXT_BYTES, Scorer, Span, check_text
from civility.scoring._ensemble import EnsembleScorer
from civility.scoring._fast import FastScorer
from civility.scoring._languages import (
    UNDETERMINED,
    Choice,
    LanguageScorers,
    choose_language,
    language_of,
    language_table,
    load_languages,
)
from civility.scoring._loading import TIERS, default_languages_dir, default_model_path, load_scorer

__all__ = [
    "MAX_TEXT_BYTES",
    "TIERS",
    "UNDETERMINED",
    "AccurateScorer",
    "Choice",
    "EnsembleScorer",
    "FastScorer",
    "LanguageScorers",
    "Scorer",
    "Span",
    "check_text",
    "choose_language",
    "default_languages_dir",
    "default_model_path",
    "language_of",
    "language_table",
    "load_languages",
    "load_scorer",
]
