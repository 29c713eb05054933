"""Persistence: the SQLAlchemy models and ``open_store``, which migrates and connects.

See ``docs/store.md`` for the tables and how other packages use them.
"""

from civility.store.engine import (
    Store,
    check_servable,
    conflict_insert,
    current_revision,
    head_revision,
    migrate,
    open_store,
)
from civility.store.models import (
    ApiKey,
    Article,
    Author,
    Base,
    Comment,
    CommentStatus,
    Community,
    Decision,
    Feedback,
    LoginFailures,
    Moderator,
    ModeratorSession,
    RateWindow,
    Score,
    Webhook,
    WebhookDelivery,
    moderator_communities,
)

__all__ = [
    "ApiKey",
    "Article",
    "Author",
    "Base",
    "Comment",
    "CommentStatus",
    "Community",
    "Decision",
    "Feedback",
    "LoginFailures",
    "Moderator",
    "ModeratorSession",
    "RateWindow",
    "Score",
    "Store",
    "Webhook",
    "WebhookDelivery",
    "check_servable",
    "conflict_insert",
    "current_revision",
    "head_revision",
    "migrate",
    "moderator_communities",
    "open_store",
]
