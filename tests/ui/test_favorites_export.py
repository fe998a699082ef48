"""A visitor's favourites, handed to Lightroom / Capture One: a filter string, a plain list, a CSV file."""

from __future__ import annotations

import csv
from pathlib import PurePosixPath

from PySide6.QtWidgets import QApplication

from studio_desktop.gallery.favorites_export import editor_filter, picked_photos, plain_list
from studio_desktop.gallery.tree_nodes import EVENT

from .gallery_support import press, right_click_menu, trigger_from_menu, wait_dialog

WAIT_MS = 10_000
VISITOR = "harper.lewis@example.com"


def test_copy_and_save_a_visitors_favorites_for_the_editor(gallery, sp, run_async, qtbot, ids, tmp_path):
    event = ids["event_wedding"]
    expected = run_async(sp.event_gallery_visitor_photos(event, VISITOR))
    favorites = [photo.name for photo in expected.favorites]
    labelled = [photo.name for label in expected.labeled for photo in label.photos]
    assert len(favorites) > 3 and labelled

    trigger_from_menu(right_click_menu(gallery, qtbot, EVENT, event), "event_visitors")
    dialog = wait_dialog(qtbot, gallery, "visitorsDialog")
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=WAIT_MS)
    assert dialog.select_visitor(VISITOR)
    qtbot.waitUntil(dialog.copy_filter_button.isEnabled, timeout=WAIT_MS)

    press(qtbot, dialog.copy_filter_button)
    text = QApplication.clipboard().text()
    stems = list(dict.fromkeys(PurePosixPath(name).stem for name in favorites + labelled))
    assert text == " OR ".join(stems)
    assert ".jpg" not in text.lower() and text.count(" OR ") == len(stems) - 1

    press(qtbot, dialog.copy_list_button)
    assert QApplication.clipboard().text().splitlines() == list(dict.fromkeys(favorites + labelled))

    target = tmp_path / "harper.csv"
    dialog.save_favorites_csv(str(target))
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["file_name"] for row in rows] == favorites + labelled
    assert {row["list"] for row in rows[: len(favorites)]} == {"Favorite"}
    assert {row["list"] for row in rows[len(favorites) :]} == {label.name for label in expected.labeled}
    assert all(row["name_without_extension"] == PurePosixPath(row["file_name"]).stem for row in rows)
    assert "Saved" in dialog.status.text()


def test_a_visitor_without_favorites_has_nothing_to_copy(gallery, qtbot, ids):
    trigger_from_menu(right_click_menu(gallery, qtbot, EVENT, ids["event_wedding"]), "event_visitors")
    dialog = wait_dialog(qtbot, gallery, "visitorsDialog")
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=WAIT_MS)
    assert dialog.select_visitor("best.man@example.com")
    qtbot.waitUntil(lambda: "0 photos" in dialog.favorites_title.text(), timeout=WAIT_MS)
    assert not dialog.copy_filter_button.isEnabled() and not dialog.save_csv_button.isEnabled()


def test_the_filter_names_each_photo_once_without_extensions(sp, run_async, ids):
    picked = picked_photos(run_async(sp.event_gallery_visitor_photos(ids["event_wedding"], VISITOR)))
    doubled = picked + picked[:2]
    assert editor_filter(doubled) == editor_filter(picked)
    assert plain_list(doubled).splitlines() == list(dict.fromkeys(p.file_name for p in picked))
