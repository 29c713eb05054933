"""The moderation service as its callers see it: one event schema, calibrated imports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from civility.cli import app
from civility.moderation.calibration import calibration_loader
from civility.moderation.service import ModerationService
from civility.scoring import FastScorer
from civility.store import (
    Comment,
    Community,
    Decision,
    Feedback,
    Score,
    Store,
    Webhook,
    WebhookDelivery,
    open_store,
)
from tests.moderation.conftest import submit


def _payloads(store: Store) -> list[dict]:
    with store.session() as session:
        return list(session.scalars(select(WebhookDelivery.payload).order_by(WebhookDelivery.id)))


def test_policy_and_moderator_decisions_send_the_same_event_shape(
    store: Store, tiny_scorer: FastScorer, moderators: list[str]
) -> None:
    with store.writer() as session:
        community = Community(slug="default", name="default")
        session.add(community)
        session.flush()
        session.add(
            Webhook(community_id=community.id, url="https://cms.example/h", secret="s" * 16)
        )
    rows = [{"article_id": "a1", "comment_id": "c1", "text": "you are an idiot"}]
    submit(store, tiny_scorer, rows)
    ModerationService(store).decide("default", "c1", "approve", "alice", "fair point")
    by_policy, by_moderator = _payloads(store)
    assert by_policy["event"] == by_moderator["event"] == "comment.decided"
    assert by_policy.keys() == by_moderator.keys()
    assert (by_policy["actor"], by_policy["moderator"], by_policy["status"]) == (
        "policy:toxic",
        None,
        "held",
    )
    assert by_policy["scores"]["TOXICITY"] >= 0.5
    assert (by_moderator["moderator"], by_moderator["status"], by_moderator["scores"]) == (
        "alice",
        "approved",
        None,
    )


def _archive(path: Path, prefix: str, n: int) -> Path:
    texts = ["you are an idiot", "Thank you for this careful reporting.", "what a stupid moron"]
    path.write_text(
        "".join(
            json.dumps(
                {"article_id": "a1", "comment_id": f"{prefix}{i}", "text": f"{texts[i % 3]} {i}"}
            )
            + "\n"
            for i in range(n)
        )
    )
    return path


def test_import_decides_on_the_communitys_calibrated_scores(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``civility import`` decides as the live API would: through the community's calibration."""
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))
    url = f"sqlite:///{tmp_path / 'civility.db'}"
    runner = CliRunner()
    first = runner.invoke(
        app,
        [
            "import",
            str(_archive(tmp_path / "old.jsonl", "o", 60)),
            "--community",
            "news",
            "--create-community",
            "--database",
            url,
        ],
    )
    assert first.exit_code == 0, first.output
    store = open_store(url)
    # The community's moderators rejected everything scoring above the median: stricter than
    # the model, so their calibrated scores differ from the raw ones.
    with store.writer() as session:
        community = session.scalar(select(Community).where(Community.slug == "news"))
        assert community is not None
        scored = session.execute(
            select(Comment.id, Score.value)
            .join(Score, Score.comment_id == Comment.id)
            .where(Score.attribute == "TOXICITY")
        ).all()
        median = sorted(v for _, v in scored)[len(scored) // 2]
        for comment_id, value in scored:
            session.add(
                Feedback(
                    source="moderator",
                    community="news",
                    community_id=community.id,
                    comment_id=comment_id,
                    attribute="TOXICITY",
                    value=float(value >= median),
                )
            )
    second = runner.invoke(
        app,
        [
            "import",
            str(_archive(tmp_path / "new.jsonl", "n", 3)),
            "--community",
            "news",
            "--database",
            url,
        ],
    )
    assert second.exit_code == 0, second.output
    with store.session() as session:
        community = session.scalar(select(Community).where(Community.slug == "news"))
        calibrate = calibration_loader()(session, community)
        assert calibrate is not None
        rows = session.execute(
            select(Score.value, Decision.scores)
            .join(Comment, Comment.id == Score.comment_id)
            .join(Decision, Decision.comment_id == Comment.id)
            .where(Comment.external_id.like("n%"), Score.attribute == "TOXICITY")
        ).all()
    store.dispose()
    raw = np.array([value for value, _ in rows])
    decided_on = np.array([scores["TOXICITY"] for _, scores in rows])
    column = calibrate.labels.index("TOXICITY")
    expected = calibrate(np.repeat(raw[:, None], len(calibrate.labels), axis=1))[:, column]
    assert decided_on == pytest.approx(expected, abs=1e-3)
    assert np.abs(decided_on - raw).max() > 0.01  # scores are rounded to 1e-4
