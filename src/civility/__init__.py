"""Civility: self-hosted comment moderation with local toxicity models."""

__version__ = "0.1.0"
__all__ = ["__version__"]
