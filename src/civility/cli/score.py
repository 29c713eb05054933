"""``civility score``: score a text, or stream a file of any size."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from itertools import islice
from pathlib import Path
from typing import IO, Annotated

import typer
from tqdm import tqdm

from civility.data.files import atomic_output, iter_records, text_column
from civility.errors import InputFileError
from civility.scoring import Scorer, check_text, load_scorer

BATCH_SIZE = 512


def score_command(
    text: Annotated[str | None, typer.Argument(help="The comment to score.")] = None,
    spans: Annotated[
        bool, typer.Option("--spans", help="Also print the words that drove each score.")
    ] = False,
    input_path: Annotated[
        Path | None, typer.Option("--input", "-i", help="JSONL or CSV file to score.")
    ] = None,
    output_path: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="JSONL file to write (with --input; default: stdout)."),
    ] = None,
    text_col: Annotated[
        str | None,
        typer.Option(
            "--text-column", help="Column holding the text (default: text, comment_text, ...)."
        ),
    ] = None,
    tier: Annotated[str, typer.Option(help="Model tier: fast, accurate or ensemble.")] = "fast",
    model: Annotated[
        Path | None, typer.Option(help="Model artifact directory (default: the shipped one).")
    ] = None,
) -> None:
    """Print each attribute's score for TEXT, one per line, or score a whole file.

    With --input, every output line is its input object plus "scores", in input order, written
    in batches with bounded memory. An --output file appears only once every comment is scored;
    without one the lines stream to stdout, for a pipe.
    """
    scorer = load_scorer(tier, model)
    if input_path is not None:
        sink: AbstractContextManager[IO[str]] = (
            atomic_output(output_path) if output_path is not None else nullcontext(sys.stdout)
        )
        with sink as out:
            n = score_file(scorer, input_path, out, text_col)
        typer.echo(f"Scored {n} comments into {output_path or 'stdout'}", err=True)
        return
    if text is None:
        raise typer.BadParameter("give a TEXT to score, or --input FILE.")
    check_text(text)
    scores = scorer.score([text])[0]
    found = scorer.spans(text) if spans else {}
    for attribute, value in scores.items():
        typer.echo(f"{attribute}\t{value:.4f}")
        for span in found.get(attribute, []):
            typer.echo(
                f"  {span.begin}-{span.end}\t{span.score:.4f}\t{text[span.begin : span.end]}"
            )


def score_file(scorer: Scorer, input_path: Path, out: IO[str], text_col: str | None = None) -> int:
    """Score ``input_path`` into ``out`` batch by batch; returns the number scored."""
    records = iter_records(input_path)
    column: str | None = None
    count = 0
    with tqdm(desc="scoring", unit=" comments") as bar:
        while batch := list(islice(records, BATCH_SIZE)):
            if column is None:
                column = text_column(batch[0], input_path, text_col)
            texts = []
            for offset, record in enumerate(batch):
                value = record.get(column)
                if not isinstance(value, str):
                    raise InputFileError(
                        f"{input_path}, record {count + offset + 1}: "
                        f"{column!r} is missing or not text."
                    )
                texts.append(value)
            for record, scores in zip(batch, scorer.score(texts), strict=True):
                out.write(json.dumps({**record, "scores": scores}, ensure_ascii=False) + "\n")
            count += len(batch)
            bar.update(len(batch))
    return count


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
