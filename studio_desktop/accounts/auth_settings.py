"""Where to sign in: the app's ShootProof client id and the services' addresses for this run."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from studio_desktop.core import config
from studio_desktop.core.config import Endpoints
from studio_desktop.core.settings import Settings

#: Written by ``packaging/build.sh`` when a build carries the studio's ShootProof app id; absent otherwise.
BUILD_INFO_MODULE = "studio_desktop._build_info"


def build_client_id() -> str:
    """The ShootProof client id chosen when this bundle was built ("" for a checkout or a plain build)."""
    try:
        module = importlib.import_module(BUILD_INFO_MODULE)
    except ImportError:
        return ""
    value = getattr(module, "SHOOTPROOF_CLIENT_ID", "")
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class AuthSettings:
    """Where to sign in: from the settings file, or the endpoints of this run (flags, env, sandbox)."""

    client_id: str
    oauth_url: str
    api_url: str
    pixieset_url: str

    @classmethod
    def resolve(cls, settings: Settings, endpoints: Endpoints) -> AuthSettings:
        # A flag or environment variable of this run (and the sandbox's addresses, known only once it
        # runs) wins; then the settings file; then the real services' addresses.
        def pick(setting: str, endpoint: str, default: str) -> str:
            if endpoints.sandbox or endpoint != default or not setting:
                return endpoint
            return setting

        if endpoints.sandbox:
            client_id = endpoints.client_id or settings.shootproof_client_id
        else:
            client_id = settings.shootproof_client_id or endpoints.client_id or build_client_id()
        return cls(
            client_id=(client_id or "").strip(),
            oauth_url=pick(settings.oauth_url, endpoints.oauth_url, config.DEFAULT_OAUTH_URL),
            api_url=pick(settings.api_url, endpoints.api_url, config.DEFAULT_API_URL),
            pixieset_url=pick(settings.pixieset_url, endpoints.pixieset_url, config.DEFAULT_PIXIESET_URL),
        )
