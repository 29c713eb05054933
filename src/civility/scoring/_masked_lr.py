"""Multi-attribute logistic regression that learns from partial, soft labels.

Our training data is a patchwork: a tweet set says whether a post is hateful and nothing about
profanity; a news-comment set gives the share of annotators who found a comment toxic. Fitting one
scikit-learn ``LogisticRegression`` per attribute would need hard labels and a separate pass over
the features for each attribute. Here every attribute is fitted at once with L-BFGS on the
masked, weighted cross-entropy:

    sum_{i,k} m_ik w_ik [ -y_ik log p_ik - (1 - y_ik) log(1 - p_ik) ] / sum_{i,k} m_ik w_ik
        + alpha_k / 2 ||W_k||^2

where ``m_ik`` is 0 when text i has no label for attribute k (a NaN in ``Y``), so missing labels
cost nothing, and ``y_ik`` may be any probability (soft labels from annotator votes or
teachers). One sparse product ``X.T @ residual`` gives every attribute's gradient.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from tqdm import tqdm

from civility.errors import InvalidParameterError, NotFittedError


class MaskedLogisticRegression:
    """Parameters
    ----------
    alpha : float or array of shape (n_outputs,), default=1e-5
        L2 penalty per output, relative to the mean loss (so it does not grow with n).
    max_iter : int, default=200
        L-BFGS iterations.
    class_balance : float or array of shape (n_outputs,), default=0.0
        0 keeps the data's own class balance; 1 weights positives and negatives of each output
        equally. Values between interpolate. Rare attributes (THREAT) need some.
    verbose : bool, default=False
        Show a progress bar of the L-BFGS iterations: a full-size fit runs for minutes.
    """

    def __init__(
        self,
        alpha: float | np.ndarray = 1e-5,
        max_iter: int = 200,
        class_balance: float | np.ndarray = 0.0,
        verbose: bool = False,
    ) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.class_balance = class_balance
        self.verbose = verbose

    def fit(
        self,
        X: sp.spmatrix | np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> MaskedLogisticRegression:
        """Fit on labels ``Y`` (n, k) in [0, 1] with NaN for "no label"."""
        Y = np.asarray(Y, dtype=np.float64)
        k = Y.shape[1]
        targets, weights = cell_weights(Y, sample_weight, self.class_balance, type(self).__name__)
        alpha = np.broadcast_to(np.asarray(self.alpha, dtype=np.float64), (k,))
        # float32 products: half the memory traffic of float64, and the optimiser's precision
        # is not the limit here. The transpose is materialised once so both products per
        # iteration run as row-major sparse x dense.
        if sp.issparse(X):
            X = sp.csr_matrix(X, dtype=np.float32)
            XT = X.T.tocsr()
        else:
            X = np.asarray(X, np.float32)
            XT = X.T
        d = X.shape[1]
        weights32 = weights.astype(np.float32)
        targets32 = targets.astype(np.float32)
        prior = np.clip(
            (weights * targets).sum(axis=0) / np.maximum(weights.sum(axis=0), 1e-12), 1e-4, 1 - 1e-4
        )
        theta0 = np.concatenate([np.zeros(d * k), np.log(prior / (1 - prior))])

        def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W = theta[: d * k].reshape(d, k)
            b = theta[d * k :]
            z = np.asarray(X @ W.astype(np.float32)) + b.astype(np.float32)
            # log(1 + e^z) - y z, stably
            loss_terms = np.logaddexp(np.float32(0), z) - targets32 * z
            loss = float((weights32 * loss_terms).sum(dtype=np.float64))
            loss += 0.5 * float((alpha * (W * W).sum(0)).sum())
            residual = weights32 * (expit(z) - targets32)
            grad_w = np.asarray(XT @ residual, dtype=np.float64) + alpha * W
            grad_b = residual.sum(axis=0, dtype=np.float64)
            return loss, np.concatenate([grad_w.ravel(), grad_b])

        import scipy.optimize  # fitting only: importing it costs a scoring process 0.25 s

        with tqdm(
            total=self.max_iter, desc="fitting", unit=" iterations", disable=not self.verbose
        ) as bar:
            result = scipy.optimize.minimize(
                loss_and_grad,
                theta0,
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter, "maxcor": 20},
                callback=lambda _: bar.update(),
            )
            bar.total = bar.n  # converged early: the bar ends full, not at 6/200
        solution = np.asarray(result.x)
        self.coef_ = solution[: d * k].reshape(d, k).astype(np.float32)
        self.intercept_ = solution[d * k :].astype(np.float32)
        self.n_iter_ = int(result.nit)
        return self

    def decision_function(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise NotFittedError(type(self).__name__)
        return np.asarray(X @ self.coef_) + self.intercept_

    def predict_proba(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        return np.asarray(expit(self.decision_function(X)))


def cell_weights(
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    class_balance: float | np.ndarray,
    estimator: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Targets (NaN -> 0) and each cell's share of its output's loss, for the masked heads.

    A cell's weight is its mask (0 where there is no label) times its sample weight, scaled by
    ``class_balance`` towards equal weight for each output's positives and negatives, then
    normalised so that each output's weights sum to one: every attribute's loss is a weighted
    mean, and a rare attribute is not drowned by a common one.
    """
    k = Y.shape[1]
    balance = np.broadcast_to(np.asarray(class_balance, dtype=np.float64), (k,))
    if not ((balance >= 0) & (balance <= 1)).all():
        raise InvalidParameterError(
            f"The 'class_balance' parameter of {estimator} must be a float in "
            f"[0, 1], or one per output. Got {class_balance!r} instead."
        )
    mask = ~np.isnan(Y)
    targets = np.where(mask, Y, 0.0)
    weights = mask.astype(np.float64)
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=np.float64)
        weights *= sw[:, None] if sw.ndim == 1 else sw
    for j in range(k):
        if balance[j] > 0:
            w = weights[:, j]
            pos = float((w * targets[:, j]).sum())
            neg = float((w * (1 - targets[:, j])).sum())
            if pos > 0 and neg > 0:
                # Soft labels split their weight between the two classes.
                scale_pos = ((pos + neg) / (2 * pos)) ** balance[j]
                scale_neg = ((pos + neg) / (2 * neg)) ** balance[j]
                weights[:, j] = w * (targets[:, j] * scale_pos + (1 - targets[:, j]) * scale_neg)
    total = weights.sum(axis=0)
    total[total == 0] = 1.0
    return targets, weights / total
