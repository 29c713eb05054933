"""Webhooks to the publisher's CMS: an outbox written with each decision, sent by a worker.

Events are rows in ``webhook_deliveries``, inserted in the same transaction as the decision
they report, so an event exists exactly when its decision does. A background thread sends them
signed with the webhook's secret and retries failures with exponential backoff; ingestion never
waits on a CMS, and a CMS that is down for an hour gets its events when it comes back. Every
server process runs that thread; each claims the rows it sends (``claim_due``), so an event is
delivered at least once and never sent by two processes at once.

Signature: ``X-Civility-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<X-Civility-Timestamp>.<raw body>`` under the webhook's secret; receivers should also refuse
old timestamps to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.orm import Session

from civility.errors import WebhookDestinationError
from civility.store import Community, Store, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_S = 2.0
MAX_DELAY_S = 3600.0
TIMEOUT_S = 5.0
LEASE_S = 120.0
"""How long a claimed delivery is this process's alone; sends stop while it still covers one."""
STATUSES = ("pending", "delivered", "failed")

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


def check_destination(url: str, allow_private: bool = False) -> None:
    """Refuse a URL whose host is not a public address (unless ``allow_private``).

    The server signs and sends events wherever a webhook points, so a URL naming a loopback,
    private, link-local or otherwise non-global address would let any key holder make the
    server reach into its own network (SSRF). Every address the host resolves to must be
    global; the check runs when the webhook is registered and again before each delivery,
    since what a name resolves to can change (a name that resolves nowhere yet is accepted).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebhookDestinationError(f"Webhook URL {url!r} must be http(s)://host/...")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        return  # a name that does not resolve reaches nothing; delivery fails and retries
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if not ip.is_global:
            raise WebhookDestinationError(
                f"Webhook host {parts.hostname!r} resolves to {ip}, a non-public address; "
                "set webhook_private_destinations = true to allow it."
            )


@dataclass(frozen=True)
class Claim:
    """A delivery this process holds until ``deadline``: no other process may send it."""

    id: int
    fence: int
    """The delivery's ``attempts`` after the claim: results are recorded only if it is unchanged."""
    event: str
    payload: dict[str, Any]
    url: str
    secret: str


def claim_due(store: Store, limit: int, lease_s: float = LEASE_S) -> list[Claim]:
    """Take up to ``limit`` due deliveries for ``lease_s`` seconds.

    The claim moves ``next_attempt_at`` past the lease and counts an attempt, in one
    transaction: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so processes claiming together take
    different rows instead of waiting; on SQLite the write transaction (``BEGIN IMMEDIATE``)
    already admits one claimer at a time. A process killed mid-send leaves its claims to expire,
    and the events go out again after the lease: at least once, never by two at once.
    """
    now = datetime.now(UTC)
    with store.writer() as session:
        due = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.attempts,
                WebhookDelivery.event,
                WebhookDelivery.payload,
                Webhook.url,
                Webhook.secret,
            )
            .join(Webhook, WebhookDelivery.webhook_id == Webhook.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        ).all()
        if due:
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([row.id for row in due]))
                .values(
                    attempts=WebhookDelivery.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=lease_s),
                )
                .execution_options(synchronize_session=False)
            )
    return [Claim(r.id, r.attempts + 1, r.event, r.payload, r.url, r.secret) for r in due]


def _send(client: httpx.Client, claim: Claim, allow_private: bool) -> str | None:
    """POST one event; None when the receiver took it, else why not."""
    body = json.dumps(claim.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    try:
        check_destination(claim.url, allow_private)
        response = client.post(
            claim.url,
            content=body,
            headers={
                "content-type": "application/json",
                "x-civility-event": claim.event,
                "x-civility-delivery": str(claim.id),
                "x-civility-timestamp": timestamp,
                "x-civility-signature": sign(claim.secret, timestamp, body),
            },
            timeout=TIMEOUT_S,
            follow_redirects=False,
        )
    except WebhookDestinationError as exc:
        return exc.message
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    return f"HTTP {response.status_code}" if response.status_code >= 300 else None


def deliver_due(
    store: Store,
    client: httpx.Client,
    limit: int = 20,
    *,
    allow_private: bool = False,
    lease_s: float = LEASE_S,
) -> int:
    """Claim and send up to ``limit`` due deliveries once each; returns how many were claimed."""
    claims = claim_due(store, limit, lease_s)
    # A send takes at most connect + write + read timeouts; stop while the lease covers one.
    deadline = time.monotonic() + lease_s - 3 * TIMEOUT_S
    for index, claim in enumerate(claims):
        if time.monotonic() > deadline:
            _release(store, claims[index:])
            break
        error = _send(client, claim, allow_private)
        values: dict[str, Any] = {"last_error": error}
        if error is None:
            values.update(status="delivered", delivered_at=datetime.now(UTC))
        elif claim.fence >= MAX_ATTEMPTS:
            values.update(status="failed")
        else:
            delay = backoff(claim.fence)
            values.update(next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay))
        with store.writer() as session:
            # An UPDATE's result is a cursor result (rowcount), which Session.execute's
            # signature does not say.
            recorded = cast(
                CursorResult[Any],
                session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == claim.id, WebhookDelivery.attempts == claim.fence)
                    .values(**values)
                ),
            )
        if not recorded.rowcount:
            log.warning("webhook delivery %d was claimed again before its result", claim.id)
    return len(claims)


def _release(store: Store, claims: Sequence[Claim]) -> None:
    """Hand back claims not sent: due now, and the attempt they were charged not counted."""
    with store.writer() as session:
        for claim in claims:
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == claim.id, WebhookDelivery.attempts == claim.fence)
                .values(attempts=claim.fence - 1, next_attempt_at=datetime.now(UTC))
            )


def delivery_report(store: Store, community_id: int, recent: int = 20) -> list[dict[str, Any]]:
    """Each webhook of a community with its deliveries counted by status and its last failures."""
    with store.session() as session:
        hooks = session.scalars(
            select(Webhook).where(Webhook.community_id == community_id).order_by(Webhook.id)
        ).all()
        report = []
        for hook in hooks:
            counts = dict(
                session.execute(
                    select(WebhookDelivery.status, func.count())
                    .where(WebhookDelivery.webhook_id == hook.id)
                    .group_by(WebhookDelivery.status)
                ).all()
            )
            failed = WebhookDelivery.last_error.is_not(None)
            failures = session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == hook.id, failed)
                .order_by(WebhookDelivery.id.desc())
                .limit(recent)
            ).all()
            report.append(
                {
                    "id": hook.id,
                    "url": hook.url,
                    "active": hook.active,
                    "deliveries": {s: int(counts.get(s, 0)) for s in STATUSES},
                    "recent_failures": [
                        {
                            "delivery": d.id,
                            "event": d.event,
                            "status": d.status,
                            "attempts": d.attempts,
                            "error": d.last_error,
                            "next_attempt_at": d.next_attempt_at.isoformat(),
                        }
                        for d in failures
                    ],
                }
            )
    return report


class WebhookWorker:
    """A daemon thread that keeps delivering due events until stopped.

    Every server process runs one; their claims keep them from sending one event together.
    """

    def __init__(
        self,
        store: Store,
        poll_s: float = 1.0,
        client: httpx.Client | None = None,
        allow_private: bool = False,
    ) -> None:
        self.store = store
        self.poll_s = poll_s
        self.client = client or httpx.Client()
        self.allow_private = allow_private
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WebhookWorker:
        self._thread = threading.Thread(target=self._run, name="civility-webhooks", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = deliver_due(self.store, self.client, allow_private=self.allow_private)
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
