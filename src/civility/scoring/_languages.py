"""Each comment to its own language's model: choose the language, load that model once.

A client's ``languages`` are what it believes; Coral Talk, the commonest client, sends the
site's locale with every comment. So the declared language is taken unless the text clearly
says otherwise (a settling script, or enough words that the detector is sure), and then the
comment's language is used and reported. A comment no model serves is refused rather than
scored by the English model: English n-grams say nothing about Chinese, and a score that means
nothing is worse than none.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from civility.errors import ConfigError, LanguageDetectionError, UnknownNameError
from civility.languages import (
    DEFAULT_PACKAGE,
    ENGLISH,
    OPT_IN_PACKAGE,
    OPT_IN_SETTING,
    LanguageModel,
    LanguageTable,
    normalize_language,
    opt_in_directory,
    read_models,
)
from civility.scoring._base import Scorer
from civility.scoring._fast import FastScorer
from civility.scoring._loading import default_languages_dir, load_scorer
from civility.text.language import LATIN_LANGUAGES, detect_language

UNDETERMINED = "und"
"""BCP 47's code for a language that cannot be told."""
CODE_MIXED = {("hi-Latn", ENGLISH)}
"""(declared, detected) pairs that do not disagree: romanised Hindi is mixed with English so
often that a Hinglish comment may read as English to the detector."""


def language_table(
    english_attributes: Sequence[str],
    directory: Path | None = None,
    *,
    opt_in_enabled: bool = False,
) -> LanguageTable:
    """The languages this installation serves: English (by the served tier, whose attributes
    are ``english_attributes``), the models in ``directory`` (default: the package's) and,
    when enabled, those of the installed opt-in package."""
    default = read_models(directory or default_languages_dir(), DEFAULT_PACKAGE)
    default[ENGLISH] = LanguageModel(ENGLISH, None, DEFAULT_PACKAGE, tuple(english_attributes))
    opt_in_path = opt_in_directory()
    if opt_in_enabled and opt_in_path is None:
        raise ConfigError(
            f"Setting {OPT_IN_SETTING!r} is on, but the {OPT_IN_PACKAGE} package is not "
            f"installed: pip install packages/{OPT_IN_PACKAGE}"
        )
    return LanguageTable(default, read_models(opt_in_path, OPT_IN_PACKAGE), opt_in_enabled)


def load_languages(
    tier: str = "fast", path: str | Path | None = None, *, opt_in_enabled: bool = False
) -> LanguageScorers:
    """Every served language: English by ``tier`` (from ``path``), the others by their
    models, each loaded on first use (``opt_in_enabled``: the ``noncommercial_models``
    setting)."""
    english = load_scorer(tier, path)
    return LanguageScorers(english, language_table(english.labels_, opt_in_enabled=opt_in_enabled))


@dataclass(frozen=True)
class Choice:
    """The language a comment is scored in."""

    language: str
    detected: str | None
    """Set when the text decided: no language was declared, or it clearly disagreed."""


def choose_language(
    text: str, declared: Sequence[str], table: LanguageTable | None = None
) -> Choice:
    """The comment's language from ``declared`` (normalised codes) and its text; of several
    declared languages, the first that ``table`` serves."""
    detection = detect_language(text)
    if declared:
        if detection is None:
            return Choice(_first_served(declared, table), None)
        agrees = detection.language in declared or any(
            (code, detection.language) in CODE_MIXED for code in declared
        )
        if detection.clear and not agrees:
            return Choice(detection.language, detection.language)
        if detection.language in declared:
            return Choice(detection.language, None)
        return Choice(_first_served(declared, table), None)
    if detection is None:
        raise LanguageDetectionError()
    if detection.clear or detection.language not in LATIN_LANGUAGES:
        return Choice(detection.language, detection.language)
    # A few Latin-script words the detector is unsure of: most such comments are English,
    # and refusing short English was what publishers resented most in Perspective.
    return Choice(ENGLISH, ENGLISH)


def _first_served(declared: Sequence[str], table: LanguageTable | None) -> str:
    if table is None:
        return declared[0]
    return next((code for code in declared if table.model(code) is not None), declared[0])


def language_of(text: str, declared: Sequence[str], table: LanguageTable | None = None) -> Choice:
    """``choose_language`` that never refuses: text with no letters to tell its language by,
    and none declared, is ``und``."""
    try:
        return choose_language(text, declared, table)
    except LanguageDetectionError:
        return Choice(UNDETERMINED, None)


class LanguageScorers:
    """The scorer of every served language, each loaded on first use and then kept.

    English is the server's tier (fast, accurate or ensemble); every other language has one
    fast-tier artifact. Loading is guarded by a lock, so concurrent first requests load a
    language once.
    """

    def __init__(self, english: Scorer, table: LanguageTable) -> None:
        self.table = table
        self._loaded: dict[str, Scorer] = {ENGLISH: english}
        self._lock = threading.Lock()

    def loaded(self) -> list[str]:
        return sorted(self._loaded)

    def scorer(self, language: str) -> Scorer:
        found = self._loaded.get(language)
        if found is not None:
            return found
        model = self.table.model(language)
        if model is None or model.path is None:
            if language in self.table.opt_in:
                raise ConfigError(
                    self.table.why_not(language, self.table.opt_in[language].attributes[0])
                )
            raise UnknownNameError("language", language, self.table.languages())
        with self._lock:
            if language not in self._loaded:
                scorer = FastScorer.load(model.path)
                scorer.predict_proba([""])  # the first call's one-off costs, paid here
                self._loaded[language] = scorer
            return self._loaded[language]

    def preload(self, codes: str) -> None:
        """Load ``codes`` now (comma-separated, or ``all``): the ``preload_languages`` setting."""
        served = self.table.languages()
        wanted = served if codes.strip() == "all" else [c for c in codes.split(",") if c.strip()]
        for code in (normalize_language(c) for c in wanted):
            if code not in served:
                raise ConfigError(
                    f"Setting 'preload_languages' names {code!r}, which no model serves here. "
                    f"Available: {', '.join(served)}"
                )
            self.scorer(code)

    def score(
        self, texts: Sequence[str], declared: Sequence[Sequence[str]]
    ) -> list[tuple[Choice, dict[str, float]]]:
        """Each text's language and its scores on the attributes served in that language
        (none when no model serves it, or it has no letters to tell its language by: ``und``),
        one model call per language."""
        choices = [language_of(t, d, self.table) for t, d in zip(texts, declared, strict=True)]
        results: list[tuple[Choice, dict[str, float]]] = [(c, {}) for c in choices]
        by_language: dict[str, list[int]] = {}
        for index, choice in enumerate(choices):
            if self.table.model(choice.language) is not None:
                by_language.setdefault(choice.language, []).append(index)
        for language, indices in by_language.items():
            scorer = self.scorer(language)
            served = self.table.attributes(language)
            rows: np.ndarray = scorer.predict_proba([texts[i] for i in indices])
            columns = [(a, scorer.labels_.index(a)) for a in served if a in scorer.labels_]
            for index, row in zip(indices, rows, strict=True):
                results[index] = (choices[index], {a: float(row[c]) for a, c in columns})
        return results
