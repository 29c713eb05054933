"""``civility import``: an existing archive into the store, in batches, resumable.

Each batch goes through the same ingest path as the API (one model call, one transaction), so
imported comments get the same scores, decisions and audit trail as live ones. Resuming needs no
bookkeeping: comments already stored are recognised by their external id and skipped before
scoring, so an interrupted import is simply run again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from civility.moderation.archive import ArchiveComment
from civility.moderation.ingest import IngestOptions, ingest
from civility.moderation.policies import PolicyCache
from civility.scoring import Scorer

BATCH_SIZE = 500


def _batches(comments: Iterable[ArchiveComment], size: int) -> Iterator[list[ArchiveComment]]:
    iterator = iter(comments)
    while batch := list(islice(iterator, size)):
        yield batch


def import_archive(
    store: Any,
    scorer: Scorer,
    comments: Iterable[ArchiveComment],
    community: str,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    policies: PolicyCache | None = None,
) -> dict[str, Any]:
    """Import ``comments`` into ``community``; returns counts of new, skipped and per status.

    Articles are created as they are met and replies whose parent is not in the store (deleted
    or spam in the export) are kept as top-level comments.
    """
    options = IngestOptions(create_articles=True, require_parents=False, create_community=True)
    policies = policies or PolicyCache()
    counts: Counter[str] = Counter()
    for batch in _batches(comments, batch_size):
        for result in ingest(store, scorer, batch, community, policies, options):
            counts["skipped" if result.duplicate else "imported"] += 1
            if not result.duplicate:
                counts[result.status] += 1
        if progress is not None:
            progress(len(batch))
    return {
        "community": community,
        "imported": counts["imported"],
        "skipped": counts["skipped"],
        "statuses": {s: counts[s] for s in ("approved", "held", "rejected")},
    }
