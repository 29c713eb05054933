"""Shared fixtures: a tiny model trained on our own sentences, and the shared data location."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.languages import DEFAULT_PACKAGE, ENGLISH, LanguageModel, LanguageTable
from civility.scoring import FastScorer, LanguageScorers, Scorer

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

requires_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason="../shared/data is not on this machine (docs/data.md says where the datasets come from)",
)


def needs_train_extra(*modules: str) -> None:
    """Skip (a test or, at module level, a module) unless the train extra's ``modules`` import."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed: pip install -e '.[train]'",
            allow_module_level=True,
        )


@pytest.fixture(scope="session", autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every command the tests run keeps its store in a temporary directory, never in the
    per-user data directory (or a store the environment names) of whoever runs them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVILITY_DATA_DIR", str(tmp_path_factory.mktemp("data-dir")))
        for name in ("CIVILITY_DATABASE_URL", "CIVILITY_CONFIG"):
            patch.delenv(name, raising=False)
        yield


def english_only(scorer: Scorer) -> LanguageScorers:
    """Languages as an installation with no other language's model has them."""
    english = LanguageModel(ENGLISH, None, DEFAULT_PACKAGE, tuple(scorer.labels_))
    return LanguageScorers(scorer, LanguageTable({ENGLISH: english}))


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2's cheapest parameters for the passwords the tests hash in this process.

    Production's (64 MiB, three passes) cost about a second a hash on two busy cores, and every
    sign-in verifies one; a hash is checked with the parameters it was made with, so servers
    started by the tests verify these cheaply too. The algorithm (Argon2id) and the code paths
    are production's; only the cost is lower, and production's defaults are untouched.
    """
    from argon2 import PasswordHasher, profiles

    from civility.web import accounts

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_HASHER", cheap)
        patch.setattr(accounts, "_DUMMY_HASH", cheap.hash("civility: a password nobody has"))
        yield


class RecordingScorer:
    """Scores with ``scorer`` and records how many texts each call asked for."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        self.calls: list[int] = []
        self.labels_ = scorer.labels_
        self.version = scorer.version

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return self.scorer.predict_proba(texts)

    def __getattr__(self, name: str) -> object:
        return getattr(self.scorer, name)


def load_tiny_corpus() -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    for line in (FIXTURES / "tiny_corpus.jsonl").read_text().splitlines():
        record = json.loads(line)
        texts.append(record["text"])
        rows.append([float(record[a]) if a in record else np.nan for a in ATTRIBUTE_NAMES])
    return texts, np.array(rows)


@pytest.fixture(scope="session")
def tiny_scorer() -> FastScorer:
    """A FastScorer fitted on 20 hand-written sentences: enough to tell insults from thanks."""
    texts, Y = load_tiny_corpus()
    return FastScorer(min_df=1, alpha=1e-4, max_iter=200).fit(texts * 3, np.vstack([Y] * 3))


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_scorer: FastScorer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models root (``CIVILITY_MODEL_DIR``) whose ``fast/`` tier is the tiny scorer."""
    root = tmp_path_factory.mktemp("models")
    tiny_scorer.save(root / "fast", metadata={"model_version": "tiny"})
    return root


TINY_LANGUAGES = ("de", "fr", "pt", "ar", "zh", "ko")
"""Languages whose tiny models a models root holds, as the default package holds its own."""
TINY_OPT_IN_LANGUAGES = ("es",)
"""Languages whose tiny models only the stand-in opt-in package holds."""
TINY_SERVED = ("TOXICITY", "INSULT")


def tiny_language_scorer(language: str) -> FastScorer:
    texts, rows = [], []
    for line in (FIXTURES / "tiny_languages.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["language"] == language:
            texts.append(record["text"])
            rows.append([float(record[a]) if a in record else np.nan for a in ATTRIBUTE_NAMES])
    scorer = FastScorer(min_df=1, alpha=1e-4, max_iter=200, normalization="multilingual-v1")
    return scorer.fit(texts * 3, np.vstack([np.array(rows)] * 3))


def save_tiny_language(directory: Path, language: str, licence_classes: list[str]) -> None:
    """A language's tiny model in the artifact format the shipped ones have."""
    tiny_language_scorer(language).save(
        directory / language,
        metadata={
            "model_version": f"tiny-{language}",
            "language": language,
            "licence_classes": licence_classes,
            "served_attributes": list(TINY_SERVED),
        },
    )


@pytest.fixture(scope="session")
def multilingual_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models root (``CIVILITY_MODEL_DIR``) with the tiny English tier and, under
    ``languages/``, tiny models of TINY_LANGUAGES serving TOXICITY and INSULT."""
    root = tmp_path_factory.mktemp("multilingual-models")
    shutil.copytree(tiny_model_dir / "fast", root / "fast")
    for language in TINY_LANGUAGES:
        save_tiny_language(root / "languages", language, ["A"])
    return root


@pytest.fixture(scope="session")
def opt_in_package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory to put on ``sys.path``: a stand-in ``civility_models_nc`` package laid out
    as packages/civility-models-nc installs it, with tiny models of TINY_OPT_IN_LANGUAGES."""
    root = tmp_path_factory.mktemp("site")
    package = root / "civility_models_nc"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from pathlib import Path\n\nLANGUAGES_DIR = Path(__file__).parent / 'languages'\n"
    )
    for language in TINY_OPT_IN_LANGUAGES:
        save_tiny_language(package / "languages", language, ["A", "B"])
    return root
