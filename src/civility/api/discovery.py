"""The discovery document, so Google's own client library works against Civility unchanged.

``googleapiclient.discovery.build(..., discoveryServiceUrl=...)`` reads method paths and the
batch path from this document relative to its ``rootUrl``, so the root is the address the
request came to, not Google's.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from civility.api.deps import get_state
from civility.api.errors import ApiError
from civility.languages import LanguageTable

DOCUMENT = Path(__file__).with_name("discovery_v1alpha1.json")
router = APIRouter(tags=["Discovery"])


@cache
def _template() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def discovery_document(root_url: str, languages: LanguageTable) -> dict[str, Any]:
    """The document for a server at ``root_url``, naming the languages it scores."""
    root = root_url if root_url.endswith("/") else root_url + "/"
    document: dict[str, Any] = json.loads(_template().replace('"ROOT_URL"', json.dumps(root)))
    field = document["schemas"]["AnalyzeCommentRequest"]["properties"]["languages"]
    field["description"] = (
        "Languages of the comment (ISO 639-1; hi-Latn for Hindi in Latin letters); detected "
        f"when absent. This server scores: {', '.join(languages.languages())}."
    )
    return document


def _check_version(version: str | None) -> None:
    if version not in (None, "v1alpha1"):
        raise ApiError(
            404, f"Discovery document not found for API service: commentanalyzer version {version}"
        )


@router.get("/$discovery/rest", summary="The v1alpha1 discovery document")
async def discovery(request: Request, version: str | None = None) -> JSONResponse:
    _check_version(version)
    table = get_state(request).languages.table
    return JSONResponse(discovery_document(str(request.base_url), table))


@router.get("/discovery/v1/apis/commentanalyzer/{version}/rest", include_in_schema=False)
async def discovery_v1(request: Request, version: str) -> JSONResponse:
    _check_version(version)
    table = get_state(request).languages.table
    return JSONResponse(discovery_document(str(request.base_url), table))
