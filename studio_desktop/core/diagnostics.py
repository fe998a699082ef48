"""A plain-text report to attach to a support request: versions, settings, folders, recent log.

Nothing here imports Qt (package versions come from installed metadata), and the
whole report is redacted before it is returned.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from studio_desktop import APP_NAME, __version__
from studio_desktop.core import paths
from studio_desktop.core.logging_setup import log_tail
from studio_desktop.core.redaction import redact
from studio_desktop.core.settings import Settings, is_secret_key

PACKAGES = (
    "studio-desktop",
    "PySide6-Essentials",
    "shiboken6",
    "qasync",
    "httpx",
    "httpcore",
    "Pillow",
    "watchdog",
    "platformdirs",
    "keyring",
    "starlette",
    "uvicorn",
    "python-multipart",
)

# UI state blobs (base64 geometry) say nothing useful to a reader; show their size only.
_LONG_VALUE = 80


def package_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
        except Exception as exc:
            versions[name] = f"unknown ({type(exc).__name__})"
    return versions


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _LONG_VALUE:
        return f"<{len(value)} characters>"
    if isinstance(value, dict):
        return {key: ("<hidden>" if is_secret_key(key) else _shorten(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    return value


def _settings_section(settings: Settings | None) -> list[str]:
    if settings is None:
        return ["(not loaded)"]
    data = _shorten(settings.to_dict())
    return [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()]


def _paths_section() -> list[str]:
    current = paths.current()
    entries = {
        "data": current.data_dir,
        "config": current.config_dir,
        "cache": current.cache_dir,
        "logs": current.log_dir,
        "settings file": current.settings_file,
        "store": current.store_file,
        "log file": current.log_file,
    }
    return [f"{name}: {path}{'' if path.exists() else '  (missing)'}" for name, path in entries.items()]


def collect_diagnostics(
    settings: Settings | None, *, credential_backend: str | None = None, log_lines: int = 200
) -> str:
    """Everything a helper needs to see about this installation, with every secret removed.

    ``credential_backend`` is ``CredentialStore.backend_name`` (where secrets are kept,
    never what they are).
    """
    lines = [
        f"{APP_NAME} {__version__} diagnostics",
        f"generated: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "",
        "== System ==",
        f"python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"platform: {platform.platform()}",
        f"machine: {platform.machine()}",
        f"bundled: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
    ]
    if credential_backend:
        lines.append(f"secrets kept in: {credential_backend}")
    lines += ["", "== Packages =="]
    lines += [f"{name}: {version}" for name, version in package_versions().items()]
    lines += ["", "== Settings =="]
    lines += _settings_section(settings)
    lines += ["", "== Folders =="]
    lines += _paths_section()
    lines += ["", f"== Log (last {log_lines} lines) =="]
    lines.append(log_tail(log_lines) or "(empty)")
    return redact("\n".join(lines)) + "\n"
