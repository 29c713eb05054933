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


def test_train_without_options_uses_the_recipe_the_shipped_model_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured: list[TrainingConfig] = []

    def capture(corpus: Any, config: TrainingConfig, **kwargs: Any) -> None:
        captured.append(config)
        raise _Captured

    monkeypatch.setattr(civility.data, "load_corpus", lambda *args, **kwargs: None)
    monkeypatch.setattr(civility.training.fast, "train_fast", capture)
    with pytest.raises(_Captured):
        main(["train"])
    manifest = json.loads((default_model_path("fast") / "manifest.json").read_text("utf-8"))
    recorded = manifest["training"]["config"]
    # Read as the protocol reads it: an option added since the model was trained takes its
    # default, which must then be what the model was trained without.
    assert set(recorded) <= set(asdict(captured[0]))
    assert TrainingConfig(**recorded) == captured[0]


def test_train_accurate_without_options_uses_the_recipe_the_shipped_model_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import civility.training.accurate
    from civility.training.accurate import AccurateConfig

    captured: list[AccurateConfig] = []

    def capture(corpus: Any, config: AccurateConfig, *args: Any, **kwargs: Any) -> None:
        captured.append(config)
        raise _Captured

    monkeypatch.setattr(civility.data, "load_corpus", lambda *args, **kwargs: None)
    monkeypatch.setattr(civility.training.accurate, "build_encoder", capture)
    with pytest.raises(_Captured):
        main(["train-accurate"])
    path = default_model_path("accurate") / "manifest.json"
    recorded = json.loads(path.read_text("utf-8"))["training"]["config"]
    assert set(recorded) <= set(asdict(captured[0]))
    assert AccurateConfig(**recorded) == captured[0]
