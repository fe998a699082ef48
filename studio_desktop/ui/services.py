"""The container: the one place that creates the app's services, hands them out and closes them.

Widgets never import this; controllers receive the :class:`Services` they need.
One ``httpx.AsyncClient`` is shared by the ShootProof and Pixieset clients and the
thumbnail loader (creating one costs 40-80 ms of loop time).

Modules other helpers own (store, upload engine, credentials, Pixieset client)
are imported when used, so a build without one of them still starts: the
feature is simply absent (and logged once).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal

from studio_desktop.core.config import Endpoints
from studio_desktop.core.settings import Settings, SettingsError, SettingsWriter, load_settings

log = logging.getLogger(__name__)


def _optional(module: str) -> Any | None:
    """Import ``module`` if this build has it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        log.info("%s is not part of this build; its features are off.", module)
        return None


def _new_http_client() -> httpx.AsyncClient:
    wire = _optional("studio_desktop.api.wire_httpx")
    if wire is not None and hasattr(wire, "new_http_client"):
        return wire.new_http_client()
    return httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))


class Services(QObject):
    """Everything long-lived the GUI talks to. Build with :meth:`create`, end with :meth:`aclose`.

    ``engineChanged`` fires whenever the upload engine is replaced (a new sign-in makes a
    new one; signing out or closing leaves None), so controllers rebind instead of polling.
    """

    #: The new engine (started, when the services start engines), or None.
    engineChanged = Signal(object)

    def __init__(
        self,
        endpoints: Endpoints,
        settings: Settings,
        http: httpx.AsyncClient,
        *,
        credentials: Any | None = None,
        store: Any | None = None,
        shootproof: Any | None = None,
        engine: Any | None = None,
        pixieset: Any | None = None,
        extras: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.endpoints = endpoints
        self.settings = settings
        self.http = http
        self.credentials = credentials
        self.store = store
        self.shootproof = shootproof
        self._engine = engine
        self.pixieset = pixieset
        self.extras: dict[str, Any] = extras if extras is not None else {}
        self._closed = False
        #: Saves settings on a thread of its own: an fsync on a slow disk must not freeze the window.
        self.settings_writer = SettingsWriter()

    @property
    def engine(self) -> Any | None:
        return self._engine

    @engine.setter
    def engine(self, engine: Any | None) -> None:
        if engine is self._engine:
            return
        self._engine = engine
        self.engineChanged.emit(engine)

    # --- building ----------------------------------------------------------------------------

    @classmethod
    async def create(cls, endpoints: Endpoints, *, start_engine: bool = True) -> Services:
        """Open settings, credentials, store, clients and the upload engine (when signed in)."""
        loop = asyncio.get_running_loop()
        settings = await loop.run_in_executor(None, load_settings)
        services = cls(endpoints=endpoints, settings=settings, http=_new_http_client())
        try:
            credentials_module = _optional("studio_desktop.core.credentials")
            if credentials_module is not None:
                services.credentials = await loop.run_in_executor(None, credentials_module.CredentialStore)
            store_module = _optional("studio_desktop.core.store")
            if store_module is not None:
                services.store = await loop.run_in_executor(None, store_module.open_store, None)
            token = endpoints.access_token or await services._stored_token()
            if token:
                await services.connect_shootproof(token, start_engine=start_engine)
            if endpoints.pixieset_cookie:
                services._open_pixieset(endpoints.pixieset_cookie)
        except BaseException:
            await services.aclose()
            raise
        return services

    async def _stored_token(self) -> str | None:
        if self.credentials is None:
            return None
        name = getattr(importlib.import_module("studio_desktop.core.credentials"), "SHOOTPROOF_ACCESS_TOKEN", None)
        if name is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, self.credentials.get, name)
        except Exception as exc:  # a broken keyring must not stop the app; the user can sign in again
            log.warning("Could not read the saved ShootProof sign-in: %s", type(exc).__name__)
            return None

    @property
    def signed_in(self) -> bool:
        return self.shootproof is not None

    async def connect_shootproof(self, token: Any, *, start_engine: bool = True) -> None:
        """Use ``token`` (a string or a TokenProvider) from now on; replaces any earlier client and engine.

        The sign-in flow calls this after it has a token.
        """
        from studio_desktop.api.shootproof import ShootProofClient

        await self._close_engine()
        if self.shootproof is not None:
            await self.shootproof.aclose()
        # Its own connections (api.wire), not the shared httpx client: httpx costs ~1.8 ms of loop per request.
        self.shootproof = ShootProofClient(self.endpoints.api_url, token)
        if self.store is not None:
            engine_module = _optional("studio_desktop.uploads.engine")
            if engine_module is not None:
                settings = self.settings
                engine = engine_module.UploadEngine(
                    self.shootproof,
                    self.store,
                    concurrency=settings.upload_concurrency,
                    bandwidth_limit_kbps=settings.bandwidth_limit_kbps,
                    dedup=settings.dedup_enabled,
                    watermark_id=settings.default_watermark or None,
                )
                try:
                    if start_engine:
                        await engine.start()
                finally:
                    # Announced once it runs, so whoever binds to it (hot folders) finds it started.
                    self.engine = engine

    async def disconnect_shootproof(self) -> None:
        """Forget the current sign-in (the sign-out flow revokes and deletes the token itself)."""
        await self._close_engine()
        if self.shootproof is not None:
            await self.shootproof.aclose()
            self.shootproof = None

    def _open_pixieset(self, cookie: Any) -> None:
        module = _optional("studio_desktop.api.pixieset")
        if module is not None:
            self.pixieset = module.PixiesetClient(self.endpoints.pixieset_url, cookie, http=self.http)

    # --- settings ----------------------------------------------------------------------------

    def update_settings(self, **changes: Any) -> Settings:
        """Apply ``changes`` and write the settings file; a bad value raises SettingsError, a full disk is logged."""
        settings = self.settings.replace(**changes)
        self.settings_writer.submit(settings)  # a secret raises here, before anything changes
        self.settings = settings
        return self.settings

    async def flush_settings(self) -> None:
        """Wait until every settings change so far is on disk (saves are written off the UI thread)."""
        await self.settings_writer.flush()

    def update_window_settings(self, values: dict[str, Any]) -> None:
        window = dict(self.settings.window)
        window.update(values)
        try:
            self.update_settings(window=window)
        except SettingsError as exc:
            log.warning("Window layout not saved: %s", exc)

    # --- closing ------------------------------------------------------------------------------

    async def _close_engine(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            try:
                await engine.stop(grace=2.0)
            except Exception:
                log.exception("The upload engine did not stop cleanly")

    async def stop_uploads(self) -> None:
        """Close the upload view (and its hot folders), then stop the engine. Safe to call twice.

        The first step of closing, while the clients, the server and the window's
        background tasks are still there: an upload under way ends (and is
        heard of) before anything it needs goes away.
        """
        # The upload view first: its hot-folder watchers must stop feeding the engine before
        # it stops, or a last flush lands as an empty batch in a stopped queue.
        await self._close_extra("upload_ui")
        await self._close_engine()

    async def _close_extra(self, name: str) -> None:
        extra = self.extras.pop(name, None)
        closer = getattr(extra, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()

    async def aclose(self) -> None:
        """Stop the engine, close clients, the store and the HTTP client. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self.stop_uploads()
        for name in list(self.extras):
            await self._close_extra(name)
        for client in (self.shootproof, self.pixieset):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()
        self.shootproof = self.pixieset = None
        with contextlib.suppress(Exception):
            await self.http.aclose()
        if self.store is not None:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(Exception):
                await loop.run_in_executor(None, self.store.close)
            self.store = None
        # Last: whatever was changed while closing (the window's layout) is on disk before we return.
        await self.settings_writer.close()
