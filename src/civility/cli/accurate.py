"""``civility train-accurate``: export the encoder, embed once, fit the head, tune the ensemble."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from civility.cli.train import (
    CleanWeight,
    DecorrelateIdentityAttacks,
    DecorrelateMentions,
    ExtraData,
    IdentitySwaps,
    parse_clean_weights,
)
from civility.errors import ArtifactError, BatchDependentScoresWarning

if TYPE_CHECKING:
    from civility.scoring import AccurateScorer, EnsembleScorer, Scorer

console = Console(stderr=True)
MODELS = Path("src/civility/models")


Root = Annotated[
    Path,
    typer.Option(
        help="Models root: writes <root>/accurate and <root>/ensemble; reads <root>/fast."
    ),
]
NTrain = Annotated[
    int | None,
    typer.Option(help="Training texts to use, stratified by source (default: the whole split)."),
]
NValid = Annotated[int, typer.Option(help="Validation texts to embed per source.")]
Seed = Annotated[int, typer.Option(help="Random seed: the same seed gives the same model.")]
Limit = Annotated[int | None, typer.Option(help="At most this many texts per source (quick runs).")]
Evaluate = Annotated[bool, typer.Option(help="Measure on validation data and tune spans.")]
Ensemble = Annotated[bool, typer.Option(help="Also choose the ensemble's weights (needs fast/).")]
EnsembleOnly = Annotated[
    bool,
    typer.Option(
        help="Keep <root>/accurate as it is and only choose the ensemble's weights around "
        "<root>/fast, after the fast tier was retrained: minutes, and no train extra needed."
    ),
]
MaxLength = Annotated[int, typer.Option(help="Tokens the encoder reads per comment.")]
FineTune = Annotated[
    int,
    typer.Option(help="Epochs of fine-tuning the encoder before export (0: keep it frozen)."),
]
Layers = Annotated[
    int, typer.Option(help="Transformer layers of MiniLM to keep (1-6): fewer is faster.")
]
EncoderFrom = Annotated[
    Path | None,
    typer.Option(
        help="Reuse the encoder of this accurate model (its activation ranges fixed first if "
        "they are not) and refit only the head: minutes on a CPU instead of a fine-tuning run "
        "(--encoder-layers, --max-length and --fine-tune-epochs are then ignored).",
        exists=True,
        file_okay=False,
    ),
]


def train_accurate_command(
    output: Root = MODELS,
    n_train: NTrain = None,
    n_valid: NValid = 600,
    seed: Seed = 0,
    limit: Limit = None,
    evaluate: Evaluate = True,
    ensemble: Ensemble = True,
    ensemble_only: EnsembleOnly = False,
    encoder_layers: Layers = 3,
    max_length: MaxLength = 64,
    fine_tune_epochs: FineTune = 2,
    encoder_from: EncoderFrom = None,
    clean_weight: CleanWeight = None,
    identity_swaps: IdentitySwaps = True,
    decorrelate_mentions: DecorrelateMentions = True,
    decorrelate_identity_attacks: DecorrelateIdentityAttacks = True,
    invariance: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="With --identity-swaps: weight of a penalty on the gap between each comment's "
            "scores and its swapped copy's (0: the copies alone).",
        ),
    ] = 10.0,
    extra: ExtraData = None,
) -> None:
    """Train the accurate tier on the shared data and write it with its manifest.

    Embeddings are cached under var/cache/accurate/, so an interrupted run resumes where it
    stopped and a second run (other head settings, the ensemble alone) embeds nothing again.
    Needs the train extra (torch, transformers, onnx) to fine-tune and export the encoder, once.
    """
    from civility.data import load_corpus
    from civility.evaluation.fairness import bias_markdown, evaluate_bias
    from civility.evaluation.report import render_model_card
    from civility.scoring import AccurateScorer, FastScorer
    from civility.training.accurate import (
        FIXED_RANGES_CREDIT,
        AccurateConfig,
        build_encoder,
        train_accurate,
        tune_ensemble,
    )

    def write_card(scorer: Scorer, directory: Path, summary: str) -> None:
        bias = ""
        if evaluate:
            console.log(f"measuring identity-term bias for {directory.name}'s model card")
            bias = bias_markdown(evaluate_bias(scorer))
        card = render_model_card(scorer, bias, summary, "civility train-accurate")
        (directory / "MODEL_CARD.md").write_text(card, encoding="utf-8")

    target = output / "accurate"
    clean_weights = None if clean_weight is None else parse_clean_weights(clean_weight)
    corpus = load_corpus(limit_per_source=limit, progress=True, extra=extra or ())
    config = AccurateConfig(
        n_train=n_train,
        n_valid_per_source=n_valid,
        seed=seed,
        encoder_layers=encoder_layers,
        max_length=max_length,
        fine_tune_epochs=fine_tune_epochs,
        identity_swaps=identity_swaps,
        decorrelate_mentions=decorrelate_mentions,
        decorrelate_identity_attacks=decorrelate_identity_attacks,
    )
    config.scorer_params["invariance"] = invariance
    if clean_weights is not None:  # replaces the recipe's, as for the fast tier
        config.clean_weights = clean_weights
    if ensemble_only:
        accurate = AccurateScorer.load(target)
        fast = FastScorer.load(output / "fast")
        blend, blend_metadata = tune_ensemble(accurate, fast, corpus, config, console.log)
        blend.save(output / "ensemble", blend_metadata)
        write_card(blend, output / "ensemble", ensemble_summary(blend))
        console.log(f"wrote {output / 'ensemble'} ({blend.version})")
        return
    with warnings.catch_warnings():
        # This command is the rebuild that warning asks for: the new model's ranges are fixed.
        warnings.simplefilter("ignore", BatchDependentScoresWarning)
        reused = AccurateScorer.load(encoder_from) if encoder_from else None
    if reused is not None:
        config.max_length = reused.max_length
    encoder_dir = build_encoder(corpus, config, console.log, reuse=encoder_from)
    scorer, metadata = train_accurate(
        corpus, encoder_dir, config, console.log, evaluate=evaluate, progress_bar=True
    )
    if reused is not None:
        # The config's encoder settings describe a fine-tuning run that did not happen here:
        # the encoder keeps its own description and the model that built it.
        metadata["encoder"] = reused.metadata_.get("encoder", "an undescribed encoder")
        if encoder_dir != encoder_from and FIXED_RANGES_CREDIT not in metadata["encoder"]:
            metadata["encoder"] += f" Then {FIXED_RANGES_CREDIT}"
        metadata["encoder_built_by"] = reused.metadata_.get("encoder_built_by", reused.version)
    scorer.save(target, metadata)
    write_card(scorer, target, accurate_summary(scorer, metadata))
    console.log(f"wrote {target} ({scorer.version})")
    if not ensemble:
        return
    try:
        fast = FastScorer.load(output / "fast")
    except ArtifactError as exc:
        console.log(f"ensemble not tuned: {exc}")
        return
    blend, blend_metadata = tune_ensemble(scorer, fast, corpus, config, console.log)
    blend.save(output / "ensemble", blend_metadata)
    write_card(blend, output / "ensemble", ensemble_summary(blend))
    console.log(f"wrote {output / 'ensemble'} ({blend.version})")


def accurate_summary(scorer: AccurateScorer, metadata: dict[str, Any]) -> str:
    built_by = metadata.get("encoder_built_by")
    reuse = (
        f" The encoder's weights are reused unchanged from `{built_by}`; only the head was "
        "fitted on the training set described here."
        if built_by
        else ""
    )
    head = (
        f"network head with one hidden layer of {scorer.hidden_units} units"
        if scorer.hidden_units
        else "logistic regression head"
    )
    return (
        f"Civility's accurate tier: a multi-attribute {head}, trained with masked soft labels, "
        f"on sentence embeddings of {metadata['encoder']}{reuse}"
    )


def ensemble_summary(blend: EnsembleScorer) -> str:
    weights = ", ".join(f"{a} {w:.2f}" for a, w in zip(blend.labels_, blend.weights_, strict=True))
    return (
        f"Civility's ensemble tier: per attribute, a weighted mean of `{blend.fast.version}` "
        f"and `{blend.accurate.version}`. Weight of the accurate tier: {weights}; chosen on "
        f"the {blend.metadata_.get('weights_chosen_on', 'validation split')}."
    )


def register(app: typer.Typer) -> None:
    app.command("train-accurate")(train_accurate_command)
