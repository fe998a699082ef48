"""Typed errors of the Pixieset Studio client.

``method`` holds the request line without its query (``"PUT /clients/cl_..."``).
The session cookie is never passed to an error, so no error text can hold it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio_desktop.api.errors import ApiError, TransientApiError

SIGNED_OUT_MESSAGE = "Your Pixieset session has ended; sign in again."


class PixiesetError(ApiError):
    """A Pixieset Studio call failed; the subclasses say how."""


class PixiesetAuthError(PixiesetError):
    """Signed out: no session cookie, or Pixieset no longer accepts it (401, 419, login redirect)."""

    def __init__(self, msg: str = SIGNED_OUT_MESSAGE, **kwargs: Any) -> None:
        super().__init__(msg, **kwargs)


class PixiesetNotFoundError(PixiesetError):
    """The client (or the page asked for) does not exist (404)."""


class PixiesetValidationError(PixiesetError):
    """Pixieset rejected the values sent (422); ``field_errors`` says which and why."""

    def __init__(self, msg: str, *, field_errors: Mapping[str, list[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(msg, validation_errors=field_errors, **kwargs)

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """``{"email": ["The email field must be a valid email address."], "address_info.country_id": [...]}``."""
        return self.validation_errors


class PixiesetTransientError(TransientApiError, PixiesetError):
    """A failure that may go away: network trouble, timeouts, 429, 5xx (see :class:`TransientApiError`).

    With ``maybe_applied``, sending the write again could create a duplicate client.
    """


class PixiesetBadResponseError(PixiesetError):
    """Pixieset answered with something that is not the data asked for (an HTML page, broken JSON...)."""
