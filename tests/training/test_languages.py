"""The other languages' models: trained on small slices of the shared data (never full size)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from civility.attributes import ATTRIBUTE_NAMES
from civility.cli import app
from civility.scoring import FastScorer
from civility.training.languages import (
    served_attributes,
    train_language,
    trainable_languages,
)
from tests.conftest import requires_data


def _cell(n: int, positives: int, auc: float | None) -> dict[str, object]:
    return {"n": n, "positives": positives, "roc_auc": auc}


def test_an_attribute_is_served_only_with_enough_validation_texts_and_a_useful_auc() -> None:
    cells = {a: _cell(0, 0, None) for a in ATTRIBUTE_NAMES}
    cells["TOXICITY"] = _cell(400, 120, 0.86)
    cells["INSULT"] = _cell(400, 12, 0.95)  # too few positives to trust the 0.95
    cells["IDENTITY_ATTACK"] = _cell(400, 100, 0.62)  # measured, and not worth serving
    assert served_attributes({"all": cells}) == ["TOXICITY"]


def test_the_opt_in_package_holds_only_languages_with_non_commercial_data() -> None:
    default, opt_in = trainable_languages("A"), trainable_languages("AB")
    assert {"de", "fr", "pt", "zh", "ko"} <= set(default)
    assert {"es", "pl", "hi", "hi-Latn", "tr", "id", "da", "el", "de"} <= set(opt_in)
    assert "es" not in default and "zh" not in opt_in  # no class-A Spanish, no class-B Chinese


def test_a_multilingual_scorer_keeps_its_normaliser_across_save_and_load(tmp_path: Path) -> None:
    texts = ["ты идиот", "хороший день", "ты дурак", "спасибо большое"] * 10
    Y = np.tile(np.array([[1.0], [0.0], [1.0], [0.0]]), (10, 1))
    scorer = FastScorer(min_df=1, normalization="multilingual-v1").fit(
        texts, Y, labels=["TOXICITY"]
    )
    loaded = FastScorer.load(scorer.save(tmp_path / "ru"))
    assert loaded.normalization == "multilingual-v1"
    np.testing.assert_allclose(loaded.predict_proba(texts), scorer.predict_proba(texts), atol=1e-3)
    # Cyrillic stays Cyrillic: the English normaliser would have read "идиот" as Latin letters
    assert loaded.predict_proba(["ты идиот"])[0, 0] > loaded.predict_proba(["хороший день"])[0, 0]


@requires_data
@pytest.mark.data
@pytest.mark.slow
def test_a_language_model_from_a_slice_serves_what_it_can_measure_and_is_deterministic() -> None:
    first, metadata = train_language("zh", "A", limit_per_source=2500, loso=False)
    again, _ = train_language("zh", "A", limit_per_source=2500, loso=False)
    assert first.labels_ == ATTRIBUTE_NAMES
    assert metadata["language"] == "zh" and metadata["licence_classes"] == ["A"]
    assert "TOXICITY" in metadata["served_attributes"]
    assert set(metadata["validation"]) == {"all", "zh-cold", "zh-swsr"}
    # margin: 2,500 texts a source reach about 0.8 on COLD's validation texts
    assert metadata["validation"]["zh-cold"]["TOXICITY"]["roc_auc"] > 0.7
    texts = ["你真是个白痴，滚吧", "谢谢你的分享，很有帮助"]
    np.testing.assert_array_equal(first.predict_proba(texts), again.predict_proba(texts))
    insult, thanks = first.predict_proba(texts)[:, 0]
    assert insult > thanks


@requires_data
@pytest.mark.data
@pytest.mark.slow
def test_train_languages_writes_loadable_artifacts_and_refuses_what_it_cannot_measure(
    tmp_path: Path,
) -> None:
    default, opt_in = tmp_path / "languages", tmp_path / "nc"
    args = ["train", "--languages", "da", "--languages", "ko", "--licence", "AB"]
    args += ["--limit", "2000", "--languages-dir", str(default), "--opt-in-dir", str(opt_in)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((default / "ko" / "manifest.json").read_text())
    assert manifest["params"]["normalization"] == "multilingual-v1"
    assert manifest["package"] == "civility" and manifest["served_attributes"]
    card = (default / "ko" / "MODEL_CARD.md").read_text()
    assert "Served attributes" in card and "Leave-one-source-out" in card
    assert set(manifest["leave_one_source_out"]) == {
        "ko-korean-hate-speech",
        "ko-kmhas",
        "ko-cursedetect",
    }
    FastScorer.load(default / "ko").predict_proba(["안녕하세요"])
    # Danish has no class-A data, and on 2,000 texts its class-B model ranks too poorly to serve
    assert not (default / "da").exists() and not (opt_in / "da").exists()
    assert not (opt_in / "ko").exists()  # no trainable class-B Korean data: nothing to opt into
