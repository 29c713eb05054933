"""Which policy (and calibration) applies to a community, parsed once and reused.

Policies live in the store as the text the publisher wrote, so every server process sees the
same one; parsing is cached by the text itself, so an updated policy applies on the next batch
without a restart.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from civility.moderation.decide import Calibrate
from civility.moderation.policy import Policy, default_policy, parse_policy
from civility.store import Community

CALIBRATION_TTL_S = 300.0
"""How long a community's fitted calibration is reused before it is refitted from new decisions."""


def policy_format(text: str) -> str:
    """TOML or YAML, told apart by how the rules list is written."""
    return "yaml" if re.search(r"^\s*rules\s*:", text, re.MULTILINE) else "toml"


CalibrationLoader = Callable[[Session, Community], Calibrate | None]


class PolicyCache:
    """Parsed policies by text, and calibrations by community with a time-to-live."""

    def __init__(self, calibration: CalibrationLoader | None = None) -> None:
        self.calibration = calibration
        self._policies: dict[str, Policy] = {}
        self._calibrations: dict[int, tuple[float, Calibrate | None]] = {}
        self._lock = threading.Lock()

    def policy(self, community: Community) -> Policy:
        text = community.policy
        if not text:
            return default_policy()
        with self._lock:
            cached = self._policies.get(text)
        if cached is None:
            cached = parse_policy(text, policy_format(text), f"policy of {community.slug!r}")
            with self._lock:
                self._policies[text] = cached
        return cached

    def get(self, session: Session, community: Community) -> tuple[Policy, Calibrate | None]:
        return self.policy(community), self._calibrate(session, community)

    def _calibrate(self, session: Session, community: Community) -> Calibrate | None:
        if self.calibration is None:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._calibrations.get(community.id)
        if cached is not None and now - cached[0] < CALIBRATION_TTL_S:
            return cached[1]
        fitted = self.calibration(session, community)
        with self._lock:
            self._calibrations[community.id] = (now, fitted)
        return fitted
