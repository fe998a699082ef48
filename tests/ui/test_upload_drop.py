"""Dropping files and folders from the file manager on the tree and the grid queues them for the right place."""

from __future__ import annotations

from imagegen import make_jpeg, make_text_file
from PySide6.QtCore import QMimeData, QPoint, QUrl
from PySide6.QtWidgets import QApplication

from studio_desktop.core.bidi import plain
from studio_desktop.core.settings import load_settings
from studio_desktop.ui.uploads.choosing import MIRROR_KEY
from studio_desktop.ui.uploads.drop_handler import MIRROR_YES, MirrorQuestion, local_paths
from studio_desktop.ui.uploads.queue_model import QueueFilter
from studio_desktop.uploads.records import queue as q

from .upload_support import (
    DAY_ONE,
    REUNION,
    TEST_GALLERY,
    album_ids,
    drag_over,
    drop_on,
    file_mime,
    find_target,
    photo_names,
    queued,
    tree_point,
    upload_ui,
)


def _wait_counts(qtbot, ui, timeout=15_000, **wanted):
    def reached():
        counts = ui.model.counts
        return all(counts[state][0] == n for state, n in wanted.items())

    qtbot.waitUntil(reached, timeout=timeout)


def test_files_dropped_on_an_event_are_uploaded_and_a_non_photo_is_skipped_once_never_retried(
    main_window, gui_session, qtbot, run_async, tmp_path
):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    files = [
        make_jpeg(shoot / "IMG_0001.jpg"),
        make_jpeg(shoot / "IMG_0002.jpg", color=(0, 0, 255)),
        make_text_file(shoot / "notes.txt"),
    ]
    viewport = main_window.tree_panel.tree.viewport()
    point = tree_point(main_window, target)

    entered, moved = drag_over(viewport, point, file_mime(files))
    assert entered and moved
    assert ui.choosing.tree_drops.highlight.isVisible()
    assert ui.choosing.tree_drops.hovered == target
    assert drop_on(viewport, point, file_mime(files))
    assert not ui.choosing.tree_drops.highlight.isVisible()

    _wait_counts(qtbot, ui, done=2, skipped=1)
    assert ui.model.counts[q.FAILED][0] == 0
    client = gui_session.services.shootproof
    assert run_async(photo_names(client, target.event_id)) == ["IMG_0001.jpg", "IMG_0002.jpg"]

    ui.panel.set_filter(QueueFilter.SKIPPED)
    qtbot.waitUntil(lambda: ui.model.rowCount() == 1 and ui.model.row_at(0) is not None)
    skipped = ui.model.row_at(0)
    assert skipped.item.name == "notes.txt"
    assert ui.model.index(0, 2).data() == "Skipped (not a photo)"
    reason = ui.model.index(0, 6).data()
    assert reason and "text file" in reason.lower()
    assert plain(ui.model.index(0, 1).data()) == TEST_GALLERY
    qtbot.waitUntil(lambda: "1 skipped (not a photo)" in ui.panel.totals_label.text())
    assert "failed" not in ui.panel.totals_label.text()
    assert not ui.panel.buttons["all_retry"].isEnabled()

    qtbot.waitUntil(lambda: ui.notifier.last_message is not None)
    assert (
        plain(ui.notifier.last_message) == f"Uploaded 2 photos to '{TEST_GALLERY}' \u2014 1 file skipped (not a photo)"
    )
    assert ui.notifier.tray is None and ui.notifier.toast.isVisible()
    assert ui.notifier.toast.text() == ui.notifier.last_message

    # Dropped again (with the photos): the note is still listed once, and Retry Failed has nothing to do.
    with qtbot.waitSignal(ui.announcements.batch_announced, timeout=15_000) as announced:
        assert queued(ui.choosing, files, target)
    assert plain(announced.args[2]) == (
        f"Nothing new to upload to '{TEST_GALLERY}' \u2014 2 skipped as duplicates, 1 file skipped (not a photo)"
    )
    assert ui.model.counts[q.SKIPPED][0] == 1
    assert ui.model.counts[q.FAILED][0] == 0


def test_a_folder_dropped_on_an_album_asks_once_and_mirrors_subfolders_as_albums(
    main_window, gui_session, qtbot, run_async, tmp_path
):
    ui = upload_ui(gui_session)
    target = find_target(main_window, REUNION, DAY_ONE)
    folder = tmp_path / "Reunion"
    (folder / "Ceremony" / "Family").mkdir(parents=True)
    (folder / "Party").mkdir()
    make_jpeg(folder / "loose.jpg")
    make_jpeg(folder / "Ceremony" / "c1.jpg")
    make_jpeg(folder / "Ceremony" / "Family" / "f1.jpg")
    make_jpeg(folder / "Party" / "p1.jpg")
    make_jpeg(folder / "Party" / "p2.jpg")

    viewport = main_window.tree_panel.tree.viewport()
    assert drop_on(viewport, tree_point(main_window, target), file_mime([folder]))
    qtbot.waitUntil(lambda: ui.choosing.mirror_question is not None and ui.choosing.mirror_question.isVisible())
    question: MirrorQuestion = ui.choosing.mirror_question
    assert "Mirror subfolders as albums?" in question.text()
    question.remember.setChecked(True)
    question.mirror_button.click()

    _wait_counts(qtbot, ui, done=5)
    client = gui_session.services.shootproof
    albums = run_async(album_ids(client, target.event_id))
    assert run_async(photo_names(client, target.event_id, target.album_id)) == ["loose.jpg"]
    assert run_async(photo_names(client, target.event_id, albums[(DAY_ONE, "Ceremony")])) == ["c1.jpg"]
    assert run_async(photo_names(client, target.event_id, albums[(DAY_ONE, "Ceremony", "Family")])) == ["f1.jpg"]
    assert run_async(photo_names(client, target.event_id, albums[(DAY_ONE, "Party")])) == ["p1.jpg", "p2.jpg"]

    assert ui.choosing.mirror_choice() == MIRROR_YES
    run_async(gui_session.services.flush_settings())
    assert load_settings().window[MIRROR_KEY] == MIRROR_YES
    second = tmp_path / "More"
    (second / "Games").mkdir(parents=True)
    make_jpeg(second / "Games" / "g1.jpg")
    assert drop_on(viewport, tree_point(main_window, target), file_mime([second]))
    assert ui.choosing.mirror_question is None  # remembered: not asked again
    _wait_counts(qtbot, ui, done=6)
    albums = run_async(album_ids(client, target.event_id))
    assert run_async(photo_names(client, target.event_id, albums[(DAY_ONE, "Games")])) == ["g1.jpg"]


def test_files_dropped_on_the_grid_go_to_the_open_gallery(main_window, gui_session, qtbot, run_async, tmp_path):
    ui = upload_ui(gui_session)
    target = find_target(main_window, REUNION)
    main_window.tree_panel.tree.select("event", target.event_id)
    qtbot.waitUntil(lambda: main_window.grid_model.target == target)
    grid = main_window.grid_view.viewport()
    photo = make_jpeg(tmp_path / "grid-drop.jpg")
    assert drop_on(grid, QPoint(40, 40), file_mime([photo]))
    _wait_counts(qtbot, ui, done=1)
    assert "grid-drop.jpg" in run_async(photo_names(gui_session.services.shootproof, target.event_id))


def test_drags_without_local_files_are_left_to_others(main_window, gui_session, tmp_path):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    viewport = main_window.tree_panel.tree.viewport()
    point = tree_point(main_window, target)

    internal = QMimeData()
    internal.setData("application/x-studio-album-ids", b"[1]")
    internal.setUrls([QUrl.fromLocalFile(str(make_jpeg(tmp_path / "a.jpg")))])
    web = QMimeData()
    web.setUrls([QUrl("https://example.com/photo.jpg")])
    text = QMimeData()
    text.setText("hello")
    for mime in (internal, web, text):
        assert local_paths(mime) == []
        drop_on(viewport, point, mime)
    QApplication.processEvents()
    assert ui.model.counts[q.QUEUED][0] == 0
    assert sum(c[0] for c in ui.model.counts.values()) == 0
    assert not ui.choosing.tree_drops.highlight.isVisible()


def test_the_status_line_says_when_photos_are_queued_instead_of_lingering_on_adding(
    main_window, gui_session, qtbot, tmp_path
):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    photo = make_jpeg(tmp_path / "IMG_0100.jpg")

    assert queued(ui.choosing, [photo], target, mirror=False)
    qtbot.waitUntil(lambda: main_window.status.currentMessage().startswith(("Adding 1 item", "Queued for")))
    qtbot.waitUntil(lambda: main_window.status.currentMessage().startswith("Queued for"), timeout=10_000)
    assert TEST_GALLERY in main_window.status.currentMessage()
