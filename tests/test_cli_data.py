"""Without the training data, each command that needs it names the file and where to get it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from civility.cli import DATA_NEEDS, main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "data.md"


@pytest.mark.parametrize(
    "args",
    [
        ["bias"],
        ["robustness"],
        ["reliability", "--output-dir", "{tmp}/reports"],
        ["data", "summary"],
        ["train", "--output", "{tmp}/model"],
        ["eval-report", "--output", "{tmp}/evaluation.md"],
    ],
)
def test_a_data_command_without_data_names_the_file_and_the_way_to_get_it(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    nowhere = tmp_path / "nowhere"
    monkeypatch.setenv("CIVILITY_TRAINING_DATA", str(nowhere))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    monkeypatch.setattr(sys, "argv", ["civility", *argv])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    (error,) = [line for line in capsys.readouterr().err.splitlines() if "Error:" in line]
    missing = re.search(
        rf"Training data file {re.escape(str(nowhere))}/(\S+?)/\S+ not found", error
    )
    assert missing, error
    command = " ".join(args[:2]) if args[0] == "data" else args[0]
    assert f"'civility {command}' reads {DATA_NEEDS[command]}" in error
    assert f"CIVILITY_TRAINING_DATA to it (now {nowhere})" in error and "docs/data.md" in error
    assert f"`{missing.group(1)}`" in DOCS.read_text()  # the dataset it names is documented
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-written
