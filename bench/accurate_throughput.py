"""Batch scoring throughput of the accurate and ensemble tiers, beside the fast tier and bert-base.

Run from the repository root:

    .venv/bin/python bench/accurate_throughput.py [--texts N] [--fast-texts N] [--bert-texts N]

All four run in the same invocation, each in its own process (its own peak memory), on the
same news-length comments, so their ratios are comparable even on a busy machine; absolute
figures are not. The accurate tier is measured twice: one process using every core through
onnxruntime's threads, and one single-threaded process per core (what ``civility serve
--workers N`` does). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_throughput import _peak_rss_mib, bert_reference, fast_tier, news_comments


def _tier_worker(tier: str, texts: list[str], threads: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    os.environ["CIVILITY_ONNX_THREADS"] = str(threads)
    from civility.scoring import load_scorer

    started = time.perf_counter()
    scorer = load_scorer(tier)
    load_s = time.perf_counter() - started
    scorer.predict_proba(texts[:32])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        scorer.predict_proba(texts[i : i + 256])
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts[:50]:
        scorer.spans(text)
    spans_ms = (time.perf_counter() - started) / min(50, len(texts)) * 1000
    queue.put(
        {"seconds": seconds, "load_s": load_s, "rss_mib": _peak_rss_mib(), "spans_ms": spans_ms}
    )


def tier(name: str, texts: list[str], processes: int, threads: int) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    shards = [texts[i::processes] for i in range(processes)]
    workers = [
        mp.Process(target=_tier_worker, args=(name, shard, threads, queue)) for shard in shards
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return {
        "comments_per_s": len(texts) / max(r["seconds"] for r in results),
        "load_s": max(r["load_s"] for r in results),
        "rss_mib_per_process": max(r["rss_mib"] for r in results),
        "spans_ms": max(r["spans_ms"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000, help="comments for accurate/ensemble")
    parser.add_argument("--fast-texts", type=int, default=20_000)
    parser.add_argument("--bert-texts", type=int, default=160)
    parser.add_argument("--skip-bert", action="store_true")
    args = parser.parse_args()
    texts = news_comments(args.texts)
    cpus = os.cpu_count() or 1
    print(
        f"{len(texts)} comments, mean {sum(map(len, texts)) / len(texts):.0f} characters, "
        f"{cpus} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    rows = [
        ("fast, 1 process", fast_tier(news_comments(args.fast_texts), 1)),
        (f"accurate, 1 process x {cpus} threads", tier("accurate", texts, 1, cpus)),
        (f"accurate, {cpus} processes x 1 thread", tier("accurate", texts, cpus, 1)),
        (f"ensemble, 1 process x {cpus} threads", tier("ensemble", texts, 1, cpus)),
    ]
    for label, r in rows:
        spans = f", spans {r['spans_ms']:.0f} ms/comment" if "spans_ms" in r else ""
        print(
            f"{label:38s}: {r['comments_per_s']:8.1f} comments/s, load {r['load_s']:.2f}s, "
            f"peak RSS {r['rss_mib_per_process']:.0f} MiB{spans}"
        )
    if args.skip_bert:
        return
    try:
        bert = bert_reference(news_comments(args.bert_texts), threads=cpus)
    except ImportError as exc:
        print(f"bert-base reference skipped: {exc}", file=sys.stderr)
        return
    print(
        f"{'bert-base (random weights, torch)':38s}: {bert['comments_per_s']:8.1f} comments/s, "
        f"peak RSS {bert['rss_mib_per_process']:.0f} MiB"
    )
    best = max(r["comments_per_s"] for label, r in rows if label.startswith("accurate"))
    print(f"ratio accurate (best) / bert-base: {best / bert['comments_per_s']:.1f}x")


if __name__ == "__main__":
    main()
