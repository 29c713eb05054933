"""``civility rescore`` on a local Ray with 2 workers: killed, restarted, every comment once.

Needs the scale extra (Ray); skipped cleanly without it. One store of 20,000 comments, scored
at ingest by one model and rescored by another; bounded to a couple of minutes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from civility.cli import app as cli
from civility.moderation.archive import from_record
from civility.moderation.ingest import IngestOptions, ingest
from civility.scoring import FastScorer, load_scorer
from civility.store import Comment, Score, Store, open_store
from tests.conftest import english_only, load_tiny_corpus

pytest.importorskip("ray", reason="civility rescore needs the scale extra (Ray)")
pytestmark = pytest.mark.slow

COMMENTS = 20_000


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> tuple[str, Path]:
    """A store of 20,000 comments scored by the tiny model, and a second model to rescore with."""
    root = tmp_path_factory.mktemp("rescore")
    url = f"sqlite:///{root / 'civility.db'}"
    store = open_store(url)
    old = load_scorer("fast", tiny_model_dir / "fast")
    texts, _ = load_tiny_corpus()
    for b in range(COMMENTS // 1000):
        records = [
            {
                "article_id": f"a{b}",
                "comment_id": f"c{b}-{i}",
                "text": f"{texts[i % len(texts)]} ({b}.{i})",
                "author": f"u{i % 50}",
            }
            for i in range(1000)
        ]
        comments = [from_record(r, i, "test") for i, r in enumerate(records, 1)]
        ingest(store, english_only(old), comments, options=IngestOptions(create_articles=True))
    store.dispose()
    texts, labels = load_tiny_corpus()
    new = FastScorer(min_df=1, alpha=1e-3, max_iter=200).fit(texts * 2, np.vstack([labels] * 2))
    new.save(root / "new", metadata={"model_version": "tiny-rescored"})
    return url, root / "new"


def _rescore(url: str, model: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from civility.cli import main; main()", "rescore"]
    command += ["--database", url, "--model", str(model), "--workers", "2"]
    # Its own session, so that a kill takes the local Ray it starts down with it.
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def _scored(store: Store, version: str) -> tuple[int, int]:
    with store.session() as session:
        rows = session.scalar(
            select(func.count()).select_from(Score).where(Score.model_version == version)
        )
        comments = session.scalar(
            select(func.count(func.distinct(Score.comment_id))).where(
                Score.model_version == version
            )
        )
    return int(rows or 0), int(comments or 0)


def test_rescore_killed_and_restarted_scores_every_comment_once(
    archive: tuple[str, Path], tmp_path: Path
) -> None:
    url, model = archive
    new = load_scorer("fast", model)
    store = open_store(url)
    job = _rescore(url, model)
    deadline = time.monotonic() + 240
    while _scored(store, new.version)[1] == 0 and time.monotonic() < deadline:
        assert job.poll() is None, "the job ended before it could be killed"
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    _, before = _scored(store, new.version)
    assert 0 < before < COMMENTS, "the kill must land mid-job"

    job = _rescore(url, model)
    output, _ = job.communicate(timeout=300)
    assert job.returncode == 0, output
    # Batches already in a Ray worker's hands when the driver died may still land: the
    # restart counts them as done, and nothing is ever written twice.
    done = re.search(r"(\d+) comments scored, (\d+) already scored", output)
    assert done, output
    scored, already = int(done[1]), int(done[2])
    assert scored + already == COMMENTS and already >= before, output
    assert "TOXICITY" in output and "fast-tiny-" in output  # the shift from the old model
    rows, comments = _scored(store, new.version)
    assert (rows, comments) == (COMMENTS * len(new.labels_), COMMENTS)  # each exactly once

    # The same scores as `civility score` gives for the same texts (in English, as stored
    # comments are scored: by the tier's model).
    with store.session() as session:
        sample = session.execute(select(Comment.id, Comment.text).order_by(Comment.id)).all()[
            :: COMMENTS // 200
        ]
        stored = {
            (comment_id, attribute): value
            for comment_id, attribute, value in session.execute(
                select(Score.comment_id, Score.attribute, Score.value).where(
                    Score.model_version == new.version,
                    Score.comment_id.in_([row.id for row in sample]),
                )
            )
        }
    store.dispose()
    path = tmp_path / "sample.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in sample))
    out = tmp_path / "out.jsonl"
    command = ["score", "--input", str(path), "--output", str(out), "--language", "en"]
    result = CliRunner().invoke(cli, [*command, "--model", str(model)])
    assert result.exit_code == 0, result.output
    for line in out.read_text().splitlines():
        record = json.loads(line)
        for attribute, value in record["scores"].items():
            assert stored[(record["id"], attribute)] == pytest.approx(value, abs=1e-4)


def test_files_in_jsonl_csv_and_parquet_are_scored_into_parquet(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    import pyarrow.parquet as pq

    from civility.moderation.rescore import ray_session, score_file_on

    model = str(tiny_model_dir / "fast")
    scorer = load_scorer("fast", model)
    texts, _ = load_tiny_corpus()
    expected = dict(zip(texts, scorer.score(texts), strict=True))
    jsonl = tmp_path / "comments.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    csv = tmp_path / "comments.csv"
    csv.write_text("id,text\n" + "".join(f'{i},"{t}"\n' for i, t in enumerate(texts)))
    with ray_session(None, 2) as ray:
        for source, out in ((jsonl, "from-jsonl"), (csv, "from-csv")):
            summary = score_file_on(ray, source, tmp_path / out, "fast", model)
            assert summary.scored == len(texts)
        # A Parquet output is itself an input: rescoring it keeps its rows.
        again = score_file_on(ray, tmp_path / "from-csv", tmp_path / "again", "fast", model)
        assert again.scored == len(texts)
    for out in ("from-jsonl", "from-csv", "again"):
        table = pq.read_table(tmp_path / out).to_pylist()
        assert sorted(row["id"] for row in table) == list(range(len(texts)))
        for row in table:
            assert row["model_version"] == scorer.version
            for attribute, value in expected[row["text"]].items():
                assert row[attribute] == pytest.approx(value, abs=1e-6)
