"""Every folder the app writes to comes from here, so one call can redirect them all.

Tests and ``--data-dir`` call :func:`configure` with a root folder; otherwise the
platform's usual places are used (platformdirs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from studio_desktop import APP_ID

DATA_DIR_ENV = "STUDIO_DESKTOP_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def platform_default(cls) -> AppPaths:
        import platformdirs  # here: a run given its folders (``--data-dir``, tests) never needs it

        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_ID, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path | str) -> AppPaths:
        """All folders below one root: for ``--data-dir``, portable installs and tests."""
        root = Path(root).expanduser().resolve()
        return cls(
            data_dir=root / "data",
            config_dir=root / "config",
            cache_dir=root / "cache",
            log_dir=root / "logs",
        )

    @property
    def store_file(self) -> Path:
        return self.data_dir / "studio.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def secrets_file(self) -> Path:
        """Fallback secret store, used only where no OS keyring works."""
        return self.data_dir / "secrets.json"

    @property
    def thumbnail_dir(self) -> Path:
        return self.cache_dir / "thumbnails"

    @property
    def sandbox_dir(self) -> Path:
        return self.data_dir / "sandbox"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "studio-desktop.log"

    def ensure(self) -> AppPaths:
        """Create the folders, private to this user on POSIX (0700; existing ones are put right).

        They hold file paths, contacts, logs and possibly the fallback secrets file:
        nothing other accounts on the machine should read. Only our own folders
        are changed, never the ``--data-dir`` root the user chose.
        """
        for folder in (self.data_dir, self.config_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            make_folder_private(folder)
        return self


def make_folder_private(folder: Path) -> None:
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)


_current: AppPaths | None = None


def configure(root: Path | str | None = None) -> AppPaths:
    """Choose the folders for this process: ``root`` if given, else the env var, else the platform's."""
    global _current
    if root is None:
        root = os.environ.get(DATA_DIR_ENV) or None
    _current = AppPaths.under(root) if root else AppPaths.platform_default()
    return _current


def current() -> AppPaths:
    return _current if _current is not None else configure()
