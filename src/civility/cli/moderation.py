"""``civility policy test``, ``civility import``, ``civility calibrate``, ``civility report``.

Thin shells: each command parses its options, calls one function of ``civility.moderation``
and prints what it returns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from civility.cli.store import DatabaseOption, cli_store

if TYPE_CHECKING:
    from civility.scoring import LanguageScorers

policy_app = typer.Typer(help="Check and dry-run moderation policies.", no_args_is_help=True)

TierOption = Annotated[str, typer.Option(help="Model tier: fast, accurate or ensemble.")]
ModelOption = Annotated[
    Path | None, typer.Option(help="Model artifact directory (default: the shipped one).")
]


def _languages(tier: str, model: Path | None) -> LanguageScorers:
    """English by ``tier``, every other served language by its model, as the server has them."""
    from civility.scoring import load_languages
    from civility.settings import load_settings

    return load_languages(tier, model, opt_in_enabled=load_settings().noncommercial_models)


@policy_app.command("test")
def policy_test_command(
    policy: Annotated[Path, typer.Argument(help="Policy file (.toml, .yaml or .yml).")],
    archive: Annotated[Path, typer.Argument(help="Archive to replay: JSONL, CSV or Disqus XML.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    tier: TierOption = "fast",
    model: ModelOption = None,
) -> None:
    """Replay ARCHIVE through POLICY and print what would have been approved, held or rejected.

    Nothing is stored: this is the dry run to do before a policy goes live.
    """
    from tqdm import tqdm

    from civility.moderation.archive import iter_archive
    from civility.moderation.policy import load_policy
    from civility.moderation.replay import replay

    loaded = load_policy(policy)
    languages = _languages(tier, model)
    with tqdm(desc="replaying", unit=" comments", disable=as_json) as bar:
        result = replay(loaded, iter_archive(archive), languages, progress=bar.update)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    total = max(result.total, 1)
    typer.echo(f"Policy {result.policy!r} over {result.total} comments of {archive}:")
    for action in ("approve", "hold", "reject"):
        n = result.actions.get(action, 0)
        typer.echo(f"  {action:<8}{n:>8}  {100 * n / total:5.1f}%")
    typer.echo("Per rule (first rule that fired):")
    for rule, n in result.rules.most_common():
        typer.echo(f"  {rule:<28}{result.rule_actions[rule]:<8}{n:>8}  {100 * n / total:5.1f}%")
        for example in result.examples[rule]:
            typer.echo(f"      e.g. {example[:100]!r}")
    if result.alerts:
        articles = sorted({a for a, _ in result.alerts})
        typer.echo(
            f"Thread alerts: {len(result.alerts)} on {len(articles)} articles "
            f"({', '.join(articles[:5])}{', ...' if len(articles) > 5 else ''})"
        )


def import_command(
    archive: Annotated[Path, typer.Argument(help="JSONL, CSV or Disqus XML archive to import.")],
    community: Annotated[
        str | None,
        typer.Option(help="Community (site or section) to import into (default: the default one)."),
    ] = None,
    create_community: Annotated[
        bool,
        typer.Option(
            "--create-community",
            help="Create the community if it does not exist (moderated by the default policy).",
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option(help="Comments scored and stored per transaction.")
    ] = 500,
    database: DatabaseOption = None,
    tier: TierOption = "fast",
    model: ModelOption = None,
) -> None:
    """Import ARCHIVE: rebuild its threads, score and decide every comment, in batches.

    Interrupted? Run the same command again: stored comments are skipped, the rest imported.
    A community other than the default one must exist ('civility communities create'), so a
    misspelt --community is refused rather than filled.
    """
    from tqdm import tqdm

    from civility.moderation.archive import iter_archive
    from civility.moderation.communities import require_community
    from civility.moderation.ingest import DEFAULT_COMMUNITY
    from civility.moderation.service import ModerationService

    community = community or DEFAULT_COMMUNITY
    store = cli_store(database=database)
    try:
        if not (create_community or community == DEFAULT_COMMUNITY):
            require_community(store, community)
        languages = _languages(tier, model)
        with tqdm(desc="importing", unit=" comments") as bar:
            result = ModerationService(store).import_archive(
                languages, iter_archive(archive), community, batch_size, bar.update
            )
    finally:
        store.dispose()
    statuses = ", ".join(f"{n} {s}" for s, n in result["statuses"].items())
    typer.echo(
        f"Imported {result['imported']} comments into {community!r} ({statuses}); "
        f"{result['skipped']} already stored were skipped."
    )


def report_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    community: Annotated[
        str | None, typer.Option(help="Community to report on (default: all of them).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only comments created since: an ISO date or time, or an age (7d, 24h)."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Write an HTML report of moderation: scores, rules, hot threads, repeat offenders.

    One self-contained file (charts embedded), written only once complete.
    """
    from datetime import UTC, datetime

    from civility.data.files import atomic_output
    from civility.moderation.report import load_report, parse_since
    from civility.moderation.report_html import render_html

    start = parse_since(since, datetime.now(UTC))
    store = cli_store(database=database)
    try:
        report = load_report(store, community, start)
    finally:
        store.dispose()
    page = render_html(report)
    with atomic_output(output) as handle:
        handle.write(page)
    articles, offenders = len(report.articles), len(report.offenders)
    typer.echo(
        f"Wrote {output}: {report.total} comments; held or rejected comments under {articles} "
        f"article{'s' * (articles != 1)}; {offenders} repeat offender{'s' * (offenders != 1)}."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
    app.command("import")(import_command)
    app.command("report")(report_command)
