"""The ``civility`` command: a thin shell over plain functions, one module per command group.

Every command module exposes ``register(app)``; adding a command is one module and one line in
``COMMAND_MODULES``. Errors Civility raises on purpose (``CivilityError``) are printed as one
line and exit non-zero; nothing else is caught, so real bugs still show their traceback.
Civility's own warnings (``CivilityWarning``) are one line too, without the source location.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable
from typing import TextIO

import typer

from civility.errors import CivilityError, CivilityWarning

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
    "civility.cli.rescore",
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
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_for_ours(warnings.showwarning)
        try:
            app(args=argv)
        except CivilityError as exc:
            typer.echo(f"Error: {exc}", err=True)
            sys.exit(2)


def _one_line_for_ours(show_others: Callable[..., None]) -> Callable[..., None]:
    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, CivilityWarning):
            typer.echo(f"Warning: {message}", err=True)
        else:
            show_others(message, category, filename, lineno, file, line)

    return show
