"""A webhook receiver on loopback for the delivery tests: it counts each event it is sent and
notes any event that arrives again while its first delivery is still being handled."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar


class EventReceiver(BaseHTTPRequestHandler):
    """Takes its time with each event and notes any event that arrives while it is in flight."""

    seen: ClassVar[list[str]] = []
    in_flight: ClassVar[set[str]] = set()
    overlaps: ClassVar[list[str]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        delivery = self.headers["x-civility-delivery"]
        with EventReceiver.lock:
            if delivery in EventReceiver.in_flight:
                EventReceiver.overlaps.append(delivery)
            EventReceiver.in_flight.add(delivery)
            EventReceiver.seen.append(delivery)
        time.sleep(0.02)  # long enough for a second sender to collide, were there one
        with EventReceiver.lock:
            EventReceiver.in_flight.discard(delivery)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass
