"""User settings: one JSON file with a schema version, migrated forward step by step.

Settings hold preferences only. Secrets (tokens, cookies, passwords) belong in
:mod:`studio_desktop.core.credentials`; :func:`guard_no_secrets` refuses them here,
both by key name and by value (any value registered as a secret at runtime).

A file this version cannot read is never a crash: an older one is backed up and
migrated, a newer or unreadable one is backed up and replaced with defaults.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from studio_desktop.core import paths, redaction
from studio_desktop.core.concurrency_limits import MAX_CONCURRENCY, MIN_CONCURRENCY
from studio_desktop.core.fileio import atomic_write_text, backup_beside

if TYPE_CHECKING:
    import concurrent.futures

log = logging.getLogger(__name__)

MAX_BANDWIDTH_KBPS = 10_000_000
MIN_SETTLE_SECONDS = 0.0
MAX_SETTLE_SECONDS = 600.0
MIN_THUMBNAIL_SIZE = 48
MAX_THUMBNAIL_SIZE = 512
MAX_RECENT_FOLDERS = 10

_SECRET_KEY = re.compile(r"token|cookie|secret|password", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting was given a value it cannot hold; the message says which and why."""


class SecretInSettingsError(SettingsError):
    """Something tried to put a secret into the (plain, unencrypted) settings file."""


def is_secret_key(name: str) -> bool:
    return bool(_SECRET_KEY.search(str(name)))


def guard_no_secrets(value: Any, where: str = "settings") -> None:
    """Raise :class:`SecretInSettingsError` if ``value`` holds a secret-looking key or a registered secret.

    Walks nested dicts and lists. The message names the key, never the value.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            if is_secret_key(key):
                raise SecretInSettingsError(
                    f"Refusing to keep {key!r} in {where}: tokens, cookies and passwords "
                    "belong in the credential store."
                )
            guard_no_secrets(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            guard_no_secrets(item, f"{where}[{index}]")
    elif isinstance(value, str) and redaction.contains_registered_secret(value):
        raise SecretInSettingsError(
            f"Refusing to keep {where}: its value is a token or cookie the app holds as a secret."
        )


# --- validators: each returns the normalised value or raises SettingsError ---------------


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SettingsError(f"{name} must be a whole number, not {value!r}.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise SettingsError(f"{name} must be a whole number, not {value!r}.")


def _float(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise SettingsError(f"{name} must be a number of seconds, not {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number of seconds, not {value!r}.") from None
    if not math.isfinite(number):
        raise SettingsError(f"{name} must be a finite number of seconds.")
    return number


def _clamp(value: float, low: float, high: float) -> Any:
    return max(low, min(high, value))


def _upload_concurrency(value: Any) -> int:
    return int(_clamp(_int("upload_concurrency", value), MIN_CONCURRENCY, MAX_CONCURRENCY))


def _bandwidth(value: Any) -> int:
    number = _int("bandwidth_limit_kbps", value)
    if number < 0:
        raise SettingsError("bandwidth_limit_kbps cannot be negative (0 means no limit).")
    return min(number, MAX_BANDWIDTH_KBPS)


def _watermark(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingsError(f"default_watermark must be text, not {value!r}.")
    text = value.strip()
    if text.lower() == "no":
        return "no"
    if text == "" or text.isdigit():
        return text
    raise SettingsError(
        "default_watermark must be empty (the brand's default), 'no' (no watermark) "
        f"or a watermark id number, not {value!r}."
    )


def _bool(name: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "yes", "on", "1", "false", "no", "off", "0"}:
            return value.strip().lower() in {"true", "yes", "on", "1"}
        raise SettingsError(f"{name} must be true or false, not {value!r}.")

    return check


def _settle(value: Any) -> float:
    return float(_clamp(_float("hot_folder_settle_seconds", value), MIN_SETTLE_SECONDS, MAX_SETTLE_SECONDS))


def _text(name: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise SettingsError(f"{name} must be text, not {value!r}.")
        return value.strip()

    return check


def _url(name: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _text(name)(value)
        if not text:
            return ""
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"{name} must be an http:// or https:// address, not {text!r}.")
        if parts.username or parts.password:
            raise SecretInSettingsError(f"{name} must not carry a user name or password.")
        if any(is_secret_key(key) or key.lower() == "code" for key, _ in parse_qsl(parts.query)):
            raise SecretInSettingsError(f"{name} must not carry a token in its query string.")
        return text

    return check


def _brand_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = _int("selected_brand_id", value)
    if number <= 0:
        raise SettingsError("selected_brand_id must be a positive id.")
    return number


def _thumbnail_size(value: Any) -> int:
    return int(_clamp(_int("thumbnail_size", value), MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE))


def _window(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SettingsError("window must be a mapping of names to values.")
    copied = {str(key): item for key, item in value.items()}
    guard_no_secrets(copied, "window")
    try:
        plain: dict[str, Any] = json.loads(json.dumps(copied, allow_nan=False))
        return plain
    except (TypeError, ValueError):
        raise SettingsError("window may only hold text, numbers, true/false, lists and mappings.") from None


def _recent_folders(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise SettingsError("recent_folders must be a list of folder paths.")
    folders: list[str] = []
    for item in value:
        if isinstance(item, Path):
            item = str(item)
        if not isinstance(item, str):
            raise SettingsError(f"recent_folders holds {item!r}, which is not a folder path.")
        item = item.strip()
        if item and item not in folders:
            folders.append(item)
    return folders[:MAX_RECENT_FOLDERS]


_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "upload_concurrency": _upload_concurrency,
    "bandwidth_limit_kbps": _bandwidth,
    "default_watermark": _watermark,
    "dedup_enabled": _bool("dedup_enabled"),
    "hot_folder_settle_seconds": _settle,
    "shootproof_client_id": _text("shootproof_client_id"),
    "oauth_url": _url("oauth_url"),
    "api_url": _url("api_url"),
    "pixieset_url": _url("pixieset_url"),
    "selected_brand_id": _brand_id,
    "thumbnail_size": _thumbnail_size,
    "window": _window,
    "recent_folders": _recent_folders,
}


@dataclass(frozen=True)
class Settings:
    """The user's preferences. Construct or :meth:`replace` to change; values are validated either way."""

    upload_concurrency: int = 5
    bandwidth_limit_kbps: int = 0
    default_watermark: str = ""
    dedup_enabled: bool = True
    hot_folder_settle_seconds: float = 1.0
    shootproof_client_id: str = ""
    oauth_url: str = ""
    api_url: str = ""
    pixieset_url: str = ""
    selected_brand_id: int | None = None
    thumbnail_size: int = 160
    window: dict[str, Any] = field(default_factory=dict)
    recent_folders: list[str] = field(default_factory=list)
    # Keys a newer release wrote at this same schema version: kept so saving does not drop them.
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, check in _VALIDATORS.items():
            object.__setattr__(self, name, check(getattr(self, name)))
            guard_no_secrets(getattr(self, name), name)
        guard_no_secrets(self.extra)
        object.__setattr__(self, "extra", dict(self.extra))

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied; raises :class:`SettingsError` naming the offending setting."""
        for name in changes:
            if is_secret_key(name):
                raise SecretInSettingsError(
                    f"Refusing to keep {name!r} in settings: tokens, cookies and passwords "
                    "belong in the credential store."
                )
            if name not in _VALIDATORS:
                raise SettingsError(f"There is no setting called {name!r}.")
        return dataclasses.replace(self, **changes)

    def with_recent_folder(self, folder: str | Path) -> Settings:
        """Put ``folder`` first in ``recent_folders`` (moving it up if already there)."""
        folder = str(folder).strip()
        return self.replace(recent_folders=[folder, *[f for f in self.recent_folders if f != folder]])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        data.update(self.extra)
        for name in _VALIDATORS:
            value = getattr(self, name)
            data[name] = dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> tuple[Settings, list[str]]:
        """Build settings from a current-schema mapping, keeping what is valid.

        Returns the settings and a list of plain-words problems (one per value that was
        replaced by its default or dropped), so a bad value costs one setting, not all.
        """
        problems: list[str] = []
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():
            if key == "schema_version":
                continue
            if is_secret_key(key):
                problems.append(f"dropped {key!r}: secrets are not kept in settings")
                continue
            check = _VALIDATORS.get(key)
            if check is None:
                try:
                    guard_no_secrets(value, key)
                    json.dumps(value, allow_nan=False)
                except (SettingsError, TypeError, ValueError):
                    problems.append(f"dropped unknown setting {key!r}")
                    continue
                extra[key] = value
                continue
            try:
                values[key] = check(value)
                guard_no_secrets(values[key], key)
            except SettingsError as exc:
                values.pop(key, None)
                problems.append(f"{key}: {exc} Using the default.")
        return cls(**values, extra=extra), problems


# --- migrations -------------------------------------------------------------------------


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (no ``schema_version``) used short key names and kept a token beside them."""
    renames = {
        "concurrency": "upload_concurrency",
        "bandwidth_limit": "bandwidth_limit_kbps",
        "watermark": "default_watermark",
        "skip_duplicates": "dedup_enabled",
        "settle_time": "hot_folder_settle_seconds",
        "client_id": "shootproof_client_id",
        "oauth_endpoint": "oauth_url",
        "api_endpoint": "api_url",
        "pixieset_endpoint": "pixieset_url",
        "brand_id": "selected_brand_id",
        "thumb_size": "thumbnail_size",
        "geometry": "window_geometry",
        "recent": "recent_folders",
    }
    migrated: dict[str, Any] = {}
    for key, value in data.items():
        if is_secret_key(key):
            continue
        migrated[renames.get(key, key)] = value
    migrated["schema_version"] = 1
    return migrated


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept the main window's geometry and state as top-level keys; now they share ``window``."""
    migrated = dict(data)
    window = migrated.get("window")
    window = dict(window) if isinstance(window, Mapping) else {}
    for old, new in (("window_geometry", "main_geometry"), ("window_state", "main_state")):
        if old in migrated:
            window.setdefault(new, migrated.pop(old))
    migrated["window"] = window
    migrated["schema_version"] = 2
    return migrated


#: ``MIGRATIONS[n]`` turns a version-``n`` mapping into a version-``n + 1`` one.
MIGRATIONS: list[Callable[[dict[str, Any]], dict[str, Any]]] = [_v0_to_v1, _v1_to_v2]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(data: dict[str, Any], from_version: int) -> dict[str, Any]:
    for step in MIGRATIONS[from_version:]:
        data = step(data)
    return data


# --- load / save ------------------------------------------------------------------------


def _settings_path(path: Path | None) -> Path:
    return Path(path) if path is not None else paths.current().settings_file


def _backup(path: Path, tag: str) -> Path | None:
    try:
        # A backup of an old file may hold a token that old versions kept there: keep it private.
        return backup_beside(path, tag, mode=0o600)
    except OSError as exc:
        log.warning("Could not back up the settings file %s: %s", path, exc)
        return None


def _write_defaults_over(path: Path, tag: str, why: str) -> Settings:
    backup = _backup(path, tag)
    if backup is None:
        log.warning("The settings file %s %s; using default settings for now and leaving the file as it is.", path, why)
        return Settings()
    log.warning("The settings file %s %s; it was saved as %s and default settings are used.", path, why, backup.name)
    defaults = Settings()
    _try_save(defaults, path)
    return defaults


def _try_save(settings: Settings, path: Path) -> None:
    try:
        save_settings(settings, path)
    except (OSError, SettingsError) as exc:
        log.warning("Could not write the settings file %s: %s", path, exc)


_CORRUPT = "could not be read (it is damaged or not a settings file)"


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; never raises for a missing, old, newer or damaged file."""
    path = _settings_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("Could not read the settings file %s (%s); using default settings.", path, exc)
        return Settings()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _write_defaults_over(path, "corrupt", _CORRUPT)
    if not isinstance(data, dict):
        return _write_defaults_over(path, "corrupt", _CORRUPT)

    version = data.get("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        return _write_defaults_over(path, "corrupt", _CORRUPT)
    if version > SCHEMA_VERSION:
        return _write_defaults_over(
            path, f"v{version}", f"was written by a newer version of the app (settings version {version})"
        )

    changed = False
    if version < SCHEMA_VERSION:
        backup = _backup(path, f"v{version}")
        if backup is None:
            log.warning("Settings from version %d are used without migrating the file.", version)
        try:
            data = migrate(data, version)
        except Exception as exc:
            log.warning(
                "The settings file %s could not be migrated from version %d (%s); default settings are used.",
                path,
                version,
                type(exc).__name__,
            )
            if backup is not None:
                _try_save(Settings(), path)
            return Settings()
        changed = backup is not None
        if backup is not None:
            log.info(
                "Settings migrated from version %d to %d; the old file is kept as %s.",
                version,
                SCHEMA_VERSION,
                backup.name,
            )

    settings, problems = Settings.from_dict(data)
    if problems:
        for problem in problems:
            log.warning("Settings file %s: %s", path, problem)
        if not changed:
            changed = _backup(path, "repaired") is not None
    if changed:
        _try_save(settings, path)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write ``settings`` atomically.

    Raises OSError if the disk refuses, and :class:`SecretInSettingsError` rather than
    write a value that is a registered secret.
    """
    path, text = settings_file_text(settings, path)
    write_settings_text(path, text)


def settings_file_text(settings: Settings, path: Path | None = None) -> tuple[Path, str]:
    """Where ``settings`` go and the text to write there, without touching the disk.

    Raises :class:`SecretInSettingsError` rather than return a registered secret.
    """
    data = settings.to_dict()
    guard_no_secrets(data)
    return _settings_path(path), json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_settings_text(path: Path, text: str) -> None:
    """The disk half of :func:`save_settings` (folder, temp file, fsync, rename): blocking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


class SettingsWriter:
    """Writes settings files on one worker thread of its own, so an fsync never blocks the caller.

    :meth:`submit` takes the text of a save and returns at once. Saves coalesce: while one
    is being written, later ones replace each other and only the last is written next, so
    rapid saves end with the last on disk and never two writes at once. A failed write is
    logged (the next save tries again). :meth:`flush` waits until everything submitted is
    on disk; :meth:`close` flushes and ends the thread, and saves after it are written inline.
    """

    def __init__(self) -> None:
        import concurrent.futures  # here: the terminal commands read the limits above and save no settings

        self._lock = threading.Lock()
        self._pending: tuple[Path, str] | None = None
        self._running: concurrent.futures.Future[None] | None = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="settings-writer"
        )

    def submit(self, settings: Settings, path: Path | None = None) -> None:
        """Queue ``settings`` for writing (replacing any save not yet started); raises SettingsError for a secret."""
        job = settings_file_text(settings, path)
        with self._lock:
            inline = self._executor is None and self._running is None
            if not inline:
                self._pending = job  # a running drain picks it up, even while closing
                if self._running is None and self._executor is not None:
                    self._running = self._executor.submit(self._drain)
        if inline:
            self._write(job)

    def _drain(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._running = None
                    return
            self._write(job)

    @staticmethod
    def _write(job: tuple[Path, str]) -> None:
        path, text = job
        try:
            write_settings_text(path, text)
        except OSError as exc:
            log.warning("Could not save settings to %s: %s", path, exc)

    @property
    def pending(self) -> bool:
        """Is a save submitted and not yet on disk?"""
        with self._lock:
            return self._running is not None

    async def flush(self) -> None:
        """Wait (without blocking the loop) until every save submitted so far is on disk."""
        while True:
            with self._lock:
                running = self._running
            if running is None:
                return
            import asyncio

            await asyncio.wrap_future(running)

    def wait(self, timeout: float | None = None) -> None:
        """:meth:`flush` for code without a loop (blocking)."""
        while True:
            with self._lock:
                running = self._running
            if running is None:
                return
            running.result(timeout)

    async def close(self) -> None:
        """Flush, then end the thread. Safe to call twice."""
        with self._lock:
            executor, self._executor = self._executor, None
        await self.flush()
        if executor is not None:
            executor.shutdown(wait=False)
