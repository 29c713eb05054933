"""``civility policy test``, ``civility import``, ``civility calibrate``, ``civility report``.

Thin shells: each command parses its options, calls one function of ``civility.moderation``
and prints what it returns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from civility.moderation.archive import iter_archive
from civility.moderation.policy import load_policy
from civility.moderation.replay import replay
from civility.scoring import load_scorer

policy_app = typer.Typer(help="Check and dry-run moderation policies.", no_args_is_help=True)

TierOption = Annotated[str, typer.Option(help="Model tier: fast, accurate or ensemble.")]
ModelOption = Annotated[
    Path | None, typer.Option(help="Model artifact directory (default: the shipped one).")
]


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
    loaded = load_policy(policy)
    scorer = load_scorer(tier, model)
    with tqdm(desc="replaying", unit=" comments", disable=as_json) as bar:
        result = replay(loaded, iter_archive(archive), scorer, progress=bar.update)
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
        typer.echo(f"Thread alerts: {len(result.alerts)} on {len(articles)} articles "
                   f"({', '.join(articles[:5])}{', ...' if len(articles) > 5 else ''})")


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
