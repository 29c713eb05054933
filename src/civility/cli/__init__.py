"""The ``civility`` command: a thin shell over plain functions, one module per command group.

Every command module exposes ``register(app)``; adding a command is one module and one line in
``COMMAND_MODULES``. Errors Civility raises on purpose (``CivilityError``) are printed as one
line and exit non-zero; a missing training-data file also says what the command reads and where
the data comes from. Nothing else is caught, so real bugs still show their traceback.
Civility's own warnings (``CivilityWarning``) are one line too, without the source location.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable
from typing import TextIO

import typer

from civility.errors import CivilityError, CivilityWarning, DataUnavailableError

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
    "civility.cli.communities",
    "civility.cli.authors",
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


DATA_NEEDS = {
    "train": "every class-A dataset and teacher-scores/",
    "train-accurate": "every class-A dataset and teacher-scores/",
    "data summary": "every dataset it summarises and teacher-scores/",
    "bias": "conversationai-bias-eval/ and the HateXplain, Implicit Hate and ETHOS comments",
    "robustness": "the validation split of the class-A datasets (or --input FILE)",
    "reliability": "the validation split of the class-A datasets",
    "eval-report": "the class-A datasets' validation split and every class-B dataset",
}
"""What each command that trains or measures a model reads from the training data."""


def main(argv: list[str] | None = None) -> None:
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_for_ours(warnings.showwarning)
        try:
            app(args=argv)
        except DataUnavailableError as exc:
            typer.echo(f"Error: {exc} {_data_hint(argv or sys.argv[1:])}", err=True)
            sys.exit(2)
        except CivilityError as exc:
            typer.echo(f"Error: {exc}", err=True)
            sys.exit(2)


def _data_hint(args: list[str]) -> str:
    """Where the missing data comes from, for the command that needed it."""
    from civility.data.sources import data_root

    words = [a for a in args if not a.startswith("-")]
    command = " ".join(words[:2]) if words[:1] == ["data"] else "".join(words[:1])
    needs = DATA_NEEDS.get(command, "the training data")
    return (
        f"'civility {command}' reads {needs} from the training data folder: set "
        f"CIVILITY_TRAINING_DATA to it (now {data_root()}); docs/data.md lists each dataset, "
        "where it comes from and its licence."
    )


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
