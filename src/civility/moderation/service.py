"""The moderation service: the one way comments are decided and moderators' actions recorded.

The ingest API, the moderator pages and ``civility import`` each hold one ``ModerationService``
(the server keeps its own in ``AppState.moderation``) and call its methods. It is the only
writer of the moderation tables (comments, scores, decisions, authors, articles and the
webhook outbox): ``tests/moderation/test_single_writer.py`` fails if another module writes
them. Batches go through ``civility.moderation.ingest``, the service's write path; reads
through ``civility.moderation.queue``. The service also holds the per-process state decisions
depend on: the parsed policies and each community's fitted calibration (``PolicyCache``), so an
import is decided exactly as the live API would decide it.

Adding a moderator action (the moderation desk's next buttons):

1. Write a method here that opens one ``self.store.writer()`` transaction, checks the moderator
   with ``_moderator``, changes the row with a compare-and-set on what the moderator saw (raise
   ``DecisionConflictError`` through ``_conflict`` when it moved on), appends a ``Decision`` row
   (the audit trail: never updated, never deleted) and queues its event with
   ``enqueue_events``, built from ``events.DecisionPayload`` so webhooks keep one schema.
2. Call it from the surfaces: a route in ``civility.api.ingest`` and, for the pages, an entry
   in ``civility.web.routes.ACTION_WORDS`` handled in ``apply_action``.
3. Test it through HTTP: the trail entry, the event's payload and the 409 on a stale status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from civility.errors import DecisionConflictError, ForbiddenError, InvalidCommentError
from civility.moderation import events, queue
from civility.moderation.archive import ArchiveComment
from civility.moderation.calibration import MIN_DECISIONS, calibration_loader
from civility.moderation.ingest import DEFAULT_COMMUNITY, IngestOptions, IngestResult, ingest
from civility.moderation.policies import PolicyCache
from civility.moderation.webhooks import enqueue_events
from civility.scoring import Scorer
from civility.store import Article, Author, Comment, Community, Decision, Feedback, Moderator, Store

MODERATOR_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "approve": ("approved", ("held", "pending")),
    "reject": ("rejected", ("held", "pending", "approved")),
    "restore": ("approved", ("rejected",)),
}
"""action -> (new status, statuses it may be taken from). The first is the default expectation."""

LABEL_OF = {"approve": 0.0, "restore": 0.0, "reject": 1.0}
BAN_ACTION = "ban_author"
IMPORT_BATCH_SIZE = 500


class ModerationService:
    """Decisions, queue queries, author actions and webhook events over one store.

    ``calibrated`` (the default) decides on each community's calibrated scores once its
    moderators have decided enough comments; ``min_decisions`` is how many that takes.
    """

    def __init__(
        self, store: Store, *, calibrated: bool = True, min_decisions: int = MIN_DECISIONS
    ) -> None:
        self.store = store
        self.policies = PolicyCache(calibration_loader(min_decisions) if calibrated else None)

    # -- comments in ---------------------------------------------------------------------------

    def ingest(
        self,
        scorer: Scorer,
        comments: Sequence[ArchiveComment],
        community: str = DEFAULT_COMMUNITY,
        options: IngestOptions | None = None,
    ) -> list[IngestResult]:
        """Score, decide and store ``comments`` in one transaction (``moderation.ingest``)."""
        return ingest(self.store, scorer, comments, community, self.policies, options)

    def import_archive(
        self,
        scorer: Scorer,
        comments: Iterable[ArchiveComment],
        community: str,
        batch_size: int = IMPORT_BATCH_SIZE,
        progress: Callable[[int], object] | None = None,
    ) -> dict[str, Any]:
        """Import ``comments`` into ``community`` in batches; counts of new, skipped, per status.

        Each batch goes through ``ingest``, so imported comments get the scores, calibrated
        decisions and audit trail live ones get. Articles are created as they are met, and
        replies whose parent is not stored (deleted or spam in the export) are kept top-level.
        Resuming needs no bookkeeping: stored comments are skipped before scoring.
        """
        options = IngestOptions(create_articles=True, require_parents=False, create_community=True)
        counts: Counter[str] = Counter()
        iterator = iter(comments)
        while batch := list(islice(iterator, batch_size)):
            for result in self.ingest(scorer, batch, community, options):
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

    # -- reads ---------------------------------------------------------------------------------

    def queue(self, community: str, filters: queue.QueueQuery, limit: int = 50) -> dict[str, Any]:
        """One page of a community's queue, oldest first (``moderation.queue.list_queue``)."""
        return queue.list_queue(self.store, community, filters, limit)

    def comment(self, community: str, external_id: str) -> dict[str, Any]:
        """A comment with its scores and its whole audit trail."""
        return queue.comment_record(self.store, community, external_id)

    def article_health(
        self, community: str, article: str, bucket_minutes: int = 60
    ) -> dict[str, Any]:
        return queue.article_health(self.store, community, article, bucket_minutes)

    # -- moderators' actions -------------------------------------------------------------------

    def decide(
        self,
        community: str,
        external_id: str,
        action: str,
        moderator: str,
        reason: str | None = None,
        expected_status: str | None = None,
    ) -> dict[str, Any]:
        """Record a moderator's approve/reject/restore; 409 if the comment moved on meanwhile.

        A compare-and-set on the status the moderator saw (``held`` by default): of two
        moderators deciding the same comment at once, one wins and the other is told who did.
        The decision is appended to the audit trail, stored as feedback for calibration and
        queued for the webhooks, all in one transaction.
        """
        if action not in MODERATOR_ACTIONS:
            raise InvalidCommentError(
                "action", f"must be one of {', '.join(MODERATOR_ACTIONS)}; got {action!r}."
            )
        new_status, allowed = MODERATOR_ACTIONS[action]
        expected = expected_status or allowed[0]
        if expected not in allowed:
            raise InvalidCommentError(
                "expected_status",
                f"{action!r} applies to comments that are {' or '.join(allowed)}; "
                f"got {expected!r}.",
            )
        with self.store.writer() as session:
            found = queue.community_by_slug(session, community)
            person = _moderator(session, found, moderator)
            comment = queue.find_comment(session, found, external_id)
            # An UPDATE's result is a cursor result (rowcount), which Session.execute's
            # signature does not say.
            updated = session.execute(
                update(Comment)
                .where(Comment.id == comment.id, Comment.status == expected)
                .values(status=new_status)
                .execution_options(synchronize_session=False)
            )
            changed = cast(CursorResult[Any], updated).rowcount
            if changed != 1:
                self._conflict(comment.id, external_id, expected)
            decision, payload = _trail(session, found, comment, person, action, reason, new_status)
            session.add(
                Feedback(
                    source="moderator",
                    community=found.slug,
                    community_id=found.id,
                    comment_id=comment.id,
                    attribute="TOXICITY",
                    value=LABEL_OF[action],
                    text_sha256=comment.text_sha256,
                    created_at=decision.created_at,
                )
            )
            enqueue_events(session, found, [events.decided(payload, decision.id)])
        return {"comment_id": external_id, "status": new_status, "decision": payload.as_dict()}

    def ban_author(
        self, community: str, external_id: str, moderator: str, reason: str | None = None
    ) -> bool:
        """Ban the comment's author, record it in the comment's trail and tell the webhooks.

        False when the comment has no known author (nothing is written then).
        """
        with self.store.writer() as session:
            found = queue.community_by_slug(session, community)
            person = _moderator(session, found, moderator)
            comment = queue.find_comment(session, found, external_id)
            author = session.get(Author, comment.author_id) if comment.author_id else None
            if author is None:
                return False
            author.banned = True
            decision, payload = _trail(
                session, found, comment, person, BAN_ACTION, reason, comment.status
            )
            ban = events.author_banned(payload, author.external_id, decision.id)
            enqueue_events(session, found, [ban])
        return True

    def _conflict(self, comment_id: int, external_id: str, expected: str) -> None:
        with self.store.session() as session:
            status = session.scalar(select(Comment.status).where(Comment.id == comment_id))
            last = session.scalar(
                select(Decision)
                .where(Decision.comment_id == comment_id)
                .order_by(Decision.id.desc())
            )
        who = f" by {last.actor} ({last.action})" if last is not None else ""
        raise DecisionConflictError(
            f"Comment {external_id!r} is {status}, not {expected}: it was decided{who} first."
        )


def _moderator(session: Session, community: Community, username: str) -> Moderator:
    """The moderator named ``username``, who must moderate ``community`` (or be an admin)."""
    person = session.scalar(select(Moderator).where(Moderator.username == username))
    if person is None:
        raise InvalidCommentError("moderator", f"unknown moderator {username!r}.")
    if not person.is_admin and community not in person.communities:
        raise ForbiddenError(f"{username!r} is not a moderator of community {community.slug!r}.")
    return person


def _trail(
    session: Session,
    community: Community,
    comment: Comment,
    person: Moderator,
    action: str,
    reason: str | None,
    status: str,
) -> tuple[Decision, events.DecisionPayload]:
    """Append a moderator's action to the comment's audit trail; the row and its event's payload."""
    decision = Decision(
        comment_id=comment.id,
        actor=f"moderator:{person.id}",
        action=action,
        reason=reason,
        created_at=datetime.now(UTC),
    )
    session.add(decision)
    session.flush()
    article = session.get(Article, comment.article_id)
    return decision, events.DecisionPayload(
        community=community.slug,
        article_id=article.external_id if article else None,
        comment_id=comment.external_id,
        status=status,
        action=action,
        actor=decision.actor,
        reason=reason,
        decided_at=decision.created_at.isoformat(),
        moderator=person.username,
    )
