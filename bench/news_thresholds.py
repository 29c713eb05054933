"""Where the default policy's TOXICITY threshold holds 80 % of toxic news comments.

Scores are read the way the moderation path reads them (long comments held at their worst
sentence, ``civility.moderation.decide.score_texts``), on news comments only:

- Toxic Spans' validation posts (Civil Comments, a news-comment platform; nearly all toxic),
  where the threshold is chosen: the highest one that holds at least ``--recall`` of them;
- Fox News comments of the validation split, labelled hateful or not: the share of the
  others held is the nearest measure we have of civil news comments held;
- the Kaggle news-comment insults (class B, never trained on), for checking: the share of
  insults held, and the share of the other comments held.

    .venv/bin/python bench/news_thresholds.py            # the shipped fast tier
    .venv/bin/python bench/news_thresholds.py fast@var/arm

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse

import numpy as np

from civility.data import load_corpus
from civility.evaluation.ood import parse_spec
from civility.moderation.decide import score_texts
from civility.scoring import load_scorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scorer", nargs="?", default="fast", help="TIER or TIER@ROOT")
    parser.add_argument("--recall", type=float, default=0.8)
    args = parser.parse_args()
    scorer = load_scorer(*parse_spec(args.scorer))
    tox = scorer.labels_.index("TOXICITY")
    spans = load_corpus(["toxic-spans"])
    valid = spans.subset(spans.splits == "valid")
    toxic = [t for t, y in zip(valid.texts, valid.labels[:, tox], strict=True) if y >= 0.5]
    news = load_corpus(["kaggle_insults_impermium"])
    insult = news.labels[:, news.attributes.index("INSULT")] >= 0.5
    fox = load_corpus(["fox_news_comments"])
    fox = fox.subset(fox.splits == "valid")
    hateful = fox.labels[:, tox] >= 0.5
    spans_scores = score_texts(scorer, toxic)[0][:, tox]
    news_scores = score_texts(scorer, news.texts)[0][:, tox]
    fox_scores = score_texts(scorer, fox.texts)[0][:, tox]
    print(
        f"{scorer.version}: {len(toxic)} toxic Toxic Spans validation posts; Kaggle news "
        f"comments: {int(insult.sum())} insults, {int((~insult).sum())} others; Fox News "
        f"validation comments: {int(hateful.sum())} hateful, {int((~hateful).sum())} others"
    )
    print(
        "| TOXICITY >= | Toxic Spans toxic held | Kaggle insults held | Kaggle others held "
        "| Fox News hateful held | Fox News others held |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    chosen = None
    for threshold in np.round(np.arange(0.95, 0.04, -0.05), 2):
        held = float((spans_scores >= threshold).mean())
        if chosen is None and held >= args.recall:
            chosen = threshold
        print(
            f"| {threshold:.2f} | {held:.1%} | {(news_scores[insult] >= threshold).mean():.1%} | "
            f"{(news_scores[~insult] >= threshold).mean():.1%} | "
            f"{(fox_scores[hateful] >= threshold).mean():.1%} | "
            f"{(fox_scores[~hateful] >= threshold).mean():.1%} |"
        )
    print(f"highest threshold holding >= {args.recall:.0%} of the toxic posts: {chosen}")


if __name__ == "__main__":
    main()
