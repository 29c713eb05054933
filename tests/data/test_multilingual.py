"""The other languages' loaders, their normaliser and their dedup keys."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.data import Example, build_corpus, dedup_key, load_corpus
from civility.data.multilingual import MULTILINGUAL_SOURCES
from civility.data.sources import SOURCES, default_sources, get_source, languages
from civility.text.normalize import normalize, normalize_multilingual
from tests.conftest import requires_data

CHINESE = ["谢谢你的分享", "你真是个白痴", "今天天气很好"]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    path.write_bytes(gzip.compress(lines) if path.suffix == ".gz" else lines)


def test_english_training_sources_are_unchanged_by_the_other_languages() -> None:
    english = default_sources("A")
    assert "hatexplain" in english
    assert all(SOURCES[name].language == "en" for name in english)
    assert default_sources("A", "de") == ["de-germeval2018", "de-iwg"]
    assert not {"nl-hatecheck", "ko-unsmile"} & set(default_sources("AB", None))  # evaluation only


def test_every_perspective_language_with_data_is_a_source_language() -> None:
    assert {"ar", "de", "es", "fr", "hi", "hi-Latn", "it", "ko", "pl", "pt", "ru", "zh"} <= set(
        languages()
    )
    assert languages()[0] == "en"


def test_multilingual_normaliser_keeps_scripts_and_unmixes_words() -> None:
    assert normalize_multilingual("Ты ИДИОТ!!!!") == "ты идиот!!"
    # a Latin x and y slipped into a Russian word are read as the Cyrillic letters they mimic
    assert normalize_multilingual("xyй") == "хуй"
    assert normalize_multilingual("Ein іdiot") == "ein idiot"  # Cyrillic і in a German word
    assert normalize_multilingual("@USER schau URL") == "@user schau url"
    assert normalize_multilingual("@maria123 mira https://t.co/x") == "@user mira url"
    assert normalize_multilingual("Straße café") == "straße café"  # accents stay
    # the English normaliser folds Cyrillic into Latin: right for English, wrong for Russian
    assert normalize("Ты идиот") != normalize_multilingual("Ты идиот")


def test_dedup_keys_keep_non_latin_texts_apart_and_english_keys_as_they_were() -> None:
    assert len({dedup_key(t, "zh") for t in CHINESE}) == len(CHINESE)
    assert dedup_key("你真是个白痴！", "zh") == dedup_key("你真是个白痴", "zh")
    assert dedup_key("You are an IDIOT!!!") == dedup_key("you are an idiot")
    examples = [Example(str(i), text, {"TOXICITY": 0.0}) for i, text in enumerate(CHINESE)]
    assert len(build_corpus([("zh-test", examples)], {"zh-test": "zh"})) == len(CHINESE)
    assert len(build_corpus([("zh-test", examples)])) == 0  # read as English: all one empty key


def test_broad_offence_negatives_are_clean_but_group_hate_negatives_only_not_hate(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path / "multilingual/tr-offenseval2020/offenseval2020_tr.jsonl.gz",
        [{"id": "t1", "text": "güzel bir gün", "subtask_a": "NOT"}],
    )
    _write(
        tmp_path / "multilingual/es-hateval2019/hateval2019_es.jsonl",
        [
            {"id": "h1", "text": "que se vayan todos los inmigrantes", "HS": 1},
            {"id": "h2", "text": "eres un imbécil", "HS": 0},
        ],
    )
    (not_offensive,) = get_source("tr-offenseval2020").loader(tmp_path)
    assert set(not_offensive.labels) == set(ATTRIBUTE_NAMES) - {"SEXUALLY_EXPLICIT"}
    assert not any(not_offensive.labels.values())
    hate, rude = get_source("es-hateval2019").loader(tmp_path)
    assert hate.labels == {"TOXICITY": 1.0, "IDENTITY_ATTACK": 1.0}
    assert rude.labels == {"IDENTITY_ATTACK": 0.0}  # not hate, and maybe still toxic


@requires_data
@pytest.mark.data
@pytest.mark.parametrize("source", [s.name for s in MULTILINGUAL_SOURCES])
def test_every_multilingual_loader_reads_the_shared_data(source: str) -> None:
    corpus = load_corpus([source], limit_per_source=300)
    assert len(corpus) > 100
    labelled = ~np.isnan(corpus.labels)
    assert labelled.any(axis=1).all()
    assert ((corpus.labels[labelled] >= 0) & (corpus.labels[labelled] <= 1)).all()
    assert corpus.meta["sources"][source]["language"] == get_source(source).language
    assert set(corpus.splits) <= {"train", "valid"}
