"""Ingest throughput: comments scored, decided and stored per second, on SQLite and PostgreSQL.

    .venv/bin/python bench/ingest.py                       # SQLite in a temporary directory
    .venv/bin/python bench/ingest.py --postgres postgresql+psycopg://civility:civility@127.0.0.1/bench

Uses the shipped model when there is one, else a small model fitted on the test corpus (the
figures then measure the service more than the model). Prints one line per backend.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.moderation.policies import PolicyCache
from civility.scoring import FastScorer, LanguageScorers, Scorer, language_table, load_scorer
from civility.store import open_store

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "the",
    "council",
    "vote",
    "bridge",
    "budget",
    "idiot",
    "thanks",
    "article",
    "great",
    "stupid",
    "reporting",
    "agree",
    "disagree",
    "moron",
    "election",
    "points",
    "please",
    "civil",
    "loser",
    "pathetic",
    "lovely",
    "weather",
    "sources",
    "report",
]


def scorer() -> Scorer:
    try:
        return load_scorer()
    except Exception:
        from civility.attributes import ATTRIBUTE_NAMES

        rows = [json.loads(line) for line in (ROOT / "tests/fixtures/tiny_corpus.jsonl").open()]
        texts = [r["text"] for r in rows]
        Y = np.array([[float(r.get(a, np.nan)) for a in ATTRIBUTE_NAMES] for r in rows])
        return FastScorer(min_df=1, max_iter=100).fit(texts * 3, np.vstack([Y] * 3))


def comments(n: int, seed: int = 0) -> list[ArchiveComment]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        article = f"article-{i // 200}"
        parent = f"c{i - rng.randint(1, 5)}" if i % 200 > 5 and rng.random() < 0.4 else None
        out.append(
            ArchiveComment(
                article_id=article,
                comment_id=f"c{i}",
                text=" ".join(rng.choices(WORDS, k=rng.randint(5, 40))),
                parent_id=parent,
                author=f"user{rng.randint(0, 500)}",
                article_title=f"Story {article}",
            )
        )
    return out


def run(url: str, model: Scorer, n: int, batch: int) -> tuple[float, float]:
    """Comments per wall-clock second, and per second of this process's CPU time.

    The second figure holds steady when other work shares the machine; on SQLite it covers
    the whole pipeline (model, policy and database all run in this process), on PostgreSQL
    it leaves out the server's own work.
    """
    store = open_store(url)
    data = comments(n)
    policies = PolicyCache()
    options = IngestOptions(create_articles=True, create_community=True)
    languages = LanguageScorers(model, language_table(model.labels_))
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, n, batch):
        ingest(store, languages, data[i : i + batch], "bench", policies, options)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    store.dispose()
    return n / elapsed, n / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000, help="comments to ingest")
    parser.add_argument("--batch", type=int, default=500, help="comments per batch request")
    parser.add_argument("--postgres", help="PostgreSQL URL of a database the bench may wipe")
    args = parser.parse_args()
    model = scorer()
    model.predict_proba(["warm up"])
    with tempfile.TemporaryDirectory() as tmp:
        rate, cpu = run(f"sqlite:///{tmp}/civility.db", model, args.n, args.batch)
    print(
        f"sqlite      {args.n} comments, batches of {args.batch}: {rate:,.0f} comments/s "
        f"({cpu:,.0f} per CPU-second)"
    )
    if args.postgres:
        engine = create_engine(args.postgres)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        rate, cpu = run(args.postgres, model, args.n, args.batch)
        print(
            f"postgresql  {args.n} comments, batches of {args.batch}: {rate:,.0f} comments/s "
            f"({cpu:,.0f} per CPU-second of the client)"
        )
    print(f"model: {model.version}")


if __name__ == "__main__":
    main()
