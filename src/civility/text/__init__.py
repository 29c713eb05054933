"""Text normalisation shared by training and scoring: the same input to both, by construction."""

from civility.text.normalize import normalize

__all__ = ["normalize"]
