"""``civility train`` and ``train-accurate`` with no options rebuild the shipped recipes."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest

import civility.data
import civility.training.fast
from civility.cli import main
from civility.scoring import default_model_path
from civility.training.fast import TrainingConfig


class _Captured(Exception):
    """Stops the command once it has built its configuration: the test needs no data."""


def _recipe_of(monkeypatch: pytest.MonkeyPatch, command: str, module: Any, fitter: str) -> Any:
    """The configuration ``civility COMMAND`` builds with no options, caught at ``fitter``."""
    captured: list[Any] = []

    def capture(corpus: Any, config: Any, *args: Any, **kwargs: Any) -> None:
        captured.append(config)
        raise _Captured

    monkeypatch.setattr(civility.data, "load_corpus", lambda *args, **kwargs: None)
    monkeypatch.setattr(module, fitter, capture)
    with pytest.raises(_Captured):
        main([command])
    return captured[0]


def _recorded(tier: str) -> dict[str, Any]:
    manifest = json.loads((default_model_path(tier) / "manifest.json").read_text("utf-8"))
    return manifest["training"]["config"]  # type: ignore[no-any-return]


def test_train_without_options_uses_the_recipe_the_shipped_model_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _recipe_of(monkeypatch, "train", civility.training.fast, "train_fast")
    recorded = _recorded("fast")
    # Read as the protocol reads it: an option added since the model was trained takes its
    # default, which must then be what the model was trained without.
    assert set(recorded) <= set(asdict(config))
    assert TrainingConfig(**recorded) == config


def test_train_accurate_without_options_uses_the_recipe_the_shipped_model_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import civility.training.accurate
    from civility.training.accurate import AccurateConfig

    config = _recipe_of(monkeypatch, "train-accurate", civility.training.accurate, "build_encoder")
    recorded = _recorded("accurate")
    assert set(recorded) <= set(asdict(config))
    assert AccurateConfig(**recorded) == config
