"""Where the app talks to: service URLs and the access token, from flags, environment or defaults.

Flags win over environment variables, which win over the real services' defaults.
``--sandbox`` asks for the embedded sandbox studio; :mod:`studio_desktop.commands.connection`
starts it and points everything at it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio_desktop.core import paths

DEFAULT_API_URL = "https://api.shootproof.com/v2"
DEFAULT_OAUTH_URL = "https://auth.shootproof.com/oauth2/authorization"
DEFAULT_PIXIESET_URL = "https://studio.pixieset.com/api/v1"

ENV_API_URL = "STUDIO_DESKTOP_API_URL"
ENV_OAUTH_URL = "STUDIO_DESKTOP_OAUTH_URL"
ENV_PIXIESET_URL = "STUDIO_DESKTOP_PIXIESET_URL"
ENV_ACCESS_TOKEN = "STUDIO_DESKTOP_ACCESS_TOKEN"
ENV_CLIENT_ID = "STUDIO_DESKTOP_CLIENT_ID"
ENV_SANDBOX = "STUDIO_DESKTOP_SANDBOX"


@dataclass(frozen=True)
class Endpoints:
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    pixieset_url: str = DEFAULT_PIXIESET_URL
    access_token: str | None = None
    client_id: str | None = None
    pixieset_cookie: str | None = None
    sandbox: bool = False

    def __repr__(self) -> str:  # never show secrets, even in a debugger or a log line
        return (
            f"Endpoints(api_url={self.api_url!r}, oauth_url={self.oauth_url!r}, "
            f"pixieset_url={self.pixieset_url!r}, sandbox={self.sandbox}, "
            f"access_token={'<set>' if self.access_token else None})"
        )


def add_arguments(parser: argparse.ArgumentParser, *, subcommand: bool = False) -> None:
    """Connection flags shared by the GUI and every headless command.

    A subcommand's copies default to SUPPRESS so that they do not overwrite the
    same flag given before the subcommand's name.
    """
    group = parser.add_argument_group("connection")
    if subcommand:
        group.argument_default = argparse.SUPPRESS
    group.add_argument(
        "--sandbox",
        action="store_true",
        default=argparse.SUPPRESS if subcommand else None,
        help=f"use the embedded sandbox studio instead of the real services (env {ENV_SANDBOX}=1)",
    )
    group.add_argument("--api-url", help=f"ShootProof API v2 endpoint (env {ENV_API_URL})")
    group.add_argument("--oauth-url", help=f"ShootProof OAuth base URL (env {ENV_OAUTH_URL})")
    group.add_argument("--pixieset-url", help=f"Pixieset Studio API base URL (env {ENV_PIXIESET_URL})")
    group.add_argument(
        "--access-token", help=f"ShootProof access token (prefer env {ENV_ACCESS_TOKEN}: flags show in `ps`)"
    )
    group.add_argument(
        "--data-dir", help=f"keep all data, settings and logs under this folder (env {paths.DATA_DIR_ENV})"
    )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def resolve(args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None) -> Endpoints:
    if env is None:
        env = os.environ

    def get(name: str) -> Any:
        # Flags a subcommand's parser does not define are absent from its Namespace.
        return getattr(args, name, None) if args is not None else None

    sandbox = get("sandbox")
    return Endpoints(
        api_url=get("api_url") or env.get(ENV_API_URL) or DEFAULT_API_URL,
        oauth_url=get("oauth_url") or env.get(ENV_OAUTH_URL) or DEFAULT_OAUTH_URL,
        pixieset_url=get("pixieset_url") or env.get(ENV_PIXIESET_URL) or DEFAULT_PIXIESET_URL,
        access_token=get("access_token") or env.get(ENV_ACCESS_TOKEN) or None,
        client_id=env.get(ENV_CLIENT_ID) or None,
        sandbox=bool(sandbox) if sandbox is not None else _truthy(env.get(ENV_SANDBOX)),
    )
