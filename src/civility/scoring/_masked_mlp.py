"""A one-hidden-layer network over embeddings, fitted on the same partial, soft labels.

A linear head on a frozen sentence embedding can only cut the space with one plane per
attribute. "This is fucking brilliant" and "you are fucking useless" sit close together there
(both swear, both are short and emphatic), and so do "I'd never hurt him" and "I'll hurt him";
a plane that puts the insult and the threat on the toxic side drags their harmless neighbours
with them. One hidden layer can separate such neighbours: on the same embeddings it gets more
of the holdout functional suite right (non-toxic cases 87.7 → 90.7 %, toxic 80.2 → 85.5 %)
at the same validation AUC (docs/fairness.md, "Sixth mitigation", has the measurements).

The loss is ``MaskedLogisticRegression``'s: masked, weighted cross-entropy on soft labels, each
attribute's loss a weighted mean over the texts that have a label for it. Fitting needs torch
(the ``train`` extra); predicting is two matrix products in NumPy, so serving stays on
onnxruntime and NumPy alone.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy.special import erf, expit
from threadpoolctl import ThreadpoolController
from tqdm import tqdm

from civility._optional import require_train_extra
from civility.errors import InvalidParameterError, NotFittedError
from civility.scoring._masked_lr import cell_weights


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU of ``torch.nn.GELU()``, so predictions match what was trained."""
    # A Python float keeps float32 float32.
    return 0.5 * x * (1.0 + np.asarray(erf(x * math.sqrt(0.5))))


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


class MaskedMLP:
    """Parameters
    ----------
    hidden_units : int, default=512
        Width of the hidden layer.
    epochs : int, default=20
        Passes over the training texts.
    dropout : float, default=0.2
        Dropout on the input and on the hidden layer: the training set repeats its templated
        sentences, and dropout keeps the network from memorising them.
    weight_decay : float, default=1e-2
        AdamW's decoupled weight decay.
    learning_rate : float, default=1e-3
        Peak learning rate of the one-cycle schedule.
    batch_size : int, default=512
    class_balance : float or array of shape (n_outputs,), default=0.0
        As in ``MaskedLogisticRegression``.
    seed : int, default=0
        Initial weights, dropout and batch order: the same seed gives the same network.
    invariance : float, default=0.0
        Weight of the penalty on the squared difference between the probabilities of the two
        rows of each pair passed to ``fit`` (a comment and its copy with other group words):
        the copies alone teach that a group word carries no label only on the texts copied.
    verbose : bool, default=False
        Show a progress bar of the epochs.
    """

    def __init__(
        self,
        hidden_units: int = 512,
        epochs: int = 20,
        dropout: float = 0.2,
        weight_decay: float = 1e-2,
        learning_rate: float = 1e-3,
        batch_size: int = 512,
        class_balance: float | np.ndarray = 0.0,
        seed: int = 0,
        invariance: float = 0.0,
        verbose: bool = False,
    ) -> None:
        self.hidden_units = hidden_units
        self.epochs = epochs
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.class_balance = class_balance
        self.seed = seed
        self.invariance = invariance
        self.verbose = verbose

    def fit(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        pairs: np.ndarray | None = None,
    ) -> MaskedMLP:
        """Fit on dense features ``X`` and labels ``Y`` (n, k) in [0, 1] with NaN for "no label".

        ``pairs`` (m, 2) holds row indices that should score alike, penalised with weight
        ``invariance`` whenever a pair's first row is in a batch.
        """
        require_train_extra("Fitting the accurate tier's head", needed=("torch",))
        if self.hidden_units < 1 or self.epochs < 1 or not 0 <= self.dropout < 1:
            raise InvalidParameterError(
                "MaskedMLP needs hidden_units >= 1, epochs >= 1 and dropout in [0, 1). Got "
                f"{self.hidden_units}, {self.epochs} and {self.dropout} instead."
            )
        if self.invariance < 0:
            raise InvalidParameterError(
                f"MaskedMLP needs invariance >= 0. Got {self.invariance} instead."
            )
        import torch

        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y, dtype=np.float64)
        n, k = Y.shape
        partner = np.full(n, -1, dtype=np.int64)
        if pairs is not None and self.invariance > 0:
            pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            if len(pairs) and (pairs.min() < 0 or pairs.max() >= n):
                raise InvalidParameterError(
                    f"pairs must index rows of X (0 to {n - 1}). Got {pairs.min()} to "
                    f"{pairs.max()} instead."
                )
            partner[pairs[:, 0]] = pairs[:, 1]
        targets, weights = cell_weights(Y, sample_weight, self.class_balance, type(self).__name__)
        # Scaled by n so that a batch's mean is the full loss's estimate: the learning rate does
        # not depend on how many texts there are.
        weights *= n
        with torch.random.fork_rng(devices=[]):  # the caller's random state is left alone
            torch.manual_seed(self.seed)
            generator = torch.Generator().manual_seed(self.seed)
            hidden = torch.nn.Linear(X.shape[1], self.hidden_units)
            head = torch.nn.Linear(self.hidden_units, k)
            network = torch.nn.Sequential(
                torch.nn.Dropout(self.dropout),
                hidden,
                torch.nn.GELU(),
                torch.nn.Dropout(self.dropout),
                head,
            )
            rate = (weights * targets).sum(0) / np.maximum(weights.sum(0), 1e-12)
            prior = np.clip(rate, 1e-4, 1 - 1e-4).astype(np.float32)
            with torch.no_grad():  # start from each attribute's base rate, as the linear head does
                head.bias.copy_(torch.from_numpy(np.log(prior / (1 - prior))))
            optimiser = torch.optim.AdamW(
                network.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
            )
            steps = -(-n // self.batch_size)
            schedule = torch.optim.lr_scheduler.OneCycleLR(
                optimiser, max_lr=self.learning_rate, total_steps=self.epochs * steps
            )
            features = torch.from_numpy(X)
            labels = torch.from_numpy(targets.astype(np.float32))
            cells = torch.from_numpy(weights.astype(np.float32))
            loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
            partners = torch.from_numpy(partner)
            network.train()
            for _ in tqdm(
                range(self.epochs), desc="fitting", unit=" epochs", disable=not self.verbose
            ):
                for batch in torch.split(torch.randperm(n, generator=generator), self.batch_size):
                    logits = network(features[batch])
                    loss = (cells[batch] * loss_fn(logits, labels[batch])).sum() / len(batch)
                    partner_rows = partners[batch]
                    paired = partner_rows >= 0
                    if paired.any():
                        own = torch.sigmoid(logits[paired])
                        other = torch.sigmoid(network(features[partner_rows[paired]]))
                        gap = ((own - other) ** 2).sum() / len(batch)
                        loss = loss + self.invariance * gap
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    schedule.step()
        self.hidden_coef_ = hidden.weight.detach().numpy().T.copy()
        self.hidden_intercept_ = hidden.bias.detach().numpy().copy()
        self.coef_ = head.weight.detach().numpy().T.copy()
        self.intercept_ = head.bias.detach().numpy().copy()
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise NotFittedError(type(self).__name__)
        # One BLAS thread: the encoder's onnxruntime threads keep spinning between calls, and
        # BLAS threads fighting them for the same cores made this small product ten times
        # slower and the next encoder call slower too (spans 5.6 -> 2.7 ms a comment).
        with _blas().limit(limits=1, user_api="blas"):
            hidden = gelu(np.asarray(X, np.float32) @ self.hidden_coef_ + self.hidden_intercept_)
            return np.asarray(hidden @ self.coef_ + self.intercept_)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(expit(self.decision_function(X)))
