"""``civility train`` and ``civility data summary``: build the corpus, fit, write the artifact."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civility.errors import ConfigError, UnknownNameError

data_app = typer.Typer(help="Inspect the training data.", no_args_is_help=True)
console = Console(stderr=True)


def _sources(sources: list[str] | None, licence: str, language: str = "en") -> list[str]:
    from civility.data import default_sources
    from civility.data.sources import languages

    if licence not in ("A", "AB"):
        raise ConfigError(f"--licence must be A or AB. Got {licence!r}.")
    if language != "all" and language not in languages():
        raise UnknownNameError("language", language, [*languages(), "all"])
    return sources or default_sources(licence, None if language == "all" else language)


CleanWeight = Annotated[
    list[str] | None,
    typer.Option(
        help="SOURCE=MULTIPLIER: count that source's texts labelled non-toxic this many times "
        "(repeatable; replaces the tier's default)."
    ),
]

IdentitySwaps = Annotated[
    bool,
    typer.Option(
        help="Add a copy of every training text that names a group, its group words swapped, "
        "with the same labels."
    ),
]

DecorrelateMentions = Annotated[
    bool,
    typer.Option(
        help="Within each source, weight texts so that those naming a group are as often toxic "
        "as the rest."
    ),
]

DecorrelateIdentityAttacks = Annotated[
    bool,
    typer.Option(
        help="The same on IDENTITY_ATTACK alone: within each source, texts naming a group "
        "weighted to be as often identity attacks as the rest."
    ),
]

ExtraData = Annotated[
    list[Path] | None,
    typer.Option(
        "--extra",
        help="A labelled file of your own (JSONL or CSV, columns as for 'civility evaluate') "
        "trained on as one more source, local:<name> (repeatable).",
    ),
]


def parse_behaviour_scales(values: list[str]) -> dict[str, float]:
    """``--behaviour-scale`` values as a config's ``behaviour_scales``; bad ones fail before any
    data is read."""
    from civility.data.behaviours import BEHAVIOURS

    known = [b.name for b in BEHAVIOURS]
    scales = {}
    for value in values:
        name, _, factor = value.partition("=")
        if name not in known:
            raise UnknownNameError("behaviour", name, known)
        try:
            scales[name] = float(factor)
        except ValueError:
            scales[name] = -1.0
        if not 0 <= scales[name] < float("inf"):
            raise ConfigError(
                "--behaviour-scale takes NAME=FACTOR, a finite number at least 0, e.g. "
                f"counter_speech_and_negation=3. Got {value!r}."
            )
    return scales


def parse_clean_weights(values: list[str]) -> dict[str, float]:
    """``--clean-weight`` values as a config's ``clean_weights``; bad ones fail before any data
    is read."""
    from civility.training.fast import check_clean_weights

    weights = {}
    for value in values:
        name, _, multiplier = value.partition("=")
        try:
            weights[name] = float(multiplier)
        except ValueError:
            raise ConfigError(
                f"--clean-weight takes SOURCE=MULTIPLIER, e.g. hatexplain=2. Got {value!r}."
            ) from None
    try:
        check_clean_weights(weights)
    except ValueError as exc:
        raise ConfigError(f"--clean-weight: {exc}.") from None
    return weights


@data_app.command("summary")
def summary_command(
    source: Annotated[
        list[str] | None, typer.Option(help="Only these sources (repeatable).")
    ] = None,
    licence: Annotated[
        str, typer.Option(help="Licence classes to include: A, or AB for all.")
    ] = "AB",
    limit: Annotated[
        int | None, typer.Option(help="Read at most this many texts per source.")
    ] = None,
    behaviour: Annotated[
        list[str] | None,
        typer.Option(help="Add only these templated behaviours (repeatable; default: all)."),
    ] = None,
    extra: ExtraData = None,
    language: Annotated[
        str, typer.Option(help="Sources in this language (a code such as de or hi-Latn), or all.")
    ] = "en",
) -> None:
    """Per attribute and source: positives / negatives / missing labels."""
    from civility.data import load_corpus, summarize

    corpus = load_corpus(
        _sources(source, licence, language),
        limit_per_source=limit,
        progress=True,
        extra=extra or (),
    )
    table = Table(title=f"{len(corpus)} texts after deduplication")
    table.add_column("source")
    table.add_column("language")
    table.add_column("class")
    for attribute in corpus.attributes:
        table.add_column(attribute, justify="right")
    cells: dict[str, list[str]] = {}
    for row in summarize(corpus):
        cells.setdefault(str(row["source"]), []).append(
            f"{row['positive']}/{row['negative']}/{row['missing']}"
        )
    for name, values in cells.items():
        info = corpus.meta["sources"][name]
        table.add_row(name, info.get("language", "en"), info["class"], *values)
    Console().print(table)
    Console().print("cells: positive/negative/missing (positive = label >= 0.5)")


def train_command(
    output: Annotated[Path, typer.Option(help="Artifact directory to write.")] = Path(
        "src/civility/models/fast"
    ),
    source: Annotated[
        list[str] | None, typer.Option(help="Train on these sources only (repeatable).")
    ] = None,
    licence: Annotated[
        str, typer.Option(help="A (default model) or AB (opt-in, non-commercial data too).")
    ] = "A",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same model.")] = 0,
    limit: Annotated[
        int | None, typer.Option(help="At most this many texts per source (quick runs).")
    ] = None,
    teacher_share: Annotated[
        float, typer.Option(help="Weight of teacher scores in mixed labels.")
    ] = 0.5,
    max_iter: Annotated[
        int | None,
        typer.Option(help="Optimiser iterations (default: 200, or 50 for the other languages)."),
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(help="L2 penalty of the logistic regression (default: FastScorer's)."),
    ] = None,
    evaluate: Annotated[
        bool, typer.Option(help="Measure on validation data and tune spans.")
    ] = True,
    clean_weight: CleanWeight = None,
    identity_swaps: IdentitySwaps = True,
    source_balance: Annotated[
        float,
        typer.Option(
            help="Weight each source's texts by (its size / the median size) ** -POWER: 0 "
            "leaves them, 1 gives every source the same total weight."
        ),
    ] = 0.0,
    decorrelate_mentions: DecorrelateMentions = True,
    decorrelate_identity_attacks: DecorrelateIdentityAttacks = True,
    identity_sentences: Annotated[
        int | None,
        typer.Option(help="Templated non-toxic identity mentions (default: 20000).", min=0),
    ] = None,
    behaviour_sentences: Annotated[
        int | None,
        typer.Option(help="Templated sentences per behaviour (default: 1000).", min=0),
    ] = None,
    behaviour: Annotated[
        list[str] | None,
        typer.Option(help="Add only these templated behaviours (repeatable; default: all)."),
    ] = None,
    behaviour_scale: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=FACTOR: that templated behaviour gets FACTOR times --behaviour-sentences "
            "(repeatable; replaces the default, counter_speech_and_negation=3)."
        ),
    ] = None,
    extra: ExtraData = None,
    language: Annotated[
        list[str] | None,
        typer.Option(
            "--languages",
            help="Train these languages' models instead of English's (codes such as de or "
            "hi-Latn, or all; repeatable). With --licence AB the opt-in package's too.",
        ),
    ] = None,
    languages_dir: Annotated[
        Path, typer.Option(help="Where the default package's language artifacts go.")
    ] = Path("src/civility/models/languages"),
    opt_in_dir: Annotated[
        Path, typer.Option(help="Where the opt-in package's language artifacts go.")
    ] = Path("packages/civility-models-nc/civility_models_nc/languages"),
) -> None:
    """Train the fast-tier scorer on the shared data and write it with its manifest.

    With --languages, train the other languages' models instead: per language, one from its
    class-A sets for the default package and, with --licence AB, one from its class-A and
    class-B sets for the opt-in package.
    """
    from civility.data import load_corpus

    if language:
        _sources(None, licence)
        train_languages_command(
            language, licence, languages_dir, opt_in_dir, seed, limit, max_iter, alpha, evaluate
        )
        return
    from civility.evaluation.fairness import bias_markdown, evaluate_bias
    from civility.evaluation.report import render_model_card
    from civility.training.fast import TrainingConfig, train_fast

    config = TrainingConfig(
        teacher_share=teacher_share,
        seed=seed,
        identity_swaps=identity_swaps,
        source_balance=source_balance,
        decorrelate_mentions=decorrelate_mentions,
        decorrelate_identity_attacks=decorrelate_identity_attacks,
        behaviours=behaviour,
    )
    if identity_sentences is not None:
        config.identity_sentences = identity_sentences
    if behaviour_sentences is not None:
        config.behaviour_sentences = behaviour_sentences
    if clean_weight is not None:
        config.clean_weights = parse_clean_weights(clean_weight)
    if behaviour_scale is not None:
        config.behaviour_scales = parse_behaviour_scales(behaviour_scale)
    corpus = load_corpus(
        _sources(source, licence), limit_per_source=limit, progress=True, extra=extra or ()
    )
    config.scorer_params["max_iter"] = 200 if max_iter is None else max_iter
    if alpha is not None:
        config.scorer_params["alpha"] = alpha
    if limit is not None:
        config.cap_templates(limit)
    scorer, metadata = train_fast(
        corpus, config, progress=console.log, evaluate=evaluate, verbose=True
    )
    scorer.save(output, metadata)
    bias = ""
    if evaluate:
        console.log("measuring identity-term bias for the model card")
        bias = bias_markdown(evaluate_bias(scorer))
    (output / "MODEL_CARD.md").write_text(render_model_card(scorer, bias), encoding="utf-8")
    console.log(f"wrote {output} ({scorer.version})")


def train_languages_command(
    codes: list[str],
    licence: str,
    languages_dir: Path,
    opt_in_dir: Path,
    seed: int,
    limit: int | None,
    max_iter: int | None,
    alpha: float | None,
    evaluate: bool,
) -> None:
    """Every (language, package) artifact asked for, one after the other, with a progress bar."""
    from tqdm import tqdm

    from civility.data.sources import languages
    from civility.evaluation.report import render_language_card
    from civility.training.languages import (
        artifact_config,
        train_language,
        trainable_languages,
    )

    known = [code for code in languages() if code != "en"]
    wanted = known if "all" in codes else codes
    for code in wanted:
        if code not in known:
            raise UnknownNameError("language", code, [*known, "all"])
    targets = [(code, "A", languages_dir / code) for code in trainable_languages("A")]
    if licence == "AB":
        targets += [(code, "AB", opt_in_dir / code) for code in trainable_languages("AB")]
    targets = [t for t in targets if t[0] in wanted]
    for code, classes, directory in tqdm(targets, desc="languages", unit=" models"):
        config = artifact_config(code, classes, seed)
        if max_iter is not None:
            config.scorer_params["max_iter"] = max_iter
        if alpha is not None:
            config.scorer_params["alpha"] = alpha
        scorer, metadata = train_language(
            code, classes, config, console.log, limit_per_source=limit, loso=evaluate
        )
        if not metadata["served_attributes"]:
            console.log(f"{code} ({classes}): no attribute can be served; nothing written")
            continue
        scorer.save(directory, metadata)
        (directory / "MODEL_CARD.md").write_text(render_language_card(metadata), "utf-8")
        console.log(f"wrote {directory} ({scorer.version})")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
    app.command("train")(train_command)
