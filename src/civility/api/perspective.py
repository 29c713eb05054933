"""The Perspective ``v1alpha1`` methods: comments:analyze and comments:suggestscore.

Validation happens in Perspective's order (key, comment, attributes, languages) with its
messages, so that a client written against Google's API sees the same refusals. Offsets in
responses are UTF-16 code units, as Perspective (a Java service) gives them; the scorer works in
Python string indices and the conversion happens here, at the edge.
"""

from __future__ import annotations

import hashlib
import logging
from bisect import bisect_right
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from civility.api.deps import AppState, ScoreKey, StateDep, charge, check_community
from civility.api.errors import ApiError, invalid_request
from civility.api.keys import KeyInfo, request_cost
from civility.api.metrics import SCORES
from civility.api.schemas import (
    AnalyzeCommentRequest,
    AnalyzeCommentResponse,
    Context,
    SuggestCommentScoreRequest,
    SuggestCommentScoreResponse,
    TextEntry,
)
from civility.attributes import ATTRIBUTE_NAMES
from civility.errors import (
    CivilityError,
    EmptyTextError,
    LanguageDetectionError,
    LanguageNotServedError,
    TextTooLongError,
)
from civility.languages import ENGLISH, normalize_language
from civility.scoring import TIERS, Choice, Scorer, check_text, choose_language, load_scorer
from civility.store import Community, Feedback
from civility.text.language import detect_language

log = logging.getLogger("civility.api")
router = APIRouter(tags=["Perspective v1alpha1"])

PLAIN_TEXT = "PLAIN_TEXT"


def comment_text(comment: TextEntry | None) -> str:
    """The comment's text, refused as Perspective refuses it (empty, too long, not plain text)."""
    text = comment.text if comment is not None else None
    try:
        check_text(text or "")
    except EmptyTextError:
        raise ApiError(400, "Comment must be non-empty.", "COMMENT_EMPTY") from None
    except TextTooLongError as exc:
        raise ApiError(400, exc.message, "COMMENT_TOO_LONG") from None
    kind = (comment.type if comment is not None else None) or PLAIN_TEXT
    if kind.upper() == "HTML":
        raise invalid_request("Currently, only 'PLAIN_TEXT' comments are supported")
    if kind.upper() != PLAIN_TEXT:
        raise invalid_request("Unknown text type")
    assert text is not None
    return text


def check_context(context: Context | None) -> None:
    if context is not None and context.entries and context.article_and_parent_comment:
        raise invalid_request(
            "Context can have either entries or article_and_parent_comment, "
            "but both fields were populated."
        )


EXPERIMENTAL_SUFFIX = "_EXPERIMENTAL"


def served_attribute(name: str, labels: Collection[str]) -> str | None:
    """Which of our attributes answers a requested name, or None.

    Perspective offers experimental versions of its attributes (``TOXICITY_EXPERIMENTAL``)
    beside the production ones, and older clients still ask for them. There is one model per
    attribute here, so both names get it; the response keeps the name the client asked for.
    """
    name = name.upper()
    if name in labels:
        return name
    base = name.removesuffix(EXPERIMENTAL_SUFFIX)
    return base if base != name and base in labels else None


@dataclass(frozen=True)
class Requested:
    name: str
    """As the client asked for it, upper-cased: the key of its score in the response."""
    attribute: str
    """The attribute of ours that scores it."""
    threshold: float | None


def requested_attributes(body: AnalyzeCommentRequest, labels: tuple[str, ...]) -> list[Requested]:
    if not body.requested_attributes:
        raise ApiError(400, "Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    found = []
    for raw_name, params in body.requested_attributes.items():
        name = raw_name.upper()
        attribute = served_attribute(name, labels)
        if attribute is None:
            if body.drop_unsupported_attributes:
                continue
            raise invalid_request(f"Unknown requested attribute: {raw_name}")
        score_type = params.score_type if params is not None else None
        if score_type not in (None, "", "PROBABILITY"):
            raise invalid_request(
                f"Requested score type {score_type} is not supported by attribute {name}"
            )
        threshold = params.score_threshold if params is not None else None
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise invalid_request(
                f"Score threshold for attribute {name} must be between 0 and 1. Got {threshold}."
            )
        found.append(Requested(name, attribute, threshold))
    return found


def declared_languages(languages: list[str] | None) -> list[str]:
    """The request's ``languages``, normalised (``en-GB`` → ``en``), or refused as Perspective
    refuses a code it cannot parse."""
    codes = [normalize_language(code) for code in languages or []]
    for raw, code in zip(languages or [], codes, strict=True):
        primary = code.split("-")[0]
        if not primary.isalpha() or not 2 <= len(primary) <= 3:
            raise invalid_request(f"Unable to parse language code: {raw}")
    return codes


def choose(text: str, declared: list[str], state: AppState) -> Choice:
    try:
        return choose_language(text, declared, state.languages.table)
    except LanguageDetectionError as exc:
        raise ApiError(400, exc.message, "LANGUAGE_DETECTION_FAILED") from None


def language_not_supported(error: LanguageNotServedError) -> ApiError:
    return ApiError(
        400,
        error.message,
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        details={
            "languageNotSupportedByAttributeError": {
                "detectedLanguages": [error.detected] if error.detected else [],
                "attribute": error.attribute,
            }
        },
    )


def served_in(
    wanted: list[Requested], choice: Choice, state: AppState, drop: bool
) -> list[Requested]:
    """The requested attributes served in the comment's language; with ``drop``, the others
    are left out, else the first of them is refused."""
    table = state.languages.table
    kept = [item for item in wanted if table.serves(choice.language, item.attribute)]
    missing = [item for item in wanted if item not in kept]
    if missing and not drop:
        attribute = missing[0].attribute
        error = LanguageNotServedError(
            missing[0].name,
            [choice.language],
            choice.detected,
            table.why_not(choice.language, attribute),
        )
        raise language_not_supported(error)
    return kept


def utf16_converter(text: str) -> Callable[[int], int]:
    """Maps a Python string index to the UTF-16 offset Perspective clients expect."""
    if text.isascii() or all(ord(ch) < 0x10000 for ch in text):
        return lambda index: index
    astral = [i for i, ch in enumerate(text) if ord(ch) >= 0x10000]
    # Each astral character before ``index`` is one extra UTF-16 unit (a surrogate pair).
    return lambda index: index + bisect_right(astral, index - 1)


def _score(value: float) -> dict[str, Any]:
    return {"value": round(float(value), 6), "type": "PROBABILITY"}


async def request_scorer(tier: str | None, language: str, state: AppState) -> Scorer:
    """The scorer of the comment's language: for English the server's tier or the one the
    request asked for; for the others their one model (loaded on first use, then kept)."""
    if language != ENGLISH:
        return await run_in_threadpool(state.languages.scorer, language)
    if tier is None or tier == state.settings.tier:
        return state.scorer
    if tier not in TIERS:
        raise invalid_request(f"Unknown tier {tier!r}. Available: {', '.join(TIERS)}.")
    try:
        return load_scorer(tier)
    except CivilityError as exc:
        raise invalid_request(
            f"Tier {tier!r} is not available on this server: {exc.message}"
        ) from None


async def analyze(body: AnalyzeCommentRequest, state: AppState) -> dict[str, Any]:
    """The response body of comments:analyze, or an ``ApiError``."""
    text = comment_text(body.comment)
    check_context(body.context)
    wanted = requested_attributes(body, ATTRIBUTE_NAMES)
    choice = choose(text, declared_languages(body.languages), state)
    wanted = served_in(wanted, choice, state, bool(body.drop_unsupported_attributes))
    attribute_scores: dict[str, Any] = {}
    if wanted:
        scorer = await request_scorer(body.tier, choice.language, state)
        if scorer is state.scorer or choice.language != ENGLISH:
            row = (await state.language_batcher(choice.language).predict([text]))[0]
        else:
            row = (await run_in_threadpool(scorer.predict_proba, [text]))[0]
        to_utf16 = utf16_converter(text)
        spans = {}
        if body.span_annotations:
            attributes = list(dict.fromkeys(w.attribute for w in wanted))
            spans = await run_in_threadpool(scorer.spans, text, attributes)
        whole = [{"begin": 0, "end": to_utf16(len(text)), "score": None}]
        for item in wanted:
            value = float(row[scorer.labels_.index(item.attribute)])
            SCORES.labels(item.attribute).observe(value)
            if item.threshold is not None and value < item.threshold:
                continue
            if body.span_annotations:
                span_scores = [
                    {"begin": to_utf16(s.begin), "end": to_utf16(s.end), "score": _score(s.score)}
                    for s in spans.get(item.attribute, [])
                ]
            else:
                span_scores = [{**whole[0], "score": _score(value)}]
            attribute_scores[item.name] = {
                "spanScores": span_scores,
                "summaryScore": _score(value),
            }
    response: dict[str, Any] = {
        "attributeScores": attribute_scores,
        "languages": [choice.language],
    }
    if choice.detected is not None:
        response["detectedLanguages"] = [choice.detected]
    if body.client_token is not None:
        response["clientToken"] = body.client_token
    return response


def _store_feedback(
    state: AppState,
    body: SuggestCommentScoreRequest,
    text: str,
    key: KeyInfo | None,
    values: dict[str, float],
) -> None:
    keep_text = state.settings.store_text and not body.do_not_store
    with state.store.writer() as session:
        community_id = None
        if body.community_id:
            community_id = session.scalar(
                select(Community.id).where(Community.slug == body.community_id)
            )
        for attribute, value in values.items():
            session.add(
                Feedback(
                    source="suggestscore",
                    community=body.community_id,
                    community_id=community_id,
                    api_key_id=key.id if key is not None else None,
                    client_token=body.client_token,
                    session_id=body.session_id,
                    attribute=attribute,
                    value=value,
                    text=text if keep_text else None,
                    text_sha256=(
                        None if body.do_not_store else hashlib.sha256(text.encode()).hexdigest()
                    ),
                )
            )


async def suggest(
    body: SuggestCommentScoreRequest, state: AppState, key: KeyInfo | None
) -> dict[str, Any]:
    """Validate and store a suggested score; the response body of comments:suggestscore."""
    if body.community_id:
        check_community(key, body.community_id)  # its feedback calibrates that community
    text = comment_text(body.comment)
    check_context(body.context)
    if not body.attribute_scores:
        raise invalid_request("Missing attribute_scores")
    values: dict[str, float] = {}
    for raw_name, scores in body.attribute_scores.items():
        name = served_attribute(raw_name, ATTRIBUTE_NAMES)
        if name is None:
            raise invalid_request(f"Unknown requested attribute: {raw_name}")
        if scores.summary_score is None:
            raise invalid_request(f"Missing summary_score for attribute {name}")
        value = scores.summary_score.value
        if not 0.0 <= value <= 1.0:
            raise invalid_request(
                f"Summary score for attribute {name} must be between 0 and 1. Got {value}."
            )
        values[name] = value
    response: dict[str, Any] = {}
    if body.languages:
        response["requestedLanguages"] = [normalize_language(c) for c in body.languages]
    else:
        detection = detect_language(text)
        response["detectedLanguages"] = [detection.language if detection else ENGLISH]
    if state.settings.feedback_enabled:
        await run_in_threadpool(_store_feedback, state, body, text, key, values)
    if body.client_token is not None:
        response["clientToken"] = body.client_token
    return response


@router.post(
    "/v1alpha1/comments:analyze",
    response_model=AnalyzeCommentResponse,
    summary="Score a comment on the requested attributes",
    operation_id="commentanalyzer.comments.analyze",
)
async def analyze_route(
    body: AnalyzeCommentRequest, state: StateDep, key: ScoreKey
) -> JSONResponse:
    # The key paid one unit before the body was read; a dearer call pays the rest here.
    await run_in_threadpool(charge, state, key, analyze_cost(body, state) - 1)
    return JSONResponse(await analyze(body, state))


def analyze_cost(body: AnalyzeCommentRequest, state: AppState) -> int:
    """Quota units of one analyze call: its text's length, its tier, and spans if asked."""
    text = (body.comment.text if body.comment is not None else None) or ""
    return request_cost(len(text), body.tier or state.settings.tier, bool(body.span_annotations))


@router.post(
    "/v1alpha1/comments:suggestscore",
    response_model=SuggestCommentScoreResponse,
    summary="Suggest scores for a comment (stored as feedback for calibration)",
    operation_id="commentanalyzer.comments.suggestscore",
)
async def suggest_route(
    body: SuggestCommentScoreRequest, state: StateDep, key: ScoreKey
) -> JSONResponse:
    return JSONResponse(await suggest(body, state, key))
