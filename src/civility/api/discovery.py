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

from civility.api.errors import ApiError

DOCUMENT = Path(__file__).with_name("discovery_v1alpha1.json")
router = APIRouter(tags=["Discovery"])


@cache
def _template() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def discovery_document(root_url: str) -> dict[str, Any]:
    root = root_url if root_url.endswith("/") else root_url + "/"
    document: dict[str, Any] = json.loads(_template().replace('"ROOT_URL"', json.dumps(root)))
    return document


def _check_version(version: str | None) -> None:
    if version not in (None, "v1alpha1"):
        raise ApiError(
            404, f"Discovery document not found for API service: commentanalyzer version {version}"
        )


@router.get("/$discovery/rest", summary="The v1alpha1 discovery document")
async def discovery(request: Request, version: str | None = None) -> JSONResponse:
    _check_version(version)
    return JSONResponse(discovery_document(str(request.base_url)))


@router.get("/discovery/v1/apis/commentanalyzer/{version}/rest", include_in_schema=False)
async def discovery_v1(request: Request, version: str) -> JSONResponse:
    _check_version(version)
    return JSONResponse(discovery_document(str(request.base_url)))
