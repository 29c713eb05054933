"""One loader per training set, each mapping that set's labels onto our attributes.

Each loader reads the JSONL published in the shared data folder and yields ``Example``s whose
``labels`` hold only the attributes the set actually says something about; everything else is
missing. Per-annotator votes become the share of annotators (soft labels). The mapping choices
are written next to each loader, because they are the judgement calls that decide what the
models learn.

``SOURCES`` is the registry: name, licence class (A may train the default model, B only an
opt-in one, ``eval`` nothing at all), licence, loader and language. The English sets' loaders
are here; the other languages' are in ``civility.data.multilingual``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civility.data._corpus import Example
from civility.data._source import (
    IDA,
    INS,
    PRO,
    SEV,
    SEX,
    THR,
    TOX,
    Source,
    read_jsonl,
)
from civility.data._source import data_root as data_root  # where the other modules find it
from civility.data.multilingual import MULTILINGUAL_SOURCES
from civility.errors import UnknownNameError

# -- class A -------------------------------------------------------------------------------


def load_toxic_spans(root: Path) -> Iterator[Example]:
    """Civil Comments news-site posts with per-annotator typed toxic spans (ACL 2022 release).

    An annotator who marked spans, or only ticked "all toxic", votes toxic; one who ticked both
    "all toxic" and "not toxic" with no spans gave a contradictory answer and counts half. The
    span types give INSULT, PROFANITY, IDENTITY_ATTACK and THREAT as the share of annotators
    who marked a span of that type. Texts of the SemEval-2021 test split are pinned to "test"
    so span F1 is measured on text no model trained on.
    """
    test_texts = {r["text"] for r in read_jsonl(root / "toxic-spans" / "tsd_test.jsonl")}
    types = {"Insult": INS, "Profane/Obscene": PRO, "Identity based Attack": IDA, "Threat": THR}
    for record in read_jsonl(root / "toxic-spans" / "acl2022_per_annotator.jsonl"):
        annotations = record["annotations"]
        if not annotations:
            continue
        toxic = []
        for a in annotations:
            if a["spans"] or (a["all_toxic"] and not a["not_toxic"]):
                toxic.append(1.0)
            elif a["all_toxic"] and a["not_toxic"]:
                toxic.append(0.5)
            else:
                toxic.append(0.0)
        labels: dict[str, float] = {TOX: sum(toxic) / len(toxic)}
        for span_type, attribute in types.items():
            labels[attribute] = sum(
                any(s["type"] == span_type for s in a["spans"]) for a in annotations
            ) / len(annotations)
        yield Example(
            record["id"], record["text"], labels, "test" if record["text"] in test_texts else None
        )


def load_hatexplain(root: Path) -> Iterator[Example]:
    """Tweets and Gab posts: hatespeech / offensive / normal from each of three annotators.

    TOXICITY is the share voting hatespeech or offensive, IDENTITY_ATTACK the share voting
    hatespeech (HateXplain's hate is by definition aimed at a group).
    """
    for record in read_jsonl(root / "hatexplain" / "hatexplain.jsonl.gz"):
        votes = record["labels"]
        yield Example(
            record["id"],
            record["text"],
            {
                TOX: sum(v != "normal" for v in votes) / len(votes),
                IDA: sum(v == "hatespeech" for v in votes) / len(votes),
            },
        )


def load_implicit_hate(root: Path) -> Iterator[Example]:
    """Tweets from extremist-adjacent accounts: explicit, implicit or no hate.

    Both kinds of hate are identity attacks and toxic; implicit hate gets 0.8 TOXICITY since it
    carries no rude words and readers disagree more. Stage-2 "threatening" posts are THREAT;
    other stage-2 posts are implicit hate that is not threatening.
    """
    folder = root / "implicit_hate_corpus"
    stage2 = {
        r["text"]: r["implicit_class"] for r in read_jsonl(folder / "implicit_hate_stg2.jsonl")
    }
    tox = {"explicit_hate": 1.0, "implicit_hate": 0.8, "not_hate": 0.0}
    for record in read_jsonl(folder / "implicit_hate_stg1.jsonl.gz"):
        kind = record["class"]
        labels = {TOX: tox[kind], IDA: 0.0 if kind == "not_hate" else 1.0}
        if record["text"] in stage2:
            labels[THR] = 1.0 if stage2[record["text"]] == "threatening" else 0.0
        yield Example(record["id"], record["text"], labels)


def load_stormfront(root: Path) -> Iterator[Example]:
    """Sentences from a white-supremacist forum: hate or not (context-dependent ones skipped)."""
    for record in read_jsonl(root / "stormfront_degibert2018" / "stormfront.jsonl.gz"):
        if record["label"] not in ("hate", "noHate"):
            continue
        value = 1.0 if record["label"] == "hate" else 0.0
        yield Example(record["id"], record["text"], {TOX: value, IDA: value})


def load_edos(root: Path) -> Iterator[Example]:
    """Gab and Reddit posts labelled for sexism only.

    Sexist posts attack an identity (gender) and are toxic; "not sexist" only says the post is
    no identity attack on gender, so TOXICITY stays missing for it. Category 1 (threats,
    incitement) gives THREAT among sexist posts.
    """
    for record in read_jsonl(root / "edos_sexism" / "edos_aggregated.jsonl.gz"):
        if record["label_sexist"] == "sexist":
            threat = 1.0 if record["label_category"].startswith("1.") else 0.0
            labels = {TOX: 1.0, IDA: 1.0, THR: threat}
        else:
            labels = {IDA: 0.0}
        yield Example(record["id"], record["text"], labels)


def load_paradetox(root: Path) -> Iterator[Example]:
    """Toxic sentences with crowd-written neutral rewrites, and sentences that could not be.

    A toxic sentence is TOXICITY 1 (nothing said of the rest); its rewrites are clean on every
    attribute: minimal pairs that teach topic is not toxicity. Sentences workers could not
    rewrite because the content itself is toxic count 0.9; those they called not toxic, 0.1
    (one worker's opinion).
    """
    folder = root / "paradetox"
    clean = dict.fromkeys((TOX, SEV, IDA, INS, PRO, THR, SEX), 0.0)
    for record in read_jsonl(folder / "paradetox_pairs.jsonl.gz"):
        yield Example(record["id"], record["toxic"], {TOX: 1.0})
        for n in (1, 2, 3):
            rewrite = record.get(f"neutral{n}")
            if rewrite:
                yield Example(f"{record['id']}_neutral{n}", rewrite, clean)
    for record in read_jsonl(folder / "paradetox_cannot_rewrite.jsonl"):
        reasons = record.get("reasons") or {}
        if reasons.get("toxic_content"):
            yield Example(record["id"], record["text"], {TOX: 0.9})
        elif reasons.get("not_toxic"):
            yield Example(record["id"], record["text"], {TOX: 0.1})


def _vote(value: Any) -> float:
    """ConvAbuse cells are 0/1, or a list when one annotator labelled a repeated item twice."""
    if isinstance(value, list):
        return sum(float(v) for v in value) / len(value) if value else 0.0
    if isinstance(value, str):
        parts = [float(p) for p in value.split(",") if p.strip()]
        return sum(parts) / len(parts) if parts else 0.0
    return float(value or 0)


def load_convabuse(root: Path) -> Iterator[Example]:
    """Users' messages to chatbots, with per-annotator abuse severity and abuse types.

    TOXICITY: share of annotators choosing an abusive level (ambiguous counts half).
    SEVERE_TOXICITY: share choosing "strongly" or "very strongly" abusive. SEXUALLY_EXPLICIT:
    share ticking sexual harassment. IDENTITY_ATTACK: share ticking a group-based abuse type.
    """
    identity = ("ableist", "homophobic", "racist", "sexist", "transphobic")
    for record in read_jsonl(root / "convabuse" / "convabuse.jsonl.gz"):
        rows = record["annotations"]
        if not rows:
            continue
        tox = [
            min(
                1.0,
                sum(_vote(a.get(f"is_abuse.{lvl}", 0)) for lvl in ("-1", "-2", "-3"))
                + 0.5 * _vote(a.get("is_abuse.0", 0)),
            )
            for a in rows
        ]
        severe = [
            min(1.0, _vote(a.get("is_abuse.-2", 0)) + _vote(a.get("is_abuse.-3", 0))) for a in rows
        ]
        sexual = [min(1.0, _vote(a.get("sex_harassment", 0))) for a in rows]
        ida = [min(1.0, max(_vote(a.get(k, 0)) for k in identity)) for a in rows]
        yield Example(
            record["id"],
            record["text"],
            {
                TOX: sum(tox) / len(rows),
                SEV: sum(severe) / len(rows),
                SEX: sum(sexual) / len(rows),
                IDA: sum(ida) / len(rows),
            },
        )


def load_hatemoji(root: Path) -> Iterator[Example]:
    """Adversarial emoji-based hate and its non-hateful perturbations (minimal pairs)."""
    for record in read_jsonl(root / "hatemoji_build" / "hatemoji_build.jsonl"):
        hateful = float(record["label_gold"])
        threat = 1.0 if record.get("type") == "threateninglanguage" else 0.0
        yield Example(record["id"], record["text"], {TOX: hateful, IDA: hateful, THR: threat})


def load_fox_news(root: Path) -> Iterator[Example]:
    """Fox News comments labelled hateful in a broad sense (abuse of groups or people)."""
    for record in read_jsonl(root / "fox_news_comments" / "fox_news_comments.jsonl"):
        yield Example(record["id"], record["text"], {TOX: float(record["label"])})


def load_ethos(root: Path) -> Iterator[Example]:
    """YouTube and Reddit comments: share of annotators finding hate; violence among the hateful."""
    folder = root / "ethos"
    violence = {r["text"]: r["violence"] for r in read_jsonl(folder / "ethos_multilabel.jsonl")}
    for record in read_jsonl(folder / "ethos_binary.jsonl"):
        share = float(record["isHate"])
        labels = {TOX: share, IDA: share}
        if record["text"] in violence:
            labels[THR] = float(violence[record["text"]])
        yield Example(record["id"], record["text"], labels)


_CALM_EMOTIONS = frozenset(
    {
        "neutral",
        "admiration",
        "approval",
        "caring",
        "gratitude",
        "joy",
        "love",
        "optimism",
        "curiosity",
        "relief",
        "pride",
        "excitement",
        "amusement",
        "realization",
        "desire",
    }
)


def load_goemotions(root: Path) -> Iterator[Example]:
    """Everyday Reddit comments. Only those whose emotions are all calm or positive count as
    non-toxic; the rest carry no human label and learn only from the teachers."""
    for record in read_jsonl(root / "goemotions_reddit" / "goemotions.jsonl.gz"):
        calm = set(record["emotions"]) <= _CALM_EMOTIONS
        yield Example(record["id"], record["text"], {TOX: 0.0, SEV: 0.0} if calm else {})


# -- class B (opt-in models only) -------------------------------------------------------------


def load_cadd(root: Path) -> Iterator[Example]:
    """Reddit comments: abuse type and profanity (L1 3 = profanity, 2 derogatory, 1 hate)."""
    for record in read_jsonl(root / "cadd_reddit" / "cadd_dev_test.jsonl.gz"):
        kind = int(record["L1"])
        yield Example(
            record["id"],
            record["text"],
            {
                TOX: float(record["L2"]),
                PRO: float(record["L6"]),
                IDA: float(kind == 1),
                INS: float(kind == 2),
            },
        )


def load_gab_hate(root: Path) -> Iterator[Example]:
    """Gab posts: assault on dignity (hd), call for violence (cv), vulgarity (vo)."""
    for name in ("ghc_train.jsonl.gz", "ghc_test.jsonl"):
        for record in read_jsonl(root / "gab_hate_corpus" / name):
            hd, cv, vo = float(record["hd"]), float(record["cv"]), float(record["vo"])
            yield Example(
                record["id"], record["text"], {TOX: max(hd, cv, vo), IDA: hd, THR: cv, PRO: vo}
            )


def load_hateval(root: Path) -> Iterator[Example]:
    """Tweets: hate against immigrants or women (HS)."""
    for record in read_jsonl(root / "hateval2019_en" / "hateval2019_en.jsonl.gz"):
        hs = float(record["HS"])
        yield Example(record["id"], record["text"], {TOX: hs, IDA: hs})


def load_trac1(root: Path) -> Iterator[Example]:
    """Facebook comments: overt (1), covert (0.5) or no aggression (0)."""
    values = {"OAG": 1.0, "CAG": 0.5, "NAG": 0.0}
    for record in read_jsonl(root / "trac1_en" / "trac1_en.jsonl.gz"):
        yield Example(record["id"], record["text"], {TOX: values[record["aggression"]]})


def load_kaggle_insults(root: Path) -> Iterator[Example]:
    """News and blog comments: insulting to a participant or not."""
    for record in read_jsonl(root / "kaggle_insults_impermium" / "kaggle_insults.jsonl.gz"):
        value = float(record["Insult"])
        labels = {INS: value, TOX: value} if value else {INS: 0.0}
        yield Example(record["id"], record["text"], labels)


def load_toxigen(root: Path) -> Iterator[Example]:
    """Machine-written implicit hate and neutral statements about 16 groups."""
    for record in read_jsonl(root / "toxigen_prompts" / "toxigen_seed_sentences.jsonl"):
        value = 1.0 if record["label"] == "hate" else 0.0
        yield Example(record["id"], record["text"], {TOX: value, IDA: value})


def load_conan(root: Path) -> Iterator[Example]:
    """Expert-written hate speech (HS) and counter-narratives (CN) about identity groups."""
    folder = root / "conan_counter_narratives"
    for name in (
        "multitarget_conan.jsonl",
        "conan_en.jsonl",
        "kn_grounded_conan.jsonl",
        "dialoconan.jsonl.gz",
    ):
        for record in read_jsonl(folder / name):
            value = 1.0 if record["type"] == "HS" else 0.0
            labels = {TOX: value, IDA: value}
            if not value:
                labels.update({INS: 0.0, PRO: 0.0, THR: 0.0})
            yield Example(record["id"], record["text"], labels)


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "toxic-spans",
            "A",
            "CC0-1.0",
            "Civil Comments news-site posts, typed toxic spans",
            load_toxic_spans,
        ),
        Source("hatexplain", "A", "MIT", "Twitter and Gab, hate/offensive/normal", load_hatexplain),
        Source(
            "implicit_hate_corpus",
            "A",
            "CC-BY-4.0",
            "Twitter, explicit/implicit hate",
            load_implicit_hate,
        ),
        Source(
            "stormfront_degibert2018",
            "A",
            "CC-BY-SA-3.0",
            "Stormfront forum, hate/noHate",
            load_stormfront,
        ),
        Source("edos_sexism", "A", "CC0-1.0", "Gab and Reddit, sexism", load_edos),
        Source("paradetox", "A", "CC0-1.0", "toxic sentences and neutral rewrites", load_paradetox),
        Source("convabuse", "A", "CC-BY-4.0", "abuse towards chatbots", load_convabuse),
        Source("hatemoji_build", "A", "CC-BY-4.0", "adversarial emoji hate", load_hatemoji),
        Source("fox_news_comments", "A", "MIT", "Fox News comments, hateful", load_fox_news),
        Source("ethos", "A", "GPL-3.0", "YouTube and Reddit, hate share", load_ethos),
        Source("goemotions_reddit", "A", "Apache-2.0", "everyday Reddit comments", load_goemotions),
        Source(
            "cadd_reddit",
            "B",
            "CC-BY-SA-4.0 + no-sharing guideline",
            "Reddit abuse types",
            load_cadd,
        ),
        Source(
            "gab_hate_corpus", "B", "not stated", "Gab, dignity/violence/vulgarity", load_gab_hate
        ),
        Source(
            "hateval2019_en", "B", "CC-BY-NC-4.0", "Twitter, hate vs immigrants/women", load_hateval
        ),
        Source("trac1_en", "B", "CC-BY-NC-SA-4.0", "Facebook, aggression", load_trac1),
        Source(
            "kaggle_insults_impermium",
            "B",
            "not stated",
            "news comments, insults",
            load_kaggle_insults,
        ),
        Source(
            "toxigen_prompts", "B", "research only", "machine-written hate/neutral", load_toxigen
        ),
        Source(
            "conan_counter_narratives",
            "B",
            "research only",
            "hate speech vs counter-speech",
            load_conan,
        ),
        *MULTILINGUAL_SOURCES,
    )
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownNameError("source", name, SOURCES) from None


def default_sources(licence_classes: str = "A", language: str | None = "en") -> list[str]:
    """Names of the sources whose licence class is in ``licence_classes`` ("A" or "AB") and
    whose texts are in ``language`` (``None``: every language).

    Evaluation-only sets (class ``eval``) are never among them.
    """
    return [
        s.name
        for s in SOURCES.values()
        if s.licence_class in tuple(licence_classes)
        and (language is None or s.language == language)
    ]


def languages() -> list[str]:
    """Every language some source has texts in, English first."""
    return list(dict.fromkeys(["en", *sorted(s.language for s in SOURCES.values())]))
