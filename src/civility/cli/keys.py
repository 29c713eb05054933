"""``civility keys create|list|revoke``: the API keys that clients put in ``?key=``."""

from __future__ import annotations

from typing import Annotated

import typer

from civility.api.scopes import DEFAULT_SCOPES, SCOPES
from civility.cli.store import ConfigOption, DatabaseOption
from civility.cli.store import cli_store as _store

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@keys_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="Who or what the key is for, e.g. 'cms'.")],
    rate_limit: Annotated[
        int | None,
        typer.Option(help="Requests per minute (default: the server's rate_limit_per_minute)."),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="What the key may do, repeatable: "
            + "; ".join(f"{name}: {what}" for name, what in SCOPES.items())
            + f" (default: {', '.join(DEFAULT_SCOPES)})."
        ),
    ] = None,
    community: Annotated[
        list[str] | None,
        typer.Option(help="Limit the key to this community's slug, repeatable (default: all)."),
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create a key and print it. It is shown only now: the store keeps its hash."""
    from civility.api.keys import create_key

    key, info = create_key(
        _store(config, database), name, rate_limit, scope or DEFAULT_SCOPES, community or None
    )
    typer.echo(key)
    typer.echo(
        f"Created key {info.prefix}… ({info.name}, {' '.join(info.scopes)}); "
        "store it now, it cannot be shown again.",
        err=True,
    )


@keys_app.command("list")
def list_command(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """List keys by prefix: name, limit, scopes, communities, state (keys are not stored)."""
    from civility.api.keys import list_keys

    for info in list_keys(_store(config, database)):
        state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "active"
        limit = f"{info.rate_limit}/min" if info.rate_limit is not None else "default"
        scopes = ",".join(info.scopes)
        where = ",".join(sorted(info.communities)) if info.communities is not None else "*"
        typer.echo(
            f"{info.prefix}\t{info.name}\t{limit}\t{scopes}\t{where}"
            f"\t{info.created_at:%Y-%m-%d}\t{state}"
        )


@keys_app.command("revoke")
def revoke_command(
    prefix: Annotated[str, typer.Argument(help="The key's prefix as listed (or the whole key).")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Revoke a key; servers refuse it within seconds."""
    from civility.api.keys import revoke_key

    info = revoke_key(_store(config, database), prefix)
    typer.echo(f"Revoked {info.prefix} ({info.name}).")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
