"""The fast tier: n-gram TF-IDF features and a masked multi-attribute logistic regression.

Scores thousands of comments a second on one CPU core, loads in well under a second and
fits in a few megabytes, which is what lets Civility be the default on any machine.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from civility import __version__
from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import ArtifactError, InvalidParameterError, NotFittedError
from civility.scoring._common import MANIFEST, ScorerBase, read_manifest, training_fingerprint
from civility.scoring._masked_lr import MaskedLogisticRegression
from civility.scoring._ngrams import HashedNgramVectorizer
from civility.text.normalize import get_normalizer, normalizer_record

WEIGHTS = "weights.npz"
FORMAT = "civility.FastScorer.v1"


class FastScorer(ScorerBase):
    """TF-IDF word and character n-grams + masked logistic regression, on normalised text.

    Parameters
    ----------
    char_ngrams, word_ngrams : (int, int)
        N-gram ranges of the two feature blocks.
    max_char_features, max_word_features : int
        Vocabulary sizes, by document frequency.
    min_df : int
        Drop n-grams seen in fewer training texts.
    alpha : float
        L2 penalty of the logistic regression.
    class_balance : float or dict of attribute name to float
        How much rare attributes are up-weighted (see ``MaskedLogisticRegression``); in a
        dict, attributes not listed get 0.5.
    max_iter : int
        L-BFGS iterations.
    normalization : str
        Name of the normaliser applied to every text before its n-grams are taken (see
        ``civility.text.normalize.NORMALIZATIONS``): ``"english"``, or ``"multilingual-v1"``
        for the other languages' models. Stored in the manifest, so a model is always scored
        with the reading it was trained with.

    Examples
    --------
    >>> scorer = FastScorer().fit(texts, Y)  # doctest: +SKIP
    >>> scorer.score(["you can f off, tosser"])[0]["TOXICITY"]  # doctest: +SKIP
    0.93
    """

    def __init__(
        self,
        char_ngrams: tuple[int, int] = (1, 5),
        word_ngrams: tuple[int, int] = (1, 2),
        max_char_features: int = 300_000,
        max_word_features: int = 200_000,
        min_df: int = 3,
        alpha: float = 2e-5,
        class_balance: float | dict[str, float] = 0.5,
        max_iter: int = 200,
        normalization: str = "english",
    ) -> None:
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.max_char_features = max_char_features
        self.max_word_features = max_word_features
        self.min_df = min_df
        self.alpha = alpha
        self.class_balance = class_balance
        self.max_iter = max_iter
        self.normalization = normalization
        self._normalize = get_normalizer(normalization)

    # -- estimator -------------------------------------------------------------------------

    def _features(self, normalized: Sequence[str]) -> sp.csr_matrix:
        return sp.hstack(
            [
                self.char_vectorizer_.transform(normalized),
                self.word_vectorizer_.transform(normalized),
            ],
            format="csr",
        )

    def fit(
        self,
        texts: Sequence[str],
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        labels: Sequence[str] = ATTRIBUTE_NAMES,
        verbose: bool = False,
    ) -> FastScorer:
        """Fit on ``Y`` of shape (n, len(labels)): probabilities, NaN where a text has no label.

        ``verbose`` shows the optimiser's progress, which is most of a full-size fit's minutes.
        """
        Y = np.asarray(Y, dtype=np.float64)
        if Y.shape != (len(texts), len(labels)):
            raise InvalidParameterError(
                f"Y must have shape ({len(texts)}, {len(labels)}). Got {Y.shape} instead."
            )
        normalized = [self._normalize(t) for t in texts]
        self.char_vectorizer_ = HashedNgramVectorizer(
            "char", self.char_ngrams, self.max_char_features, self.min_df
        ).fit(normalized)
        self.word_vectorizer_ = HashedNgramVectorizer(
            "word", self.word_ngrams, self.max_word_features, self.min_df
        ).fit(normalized)
        X = self._features(normalized)
        self.model_ = MaskedLogisticRegression(
            alpha=self.alpha,
            max_iter=self.max_iter,
            class_balance=(
                np.array([self.class_balance.get(label, 0.5) for label in labels])
                if isinstance(self.class_balance, dict)
                else self.class_balance
            ),
            verbose=verbose,
        ).fit(X, Y, sample_weight)
        self.labels_ = tuple(labels)
        self.span_thresholds_ = dict.fromkeys(self.labels_, 0.5)
        self.metadata_: dict[str, Any] = {
            "normalizer": normalizer_record(self.normalization),
            "training_data_sha256": training_fingerprint(texts, Y),
        }
        return self

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.asarray(expit(self._decision_function([self._normalize(t) for t in texts])))

    def _decision_function(self, normalized: Sequence[str]) -> np.ndarray:
        """The linear model applied straight to the n-gram weights, without sparse matrices."""
        coef, z = self.model_.coef_, np.tile(self.model_.intercept_, (len(normalized), 1))
        offset = 0
        for vectorizer in (self.char_vectorizer_, self.word_vectorizer_):
            rows, columns, values = vectorizer.weights(normalized)
            if len(rows):
                contributions = coef[offset + columns] * values[:, None]
                starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                z[rows[starts]] += np.add.reduceat(contributions, starts, axis=0)
            offset += len(vectorizer.vocabulary_)
        return z

    @property
    def version(self) -> str:
        digest = getattr(self, "content_hash_", "unsaved")[:12]
        return f"fast-{self.metadata_.get('model_version', __version__)}-{digest}"

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> Path:
        """Write the artifact directory: weights plus a manifest that describes them."""
        if not hasattr(self, "model_"):
            raise NotFittedError(type(self).__name__)
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            char_vocabulary=self.char_vectorizer_.vocabulary_,
            char_idf=self.char_vectorizer_.idf_,
            word_vocabulary=self.word_vectorizer_.vocabulary_,
            word_idf=self.word_vectorizer_.idf_,
            coef=self.model_.coef_.astype(np.float16),
            intercept=self.model_.intercept_,
        )
        payload = buffer.getvalue()
        self.content_hash_ = hashlib.sha256(payload).hexdigest()
        self.metadata_ = {**self.metadata_, **(metadata or {})}
        manifest = {
            "format": FORMAT,
            "civility_version": __version__,
            "labels": list(self.labels_),
            "params": self.get_params(),
            "span_thresholds": self.span_thresholds_,
            "weights_sha256": self.content_hash_,
            **self.metadata_,
        }
        tmp = directory / (WEIGHTS + ".tmp")
        tmp.write_bytes(payload)
        tmp.replace(directory / WEIGHTS)
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return directory

    @classmethod
    def load(cls, path: str | Path) -> FastScorer:
        directory = Path(path)
        manifest = read_manifest(directory, FORMAT)
        try:
            payload = (directory / WEIGHTS).read_bytes()
        except FileNotFoundError:
            raise ArtifactError(
                f"No model artifact at {directory}: {WEIGHTS} is missing."
            ) from None
        digest = hashlib.sha256(payload).hexdigest()
        if digest != manifest.get("weights_sha256"):
            raise ArtifactError(
                f"Corrupt model artifact in {directory}: weights do not match their checksum."
            )
        arrays = np.load(io.BytesIO(payload))
        params: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in manifest["params"].items()
        }
        scorer = cls(**params)
        scorer.char_vectorizer_ = HashedNgramVectorizer("char", scorer.char_ngrams)
        scorer.char_vectorizer_.vocabulary_ = arrays["char_vocabulary"]
        scorer.char_vectorizer_.idf_ = arrays["char_idf"]
        scorer.word_vectorizer_ = HashedNgramVectorizer("word", scorer.word_ngrams)
        scorer.word_vectorizer_.vocabulary_ = arrays["word_vocabulary"]
        scorer.word_vectorizer_.idf_ = arrays["word_idf"]
        scorer.model_ = MaskedLogisticRegression()
        scorer.model_.coef_ = arrays["coef"].astype(np.float32)
        scorer.model_.intercept_ = arrays["intercept"]
        scorer.labels_ = tuple(manifest["labels"])
        scorer.span_thresholds_ = dict(manifest.get("span_thresholds", {}))
        scorer.content_hash_ = digest
        known = {
            "format",
            "civility_version",
            "labels",
            "params",
            "span_thresholds",
            "weights_sha256",
        }
        scorer.metadata_ = {k: v for k, v in manifest.items() if k not in known}
        return scorer
