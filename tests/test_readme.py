"""The README says what is true: its set-up commands and the figures the shipped models carry.

Figures are read from whatever models are shipped, so retraining a model and running
``python scripts/readme_figures.py`` keeps this passing; retraining without it does not.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from scripts.readme_figures import (
    FIGURES,
    README,
    SUITE_OF_ROW,
    functional_totals,
    suite_cases,
    table_rows,
)

ROOT = Path(__file__).resolve().parents[1]
CASES_MARGIN = 2
"""Cases a suite's total may differ by across machines: int8 and BLAS sums differ by CPU."""
REGENERATE = "stale: run `python scripts/readme_figures.py` after retraining a model"


def setup_commands() -> list[str]:
    """The README's set-up block as ``scripts/fresh-check`` reads it."""
    block = README.read_text("utf-8").split("## Set up", 1)[1].split("```bash\n", 1)[1]
    lines = block.split("```", 1)[0].splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_setup_is_two_commands_serve_on_the_runtime_install_and_test_with_dev() -> None:
    serve, test = setup_commands()
    assert serve == (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/civility serve"
    )
    assert test == ".venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest"
    check = subprocess.run(
        ["bash", "-n", str(ROOT / "scripts" / "fresh-check")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("row", sorted(set(FIGURES) - set(SUITE_OF_ROW)))
def test_a_figure_from_the_shipped_manifests_and_cards(row: str) -> None:
    _, figure = table_rows(README.read_text("utf-8"))[row]
    assert figure == FIGURES[row](), REGENERATE


@pytest.mark.parametrize("row", sorted(SUITE_OF_ROW))
def test_a_functional_suite_figure_within_the_floors_margin(row: str) -> None:
    """The suites are run here; a case or two may flip on another CPU (see the floors' margin)."""
    suite = SUITE_OF_ROW[row]
    line, figure = table_rows(README.read_text("utf-8"))[row]
    assert f"({suite_cases(suite)} cases" in line, REGENERATE
    written = [float(p) for p in re.findall(r"([0-9.]+)%", figure)]
    totals = [t for tier in ("fast", "ensemble") for t in functional_totals(tier, suite)]
    assert len(written) == len(totals) == 4
    for percent, (correct, cases) in zip(written, totals, strict=True):
        assert abs(percent / 100 * cases - correct) <= CASES_MARGIN + 0.5, REGENERATE
