"""The fast scorer's contract: batch shapes, spans on the offending words, artifacts."""

import json
from pathlib import Path

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import ArtifactError, InvalidParameterError
from civility.scoring import FastScorer, load_scorer


def test_one_text_or_many_have_the_same_shape(tiny_scorer: FastScorer) -> None:
    assert tiny_scorer.predict_proba(["you idiot"]).shape == (1, len(ATTRIBUTE_NAMES))
    assert tiny_scorer.predict_proba(["a", "b", "c"]).shape == (3, len(ATTRIBUTE_NAMES))
    assert tiny_scorer.predict_proba([]).shape == (0, len(ATTRIBUTE_NAMES))
    assert list(tiny_scorer.score(["you idiot"])[0]) == list(ATTRIBUTE_NAMES)


def test_a_bare_string_is_refused(tiny_scorer: FastScorer) -> None:
    with pytest.raises(InvalidParameterError, match="wrap one text in a list"):
        tiny_scorer.predict_proba("you idiot")  # type: ignore[arg-type]


def test_insults_score_above_thanks_even_disguised(tiny_scorer: FastScorer) -> None:
    insult, disguised, thanks = tiny_scorer.score(
        ["you stupid idiot", "you st00pid i.d.i.o.t", "thank you for the article"]
    )
    assert insult["INSULT"] > thanks["INSULT"] + 0.3
    assert disguised["INSULT"] > thanks["INSULT"] + 0.3


def test_spans_land_on_the_offending_words(tiny_scorer: FastScorer) -> None:
    text = "Well, you are an i d i o t and a moron, sir"
    spans = tiny_scorer.spans(text, ["INSULT"])["INSULT"]
    flagged = {text[s.begin : s.end] for s in spans}
    assert "i d i o t" in flagged and "moron" in flagged
    assert "Well" not in flagged and "sir" not in flagged


def test_save_load_round_trip(tiny_scorer: FastScorer, tmp_path: Path) -> None:
    tiny_scorer.save(tmp_path / "m", metadata={"note": "round trip"})
    loaded = FastScorer.load(tmp_path / "m")
    texts = ["you are an idiot", "lovely weather"]
    np.testing.assert_allclose(
        loaded.predict_proba(texts), tiny_scorer.predict_proba(texts), atol=2e-3
    )
    assert loaded.metadata_["note"] == "round trip"
    assert loaded.version == tiny_scorer.version


def test_corrupt_artifacts_are_refused_clearly(tiny_scorer: FastScorer, tmp_path: Path) -> None:
    path = tiny_scorer.save(tmp_path / "m")
    weights = path / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ArtifactError, match="checksum"):
        FastScorer.load(path)
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="Corrupt model manifest"):
        FastScorer.load(path)
    with pytest.raises(ArtifactError, match="No model artifact"):
        FastScorer.load(tmp_path / "nowhere")


def test_load_scorer_reads_the_configured_models_root(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))
    scorer = load_scorer("fast")
    assert scorer is load_scorer("fast")  # loaded once per process
    manifest = json.loads((tiny_model_dir / "fast" / "manifest.json").read_text())
    assert scorer.labels_ == tuple(manifest["labels"])
