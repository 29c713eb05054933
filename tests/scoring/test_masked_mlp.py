"""The hidden-layer head: learns what a plane cannot, ignores missing labels, is reproducible."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from civility.errors import InvalidParameterError, NotFittedError
from civility.scoring._masked_lr import MaskedLogisticRegression
from civility.scoring._masked_mlp import MaskedMLP
from conftest import needs_train_extra

needs_train_extra("torch")


def _xor(n: int = 800) -> tuple[np.ndarray, np.ndarray]:
    """Toxic where exactly one of two features is high: like swearing without a target."""
    X = np.random.default_rng(0).normal(size=(n, 2))
    return X, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(float)[:, None]


@pytest.mark.slow
def test_it_separates_what_a_linear_head_cannot() -> None:
    X, Y = _xor()
    linear = MaskedLogisticRegression().fit(X, Y).predict_proba(X)[:, 0]
    network = MaskedMLP(hidden_units=32, epochs=200, dropout=0.0).fit(X, Y).predict_proba(X)[:, 0]
    assert roc_auc_score(Y[:, 0], linear) < 0.6
    assert roc_auc_score(Y[:, 0], network) > 0.95


def test_missing_labels_do_not_count() -> None:
    X, Y = _xor(400)
    labelled = np.column_stack([Y[:, 0], Y[:, 0]])
    labelled[:200, 1] = np.nan
    garbage = labelled.copy()
    garbage[:200, 1] = np.nan
    garbage[:200, 0] = labelled[:200, 0]
    model = MaskedMLP(hidden_units=8, epochs=5)
    first = model.fit(X, labelled).predict_proba(X)
    # The same fit, but the unlabelled cells were never filled: nothing may change.
    again = MaskedMLP(hidden_units=8, epochs=5).fit(X, garbage).predict_proba(X)
    np.testing.assert_allclose(again, first, atol=1e-6)


def test_the_same_seed_gives_the_same_network() -> None:
    X, Y = _xor(300)
    one = MaskedMLP(hidden_units=8, epochs=3, seed=1).fit(X, Y).predict_proba(X)
    two = MaskedMLP(hidden_units=8, epochs=3, seed=1).fit(X, Y).predict_proba(X)
    other = MaskedMLP(hidden_units=8, epochs=3, seed=2).fit(X, Y).predict_proba(X)
    np.testing.assert_array_equal(one, two)
    assert not np.allclose(one, other)


def test_fitting_leaves_the_callers_random_state_alone() -> None:
    import torch

    X, Y = _xor(100)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    MaskedMLP(hidden_units=4, epochs=1).fit(X, Y)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.slow
def test_soft_labels_are_learned_as_probabilities() -> None:
    X = np.array([[1.0], [1.0], [-1.0], [-1.0]] * 50)
    Y = np.array([[0.8], [0.8], [0.2], [0.2]] * 50)
    model = MaskedMLP(hidden_units=8, epochs=300, dropout=0.0, learning_rate=1e-2)
    probs = model.fit(X, Y).predict_proba(X)
    np.testing.assert_allclose(probs[:4, 0], [0.8, 0.8, 0.2, 0.2], atol=0.03)


def test_bad_parameters_and_unfitted_use_say_so() -> None:
    with pytest.raises(InvalidParameterError, match="dropout"):
        MaskedMLP(dropout=1.0).fit(np.zeros((2, 1)), np.zeros((2, 1)))
    with pytest.raises(InvalidParameterError, match="class_balance"):
        MaskedMLP(class_balance=-1.0).fit(np.zeros((2, 1)), np.zeros((2, 1)))
    with pytest.raises(NotFittedError, match="not fitted"):
        MaskedMLP().predict_proba(np.zeros((1, 1)))


@pytest.mark.slow
def test_paired_rows_are_pulled_together_by_the_invariance_penalty() -> None:
    # A word (feature 1) that marks half the toxic texts, and a copy of each of those texts
    # with the word changed (feature 1 flipped) labelled the same: the gap the penalty closes
    # is the score the word alone carries.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    X[:, 1] = np.where(X[:, 0] > 0, 1.0, -1.0) * (rng.random(400) < 0.8)
    Y = (X[:, 0] + X[:, 1] > 0).astype(float)[:, None]
    copies = X.copy()
    copies[:, 1] = -copies[:, 1]
    features = np.vstack([X, copies])
    labels = np.vstack([Y, np.full_like(Y, np.nan)])  # the copies teach through the pairs alone
    pairs = np.column_stack([np.arange(400), 400 + np.arange(400)])

    def gap(invariance: float) -> float:
        model = MaskedMLP(
            hidden_units=16,
            epochs=60,
            dropout=0.0,
            learning_rate=1e-2,
            batch_size=100,
            invariance=invariance,
        )
        probs = model.fit(features, labels, pairs=pairs).predict_proba(features)[:, 0]
        return float(np.abs(probs[:400] - probs[400:]).mean())

    assert gap(5.0) < 0.25 * gap(0.0)


def test_pairs_outside_the_rows_and_a_negative_invariance_say_so() -> None:
    X, Y = _xor(10)
    with pytest.raises(InvalidParameterError, match="pairs must index rows"):
        MaskedMLP(invariance=1.0).fit(X, Y, pairs=np.array([[0, 10]]))
    with pytest.raises(InvalidParameterError, match="invariance >= 0"):
        MaskedMLP(invariance=-1.0).fit(X, Y)
