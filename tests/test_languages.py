"""The language registry: Perspective's table, the manifests it reads, and the docs it feeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import ArtifactError, ConfigError
from civility.evaluation.report import (
    LANGUAGES_BEGIN,
    LANGUAGES_END,
    language_manifests,
    render_languages_markdown,
)
from civility.languages import (
    DEFAULT_PACKAGE,
    ENGLISH,
    OPT_IN_PACKAGE,
    PERSPECTIVE_ATTRIBUTES,
    PERSPECTIVE_LANGUAGES,
    LanguageModel,
    LanguageTable,
    normalize_language,
    read_models,
)
from civility.scoring import FastScorer, LanguageScorers, choose_language, language_table
from civility.scoring._loading import MODELS_DIR
from tests.conftest import TINY_SERVED

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_OPT_IN = ROOT / "packages" / OPT_IN_PACKAGE / "civility_models_nc" / "languages"


def test_perspectives_table_is_its_eighteen_languages() -> None:
    assert len(PERSPECTIVE_LANGUAGES) == 18
    assert {"hi-Latn", "zh", "ar", "sv", "cs"} <= set(PERSPECTIVE_LANGUAGES)
    assert PERSPECTIVE_ATTRIBUTES["TOXICITY"] == tuple(PERSPECTIVE_LANGUAGES)
    assert PERSPECTIVE_ATTRIBUTES["SEXUALLY_EXPLICIT"] == (ENGLISH,)
    assert set(PERSPECTIVE_ATTRIBUTES) == set(ATTRIBUTE_NAMES)


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("pt-BR", "pt"),
        ("zh-Hant-TW", "zh"),
        ("hi-Latn", "hi-Latn"),
        ("hi-latn-IN", "hi-Latn"),
        ("hi-IN", "hi"),
    ],
)
def test_language_tags_are_normalised(tag: str, code: str) -> None:
    assert normalize_language(tag) == code


def _table(multilingual_model_dir: Path, opt_in_package_dir: Path, enabled: bool) -> LanguageTable:
    return LanguageTable(
        read_models(multilingual_model_dir / "languages", DEFAULT_PACKAGE),
        read_models(opt_in_package_dir / "civility_models_nc" / "languages", OPT_IN_PACKAGE),
        enabled,
    )


def test_the_table_is_read_from_the_manifests(
    multilingual_model_dir: Path, opt_in_package_dir: Path
) -> None:
    off = _table(multilingual_model_dir, opt_in_package_dir, enabled=False)
    assert off.languages() == ["ar", "zh", "fr", "de", "ko", "pt"]
    assert off.attributes("de") == TINY_SERVED
    assert off.availability("es", "TOXICITY") == "opt-in"
    assert off.availability("de", "THREAT") == "none"
    assert off.model("es") is None
    assert "noncommercial_models = true" in off.why_not("es", "TOXICITY")
    on = _table(multilingual_model_dir, opt_in_package_dir, enabled=True)
    assert "es" in on.languages()
    assert on.serves("es", "INSULT")
    assert on.why_not("de", "THREAT") == "The German model serves TOXICITY, INSULT."
    assert on.why_not("sv", "TOXICITY") == ""


def test_the_opt_in_model_serves_where_both_packages_have_a_language(tmp_path: Path) -> None:
    default = LanguageModel("de", tmp_path / "a", DEFAULT_PACKAGE, ("TOXICITY",))
    opt_in = LanguageModel("de", tmp_path / "b", OPT_IN_PACKAGE, ("TOXICITY", "INSULT"))
    assert LanguageTable({"de": default}, {"de": opt_in}, True).model("de") == opt_in
    assert LanguageTable({"de": default}, {"de": opt_in}, False).model("de") == default


def test_a_manifest_without_language_fields_is_refused(tmp_path: Path) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "manifest.json").write_text(json.dumps({"format": "x"}))
    with pytest.raises(ArtifactError, match="served_attributes"):
        read_models(tmp_path, DEFAULT_PACKAGE)


def test_switching_on_an_uninstalled_opt_in_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pip install packages/civility-models-nc"):
        language_table(ATTRIBUTE_NAMES, tmp_path, opt_in_enabled=True)


def test_languages_load_lazily_and_once(
    multilingual_model_dir: Path, tiny_scorer: FastScorer
) -> None:
    table = language_table(tiny_scorer.labels_, multilingual_model_dir / "languages")
    languages = LanguageScorers(tiny_scorer, table)
    assert languages.loaded() == [ENGLISH]
    texts = ["Du bist ein dummer Idiot und ein erbärmlicher Trottel.", "너는 멍청한 바보야 꺼져"]
    scored = languages.score(texts, [[], []])
    assert [choice.language for choice, _ in scored] == ["de", "ko"]
    assert all(set(scores) == set(TINY_SERVED) for _, scores in scored)
    assert languages.loaded() == ["de", ENGLISH, "ko"]
    assert languages.scorer("de") is languages.scorer("de")


def test_a_comment_no_model_serves_gets_no_scores(tiny_scorer: FastScorer) -> None:
    table = language_table(tiny_scorer.labels_, Path("/nonexistent"))
    [(choice, scores)] = LanguageScorers(tiny_scorer, table).score(["谢谢你的文章，写得很好"], [[]])
    assert (choice.language, scores) == ("zh", {})


@pytest.mark.parametrize(
    ("text", "declared", "language", "detected"),
    [
        ("Thank you for this thoughtful article, I learned a lot.", [], "en", "en"),
        ("Du bist ein dummer Idiot und ein erbärmlicher Trottel.", ["en"], "de", "de"),
        ("Du bist ein dummer Idiot und ein erbärmlicher Trottel.", ["de"], "de", None),
        ("danke", ["de"], "de", None),
        ("yo hamburger", [], "en", "en"),
        ("yo hamburger", ["es"], "es", None),
        ("谢谢你的文章", ["en"], "zh", "zh"),
        ("tum bahut bekar ho yaar", ["en"], "hi-Latn", "hi-Latn"),
        ("this is such a great article bhai", ["hi-Latn"], "hi-Latn", None),
        ("1234 !!!", ["fr"], "fr", None),
    ],
)
def test_the_comments_language_is_chosen(
    text: str, declared: list[str], language: str, detected: str | None
) -> None:
    english = LanguageModel(ENGLISH, None, DEFAULT_PACKAGE, ATTRIBUTE_NAMES)
    choice = choose_language(text, declared, LanguageTable({ENGLISH: english}))
    assert (choice.language, choice.detected) == (language, detected)


def _shipped_table() -> LanguageTable:
    default = read_models(MODELS_DIR / "languages", DEFAULT_PACKAGE)
    default[ENGLISH] = LanguageModel(ENGLISH, None, DEFAULT_PACKAGE, ATTRIBUTE_NAMES)
    return LanguageTable(default, read_models(SHIPPED_OPT_IN, OPT_IN_PACKAGE))


def test_docs_show_the_shipped_models_table() -> None:
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    marked = r"<!-- language table:.*?-->\n(.*?)<!-- end of language table -->"
    found = re.search(marked, docs, re.S)
    assert found, "docs/api.md has lost its language table markers"
    expected = _shipped_table().markdown()
    assert found.group(1) == expected, f"docs/api.md's language table is stale; use:\n{expected}"


def test_evaluation_docs_show_the_shipped_language_figures() -> None:
    docs = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    found = re.search(f"{re.escape(LANGUAGES_BEGIN)}.*?{re.escape(LANGUAGES_END)}\n", docs, re.S)
    assert found, "docs/evaluation.md has lost its languages section markers"
    expected = render_languages_markdown(
        language_manifests(SHIPPED_OPT_IN, MODELS_DIR / "languages")
    )
    assert found.group(0) == expected, (
        "docs/evaluation.md's languages section is stale; rewrite it with: civility eval-report "
        f"--languages --opt-in-dir {SHIPPED_OPT_IN.relative_to(ROOT)}"
    )


def test_preload_loads_the_named_languages_or_refuses_unknown_ones(
    multilingual_model_dir: Path, tiny_scorer: FastScorer
) -> None:
    table = language_table(tiny_scorer.labels_, multilingual_model_dir / "languages")
    languages = LanguageScorers(tiny_scorer, table)
    languages.preload("de, fr")
    assert languages.loaded() == ["de", ENGLISH, "fr"]
    with pytest.raises(ConfigError, match="'preload_languages' names 'sv'"):
        languages.preload("sv")
    languages.preload("all")
    assert languages.loaded() == sorted(table.languages())


@pytest.mark.parametrize(
    "manifest",
    sorted(
        [
            *(MODELS_DIR / "languages").glob("*/manifest.json"),
            *SHIPPED_OPT_IN.glob("*/manifest.json"),
        ]
    ),
    ids=lambda path: f"{path.parent.parent.parent.name}-{path.parent.name}",
)
def test_each_shipped_language_model_was_fitted_with_its_documented_configuration(
    manifest: Path,
) -> None:
    """``civility train --languages`` must rebuild what ships: an artifact fitted with other
    parameters than ``artifact_config`` gives (an arm tried and not recorded there) fails."""
    from civility.training.languages import PACKAGES, artifact_config

    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    classes = {package: key for key, package in PACKAGES.items()}[recorded["package"]]
    expected = artifact_config(recorded["language"], classes).scorer_params
    assert recorded["training"]["config"]["scorer_params"] == json.loads(json.dumps(expected))
