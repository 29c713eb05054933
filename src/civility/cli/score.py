"""``civility score``: score a text, or stream a file of any size, each in its own language."""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from civility.errors import InputFileError
from civility.languages import language_name, normalize_language
from civility.settings import load_settings

if TYPE_CHECKING:
    from civility.scoring import LanguageScorers

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
        Path | None,
        typer.Option(help="English model artifact directory (default: the shipped one)."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="The comments' language (en, de, hi-Latn, ...), for rows without a 'language' "
            "field; text that clearly disagrees is scored in its own. Default: detected."
        ),
    ] = None,
) -> None:
    """Print each attribute's score for TEXT, one per line, or score a whole file.

    With --input, every output line is its input object plus "scores", in input order, written
    in batches with bounded memory. An --output file appears only once every comment is scored;
    without one the lines stream to stdout, for a pipe. Each comment is scored by its language's
    model (the record's "language" field, else --language, else detected) on the attributes
    served in that language; "scored_language" says which. Comments no model serves keep empty
    scores, and the summary counts them.
    """
    from civility.data.files import atomic_output
    from civility.scoring import check_text, load_languages

    languages = load_languages(tier, model, opt_in_enabled=load_settings().noncommercial_models)
    declared = [normalize_language(language)] if language else []
    if input_path is not None:
        sink: AbstractContextManager[IO[str]] = (
            atomic_output(output_path) if output_path is not None else nullcontext(sys.stdout)
        )
        with sink as out:
            n, unserved = score_file(languages, input_path, out, text_col, declared)
        typer.echo(f"Scored {n} comments into {output_path or 'stdout'}", err=True)
        if unserved:
            counts = ", ".join(f"{code} {count}" for code, count in unserved.most_common())
            typer.echo(f"Left unscored, in languages no model serves: {counts}", err=True)
        return
    if text is None:
        raise typer.BadParameter("give a TEXT to score, or --input FILE.")
    check_text(text)
    [(choice, scores)] = languages.score([text], [declared])
    scorer = languages.scorer(choice.language)
    how = "detected" if choice.detected else "declared"
    typer.echo(f"language: {choice.language} ({language_name(choice.language)}, {how})", err=True)
    found = scorer.spans(text, list(scores)) if spans else {}
    for attribute, value in scores.items():
        typer.echo(f"{attribute}\t{value:.4f}")
        for span in found.get(attribute, []):
            typer.echo(
                f"  {span.begin}-{span.end}\t{span.score:.4f}\t{text[span.begin : span.end]}"
            )


def score_file(
    languages: LanguageScorers,
    input_path: Path,
    out: IO[str],
    text_col: str | None = None,
    declared: list[str] | None = None,
) -> tuple[int, Counter[str]]:
    """Score ``input_path`` into ``out`` batch by batch: (number scored, languages unserved)."""
    from tqdm import tqdm

    from civility.data.files import iter_records, text_column

    records = iter_records(input_path)
    column: str | None = None
    count = 0
    unserved: Counter[str] = Counter()
    with tqdm(desc="scoring", unit=" comments") as bar:
        while batch := list(islice(records, BATCH_SIZE)):
            if column is None:
                column = text_column(batch[0], input_path, text_col)
            texts, row_languages = [], []
            for offset, record in enumerate(batch):
                value = record.get(column)
                if not isinstance(value, str):
                    raise InputFileError(
                        f"{input_path}, record {count + offset + 1}: "
                        f"{column!r} is missing or not text."
                    )
                texts.append(value)
                own = record.get("language")
                row_languages.append([normalize_language(own)] if own else declared or [])
            for record, (choice, scores) in zip(
                batch, languages.score(texts, row_languages), strict=True
            ):
                if not scores:
                    unserved[choice.language] += 1
                line = {**record, "scored_language": choice.language, "scores": scores}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += len(batch)
            bar.update(len(batch))
    return count, unserved


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
