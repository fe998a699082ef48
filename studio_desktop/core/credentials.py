"""Secrets (tokens, cookies) in the OS keyring, or in a private file where no keyring works.

The keyring is used only when its backend is a real one (priority >= 1, and not
keyring's ``fail``/``null`` backends nor ``keyrings.alt``, which stores base64
plaintext). Otherwise, and from the moment a keyring call fails at runtime, secrets
go to ``paths.current().secrets_file``: folder 0700, file 0600, replaced atomically.
Each fallback is logged once per process.

Every secret read or written is registered with :mod:`studio_desktop.core.redaction`,
so it cannot reach a log line even by accident.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import threading
from pathlib import Path
from typing import Any

from studio_desktop import APP_ID
from studio_desktop.core import paths, redaction
from studio_desktop.core.fileio import atomic_write_text, backup_beside

log = logging.getLogger(__name__)

SHOOTPROOF_ACCESS_TOKEN = "shootproof.access_token"
SHOOTPROOF_REFRESH_TOKEN = "shootproof.refresh_token"
SHOOTPROOF_TOKEN_EXPIRES_AT = "shootproof.token_expires_at"
PIXIESET_COOKIE = "pixieset.cookie"

#: Stored beside the secrets but not secret themselves, so not registered for redaction.
NOT_SECRET = frozenset({SHOOTPROOF_TOKEN_EXPIRES_AT})

_FILE_FORMAT_VERSION = 1
_UNUSABLE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")

# Warnings already given in this process, by kind.
_warned: set[str] = set()
_warned_lock = threading.Lock()


def _warn_once(kind: str, message: str, *args: Any) -> None:
    with _warned_lock:
        if kind in _warned:
            return
        _warned.add(kind)
    log.warning(message, *args)


def _priority(backend: Any) -> float:
    try:
        return float(backend.priority)
    except Exception:  # a backend's priority raises when it is not usable here
        return -1.0


def keyring_is_usable(backend: Any) -> bool:
    """True for a backend that really keeps secrets safe on this machine."""
    if backend is None:
        return False
    module = type(backend).__module__
    if any(module == bad or module.startswith(bad + ".") for bad in _UNUSABLE_MODULES):
        return False
    if module.startswith("keyring.backends.chainer"):
        try:
            members = list(getattr(type(backend), "backends", None) or [])
        except Exception:
            return False
        return bool(members) and all(keyring_is_usable(member) for member in members)
    return _priority(backend) >= 1


def _default_service() -> str:
    """Keyring entries of a ``--data-dir`` profile (or a test) must not overwrite the normal profile's."""
    current = paths.current()
    try:
        if current == paths.AppPaths.platform_default():
            return APP_ID
    except Exception:
        pass
    return f"{APP_ID} ({current.data_dir})"


class CredentialStore:
    """Get, set and delete named secrets; see the module docstring for where they live."""

    def __init__(
        self, *, service: str | None = None, secrets_file: Path | None = None, use_keyring: bool = True
    ) -> None:
        self._service = service or _default_service()
        self._file = Path(secrets_file) if secrets_file is not None else paths.current().secrets_file
        self._lock = threading.RLock()
        self._keyring: Any | None = self._pick_keyring() if use_keyring else None
        if self._keyring is None:
            _warn_once(
                "no-keyring", "No system keyring found; secrets are kept in %s, readable only by you.", self._file
            )

    @staticmethod
    def _pick_keyring() -> Any | None:
        try:
            import keyring

            backend = keyring.get_keyring()
        except Exception as exc:
            log.debug("Keyring unavailable: %s", type(exc).__name__)
            return None
        return backend if keyring_is_usable(backend) else None

    @property
    def backend_name(self) -> str:
        backend = self._keyring
        if backend is None:
            return f"file {self._file}"
        try:
            name = type(backend).name
        except Exception:
            name = type(backend).__name__
        return f"keyring {name}"

    @property
    def uses_keyring(self) -> bool:
        return self._keyring is not None

    def __repr__(self) -> str:
        return f"CredentialStore(service={self._service!r}, backend={self.backend_name!r})"

    # --- public API -------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        with self._lock:
            # An entry in the file is newer than the keyring's: set() clears it whenever the keyring works.
            value = self._file_read().get(name)
            if value is not None:
                if self._keyring is not None:
                    self._adopt(name, value)
            elif self._keyring is not None:
                value = self._keyring_call("get_password", name)
                if value is _FAILED:
                    value = None
        if isinstance(value, str):
            self._register(name, value)
            return value
        return None

    def set(self, name: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"The secret {name!r} must be text.")
        self._register(name, value)
        with self._lock:
            if self._keyring is not None and self._keyring_call("set_password", name, value) is not _FAILED:
                self._file_remove(name)
                return
            secrets = self._file_read()
            secrets[name] = value
            self._file_write(secrets)

    def delete(self, name: str) -> None:
        """Forget ``name`` everywhere it may be kept; deleting a missing secret is fine."""
        with self._lock:
            if self._keyring is not None:
                self._keyring_call("delete_password", name)
            self._file_remove(name)

    # --- keyring ----------------------------------------------------------------------

    def _keyring_call(self, method: str, name: str, *args: str) -> Any:
        backend = self._keyring
        if backend is None:
            return _FAILED
        try:
            return getattr(backend, method)(self._service, name, *args)
        except Exception as exc:
            if method == "delete_password" and _is_missing_entry(exc):
                return None
            self._keyring = None
            _warn_once(
                "keyring-failed",
                "The system keyring stopped working (%s); secrets are kept in %s from now on, readable only by you.",
                type(exc).__name__,
                self._file,
            )
            return _FAILED

    def _adopt(self, name: str, value: str) -> None:
        """A secret saved to the file while no keyring worked moves into the keyring once one does."""
        if self._keyring_call("set_password", name, value) is not _FAILED:
            self._file_remove(name)

    # --- file fallback ----------------------------------------------------------------

    def _file_read(self) -> dict[str, str]:
        try:
            raw = self._file.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("Could not read the secrets file %s: %s", self._file, exc)
            return {}
        self._tighten_mode()
        try:
            data = json.loads(raw.decode("utf-8"))
            secrets = data["secrets"]
            if not isinstance(secrets, dict):
                raise ValueError
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            self._set_aside_corrupt()
            return {}
        return {str(key): value for key, value in secrets.items() if isinstance(value, str)}

    def _file_write(self, secrets: dict[str, str]) -> None:
        folder = self._file.parent
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)
        text = json.dumps({"version": _FILE_FORMAT_VERSION, "secrets": secrets}, indent=1, sort_keys=True)
        atomic_write_text(self._file, text + "\n", mode=0o600)

    def _file_remove(self, name: str) -> None:
        if not self._file.exists():
            return
        secrets = self._file_read()
        if name in secrets:
            del secrets[name]
            self._file_write(secrets)

    def _tighten_mode(self) -> None:
        if os.name != "posix":
            return
        with contextlib.suppress(OSError):
            if stat.S_IMODE(self._file.stat().st_mode) & 0o077:
                os.chmod(self._file, 0o600)
                log.warning("The secrets file %s was readable by others; it is now readable only by you.", self._file)

    def _set_aside_corrupt(self) -> None:
        try:
            backup = backup_beside(self._file, "corrupt", mode=0o600)
        except OSError as exc:
            log.warning(
                "The secrets file %s is damaged and could not be set aside (%s); you may need to sign in again.",
                self._file,
                exc,
            )
            return
        with contextlib.suppress(OSError):
            self._file.unlink()
        log.warning(
            "The secrets file %s was damaged; it was set aside as %s and you may need to sign in again.",
            self._file,
            backup.name,
        )

    @staticmethod
    def _register(name: str, value: str) -> None:
        if name not in NOT_SECRET:
            redaction.register_secret(value)


class _Failed:
    def __repr__(self) -> str:
        return "<keyring call failed>"


_FAILED: Any = _Failed()


def _is_missing_entry(exc: Exception) -> bool:
    try:
        from keyring.errors import PasswordDeleteError
    except ImportError:
        return False
    return isinstance(exc, PasswordDeleteError)
