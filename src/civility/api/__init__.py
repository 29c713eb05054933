"""The HTTP surfaces: the Perspective-compatible API (and, next to it, the ingest API).

``create_app()`` builds the ASGI application; ``civility serve`` runs it under uvicorn.
"""

from civility.api.app import ROUTER_MODULES, create_app

__all__ = ["ROUTER_MODULES", "create_app"]
