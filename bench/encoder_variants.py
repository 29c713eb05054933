"""Speed of encoder exports against each other, on the same news comments, in one run.

Run from the repository root after exporting the variants you want to compare, e.g.

    .venv/bin/python -c "from civility.training import accurate as t; t.export_encoder(6)"
    .venv/bin/python bench/encoder_variants.py var/cache/accurate/encoder-L6:128 \\
        var/cache/accurate/encoder-L3:128 var/cache/accurate/encoder-L3:64

Each argument is ``DIRECTORY:MAX_TOKENS``. Figures are relative to the first variant: the
ratios hold on a busy machine, the absolute rates do not. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_throughput import news_comments

from civility.scoring._encoder import OnnxEncoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="DIRECTORY:MAX_TOKENS")
    parser.add_argument("--texts", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=0, help="0: every core")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many")
    args = parser.parse_args()
    encoders = []
    for spec in args.variants:
        directory, _, tokens = spec.rpartition(":")
        encoders.append((spec, OnnxEncoder(directory, int(tokens), threads=args.threads or None)))
    texts = news_comments(args.texts)
    best = dict.fromkeys(args.variants, 0.0)
    for _ in range(args.rounds):  # interleaved, so load changes hit every variant alike
        for spec, encoder in encoders:
            started = time.perf_counter()
            encoder.embed(texts)
            best[spec] = max(best[spec], len(texts) / (time.perf_counter() - started))
    first = best[args.variants[0]]
    for spec, rate in best.items():
        print(f"{spec:50s} {rate:8.1f} texts/s  {rate / first:5.2f}x")


if __name__ == "__main__":
    main()
