"""Each loader maps its dataset's labels onto our attributes, with missing left missing.

The fixture tree mimics the shared data layout with a few hand-written rows per dataset, built
in a temporary folder so the tests run anywhere.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from civility.data import LOCAL_CLASS, build_corpus, load_corpus, summarize
from civility.data.sources import get_source
from civility.data.teachers import load_teacher_scores, mix_teachers
from civility.errors import ConfigError, InputFileError, UnknownNameError
from civility.training.fast import TrainingConfig, training_metadata
from tests.conftest import SHARED_DATA, requires_data


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r) + "\n" for r in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(lines.encode()))
    else:
        path.write_text(lines)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    insult = {"start": 10, "end": 15, "type": "Insult"}
    _write(
        tmp_path / "toxic-spans/acl2022_per_annotator.jsonl",
        [
            {
                "id": "civil-1",
                "text": "You're an idiot.",
                "annotations": [
                    {"all_toxic": False, "not_toxic": False, "spans": [insult]},
                    {"all_toxic": False, "not_toxic": False, "spans": [insult]},
                    {"all_toxic": False, "not_toxic": True, "spans": []},
                ],
            },
            {
                "id": "civil-2",
                "text": "I will find you and hurt you, scum.",
                "annotations": [
                    {
                        "all_toxic": False,
                        "not_toxic": False,
                        "spans": [{"start": 0, "end": 28, "type": "Threat"}],
                    },
                    {"all_toxic": True, "not_toxic": True, "spans": []},
                ],
            },
        ],
    )
    _write(
        tmp_path / "toxic-spans/tsd_test.jsonl", [{"text": "I will find you and hurt you, scum."}]
    )
    _write(
        tmp_path / "hatexplain/hatexplain.jsonl.gz",
        [
            {
                "id": "1_gab",
                "text": "those people are vermin",
                "labels": ["hatespeech", "hatespeech", "offensive"],
            },
            {
                "id": "2_twitter",
                "text": "YOU'RE AN IDIOT!!",
                "labels": ["offensive", "normal", "normal"],
            },
        ],
    )
    _write(
        tmp_path / "paradetox/paradetox_pairs.jsonl.gz",
        [
            {
                "id": "p0",
                "toxic": "this is fucking stupid",
                "neutral1": "this is not smart",
                "neutral2": None,
            },
        ],
    )
    _write(
        tmp_path / "paradetox/paradetox_cannot_rewrite.jsonl",
        [
            {"id": "c0", "text": "go to hell, scum", "reasons": {"toxic_content": True}},
            {"id": "c1", "text": "the meeting is at noon", "reasons": {"not_toxic": True}},
        ],
    )
    _write(
        tmp_path / "convabuse/convabuse.jsonl.gz",
        [
            {
                "id": "a1",
                "text": "show me your tits",
                "annotations": [
                    {"is_abuse.-2": 1, "sex_harassment": 1, "sexist": [0, 1]},
                    {"is_abuse.1": 1, "sex_harassment": 0, "sexist": 0},
                ],
            },
        ],
    )
    _write(
        tmp_path / "edos_sexism/edos_aggregated.jsonl.gz",
        [
            {
                "id": "e1",
                "text": "women should be beaten",
                "label_sexist": "sexist",
                "label_category": "1. threats, plans to harm and incitement",
            },
            {
                "id": "e2",
                "text": "nice weather for it",
                "label_sexist": "not sexist",
                "label_category": "none",
            },
        ],
    )
    six = dict.fromkeys(
        ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"], 0.9
    )
    _write(
        tmp_path / "teacher-scores/teacher_scores.jsonl.gz",
        [
            {
                "sha1": hashlib.sha1(b"You're an idiot.").hexdigest(),
                "tox_block": six,
                "toxic_comment_classifier": six,
                "alt_profanity_check": 0.6,
            },
            {
                "sha1": hashlib.sha1(b"those people are vermin").hexdigest(),
                "tox_block": dict.fromkeys(six, 0.05),
                "toxic_comment_classifier": dict.fromkeys(six, 0.05),
            },
        ],
    )
    return tmp_path


def _by_text(root: Path, name: str) -> dict[str, dict[str, float]]:
    return {e.text: dict(e.labels) for e in get_source(name).examples(root)}


def test_toxic_spans_votes_become_shares_and_test_posts_are_pinned(root: Path) -> None:
    examples = {e.text: e for e in get_source("toxic-spans").examples(root)}
    idiot = examples["You're an idiot."]
    assert idiot.labels["TOXICITY"] == pytest.approx(2 / 3)
    assert idiot.labels["INSULT"] == pytest.approx(2 / 3)
    assert idiot.labels["THREAT"] == 0
    assert "SEXUALLY_EXPLICIT" not in idiot.labels  # the set says nothing about it
    threat = examples["I will find you and hurt you, scum."]
    assert threat.labels["TOXICITY"] == pytest.approx(0.75)  # one vote, one contradictory half
    assert threat.split == "test"


def test_hatexplain_hate_is_identity_attack_offensive_is_only_toxic(root: Path) -> None:
    labels = _by_text(root, "hatexplain")
    assert labels["those people are vermin"] == {
        "TOXICITY": 1.0,
        "IDENTITY_ATTACK": pytest.approx(2 / 3),
    }
    assert labels["YOU'RE AN IDIOT!!"]["IDENTITY_ATTACK"] == 0.0


def test_paradetox_rewrites_are_clean_on_every_attribute(root: Path) -> None:
    labels = _by_text(root, "paradetox")
    assert labels["this is fucking stupid"] == {"TOXICITY": 1.0}
    assert set(labels["this is not smart"].values()) == {0.0}
    assert labels["go to hell, scum"] == {"TOXICITY": 0.9}
    assert labels["the meeting is at noon"] == {"TOXICITY": 0.1}


def test_convabuse_severity_and_harassment_shares(root: Path) -> None:
    labels = _by_text(root, "convabuse")["show me your tits"]
    assert labels["TOXICITY"] == 0.5
    assert labels["SEVERE_TOXICITY"] == 0.5
    assert labels["SEXUALLY_EXPLICIT"] == 0.5
    assert labels["IDENTITY_ATTACK"] == 0.25  # the annotator ticked "sexist" on one of two passes


def test_edos_not_sexist_says_nothing_about_toxicity(root: Path) -> None:
    labels = _by_text(root, "edos_sexism")
    assert labels["women should be beaten"]["THREAT"] == 1.0
    assert labels["nice weather for it"] == {"IDENTITY_ATTACK": 0.0}


def test_duplicates_across_sources_merge_and_share_a_split(root: Path) -> None:
    corpus = load_corpus(["toxic-spans", "hatexplain", "edos_sexism"], root=root)
    # "You're an idiot." and "YOU'RE AN IDIOT!!" are one text after normalisation.
    assert sum("idiot" in t.lower() for t in corpus.texts) == 1
    row = corpus.texts.index("You're an idiot.")
    tox = corpus.attributes.index("TOXICITY")
    assert corpus.labels[row, tox] == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert math.isnan(corpus.labels[row, corpus.attributes.index("SEXUALLY_EXPLICIT")])
    assert set(corpus.splits) <= {"train", "valid", "test"}
    again = load_corpus(["toxic-spans", "hatexplain", "edos_sexism"], root=root)
    assert list(again.splits) == list(corpus.splits)  # deterministic


def test_summary_counts_positives_negatives_missing(root: Path) -> None:
    corpus = load_corpus(["edos_sexism"], root=root)
    rows = {r["attribute"]: r for r in summarize(corpus)}
    assert (rows["IDENTITY_ATTACK"]["positive"], rows["IDENTITY_ATTACK"]["negative"]) == (1, 1)
    assert rows["TOXICITY"]["missing"] == 1


def test_teachers_fill_in_where_allowed_and_never_identity_attack(root: Path) -> None:
    teachers = load_teacher_scores(root)
    corpus = build_corpus([("toxic-spans", get_source("toxic-spans").examples(root))])
    targets, weights, found = mix_teachers(corpus.texts, corpus.labels, teachers, 0.5, 0.3)
    row = corpus.texts.index("You're an idiot.")
    attrs = corpus.attributes
    assert found[row]
    assert targets[row, attrs.index("TOXICITY")] == pytest.approx(0.5 * 2 / 3 + 0.5 * 0.9)
    assert targets[row, attrs.index("IDENTITY_ATTACK")] == 0.0  # human label kept as is
    severe = attrs.index("SEVERE_TOXICITY")  # no human label: the teacher alone, down-weighted
    assert (targets[row, severe], weights[row, severe]) == (pytest.approx(0.9), pytest.approx(0.3))
    assert np.isnan(targets[row, attrs.index("SEXUALLY_EXPLICIT")])


def test_teachers_never_dilute_labelled_identity_attacks(root: Path) -> None:
    teachers = load_teacher_scores(root)
    corpus = build_corpus([("hatexplain", get_source("hatexplain").examples(root))])
    row = corpus.texts.index("those people are vermin")
    tox = corpus.attributes.index("TOXICITY")
    protected, _, _ = mix_teachers(corpus.texts, corpus.labels, teachers)
    assert protected[row, tox] == 1.0  # the human label, not (1 + 0.05) / 2
    mixed, _, _ = mix_teachers(
        corpus.texts, corpus.labels, teachers, protect_identity_attacks=False
    )
    assert mixed[row, tox] == pytest.approx(0.525)


def test_extra_files_are_sources_of_their_own_with_silent_attributes_missing(
    root: Path, tmp_path: Path
) -> None:
    moderated = tmp_path / "our_site.csv"
    moderated.write_text(
        "comment_text,toxic,insult\n"
        '"Go back to school, you absolute clown",1,1\n'
        '"The council meeting ran late again",0,\n'
        "YOU'RE AN IDIOT!!,1,1\n"
    )
    corpus = load_corpus(["toxic-spans"], root=root, extra=[moderated])
    attrs = corpus.attributes
    row = corpus.texts.index("The council meeting ran late again")
    assert corpus.sources[row] == "local:our_site"
    assert corpus.labels[row, attrs.index("TOXICITY")] == 0.0
    assert np.isnan(corpus.labels[row, attrs.index("INSULT")])  # an empty cell says nothing
    assert np.isnan(corpus.labels[row, attrs.index("THREAT")])  # no column says nothing
    # A text the shared data already has merges with it, its labels averaged in.
    idiot = corpus.texts.index("You're an idiot.")
    assert corpus.sources[idiot] == "toxic-spans"
    assert corpus.labels[idiot, attrs.index("TOXICITY")] == pytest.approx((2 / 3 + 1) / 2)
    assert corpus.meta["sources"]["local:our_site"]["class"] == LOCAL_CLASS
    summary = {(r["source"], r["attribute"]): r for r in summarize(corpus)}
    assert summary[("local:our_site", "TOXICITY")]["positive"] == 1


def test_extra_files_fail_before_anything_is_loaded(tmp_path: Path) -> None:
    unlabelled = tmp_path / "comments.jsonl"
    unlabelled.write_text('{"text": "hello"}\n')
    with pytest.raises(InputFileError, match="no label columns"):
        load_corpus(["toxic-spans"], root=tmp_path / "absent", extra=[unlabelled])
    counts = tmp_path / "counts.csv"
    counts.write_text("text,toxic\nfine,0\nawful,3\n")
    with pytest.raises(InputFileError, match=r"record 2: .*over 1"):
        load_corpus([], extra=[counts])
    twin = tmp_path / "other" / "counts.jsonl"
    twin.parent.mkdir()
    twin.write_text('{"text": "x", "toxic": 1}\n')
    with pytest.raises(ConfigError, match="distinct names"):
        load_corpus([], extra=[counts, twin])


def test_training_metadata_names_local_files_as_such(tmp_path: Path) -> None:
    extra = tmp_path / "ours.jsonl"
    rows = [{"text": f"comment {i}", "toxic": i % 2} for i in range(40)]
    extra.write_text("".join(json.dumps(row) + "\n" for row in rows))
    corpus = load_corpus([], extra=[extra])
    training = training_metadata(corpus, TrainingConfig(), len(corpus))["training"]
    assert training["sources"]["local:ours"]["class"] == LOCAL_CLASS
    assert training["sources"]["local:ours"]["texts"] == 40
    assert training["licence_classes"] == [LOCAL_CLASS]


def test_unknown_source_lists_the_real_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"Available: .*hatexplain"):
        get_source("jigsaw")


@requires_data
@pytest.mark.data
def test_every_class_a_loader_reads_the_shared_data() -> None:
    corpus = load_corpus(limit_per_source=300)
    assert len(set(corpus.sources)) == 11
    assert np.isnan(corpus.labels).any() and (corpus.labels >= 0.5).any()
    assert SHARED_DATA.is_dir()
