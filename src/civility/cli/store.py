"""The store a command works on, resolved once for every command and said out loud.

``keys``, ``moderators``, ``communities``, ``import``, ``report`` and ``serve`` all open the
store from the same settings (``--database``, else ``database_url``, else SQLite in the data
directory) and print which one on standard error: a key created in one store and looked up in
another answers "API key not valid", and nothing else would show why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from civility.settings import Settings, load_settings

if TYPE_CHECKING:
    from civility.store import Store

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML config file (default: $CIVILITY_CONFIG).")
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Store URL (default: the settings' database_url, else SQLite in data_dir).",
    ),
]


def announce_store(settings: Settings) -> None:
    """Print the store's URL (without its password) on standard error."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    typer.echo(f"Store: {url}", err=True)


def cli_store(config: Path | None = None, database: str | None = None) -> Store:
    """Open (and migrate) the store the settings name, after saying which it is."""
    from civility.store import open_store

    settings = load_settings(config, database_url=database)
    announce_store(settings)
    return open_store(settings.resolved_database_url, settings=settings)
