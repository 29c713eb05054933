"""Civility's opt-in language models: trained on data whose terms forbid commercial use.

Installing this package puts nothing into service by itself: Civility serves its models only
when the operator switches them on (see Civility's docs/api.md). ``LANGUAGES_DIR`` holds one
artifact directory per language, each a ``FastScorer`` artifact with its manifest and card.
"""

from __future__ import annotations

from pathlib import Path

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
"""``<code>/`` per language (Perspective's codes: es, pl, hi, hi-Latn, ...)."""
