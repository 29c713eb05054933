"""The language registry: Perspective's attribute × language table, and what Civility serves.

Perspective published which attributes it scored in which language; that table is data here,
word for word, so that a client's expectations can be checked against it. What Civility serves
is not written down by hand: each language's model is an artifact directory whose manifest names
its ``language``, its ``licence_classes`` and its ``served_attributes``, and ``LanguageTable``
reads them. Models trained only on openly licensed data ship in this package
(``civility/models/languages/<code>/``); those that need non-commercial or research-only data
ship in the opt-in ``civility-models-nc`` package and serve only when the operator installs it
and turns on the ``noncommercial_models`` setting. The discovery document, ``docs/api.md``
(``civility languages --markdown``) and the API's refusals all read this table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import ArtifactError

ENGLISH = "en"

LANGUAGE_TAG = r"^([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?$"
"""What a declared language may look like: a BCP 47 tag (``de``, ``pt-BR``, ``hi-Latn``), or
empty for none."""

PERSPECTIVE_LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "zh": "Chinese",
    "cs": "Czech",
    "nl": "Dutch",
    "en": "English",
    "fr": "French",
    "de": "German",
    "hi": "Hindi",
    "hi-Latn": "Hinglish (Hindi in Latin letters)",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "es": "Spanish",
    "sv": "Swedish",
}
"""The languages Perspective scored, in the order of its own table, with their names."""

OTHER_LANGUAGES: dict[str, str] = {"tr": "Turkish", "da": "Danish", "el": "Greek"}
"""Languages Perspective never served that Civility has labelled data for."""

PRODUCTION_ATTRIBUTES = (
    "TOXICITY",
    "SEVERE_TOXICITY",
    "IDENTITY_ATTACK",
    "INSULT",
    "PROFANITY",
    "THREAT",
)
PERSPECTIVE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    **{name: tuple(PERSPECTIVE_LANGUAGES) for name in PRODUCTION_ATTRIBUTES},
    "SEXUALLY_EXPLICIT": (ENGLISH,),
}
"""Attribute → the languages Perspective scored it in: its six production attributes in all 18
languages, the experimental SEXUALLY_EXPLICIT in English only."""

DEFAULT_PACKAGE = "civility"
OPT_IN_PACKAGE = "civility-models-nc"
OPT_IN_SETTING = "noncommercial_models"
"""The setting that switches the opt-in package's models on (``civility.settings``)."""


def language_name(code: str) -> str:
    return PERSPECTIVE_LANGUAGES.get(code) or OTHER_LANGUAGES.get(code) or code


def normalize_language(code: str) -> str:
    """A request's language tag as the registry spells it: ``en-US`` → ``en``, ``hi-latn`` →
    ``hi-Latn``, ``zh-Hant-TW`` → ``zh``, ``pt_BR`` → ``pt``.

    Models do not distinguish regions or Chinese scripts; romanised Hindi is its own model, so
    its script subtag is the one kept.
    """
    parts = code.strip().replace("_", "-").split("-")
    primary = parts[0].lower()
    if primary == "hi" and any(part.lower() == "latn" for part in parts[1:]):
        return "hi-Latn"
    return primary


@dataclass(frozen=True)
class LanguageModel:
    """One language's model artifact, as its manifest describes it."""

    language: str
    path: Path | None
    """The artifact directory; None for English, which the server's tier serves."""
    package: str
    attributes: tuple[str, ...]
    """The attributes it may answer (``served_attributes``); never claimed for others."""
    licence_classes: tuple[str, ...] = ("A",)


def read_models(directory: Path | None, package: str) -> dict[str, LanguageModel]:
    """The language models under ``directory`` (one ``<code>/manifest.json`` each), by code."""
    found: dict[str, LanguageModel] = {}
    if directory is None or not directory.is_dir():
        return found
    for manifest_path in sorted(directory.glob("*/manifest.json")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            language = str(manifest["language"])
            attributes = tuple(str(a) for a in manifest["served_attributes"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArtifactError(
                f"{manifest_path} is not a language model's manifest ({exc!r}): it needs "
                "'language' and 'served_attributes'."
            ) from None
        unknown = sorted(set(attributes) - set(ATTRIBUTE_NAMES))
        if unknown:
            raise ArtifactError(f"{manifest_path} serves unknown attributes: {', '.join(unknown)}")
        found[language] = LanguageModel(
            language=language,
            path=manifest_path.parent,
            package=package,
            attributes=attributes,
            licence_classes=tuple(manifest.get("licence_classes", ("A",))),
        )
    return found


def opt_in_directory() -> Path | None:
    """Where the installed ``civility-models-nc`` keeps its models; None when not installed."""
    try:
        import civility_models_nc  # type: ignore[import-not-found]
    except ModuleNotFoundError:
        return None
    return Path(civility_models_nc.LANGUAGES_DIR)


@dataclass(frozen=True)
class LanguageTable:
    """Which model answers which attribute in which language, on this installation.

    ``default`` are the models of this package, English (the served tier) among them;
    ``opt_in`` those of the installed opt-in package, served only when ``opt_in_enabled``.
    Where both have a language, the opt-in one serves when enabled: it is trained on a
    superset of the default one's data.
    """

    default: Mapping[str, LanguageModel]
    opt_in: Mapping[str, LanguageModel] = field(default_factory=dict)
    opt_in_enabled: bool = False

    def model(self, language: str) -> LanguageModel | None:
        """The model serving ``language`` now, or None."""
        if self.opt_in_enabled and language in self.opt_in:
            return self.opt_in[language]
        return self.default.get(language)

    def attributes(self, language: str) -> tuple[str, ...]:
        model = self.model(language)
        return model.attributes if model is not None else ()

    def serves(self, language: str, attribute: str) -> bool:
        return attribute in self.attributes(language)

    def languages(self) -> list[str]:
        """Codes of the languages served now, Perspective's first in its order."""
        known = [*PERSPECTIVE_LANGUAGES, *OTHER_LANGUAGES]
        codes = {*self.default, *(self.opt_in if self.opt_in_enabled else ())}
        return sorted(codes, key=lambda c: (known.index(c) if c in known else len(known), c))

    def availability(self, language: str, attribute: str) -> str:
        """``default``, ``opt-in`` (only with the opt-in package on) or ``none``."""
        default = self.default.get(language)
        if default is not None and attribute in default.attributes:
            return "default"
        opt_in = self.opt_in.get(language)
        if opt_in is not None and attribute in opt_in.attributes:
            return "opt-in"
        return "none"

    def why_not(self, language: str, attribute: str) -> str:
        """What would serve ``attribute`` in ``language``, for a refusal ("" when nothing would)."""
        name = language_name(language)
        if self.availability(language, attribute) == "opt-in" and not self.opt_in_enabled:
            return (
                f"{attribute} in {name} is served by the opt-in {OPT_IN_PACKAGE} package, which "
                f"this server has not switched on: install it (pip install "
                f"packages/{OPT_IN_PACKAGE}) and set {OPT_IN_SETTING} = true "
                f"(CIVILITY_{OPT_IN_SETTING.upper()}=true)."
            )
        if self.model(language) is not None:
            return f"The {name} model serves {', '.join(self.attributes(language))}."
        return ""

    def rows(self, attributes: Iterable[str] = ATTRIBUTE_NAMES) -> list[dict[str, str]]:
        """One row per language (Perspective's, then ours): its availability per attribute."""
        codes = [*PERSPECTIVE_LANGUAGES, *OTHER_LANGUAGES]
        codes += sorted({*self.default, *self.opt_in} - set(codes))
        names = list(attributes)
        return [
            {"language": code, **{a: self.availability(code, a) for a in names}} for code in codes
        ]

    def markdown(self) -> str:
        """The table as docs/api.md shows it: ✓ served by the default install, NC only by the
        opt-in package, – by none; and how many of the attributes Perspective scored there."""
        marks = {"default": "✓", "opt-in": "NC", "none": "–"}
        lines = [
            "| language | Perspective | " + " | ".join(ATTRIBUTE_NAMES) + " |",
            "|---" * (len(ATTRIBUTE_NAMES) + 2) + "|",
        ]
        for row in self.rows():
            code = row["language"]
            perspective = sum(code in PERSPECTIVE_ATTRIBUTES.get(a, ()) for a in ATTRIBUTE_NAMES)
            cells = [f"{perspective} of {len(ATTRIBUTE_NAMES)}" if perspective else "–"]
            cells += [marks[row[a]] for a in ATTRIBUTE_NAMES]
            lines.append(f"| `{code}` {language_name(code)} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
