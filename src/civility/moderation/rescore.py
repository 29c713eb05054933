"""Rescoring archives on Ray Data: every stored comment, or a file's, scored by a new model.

When a model changes, or a publisher arrives with years of comments, one process is too slow
(the accurate tier scores ~330 comments/s per core: two days for 50M). ``rescore_store`` splits
the store's comment ids into ranges and hands them to a pool of Ray actors, one scorer loaded per
actor (that is, per core), each of which reads its range's texts, scores them in batches and
writes the scores back itself: texts never pass through the driver, so it scales with the
cluster.

Writes are idempotent per comment and model version: a range reads only comments that have no
score for the new version yet, and inserts with ``ON CONFLICT DO NOTHING`` on ``scores``' unique
(comment, attribute, model version), one transaction per batch. A job killed at any point is
resumed by running it again; it ends with every comment scored exactly once for that version.

``rescore_file`` does the same for a JSONL, CSV or Parquet file, writing Parquet. Ray runs
locally, started for the job, unless ``address`` names a cluster (``ray://head:10001`` or
``auto``), on which Civility must be installed in the same version on every node.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import and_, exists, func, select

from civility.errors import ConfigError, InputFileError
from civility.scoring import Scorer, load_scorer
from civility.store import Comment, Score, Store, conflict_insert, open_store

BATCH_SIZE = {"fast": 1024, "accurate": 64, "ensemble": 64}
"""Texts per model call, per tier: the smallest batch at the measured plateau of comments/s
(``bench/rescore.py --batch-sizes``); larger batches only cost memory."""
RANGE_SIZE = 2000
"""Comment ids per unit of work: small enough to lose little to a kill, large enough that a
range's queries cost little next to its scoring."""
LOCAL_OBJECT_STORE_BYTES = 512 * 2**20
"""Shared memory a local Ray may use: batches stream through it, so little is needed."""
BINS = 10
"""Score histogram bins over [0, 1] in the summary."""


def require_scale_extra(purpose: str) -> None:
    """Fail with the fix in the message where Ray (the ``scale`` extra) is missing."""
    if importlib.util.find_spec("ray") is None:
        raise ConfigError(f"{purpose} needs the scale extra: pip install 'civility[scale]'.")


@dataclass
class Distribution:
    """Per-attribute sums and histograms of scores, mergeable across workers."""

    count: dict[str, int] = field(default_factory=dict)
    total: dict[str, float] = field(default_factory=dict)
    histogram: dict[str, list[int]] = field(default_factory=dict)

    def add(self, attribute: str, values: Sequence[float] | np.ndarray) -> None:
        if not len(values):
            return
        array = np.asarray(values, dtype=float)
        bins = np.histogram(array, bins=BINS, range=(0.0, 1.0))[0]
        self.count[attribute] = self.count.get(attribute, 0) + len(array)
        self.total[attribute] = self.total.get(attribute, 0.0) + float(array.sum())
        previous = self.histogram.get(attribute, [0] * BINS)
        self.histogram[attribute] = [a + int(b) for a, b in zip(previous, bins, strict=True)]

    def merge(self, other: Distribution) -> None:
        for attribute, n in other.count.items():
            self.count[attribute] = self.count.get(attribute, 0) + n
            self.total[attribute] = self.total.get(attribute, 0.0) + other.total[attribute]
            previous = self.histogram.get(attribute, [0] * BINS)
            self.histogram[attribute] = [
                a + b for a, b in zip(previous, other.histogram[attribute], strict=True)
            ]

    def to_json(self) -> str:
        return json.dumps([self.count, self.total, self.histogram])

    @classmethod
    def from_json(cls, text: str) -> Distribution:
        count, total, histogram = json.loads(text)
        return cls(count, total, histogram)

    def mean(self, attribute: str) -> float | None:
        n = self.count.get(attribute, 0)
        return self.total[attribute] / n if n else None

    def share_above(self, attribute: str, threshold: float = 0.5) -> float | None:
        n = self.count.get(attribute, 0)
        if not n:
            return None
        first = int(threshold * BINS)
        return sum(self.histogram[attribute][first:]) / n


@dataclass
class RescoreSummary:
    """What a job did: counts, and how the new model's scores differ from the old one's."""

    model_version: str
    previous_version: str | None
    scored: int = 0
    """Comments scored by this run."""
    already: int = 0
    """Comments that had a score for this version before the run (an earlier, killed run)."""
    new: Distribution = field(default_factory=Distribution)
    old: Distribution = field(default_factory=Distribution)
    """The previous version's scores of the comments this run scored."""

    def lines(self) -> list[str]:
        out = [
            f"model version {self.model_version}: {self.scored} comments scored, "
            f"{self.already} already scored by an earlier run",
        ]
        if not self.new.count:
            return out
        against = self.previous_version or "none"
        out.append(
            f"{'attribute':<20} mean old -> new    share >= 0.5 old -> new  (old: {against})"
        )
        for attribute in self.new.count:
            old_mean, new_mean = self.old.mean(attribute), self.new.mean(attribute)
            old_share, new_share = self.old.share_above(attribute), self.new.share_above(attribute)
            out.append(
                f"{attribute:<20} {_fmt(old_mean)} -> {_fmt(new_mean)}    "
                f"{_fmt(old_share)} -> {_fmt(new_share)}"
            )
        return out


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def limit_threads_to_assigned_cpus() -> None:
    """Give an actor's onnxruntime as many threads as the CPUs Ray assigned it.

    onnxruntime takes every core by default, so two accurate-tier actors on two cores each ran
    two threads and together scored slower than one (447 against 657 comments/s). An operator's
    own ``CIVILITY_ONNX_THREADS`` is left as it is.
    """
    import ray

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1.0)
    os.environ.setdefault("CIVILITY_ONNX_THREADS", str(max(1, int(cpus))))


class RangeScorer:
    """A Ray actor: one scorer and one store connection, scoring id ranges into the store."""

    def __init__(
        self,
        url: str,
        tier: str,
        model_path: str | None,
        batch_size: int,
        previous_version: str | None,
    ) -> None:
        limit_threads_to_assigned_cpus()
        self.scorer: Scorer = load_scorer(tier, model_path)
        self.store: Store = open_store(url, upgrade=False)
        self.batch_size = batch_size
        self.previous_version = previous_version

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        previous = self.previous_version
        results = [
            score_range(self.store, self.scorer, int(a), int(b), self.batch_size, previous)
            for a, b in zip(batch["first"], batch["last"], strict=True)
        ]
        return {
            "scored": np.array([r[0] for r in results]),
            "already": np.array([r[1] for r in results]),
            "new": np.array([r[2].to_json() for r in results]),
            "old": np.array([r[3].to_json() for r in results]),
        }


def score_range(
    store: Store,
    scorer: Scorer,
    first: int,
    last: int,
    batch_size: int,
    previous_version: str | None = None,
) -> tuple[int, int, Distribution, Distribution]:
    """Score comments ``first..last`` (ids) that lack this model's scores; write them back.

    Returns (comments scored, comments already scored, new distribution, old distribution).
    """
    version = scorer.version
    marker = scorer.labels_[0]
    in_range = and_(Comment.id >= first, Comment.id <= last, Comment.text.is_not(None))
    done = exists().where(
        Score.comment_id == Comment.id, Score.model_version == version, Score.attribute == marker
    )
    with store.session() as session:
        todo = session.execute(
            select(Comment.id, Comment.text).where(in_range, ~done).order_by(Comment.id)
        ).all()
        already = session.scalar(select(func.count()).select_from(Comment).where(in_range, done))
    new, old = Distribution(), Distribution()
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        ids = [row.id for row in chunk]
        scores = scorer.score([row.text for row in chunk])
        rows = [
            {"comment_id": i, "attribute": a, "value": v, "model_version": version}
            for i, values in zip(ids, scores, strict=True)
            for a, v in values.items()
        ]
        with store.writer() as session:
            session.execute(conflict_insert(session, Score).values(rows).on_conflict_do_nothing())
        for attribute in scores[0] if scores else ():
            new.add(attribute, [values[attribute] for values in scores])
        if previous_version is not None:
            _add_previous(store, old, ids, previous_version)
    return len(todo), int(already or 0), new, old


def _add_previous(store: Store, old: Distribution, ids: list[int], version: str) -> None:
    with store.session() as session:
        rows = session.execute(
            select(Score.attribute, Score.value).where(
                Score.comment_id.in_(ids), Score.model_version == version
            )
        ).all()
    by_attribute: dict[str, list[float]] = {}
    for attribute, value in rows:
        by_attribute.setdefault(attribute, []).append(value)
    for attribute, values in by_attribute.items():
        old.add(attribute, values)


def previous_version(store: Store, version: str) -> str | None:
    """The model version most stored scores come from, other than ``version``."""
    with store.session() as session:
        return session.scalar(
            select(Score.model_version)
            .where(Score.model_version != version)
            .group_by(Score.model_version)
            .order_by(func.count().desc())
            .limit(1)
        )


def id_ranges(store: Store, size: int = RANGE_SIZE) -> list[tuple[int, int]]:
    """The store's comment ids as consecutive ranges of ``size`` ids."""
    with store.session() as session:
        low, high = session.execute(select(func.min(Comment.id), func.max(Comment.id))).one()
    if low is None:
        return []
    return [(a, min(a + size - 1, high)) for a in range(low, high + 1, size)]


@contextlib.contextmanager
def ray_session(address: str | None, workers: int) -> Iterator[Any]:
    """Ray, connected to ``address`` or started locally for ``workers`` scorers, then shut down.

    A local Ray gets one CPU more than the scorers take: Ray Data's read and write tasks need
    a slot of their own, and with every CPU held by a scoring actor a file's read never starts.
    """
    require_scale_extra("civility rescore")
    import ray

    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(
            num_cpus=workers + 1,
            object_store_memory=LOCAL_OBJECT_STORE_BYTES,
            include_dashboard=False,
            log_to_driver=False,
        )
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # ours counts comments; Ray's count blocks
    try:
        yield ray
    finally:
        ray.shutdown()


def rescore_store(
    url: str,
    tier: str = "fast",
    model_path: str | None = None,
    *,
    workers: int = 2,
    batch_size: int | None = None,
    address: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> RescoreSummary:
    """Score every stored comment with ``tier``'s model on Ray and write the scores back.

    ``workers`` actors (one scorer each) take id ranges; ``progress`` is called with the number
    of comments each finished range held. Run it again after a kill to finish the job.
    """
    store = open_store(url)  # migrated here once, so workers need not
    version = load_scorer(tier, model_path).version
    summary = RescoreSummary(version, previous_version(store, version))
    ranges = id_ranges(store)
    store.dispose()
    if not ranges:
        return summary
    with ray_session(address, workers) as ray:
        dataset = ray.data.from_items(
            [{"first": a, "last": b} for a, b in ranges], override_num_blocks=len(ranges)
        )
        scored = dataset.map_batches(
            RangeScorer,
            fn_constructor_args=(
                url,
                tier,
                model_path,
                batch_size or BATCH_SIZE.get(tier, 256),
                summary.previous_version,
            ),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
        for row in scored.iter_rows():
            done, already = int(row["scored"]), int(row["already"])
            summary.scored += done
            summary.already += already
            summary.new.merge(Distribution.from_json(row["new"]))
            summary.old.merge(Distribution.from_json(row["old"]))
            if progress is not None:
                progress(done + already)
    return summary


class TextScorer:
    """A Ray actor: one scorer, adding a score column per attribute to batches of texts."""

    def __init__(self, tier: str, model_path: str | None, text_column: str) -> None:
        limit_threads_to_assigned_cpus()
        self.scorer: Scorer = load_scorer(tier, model_path)
        self.text_column = text_column

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch[self.text_column]]
        probabilities = np.round(self.scorer.predict_proba(texts), 4) if texts else None
        out = dict(batch)
        for column, label in enumerate(self.scorer.labels_):
            out[label] = probabilities[:, column] if probabilities is not None else np.zeros(0)
        out["model_version"] = np.array([self.scorer.version] * len(texts), dtype=object)
        return out


def read_dataset(ray: Any, path: Path) -> Any:
    """A Ray dataset of a JSONL, CSV or Parquet file (or a directory of them)."""
    suffixes = {s.lower() for s in path.suffixes}
    if not path.exists():
        raise InputFileError(f"{path}: no such file.")
    if suffixes & {".parquet", ".pq"} or path.is_dir():
        return ray.data.read_parquet(str(path))
    if suffixes & {".jsonl", ".ndjson", ".json"}:
        return ray.data.read_json(str(path), lines=True)
    if ".csv" in suffixes:
        return ray.data.read_csv(str(path))
    raise InputFileError(f"{path}: unknown file type; use .jsonl, .csv or .parquet.")


def rescore_file(
    input_path: Path,
    output: Path,
    tier: str = "fast",
    model_path: str | None = None,
    *,
    text_column: str = "text",
    workers: int = 2,
    batch_size: int | None = None,
    address: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> RescoreSummary:
    """Score a file's comments on Ray into Parquet files under ``output``, one per block."""
    with ray_session(address, workers) as ray:
        return score_file_on(
            ray, input_path, output, tier, model_path, text_column, workers, batch_size, progress
        )


def score_file_on(
    ray: Any,
    input_path: Path,
    output: Path,
    tier: str = "fast",
    model_path: str | None = None,
    text_column: str = "text",
    workers: int = 2,
    batch_size: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> RescoreSummary:
    """``rescore_file``'s work on a running Ray (``bench/rescore.py`` times it alone)."""
    scorer = load_scorer(tier, model_path)
    summary = RescoreSummary(scorer.version, None)
    dataset = read_dataset(ray, input_path)
    if text_column not in dataset.columns():
        raise InputFileError(f"{input_path}: no {text_column!r} column; see --text-column.")
    scored = dataset.map_batches(
        TextScorer,
        fn_constructor_args=(tier, model_path, text_column),
        batch_size=batch_size or BATCH_SIZE.get(tier, 256),
        # Up to ``workers`` scorers: a file small enough to be one block needs only one.
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=workers),
        num_cpus=1,
    ).materialize()
    for batch in _batches(scored):
        n = len(batch["model_version"])
        summary.scored += n
        for label in scorer.labels_:
            summary.new.add(label, batch[label])
        if progress is not None:
            progress(n)
    scored.write_parquet(str(output))
    return summary


def _batches(dataset: Any) -> Iterator[dict[str, np.ndarray]]:
    yield from dataset.iter_batches(batch_size=4096, batch_format="numpy")
