"""What an API key may do: the scope names, kept apart from the key store so that the
``civility keys`` help can list them without loading the database layer."""

from __future__ import annotations

SCOPES = {
    "score": "the Perspective API: comments:analyze, comments:suggestscore, /batch",
    "ingest": "submit comments and read their decisions",
    "moderate": "the queue, decisions (as a moderator of the community) and authors",
    "admin": "everything: communities, policies, webhooks, and every other scope",
}
"""Scope name -> what it allows. ``admin`` includes every other scope."""
DEFAULT_SCOPES = ("score",)
