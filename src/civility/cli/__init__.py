"""The ``civility`` command: a thin shell over plain functions, one module per command group.

Every command module exposes ``register(app)``; adding a command is one module and one line in
``COMMAND_MODULES``. Errors Civility raises on purpose (``CivilityError``) are printed as one
line and exit non-zero; nothing else is caught, so real bugs still show their traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from civility.errors import CivilityError

COMMAND_MODULES = (
    "civility.cli.score",
    "civility.cli.train",
    "civility.cli.accurate",
    "civility.cli.evaluate",
    "civility.cli.moderation",
    "civility.cli.serve",
    "civility.cli.keys",
    "civility.cli.fairness",
    "civility.cli.moderators",
)

app = typer.Typer(
    name="civility",
    help="Self-hosted comment moderation: score comments, serve a Perspective-compatible API, "
    "and run a moderation queue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv)
    except CivilityError as exc:
        typer.echo(f"Error: {exc}", err=True)
        sys.exit(2)
