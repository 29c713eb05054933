"""``civility authors``: the desk's author actions from a shell, applied at the next intake."""

from __future__ import annotations

from pathlib import Path

import pytest

from civility.scoring import FastScorer
from civility.store import open_store
from tests.moderation.conftest import submit
from tests.moderation.test_communities import run


@pytest.fixture
def news(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A fresh data directory with a community 'news' and its moderator alice."""
    monkeypatch.setenv("CIVILITY_DATA_DIR", str(tmp_path))
    assert run(monkeypatch, capsys, "communities", "create", "news")[0] == 0
    moderator = ("moderators", "create", "alice", "--community", "news", "--password-stdin")
    assert run(monkeypatch, capsys, *moderator, stdin="a long password\n")[0] == 0
    return tmp_path / "civility.db"


def test_a_ban_from_the_shell_rejects_the_next_comment(
    news: Path,
    tiny_scorer: FastScorer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    act = ("authors", "act", "news", "mikko_h", "ban", "--moderator", "alice")
    code, out, err = run(monkeypatch, capsys, *act, "--reason", "slurs")
    assert code == 0, err
    assert out.startswith("mikko_h in news: banned\n")
    assert "ban by alice: slurs" in out
    store = open_store(f"sqlite:///{news}")
    try:
        row = {"article_id": "a1", "comment_id": "c1", "text": "Nice piece.", "author": "mikko_h"}
        [decided] = submit(store, tiny_scorer, [row], community="news")
    finally:
        store.dispose()
    assert (decided.status, decided.rule) == ("rejected", "author-banned")
    code, out, _ = run(monkeypatch, capsys, "authors", "show", "news", "mikko_h")
    assert code == 0 and "1 comments (1 rejected)" in out


def test_bad_actions_are_one_clear_line(
    news: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("authors", "act", "news", "mikko_h")
    code, _, err = run(monkeypatch, capsys, *base, "suspend", "--moderator", "alice")
    assert code != 0 and "is required to suspend" in err
    code, _, err = run(
        monkeypatch, capsys, *base, "suspend", "--moderator", "alice", "--hours", "400"
    )
    assert code != 0 and "from 1 hour to 7 days" in err
    code, _, err = run(monkeypatch, capsys, *base, "exile", "--moderator", "alice")
    assert code != 0 and "must be one of ban, unban" in err
    code, _, err = run(monkeypatch, capsys, *base, "warn", "--moderator", "nobody")
    assert code != 0 and "nobody" in err
    assert len(err.strip().splitlines()) <= 2
    code, out, _ = run(
        monkeypatch, capsys, *base, "suspend", "--moderator", "alice", "--hours", "24"
    )
    assert code == 0 and "mikko_h in news: suspended until" in out
