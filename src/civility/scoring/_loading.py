"""Finding and loading the model artifacts that ship inside the package."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from civility.errors import UnknownNameError
from civility.scoring._accurate import AccurateScorer
from civility.scoring._base import Scorer
from civility.scoring._ensemble import EnsembleScorer
from civility.scoring._fast import FastScorer

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
TIERS: dict[str, Callable[[str | Path], Scorer]] = {
    "fast": FastScorer.load,
    "accurate": AccurateScorer.load,
    "ensemble": EnsembleScorer.load,
}
"""How to load each scorer tier, by name; a tier's artifact lives in ``civility/models/<tier>/``."""


def default_model_path(tier: str = "fast") -> Path:
    """Where a tier's artifact is read from: ``CIVILITY_MODEL_DIR/<tier>`` or the package's."""
    if tier not in TIERS:
        raise UnknownNameError("tier", tier, TIERS)
    root = os.environ.get("CIVILITY_MODEL_DIR")
    return (Path(root) if root else MODELS_DIR) / tier


def default_languages_dir() -> Path:
    """Where the other languages' models are read from: ``CIVILITY_MODEL_DIR/languages`` or
    the package's (one ``<code>/`` directory each)."""
    root = os.environ.get("CIVILITY_MODEL_DIR")
    return (Path(root) if root else MODELS_DIR) / "languages"


@cache
def _load_cached(tier: str, path: str) -> Scorer:
    return TIERS[tier](path)


def load_scorer(tier: str = "fast", path: str | Path | None = None) -> Scorer:
    """The scorer for ``tier``, loaded once per process and shared by every caller."""
    if tier not in TIERS:
        raise UnknownNameError("tier", tier, TIERS)
    return _load_cached(tier, str(Path(path) if path else default_model_path(tier)))
