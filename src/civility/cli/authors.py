"""``civility authors show|act``: an author's standing, and bans, suspensions and notes.

The same ``ModerationService`` calls as the desk's author page and
``POST /v1/communities/{slug}/authors/{author}/actions``: the action is in the author's trail
under the named moderator and goes to the community's webhooks, and it applies to the author's
next comments at intake. For an operator on the server, or a script, without a browser.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from civility.cli.store import ConfigOption, DatabaseOption, cli_store

authors_app = typer.Typer(
    help="Show an author's standing; ban, unban, suspend, pre-moderate, warn or note them.",
    no_args_is_help=True,
)

CommunityArgument = Annotated[str, typer.Argument(help="The community's short name, e.g. 'news'.")]
AuthorArgument = Annotated[str, typer.Argument(help="The author's id, as the CMS sends it.")]


def _describe(record: dict[str, Any]) -> list[str]:
    until = f" until {record['until']}" if record["until"] else ""
    counts = ", ".join(f"{n} {status}" for status, n in record["counts"].items() if n)
    lines = [
        f"{record['author']} in {record['community']}: {record['status']}{until}",
        f"{record['comments']} comments ({counts or 'none'}); "
        f"rejection rate {record['rejection_rate']:.0%}; {record['warnings']} warnings",
    ]
    for action in record["actions"]:
        reason = f": {action['reason']}" if action["reason"] else ""
        lines.append(f"  {action['at']}  {action['action']} by {action['moderator']}{reason}")
    return lines


@authors_app.command("show")
def show_command(
    community: CommunityArgument,
    author: AuthorArgument,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Print the author's standing, comment counts, rejection rate and the moderators' actions."""
    from civility.moderation.service import ModerationService

    record = ModerationService(cli_store(config, database)).author(community, author)
    typer.echo("\n".join(_describe(record)))


@authors_app.command("act")
def act_command(
    community: CommunityArgument,
    author: AuthorArgument,
    action: Annotated[str, typer.Argument(help="ban, unban, suspend, premoderate, warn or note.")],
    moderator: Annotated[
        str, typer.Option(help="The moderator of the community recorded as acting.")
    ],
    reason: Annotated[
        str | None, typer.Option(help="Why; for a note, its text. Shown on the author's page.")
    ] = None,
    hours: Annotated[
        float | None, typer.Option(help="For suspend: how long, from 1 to 168 hours.")
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Act on an author; the standing applies to their next comments."""
    from civility.moderation.service import ModerationService

    until = datetime.now(UTC) + timedelta(hours=hours) if hours is not None else None
    service = ModerationService(cli_store(config, database))
    service.act_on_author(community, author, action, moderator, reason, until)
    typer.echo("\n".join(_describe(service.author(community, author))))


def register(app: typer.Typer) -> None:
    app.add_typer(authors_app, name="authors")
