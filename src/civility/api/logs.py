"""The server's log: one line per request, as text or as JSON, never with comment text or keys.

``civility serve`` hands ``log_config`` to uvicorn, which applies it in every worker process.
Each request is logged by ``EdgeMiddleware`` with its method, route template (never the raw
path or query, which may hold the key), status, duration, the key's public prefix and a request
id (the caller's ``X-Request-Id`` when it is a plain token, else a fresh one, sent back in the
response either way), so that an integration's refused calls can be found and matched up.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from civility.errors import ConfigError

LOG_FORMATS = ("text", "json")
ACCESS_LOGGER = "civility.api.access"
REQUEST_ID_HEADER = b"x-request-id"
_TOKEN = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

log = logging.getLogger(ACCESS_LOGGER)


def request_id(headers: dict[bytes, bytes]) -> str:
    """The caller's request id when it is a plain token (safe in any log line), else a new one."""
    given = headers.get(REQUEST_ID_HEADER, b"")
    return given.decode() if _TOKEN.fullmatch(given) else uuid.uuid4().hex


def log_request(
    method: str, route: str, status: int, seconds: float, key_prefix: str, request: str
) -> None:
    fields = {
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "key_prefix": key_prefix,
        "request_id": request,
    }
    log.info(
        "%s %s %d %.1fms key=%s request_id=%s",
        method,
        route,
        status,
        fields["duration_ms"],
        key_prefix,
        request,
        extra={"request": fields},
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and a request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "request", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(level: str, log_format: str) -> dict[str, Any]:
    """uvicorn's logging config with Civility's loggers added, at ``level``, in ``log_format``."""
    if log_format not in LOG_FORMATS:
        raise ConfigError(
            f"Setting 'log_format' has value {log_format!r}. Available: {', '.join(LOG_FORMATS)}"
        )
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["civility"] = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    config["handlers"]["civility"] = {
        "formatter": "civility",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["civility"] = {
        "handlers": ["civility"],
        "level": level.upper(),
        "propagate": False,
    }
    if log_format == "json":
        for name in ("default", "access"):
            config["formatters"][name] = {"()": JsonFormatter}
    return config
