"""The sandbox studio: both APIs as one ASGI app, plus the hooks tests use to look inside.

Routes
    ``/v2``                          the ShootProof API v2 (GET and POST; form, multipart, JSON body)
    ``/oauth2/authorization/new``    OAuth authorize page; ``/oauth2/authorization/token`` the token endpoint
    ``/media/...``, ``/gallery/...`` photo renditions, covers, gallery pages (see :mod:`.media`)
    ``/pixieset/api/v1``             the Pixieset Studio side (:class:`.pixieset.PixiesetSandbox`)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route

from studio_desktop.core.store import inserted_id
from studio_desktop.sandbox.api import CallRecord, RequestLog, ShootProofApi, quiet_injected_resets
from studio_desktop.sandbox.db import SCHEMA_VERSION, Clock, Database
from studio_desktop.sandbox.faults import Faults
from studio_desktop.sandbox.files import Storage
from studio_desktop.sandbox.media import MediaRoutes
from studio_desktop.sandbox.oauth import OAuthRoutes
from studio_desktop.sandbox.pixieset import PixiesetSandbox
from studio_desktop.sandbox.registry import load_handlers
from studio_desktop.sandbox.seed import SEEDS, install
from studio_desktop.sandbox.signing import Signer, load_secret
from studio_desktop.sandbox.state import StudioState
from studio_desktop.sandbox.tokens import ALL_METHODS, IssuedToken, TokenStore


@dataclass(frozen=True)
class PhotoRecord:
    id: int
    event_id: int
    album_id: int | None
    name: str
    width: int
    height: int
    size: int | None
    version: int


class SandboxStudio:
    """A ShootProof (and Pixieset) studio on disk under ``data_dir``, served by :attr:`asgi_app`.

    ``seed`` ("demo" or "empty") is used when the folder has no studio yet, or with ``reset=True``
    (which deletes the previous one). Fault settings are read from ``STUDIO_DESKTOP_SANDBOX_FAULT_*``
    environment variables when present.

    Attributes: ``asgi_app``, ``demo_access_token`` (long-lived, all scopes except
    ``sp.account.upgrade``, stable for the data folder; if a client deauthorizes it, the next
    start makes a new one), ``demo_pixieset_cookie`` (``name=value``),
    ``faults`` (:class:`.faults.Faults`), ``pixieset`` (:class:`.pixieset.PixiesetSandbox`),
    ``demo_ids`` ({name: id} of notable demo rows, e.g. ``event_wedding``, ``album_level4``,
    ``brand_default``, ``event_empty``; see ``seed.py``), ``data_dir``, ``db_path``,
    ``max_upload_bytes`` (settable; default 200 MB).

    Test hooks (plain methods, safe to call from any thread while the server runs):

    - ``set_plan_limit(photos_allowed)``: None = unlimited; ``plan() -> (used, allowed)``
    - ``create_event(name, brand_id=None) -> int``, ``create_album(event_id, name, parent_id=None) -> int``
      (test setup without the API; no validation)
    - ``count_photos(event_id=None, album_id=None) -> int``
    - ``photos(event_id=None, album_id=None) -> list[PhotoRecord]`` in upload order
    - ``photo_file(photo_id, size="original") -> Path`` the stored original (byte-identical to the
      upload) or a rendition; demo photos are drawn on first use. KeyError if there is no such photo.
    - ``issue_token(lifetime_seconds=None, scopes=None, client_id="sandbox-tests") -> IssuedToken``
      (``scopes`` None = every method; ``.access_token``, ``.refresh_token``, ``.expires_in``, ``.scope``)
    - ``access_token_lifetime`` (property, seconds) for tokens from OAuth and ``issue_token``
    - ``expire_token(access_token)``, ``revoke_token(token)``, ``advance_clock(seconds)``
    - ``request_log -> list[(method, verb)]``, ``calls -> list[CallRecord]`` (method, verb, status,
      fault label), ``count_requests(method=None, verb=None) -> int``, ``clear_request_log()``
    - ``oauth_log -> list[(grant or "authorize", outcome)]``
    """

    def __init__(self, data_dir: Path | str, *, seed: str = "demo", reset: bool = False):
        if seed not in SEEDS:
            raise ValueError(f"unknown sandbox seed {seed!r}: use one of {', '.join(SEEDS)}")
        self.data_dir = Path(data_dir)
        self.storage = Storage(self.data_dir)
        if reset:
            self.storage.wipe()
        self.storage.ensure()
        self._open_database(seed)
        self.clock = Clock()
        self.tokens = TokenStore(self.db, self.clock)
        signer = Signer(load_secret(self.db), self.clock)
        self.state = StudioState(self.db, self.storage, self.clock, self.tokens, signer)
        self.faults = Faults()
        self.faults.configure_from_env(os.environ)
        self.requests = RequestLog()
        self.demo_access_token = self.tokens.ensure_demo_token()
        self.demo_ids: dict[str, int] = json.loads(self.db.meta("demo_ids") or "{}")
        self.pixieset = PixiesetSandbox(self.data_dir, seed, reset=reset)
        self.demo_pixieset_cookie = self.pixieset.cookie
        load_handlers()
        quiet_injected_resets()
        self._media = MediaRoutes(self.state)
        self._oauth = OAuthRoutes(self.state)
        api = ShootProofApi(self.state, self.faults, self.requests)
        self.asgi_app = Starlette(
            routes=[
                Route("/v2", api),
                Route("/v2/", api),
                *self._oauth.routes(),
                *self._media.routes(),
                Mount("/pixieset/api/v1", app=self.pixieset.asgi_app),
            ]
        )

    def _open_database(self, seed: str) -> None:
        path = self.storage.db_path
        if path.exists():
            self.db = Database(path)
            if self.db.meta("schema_version") == SCHEMA_VERSION:
                return
            # Sandbox data is disposable: an older layout is replaced, not migrated.
            self.db.close()
            self.storage.wipe()
            self.storage.ensure()
        install(path, seed)
        self.db = Database(path)

    def __repr__(self) -> str:
        return f"SandboxStudio({str(self.data_dir)!r})"

    @property
    def db_path(self) -> Path:
        return self.storage.db_path

    @property
    def max_upload_bytes(self) -> int:
        return self.state.max_upload_bytes

    @max_upload_bytes.setter
    def max_upload_bytes(self, value: int) -> None:
        self.state.max_upload_bytes = int(value)

    def close(self) -> None:
        self.pixieset.close()
        self.db.close()

    # --- plan and photos -------------------------------------------------------------------

    def set_plan_limit(self, photos_allowed: int | None) -> None:
        with self.db.tx() as c:
            c.execute(
                "UPDATE studio SET photos_allowed = ?, plan_type = ? WHERE id = 1",
                (photos_allowed, "Unlimited" if photos_allowed is None else "Standard"),
            )

    def plan(self) -> tuple[int, int | None]:
        with self.db.read() as c:
            row = c.execute("SELECT photos_used, photos_allowed FROM studio WHERE id = 1").fetchone()
        return row[0], row[1]

    def create_event(self, name: str, brand_id: int | None = None) -> int:
        now = self.clock.stamp()
        with self.db.tx() as c:
            if brand_id is None:
                brand_id = c.execute("SELECT id FROM brands WHERE is_default = 1").fetchone()[0]
            return inserted_id(
                c.execute(
                    "INSERT INTO events (brand_id, name, created, last_updated) VALUES (?, ?, ?, ?)",
                    (brand_id, name, now, now),
                )
            )

    def create_album(self, event_id: int, name: str, parent_id: int | None = None) -> int:
        with self.db.tx() as c:
            order = c.execute(
                "SELECT COALESCE(MAX(display_order), 0) + 1 FROM albums WHERE event_id = ? AND parent_id IS ?",
                (event_id, parent_id),
            ).fetchone()[0]
            return inserted_id(
                c.execute(
                    "INSERT INTO albums (event_id, parent_id, name, display_order, created) VALUES (?, ?, ?, ?, ?)",
                    (event_id, parent_id, name, order, self.clock.stamp()),
                )
            )

    def count_photos(self, event_id: int | None = None, album_id: int | None = None) -> int:
        with self.db.read() as c:
            count: int = c.execute(
                "SELECT COUNT(*) FROM photos WHERE (? IS NULL OR event_id = ?) AND (? IS NULL OR album_id = ?)",
                (event_id, event_id, album_id, album_id),
            ).fetchone()[0]
            return count

    def photos(self, event_id: int | None = None, album_id: int | None = None) -> list[PhotoRecord]:
        with self.db.read() as c:
            rows = c.execute(
                "SELECT id, event_id, album_id, name, width, height, size, version FROM photos "
                "WHERE (? IS NULL OR event_id = ?) AND (? IS NULL OR album_id = ?) ORDER BY seq",
                (event_id, event_id, album_id, album_id),
            ).fetchall()
        return [PhotoRecord(**dict(row)) for row in rows]

    def photo_file(self, photo_id: int, size: str = "original") -> Path:
        path = self._media.photo_file(photo_id, size)
        if path is None:
            raise KeyError(f"no photo {photo_id} (or no {size!r} size) in the sandbox")
        return path

    # --- tokens and time ---------------------------------------------------------------------

    def issue_token(
        self,
        lifetime_seconds: int | None = None,
        scopes: list[str] | str | None = None,
        client_id: str = "sandbox-tests",
    ) -> IssuedToken:
        if scopes is None:
            scope = ALL_METHODS
        else:
            scope = scopes if isinstance(scopes, str) else " ".join(scopes)
        return self.tokens.issue(client_id, scope, lifetime_seconds)

    @property
    def access_token_lifetime(self) -> int:
        return self.tokens.access_lifetime

    @access_token_lifetime.setter
    def access_token_lifetime(self, seconds: int) -> None:
        self.tokens.access_lifetime = int(seconds)

    def expire_token(self, access_token: str) -> bool:
        return self.tokens.expire(access_token)

    def revoke_token(self, token: str) -> bool:
        return self.tokens.revoke(token)

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # --- what clients sent --------------------------------------------------------------------

    @property
    def request_log(self) -> list[tuple[str, str]]:
        return [(r.method, r.verb) for r in self.requests.records()]

    @property
    def calls(self) -> list[CallRecord]:
        return self.requests.records()

    def count_requests(self, method: str | None = None, verb: str | None = None) -> int:
        return sum(
            1
            for r in self.requests.records()
            if (method is None or r.method == method) and (verb is None or r.verb == verb)
        )

    def clear_request_log(self) -> None:
        self.requests.clear()

    @property
    def oauth_log(self) -> list[tuple[str, str]]:
        return self._oauth.entries()
