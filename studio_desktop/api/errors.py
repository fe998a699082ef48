"""Typed errors for the service clients.

Every error carries the server's ``code`` and ``msg`` (``msg`` is plain words a
photographer can read), the per-field ``validation_errors``, the API ``method``
and the ``http_status``. ``str(error)`` adds the method and status for logs.
No error text ever contains an access token: URLs are redacted before they get
here, and tokens are never passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """Base of every error a service client raises."""

    def __init__(
        self,
        msg: str,
        *,
        code: int | str | None = None,
        method: str | None = None,
        http_status: int | None = None,
        validation_errors: Mapping[str, list[str]] | None = None,
    ):
        self.msg = msg
        self.code = code
        self.method = method
        self.http_status = http_status
        self.validation_errors: dict[str, list[str]] = {
            str(field): list(messages) for field, messages in (validation_errors or {}).items()
        }
        super().__init__(msg)

    def field_messages(self) -> list[str]:
        """``"field: message"`` lines for every validation error, in server order."""
        return [f"{field}: {message}" for field, messages in self.validation_errors.items() for message in messages]

    def __str__(self) -> str:
        text = self.msg
        fields = self.field_messages()
        if fields:
            text += " (" + "; ".join(fields) + ")"
        context = [part for part in (self.method, f"HTTP {self.http_status}" if self.http_status else None) if part]
        if self.code is not None and str(self.code) != str(self.http_status):
            context.append(f"code {self.code}")
        if context:
            text += f" [{', '.join(context)}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.msg!r}, code={self.code!r}, method={self.method!r}, "
            f"http_status={self.http_status!r})"
        )


class ShootProofError(ApiError):
    """A ShootProof call failed; the subclasses say how."""

    #: for a photo upload: sha256 hex of the bytes sent whole before it failed (else ``None``)
    content_hash: str | None = None


class AuthenticationError(ShootProofError):
    """The access token is missing, invalid, expired or was revoked (401)."""


class PermissionDeniedError(ShootProofError):
    """The token is valid but was not granted this method (403)."""


class NotFoundError(ShootProofError):
    """The event, album, photo, contact... does not exist (404)."""


class ConflictError(ShootProofError):
    """The request clashes with existing data, e.g. a duplicate ``url_slug`` (409)."""


class ValidationError(ShootProofError):
    """The server rejected the values sent (400); see ``validation_errors``."""


class PlanLimitError(ShootProofError):
    """The studio's plan is full (``code == "limit_reached"``)."""


class TransientApiError(ApiError):
    """A failure that may go away, from either service: what it says about trying again.

    ``retry_after`` is the server's hint in seconds, when it gave one.
    ``maybe_applied`` is True when a write may have reached the server before
    it failed, so sending it again could duplicate it.
    """

    def __init__(
        self, msg: str, *, retry_after: float | None = None, maybe_applied: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(msg, **kwargs)
        self.retry_after = retry_after
        self.maybe_applied = maybe_applied

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.msg!r}, method={self.method!r}, http_status={self.http_status!r}, "
            f"retry_after={self.retry_after!r}, maybe_applied={self.maybe_applied!r})"
        )


class TransientError(TransientApiError, ShootProofError):
    """A failure that may go away: network trouble, timeouts, 408, 429, 5xx (see :class:`TransientApiError`)."""


class BadResponseError(ShootProofError):
    """The server answered with something that is not the data we asked for."""


class ConfigurationError(ShootProofError):
    """The API address itself is wrong (it redirects elsewhere): no retry can help, the settings must change."""


class AnswerTooLargeError(ShootProofError):
    """The server's answer was bigger than any answer the API sends; it was not read to the end."""
