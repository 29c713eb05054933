"""The attribute registry: the one place that says which scores Civility produces.

Every other module (training, scoring, the Perspective API, policies, evaluation) reads the
attribute list from here, so adding an attribute is one entry, not a hunt for string literals.
Names and meanings follow Perspective's production attributes so that existing clients and
policies keep their vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from civility.errors import UnknownAttributeError


@dataclass(frozen=True)
class Attribute:
    """One score a model gives a comment.

    ``aliases`` are the column names other datasets and tools use for the same idea (Jigsaw's
    ``toxic``, ``identity_hate``...), so ``civility evaluate`` can read their files unchanged.
    ``teacher_label`` names the Jigsaw label whose teacher probabilities may feed this attribute
    during training (None: human labels only). ``experimental`` is set when the training data
    behind the attribute is too thin to trust the score for automatic decisions.
    """

    name: str
    description: str
    aliases: tuple[str, ...] = ()
    teacher_label: str | None = None
    experimental: bool = False


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "TOXICITY",
        "A rude, disrespectful, or unreasonable comment that is likely to make people leave a "
        "discussion.",
        aliases=("toxic", "toxicity", "is_toxic", "label"),
        teacher_label="toxic",
    ),
    Attribute(
        "SEVERE_TOXICITY",
        "A very hateful, aggressive, disrespectful comment or otherwise very likely to make a "
        "user leave a discussion. Less sensitive to mild profanity than TOXICITY.",
        aliases=("severe_toxic", "severe_toxicity"),
        teacher_label="severe_toxic",
    ),
    Attribute(
        "IDENTITY_ATTACK",
        "Negative or hateful comments targeting someone because of their identity.",
        aliases=("identity_hate", "identity_attack"),
        teacher_label=None,
    ),
    Attribute(
        "INSULT",
        "Insulting, inflammatory, or negative comment towards a person or a group of people.",
        aliases=("insult",),
        teacher_label="insult",
    ),
    Attribute(
        "PROFANITY",
        "Swear words, curse words, or other obscene or profane language.",
        aliases=("obscene", "profanity"),
        teacher_label="obscene",
    ),
    Attribute(
        "THREAT",
        "Describes an intention to inflict pain, injury, or violence against an individual or "
        "group.",
        aliases=("threat",),
        teacher_label="threat",
    ),
    Attribute(
        "SEXUALLY_EXPLICIT",
        "Contains references to sexual acts, body parts, or other lewd content.",
        aliases=("sexually_explicit", "sexual_explicit"),
        teacher_label=None,
        experimental=True,
    ),
)

ATTRIBUTE_NAMES: tuple[str, ...] = tuple(a.name for a in ATTRIBUTES)
_BY_NAME = {a.name: a for a in ATTRIBUTES}


def get_attribute(name: str) -> Attribute:
    """Look an attribute up by its Perspective name (case-insensitive)."""
    try:
        return _BY_NAME[name.upper()]
    except KeyError:
        raise UnknownAttributeError(name, ATTRIBUTE_NAMES) from None


def attribute_index(name: str) -> int:
    """Column of ``name`` in every (n_texts, n_attributes) score matrix."""
    return ATTRIBUTE_NAMES.index(get_attribute(name).name)


def attribute_for_column(column: str) -> Attribute | None:
    """Map a dataset column (Jigsaw or Perspective spelling) to an attribute, or None."""
    key = column.strip().lower()
    for attribute in ATTRIBUTES:
        if key == attribute.name.lower() or key in attribute.aliases:
            return attribute
    return None
