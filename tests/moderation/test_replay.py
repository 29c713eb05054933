"""``civility policy test``: replaying an archive through a policy, per rule, storing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civility.cli import app
from civility.moderation.archive import iter_archive
from civility.moderation.policy import parse_policy
from civility.moderation.replay import replay
from civility.scoring import FastScorer
from conftest import RecordingScorer
from tests.conftest import english_only

POLICY = """\
name = "test"

[[rules]]
name = "second-strike"
when = "author.held >= 1 and TOXICITY >= 0.5"
action = "reject"

[[rules]]
name = "toxic"
when = "TOXICITY >= 0.5"
action = "hold"

[[rules]]
name = "newcomer-link"
when = "links > 0 and author.approved < 3"
action = "hold"
"""


def test_replay_counts_per_rule_with_history(tiny_scorer: FastScorer, jsonl_archive: Path) -> None:
    result = replay(
        parse_policy(POLICY), iter_archive(jsonl_archive), english_only(tiny_scorer), batch_size=4
    )
    assert result.total == 6
    # bob's insult is held; his second comment (another batch) is rejected on his record.
    assert result.rules["toxic"] == 1
    assert result.rules["second-strike"] == 1
    assert result.rules["newcomer-link"] == 1
    assert result.actions == {"approve": 3, "hold": 2, "reject": 1}
    assert result.examples["newcomer-link"] == ["Read more at https://spam.example.com/x now"]


def test_scorer_is_called_once_per_batch(tiny_scorer: FastScorer, jsonl_archive: Path) -> None:
    scorer = RecordingScorer(tiny_scorer)
    replay(parse_policy(POLICY), iter_archive(jsonl_archive), english_only(scorer), batch_size=4)  # type: ignore[arg-type]
    assert scorer.calls == [4, 2]


@pytest.fixture
def cli_env(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))


@pytest.mark.usefixtures("cli_env")
def test_policy_test_command_prints_actions_and_rules(tmp_path: Path, csv_archive: Path) -> None:
    policy = tmp_path / "site.toml"
    policy.write_text(POLICY)
    result = CliRunner().invoke(app, ["policy", "test", str(policy), str(csv_archive)])
    assert result.exit_code == 0, result.output
    assert "over 6 comments" in result.output
    assert "second-strike" in result.output
    as_json = CliRunner().invoke(app, ["policy", "test", str(policy), str(csv_archive), "--json"])
    data = json.loads(as_json.stdout)
    assert data["actions"] == {"approve": 3, "hold": 2, "reject": 1}
    assert {r["rule"] for r in data["rules"]} == {
        "toxic",
        "newcomer-link",
        "second-strike",
        "(default)",
    }


@pytest.mark.usefixtures("cli_env")
def test_policy_test_refuses_an_invalid_policy_in_one_line(
    tmp_path: Path, csv_archive: Path
) -> None:
    policy = tmp_path / "site.yaml"
    policy.write_text("rules:\n  - when: TOXICITY >= 0.5\n    action: delete\n")
    result = CliRunner().invoke(app, ["policy", "test", str(policy), str(csv_archive)])
    assert result.exit_code != 0
    assert "site.yaml, line 3" in str(result.exception)
