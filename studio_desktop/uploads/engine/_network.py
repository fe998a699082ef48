"""Is the server reachable at all? The connectivity probe the engine asks before waiting for the network."""

from __future__ import annotations

from studio_desktop.api.errors import ApiError, TransientError
from studio_desktop.api.wire import CannotConnect
from studio_desktop.uploads.engine.protocols import UploadClient, transport_of


def connect_failure(exc: BaseException) -> bool:
    """Did the request fail to reach the server at all (no network, server down)?"""
    seen: BaseException = exc
    for _ in range(5):
        cause = seen.__cause__ or seen.__context__
        if cause is None:
            return False
        seen = cause
        if isinstance(seen, CannotConnect):
            return True
    return False


async def probe(client: UploadClient, timeout: float) -> bool:
    """Can we reach the server at all? Any HTTP answer counts; no retries, short timeout."""
    transport = transport_of(client)
    if transport is None:
        try:
            await client.studio_info()
        except TransientError as exc:
            return not connect_failure(exc)
        except ApiError:
            return True
        return True
    return await transport.probe(timeout)
