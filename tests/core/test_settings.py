"""Settings: the JSON file round-trips, old files migrate, bad files never crash, secrets are refused."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from studio_desktop.core import fileio, redaction
from studio_desktop.core.settings import (
    MAX_RECENT_FOLDERS,
    MIGRATIONS,
    SCHEMA_VERSION,
    SecretInSettingsError,
    Settings,
    SettingsError,
    guard_no_secrets,
    load_settings,
    save_settings,
)

GEOMETRY_B64 = "AdnQywADAAAAAAAAAAAAAAAAA+kAAAK8AAAAAAAAABQAAAPpAAACvAAAAAAAAAAAB4AAAAAAAAAAFAAAA+kAAAK8"


@pytest.fixture(autouse=True)
def _fresh_secret_registry():
    redaction.forget_registered_secrets()
    yield
    redaction.forget_registered_secrets()


@pytest.fixture
def settings_file(app_paths):
    return app_paths.settings_file


def _backups(settings_file):
    return sorted(p.name for p in settings_file.parent.iterdir() if p.name.endswith(".bak"))


def _leftover_temp_files(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_missing_file_gives_defaults_without_creating_one(settings_file):
    settings = load_settings()
    assert settings == Settings()
    assert settings.upload_concurrency == 5
    assert settings.bandwidth_limit_kbps == 0
    assert settings.default_watermark == ""
    assert settings.dedup_enabled is True
    assert settings.hot_folder_settle_seconds == 1.0
    assert settings.selected_brand_id is None
    assert settings.window == {} and settings.recent_folders == []
    assert not settings_file.exists()


def test_round_trip_keeps_every_value(settings_file):
    changed = Settings().replace(
        upload_concurrency=8,
        bandwidth_limit_kbps=2048,
        default_watermark="no",
        dedup_enabled=False,
        hot_folder_settle_seconds=2.5,
        shootproof_client_id="my-client",
        oauth_url="http://127.0.0.1:9000/oauth2/authorization",
        api_url="http://127.0.0.1:9000/v2",
        pixieset_url="http://127.0.0.1:9000/api/v1",
        selected_brand_id=42,
        thumbnail_size=200,
        window={"main_geometry": GEOMETRY_B64, "main_state": "AAAA/wAAAAD9", "splitter": [200, 800]},
        recent_folders=["/photos/wedding", "/photos/portraits"],
    )
    save_settings(changed)

    on_disk = json.loads(settings_file.read_text(encoding="utf-8"))
    assert on_disk["schema_version"] == SCHEMA_VERSION
    assert on_disk["window"]["main_geometry"] == GEOMETRY_B64
    assert load_settings() == changed
    assert _leftover_temp_files(settings_file.parent) == []


def test_save_replaces_atomically_and_a_failed_write_keeps_the_old_file(settings_file, monkeypatch):
    save_settings(Settings().replace(upload_concurrency=3))
    before = settings_file.read_bytes()

    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append((os.fspath(src), os.fspath(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", spy)
    save_settings(Settings().replace(upload_concurrency=4))
    assert len(replaced) == 1 and replaced[0][1] == str(settings_file)
    assert replaced[0][0] != str(settings_file)
    assert load_settings().upload_concurrency == 4

    def failing(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", failing)
    before = settings_file.read_bytes()
    with pytest.raises(OSError):
        save_settings(Settings().replace(upload_concurrency=9))
    assert settings_file.read_bytes() == before
    assert _leftover_temp_files(settings_file.parent) == []


def test_v0_file_with_old_key_names_is_migrated_and_backed_up(settings_file, caplog):
    old = {
        "concurrency": 3,
        "bandwidth_limit": 500,
        "watermark": "1234",
        "skip_duplicates": False,
        "settle_time": 4,
        "client_id": "legacy-client",
        "api_endpoint": "https://api.example.test/v2",
        "brand_id": 7,
        "thumb_size": 96,
        "geometry": GEOMETRY_B64,
        "recent": ["/shoots/a", "/shoots/b"],
        "access_token": "old-version-kept-this-token-here",
    }
    original = json.dumps(old).encode()
    settings_file.write_bytes(original)

    with caplog.at_level(logging.INFO):
        settings = load_settings()

    assert settings.upload_concurrency == 3
    assert settings.bandwidth_limit_kbps == 500
    assert settings.default_watermark == "1234"
    assert settings.dedup_enabled is False
    assert settings.hot_folder_settle_seconds == 4.0
    assert settings.shootproof_client_id == "legacy-client"
    assert settings.api_url == "https://api.example.test/v2"
    assert settings.selected_brand_id == 7
    assert settings.thumbnail_size == 96
    assert settings.window == {"main_geometry": GEOMETRY_B64}
    assert settings.recent_folders == ["/shoots/a", "/shoots/b"]

    backup = settings_file.with_name("settings.json.v0.bak")
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    migrated = json.loads(settings_file.read_text())
    assert migrated["schema_version"] == SCHEMA_VERSION
    assert "access_token" not in migrated and "concurrency" not in migrated
    assert "old-version-kept-this-token-here" not in settings_file.read_text()
    assert "old-version-kept-this-token-here" not in caplog.text
    assert "migrated from version 0" in caplog.text

    # Loading the migrated file again changes nothing and makes no new backup.
    assert load_settings() == settings
    assert _backups(settings_file) == ["settings.json.v0.bak"]


def test_v1_file_moves_window_keys_into_window(settings_file):
    settings_file.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "upload_concurrency": 6,
                "window_geometry": GEOMETRY_B64,
                "window_state": "AAAA",
            }
        )
    )
    settings = load_settings()
    assert settings.upload_concurrency == 6
    assert settings.window == {"main_geometry": GEOMETRY_B64, "main_state": "AAAA"}
    assert settings_file.with_name("settings.json.v1.bak").exists()
    assert len(MIGRATIONS) == SCHEMA_VERSION


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"schema_version": "two"}'])
def test_corrupt_file_is_backed_up_and_replaced_with_defaults(settings_file, caplog, content):
    settings_file.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert settings == Settings()
    assert settings_file.with_name("settings.json.corrupt.bak").read_bytes() == content
    assert json.loads(settings_file.read_text())["schema_version"] == SCHEMA_VERSION
    assert "could not be read" in caplog.text


def test_a_second_corrupt_file_does_not_overwrite_the_first_backup(settings_file, caplog):
    with caplog.at_level(logging.WARNING, logger="studio_desktop.core.settings"):
        settings_file.write_bytes(b"first damage")
        load_settings()
        settings_file.write_bytes(b"second damage")
        load_settings()
    backups = _backups(settings_file)
    assert len(backups) == 2
    contents = {settings_file.with_name(name).read_bytes() for name in backups}
    assert contents == {b"first damage", b"second damage"}


def test_newer_file_is_backed_up_and_replaced_with_defaults(settings_file, caplog):
    newer = json.dumps({"schema_version": SCHEMA_VERSION + 7, "upload_concurrency": 12, "shiny": True})
    settings_file.write_text(newer)
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert settings == Settings()
    assert settings_file.with_name(f"settings.json.v{SCHEMA_VERSION + 7}.bak").read_text() == newer
    assert "newer version" in caplog.text
    assert json.loads(settings_file.read_text())["schema_version"] == SCHEMA_VERSION


def test_one_bad_value_costs_only_that_setting(settings_file, caplog):
    settings_file.write_text(
        json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "upload_concurrency": "lots",
                "dedup_enabled": False,
                "future_option": {"a": 1},
            }
        )
    )
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert settings.upload_concurrency == 5
    assert settings.dedup_enabled is False
    assert "upload_concurrency" in caplog.text
    assert settings_file.with_name("settings.json.repaired.bak").exists()
    # A key this version does not know is kept, so saving does not lose it.
    save_settings(settings.replace(thumbnail_size=128))
    assert json.loads(settings_file.read_text())["future_option"] == {"a": 1}


def test_secret_keys_in_a_current_file_are_dropped_without_logging_their_value(settings_file, caplog):
    settings_file.write_text(
        json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "pixieset_cookie": "laravel_session=abcdefghijklmnop",
                "upload_concurrency": 7,
            }
        )
    )
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert settings.upload_concurrency == 7
    assert "pixieset_cookie" in caplog.text
    assert "abcdefghijklmnop" not in caplog.text
    assert "abcdefghijklmnop" not in settings_file.read_text()


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (-3, 1), (1, 1), (16, 16), (17, 16), (500, 16), ("8", 8)])
def test_upload_concurrency_is_clamped(value, expected):
    assert Settings().replace(upload_concurrency=value).upload_concurrency == expected
    assert Settings(upload_concurrency=value).upload_concurrency == expected


def test_other_values_are_clamped_or_normalised():
    s = Settings().replace(
        hot_folder_settle_seconds=-2,
        thumbnail_size=10_000,
        default_watermark=" No ",
        selected_brand_id="15",
        recent_folders=[" /a ", "/b", "/a", ""],
    )
    assert s.hot_folder_settle_seconds == 0.0
    assert s.thumbnail_size == 512
    assert s.default_watermark == "no"
    assert s.selected_brand_id == 15
    assert s.recent_folders == ["/a", "/b"]
    assert Settings().replace(default_watermark=987).default_watermark == "987"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("upload_concurrency", "many"),
        ("upload_concurrency", True),
        ("bandwidth_limit_kbps", -1),
        ("default_watermark", "blue"),
        ("dedup_enabled", "maybe"),
        ("hot_folder_settle_seconds", float("nan")),
        ("api_url", "ftp://example.test"),
        ("oauth_url", "not a url"),
        ("selected_brand_id", 0),
        ("window", ["not", "a", "mapping"]),
        ("window", {"blob": object()}),
        ("recent_folders", "/just/one/string"),
        ("no_such_setting", 1),
    ],
)
def test_invalid_values_raise_settings_error_naming_the_setting(name, value):
    with pytest.raises(SettingsError) as raised:
        Settings().replace(**{name: value})
    assert name.split("_")[0] in str(raised.value) or "window" in str(raised.value)


@pytest.mark.parametrize("name", ["access_token", "pixieset_cookie", "client_secret", "album_password", "MyToken"])
def test_secret_keys_are_refused(name):
    with pytest.raises(SecretInSettingsError):
        Settings().replace(**{name: "value"})


def test_secret_keys_are_refused_inside_window_and_extras():
    with pytest.raises(SecretInSettingsError):
        Settings().replace(window={"panels": {"session_cookie": "x"}})
    with pytest.raises(SecretInSettingsError):
        Settings(extra={"refresh_token": "x"})
    with pytest.raises(SecretInSettingsError):
        guard_no_secrets({"list": [{"Password": "x"}]})


def test_urls_carrying_credentials_are_refused():
    with pytest.raises(SecretInSettingsError):
        Settings().replace(api_url="https://api.example.test/v2?access_token=abc")
    with pytest.raises(SecretInSettingsError):
        Settings().replace(pixieset_url="https://user:pw@studio.example.test/api/v1")


def test_a_registered_secret_value_is_refused_under_any_key(settings_file):
    token = "tok-8c1f0a7e55d94b6c"
    redaction.register_secret(token)
    with pytest.raises(SecretInSettingsError) as raised:
        Settings().replace(recent_folders=[f"/tmp/{token}"])
    assert token not in str(raised.value)
    with pytest.raises(SecretInSettingsError):
        Settings().replace(shootproof_client_id=token)
    assert not settings_file.exists()


def test_a_file_holding_a_registered_secret_loads_without_it(settings_file, caplog):
    token = "tok-1b2c3d4e5f60718293"
    redaction.register_secret(token)
    settings_file.write_text(
        json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "recent_folders": [f"/x/{token}"],
                "upload_concurrency": 9,
            }
        )
    )
    with caplog.at_level(logging.WARNING, logger="studio_desktop.core.settings"):
        settings = load_settings()
    assert settings.recent_folders == [] and settings.upload_concurrency == 9
    assert token not in settings_file.read_text()


def test_with_recent_folder_moves_to_front_and_caps_the_list():
    s = Settings()
    for index in range(MAX_RECENT_FOLDERS + 3):
        s = s.with_recent_folder(f"/shoot/{index}")
    assert len(s.recent_folders) == MAX_RECENT_FOLDERS
    assert s.recent_folders[0] == f"/shoot/{MAX_RECENT_FOLDERS + 2}"
    s = s.with_recent_folder("/shoot/5")
    assert s.recent_folders[0] == "/shoot/5"
    assert s.recent_folders.count("/shoot/5") == 1


def test_settings_are_immutable_and_replace_returns_a_copy():
    original = Settings()
    changed = original.replace(upload_concurrency=2)
    assert original.upload_concurrency == 5 and changed.upload_concurrency == 2
    with pytest.raises(AttributeError):
        original.upload_concurrency = 3  # type: ignore[misc]


def test_a_migration_step_that_fails_leaves_defaults_and_the_backup(settings_file, monkeypatch, caplog):
    from studio_desktop.core import settings as settings_module

    def broken_step(data):
        raise KeyError("unexpected shape")

    monkeypatch.setattr(settings_module, "MIGRATIONS", [broken_step, *MIGRATIONS[1:]])
    original = json.dumps({"concurrency": 2}).encode()
    settings_file.write_bytes(original)
    with caplog.at_level(logging.WARNING):
        assert load_settings() == Settings()
    assert "could not be migrated" in caplog.text
    assert settings_file.with_name("settings.json.v0.bak").read_bytes() == original
