"""Missing labels cost nothing; soft labels are fitted as probabilities."""

import numpy as np
import pytest

from civility.errors import InvalidParameterError, NotFittedError
from civility.scoring._masked_lr import MaskedLogisticRegression


def test_missing_labels_do_not_count() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] > 0).astype(float)
    # Second output: same signal, but half the rows unlabelled and those rows' "labels" are
    # deliberately inverted garbage; masking must make them irrelevant.
    second = y.copy()
    second[:200] = np.nan
    Y = np.column_stack([y, second])
    model = MaskedLogisticRegression(alpha=1e-3).fit(X, Y)
    probs = model.predict_proba(X)
    assert ((probs[:, 1] > 0.5) == (y > 0.5)).mean() > 0.95
    garbage = Y.copy()
    garbage[:200, 1] = np.nan
    again = MaskedLogisticRegression(alpha=1e-3).fit(X, garbage).predict_proba(X)
    np.testing.assert_allclose(again, probs, atol=1e-6)


def test_soft_labels_are_learned_as_probabilities() -> None:
    X = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    Y = np.array([[0.8], [0.8], [0.2], [0.2]])
    probs = MaskedLogisticRegression(alpha=1e-6, max_iter=500).fit(X, Y).predict_proba(X)
    np.testing.assert_allclose(probs[:, 0], [0.8, 0.8, 0.2, 0.2], atol=0.01)


def test_parameters_are_checked_when_fitting() -> None:
    with pytest.raises(InvalidParameterError, match="class_balance"):
        MaskedLogisticRegression(class_balance=2.0).fit(np.zeros((2, 1)), np.zeros((2, 1)))


def test_predicting_before_fitting_says_so() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        MaskedLogisticRegression().predict_proba(np.zeros((1, 1)))


def test_verbose_fit_shows_its_iterations_and_quiet_fit_shows_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    Y = np.array([[1.0], [0.8], [0.2], [0.0]])
    MaskedLogisticRegression(max_iter=50).fit(X, Y)
    assert capsys.readouterr().err == ""
    model = MaskedLogisticRegression(max_iter=50, verbose=True).fit(X, Y)
    shown = capsys.readouterr().err
    assert "100%" in shown and f"{model.n_iter_}/{model.n_iter_}" in shown
