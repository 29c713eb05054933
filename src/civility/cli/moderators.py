"""``civility moderators create|list|assign|passwd``: the people who sign in to ``/moderate``.

Passwords are read from a hidden prompt (typed twice) or, for scripts, from standard input
with ``--password-stdin``; never from the command line, where they would end up in the shell
history and the process list.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from civility.cli.store import ConfigOption, DatabaseOption
from civility.cli.store import cli_store as _store

if TYPE_CHECKING:
    from civility.web.accounts import ModeratorInfo

moderators_app = typer.Typer(
    help="Create moderator accounts, assign them to communities, change passwords.",
    no_args_is_help=True,
)

StdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (one line)."),
]
CommunityOption = Annotated[
    list[str] | None,
    typer.Option("--community", "-c", help="Community slug the moderator may act on (repeat)."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _describe(info: ModeratorInfo) -> str:
    scope = "all communities (admin)" if info.is_admin else ", ".join(info.communities) or "none"
    return f"{info.username}\t{scope}"


@moderators_app.command("create")
def create_command(
    username: Annotated[str, typer.Argument(help="The name used to sign in.")],
    community: CommunityOption = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="May act on every community, present and future.")
    ] = False,
    display_name: Annotated[
        str | None, typer.Option(help="Name shown in the audit trail (default: username).")
    ] = None,
    password_stdin: StdinOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create a moderator account (the password is hashed with Argon2id)."""
    from civility.web.accounts import create_moderator

    store = _store(config, database)
    info = create_moderator(
        store,
        username,
        _password(password_stdin),
        list(community or []),
        is_admin=admin,
        display_name=display_name,
    )
    typer.echo(f"Created moderator {_describe(info)}")


@moderators_app.command("list")
def list_command(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """List moderators and the communities each may act on."""
    from civility.web.accounts import list_moderators

    for info in list_moderators(_store(config, database)):
        typer.echo(_describe(info))


@moderators_app.command("assign")
def assign_command(
    username: Annotated[str, typer.Argument(help="The moderator's username.")],
    communities: Annotated[list[str], typer.Argument(help="Community slugs.")],
    remove: Annotated[
        bool, typer.Option("--remove", help="Take these communities away instead.")
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Let a moderator act on more communities (or, with --remove, fewer)."""
    from civility.web.accounts import assign

    info = assign(_store(config, database), username, communities, remove=remove)
    typer.echo(_describe(info))


@moderators_app.command("passwd")
def passwd_command(
    username: Annotated[str, typer.Argument(help="The moderator's username.")],
    password_stdin: StdinOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Set a new password; the moderator's open sessions end."""
    from civility.web.accounts import set_password

    store = _store(config, database)
    info = set_password(store, username, _password(password_stdin))
    typer.echo(f"Changed the password of {info.username}; their sessions have ended.")


def register(app: typer.Typer) -> None:
    app.add_typer(moderators_app, name="moderators")
