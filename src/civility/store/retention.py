"""Text retention: stored comment text is blanked once it is older than the configured period.

Scores, decisions and feedback values are kept (calibration and the audit trail need them);
only the words go. ``text_sha256`` stays so repeated texts can still be grouped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from civility.store.engine import Store
from civility.store.models import Comment, Feedback


def purge_expired_text(store: Store, days: int, now: datetime | None = None) -> int:
    """Blank the text of comments and feedback older than ``days`` (0: keep); rows changed."""
    if days <= 0:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    changed = 0
    with store.writer() as session:
        for model, stamp in ((Comment, Comment.received_at), (Feedback, Feedback.created_at)):
            result = session.execute(
                update(model)
                .where(stamp < cutoff, model.text.is_not(None))
                .values(text=None)
                .execution_options(synchronize_session=False)
            )
            changed += int(getattr(result, "rowcount", 0) or 0)
    return changed
