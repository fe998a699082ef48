"""Helpers for the command tests: make an event as another app would, and run a command as its own process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from studio_desktop.api.shootproof import ShootProofClient

REPO = Path(__file__).resolve().parents[2]


def new_event(server, name: str = "Smith Wedding") -> int:
    async def create() -> int:
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            return (await client.event_create(name)).id

    return asyncio.run(create())


def command_line(server, command: str, *args: str) -> list[str]:
    """``studio-desktop COMMAND ARGS`` in a new Python process, pointed at ``server``."""
    return [sys.executable, "-m", "studio_desktop", command, *args, "--api-url", server.shootproof_api_url]


def command_env(**extra: str) -> dict[str, str]:
    """This test's environment (token, data folder: see the fixtures) with the checkout importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return {**env, **extra}
