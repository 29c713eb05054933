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
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from civility.errors import (
    DecisionConflictError,
    ForbiddenError,
    InvalidCommentError,
    NotFoundError,
    TooManyReportsError,
)
from civility.moderation import authors, events, queue
from civility.moderation.archive import ArchiveComment
from civility.moderation.calibration import MIN_DECISIONS, calibration_loader
from civility.moderation.ingest import DEFAULT_COMMUNITY, IngestOptions, IngestResult, ingest
from civility.moderation.policies import PolicyCache
from civility.moderation.webhooks import Event, enqueue_events
from civility.scoring import LanguageScorers
from civility.store import (
    Article,
    Author,
    AuthorAction,
    Comment,
    Community,
    Decision,
    Feedback,
    Moderator,
    Report,
    Store,
)

REPORT_WINDOW = timedelta(hours=1)

MODERATOR_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "approve": ("approved", ("held", "pending", "reported")),
    "reject": ("rejected", ("held", "pending", "approved", "reported")),
    "restore": ("held", ("rejected",)),
}
"""action -> (new status, statuses it may be taken from). The first is the default expectation.

``restore`` returns a rejected comment to the queue, to be decided again; it publishes nothing.
"""

LABEL_OF = {"approve": 0.0, "reject": 1.0}
"""The calibration label a decision gives (a restore gives none: the next decision will)."""
BAN_ACTION = "ban_author"
UNDO_ACTION = "undo"
REPORT_ACTION = "report"
READERS = "readers"
"""The audit trail's actor when readers' reports move a comment to the Reported queue."""
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
        languages: LanguageScorers,
        comments: Sequence[ArchiveComment],
        community: str = DEFAULT_COMMUNITY,
        options: IngestOptions | None = None,
    ) -> list[IngestResult]:
        """Score, decide and store ``comments`` in one transaction (``moderation.ingest``)."""
        return ingest(self.store, languages, comments, community, self.policies, options)

    def import_archive(
        self,
        languages: LanguageScorers,
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
            for result in self.ingest(languages, batch, community, options):
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
            moved = _move(session, comment.id, expected, new_status)
            if not moved:
                self._conflict(comment.id, external_id, expected)
            decision, payload = _trail(
                session, found, comment, person, action, reason, new_status, expected
            )
            if action in LABEL_OF:
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

    def undo(self, moderator: str, community: str | None = None) -> dict[str, Any]:
        """Undo the moderator's last decision: the comment goes back to the status it had.

        Only the very last approve, reject or restore of this moderator, and only while the
        comment still has the status it left (409 when someone decided it since). The undo is
        an entry of its own in the trail (nothing is erased), its calibration label is dropped,
        and the webhooks hear of the comment's status. A ban taken with ``b`` stays: lifting it
        is ``unban``. Undoing twice undoes nothing more. With ``community``, only a decision in
        that community is undone (an API key may be limited to it).
        """
        with self.store.writer() as session:
            person = session.scalar(select(Moderator).where(Moderator.username == moderator))
            if person is None:
                raise InvalidCommentError("moderator", f"unknown moderator {moderator!r}.")
            last = session.scalar(
                select(Decision)
                .where(
                    Decision.actor == f"moderator:{person.id}",
                    Decision.action.in_([*MODERATOR_ACTIONS, UNDO_ACTION]),
                )
                .order_by(Decision.id.desc())
                .limit(1)
            )
            if last is None or last.action == UNDO_ACTION or last.previous_status is None:
                raise NotFoundError("There is no decision of yours to undo.")
            comment = session.get_one(Comment, last.comment_id)
            found = session.get_one(Community, comment.community_id)
            if community is not None and found.slug != community:
                raise NotFoundError(
                    f"Your last decision was in community {found.slug!r}, not {community!r}."
                )
            _moderator(session, found, moderator)
            left = MODERATOR_ACTIONS[last.action][0]
            moved = _move(session, comment.id, left, last.previous_status)
            if not moved:
                self._conflict(comment.id, comment.external_id, left)
            session.execute(
                delete(Feedback).where(
                    Feedback.comment_id == comment.id,
                    Feedback.source == "moderator",
                    Feedback.created_at == last.created_at,
                )
            )
            reason = f"Undid {last.action} of {last.created_at:%Y-%m-%d %H:%M:%S} UTC."
            decision, payload = _trail(
                session, found, comment, person, UNDO_ACTION, reason, last.previous_status, left
            )
            enqueue_events(session, found, [events.decided(payload, decision.id)])
        return {
            "comment_id": comment.external_id,
            "community": found.slug,
            "id": comment.id,
            "undone": last.action,
            "status": payload.status,
            "decision": payload.as_dict(),
        }

    def ban_author(
        self, community: str, external_id: str, moderator: str, reason: str | None = None
    ) -> bool:
        """Ban the comment's author from the queue (``b``): ``act_on_author``'s ban, plus an
        entry in the comment's trail. False when the comment has no known author.
        """
        with self.store.writer() as session:
            found = queue.community_by_slug(session, community)
            person = _moderator(session, found, moderator)
            comment = queue.find_comment(session, found, external_id)
            author = session.get(Author, comment.author_id) if comment.author_id else None
            if author is None:
                return False
            _trail(session, found, comment, person, BAN_ACTION, reason, comment.status)
            _act_on_author(session, found, author, person, "ban", reason, None, comment)
        return True

    def act_on_author(
        self,
        community: str,
        author: str,
        action: str,
        moderator: str,
        reason: str | None = None,
        until: datetime | None = None,
    ) -> dict[str, Any]:
        """Ban, unban, suspend (``until``, 1 hour to 7 days ahead), pre-moderate, warn an author,
        or note something about them.

        The standing applies to the author's next comments at intake (``moderation.authors``).
        An author the store has not met yet is recorded now, so a ban can precede the comment.
        Each action is appended to the author's trail (``AuthorAction``) and sent to the
        webhooks as ``author.<banned|unbanned|suspended|premoderated|warned|noted>``.
        """
        until = authors.check_action(action, until, datetime.now(UTC), reason)
        with self.store.writer() as session:
            found = queue.community_by_slug(session, community)
            person = _moderator(session, found, moderator)
            row = authors.find_author(session, found.id, author)
            if row is None:
                row = Author(community_id=found.id, external_id=author, display_name=author)
                session.add(row)
                session.flush()
            return _act_on_author(session, found, row, person, action, reason, until, None)

    def author(self, community: str, author: str) -> dict[str, Any]:
        """The author's standing, counts, rejection rate, recent comments and moderators' notes."""
        with self.store.session() as session:
            found = queue.community_by_slug(session, community)
        return authors.author_record(self.store, found.id, found.slug, author)

    def report(
        self,
        community: str,
        external_id: str,
        reporter: str,
        reason: str,
        per_hour: int,
    ) -> dict[str, Any]:
        """File a reader's report; at the community's threshold a published comment is Reported.

        One report per reader and comment counts (a repeat changes nothing); a reader may file
        ``per_hour`` reports an hour in a community (429 past it). Reports filed since a
        moderator last decided the comment are what count toward the policy's
        ``report_threshold``: a comment a moderator kept needs fresh reports to come back.
        Moving to Reported is an entry in the trail by ``readers``; every report is sent to the
        webhooks as ``comment.reported``.
        """
        now = datetime.now(UTC)
        with self.store.writer() as session:
            found = queue.community_by_slug(session, community)
            comment = queue.find_comment(session, found, external_id)
            known = session.scalar(
                select(Report.id).where(
                    Report.comment_id == comment.id, Report.reporter == reporter
                )
            )
            if known is None:
                recent = session.scalar(
                    select(func.count()).where(
                        Report.community_id == found.id,
                        Report.reporter == reporter,
                        Report.created_at > now - REPORT_WINDOW,
                    )
                )
                if (recent or 0) >= per_hour:
                    raise TooManyReportsError(
                        f"{reporter!r} has filed {per_hour} reports in the last hour; "
                        "try again later."
                    )
                session.add(
                    Report(
                        community_id=found.id,
                        comment_id=comment.id,
                        reporter=reporter,
                        reason=reason,
                        created_at=now,
                    )
                )
                session.flush()
            reviewed = session.scalar(
                select(func.max(Decision.created_at)).where(
                    Decision.comment_id == comment.id, Decision.actor.like("moderator:%")
                )
            )
            counted = select(Report.reason).where(Report.comment_id == comment.id)
            if reviewed is not None:
                counted = counted.where(Report.created_at > reviewed)
            reasons = session.scalars(counted.order_by(Report.id)).all()
            threshold = self.policies.policy(found).report_threshold
            article = session.get_one(Article, comment.article_id)
            status = comment.status
            sent: list[Event] = []
            if known is None and status == "approved" and len(reasons) >= threshold:
                moved = _move(session, comment.id, "approved", "reported")
                if moved:
                    status = "reported"
                    decision = Decision(
                        comment_id=comment.id,
                        actor=READERS,
                        action=REPORT_ACTION,
                        reason=f"{len(reasons)} reader reports: " + "; ".join(reasons),
                        previous_status="approved",
                        created_at=now,
                    )
                    session.add(decision)
                    session.flush()
                    payload = events.DecisionPayload(
                        community=found.slug,
                        article_id=article.external_id,
                        comment_id=comment.external_id,
                        status=status,
                        action=REPORT_ACTION,
                        actor=READERS,
                        reason=decision.reason,
                        decided_at=now.isoformat(),
                    )
                    sent.append(events.decided(payload, decision.id))
            if known is None:
                sent.insert(
                    0,
                    events.reported(
                        found.slug,
                        article.external_id,
                        comment.external_id,
                        reporter,
                        reason,
                        len(reasons),
                        status,
                        now,
                    ),
                )
            enqueue_events(session, found, sent)
        return {
            "comment_id": external_id,
            "status": status,
            "reports": len(reasons),
            "threshold": threshold,
            "duplicate": known is not None,
        }

    def _conflict(self, comment_id: int, external_id: str, expected: str) -> None:
        with self.store.session() as session:
            status = session.scalar(select(Comment.status).where(Comment.id == comment_id))
            last = session.scalar(
                select(Decision)
                .where(Decision.comment_id == comment_id)
                .order_by(Decision.id.desc())
            )
            kind, _, number = last.actor.partition(":") if last is not None else ("", "", "")
            username = (
                session.scalar(select(Moderator.username).where(Moderator.id == int(number)))
                if kind == "moderator" and number.isdigit()
                else None
            )
        # The person, by the name they sign in with: "moderator:1" tells a colleague nothing.
        who = f" by {username or last.actor} ({last.action})" if last is not None else ""
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


def _move(session: Session, comment_id: int, expected: str, status: str) -> bool:
    """Compare-and-set the comment's status: False when it is no longer ``expected``."""
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == expected)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _act_on_author(
    session: Session,
    community: Community,
    author: Author,
    person: Moderator,
    action: str,
    reason: str | None,
    until: datetime | None,
    comment: Comment | None,
) -> dict[str, Any]:
    """Change the author's standing, append the action to their trail, queue its event."""
    status = authors.AUTHOR_ACTIONS[action]
    if status is not None:
        author.status = status
        author.until = until
    entry = AuthorAction(
        author_id=author.id,
        action=action,
        until=until,
        reason=reason,
        actor=f"moderator:{person.id}",
        comment_id=comment.id if comment is not None else None,
        created_at=datetime.now(UTC),
    )
    session.add(entry)
    session.flush()
    payload = events.AuthorPayload(
        community=community.slug,
        author=author.external_id,
        action=action,
        status=author.status,
        until=until.isoformat() if until else None,
        reason=reason,
        actor=entry.actor,
        moderator=person.username,
        decided_at=entry.created_at.isoformat(),
        comment_id=comment.external_id if comment is not None else None,
    )
    enqueue_events(session, community, [events.author_acted(payload)])
    return payload.as_dict()


def _trail(
    session: Session,
    community: Community,
    comment: Comment,
    person: Moderator,
    action: str,
    reason: str | None,
    status: str,
    previous_status: str | None = None,
) -> tuple[Decision, events.DecisionPayload]:
    """Append a moderator's action to the comment's audit trail; the row and its event's payload.

    ``previous_status`` is what the comment was before, for decisions that can be undone.
    """
    decision = Decision(
        comment_id=comment.id,
        actor=f"moderator:{person.id}",
        action=action,
        reason=reason,
        previous_status=previous_status,
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
