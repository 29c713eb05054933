"""Server settings: one table of (name, default, help), read from a TOML file and the environment.

The table is the single source for the ``CIVILITY_<NAME>`` environment variables, the config
file keys, ``civility serve``'s defaults and ``docs/api.md``; a setting is added in one place.
Precedence, lowest first: embedded default, config file, environment, explicit overrides (CLI
flags). With nothing configured Civility serves on SQLite in the per-user data directory, so a
first run needs no setup at all, and every command, from whatever directory it is run, finds the
same store.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import platformdirs

from civility.errors import ConfigError

ENV_PREFIX = "CIVILITY_"
CONFIG_ENV = "CIVILITY_CONFIG"
"""Environment variable naming the TOML config file (also ``civility serve --config``)."""


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every knob of a Civility server; ``SETTINGS`` below is this class read as a table."""

    data_dir: str = _setting(
        "",
        "Directory for the SQLite database and other local state (empty: the per-user data "
        "directory, ~/.local/share/civility on Linux).",
    )
    database_url: str = _setting(
        "",
        "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user:pw@host/db "
        "(empty: sqlite:///<data_dir>/civility.db).",
    )
    sqlite_busy_timeout_ms: int = _setting(
        5000,
        "How long a SQLite write waits for the write lock before the request gets 503 with "
        "Retry-After, in milliseconds.",
    )
    sqlite_synchronous: str = _setting(
        "normal",
        "SQLite's synchronous level: normal (acknowledged writes survive a crash of the server "
        "process, not a power loss or OS crash) or full (they survive those too, at a cost per "
        "write); docs/store.md.",
    )
    sqlite_write_queue: int = _setting(
        16,
        "Most writes one server process keeps waiting for SQLite's write lock; more get 503 "
        "with Retry-After at once.",
    )
    host: str = _setting("127.0.0.1", "Interface `civility serve` listens on.")
    port: int = _setting(8080, "TCP port `civility serve` listens on.")
    workers: int = _setting(1, "Server processes; each loads the model once.")
    trusted_proxies: str = _setting(
        "",
        "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (empty: none; the client is the connection's peer).",
    )
    tier: str = _setting("fast", "Scorer tier the API serves (fast, accurate, ensemble).")
    model_path: str = _setting(
        "",
        "Model artifact directory for the tier (empty: $CIVILITY_MODEL_DIR/<tier>, else the "
        "model shipped in the package).",
    )
    noncommercial_models: bool = _setting(
        False,
        "Serve the languages of the opt-in civility-models-nc package (models trained on "
        "non-commercial or research-only data; pip install packages/civility-models-nc first).",
    )
    preload_languages: str = _setting(
        "",
        "Languages whose models load when the server starts (comma-separated codes such as "
        "de,fr, or all); the others load on their first comment, which then waits about a "
        "second.",
    )
    require_key: bool = _setting(
        True, "Refuse API requests without a valid key (?key= or x-goog-api-key)."
    )
    metrics_require_key: bool = _setting(
        False,
        "Refuse /metrics without a valid API key (?key= or x-goog-api-key), for servers whose "
        "port is reachable by more than the metrics scraper.",
    )
    rate_limit_per_minute: int = _setting(
        600, "Default requests per minute per API key (a key's own limit overrides it; 0: none)."
    )
    reports_per_hour: int = _setting(
        10,
        "Reader reports (POST /v1/comments/{id}/reports) one reader may file per hour in a "
        "community.",
    )
    try_it_per_minute: int = _setting(
        30,
        "Comments one client address may score per minute on the try-it page at / (which "
        "needs no key), per server process (0: no limit).",
    )
    feedback_enabled: bool = _setting(
        True, "Store comments:suggestscore feedback (it feeds per-community calibration)."
    )
    store_text: bool = _setting(
        True,
        "Keep comment text with stored feedback and comments; doNotStore requests never keep it.",
    )
    text_retention_days: int = _setting(
        90, "Days stored comment text is kept before it is blanked (0: kept until deleted)."
    )
    max_body_bytes: int = _setting(
        1_048_576, "Largest request body accepted, in bytes (batch requests included)."
    )
    batch_max_parts: int = _setting(100, "Most calls one POST /batch request may carry.")
    max_concurrency: int = _setting(
        16,
        "Most API and page requests one server process works on at once; more wait in a queue "
        "of max_queue, and any beyond that get 503 with Retry-After at once (0: no limit). "
        "Health checks and metrics are never refused.",
    )
    max_queue: int = _setting(
        16, "Most requests one server process keeps waiting for a turn beyond max_concurrency."
    )
    microbatch_max: int = _setting(
        32, "Most concurrent analyze calls scored together in one model call (1: no batching)."
    )
    webhook_private_destinations: bool = _setting(
        False,
        "Allow webhook URLs that resolve to loopback, private, link-local or other non-public "
        "addresses (a CMS inside your own network); refused by default.",
    )
    log_level: str = _setting("info", "Server log level (debug, info, warning, error).")
    log_format: str = _setting(
        "text", "Server log format: text, or json (one object per line, for log collectors)."
    )
    cors_origins: str = _setting(
        "",
        "Browser origins allowed to call the API, comma-separated, e.g. https://news.example "
        "(* for any; empty: none).",
    )

    @property
    def allowed_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def resolved_data_dir(self) -> Path:
        """``data_dir``, else the per-user data directory: never the working directory, where
        a command run from elsewhere would find a second, empty store."""
        return Path(self.data_dir) if self.data_dir else platformdirs.user_data_path("civility")

    @property
    def resolved_database_url(self) -> str:
        """The store URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'civility.db'}"


class Setting(NamedTuple):
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, f.metadata["help"]) for f in dataclasses.fields(Settings)
)
_TYPES: dict[str, type] = {s.name: type(s.default) for s in SETTINGS}


def env_name(name: str) -> str:
    """The environment variable that sets ``name``: ``port`` → ``CIVILITY_PORT``."""
    return ENV_PREFIX + name.upper()


def _cast(name: str, value: Any, source: str) -> Any:
    """Convert ``value`` to the setting's type, or say which key, value and source are wrong."""
    kind = _TYPES[name]
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"Setting {name!r} has value {value!r} ({source}). Not a valid boolean.")
    if kind is int:
        invalid = f"Setting {name!r} has value {value!r} ({source}). Not a valid integer."
        if isinstance(value, bool):
            raise ConfigError(invalid)
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ConfigError(invalid) from None
        if number < 0:
            raise ConfigError(f"Setting {name!r} has value {value!r} ({source}). Must be >= 0.")
        return number
    if not isinstance(value, str):
        raise ConfigError(f"Setting {name!r} has value {value!r} ({source}). Not a string.")
    return value


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"Config file {str(path)!r} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {str(path)!r} is not valid TOML: {exc}") from None
    # Accept either top-level keys or a [civility] table, so the file can be shared.
    section = data.get("civility", data)
    if not isinstance(section, dict):
        raise ConfigError(f"Config file {str(path)!r}: [civility] must be a table.")
    return section


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from defaults, then ``config_file`` (or ``$CIVILITY_CONFIG``), env, ``overrides``.

    Unknown keys are refused rather than ignored: a misspelt key silently keeping its default
    is the kind of configuration bug that surfaces only in production.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    known = ", ".join(s.name for s in SETTINGS)
    path = config_file or env.get(CONFIG_ENV) or None
    if path:
        for key, value in _read_config_file(Path(path)).items():
            if key not in _TYPES:
                raise ConfigError(
                    f"Config file {str(path)!r} has unknown setting {key!r}. Available: {known}"
                )
            values[key] = _cast(key, value, f"from {path}")
    for setting in SETTINGS:
        variable = env_name(setting.name)
        if variable in env:
            values[setting.name] = _cast(setting.name, env[variable], f"from {variable}")
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in _TYPES:
            raise ConfigError(f"Unknown setting {key!r}. Available: {known}")
        values[key] = _cast(key, value, "from the command line")
    return Settings(**values)
