"""The evaluation report's validation table: which figures a reader can trust."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from civility.evaluation.report import render_markdown, render_model_card
from civility.metrics import attribute_metrics, mean_over_sources

ATTRIBUTES = ("TOXICITY", "INSULT")


def _validation() -> dict[str, dict[str, dict[str, float | int | None]]]:
    """Two sources that rank perfectly and badly, and one that holds three non-toxic texts."""
    rng = np.random.default_rng(0)
    y = np.array([0.0] * 40 + [1.0] * 40)
    good = np.column_stack([y * 0.8 + 0.1, np.full_like(y, np.nan)])
    bad = np.column_stack([rng.random(80), np.full_like(y, np.nan)])
    few = np.array([0.0] * 3 + [1.0] * 77)
    labels = {"news": y, "forum": y, "tiny": few}
    probs = {"news": good, "forum": bad, "tiny": np.column_stack([1 - few, few])}
    report = {
        source: attribute_metrics(
            np.column_stack([labels[source], np.full_like(labels[source], np.nan)]),
            probs[source],
            ATTRIBUTES,
        )
        for source in labels
    }
    return {"all": report["news"], **report}


def test_the_mean_over_sources_leaves_out_a_source_too_small_to_measure() -> None:
    validation = _validation()
    assert validation["tiny"]["TOXICITY"]["roc_auc"] == 0.0  # three texts decide it
    news, forum = (validation[s]["TOXICITY"]["roc_auc"] for s in ("news", "forum"))
    assert mean_over_sources(validation, "TOXICITY") == pytest.approx((news + forum) / 2)
    assert mean_over_sources(validation, "INSULT") is None  # no source labels it


def test_the_report_and_the_model_card_mark_such_figures_and_print_the_mean() -> None:
    metrics = {"validation": _validation()}
    scorer = SimpleNamespace(version="test", labels_=ATTRIBUTES, metadata_={"metrics": metrics})
    table = render_markdown(scorer, external={}, loso=None)  # type: ignore[arg-type]
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()}
    assert "| (0.000) |" in rows["tiny"]
    assert "| 1.000 |" in rows["news"]
    mean = mean_over_sources(_validation(), "TOXICITY")
    assert f"| {mean:.3f} | – |" in rows["mean over sources"]
    card = render_model_card(scorer)  # type: ignore[arg-type]
    assert f"| TOXICITY | 1.000 | {mean:.3f} |" in card  # "all" is the news source here
    assert "Compare models by the mean" in card
