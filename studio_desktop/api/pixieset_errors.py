"""Typed errors of the Pixieset Studio client.

``method`` holds the request line without its query (``"PUT /clients/cl_..."``).
The session cookie is never passed to an error, so no error text can hold it.
"""

from __future__ import annotations

from collections.abc import Mapping

from studio_desktop.api.errors import ApiError

SIGNED_OUT_MESSAGE = "Your Pixieset session has ended; sign in again."


class PixiesetError(ApiError):
    """A Pixieset Studio call failed; the subclasses say how."""


class PixiesetAuthError(PixiesetError):
    """Signed out: no session cookie, or Pixieset no longer accepts it (401, 419, login redirect)."""

    def __init__(self, msg: str = SIGNED_OUT_MESSAGE, **kwargs):
        super().__init__(msg, **kwargs)


class PixiesetNotFoundError(PixiesetError):
    """The client (or the page asked for) does not exist (404)."""


class PixiesetValidationError(PixiesetError):
    """Pixieset rejected the values sent (422); ``field_errors`` says which and why."""

    def __init__(self, msg: str, *, field_errors: Mapping[str, list[str]] | None = None, **kwargs):
        super().__init__(msg, validation_errors=field_errors, **kwargs)

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """``{"email": ["The email field must be a valid email address."], "address_info.country_id": [...]}``."""
        return self.validation_errors


class PixiesetTransientError(PixiesetError):
    """A failure that may go away: network trouble, timeouts, 429, 5xx.

    ``retry_after`` is the server's hint in seconds, when it gave one.
    ``maybe_applied`` is True when a write may have reached Pixieset before it
    failed, so sending it again could create a duplicate client.
    """

    def __init__(self, msg: str, *, retry_after: float | None = None, maybe_applied: bool = False, **kwargs):
        super().__init__(msg, **kwargs)
        self.retry_after = retry_after
        self.maybe_applied = maybe_applied

    def __repr__(self) -> str:
        return (
            f"PixiesetTransientError({self.msg!r}, method={self.method!r}, http_status={self.http_status!r}, "
            f"retry_after={self.retry_after!r}, maybe_applied={self.maybe_applied!r})"
        )


class PixiesetBadResponseError(PixiesetError):
    """Pixieset answered with something that is not the data asked for (an HTML page, broken JSON...)."""
