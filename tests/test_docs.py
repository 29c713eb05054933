"""The reference pages describe what ships: short, generated figures, real commands only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from civility.cli import app
from civility.evaluation.shipped import (
    MEASURED_TIERS,
    TIERS,
    read_block,
    shipped_scorers,
    tiers_block,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"
REFERENCE_PAGES = ("fairness.md", "tiers.md")


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_reference_pages_stay_short(page: str) -> None:
    assert len((DOCS / page).read_text(encoding="utf-8").splitlines()) < 250


def test_the_tiers_page_figures_are_those_of_the_shipped_manifests() -> None:
    assert read_block(DOCS / "tiers.md") == tiers_block(shipped_scorers())


def test_the_fairness_page_figures_are_of_the_models_that_ship() -> None:
    block = read_block(DOCS / "fairness.md")
    rows = [line for line in block.splitlines() if line.startswith("| ") and "`" in line]
    named = {row.split(" | ")[0].strip("| "): row.split("`")[1] for row in rows}
    versions = {tier: s.version for tier, s in zip(TIERS, shipped_scorers(), strict=True)}
    assert named == {tier: versions[tier] for tier in MEASURED_TIERS}


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_every_command_the_pages_name_exists(page: str) -> None:
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    named = set(re.findall(r"`civility ([a-z-]+)", (DOCS / page).read_text(encoding="utf-8")))
    assert named and named <= commands
