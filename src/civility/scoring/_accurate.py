"""The accurate tier: a pretrained sentence encoder (int8 ONNX) and a multi-attribute head.

Word n-grams only know the words they were trained on; the encoder knows what millions of
sentences taught it, so it recognises an insult it has never seen spelled that way and a hateful
statement made without a single slur. The head is a one-hidden-layer network (``MaskedMLP``)
on standardised embeddings, trained on the fast tier's masked, soft-label loss; with
``hidden_units=0`` it is the fast tier's logistic regression instead. Serving needs onnxruntime,
tokenizers and NumPy only.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from civility import __version__
from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import (
    ArtifactError,
    BatchDependentScoresWarning,
    InvalidParameterError,
    NotFittedError,
)
from civility.scoring._common import MANIFEST, ScorerBase, read_manifest, training_fingerprint
from civility.scoring._encoder import (
    ENCODER_FILE,
    TOKENIZER_FILE,
    OnnxEncoder,
    serialized_has_dynamic_ranges,
)
from civility.scoring._masked_lr import MaskedLogisticRegression
from civility.scoring._masked_mlp import MaskedMLP
from civility.text.normalize import normalizer_record

HEAD = "head.npz"
FORMAT = "civility.AccurateScorer.v1"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class AccurateScorer(ScorerBase):
    """Frozen sentence encoder + a masked, soft-label head over its embeddings.

    Parameters
    ----------
    encoder_dir : path or None
        Directory with ``encoder.onnx`` and ``tokenizer.json``; set by ``load``. Needed to
        score texts, not to fit on precomputed embeddings.
    hidden_units : int
        Width of the head's hidden layer (see ``MaskedMLP``); 0 fits a linear head instead.
    epochs : int
        Passes of the hidden-layer head over the training texts.
    dropout : float
        Dropout of the hidden-layer head.
    seed : int
        Initial weights, dropout and batch order of the hidden-layer head.
    alpha : float
        L2 penalty of the linear head, relative to the mean loss.
    class_balance : float
        How much rare attributes are up-weighted (see ``MaskedLogisticRegression``).
    max_iter : int
        L-BFGS iterations of the linear head.
    invariance : float
        Weight of the hidden-layer head's penalty on pairs of texts that should score alike
        (see ``MaskedMLP`` and ``fit``'s ``pairs``).
    max_length : int
        Tokens the encoder reads per text.
    batch_size : int
        Texts per encoder call.

    Examples
    --------
    >>> scorer = AccurateScorer.load("src/civility/models/accurate")  # doctest: +SKIP
    >>> scorer.score(["you can f off, tosser"])[0]["INSULT"]  # doctest: +SKIP
    0.91
    """

    def __init__(
        self,
        encoder_dir: str | Path | None = None,
        hidden_units: int = 512,
        epochs: int = 20,
        dropout: float = 0.2,
        seed: int = 0,
        alpha: float = 1e-4,
        class_balance: float = 0.5,
        max_iter: int = 500,
        invariance: float = 0.0,
        max_length: int = 128,
        batch_size: int = 32,
    ) -> None:
        self.encoder_dir = encoder_dir
        self.hidden_units = hidden_units
        self.epochs = epochs
        self.dropout = dropout
        self.seed = seed
        self.alpha = alpha
        self.class_balance = class_balance
        self.max_iter = max_iter
        self.invariance = invariance
        self.max_length = max_length
        self.batch_size = batch_size

    # -- encoder -----------------------------------------------------------------------------

    @property
    def encoder_(self) -> OnnxEncoder:
        """The ONNX encoder, opened on first use: fitting on cached embeddings never needs it."""
        encoder = self.__dict__.get("_encoder")
        if encoder is None:
            if self.encoder_dir is None:
                raise InvalidParameterError(
                    "AccurateScorer needs 'encoder_dir' to embed texts. Got None instead."
                )
            encoder = OnnxEncoder(self.encoder_dir, self.max_length, self.batch_size)
            self.__dict__["_encoder"] = encoder
        return encoder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder_.embed(texts)

    # -- estimator -------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str] | None,
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        labels: Sequence[str] = ATTRIBUTE_NAMES,
        embeddings: np.ndarray | None = None,
        verbose: bool = False,
        pairs: np.ndarray | None = None,
    ) -> AccurateScorer:
        """Fit the head on ``Y`` (n, len(labels)), NaN = no label.

        Pass ``embeddings`` (from ``embed``, possibly cached) to skip the encoder, which is
        where most of the training time goes; the texts, when given too, are what the manifest's
        ``training_data_sha256`` is taken of. ``verbose`` shows the head's fitting progress.
        ``pairs`` (m, 2) are rows that should score alike, held together with weight
        ``invariance`` by the hidden-layer head.
        """
        if embeddings is None:
            if texts is None:
                raise InvalidParameterError("fit needs texts or embeddings. Got neither.")
            embeddings = self.embed(texts)
        E = np.asarray(embeddings, dtype=np.float32)
        Y = np.asarray(Y, dtype=np.float64)
        if Y.shape != (len(E), len(labels)):
            raise InvalidParameterError(
                f"Y must have shape ({len(E)}, {len(labels)}). Got {Y.shape} instead."
            )
        self.mean_ = E.mean(axis=0)
        self.scale_ = E.std(axis=0) + 1e-6
        Z = (E - self.mean_) / self.scale_
        if self.hidden_units:
            self.model_: MaskedMLP | MaskedLogisticRegression = MaskedMLP(
                hidden_units=self.hidden_units,
                epochs=self.epochs,
                dropout=self.dropout,
                class_balance=self.class_balance,
                seed=self.seed,
                invariance=self.invariance,
                verbose=verbose,
            ).fit(Z, Y, sample_weight, pairs)
        elif self.invariance:
            raise InvalidParameterError(
                "invariance needs the hidden-layer head (hidden_units >= 1). Got "
                "hidden_units=0 instead."
            )
        else:
            self.model_ = MaskedLogisticRegression(
                alpha=self.alpha,
                max_iter=self.max_iter,
                class_balance=self.class_balance,
                verbose=verbose,
            ).fit(Z, Y, sample_weight)
        self.labels_ = tuple(labels)
        self.span_thresholds_ = dict.fromkeys(self.labels_, 0.5)
        # The encoder reads every text through the English normaliser (see OnnxEncoder).
        self.metadata_: dict[str, Any] = {"normalizer": normalizer_record("english")}
        if texts is not None:
            self.metadata_["training_data_sha256"] = training_fingerprint(texts, Y)
        return self

    def predict_proba_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NotFittedError(type(self).__name__)
        Z = (np.asarray(embeddings, dtype=np.float32) - self.mean_) / self.scale_
        return np.asarray(self.model_.predict_proba(Z), dtype=np.float32)

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.predict_proba_embeddings(self.embed(texts))

    @property
    def version(self) -> str:
        digest = getattr(self, "content_hash_", "unsaved")[:12]
        return f"accurate-{self.metadata_.get('model_version', __version__)}-{digest}"

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> Path:
        """Write the artifact directory: encoder, tokenizer, head, and a manifest of them all."""
        if not hasattr(self, "model_"):
            raise NotFittedError(type(self).__name__)
        if self.encoder_dir is None:
            raise InvalidParameterError(
                "AccurateScorer needs 'encoder_dir' to save a complete artifact. Got None instead."
            )
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        source = Path(self.encoder_dir)
        for name in (ENCODER_FILE, TOKENIZER_FILE):
            if source.resolve() != directory.resolve():
                shutil.copyfile(source / name, directory / name)
        arrays = {
            "mean": self.mean_,
            "scale": self.scale_,
            "coef": self.model_.coef_,
            "intercept": self.model_.intercept_,
        }
        if isinstance(self.model_, MaskedMLP):
            arrays["hidden_coef"] = self.model_.hidden_coef_
            arrays["hidden_intercept"] = self.model_.hidden_intercept_
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        payload = buffer.getvalue()
        tmp = directory / (HEAD + ".tmp")
        tmp.write_bytes(payload)
        tmp.replace(directory / HEAD)
        files = {name: _sha256(directory / name) for name in (ENCODER_FILE, TOKENIZER_FILE, HEAD)}
        self.content_hash_ = hashlib.sha256("".join(files.values()).encode()).hexdigest()
        self.metadata_ = {**self.metadata_, **(metadata or {})}
        manifest = {
            "format": FORMAT,
            "civility_version": __version__,
            "labels": list(self.labels_),
            # The encoder is read from the artifact's own directory, wherever it is copied to.
            "params": {k: v for k, v in self.get_params().items() if k != "encoder_dir"},
            "span_thresholds": self.span_thresholds_,
            "sha256": files,
            **self.metadata_,
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return directory

    @classmethod
    def load(cls, path: str | Path) -> AccurateScorer:
        directory = Path(path)
        manifest = read_manifest(directory, FORMAT)
        files: dict[str, str] = manifest.get("sha256", {})
        contents: dict[str, bytes] = {}
        for name in (ENCODER_FILE, TOKENIZER_FILE, HEAD):
            if not (directory / name).is_file():
                raise ArtifactError(f"No model artifact at {directory}: {name} is missing.")
            contents[name] = (directory / name).read_bytes()
            if hashlib.sha256(contents[name]).hexdigest() != files.get(name):
                raise ArtifactError(
                    f"Corrupt model artifact in {directory}: {name} does not match its checksum."
                )
        if serialized_has_dynamic_ranges(contents[ENCODER_FILE]):
            warnings.warn(
                BatchDependentScoresWarning(
                    f"{directory}: its encoder picks int8 activation ranges per call, so a "
                    "comment's scores depend on the comments scored with it. Rebuild it, "
                    "keeping its encoder weights, "
                    f"with: civility train-accurate --encoder-from {directory}"
                ),
                stacklevel=2,
            )
        arrays = np.load(io.BytesIO(contents[HEAD]))
        # Models saved before the hidden layer existed have a linear head and no hidden_units.
        scorer = cls(**{"hidden_units": 0, **manifest["params"], "encoder_dir": directory})
        scorer.mean_ = arrays["mean"].astype(np.float32)
        scorer.scale_ = arrays["scale"].astype(np.float32)
        if "hidden_coef" in arrays:
            scorer.model_ = MaskedMLP(hidden_units=scorer.hidden_units)
            scorer.model_.hidden_coef_ = arrays["hidden_coef"].astype(np.float32)
            scorer.model_.hidden_intercept_ = arrays["hidden_intercept"].astype(np.float32)
        else:
            scorer.model_ = MaskedLogisticRegression()
        scorer.model_.coef_ = arrays["coef"].astype(np.float32)
        scorer.model_.intercept_ = arrays["intercept"].astype(np.float32)
        scorer.labels_ = tuple(manifest["labels"])
        scorer.span_thresholds_ = dict(manifest.get("span_thresholds", {}))
        scorer.content_hash_ = hashlib.sha256(
            "".join(files[n] for n in (ENCODER_FILE, TOKENIZER_FILE, HEAD)).encode()
        ).hexdigest()
        known = {"format", "civility_version", "labels", "params", "span_thresholds", "sha256"}
        scorer.metadata_ = {k: v for k, v in manifest.items() if k not in known}
        return scorer
