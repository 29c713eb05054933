"""Operations endpoints: health for load balancers, Prometheus metrics for dashboards."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from civility.api.deps import StateDep, request_key, require_api_key
from civility.api.errors import key_missing
from civility.api.metrics import render

router = APIRouter(tags=["Operations"])


@router.get("/healthz", summary="Liveness and readiness: model loaded, store reachable")
async def health(state: StateDep) -> JSONResponse:
    def ping() -> None:
        with state.store.session() as session:
            session.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
    except Exception as exc:  # reported, not raised: health must answer
        return JSONResponse(
            {"ok": False, "error": f"store unreachable: {type(exc).__name__}", "status": 503},
            status_code=503,
        )
    return JSONResponse(
        {
            "ok": True,
            "model_version": state.scorer.version,
            "attributes": list(state.scorer.labels_),
            "languages": state.languages.table.languages(),
            "languages_loaded": state.languages.loaded(),
            "store": state.store.engine.dialect.name,
            "pid": os.getpid(),  # which server process answered, with several workers
        }
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request, state: StateDep) -> Response:
    """Open to anyone who reaches the port, or with ``metrics_require_key`` to a valid key."""
    if state.settings.metrics_require_key:
        if request_key(request) is None:
            raise key_missing()
        await require_api_key(request)
    payload, content_type = render()
    return Response(payload, media_type=content_type)
