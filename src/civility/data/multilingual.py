"""Loaders for the labelled sets in languages other than English (``multilingual/`` in the data).

Same rules as the English loaders: each maps its set's labels onto our attributes and leaves
what the set does not ask about missing; per-annotator votes become shares. Label definitions
differ from set to set (OffensEval's OFF includes any profanity, HatEval's and HaSpeeDe's hate
is hate against groups only), so a "no" is only a negative for what the set's "yes" covers:

- Sets whose positive class is offence of any kind (OffensEval, GermEval, HASOC, OffendES,
  L-HSAB, ...) make their negatives clean on every attribute but SEXUALLY_EXPLICIT
  (``NOT_OFFENSIVE``).
- Sets about hate against groups only (HatEval, HaSpeeDe, THAR, SWSR, IWG) make their negatives
  negative for IDENTITY_ATTACK only: a post that is no hate can still be rude.

The official train/test splits of the sets are not used: every source's validation split is
drawn by hash like the English ones', so each language's figures come from the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from civility.data._corpus import Example
from civility.data._source import IDA, INS, PRO, SEV, SEX, THR, TOX, Source, read_jsonl

ML = "multilingual"
Loader = Callable[[Path], Iterator[Example]]

NOT_OFFENSIVE = dict.fromkeys((TOX, SEV, IDA, INS, PRO, THR), 0.0)
"""A "not offensive" answer from a set whose "offensive" covers every kind of abuse."""

CLEAN = {**NOT_OFFENSIVE, SEX: 0.0}
"""Written to be clean: counter-narratives and neutral rewrites."""


def _rows(root: Path, folder: str, name: str) -> Iterator[dict[str, Any]]:
    return read_jsonl(root / ML / folder / name)


def _offenseval(folder: str, name: str) -> Loader:
    """OffensEval 2020 (ar, da, el, tr): OFF is any profanity or targeted offence."""

    def load(root: Path) -> Iterator[Example]:
        for r in _rows(root, folder, name):
            yield Example(
                r["id"], r["text"], {TOX: 1.0} if r["subtask_a"] == "OFF" else NOT_OFFENSIVE
            )

    load.__doc__ = _offenseval.__doc__
    return load


def _hasoc(folder: str, name: str) -> Loader:
    """HASOC 2019 (de, hi): HOF is hate, offence or profanity; its one subtype per post gives
    IDENTITY_ATTACK (HATE), INSULT (OFFN) or PROFANITY (PRFN), the other two missing."""
    subtype = {"HATE": IDA, "OFFN": INS, "PRFN": PRO}

    def load(root: Path) -> Iterator[Example]:
        for r in _rows(root, folder, name):
            if r["task_1"] == "HOF":
                labels = {TOX: 1.0}
                if r["task_2"] in subtype:
                    labels[subtype[r["task_2"]]] = 1.0
            else:
                labels = NOT_OFFENSIVE
            yield Example(r["id"], r["text"], labels)

    load.__doc__ = _hasoc.__doc__
    return load


def _mlma(folder: str, name: str) -> Loader:
    """MLMA (ar, fr): tweets collected with hate keywords. Only the single label "normal" is
    non-toxic (keyword-bearing hard negatives); "hateful" aimed at an identity attribute is an
    identity attack; "fearful" is the annotator's feeling, not a threat."""
    identity = {"origin", "religion", "gender", "sexual_orientation", "disability"}

    def load(root: Path) -> Iterator[Example]:
        for r in _rows(root, folder, name):
            kinds = set(r["sentiment"].split("_"))
            if kinds == {"normal"}:
                labels = NOT_OFFENSIVE
            else:
                labels = {TOX: 1.0}
                if "hateful" in kinds and r["target"] in identity:
                    labels[IDA] = 1.0
            yield Example(r["id"], r["text"], labels)

    load.__doc__ = _mlma.__doc__
    return load


def _conan(folder: str, name: str) -> Loader:
    """CONAN (fr, it): expert-written Islamophobic hate speech and NGO counter-narratives,
    which are clean texts on the same topic."""

    def load(root: Path) -> Iterator[Example]:
        for r in _rows(root, folder, name):
            labels = {TOX: 1.0, IDA: 1.0} if r["type"] == "HS" else CLEAN
            yield Example(r["id"], r["text"], labels)

    load.__doc__ = _conan.__doc__
    return load


def load_germeval2018(root: Path) -> Iterator[Example]:
    """German tweets: OFFENSE, with one of INSULT, PROFANITY or ABUSE. ABUSE (degrading a
    person or group) is often, not always, an identity attack, so it leaves IDENTITY_ATTACK
    missing; OTHER is clean."""
    subtype = {"INSULT": INS, "PROFANITY": PRO}
    for r in _rows(root, "de-germeval2018", "germeval2018.jsonl.gz"):
        if r["task1"] == "OFFENSE":
            labels = {TOX: 1.0}
            if r["task2"] in subtype:
                labels[subtype[r["task2"]]] = 1.0
        else:
            labels = NOT_OFFENSIVE
        yield Example(r["id"], r["text"], labels)


def load_germeval2021(root: Path) -> Iterator[Example]:
    """Facebook comments under a talk show: toxic (insults, vulgarity, discrimination, threats,
    sarcasm, discrediting) or not."""
    for r in _rows(root, "de-germeval2021", "germeval2021.jsonl"):
        yield Example(r["id"], r["text"], {TOX: 1.0} if r["Sub1_Toxic"] else NOT_OFFENSIVE)


def load_iwg(root: Path) -> Iterator[Example]:
    """Tweets about refugees, two experts' hate-speech yes/no: the share saying yes is the
    IDENTITY_ATTACK label, and TOXICITY where hate is seen at all."""
    for r in _rows(root, "de-iwg", "iwg_hatespeech_refugees.jsonl.gz"):
        votes = [r["HatespeechOrNot (Expert 1)"], r["HatespeechOrNot (Expert 2)"]]
        share = sum(v == "YES" for v in votes) / len(votes)
        yield Example(r["id"], r["text"], {IDA: share, TOX: share} if share else {IDA: 0.0})


def load_hateval_es(root: Path) -> Iterator[Example]:
    """Spanish tweets: hate against immigrants or women; HS = 0 is not "non-toxic"."""
    for r in _rows(root, "es-hateval2019", "hateval2019_es.jsonl"):
        yield Example(r["id"], r["text"], {TOX: 1.0, IDA: 1.0} if r["HS"] else {IDA: 0.0})


def load_offendes(root: Path) -> Iterator[Example]:
    """Comments to Spanish influencers: offensive to a person (INSULT) or a group (taken as an
    identity attack), expletives without offence (PROFANITY, TOXICITY low) or none."""
    labels = {
        "OFP": {TOX: 1.0, INS: 1.0},
        "OFG": {TOX: 1.0, IDA: 1.0},
        "NOE": {TOX: 0.3, SEV: 0.0, INS: 0.0, IDA: 0.0, THR: 0.0, PRO: 1.0},
        "NO": NOT_OFFENSIVE,
    }
    for r in _rows(root, "es-offendes", "offendes.jsonl.gz"):
        yield Example(r["id"], r["text"], labels[r["label"]])


def load_haspeede2018(root: Path) -> Iterator[Example]:
    """Italian Facebook and Twitter posts: hate speech (against groups) or not."""
    for r in _rows(root, "it-haspeede2018", "haspeede2018_train.jsonl"):
        yield Example(r["id"], r["text"], {TOX: 1.0, IDA: 1.0} if r["hs"] else {IDA: 0.0})


def load_pejorativity(root: Path) -> Iterator[Example]:
    """Italian tweets around 24 epithets: misogyny (IDENTITY_ATTACK, both ways) and whether
    the epithet is used as an insult (INSULT positives only: a literal use of one word does
    not make the tweet free of insults)."""
    for r in _rows(root, "it-pejorativity", "pejorativity.jsonl.gz"):
        labels = {IDA: float(r["misogyny"])}
        if r["pejorative"]:
            labels[INS] = 1.0
        yield Example(r["id"], r["text"], labels)


def load_told_br(root: Path) -> Iterator[Example]:
    """Brazilian tweets, three annotators counting six categories: any flag is toxic (the
    authors' binary); insult, obscene and the four hate categories are shares of annotators."""
    hate = ("homophobia", "racism", "misogyny", "xenophobia")
    for r in _rows(root, "pt-told-br", "told_br.jsonl.gz"):
        counts = [r[k] for k in ("insult", "obscene", *hate)]
        labels = {
            TOX: 1.0 if max(counts) else 0.0,
            INS: r["insult"] / 3,
            PRO: r["obscene"] / 3,
            IDA: max(r[k] for k in hate) / 3,
        }
        if not max(counts):
            labels = {**NOT_OFFENSIVE}
        yield Example(r["id"], r["text"], labels)


def load_hatebr(root: Path) -> Iterator[Example]:
    """Instagram comments on politicians: three annotators' offensive or not."""
    for r in _rows(root, "pt-hatebr", "hatebr.jsonl.gz"):
        share = sum(r[f"anotator{n}"] for n in (1, 2, 3)) / 3
        yield Example(r["id"], r["text"], {TOX: share} if share else NOT_OFFENSIVE)


def load_offcombr(root: Path) -> Iterator[Example]:
    """News-site comments, offensive by two of three judges (OffComBR-2; OffComBR-3 is its
    unanimous subset and is not read twice)."""
    for r in _rows(root, "pt-offcombr", "offcombr2.jsonl"):
        yield Example(r["id"], r["text"], {TOX: 1.0} if r["offensive"] == "yes" else NOT_OFFENSIVE)


def load_l_hsab(root: Path) -> Iterator[Example]:
    """Levantine tweets: abusive (toxic, aimed at no identity), hate (an identity attack) or
    normal."""
    labels = {
        "abusive": {TOX: 1.0, IDA: 0.0},
        "hate": {TOX: 1.0, IDA: 1.0},
        "normal": NOT_OFFENSIVE,
    }
    for r in _rows(root, "ar-l-hsab", "l_hsab.jsonl"):
        yield Example(r["id"], r["text"], labels[r["Class"]])


def _script_share(text: str) -> float:
    """Share of a text's letters that are Devanagari."""
    letters = [c for c in text if c.isalpha()]
    return sum("\u0900" <= c <= "\u097f" for c in letters) / len(letters) if letters else 0.0


def _thar(romanised: bool) -> Loader:
    def load(root: Path) -> Iterator[Example]:
        """YouTube comments, Hindi-English code-mixed: hate against a religion or not (a "not"
        says nothing of other abuse). Rows in Latin letters are hi-Latn, the rest hi."""
        for r in _rows(root, "hi-thar", "thar.jsonl.gz"):
            if (_script_share(r["text"]) < 0.5) != romanised:
                continue
            anti = r["SubTask1"] == "AntiReligion"
            yield Example(r["id"], r["text"], {TOX: 1.0, IDA: 1.0} if anti else {IDA: 0.0})

    return load


def _trac1(romanised: bool) -> Loader:
    values = {"OAG": {TOX: 1.0}, "CAG": {TOX: 0.5}, "NAG": NOT_OFFENSIVE}

    def load(root: Path) -> Iterator[Example]:
        """Facebook and Twitter, Hindi and Hinglish: overt (1), covert (0.5) or no aggression.
        Rows in Latin letters are hi-Latn, the rest hi."""
        for r in _rows(root, "hi-trac1", "trac1_hi_gold.jsonl"):
            if (_script_share(r["text"]) < 0.5) != romanised:
                continue
            yield Example(r["id"], r["text"], values[r["aggression"]])

    return load


def load_ibrohim2019(root: Path) -> Iterator[Example]:
    """Indonesian tweets: hate speech and abusive (harsh or dirty words, taken as PROFANITY);
    hate at religion, race, body or gender is an identity attack, at an individual an insult."""
    identity = ("HS_Religion", "HS_Race", "HS_Physical", "HS_Gender")
    for r in _rows(root, "id-ibrohim2019", "ibrohim2019.jsonl.gz"):
        if not (r["HS"] or r["Abusive"]):
            yield Example(r["id"], r["text"], NOT_OFFENSIVE)
            continue
        labels = {TOX: 1.0, PRO: float(r["Abusive"]), IDA: float(max(r[k] for k in identity))}
        if r["HS_Individual"]:
            labels[INS] = 1.0
        yield Example(r["id"], r["text"], labels)


def load_ja_toxicity(root: Path) -> Iterator[Example]:
    """Japanese sentences with Perspective-style votes: toxic or very toxic (hard to say counts
    half) is TOXICITY, very toxic SEVERE_TOXICITY, as shares of the annotators."""
    for r in _rows(root, "ja-inspection-toxicity", "japanese_toxic_subset.jsonl"):
        n = r["annotation_num"] or 1
        toxic = r["Toxic"] + r["Very_Toxic"] + 0.5 * r["Hard_to_Say"]
        yield Example(r["id"], r["text"], {TOX: min(1.0, toxic / n), SEV: r["Very_Toxic"] / n})


def load_korean_hate_speech(root: Path) -> Iterator[Example]:
    """Entertainment-news comments: hate or offensive (rude, closest to an insult) or none;
    hate with a gender or other bias is an identity attack, no bias no identity attack."""
    for r in _rows(root, "ko-korean-hate-speech", "korean_hate_speech.jsonl.gz"):
        if r["hate"] == "none":
            labels = NOT_OFFENSIVE
        else:
            labels = {TOX: 1.0}
            if r["hate"] == "offensive":
                labels[INS] = 1.0
            if r["bias"] == "none":
                labels[IDA] = 0.0
            elif r["hate"] == "hate":
                labels[IDA] = 1.0
        yield Example(r["id"], r["text"], labels)


def load_unsmile(root: Path) -> Iterator[Example]:
    """Korean comments: hate at nine groups (identity attacks), malicious comments and swearing
    (toxic, aimed at no group), or clean."""
    groups = ("women_family", "men", "lgbtq", "race_nationality", "age", "region", "religion")
    for r in _rows(root, "ko-unsmile", "unsmile.jsonl.gz"):
        if r["clean"]:
            labels = NOT_OFFENSIVE
        elif any(r[g] for g in groups) or r["other_hate"]:
            labels = {TOX: 1.0, IDA: 1.0}
        elif r["malicious_profanity"]:
            labels = {TOX: 1.0, IDA: 0.0}
        else:
            continue
        yield Example(r["id"], r["text"], labels)


def load_kmhas(root: Path) -> Iterator[Example]:
    """Korean news comments, multi-label hate: a group (origin, body, age, gender, race,
    religion) is an identity attack, "profanity" PROFANITY, any hate TOXICITY; "not hate" is
    negative for those, not for mild insults."""
    identity = {0, 1, 4, 5, 6, 7}
    for r in _rows(root, "ko-kmhas", "kmhas_valid_test.jsonl.gz"):
        kinds = set(r["label"])
        if kinds == {8}:
            labels = {TOX: 0.0, IDA: 0.0, PRO: 0.0}
        else:
            labels = {TOX: 1.0, IDA: float(bool(kinds & identity)), PRO: float(3 in kinds)}
        yield Example(r["id"], r["text"], labels)


def load_cursedetect(root: Path) -> Iterator[Example]:
    """Korean community comments: cursing or abuse in a broad sense, TOXICITY only."""
    for r in _rows(root, "ko-cursedetect", "curse_detection.jsonl.gz"):
        yield Example(r["id"], r["text"], {TOX: float(r["label"])})


def load_cold(root: Path) -> Iterator[Example]:
    """Zhihu and Weibo posts on race, region and gender: offensive or safe. The test split's
    fine labels add INSULT (attack on an individual) and IDENTITY_ATTACK (on a group); its
    anti-bias posts are safe talk about groups."""
    for r in _rows(root, "zh-cold", "cold.jsonl.gz"):
        labels = {TOX: 1.0} if r["label"] else {**NOT_OFFENSIVE}
        fine = r.get("fine_grained_label")
        if fine == 1:
            labels.update({INS: 1.0, IDA: 0.0})
        elif fine == 2:
            labels[IDA] = 1.0
        yield Example(r["id"], r["text"], labels)


def load_swsr(root: Path) -> Iterator[Example]:
    """Weibo comments: sexist or not. Sexism is an identity attack (gender) in a broad sense;
    many are stereotypes rather than abuse, so TOXICITY stays missing."""
    for r in _rows(root, "zh-swsr", "swsr_comments.jsonl.gz"):
        yield Example(r["id"], r["text"], {IDA: float(r["label"])})


def load_hatespeechpl(root: Path) -> Iterator[Example]:
    """Polish forum posts, each mentioning a minority: every annotator's 0-4 negativity toward
    it, read as 0 none, 1 half, 2 or more an identity attack, averaged over annotators."""
    for r in _rows(root, "pl-hatespeechpl", "hatespeechpl.jsonl.gz"):
        grades = [min(1.0, a["ocena"] / 2) for a in r["annotations"]] or [min(1.0, r["ocena"] / 2)]
        share = sum(grades) / len(grades)
        yield Example(r["id"], r["text"], {TOX: share, IDA: share})


def load_russe_detox(root: Path) -> Iterator[Example]:
    """Russian toxic sentences (mostly insults and mat) and crowd-written neutral rewrites,
    which are clean: minimal pairs that teach topic is not toxicity."""
    for r in _rows(root, "ru-russe-detox2022", "russe_detox2022.jsonl.gz"):
        yield Example(r["id"], r["text"], {TOX: 1.0})
        for n in (1, 2, 3):
            rewrite = r.get(f"neutral_comment{n}")
            if rewrite:
                yield Example(f"{r['id']}_neutral{n}", rewrite, CLEAN)


def load_distortedtox(root: Path) -> Iterator[Example]:
    """VKontakte news-group comments, toxic or not (one annotator), some spelt to evade
    filters."""
    for r in _rows(root, "ru-distortedtox", "russian_distorted_toxicity.jsonl.gz"):
        yield Example(r["id"], r["text"], {TOX: float(r["toxicity"])})


def load_hatecheck_nl(root: Path) -> Iterator[Example]:
    """Dutch functional test cases (evaluation only: templates leak into any model trained on
    them): hateful cases are identity attacks, threats among them THREAT; non-hateful ones are
    not identity attacks, and the profanity cases are PROFANITY."""
    for r in _rows(root, "nl-hatecheck", "hatecheck_nl.jsonl"):
        if r["label_gold"] == "hateful":
            labels = {TOX: 1.0, IDA: 1.0, THR: float(r["functionality"].startswith("threat_"))}
        else:
            labels = {IDA: 0.0, **({PRO: 1.0} if r["functionality"] == "profanity_nh" else {})}
        yield Example(r["id"], r["text"], labels)


MULTILINGUAL_SOURCES: tuple[Source, ...] = (
    Source(
        "ar-mlma",
        "A",
        "MIT",
        "Arabic tweets, hostility types",
        _mlma("ar-mlma", "mlma_ar.jsonl"),
        "ar",
    ),
    Source(
        "ar-offenseval2020",
        "B",
        "not stated",
        "Arabic tweets, OFF/NOT",
        _offenseval("ar-offenseval2020", "offenseval2020_ar.jsonl.gz"),
        "ar",
    ),
    Source("ar-l-hsab", "B", "not stated", "Levantine tweets, abusive/hate", load_l_hsab, "ar"),
    Source(
        "da-offenseval2020",
        "B",
        "not stated",
        "Danish comments, OFF/NOT",
        _offenseval("da-offenseval2020", "offenseval2020_da.jsonl"),
        "da",
    ),
    Source(
        "de-germeval2018", "A", "CC-BY-4.0", "German tweets, offence types", load_germeval2018, "de"
    ),
    Source(
        "de-iwg",
        "A",
        "CC-BY-SA-3.0",
        "German tweets on refugees, two experts' hate",
        load_iwg,
        "de",
    ),
    Source(
        "de-germeval2021",
        "B",
        "not stated",
        "German Facebook comments, toxic",
        load_germeval2021,
        "de",
    ),
    Source(
        "de-hasoc2019",
        "B",
        "not stated",
        "German posts, hate/offence/profanity",
        _hasoc("de-hasoc2019", "hasoc2019_de.jsonl"),
        "de",
    ),
    Source(
        "el-offenseval2020",
        "B",
        "not stated",
        "Greek tweets, OFF/NOT",
        _offenseval("el-offenseval2020", "offenseval2020_el.jsonl.gz"),
        "el",
    ),
    Source(
        "es-hateval2019",
        "B",
        "CC-BY-NC-4.0",
        "Spanish tweets, hate vs immigrants/women",
        load_hateval_es,
        "es",
    ),
    Source(
        "es-offendes",
        "B",
        "not stated",
        "Spanish comments to influencers, offence types",
        load_offendes,
        "es",
    ),
    Source(
        "fr-mlma",
        "A",
        "MIT",
        "French tweets, hostility types",
        _mlma("fr-mlma", "mlma_fr.jsonl"),
        "fr",
    ),
    Source(
        "fr-conan",
        "B",
        "research only",
        "French hate speech vs counter-narratives",
        _conan("fr-conan", "conan_fr.jsonl"),
        "fr",
    ),
    Source(
        "hi-hasoc2019",
        "B",
        "not stated",
        "Hindi posts, hate/offence/profanity",
        _hasoc("hi-hasoc2019", "hasoc2019_hi.jsonl.gz"),
        "hi",
    ),
    Source(
        "hi-thar",
        "B",
        "not stated",
        "Hindi YouTube comments, anti-religion hate",
        _thar(romanised=False),
        "hi",
    ),
    Source(
        "hi-trac1", "B", "CC-BY-NC-SA-4.0", "Hindi posts, aggression", _trac1(romanised=False), "hi"
    ),
    Source(
        "hi-Latn-thar",
        "B",
        "not stated",
        "Hinglish YouTube comments, anti-religion hate",
        _thar(romanised=True),
        "hi-Latn",
    ),
    Source(
        "hi-Latn-trac1",
        "B",
        "CC-BY-NC-SA-4.0",
        "Hinglish posts, aggression",
        _trac1(romanised=True),
        "hi-Latn",
    ),
    Source(
        "id-ibrohim2019",
        "B",
        "CC-BY-NC-SA-4.0",
        "Indonesian tweets, hate and abusive",
        load_ibrohim2019,
        "id",
    ),
    Source(
        "it-pejorativity",
        "A",
        "CC-BY",
        "Italian tweets, misogyny and epithets",
        load_pejorativity,
        "it",
    ),
    Source(
        "it-haspeede2018",
        "B",
        "CC-BY-NC-SA-4.0",
        "Italian posts, hate speech",
        load_haspeede2018,
        "it",
    ),
    Source(
        "it-conan",
        "B",
        "research only",
        "Italian hate speech vs counter-narratives",
        _conan("it-conan", "conan_it.jsonl"),
        "it",
    ),
    Source(
        "ja-inspection-toxicity",
        "A",
        "Apache-2.0",
        "Japanese sentences, toxicity votes",
        load_ja_toxicity,
        "ja",
    ),
    Source(
        "ko-korean-hate-speech",
        "A",
        "CC-BY-SA-4.0",
        "Korean entertainment-news comments, hate/offensive",
        load_korean_hate_speech,
        "ko",
    ),
    Source(
        "ko-kmhas", "A", "CC-BY-SA-4.0", "Korean news comments, hate by target", load_kmhas, "ko"
    ),
    Source(
        "ko-cursedetect", "A", "MIT", "Korean community comments, cursing", load_cursedetect, "ko"
    ),
    Source(
        "ko-unsmile",
        "eval",  # no derivatives: a model trained on it would be one, so it only measures
        "CC-BY-NC-ND-4.0",
        "Korean comments, hate by target (evaluation only)",
        load_unsmile,
        "ko",
    ),
    Source(
        "nl-hatecheck",
        "eval",
        "GPL-3.0",
        "Dutch functional test cases (evaluation only)",
        load_hatecheck_nl,
        "nl",
    ),
    Source(
        "pl-hatespeechpl",
        "B",
        "CC-BY-NC-SA",
        "Polish forum posts, negativity to minorities",
        load_hatespeechpl,
        "pl",
    ),
    Source(
        "pt-told-br", "A", "CC-BY-SA-4.0", "Brazilian tweets, toxic categories", load_told_br, "pt"
    ),
    Source(
        "pt-hatebr",
        "B",
        "CC-BY-NC-4.0",
        "Instagram comments on politicians, offensive",
        load_hatebr,
        "pt",
    ),
    Source(
        "pt-offcombr",
        "B",
        "not stated",
        "Brazilian news-site comments, offensive",
        load_offcombr,
        "pt",
    ),
    Source(
        "ru-distortedtox",
        "A",
        "MIT",
        "VKontakte comments, toxic, obfuscated",
        load_distortedtox,
        "ru",
    ),
    Source(
        "ru-russe-detox2022",
        "B",
        "not stated",
        "Russian toxic sentences and rewrites",
        load_russe_detox,
        "ru",
    ),
    Source(
        "tr-offenseval2020",
        "B",
        "not stated",
        "Turkish tweets, OFF/NOT",
        _offenseval("tr-offenseval2020", "offenseval2020_tr.jsonl.gz"),
        "tr",
    ),
    Source(
        "zh-cold",
        "A",
        "Apache-2.0",
        "Chinese posts on race, region, gender: offensive",
        load_cold,
        "zh",
    ),
    Source("zh-swsr", "A", "MIT", "Weibo comments, sexism", load_swsr, "zh"),
)
"""Every non-English set, by language; ``nl-hatecheck`` (templates) and ``ko-unsmile`` (no
derivatives) are for evaluation only."""
