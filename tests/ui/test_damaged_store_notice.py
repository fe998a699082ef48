"""A store found damaged when the app starts is announced in the window, and the damaged copy is kept."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox

DAMAGED = b"not a database, half a copied file " * 50


def test_a_damaged_store_is_announced_in_a_dialog_and_kept(gui_session_factory, sandbox, app_paths, qtbot, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.core.store")  # "the local store ... was damaged"
    app_paths.store_file.write_bytes(DAMAGED)
    session = gui_session_factory(sandbox)
    box = session.window.findChild(QMessageBox, "damagedStoreNotice")
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=3000)
    (kept,) = [p for p in app_paths.data_dir.glob("studio.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert kept.read_bytes() == DAMAGED
    assert str(kept) in box.informativeText()
    assert "started a new, empty one" in box.text()
    assert session.services.store.version > 0  # the app goes on with a fresh queue


def test_a_healthy_store_shows_no_notice(gui_session_factory, sandbox):
    session = gui_session_factory(sandbox)
    assert session.window.findChild(QMessageBox, "damagedStoreNotice") is None
