"""``civility communities`` and the store every command finds: the README's first commands."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from civility.cli import main
from civility.moderation.policies import PolicyCache
from civility.moderation.policy import default_policy
from civility.store import Comment, Community, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    """``civility ARGS`` as a shell runs it: its exit code, standard output and error."""
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
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory named by the environment, as a user's shell would."""
    path = tmp_path / "data"
    monkeypatch.setenv("CIVILITY_DATA_DIR", str(path))
    return path


def test_the_readme_moderator_line_works_after_communities_create(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    moderator = ("moderators", "create", "alice", "--community", "news", "--password-stdin")
    code, _, err = run(monkeypatch, capsys, *moderator, stdin="a long password\n")
    assert code == 2 and "Create it with 'civility communities create news'" in err
    code, out, err = run(monkeypatch, capsys, "communities", "create", "news", "--name", "News")
    assert code == 0 and out == "Created community news\tNews\tdefault policy\n"
    assert f"Store: sqlite:///{data_dir / 'civility.db'}" in err
    code, out, err = run(monkeypatch, capsys, *moderator, stdin="a long password\n")
    assert code == 0 and "alice\tnews" in out, err
    code, _, err = run(monkeypatch, capsys, "communities", "create", "news")
    assert code == 2 and "Community 'news' already exists" in err


def test_set_policy_checks_the_file_and_default_goes_back(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(monkeypatch, capsys, "communities", "create", "news")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\n[[rules]]\nname = "r"\nwhen = "TOXICITY >>= 0.5"\n')
    code, _, err = run(monkeypatch, capsys, "communities", "set-policy", "news", str(broken))
    assert code == 2 and f"{broken}, line" in err
    strict = EXAMPLES / "strict.yaml"
    code, out, _ = run(monkeypatch, capsys, "communities", "set-policy", "news", str(strict))
    assert code == 0 and out == "news\tnews\town policy\n"
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    with store.session() as session:
        community = session.scalar(select(Community).where(Community.slug == "news"))
        assert community is not None
        assert PolicyCache().policy(community).name != default_policy().name
    code, out, _ = run(monkeypatch, capsys, "communities", "set-policy", "news", "--default")
    assert code == 0 and out == "news\tnews\tdefault policy\n"
    with store.session() as session:
        community = session.scalar(select(Community).where(Community.slug == "news"))
        assert community is not None and PolicyCache().policy(community) == default_policy()
    code, _, err = run(monkeypatch, capsys, "communities", "set-policy", "sport", str(strict))
    assert code == 2 and "'civility communities create sport'" in err
    code, out, _ = run(monkeypatch, capsys, "communities", "list")
    assert out == "news\tnews\tdefault policy\n"
    store.dispose()


def test_import_refuses_an_unknown_community_unless_asked_to_create_it(
    data_dir: Path,
    csv_archive: Path,
    tiny_model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))
    code, _, err = run(monkeypatch, capsys, "import", str(csv_archive), "--community", "nwes")
    assert code == 2 and "Create it with 'civility communities create nwes'" in err
    code, out, err = run(
        monkeypatch, capsys, "import", str(csv_archive), "--community", "nwes", "--create-community"
    )
    assert code == 0 and "Imported 6 comments into 'nwes'" in out, err
    store = open_store(f"sqlite:///{data_dir / 'civility.db'}")
    with store.session() as session:
        assert len(session.scalars(select(Comment)).all()) == 6
    store.dispose()


def test_commands_from_any_directory_share_one_store(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, key, err = run(monkeypatch, capsys, "keys", "create", "cms")
    assert code == 0 and f"Store: sqlite:///{data_dir / 'civility.db'}" in err
    monkeypatch.chdir(elsewhere)
    code, out, err = run(monkeypatch, capsys, "keys", "list")
    assert code == 0 and out.startswith(key.strip()[:12]) and "cms" in out
    assert f"Store: sqlite:///{data_dir / 'civility.db'}" in err
    assert os.listdir(elsewhere) == []


def test_a_store_password_is_not_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://civility:s3cret@127.0.0.1:1/nowhere"
    code, _, err = run(monkeypatch, capsys, "keys", "list", "--database", url)
    assert "Store: postgresql+psycopg://civility:***@127.0.0.1:1/nowhere" in err
    assert "s3cret" not in err and code != 0


def test_a_community_created_with_a_language_lists_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        monkeypatch, capsys, "communities", "create", "zeitung", "--language", "de-AT"
    )
    assert code == 0 and out == "Created community zeitung\tzeitung\tdefault policy\tde\n"
    code, _, err = run(monkeypatch, capsys, "communities", "create", "x", "--language", "not one")
    assert code == 2 and "'not one' is not a language code" in err
    code, out, _ = run(monkeypatch, capsys, "communities", "list")
    assert out == "zeitung\tzeitung\tdefault policy\tde\n"
