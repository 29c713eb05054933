"""The contract every scorer keeps, checked once over every tier.

As scikit-learn's ``test_common.py`` runs one set of checks over every estimator, these run
over the fast tier, a language's model (the fast tier on the multilingual normaliser), the
accurate tier and the ensemble: ``fit`` returns the scorer, any batch has one row per text
whatever else is in it, ``labels_`` are registry attributes, ``get_params`` is the
constructor's arguments, and a saved scorer loads back with the same scores, labels, version
and parameters. Fitting records the normaliser and a fingerprint of the training data in the
manifest, and manifests written before those fields still load. A new tier is one more entry
in ``TIERS``.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import ArtifactError, InvalidParameterError, NotFittedError
from civility.scoring import AccurateScorer, EnsembleScorer, FastScorer, Scorer
from conftest import load_tiny_corpus, tiny_language_scorer

Tier = FastScorer | AccurateScorer | EnsembleScorer
TIERS = ("fast", "language", "accurate", "ensemble")
FITTED_BY_FIT = ("fast", "language", "accurate")
"""The ensemble is built from two fitted tiers rather than fitted."""
PREFIX = {"fast": "fast-", "language": "fast-", "accurate": "accurate-", "ensemble": "ensemble-"}
TEXTS = [
    "you stupid idiot",
    "thank you for the article, it explained the council's budget better than anyone " * 3,
    "lovely",
    "Vous êtes un idiot",
]


def _fit(tier: str, tiny_accurate: AccurateScorer) -> Tier:
    """A scorer of ``tier`` fitted for this module alone: saving it changes its version."""
    texts, Y = load_tiny_corpus()
    if tier == "fast":
        return FastScorer(min_df=1, alpha=1e-4).fit(texts * 3, np.vstack([Y] * 3))
    if tier == "language":
        return tiny_language_scorer("fr")
    accurate = AccurateScorer(**tiny_accurate.get_params()).fit(texts, Y)
    if tier == "accurate":
        return accurate
    fast = _fit("fast", tiny_accurate)
    return EnsembleScorer(fast, accurate, [0.25] * len(accurate.labels_))


@pytest.fixture(scope="module", params=TIERS)
def tier(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def scorer(tier: str, tiny_accurate: AccurateScorer) -> Tier:
    return _fit(tier, tiny_accurate)


def _save(scorer: Tier, root: Path) -> Path:
    """Save ``scorer`` as the package lays models out; the ensemble's members beside it."""
    metadata = {"model_version": "contract", "note": "round trip"}
    if isinstance(scorer, EnsembleScorer):
        scorer.fast.save(root / "fast", metadata)
        scorer.accurate.save(root / "accurate", metadata)
        return scorer.save(root / "ensemble", metadata)
    return scorer.save(root / "model", metadata)


def _unfitted(tier: str, tiny_accurate: AccurateScorer) -> FastScorer | AccurateScorer:
    """A copy of ``tier``'s scorer before fitting, with few iterations: only what fitting
    returns and records is looked at, not how well it learns."""
    if tier == "accurate":
        return AccurateScorer(**{**tiny_accurate.get_params(), "max_iter": 10})
    normalization = "multilingual-v1" if tier == "language" else "english"
    return FastScorer(min_df=1, max_iter=10, normalization=normalization)


@pytest.mark.parametrize("fitted_tier", FITTED_BY_FIT)
def test_fit_returns_the_scorer_which_only_then_predicts(
    fitted_tier: str, tiny_accurate: AccurateScorer
) -> None:
    unfitted = _unfitted(fitted_tier, tiny_accurate)
    with pytest.raises(NotFittedError):
        unfitted.predict_proba(["hello"])
    texts, Y = load_tiny_corpus()
    assert unfitted.fit(texts, Y) is unfitted
    assert unfitted.predict_proba(["hello"]).shape == (1, len(ATTRIBUTE_NAMES))


def test_labels_are_registry_attributes(scorer: Tier) -> None:
    assert isinstance(scorer, Scorer)
    assert isinstance(scorer.labels_, tuple) and scorer.labels_
    assert set(scorer.labels_) <= set(ATTRIBUTE_NAMES)


def test_a_batch_has_one_row_per_text_whatever_else_is_in_it(scorer: Tier) -> None:
    k = len(scorer.labels_)
    together = scorer.predict_proba(TEXTS)
    assert together.shape == (len(TEXTS), k)
    assert ((together >= 0) & (together <= 1)).all()
    assert scorer.predict_proba([]).shape == (0, k)
    alone = np.vstack([scorer.predict_proba([text]) for text in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    scores = scorer.score(TEXTS[:1])
    assert list(scores[0]) == list(scorer.labels_)
    assert scores[0]["INSULT"] == pytest.approx(
        float(together[0, scorer.labels_.index("INSULT")]), abs=1e-4
    )
    with pytest.raises(InvalidParameterError, match="wrap one text in a list"):
        scorer.predict_proba(TEXTS[0])  # type: ignore[arg-type]


def test_get_params_are_the_constructors_arguments(scorer: Tier) -> None:
    params = scorer.get_params()
    signature = inspect.signature(type(scorer).__init__)
    assert list(params) == list(signature.parameters)[1:]
    assert type(scorer)(**params).get_params() == params


def test_a_saved_scorer_loads_back_the_same(scorer: Tier, tier: str, tmp_path: Path) -> None:
    directory = _save(scorer, tmp_path)
    loaded = type(scorer).load(directory)
    assert type(loaded) is type(scorer)
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), scorer.predict_proba(TEXTS), atol=2e-3)
    assert loaded.labels_ == scorer.labels_
    assert loaded.version == scorer.version
    assert loaded.version.startswith(PREFIX[tier]) and "contract" in loaded.version
    assert loaded.metadata_["note"] == "round trip"
    for name, value in scorer.get_params().items():
        found = loaded.get_params()[name]
        if isinstance(value, Scorer):  # an ensemble's members: loaded from beside it
            assert found.version == value.version
        elif name == "encoder_dir":  # the encoder is read from the artifact itself
            assert Path(found) == directory
        else:
            assert found == value, name


@pytest.mark.parametrize("fitted_tier", FITTED_BY_FIT)
def test_the_manifest_records_the_normaliser_and_the_training_data(
    fitted_tier: str, tiny_accurate: AccurateScorer, tmp_path: Path
) -> None:
    texts, Y = load_tiny_corpus()
    first, again, relabelled = (_unfitted(fitted_tier, tiny_accurate) for _ in range(3))
    first.fit(texts, Y)
    again.fit(texts, Y)
    changed = Y.copy()
    changed[0, 0] = 1 - changed[0, 0]
    relabelled.fit(texts, changed)
    manifest = json.loads((first.save(tmp_path / "m") / "manifest.json").read_text())
    normalization = getattr(first, "normalization", "english")
    assert manifest["normalizer"] == {"name": normalization, "revision": 1}
    fingerprint = manifest["training_data_sha256"]
    assert fingerprint == again.metadata_["training_data_sha256"]
    assert fingerprint != relabelled.metadata_["training_data_sha256"]


def test_manifests_written_before_the_training_record_still_load(
    scorer: Tier, tmp_path: Path
) -> None:
    directory = _save(scorer, tmp_path)
    for manifest_path in tmp_path.glob("*/manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        for added in ("normalizer", "training_data_sha256", "members"):
            manifest.pop(added, None)
        manifest_path.write_text(json.dumps(manifest))
    loaded = type(scorer).load(directory)
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), scorer.predict_proba(TEXTS), atol=2e-3)
    assert "normalizer" not in loaded.metadata_


def test_an_ensemble_refuses_members_it_was_not_fitted_on(
    tiny_accurate: AccurateScorer, tmp_path: Path
) -> None:
    ensemble = _fit("ensemble", tiny_accurate)
    directory = _save(ensemble, tmp_path)
    texts, Y = load_tiny_corpus()
    FastScorer(min_df=1, alpha=1e-3).fit(texts, Y).save(tmp_path / "fast")  # retrained alone
    with pytest.raises(ArtifactError, match=r"fitted on other members: fast is fast-"):
        EnsembleScorer.load(directory)
