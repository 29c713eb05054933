"""The HTTP surfaces: the Perspective-compatible API (and, next to it, the ingest API).

``create_app()`` builds the ASGI application; ``civility serve`` runs it under uvicorn. It is
imported on first use, so that a command reading ``civility.api.scopes`` does not load FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civility.api.app import ROUTER_MODULES, create_app

__all__ = ["ROUTER_MODULES", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from civility.api import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
