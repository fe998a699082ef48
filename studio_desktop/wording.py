"""Turn exceptions from the services into sentences a photographer can act on."""

from __future__ import annotations

import asyncio
import sys

from studio_desktop.api import errors as api_errors
from studio_desktop.api.pixieset_errors import PixiesetAuthError
from studio_desktop.api.wire import WireError
from studio_desktop.core.store import StoreError

SHOOTPROOF = "shootproof"
PIXIESET = "pixieset"


def plain_message(error: BaseException) -> str:
    """One short sentence for the status bar or a message box; never a traceback, never a secret."""
    if isinstance(error, StoreError):
        return str(error)  # already written for the user: what is wrong and what to do
    if isinstance(error, api_errors.AuthenticationError):
        return "ShootProof did not accept the sign-in. Please sign in again."
    if isinstance(error, api_errors.PermissionDeniedError):
        return "This sign-in is not allowed to do that. Sign in again and grant the app access."
    if isinstance(error, api_errors.PlanLimitError):
        return "Your ShootProof plan is full: upgrade it or delete photos to make room."
    if isinstance(error, api_errors.TransientError):
        if error.http_status is None:
            return "Could not reach ShootProof. Check your internet connection; the app will keep trying."
        return "ShootProof is busy or having trouble right now. Please try again in a moment."
    if isinstance(error, api_errors.NotFoundError):
        return f"{error.msg.rstrip('.')}. It may have been deleted on the website; press F5 to refresh."
    if isinstance(error, api_errors.ApiError):
        return error.msg
    if _network_failure(error):
        return "Could not reach ShootProof. Check your internet connection; the app will keep trying."
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return "ShootProof took too long to answer. Please try again."
    if isinstance(error, OSError):
        detail = error.strerror or type(error).__name__
        where = f" ({error.filename})" if error.filename else ""
        return f"A file could not be read or written{where}: {detail}."
    return f"Something went wrong: {type(error).__name__}. Details are in the log file."


def is_offline(error: BaseException) -> bool:
    """True when the error means the network (not the server) is the problem."""
    if isinstance(error, api_errors.TransientError):
        return error.http_status is None
    return _network_failure(error)


def signed_out_service(error: BaseException) -> str | None:
    """``"shootproof"`` or ``"pixieset"`` when ``error`` means that service no longer accepts the sign-in."""
    if isinstance(error, PixiesetAuthError):
        return PIXIESET
    if isinstance(error, api_errors.AuthenticationError):
        return SHOOTPROOF
    return None


def is_signed_out(error: BaseException, service: str | None = None) -> bool:
    """True when a service (only ``service``, if given) refused the sign-in: the user must sign in again."""
    found = signed_out_service(error)
    return found is not None and (service is None or found == service)


def _network_failure(error: BaseException) -> bool:
    if isinstance(error, (WireError, ConnectionError)):
        return True
    # httpx (the Pixieset client, thumbnails, originals) is looked up, not imported: when it was never
    # loaded, none of its errors can exist, and the terminal commands start faster without it.
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(error, httpx.TransportError)
