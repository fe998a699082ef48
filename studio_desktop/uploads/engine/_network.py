"""Is the server reachable at all? The connectivity probe the engine asks before waiting for the network."""

from __future__ import annotations

import httpx

from studio_desktop.api.errors import ApiError, TransientError
from studio_desktop.uploads.engine.protocols import UploadClient, api_url_of, http_of


def connect_failure(exc: BaseException) -> bool:
    """Did the request fail to reach the server at all (no network, server down)?"""
    seen: BaseException = exc
    for _ in range(5):
        cause = seen.__cause__ or seen.__context__
        if cause is None:
            return False
        seen = cause
        if isinstance(seen, (httpx.ConnectError, httpx.ConnectTimeout)):
            return True
    return False


async def probe(client: UploadClient, timeout: float) -> bool:
    """Can we reach the server at all? Any HTTP answer counts; no retries, short timeout."""
    http = http_of(client)
    url = api_url_of(client)
    if http is None or not url:
        try:
            await client.studio_info()
        except TransientError as exc:
            return not connect_failure(exc)
        except ApiError:
            return True
        return True
    try:
        await http.get(url, timeout=timeout)
    except httpx.HTTPError:
        return False
    return True
