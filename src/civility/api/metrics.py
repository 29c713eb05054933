"""Prometheus metrics: requests, latency, scores and batching, per server process or merged.

With several workers, ``civility serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a directory that
every process writes to, and ``/metrics`` merges them, so a scrape sees the whole server
whichever worker answers it.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from civility.attributes import ATTRIBUTE_NAMES

REQUESTS = Counter(
    "civility_http_requests_total", "HTTP requests answered.", ["route", "method", "status"]
)
LATENCY = Histogram(
    "civility_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
SCORES = Histogram(
    "civility_attribute_score",
    "Scores returned by comments:analyze, per attribute.",
    ["attribute"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
)
SHED = Counter(
    "civility_http_shed_total", "Requests refused with 503 because too many were in flight."
)
ERRORS = Counter("civility_api_errors_total", "Refused API calls by error type.", ["error_type"])
BATCH_SIZE = Histogram(
    "civility_model_batch_size",
    "Comments scored per model call (micro-batching).",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)

for _attribute in ATTRIBUTE_NAMES:  # export every series from the start, at zero
    SCORES.labels(_attribute)


def render() -> tuple[bytes, str]:
    """The exposition text for this server, all processes merged when running several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
