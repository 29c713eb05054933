"""The fairness commands end to end, on the tiny model (shared data where a command needs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import civility
from civility.cli import app
from civility.data.augment import OBFUSCATIONS
from civility.evaluation.fairness import evaluate_bias
from civility.scoring import load_scorer
from tests.conftest import requires_data

runner = CliRunner()


@pytest.fixture(autouse=True)
def _tiny_model(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))


def test_functional_prints_every_behaviour_and_writes_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["functional", "--json", str(tmp_path / "f.json")])
    assert result.exit_code == 0, result.output
    assert "threat_history_or_prediction" in result.output
    assert "non-toxic cases:" in result.output
    report = json.loads((tmp_path / "f.json").read_text())
    assert report["totals"]["toxic"]["cases"] > 200
    assert 0.0 <= report["behaviours"]["negation"]["accuracy"] <= 1.0


def test_functional_runs_the_holdout_suite_by_name() -> None:
    result = runner.invoke(app, ["functional", "--suite", "holdout"])
    assert result.exit_code == 0, result.output
    assert "holdout suite" in result.output
    assert "insult_in_civil_context" in result.output


def test_robustness_on_a_labelled_file(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    rows = [
        ("you are an idiot", 1),
        ("what a stupid moron", 1),
        ("thanks, great article", 0),
        ("the weather has been lovely", 0),
    ]
    data.write_text("".join(json.dumps({"text": t, "TOXICITY": y}) + "\n" for t, y in rows))
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["robustness", "--input", str(data), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [r["perturbation"] for r in report["rows"]] == ["clean", *OBFUSCATIONS]
    assert report["toxic"] == 2


def test_a_file_without_labels_is_one_clear_error_line(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    data = tmp_path / "unlabelled.jsonl"
    data.write_text('{"text": "hello there"}\n')
    civility = Path(sys.executable).with_name("civility")
    result = subprocess.run(
        [str(civility), "robustness", "--input", str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "CIVILITY_MODEL_DIR": str(tiny_model_dir)},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: [C030] {data}, record 1: no numeric 'TOXICITY' label."
    ]


@pytest.mark.slow
@requires_data
def test_bias_on_the_templates_lists_identity_terms_and_the_final_score(tmp_path: Path) -> None:
    out = tmp_path / "bias.json"
    result = runner.invoke(app, ["bias", "--data", "templates", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "final bias score" in result.output
    report = json.loads(out.read_text())["templates"]
    names = {row["subgroup"] for row in report["subgroups"]}
    assert {"gay", "muslim", "african american", "deaf"} <= names
    assert report["n"] == 76_564
    assert 0.0 <= report["final_score"] <= 1.0


@requires_data
def test_reliability_writes_one_png_per_attribute(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["reliability", "--source", "ethos", "--source", "hatexplain", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "reliability_TOXICITY.png").is_file()
    assert "TOXICITY\tECE" in result.output


BIAS_FLOOR_TEMPLATES = 0.95
"""Final bias score of the shipped fast model on the templates (0.960 measured), rounded down."""


@requires_data
@pytest.mark.skipif(
    not (Path(civility.__file__).parent / "models" / "fast" / "manifest.json").is_file(),
    reason="the shipped fast model is not built in this checkout",
)
@pytest.mark.slow
def test_shipped_model_holds_its_bias_score(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVILITY_MODEL_DIR")
    report = evaluate_bias(load_scorer("fast"), ["templates"])["templates"]
    assert report["final_score"] >= BIAS_FLOOR_TEMPLATES  # type: ignore[index]
