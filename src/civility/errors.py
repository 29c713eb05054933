"""Every error Civility raises on purpose, with a stable code.

Each class inherits from the builtin it refines, so callers that catch ``ValueError`` or
``KeyError`` keep working, and carries a code (``[C012]``) that users can search for and tests
can pin. Surfaces (CLI, HTTP) turn these into their own envelopes; they never show tracebacks
for them.
"""

from __future__ import annotations

from collections.abc import Iterable


class CivilityError(Exception):
    """Base class: a problem the user can fix, reported in one line."""

    code = "C000"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class UnknownAttributeError(CivilityError, KeyError):
    code = "C001"

    def __init__(self, name: str, available: Iterable[str]) -> None:
        super().__init__(f"Unknown attribute {name!r}. Available: {', '.join(available)}")
        self.name = name


class UnknownNameError(CivilityError, KeyError):
    """A registry lookup that failed; the message lists what would have worked."""

    code = "C002"

    def __init__(self, kind: str, name: str, available: Iterable[str]) -> None:
        super().__init__(f"Unknown {kind} {name!r}. Available: {', '.join(sorted(available))}")
        self.name = name


class EmptyTextError(CivilityError, ValueError):
    code = "C010"

    def __init__(self) -> None:
        super().__init__("Comment must be non-empty.")


class TextTooLongError(CivilityError, ValueError):
    code = "C011"

    def __init__(self, n_bytes: int, limit: int) -> None:
        super().__init__(
            f"Comment text was too many bytes. Value ({n_bytes}) exceeded limit ({limit})."
        )
        self.n_bytes = n_bytes
        self.limit = limit


class InvalidTextError(CivilityError, ValueError):
    code = "C012"

    def __init__(self) -> None:
        super().__init__("Comment text is not valid UTF-8.")


class ArtifactError(CivilityError, OSError):
    """A model artifact is missing, corrupt or from an incompatible version."""

    code = "C020"
    status = 500


class NotFittedError(CivilityError, AttributeError):
    code = "C021"

    def __init__(self, name: str) -> None:
        super().__init__(f"This {name} is not fitted yet. Call 'fit' or 'load' first.")


class InputFileError(CivilityError, ValueError):
    """A user-supplied file cannot be read as asked (missing, wrong format, missing column)."""

    code = "C030"


class DataUnavailableError(CivilityError, FileNotFoundError):
    code = "C031"


class InvalidParameterError(CivilityError, TypeError):
    code = "C040"


class ConfigError(CivilityError, ValueError):
    code = "C050"


class PolicyError(CivilityError, ValueError):
    """A policy file that cannot be used; the message names the file and the line at fault."""

    code = "C060"
    status = 422

    def __init__(self, where: str, line: int, message: str) -> None:
        location = f"{where}, line {line}" if line else where
        super().__init__(f"{location}: {message}.")
        self.where = where
        self.line = line


class InvalidCommentError(CivilityError, ValueError):
    """A submitted comment (or batch item) is unusable; ``field`` names what to fix."""

    code = "C061"
    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFoundError(CivilityError, LookupError):
    code = "C062"
    status = 404


class UnknownCommunityError(NotFoundError):
    """A community that is not in the store; the message names the command that creates it."""

    def __init__(self, slug: str, available: Iterable[str]) -> None:
        known = ", ".join(sorted(available)) or "none yet"
        super().__init__(
            f"Unknown community {slug!r}. Available: {known}. "
            f"Create it with 'civility communities create {slug}'."
        )
        self.slug = slug


class DecisionConflictError(CivilityError, RuntimeError):
    """Another moderator decided the comment first, or its status is not the one expected."""

    code = "C063"
    status = 409


class TooManyReportsError(CivilityError, RuntimeError):
    """A reader filed more reports than a community takes from one reader in an hour."""

    code = "C064"
    status = 429


class StoreError(CivilityError, RuntimeError):
    """The store cannot be opened or used: bad URL, missing driver, unreachable server."""

    code = "C070"


class StoreBusyError(StoreError):
    """Too many writers are already waiting for SQLite's write lock, or the wait timed out.

    The client did nothing wrong: it is told to retry (503) rather than kept waiting.
    """

    code = "C071"
    status = 503

    def __init__(self) -> None:
        super().__init__("The store is busy; retry later.")


class WebhookDestinationError(CivilityError, ValueError):
    """A webhook URL that is not http(s), or whose host resolves to a non-public address."""

    status = 422


class ApiKeyNotFoundError(CivilityError, LookupError):
    code = "C071"
    status = 404


class ModeratorError(CivilityError, ValueError):
    """A moderator account that cannot be created, found or changed as asked."""

    code = "C080"


class ForbiddenError(CivilityError, PermissionError):
    """A signed-in moderator acting outside the communities they are assigned to."""

    code = "C081"
    status = 403


class LanguageNotServedError(CivilityError, LookupError):
    """No model here answers an attribute in a comment's language.

    The message starts with Perspective's own words (``Attribute X does not support request
    languages: de``), which clients match on; ``reason`` says what would serve it, if anything.
    """

    code = "C090"

    def __init__(
        self, attribute: str, languages: list[str], detected: str | None, reason: str = ""
    ) -> None:
        listed = ", ".join(languages)
        message = f"Attribute {attribute} does not support request languages: {listed}"
        super().__init__(f"{message}. {reason}" if reason else message)
        self.attribute = attribute
        self.languages = languages
        self.detected = detected


class LanguageDetectionError(CivilityError, ValueError):
    """A comment with no letters to tell its language by, and no language declared."""

    code = "C091"

    def __init__(self) -> None:
        super().__init__("Unable to detect language")


class CivilityWarning(UserWarning):
    """Base class: something the user should know and can fix, that need not stop the work."""


class BatchDependentScoresWarning(CivilityWarning):
    """A model whose scores for a comment change with the other comments scored beside it.

    A warning, not an error: the model still scores, as it did when it was trained, and a
    user may have no time to rebuild it before the next request.
    """
