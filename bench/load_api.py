"""Load benchmark of the Perspective-compatible API: latency at fixed request rates.

Run from the repository root:

    .venv/bin/python bench/load_api.py [--rates 100,200,400] [--workers 1,2] [--seconds 10]
                                       [--model-dir ROOT | --tiny] [--recovery-rate 50]

For each worker count it starts ``civility serve`` on a loopback port (fresh SQLite data
directory, no rate limit), then for each rate sends comments:analyze calls open-loop: request
i is sent at start + i/rate whatever happened to earlier ones, so a slow server shows as latency
instead of silently lowering the rate. Latency is measured from the scheduled send time, for
the requests that were served; requests the server shed (429 or 503 with ``Retry-After``, see
``max_concurrency``) are counted apart, as a share. After the given rates, a last step at
``--recovery-rate`` shows whether the server recovered from them. ``rss MiB`` is the server's
peak resident memory so far (all its processes), ``fds`` its open file descriptors after a step.
Loopback only; each step is bounded by --seconds and at most --max-requests calls.

Comments are Civil Comments posts (the Toxic Spans files in ../shared/data) when available,
else generated news-length comments. ``--tiny`` trains the tests' 20-sentence model into a
temporary directory: the fast tier's cost per comment does not depend on what it learnt (hashed
n-grams, one sparse product), so its timings stand in for the shipped model's. The client runs
on the same machine and takes CPU too; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "toxic-spans"


def comments(n: int = 2000) -> tuple[list[str], str]:
    texts: list[str] = []
    for name in ("tsd_train.jsonl", "tsd_test.jsonl", "tsd_trial.jsonl"):
        path = SHARED / name
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    texts = [t for t in texts if t.strip() and len(t.encode()) <= 20_480]
    if texts:
        random.Random(0).shuffle(texts)
        return texts[:n], "Civil Comments posts (Toxic Spans)"
    words = [
        "the",
        "council",
        "budget",
        "library",
        "mayor",
        "should",
        "resign",
        "frankly",
        "anyone",
        "who",
        "read",
        "knows",
        "money",
        "there",
        "idiot",
        "article",
        "thanks",
        "great",
        "reporting",
        "disagree",
        "decision",
        "vote",
        "election",
        "people",
    ]
    rng = random.Random(0)
    return [" ".join(rng.choices(words, k=rng.randint(8, 80))) + "." for _ in range(n)], (
        "generated news-length comments"
    )


def tiny_model_root() -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from civility.scoring import FastScorer
    from conftest import load_tiny_corpus  # type: ignore[import-not-found]

    texts, labels = load_tiny_corpus()
    scorer = FastScorer(min_df=1, alpha=1e-4, max_iter=200).fit(texts * 3, np.vstack([labels] * 3))
    root = Path(tempfile.mkdtemp(prefix="civility-bench-model-"))
    scorer.save(root / "fast", metadata={"model_version": "tiny"})
    return root


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the server's workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
        found.append(current)
    return found


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its descendants.

    Latency on a shared machine depends on what else runs; CPU per request does not, so it is
    printed too.
    """
    total = 0.0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def process_tree_peak_rss(pid: int) -> float:
    """Peak resident memory so far (VmHWM), in MiB, summed over ``pid`` and its descendants."""
    total = 0
    for current in process_tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        total += int(match.group(1)) if match else 0
    return total / 1024


def process_tree_fds(pid: int) -> int:
    """Open file descriptors (sockets included) of ``pid`` and its descendants."""
    total = 0
    for current in process_tree(pid):
        try:
            total += len(os.listdir(f"/proc/{current}/fd"))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    workers: int, model_root: Path | None, microbatch_max: int = 32
) -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="civility-bench-")
    env = {
        **os.environ,
        "CIVILITY_DATA_DIR": data_dir,
        "CIVILITY_RATE_LIMIT_PER_MINUTE": "0",
        "CIVILITY_LOG_LEVEL": "warning",
        "NO_PROXY": "127.0.0.1",
        "CIVILITY_MICROBATCH_MAX": str(microbatch_max),
    }
    if model_root is not None:
        env["CIVILITY_MODEL_DIR"] = str(model_root)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from civility.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    match = re.search(r"(civ_\S+)", process.stdout.readline())
    if not match:
        process.kill()
        raise SystemExit(f"civility serve did not start: {process.stdout.read()}")
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url, match.group(1)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("civility serve did not become healthy")


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP for this benchmark.

    A general-purpose async client costs several milliseconds of CPU per request, as much as
    the server it measures on a 2-core machine; this one costs a small fraction of that, so
    the figures are the server's.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def post(self, host: str, path: str, body: bytes) -> tuple[int, bytes]:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("server closed the connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        self.writer.close()


async def run_rate(
    url: str, key: str, texts: list[str], rate: float, seconds: float, max_requests: int
) -> dict[str, float]:
    n = min(int(rate * seconds), max_requests)
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    path = f"/v1alpha1/comments:analyze?key={key}"
    bodies = []
    for i in range(n):
        body: dict[str, object] = {
            "comment": {"text": texts[i % len(texts)]},
            "requestedAttributes": {"TOXICITY": {}, "INSULT": {}, "THREAT": {}},
        }
        if i % 2:
            body["languages"] = ["en"]
        bodies.append(json.dumps(body).encode())
    idle: list[Connection] = [await Connection.open(host, port) for _ in range(32)]
    for conn in idle[:8]:  # warm up the connections and the model
        await conn.post(host, path, bodies[0])
    latencies: list[float] = []
    errors = shed = 0
    start = time.perf_counter() + 0.05

    async def one(i: int) -> None:
        nonlocal errors, shed
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conn = idle.pop() if idle else await Connection.open(host, port)
        try:
            status, _ = await conn.post(host, path, bodies[i])
        except (ConnectionError, asyncio.IncompleteReadError):  # idle keep-alive timed out
            conn.close()
            conn = await Connection.open(host, port)
            status, _ = await conn.post(host, path, bodies[i])
        idle.append(conn)
        if status == 200:
            latencies.append(time.perf_counter() - scheduled)
        elif status in (429, 503):  # shed by the server, with Retry-After
            shed += 1
        else:
            errors += 1

    await asyncio.gather(*(one(i) for i in range(n)))
    elapsed = time.perf_counter() - start
    for conn in idle:
        conn.close()
    ms = np.array(latencies) * 1000
    return {
        "rate": rate,
        "sent": n,
        "ok": len(latencies),
        "errors": errors,
        "shed": shed / n if n else 0.0,
        "throughput": len(latencies) / elapsed,
        "p50": float(np.percentile(ms, 50)) if len(ms) else float("nan"),
        "p95": float(np.percentile(ms, 95)) if len(ms) else float("nan"),
        "p99": float(np.percentile(ms, 99)) if len(ms) else float("nan"),
        "max": float(ms.max()) if len(ms) else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="100,200,400", help="Requests per second to try.")
    parser.add_argument("--workers", default="1,2", help="Server worker counts to try.")
    parser.add_argument("--seconds", type=float, default=10.0, help="Duration of each step.")
    parser.add_argument("--max-requests", type=int, default=5000, help="Cap per step.")
    parser.add_argument("--model-dir", type=Path, help="Models root (CIVILITY_MODEL_DIR).")
    parser.add_argument("--tiny", action="store_true", help="Use the tests' tiny model.")
    parser.add_argument(
        "--microbatch-max", type=int, default=32, help="Server micro-batch cap (1: no batching)."
    )
    parser.add_argument(
        "--recovery-rate",
        type=float,
        default=50.0,
        help="Rate of a last step after the others, to see the server recover (0: none).",
    )
    args = parser.parse_args()

    texts, source = comments()
    model_root = tiny_model_root() if args.tiny else args.model_dir
    tier = os.environ.get("CIVILITY_TIER", "fast")
    model = "tiny test model" if args.tiny else str(model_root or f"shipped {tier} tier")
    print(
        f"comments: {source}; model: {model}; {os.cpu_count()} CPUs; loopback; "
        f"micro-batches up to {args.microbatch_max}"
    )
    print(
        f"{'workers':>7} {'rate/s':>9} {'sent':>6} {'ok':>6} {'shed':>6} {'err':>4} "
        f"{'thru/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'cpu ms/req':>10} {'rss MiB':>7} {'fds':>5} {'load':>5}"
    )
    print("(p50..max: accepted requests only; shed: share refused with 429/503 and Retry-After)")
    steps = [(float(r), "") for r in args.rates.split(",")]
    if args.recovery_rate:
        steps.append((args.recovery_rate, " after"))
    for workers in [int(w) for w in args.workers.split(",")]:
        process, url, key = start_server(workers, model_root, args.microbatch_max)
        try:
            for rate, label in steps:
                cpu_before = process_tree_cpu(process.pid)
                r = asyncio.run(run_rate(url, key, texts, rate, args.seconds, args.max_requests))
                cpu = (process_tree_cpu(process.pid) - cpu_before) / max(1, r["sent"] + 8)
                print(
                    f"{workers:>7} {f'{rate:.0f}{label}':>9} {r['sent']:>6} {r['ok']:>6} "
                    f"{100 * r['shed']:>5.1f}% {r['errors']:>4} {r['throughput']:>7.1f} "
                    f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} "
                    f"{cpu * 1000:>10.2f} {process_tree_peak_rss(process.pid):>7.0f} "
                    f"{process_tree_fds(process.pid):>5} {os.getloadavg()[0]:>5.1f}",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
