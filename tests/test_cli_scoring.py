"""The scoring commands as a user meets them: output format, files, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.cli import main


@pytest.fixture(autouse=True)
def _tiny_models(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(tiny_model_dir))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_score_prints_one_attribute_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["score", "you stupid idiot"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == list(ATTRIBUTE_NAMES)
    scores = {line.split("\t")[0]: float(line.split("\t")[1]) for line in lines}
    assert scores["INSULT"] > 0.5


def test_score_spans_show_the_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["score", "--spans", "thanks, you moron"], capsys)
    assert code == 0
    assert "moron" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "   "], "Comment must be non-empty."),
        (["score", "x" * 20_481], "exceeded limit (20480)"),
        (["score", "bad \udcff bytes"], "not valid UTF-8"),
        (["score", "--input", "/nonexistent.jsonl", "--output", "o.jsonl"], "no such file"),
        (["evaluate", "/nonexistent.csv"], "no such file"),
        (["train", "--clean-weight", "hatexplain"], "takes SOURCE=MULTIPLIER"),
        (["train", "--extra", "/nonexistent.csv"], "/nonexistent.csv: no such file"),
        (["train", "--clean-weight", "hatexplian=2"], "unknown sources: hatexplian"),
        (["train", "--clean-weight", "hatexplain=-1"], "finite and at least 0"),
        (["train-accurate", "--clean-weight", "hatexplain=two"], "takes SOURCE=MULTIPLIER"),
        (["train", "--behaviour-scale", "threats=3"], "Unknown behaviour 'threats'"),
        (["train", "--behaviour-scale", "direct_threat=-1"], "takes NAME=FACTOR"),
        (["train", "--behaviour-scale", "direct_threat=x"], "takes NAME=FACTOR"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(argv, capsys)
    assert code != 0
    assert message in err
    assert "Traceback" not in err


def test_score_file_keeps_order_ids_and_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": i, "text": t, "extra": i * 2}
        for i, t in enumerate(["you idiot", "thanks", "nice"] * 400)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    target = tmp_path / "out.jsonl"
    code, _, _ = run(["score", "--input", str(source), "--output", str(target)], capsys)
    assert code == 0
    written = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in written] == list(range(1200))
    assert written[0]["extra"] == 0 and set(written[0]["scores"]) == set(ATTRIBUTE_NAMES)
    assert written[0]["scores"]["INSULT"] > written[1]["scores"]["INSULT"]


def test_score_file_without_output_streams_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,comment_text\n1,you idiot\n2,thanks for the article\n")
    code, out, err = run(["score", "--input", str(source)], capsys)
    assert code == 0
    written = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in written] == ["1", "2"]
    assert written[0]["scores"]["INSULT"] > written[1]["scores"]["INSULT"]
    assert "Scored 2 comments into stdout" in err
    assert not list(tmp_path.glob("*.partial"))


def test_csv_with_a_misnamed_column_fails_without_leaving_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,message\n1,hello\n")
    target = tmp_path / "out.jsonl"
    code, _, err = run(["score", "--input", str(source), "--output", str(target)], capsys)
    assert code != 0 and "no text column" in err and "message" in err
    assert not target.exists() and not list(tmp_path.glob("*.partial"))


def test_invalid_utf8_file_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "fine"}\n{"text": "\xff\xfe"}\n')
    code, _, err = run(
        ["score", "--input", str(source), "--output", str(tmp_path / "o.jsonl")], capsys
    )
    assert code != 0 and "line 2" in err and "UTF-8" in err


def test_evaluate_reads_jigsaw_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "labelled.csv"
    source.write_text(
        "comment_text,toxic,insult,threat\n"
        "you stupid idiot,1,1,-1\nthanks for the article,0,0,-1\n"
        "what a moron,1,1,\nlovely weather today,0,0,\n"
    )
    code, out, _ = run(["evaluate", str(source), "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert set(result["attributes"]) == {"TOXICITY", "INSULT"}  # threat is all unscored
    assert result["attributes"]["INSULT"]["roc_auc"] == 1.0


def test_corrupt_artifact_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "fast").mkdir()
    (tmp_path / "fast" / "manifest.json").write_text("{}")
    (tmp_path / "fast" / "weights.npz").write_bytes(b"garbage")
    code, _, err = run(["score", "hello", "--model", str(tmp_path / "fast")], capsys)
    assert code != 0 and "artifact" in err and "Traceback" not in err


def test_evaluate_without_a_file_says_what_it_needs(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["evaluate"], capsys)
    assert code != 0 and "--bias" in err


def test_score_uses_the_comments_language(
    multilingual_model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(multilingual_model_dir))
    code, out, err = run(
        ["score", "Du bist ein dummer Idiot und ein erbärmlicher Trottel."], capsys
    )
    assert code == 0
    assert "language: de (German, detected)" in err
    scores = {line.split("\t")[0]: float(line.split("\t")[1]) for line in out.splitlines()}
    assert set(scores) == {"TOXICITY", "INSULT"} and scores["INSULT"] > 0.5
    code, _, err = run(["score", "Du är en dum idiot och jag hatar dig."], capsys)
    assert code != 0 and "Unknown language 'sv'" in err


def test_score_file_takes_each_rows_language_then_the_option(
    multilingual_model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(multilingual_model_dir))
    rows = [
        {"text": "Thank you for this thoughtful article, I learned a lot."},
        {"text": "Idiot", "language": "de"},
        {"text": "crétin"},
        {"text": "Du är en dum idiot och jag hatar dig."},
        {"text": "1234 !!!", "language": ""},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    code, out, err = run(["score", "--input", str(source), "--language", "fr"], capsys)
    assert code == 0
    written = [json.loads(line) for line in out.splitlines()]
    assert [r["scored_language"] for r in written] == ["en", "de", "fr", "sv", "fr"]
    assert set(written[1]["scores"]) == {"TOXICITY", "INSULT"}
    assert written[3]["scores"] == {}
    assert "Left unscored, in languages no model serves: sv 1" in err


def test_evaluate_reports_each_language_with_its_own_model(
    multilingual_model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CIVILITY_MODEL_DIR", str(multilingual_model_dir))
    rows = [
        {"text": "Du bist ein dummer Idiot und ein erbärmlicher Trottel.", "toxic": 1},
        {"text": "Vielen Dank für diesen hilfreichen Artikel.", "toxic": 0},
        {"text": "Idiot", "toxic": 1, "language": "de"},
        {"text": "Danke!", "toxic": 0, "language": "de"},
        {"text": "you stupid idiot", "toxic": 1, "language": "en"},
        {"text": "thanks for the article", "toxic": 0, "language": "en"},
        {"text": "Du är en dum idiot och jag hatar dig.", "toxic": 1},
    ]
    source = tmp_path / "labelled.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    code, out, _ = run(["evaluate", str(source), "--json", "--language", "de"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["n"] == 7 and result["unscored"] == {"sv": 1}
    german, english = result["languages"]["de"], result["languages"]["en"]
    assert german["n"] == 4 and english["n"] == 2
    assert german["model"].startswith("fast-tiny-de-") and german["model"] != english["model"]
    assert german["attributes"]["TOXICITY"]["roc_auc"] == 1.0
    assert result["attributes"]["TOXICITY"]["n"] == 6  # pooled over what a model read
    monkeypatch.setenv("COLUMNS", "200")  # the table's rows unwrapped
    code, out, _ = run(["evaluate", str(source)], capsys)
    assert code == 0 and "Not scored, in languages no model serves: sv 1" in out
    assert [line.split()[1] for line in out.splitlines() if "TOXICITY" in line] == [
        "all",
        "de",
        "en",
    ]
