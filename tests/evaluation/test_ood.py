"""The out-of-domain protocol on tiny data: which model it prefers, and what each row measures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civility.data import Corpus
from civility.data._corpus import Example, build_corpus
from civility.data.augment import SWAP_GROUPS, has_identity_terms, swap_identity_terms
from civility.evaluation.ood import (
    benign_mention_rows,
    external_rows,
    parse_spec,
    render_table,
    swap_rows,
)
from civility.scoring import FastScorer
from tests.conftest import load_tiny_corpus

INSULTS = ["you are an idiot", "what a stupid moron", "shut up you pathetic loser"]
THANKS = ["thanks for the article", "great reporting, thank you", "a fair and useful piece"]


def _corpus(source: str, rows: list[tuple[str, float]], split: str = "valid") -> Corpus:
    examples = [Example(f"{source}:{i}", t, {"TOXICITY": y}) for i, (t, y) in enumerate(rows)]
    corpus = build_corpus([(source, examples)])
    corpus.splits = np.full(len(corpus), split)
    return corpus


def _labelled(n: int) -> list[tuple[str, float]]:
    """``n`` insults and ``n`` thanks, each made unique by a number."""
    return [(f"{INSULTS[i % 3]} {i}", 1.0) for i in range(n)] + [
        (f"{THANKS[i % 3]} {i}", 0.0) for i in range(n)
    ]


@pytest.fixture(scope="module")
def reversed_scorer() -> FastScorer:
    """The tiny corpus with TOXICITY upside down: a model that ranks everything backwards."""
    texts, labels = load_tiny_corpus()
    labels = labels.copy()
    labels[:, 0] = 1 - labels[:, 0]
    return FastScorer(min_df=1, alpha=1e-4, max_iter=200).fit(texts * 3, np.vstack([labels] * 3))


def test_external_sets_rank_the_better_model_first(
    tiny_scorer: FastScorer, reversed_scorer: FastScorer
) -> None:
    sets = {"forum": _corpus("forum", _labelled(40))}
    rows = external_rows([tiny_scorer, reversed_scorer], sets, limit=60)
    by_measure = {row.measure: row for row in rows}
    good, bad = by_measure["forum TOXICITY"].values
    assert good is not None and bad is not None and good > 0.9 > 0.1 > bad
    assert by_measure["forum TOXICITY"].texts == 60  # the limit holds
    assert "forum IDENTITY_ATTACK" not in by_measure  # the set does not label it
    assert by_measure["mean TOXICITY"].values == [good, bad]
    table = render_table(["fast", "fast@var/arm"], rows)
    assert (
        f"| external | forum TOXICITY | 60 | {good:.3f} | {bad:.3f} | {bad - good:+.3f} |" in table
    )


def test_benign_mentions_count_only_non_toxic_texts_that_name_a_group(
    tiny_scorer: FastScorer,
) -> None:
    validation = _corpus(
        "hatexplain",
        [
            ("the women's team played a great match, thank you", 0.0),
            ("muslims in my town ran the food bank, thanks", 0.0),
            ("you are an idiot, said the women", 0.0),  # labelled non-toxic; scored toxic
            ("a fair and useful piece about the weather", 0.0),  # names no group
            ("women are idiots", 1.0),  # toxic: not a benign mention
        ],
    )
    rows = benign_mention_rows([tiny_scorer], validation, limit=None)
    flagged = {row.measure: row for row in rows}["hatexplain flagged TOXICITY"]
    assert flagged.texts == 3
    assert flagged.values == [pytest.approx(1 / 3)]


def test_identity_swaps_keep_the_sentence_and_its_capitals() -> None:
    rng = np.random.default_rng(0)
    swapped = swap_identity_terms("Muslims and WOMEN are welcome; the muslim fair is on.", rng)
    first, _, rest = swapped.partition(" and ")
    assert first in {w.capitalize() for w in SWAP_GROUPS[6]} - {"Muslims"}
    assert rest.startswith("MEN are welcome; the ")
    assert "muslim" not in rest
    assert swap_identity_terms("a fair and useful piece", rng) == "a fair and useful piece"
    assert has_identity_terms("Gay people") and not has_identity_terms("gayety")


def test_identity_swaps_show_a_model_that_learned_a_group_word_as_abuse(
    tiny_scorer: FastScorer,
) -> None:
    texts = [f"muslims {t}" for t in THANKS] + THANKS
    labels = np.array([[1.0] + [np.nan] * 6] * 3 + [[0.0] + [np.nan] * 6] * 3)
    biased = FastScorer(min_df=1, alpha=1e-4, max_iter=200).fit(texts * 5, np.vstack([labels] * 5))
    validation = _corpus(
        "toxic-spans", [(f"the muslims said: {t} {i}", 0.0) for i, t in enumerate(THANKS * 20)]
    )
    shift = {row.measure: row for row in swap_rows([tiny_scorer, biased], validation, None)}
    unbiased, learned = shift["mean absolute shift TOXICITY"].values
    assert unbiased is not None and learned is not None
    assert learned > 0.5 > 0.2 > unbiased


def test_a_spec_names_a_tier_and_where_its_artifact_lives() -> None:
    assert parse_spec("fast") == ("fast", None)
    assert parse_spec("ensemble@var/arm") == ("ensemble", Path("var/arm/ensemble"))
