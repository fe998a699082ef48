"""What to tell the photographer when a gallery change fails, naming the thing they acted on.

``describe(error, subject)`` gives a :class:`Failure`: one plain sentence, the
form field it belongs beside (when the server named one) and whether the tree
may no longer match the server (the thing is gone, or a write may have
happened before the connection failed), so the caller refreshes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio_desktop.api import errors as api_errors
from studio_desktop.wording import plain_message

SLUG_TAKEN = "That web address is already used by another gallery. Choose another one."


@dataclass(frozen=True)
class Subject:
    """What the user acted on: ``Subject("gallery", "Smith Wedding")``, ``Subject("photo", "IMG_1.jpg")``."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"the {self.kind} '{self.name}'"


@dataclass(frozen=True)
class Failure:
    message: str
    field: str | None = None
    #: The tree may not match the server any more (the thing is gone, or a write may have happened).
    refresh: bool = False


class Refusal(Exception):
    """A check the app makes itself (before or instead of a server call), already in plain words."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _first_field_message(error: api_errors.ApiError) -> tuple[str | None, str | None]:
    for field, messages in error.validation_errors.items():
        if messages:
            return field, messages[0]
    return None, None


def describe(error: BaseException, subject: Subject | None = None) -> Failure:
    if isinstance(error, Refusal):
        return Failure(error.message, error.field)
    if isinstance(error, api_errors.ConflictError):
        field, text = _first_field_message(error)
        if field == "url_slug" or "slug" in (error.msg or "").lower():
            return Failure(SLUG_TAKEN, "url_slug")
        return Failure(text or error.msg or plain_message(error), field)
    if isinstance(error, api_errors.NotFoundError):
        if subject is None:
            return Failure(plain_message(error), refresh=True)
        what = str(subject)
        return Failure(
            f"{what[0].upper()}{what[1:]} no longer exists: it may have been deleted on the website "
            "or in another app. The list has been refreshed.",
            refresh=True,
        )
    if isinstance(error, api_errors.ValidationError):
        field, text = _first_field_message(error)
        if field == "only_empty":
            what = str(subject) if subject else "It"
            return Failure(f"{what[0].upper()}{what[1:]} still holds photos, so it was not deleted.")
        return Failure(text or error.msg or plain_message(error), field)
    if isinstance(error, api_errors.TransientError) and error.maybe_applied:
        return Failure(
            f"{plain_message(error)} ShootProof may have made the change anyway; "
            "the list has been refreshed to show where things stand.",
            refresh=True,
        )
    return Failure(plain_message(error))
