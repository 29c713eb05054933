"""Perspective's v1alpha1 request and response bodies, as pydantic models.

Field names are Perspective's camelCase, and every field also accepts its snake_case spelling
(``requested_attributes``), which some clients send. Unknown fields are ignored, as Perspective
clients add fields over the years. These models also feed the OpenAPI description.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Message(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
    )


class TextEntry(_Message):
    text: str | None = Field(None, description="The comment (or context) text.")
    type: str | None = Field(None, description="PLAIN_TEXT (the default) is the only type.")


class ArticleAndParentComment(_Message):
    article: TextEntry | None = None
    parent_comment: TextEntry | None = None


class Context(_Message):
    entries: list[TextEntry] | None = None
    article_and_parent_comment: ArticleAndParentComment | None = None


class AttributeParameters(_Message):
    score_type: str | None = Field(None, description="PROBABILITY (the default) only.")
    score_threshold: float | None = Field(
        None, description="Omit the attribute from the response when it scores below this."
    )


class AnalyzeCommentRequest(_Message):
    comment: TextEntry | None = None
    context: Context | None = None
    requested_attributes: dict[str, AttributeParameters | None] | None = Field(
        None, description='Attribute name → parameters, e.g. {"TOXICITY": {}}.'
    )
    span_annotations: bool | None = Field(
        None, description="Score the stretches of text that drove each score."
    )
    languages: list[str] | None = Field(
        None, description="ISO 639-1 codes; detected from the text when absent."
    )
    do_not_store: bool | None = Field(
        None, description="Keep nothing of this request's text anywhere, logs included."
    )
    client_token: str | None = Field(None, description="Echoed in the response.")
    session_id: str | None = None
    community_id: str | None = None
    drop_unsupported_attributes: bool | None = Field(
        None, description="Leave out attributes that are unknown or unsupported instead of failing."
    )
    tier: str | None = Field(
        None,
        description="Civility extension: score this request with another tier (fast, accurate, "
        "ensemble) than the server's. Perspective clients never send it.",
    )


class Score(_Message):
    value: float
    type: str = "PROBABILITY"


class SpanScore(_Message):
    begin: int = Field(description="Start offset in UTF-16 code units.")
    end: int = Field(description="End offset (exclusive) in UTF-16 code units.")
    score: Score


class AttributeScores(_Message):
    summary_score: Score | None = None
    span_scores: list[SpanScore] | None = None


class AnalyzeCommentResponse(_Message):
    attribute_scores: dict[str, AttributeScores] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list)
    detected_languages: list[str] | None = None
    client_token: str | None = None


class SuggestCommentScoreRequest(_Message):
    comment: TextEntry | None = None
    context: Context | None = None
    attribute_scores: dict[str, AttributeScores] | None = Field(
        None, description="The scores the client suggests, e.g. Coral's 0/1 per attribute."
    )
    languages: list[str] | None = None
    community_id: str | None = None
    client_token: str | None = None
    session_id: str | None = None
    do_not_store: bool | None = None


class SuggestCommentScoreResponse(_Message):
    detected_languages: list[str] | None = None
    requested_languages: list[str] | None = None
    client_token: str | None = None
