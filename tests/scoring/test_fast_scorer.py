"""The fast tier's own behaviour: disguised insults, spans on the offending words, artifacts.

The contract every tier keeps (batches, round trip, parameters) is tests/scoring/test_common.py.
"""

import json
from pathlib import Path

import pytest

from civility.errors import ArtifactError
from civility.scoring import FastScorer, load_scorer


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
