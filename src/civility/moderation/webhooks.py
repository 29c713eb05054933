"""Webhooks to the publisher's CMS: an outbox written with each decision, sent by a worker.

Events are rows in ``webhook_deliveries``, inserted in the same transaction as the decision
they report, so an event exists exactly when its decision does. A background thread sends them
signed with the webhook's secret and retries failures with exponential backoff; ingestion never
waits on a CMS, and a CMS that is down for an hour gets its events when it comes back.

Signature: ``X-Civility-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<X-Civility-Timestamp>.<raw body>`` under the webhook's secret; receivers should also refuse
old timestamps to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from civility.store import Community, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_S = 2.0
MAX_DELAY_S = 3600.0
TIMEOUT_S = 5.0

Event = tuple[str, dict[str, Any], int | None]
"""(event name, payload, decision id or None)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does; shipped so CMS integrations and tests share one definition."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def backoff(attempts: int, jitter: float | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling, capped, with jitter."""
    delay = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(attempts - 1, 0))
    return delay * (0.5 + (random.random() if jitter is None else jitter) / 2)


def enqueue_events(session: Session, community: Community, events: Sequence[Event]) -> int:
    """Queue ``events`` for every active webhook of ``community``; returns rows written."""
    if not events:
        return 0
    hooks = session.scalars(
        select(Webhook.id).where(Webhook.community_id == community.id, Webhook.active.is_(True))
    ).all()
    if not hooks:
        return 0
    now = datetime.now(UTC)
    rows = [
        {
            "webhook_id": hook,
            "decision_id": decision_id,
            "event": name,
            "payload": {"event": name, **payload},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for hook in hooks
        for name, payload, decision_id in events
    ]
    session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def deliver_due(store: Any, client: httpx.Client, limit: int = 50) -> int:
    """Send up to ``limit`` due deliveries once each; returns how many were attempted."""
    now = datetime.now(UTC)
    with store.session() as session:
        due = session.execute(
            select(WebhookDelivery, Webhook.url, Webhook.secret)
            .join(Webhook, WebhookDelivery.webhook_id == Webhook.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(limit)
        ).all()
    for delivery, url, secret in due:
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        error: str | None = None
        try:
            response = client.post(
                url,
                content=body,
                headers={
                    "content-type": "application/json",
                    "x-civility-event": delivery.event,
                    "x-civility-delivery": str(delivery.id),
                    "x-civility-timestamp": timestamp,
                    "x-civility-signature": sign(secret, timestamp, body),
                },
                timeout=TIMEOUT_S,
            )
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": error}
        if error is None:
            values.update(status="delivered", delivered_at=datetime.now(UTC))
        elif attempts >= MAX_ATTEMPTS:
            values.update(status="failed")
        else:
            values.update(next_attempt_at=datetime.now(UTC) + timedelta(seconds=backoff(attempts)))
        with store.writer() as session:
            session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values)
            )
    return len(due)


class WebhookWorker:
    """A daemon thread that keeps delivering due events until stopped."""

    def __init__(self, store: Any, poll_s: float = 1.0, client: httpx.Client | None = None) -> None:
        self.store = store
        self.poll_s = poll_s
        self.client = client or httpx.Client()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WebhookWorker:
        self._thread = threading.Thread(target=self._run, name="civility-webhooks", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = deliver_due(self.store, self.client)
            except Exception:  # keep delivering after a store hiccup; it is logged
                log.exception("webhook delivery round failed")
                busy = 0
            if not busy:
                self._stop.wait(self.poll_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.client.close()
