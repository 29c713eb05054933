"""Archive rescoring throughput: Ray Data with 1 and 2 workers next to ``civility score --input``.

Run from the repository root (needs the scale extra, ``pip install -e '.[scale]'``):

    .venv/bin/python bench/rescore.py [--tier accurate] [--texts N] [--batch-sizes 16,64,256]

One run measures, on the same texts (Civil Comments news comments from ../shared/data when
available, else generated ones of news length): ``civility score --input``'s scoring loop in
this process (model loaded, first call done); then a local Ray with 1 and with 2 workers
scoring the same JSONL file into Parquet, timed from the submitted job to the written files
(each actor's model load included, Ray's own start-up not, which is printed apart). It prints
comments/s, the ratio of 2 Ray workers to one process, and the hours 50M comments would take on
64 cores at the per-core rate measured with 2 workers. ``--batch-sizes`` also measures one
process's comments/s per model batch size, the measurement behind ``BATCH_SIZE``. Figures are
printed, never asserted: compare the ratios of one run on a quiet machine.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from score_throughput import news_comments  # noqa: E402

from civility.cli.score import score_file  # noqa: E402
from civility.moderation.rescore import ray_session, score_file_on  # noqa: E402
from civility.scoring import LanguageScorers, language_table, load_scorer  # noqa: E402

ARCHIVE = 50_000_000
CORES = 64


def single_process(tier: str, path: Path) -> float:
    """comments/s of ``civility score --input``'s loop, English declared (no detection)."""
    english = load_scorer(tier)
    languages = LanguageScorers(english, language_table(english.labels_))
    english.predict_proba(["warm up"])
    started = time.perf_counter()
    n, _ = score_file(languages, path, io.StringIO(), None, ["en"])
    return n / (time.perf_counter() - started)


def on_ray(tier: str, path: Path, workers: int, batch_size: int | None) -> tuple[float, float]:
    """(comments/s, Ray start-up seconds) of a local Ray with ``workers`` actors."""
    started = time.perf_counter()
    with ray_session(None, workers) as ray, tempfile.TemporaryDirectory() as out:
        startup = time.perf_counter() - started
        started = time.perf_counter()
        summary = score_file_on(
            ray, path, Path(out) / "scored", tier, workers=workers, batch_size=batch_size
        )
        elapsed = time.perf_counter() - started
    return summary.scored / elapsed, startup


def batch_sizes(tier: str, texts: list[str], sizes: list[int]) -> None:
    scorer = load_scorer(tier)
    scorer.predict_proba(texts[:8])
    for size in sizes:
        started = time.perf_counter()
        for i in range(0, len(texts), size):
            scorer.predict_proba(texts[i : i + size])
        rate = len(texts) / (time.perf_counter() - started)
        print(f"batch size {size:>5}: {rate:,.0f} comments/s (one process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="accurate")
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=None, help="default: BATCH_SIZE[tier]")
    parser.add_argument("--batch-sizes", default="", help="e.g. 16,64,256: measure these too")
    args = parser.parse_args()
    texts = news_comments(args.texts)
    if args.batch_sizes:
        batch_sizes(args.tier, texts, [int(s) for s in args.batch_sizes.split(",")])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comments.jsonl"
        path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        single = single_process(args.tier, path)
        mean = sum(map(len, texts)) / len(texts)
        print(f"{args.tier} tier, {len(texts)} comments, mean {mean:.0f} characters")
        print(f"civility score --input, 1 process: {single:,.0f} comments/s")
        rates = {}
        for workers in (1, 2):
            rates[workers], startup = on_ray(args.tier, path, workers, args.batch_size)
            print(
                f"Ray Data, {workers} worker(s): {rates[workers]:,.0f} comments/s "
                f"(Ray start-up {startup:.1f} s, not counted)"
            )
    print(f"ratio, 2 Ray workers / 1 process: {rates[2] / single:.2f}x (target >= 1.6x)")
    per_core = rates[2] / 2
    hours = ARCHIVE / (per_core * CORES) / 3600
    print(
        f"projected: {ARCHIVE:,} comments on {CORES} cores at {per_core:,.0f} comments/s per "
        f"core: {hours:.1f} hours"
    )


if __name__ == "__main__":
    main()
