"""What a policy knows besides the scores: the author's record and the state of the thread.

The same ``History`` serves a dry run over an archive (kept entirely in memory) and live
ingestion (seeded from the store for the authors and articles of a batch, then updated as the
batch is decided), so a policy behaves the same in ``civility policy test`` and in production.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from civility.moderation.policy import ACTIONS

LINK_RE = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|ru|ly)/\S*")
DAY = timedelta(hours=24)
THREAD_WINDOW = 20
"""Recent comments a thread's temperature is measured over."""

ALERT_MIN_COMMENTS = 8
ALERT_FLAGGED_SHARE = 0.4
ALERT_TOXICITY = 0.5


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text))


@dataclass
class AuthorRecord:
    """Counts of an author's earlier comments by status, plus recent ones for 24 h windows."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    recent: deque[tuple[datetime, str]] = field(default_factory=deque)

    def add(self, when: datetime, action: str) -> None:
        self.counts[action] = self.counts.get(action, 0) + 1
        self.recent.append((when, action))

    def within_day(self, now: datetime, action: str) -> int:
        while self.recent and self.recent[0][0] < now - DAY:
            self.recent.popleft()
        return sum(1 for when, a in self.recent if a == action and when <= now)


@dataclass
class ThreadState:
    """An article's discussion as moderation sees it: its size and its recent temperature."""

    comments: int = 0
    flagged: int = 0
    recent: deque[tuple[float, bool]] = field(default_factory=lambda: deque(maxlen=THREAD_WINDOW))
    alerting: bool = False

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.comments if self.comments else 0.0

    @property
    def toxicity(self) -> float:
        return sum(t for t, _ in self.recent) / len(self.recent) if self.recent else 0.0

    @property
    def recent_flagged_share(self) -> float:
        return sum(1 for _, f in self.recent if f) / len(self.recent) if self.recent else 0.0

    def add(self, toxicity: float | None, action: str) -> bool:
        """Record a decided comment; True when this comment tips the thread into an alert.

        The alert looks at the recent window only, so an old flame war does not keep a calm
        thread flagged, and it fires once per episode (it re-arms when the thread cools down).
        A comment no model scored (``toxicity`` None) counts in the thread's size but not in
        its window, as the store's window holds scored comments only.
        """
        flagged = action != "approve"
        self.comments += 1
        self.flagged += flagged
        if toxicity is None:
            return False
        self.recent.append((toxicity, flagged))
        hot = len(self.recent) >= ALERT_MIN_COMMENTS and (
            self.recent_flagged_share >= ALERT_FLAGGED_SHARE or self.toxicity >= ALERT_TOXICITY
        )
        raised = hot and not self.alerting
        self.alerting = hot
        return raised


@dataclass
class History:
    """Author records, thread states and parents' toxicity, keyed by external ids."""

    authors: dict[str, AuthorRecord] = field(default_factory=dict)
    threads: dict[str, ThreadState] = field(default_factory=dict)
    toxicity: dict[str, float] = field(default_factory=dict)

    def author(self, name: str | None) -> AuthorRecord:
        return self.authors.setdefault(name or "", AuthorRecord())

    def thread(self, article: str) -> ThreadState:
        return self.threads.setdefault(article, ThreadState())

    def facts(
        self,
        scores: dict[str, float],
        text: str,
        author: str | None,
        article: str,
        parent: str | None,
        when: datetime,
    ) -> dict[str, float]:
        """Everything a policy condition may read for one comment, as one flat mapping."""
        record = self.author(author) if author else AuthorRecord()
        thread = self.thread(article)
        return {
            **scores,
            "links": float(count_links(text)),
            "length": float(len(text)),
            "is_reply": 1.0 if parent else 0.0,
            "author.comments": float(sum(record.counts.values())),
            "author.approved": float(record.counts.get("approve", 0)),
            "author.held": float(record.counts.get("hold", 0)),
            "author.rejected": float(record.counts.get("reject", 0)),
            "author.rejected_24h": float(record.within_day(when, "reject")),
            "author.held_24h": float(record.within_day(when, "hold")),
            "thread.comments": float(thread.comments),
            "thread.flagged_share": thread.flagged_share,
            "thread.toxicity": thread.toxicity,
            "parent.toxicity": self.toxicity.get(parent, 0.0) if parent else 0.0,
        }

    def record(
        self,
        comment: str,
        author: str | None,
        article: str,
        toxicity: float | None,
        action: str,
        when: datetime,
    ) -> bool:
        """Account for a decided comment; True when its thread just started alerting."""
        if author:
            self.author(author).add(when, action)
        if toxicity is not None:
            self.toxicity[comment] = toxicity
        return self.thread(article).add(toxicity, action)
