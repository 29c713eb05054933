"""What every layer reads comments with: normalisation (the same input to training and scoring,
by construction) and language detection (`civility.text.language`)."""

from civility.text.normalize import normalize

__all__ = ["normalize"]
