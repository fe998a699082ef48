"""Credentials: the OS keyring when a real one is there, else a private file, with one warning."""

from __future__ import annotations

import json
import logging
import os
import stat

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError

from studio_desktop.core import credentials, fileio, paths, redaction
from studio_desktop.core.credentials import (
    PIXIESET_COOKIE,
    SHOOTPROOF_ACCESS_TOKEN,
    SHOOTPROOF_REFRESH_TOKEN,
    SHOOTPROOF_TOKEN_EXPIRES_AT,
    CredentialStore,
    keyring_is_usable,
)

NO_KEYRING_WARNING = "No system keyring found; secrets are kept in"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps entries in a dict; ``broken`` makes every call fail like a locked keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.broken = False

    def _check(self) -> None:
        if self.broken:
            raise KeyringLocked("the collection is locked")

    def get_password(self, service, username):
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self._check()
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self._check()
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("not found") from None


class LowPriorityKeyring(MemoryKeyring):
    priority = 0.5


class AltLikeKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plaintext backends, which the app must not trust."""


AltLikeKeyring.__module__ = "keyrings.alt.file"

# Keep these test-only backends out of keyring's automatic backend choice for other tests.
for _cls in (MemoryKeyring, LowPriorityKeyring, AltLikeKeyring):
    KeyringBackend._classes.discard(_cls)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, caplog):
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    monkeypatch.setattr(credentials, "_warned", set())
    redaction.forget_registered_secrets()
    # The store's warnings (no keyring, a broken one, a loose file mode) are what these tests are about.
    with caplog.at_level(logging.WARNING, logger=credentials.log.name):
        yield
    redaction.forget_registered_secrets()


@pytest.fixture
def memory_keyring():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring():
    keyring.set_keyring(fail.Keyring())


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def _warnings(caplog, text):
    return [r for r in caplog.records if r.levelno == logging.WARNING and text in r.getMessage()]


# --- backend choice ---------------------------------------------------------------------


def test_only_real_keyrings_are_trusted():
    assert keyring_is_usable(MemoryKeyring())
    assert not keyring_is_usable(fail.Keyring())
    assert not keyring_is_usable(null.Keyring())
    assert not keyring_is_usable(LowPriorityKeyring())
    assert not keyring_is_usable(AltLikeKeyring())
    assert not keyring_is_usable(None)


# --- keyring ----------------------------------------------------------------------------


def test_keyring_round_trip_and_nothing_on_disk(memory_keyring, app_paths, caplog):
    store = CredentialStore()
    assert store.uses_keyring
    assert "MemoryKeyring" in store.backend_name
    assert store.get(SHOOTPROOF_ACCESS_TOKEN) is None

    store.set(SHOOTPROOF_ACCESS_TOKEN, "access-5b7e1f2c9d")
    store.set(SHOOTPROOF_REFRESH_TOKEN, "refresh-0a9c8e7d6f")
    store.set(SHOOTPROOF_TOKEN_EXPIRES_AT, "1767225600")
    store.set(PIXIESET_COOKIE, "laravel_session=cookie-31415926535")

    fresh = CredentialStore()
    assert fresh.get(SHOOTPROOF_ACCESS_TOKEN) == "access-5b7e1f2c9d"
    assert fresh.get(SHOOTPROOF_REFRESH_TOKEN) == "refresh-0a9c8e7d6f"
    assert fresh.get(SHOOTPROOF_TOKEN_EXPIRES_AT) == "1767225600"
    assert fresh.get(PIXIESET_COOKIE) == "laravel_session=cookie-31415926535"
    assert ("access-5b7e1f2c9d") in memory_keyring.entries.values()
    assert not app_paths.secrets_file.exists()
    assert not _warnings(caplog, NO_KEYRING_WARNING)

    fresh.delete(SHOOTPROOF_ACCESS_TOKEN)
    fresh.delete(SHOOTPROOF_ACCESS_TOKEN)  # deleting twice is fine
    assert CredentialStore().get(SHOOTPROOF_ACCESS_TOKEN) is None
    assert "access-5b7e1f2c9d" not in repr(fresh)


def test_secrets_loaded_or_stored_are_registered_for_redaction(memory_keyring):
    store = CredentialStore()
    store.set(SHOOTPROOF_ACCESS_TOKEN, "access-registered-1234")
    memory_keyring.entries[(store._service, SHOOTPROOF_REFRESH_TOKEN)] = "refresh-loaded-5678"
    redaction.forget_registered_secrets()
    assert store.get(SHOOTPROOF_REFRESH_TOKEN) == "refresh-loaded-5678"
    assert "refresh-loaded-5678" not in redaction.redact("value refresh-loaded-5678 here")
    store.set(SHOOTPROOF_TOKEN_EXPIRES_AT, "1767225600")
    assert redaction.redact("expires 1767225600") == "expires 1767225600"


def test_each_data_folder_has_its_own_keyring_entries(memory_keyring, tmp_path):
    CredentialStore().set(SHOOTPROOF_ACCESS_TOKEN, "profile-one-token-1")
    paths.configure(tmp_path / "other-profile").ensure()
    assert CredentialStore().get(SHOOTPROOF_ACCESS_TOKEN) is None
    assert len({service for service, _ in memory_keyring.entries}) == 1


# --- file fallback ----------------------------------------------------------------------


def test_file_fallback_round_trip_with_private_modes(no_keyring, app_paths, caplog):
    with caplog.at_level(logging.WARNING):
        store = CredentialStore()
    assert not store.uses_keyring
    assert str(app_paths.secrets_file) in store.backend_name
    os.chmod(app_paths.data_dir, 0o755)

    store.set(SHOOTPROOF_ACCESS_TOKEN, "file-access-token-1")
    store.set(PIXIESET_COOKIE, "pixieset-cookie-value-2")
    assert _mode(app_paths.secrets_file) == 0o600
    assert _mode(app_paths.data_dir) == 0o700
    stored = json.loads(app_paths.secrets_file.read_text())["secrets"]
    assert stored == {SHOOTPROOF_ACCESS_TOKEN: "file-access-token-1", PIXIESET_COOKIE: "pixieset-cookie-value-2"}

    again = CredentialStore()
    assert again.get(SHOOTPROOF_ACCESS_TOKEN) == "file-access-token-1"
    again.delete(SHOOTPROOF_ACCESS_TOKEN)
    assert CredentialStore().get(SHOOTPROOF_ACCESS_TOKEN) is None
    assert CredentialStore().get(PIXIESET_COOKIE) == "pixieset-cookie-value-2"
    assert [p.name for p in app_paths.data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_no_keyring_warning_is_logged_once_per_process(no_keyring, app_paths, caplog):
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            CredentialStore().set(SHOOTPROOF_ACCESS_TOKEN, "once-only-token-99")
    warned = _warnings(caplog, NO_KEYRING_WARNING)
    assert len(warned) == 1
    assert warned[0].getMessage() == (
        f"No system keyring found; secrets are kept in {app_paths.secrets_file}, readable only by you."
    )
    assert "once-only-token-99" not in caplog.text


def test_file_is_written_with_os_open_0600_and_replaced_atomically(no_keyring, app_paths, monkeypatch):
    store = CredentialStore()
    store.set(SHOOTPROOF_ACCESS_TOKEN, "first-value-abcdef")
    before = app_paths.secrets_file.read_bytes()

    opened_modes = []
    real_open = os.open

    def spy_open(path, flags, mode=0o777, *args, **kwargs):
        opened_modes.append((os.fspath(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    def failing_replace(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fileio.os, "open", spy_open)
    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.set(SHOOTPROOF_ACCESS_TOKEN, "second-value-ghijkl")
    assert app_paths.secrets_file.read_bytes() == before
    assert any(mode == 0o600 and path.endswith(".tmp") for path, mode in opened_modes)
    assert [p.name for p in app_paths.data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_a_loose_file_mode_is_tightened(no_keyring, app_paths):
    CredentialStore().set(SHOOTPROOF_ACCESS_TOKEN, "tighten-me-123456")
    os.chmod(app_paths.secrets_file, 0o644)
    assert CredentialStore().get(SHOOTPROOF_ACCESS_TOKEN) == "tighten-me-123456"
    assert _mode(app_paths.secrets_file) == 0o600


@pytest.mark.parametrize("content", [b"{broken", b'{"secrets": ["not", "a", "dict"]}', b"\xff\xfe"])
def test_corrupt_file_is_set_aside_and_the_store_keeps_working(no_keyring, app_paths, caplog, content):
    app_paths.secrets_file.write_bytes(content)
    store = CredentialStore()
    with caplog.at_level(logging.WARNING):
        assert store.get(SHOOTPROOF_ACCESS_TOKEN) is None
    assert "damaged" in caplog.text
    backups = [p for p in app_paths.data_dir.iterdir() if p.name.startswith("secrets.json.corrupt")]
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert _mode(backups[0]) == 0o600

    store.set(SHOOTPROOF_ACCESS_TOKEN, "after-corruption-42")
    assert CredentialStore().get(SHOOTPROOF_ACCESS_TOKEN) == "after-corruption-42"


def test_runtime_keyring_error_falls_back_to_the_file_and_warns_once(memory_keyring, app_paths, caplog):
    store = CredentialStore()
    assert store.uses_keyring
    memory_keyring.broken = True
    with caplog.at_level(logging.WARNING):
        store.set(SHOOTPROOF_ACCESS_TOKEN, "fallback-token-777")
        store.set(SHOOTPROOF_REFRESH_TOKEN, "fallback-refresh-888")
        assert store.get(SHOOTPROOF_ACCESS_TOKEN) == "fallback-token-777"
        other = CredentialStore()
        assert other.get(SHOOTPROOF_REFRESH_TOKEN) == "fallback-refresh-888"
    assert not store.uses_keyring and not other.uses_keyring
    assert len(_warnings(caplog, "keyring stopped working")) == 1
    assert "KeyringLocked" in caplog.text
    assert "fallback-token-777" not in caplog.text
    assert _mode(app_paths.secrets_file) == 0o600
    assert memory_keyring.entries == {}


def test_secrets_from_the_file_move_into_a_keyring_once_one_works(app_paths, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    CredentialStore().set(SHOOTPROOF_ACCESS_TOKEN, "moved-to-keyring-55")
    assert app_paths.secrets_file.exists()

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    store = CredentialStore()
    assert store.get(SHOOTPROOF_ACCESS_TOKEN) == "moved-to-keyring-55"
    assert "moved-to-keyring-55" in backend.entries.values()
    assert json.loads(app_paths.secrets_file.read_text())["secrets"] == {}


def test_a_value_written_while_the_keyring_was_broken_wins_over_the_stale_keyring_one(memory_keyring, app_paths):
    CredentialStore().set(SHOOTPROOF_REFRESH_TOKEN, "stale-refresh-token-1")
    memory_keyring.broken = True
    CredentialStore().set(SHOOTPROOF_REFRESH_TOKEN, "rotated-refresh-token-2")
    memory_keyring.broken = False

    assert CredentialStore().get(SHOOTPROOF_REFRESH_TOKEN) == "rotated-refresh-token-2"
    assert "rotated-refresh-token-2" in memory_keyring.entries.values()
    assert "stale-refresh-token-1" not in memory_keyring.entries.values()
    assert json.loads(app_paths.secrets_file.read_text())["secrets"] == {}


def test_non_text_secret_is_refused(memory_keyring):
    with pytest.raises(TypeError):
        CredentialStore().set(SHOOTPROOF_ACCESS_TOKEN, 12345)  # type: ignore[arg-type]
