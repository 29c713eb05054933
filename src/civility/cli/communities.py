"""``civility communities create|list|set-policy``: the sites or sections comments belong to.

Moderators are assigned to communities and comments are imported into them, so one exists
before either; each is moderated by its own policy, or by the default policy until it has one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from civility.cli.store import ConfigOption, DatabaseOption, cli_store
from civility.errors import InputFileError

if TYPE_CHECKING:
    from civility.moderation.communities import CommunityInfo

communities_app = typer.Typer(
    help="Create communities (sites or sections) and set the policy each is moderated by.",
    no_args_is_help=True,
)

SlugArgument = Annotated[str, typer.Argument(help="The community's short name, e.g. 'news'.")]
PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (.toml or .yaml; default: the default policy)."),
]


def _describe(info: CommunityInfo) -> str:
    policy = "own policy" if info.has_policy else "default policy"
    language = f"\t{info.language}" if info.language else ""
    return f"{info.slug}\t{info.name}\t{policy}{language}"


def _policy_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(f"Cannot read policy file {str(path)!r}: {exc.strerror}.") from None


@communities_app.command("create")
def create_command(
    slug: SlugArgument,
    name: Annotated[str | None, typer.Option(help="Display name (default: the slug).")] = None,
    policy: PolicyOption = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="The language its comments are written in (de, pt-BR; default: detected)."
        ),
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create a community; without --policy it is moderated by the default policy."""
    from civility.moderation.communities import put_community

    text = _policy_text(policy) if policy is not None else None
    store = cli_store(config, database)
    info = put_community(store, slug, name, text, language, exclusive=True, where=str(policy))
    typer.echo(f"Created community {_describe(info)}")


@communities_app.command("list")
def list_command(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """List communities, their names and whether each has a policy of its own."""
    from civility.moderation.communities import list_communities

    for info in list_communities(cli_store(config, database)):
        typer.echo(_describe(info))


@communities_app.command("set-policy")
def set_policy_command(
    slug: SlugArgument,
    policy: Annotated[
        Path | None, typer.Argument(help="Policy file (.toml or .yaml), checked before it is used.")
    ] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Go back to the default policy.")
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Moderate a community by POLICY from its next comment on (no restart needed)."""
    from civility.moderation.communities import clear_policy, put_community

    if (policy is None) != default:
        raise typer.BadParameter("Give a policy file or --default (one of them).")
    store = cli_store(config, database)
    if policy is None:
        info = clear_policy(store, slug)
    else:
        text = _policy_text(policy)
        info = put_community(store, slug, policy=text, create=False, where=str(policy))
    typer.echo(_describe(info))


def register(app: typer.Typer) -> None:
    app.add_typer(communities_app, name="communities")
