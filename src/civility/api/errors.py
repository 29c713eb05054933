"""Errors in the shapes clients expect: Google's envelope on the Perspective surface.

Perspective clients match on ``error.message`` and on ``details[].errorType``, so the messages
here are Perspective's own, word for word, and every refusal on ``/v1alpha1``, ``/batch`` and the
discovery document goes through ``google_error_body``. Everything else (health, metrics, ingest)
uses Civility's ``{ok, error, errors, status}`` envelope.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
GOOGLE_PREFIXES = ("/v1alpha1", "/batch", "/$discovery", "/discovery")

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """A refusal with an HTTP code, a message and (on Perspective methods) an ``errorType``.

    ``details`` are extra ``google.commentanalyzer.v1alpha1.Error`` fields, e.g.
    ``languageNotSupportedByAttributeError``; ``google_details`` are whole detail objects of
    other types (``google.rpc.ErrorInfo`` for key errors).
    """

    def __init__(
        self,
        code: int,
        message: str,
        error_type: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        google_details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.error_type = error_type
        self.details = details or {}
        self.google_details = google_details or []
        self.headers = headers


def invalid_request(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_REQUEST")


def google_error_body(error: ApiError) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    if error.error_type:
        details.append({"@type": ERROR_TYPE, "errorType": error.error_type, **error.details})
    details.extend(error.google_details)
    status = _STATUS_NAMES.get(error.code, "UNKNOWN")
    if not details:  # clients read details[0]; every refusal names its kind
        if error.code < 500:
            details.append({"@type": ERROR_TYPE, "errorType": "INVALID_REQUEST"})
        else:
            details.append({"@type": ERROR_INFO, "reason": status, "domain": "civility"})
    body: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "status": status,
        "details": details,
    }
    return {"error": body}


def civility_error_body(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ok": False,
        "error": error.message,
        "errors": [error.message],
        "status": error.code,
    }
    reasons = [d["reason"] for d in error.google_details if "reason" in d]
    if reasons:
        body["reason"] = reasons[0]
    return body


def uses_google_envelope(path: str) -> bool:
    return path.startswith(GOOGLE_PREFIXES)


def error_body(path: str, error: ApiError) -> dict[str, Any]:
    return google_error_body(error) if uses_google_envelope(path) else civility_error_body(error)


def http_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def key_invalid() -> ApiError:
    """What Google answers for an unknown key (clients look for API_KEY_INVALID)."""
    return ApiError(
        400,
        "API key not valid. Please pass a valid API key.",
        google_details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
            }
        ],
    )


def key_missing() -> ApiError:
    return ApiError(
        403,
        "The request is missing a valid API key.",
        google_details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_MISSING",
                "domain": "googleapis.com",
            }
        ],
    )


def _error_info(reason: str) -> list[dict[str, Any]]:
    return [{"@type": ERROR_INFO, "reason": reason, "domain": "civility"}]


def permission_denied(message: str, reason: str) -> ApiError:
    """403 ``PERMISSION_DENIED``: the key is valid, but this request is outside what it may do."""
    return ApiError(403, message, google_details=_error_info(reason))


def scope_denied(scopes: tuple[str, ...], needed: tuple[str, ...]) -> ApiError:
    return permission_denied(
        f"This API key's scopes ({', '.join(scopes)}) do not include "
        f"{' or '.join(needed)}, which this method needs.",
        "API_KEY_SCOPE_INSUFFICIENT",
    )


def community_denied(community: str) -> ApiError:
    return permission_denied(
        f"This API key may not act on community {community!r}.", "API_KEY_COMMUNITY_DENIED"
    )


def rate_limited(limit: int, retry_after: float) -> ApiError:
    return ApiError(
        429,
        f"Quota exceeded: this API key may make {limit} requests per minute.",
        google_details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
            }
        ],
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )


def store_unavailable(message: str = "The store is unavailable; retry later.") -> ApiError:
    """503 ``UNAVAILABLE``: the database is down, locked past its timeout, or too busy."""
    return ApiError(503, message, headers={"Retry-After": "1"})
