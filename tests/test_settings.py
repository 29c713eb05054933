"""Settings come from one table, a TOML file and CIVILITY_* variables, in that order."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from civility.errors import ConfigError
from civility.settings import SETTINGS, Settings, env_name, load_settings


def test_defaults_serve_on_sqlite_in_the_per_user_data_dir() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    data_dir = platformdirs.user_data_path("civility")
    assert settings.resolved_data_dir == data_dir and data_dir.is_absolute()
    assert settings.resolved_database_url == f"sqlite:///{data_dir}/civility.db"
    assert settings.port == 8080
    assert settings.feedback_enabled is True


def test_every_setting_has_help_and_an_env_variable() -> None:
    assert len(SETTINGS) >= 10
    for setting in SETTINGS:
        assert setting.help.strip(), setting.name
        assert env_name(setting.name) == "CIVILITY_" + setting.name.upper()


def test_env_overrides_file_and_flags_override_env(tmp_path: Path) -> None:
    config = tmp_path / "civility.toml"
    config.write_text('port = 9000\nworkers = 3\ndata_dir = "/srv/civility"\n')
    env = {
        "CIVILITY_CONFIG": str(config),
        "CIVILITY_PORT": "9100",
        "CIVILITY_FEEDBACK_ENABLED": "no",
    }
    settings = load_settings(environ=env, workers=None, host="0.0.0.0")
    assert settings.port == 9100  # env beats file
    assert settings.workers == 3  # file beats default; None override ignored
    assert settings.host == "0.0.0.0"  # explicit override beats everything
    assert settings.feedback_enabled is False
    assert settings.resolved_database_url == "sqlite:////srv/civility/civility.db"


def test_civility_table_in_shared_config_file(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[civility]\ndatabase_url = "postgresql+psycopg://db/civ"\n')
    settings = load_settings(config, environ={})
    assert settings.resolved_database_url == "postgresql+psycopg://db/civ"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CIVILITY_PORT": "eighty"},
            "Setting 'port' has value 'eighty' (from CIVILITY_PORT). Not a valid integer.",
        ),
        (
            {"CIVILITY_WORKERS": "-2"},
            "Setting 'workers' has value '-2' (from CIVILITY_WORKERS). Must be >= 0.",
        ),
        (
            {"CIVILITY_REQUIRE_KEY": "maybe"},
            "Setting 'require_key' has value 'maybe' (from CIVILITY_REQUIRE_KEY). "
            "Not a valid boolean.",
        ),
    ],
)
def test_bad_env_value_names_key_and_value(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env)
    assert info.value.message == message


def test_unknown_key_in_file_is_refused_with_the_list(tmp_path: Path) -> None:
    config = tmp_path / "civility.toml"
    config.write_text("prot = 80\n")
    with pytest.raises(ConfigError, match=r"unknown setting 'prot'\. Available: data_dir, "):
        load_settings(config, environ={})


def test_invalid_toml_and_missing_file_are_one_line_errors(tmp_path: Path) -> None:
    config = tmp_path / "civility.toml"
    config.write_text("port = = 1\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings(config, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_wrong_type_in_file_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "civility.toml"
    config.write_text('port = "x"\n')
    with pytest.raises(ConfigError, match=f"has value 'x' \\(from {config}\\)"):
        load_settings(config, environ={})


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    for setting in SETTINGS:
        assert f"| `{setting.name}` | `{env_name(setting.name)}` |" in docs, setting.name
