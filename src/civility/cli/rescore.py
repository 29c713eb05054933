"""``civility rescore``: score a whole archive with a new model on Ray (the scale extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civility.settings import load_settings


def rescore_command(
    input_path: Annotated[
        Path | None,
        typer.Option(
            "--input", "-i", help="JSONL, CSV or Parquet file to score (default: the store)."
        ),
    ] = None,
    output_path: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Directory for the Parquet files (with --input)."),
    ] = None,
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column holding the text (with --input).")
    ] = "text",
    database: Annotated[
        str | None,
        typer.Option("--database", help="Store URL (default: the server's database_url)."),
    ] = None,
    tier: Annotated[str, typer.Option(help="Model tier: fast, accurate or ensemble.")] = "fast",
    model: Annotated[
        Path | None, typer.Option(help="Model artifact directory (default: the shipped one).")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Scoring actors, one model and one CPU each.")
    ] = 2,
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Texts per model call (default: measured per tier).")
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster to run on (ray://head:10001, auto); default: a local Ray."),
    ] = None,
) -> None:
    """Score every stored comment (or a file's) with a model, in parallel, and write it back.

    Stored scores are written per comment and model version, once: run the same command again
    after an interruption and it scores only what is left. Prints how the new model's scores
    differ from those of the version most stored scores come from.
    """
    from sqlalchemy import func, select
    from tqdm import tqdm

    from civility.moderation.rescore import rescore_file, rescore_store
    from civility.store import Comment, open_store

    model_path = str(model) if model is not None else None
    if input_path is not None:
        if output_path is None:
            raise typer.BadParameter("--input needs --output DIRECTORY for the scored Parquet.")
        with tqdm(desc="rescoring", unit=" comments") as bar:
            summary = rescore_file(
                input_path,
                output_path,
                tier,
                model_path,
                text_column=text_column,
                workers=workers,
                batch_size=batch_size,
                address=address,
                progress=bar.update,
            )
    else:
        url = database or load_settings().resolved_database_url
        store = open_store(url)
        with store.session() as session:
            total = session.scalar(
                select(func.count()).select_from(Comment).where(Comment.text.is_not(None))
            )
        store.dispose()
        with tqdm(total=total, desc="rescoring", unit=" comments") as bar:
            summary = rescore_store(
                url,
                tier,
                model_path,
                workers=workers,
                batch_size=batch_size,
                address=address,
                progress=bar.update,
            )
    for line in summary.lines():
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command("rescore")(rescore_command)
