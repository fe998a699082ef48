"""The services a run talks to: the real ones, or the embedded sandbox studio started for the run.

Here rather than in :mod:`studio_desktop.core.config` so that core never imports
the sandbox: the GUI and every headless command start it through this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

from studio_desktop.core import paths
from studio_desktop.core.config import Endpoints


@contextlib.contextmanager
def connected(endpoints: Endpoints) -> Iterator[Endpoints]:
    """Yield usable endpoints; for sandbox mode, run the sandbox studio meanwhile."""
    if not endpoints.sandbox:
        yield endpoints
        return
    from studio_desktop.sandbox.server import SandboxServer

    with SandboxServer(paths.current().sandbox_dir) as server:
        yield replace(
            endpoints,
            api_url=server.shootproof_api_url,
            oauth_url=server.oauth_url,
            pixieset_url=server.pixieset_api_url,
            access_token=endpoints.access_token or server.access_token,
            pixieset_cookie=server.pixieset_cookie,
            client_id=endpoints.client_id or "studio-desktop-sandbox",
        )
