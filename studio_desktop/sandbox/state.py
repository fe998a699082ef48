"""What every part of the ShootProof side shares: the store, the files, the clock, the tokens, the link signer."""

from __future__ import annotations

from dataclasses import dataclass

from studio_desktop.sandbox.db import Clock, Database
from studio_desktop.sandbox.files import Storage
from studio_desktop.sandbox.signing import Signer
from studio_desktop.sandbox.tokens import TokenStore

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024

# Plan sizes an account steps through when an app holding sp.account.upgrade hits the limit.
PLAN_TIERS = ((1_000, "Starter"), (5_000, "Basic"), (25_000, "Standard"), (100_000, "Premium"))
UNLIMITED_PLAN = "Unlimited"


@dataclass
class StudioState:
    db: Database
    storage: Storage
    clock: Clock
    tokens: TokenStore
    signer: Signer
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
