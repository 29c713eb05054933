"""Micro-batching: concurrent analyze calls share one model call.

Scoring one comment costs about as much as scoring thirty (the fixed cost is in the Python and
sparse-matrix overhead), so under load the server scores whatever has queued up while the
previous batch ran. A lone request is never delayed: with nothing in flight it is scored at
once, as a batch of one. Model calls run in a worker thread so the event loop keeps accepting
requests meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from civility.api.metrics import BATCH_SIZE
from civility.scoring import Scorer


class MicroBatcher:
    def __init__(self, scorer: Scorer, max_batch: int = 32) -> None:
        self.scorer = scorer
        self.max_batch = max(1, max_batch)
        self._pending: list[tuple[str, asyncio.Future[np.ndarray]]] = []
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.texts = 0

    async def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities for ``texts`` (n, n_labels), scored together with concurrent callers."""
        loop = asyncio.get_running_loop()
        futures = []
        for text in texts:
            future: asyncio.Future[np.ndarray] = loop.create_future()
            self._pending.append((text, future))
            futures.append(future)
        if not self._running:
            self._running = True
            self._task = loop.create_task(self._drain())
        rows = await asyncio.gather(*futures)
        return np.vstack(rows) if rows else np.zeros((0, len(self.scorer.labels_)))

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                texts = [text for text, _ in batch]
                try:
                    probabilities = await loop.run_in_executor(
                        None, self.scorer.predict_proba, texts
                    )
                except Exception as exc:  # handed to every waiting request
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                BATCH_SIZE.observe(len(texts))
                self.texts += len(texts)
                for row, (_, future) in zip(probabilities, batch, strict=True):
                    if not future.done():
                        future.set_result(row)
        finally:
            self._running = False
