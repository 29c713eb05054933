"""``civility moderators``: accounts as an administrator creates them from a shell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from civility.cli import main
from civility.store import Community, Moderator, Store, open_store
from civility.web.accounts import authenticate


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    import io

    monkeypatch.setattr(sys, "argv", ["civility", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Store]:
    url = f"sqlite:///{tmp_path / 'civility.db'}"
    store = open_store(url)
    with store.writer() as session:
        session.add_all(
            [Community(slug="news", name="News"), Community(slug="sport", name="Sport")]
        )
    return url, store


def test_create_list_assign_and_passwd(
    db: tuple[str, Store], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, store = db
    code, out, _ = run(
        monkeypatch,
        capsys,
        "moderators",
        "create",
        "alice",
        "-c",
        "news",
        "--password-stdin",
        "--database",
        url,
        stdin="a long password\n",
    )
    assert code == 0 and "alice\tnews" in out
    with store.session() as session:
        stored = session.query(Moderator).filter_by(username="alice").one().password_hash
    assert stored.startswith("$argon2id$") and "a long password" not in stored
    assert authenticate(store, "alice", "a long password") is not None

    code, out, _ = run(
        monkeypatch, capsys, "moderators", "assign", "alice", "sport", "--database", url
    )
    assert code == 0 and "alice\tnews, sport" in out
    code, out, _ = run(monkeypatch, capsys, "moderators", "list", "--database", url)
    assert out.strip() == "alice\tnews, sport"

    code, _, _ = run(
        monkeypatch,
        capsys,
        "moderators",
        "passwd",
        "alice",
        "--password-stdin",
        "--database",
        url,
        stdin="a newer password\n",
    )
    assert code == 0
    assert authenticate(store, "alice", "a long password") is None
    assert authenticate(store, "alice", "a newer password") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("create", "bob", "-c", "nwes"), "a long password", "Unknown community 'nwes'. Available"),
        (("create", "bob"), "short", "at least 10 characters"),
        (("passwd", "nobody"), "a long password", "No moderator is called 'nobody'"),
    ],
)
def test_mistakes_are_one_line_errors(
    db: tuple[str, Store],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    url, _ = db
    code, _, err = run(
        monkeypatch,
        capsys,
        "moderators",
        *args,
        "--password-stdin",
        "--database",
        url,
        stdin=stdin + "\n",
    )
    store_line, error = err.strip().splitlines()  # which store, then the one-line error
    assert code == 2 and store_line == f"Store: {url}"
    assert message in error and "Traceback" not in err
