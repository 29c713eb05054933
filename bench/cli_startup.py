"""How long ``civility --help`` and ``civility score --help`` take to answer: prints figures.

    .venv/bin/python bench/cli_startup.py [--runs 10]

Each command runs in a fresh process (``python -m civility``, so the interpreter's start is
counted), ``--runs`` times; the best and median wall times are printed. The target is under
0.5 s: the command modules import their heavy libraries (FastAPI, SQLAlchemy, scikit-learn,
onnxruntime) inside the commands that use them. On a shared machine the best run is the figure
to read; the median shows how busy the machine was.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = (["--help"], ["score", "--help"])


def wall_times(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "civility", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    for args in COMMANDS:
        times = wall_times(args, runs)
        print(
            f"civility {' '.join(args)}: best {min(times):.3f} s, "
            f"median {statistics.median(times):.3f} s over {runs} runs"
        )


if __name__ == "__main__":
    main()
