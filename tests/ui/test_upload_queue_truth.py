"""The upload queue tells the truth: questions only when they matter, counts that match what was done."""

from __future__ import annotations

import logging

from imagegen import make_jpeg, make_sparse_jpeg, make_text_file, make_truncated_jpeg

from studio_desktop.core.bidi import plain
from studio_desktop.ui.uploads.drop_handler import MIRROR_ASK
from studio_desktop.uploads.records import queue as q

from .upload_support import TEST_GALLERY, drop_on, file_mime, find_target, photo_names, tree_point, upload_ui


def _wait_counts(qtbot, ui, timeout=15_000, **wanted):
    qtbot.waitUntil(lambda: all(ui.model.counts[state][0] == n for state, n in wanted.items()), timeout=timeout)


def test_a_folder_without_subfolders_is_uploaded_without_the_mirror_question(
    main_window, gui_session, qtbot, run_async, tmp_path
):
    ui = upload_ui(gui_session)
    assert ui.choosing.mirror_choice() == MIRROR_ASK
    target = find_target(main_window, TEST_GALLERY)
    flat = tmp_path / "Flat shoot"
    flat.mkdir()
    make_jpeg(flat / "a1.jpg")
    make_jpeg(flat / "a2.jpg")
    (flat / ".thumbnails").mkdir()  # hidden: the scan never enters it, so it makes no album either

    viewport = main_window.tree_panel.tree.viewport()
    assert drop_on(viewport, tree_point(main_window, target), file_mime([flat]))
    assert ui.choosing.mirror_question is None
    _wait_counts(qtbot, ui, done=2)
    assert {"a1.jpg", "a2.jpg"} <= set(run_async(photo_names(gui_session.services.shootproof, target.event_id)))
    assert ui.choosing.mirror_choice() == MIRROR_ASK  # nothing was remembered for the next folder

    nested = tmp_path / "Nested"
    (nested / "Ceremony").mkdir(parents=True)
    make_jpeg(nested / "Ceremony" / "c1.jpg")
    assert drop_on(viewport, tree_point(main_window, target), file_mime([nested]))
    qtbot.waitUntil(lambda: ui.choosing.mirror_question is not None and ui.choosing.mirror_question.isVisible())
    ui.choosing.mirror_question.reject()
    assert ui.model.counts[q.QUEUED][0] == 0


SLOW_KBPS = 400  # 50 KB/s: a 200 KB photo takes about four seconds
PHOTO_BYTES = 200_000


def _row_named(ui, name):
    row = ui.model.find_row(lambda r: r.item.name == name)
    return (row, ui.model.row_at(row)) if row is not None else (None, None)


def _wait_sending(qtbot, ui, name):
    def sending():
        _row, found = _row_named(ui, name)
        return found is not None and found.state == q.UPLOADING and found.bytes_sent > 0

    qtbot.waitUntil(sending, timeout=15_000)


def test_pausing_and_cancelling_a_selected_photo_being_sent_counts_it(main_window, gui_session, qtbot, tmp_path):
    ui = upload_ui(gui_session)
    engine = gui_session.services.engine
    engine.set_bandwidth_limit(SLOW_KBPS)
    engine.set_concurrency(1)
    target = find_target(main_window, TEST_GALLERY)
    first = make_sparse_jpeg(tmp_path / "a_sending.jpg", PHOTO_BYTES)
    second = make_sparse_jpeg(tmp_path / "b_next.jpg", PHOTO_BYTES)
    ui.choosing.upload([first, second], target)

    _wait_sending(qtbot, ui, "a_sending.jpg")
    row, _ = _row_named(ui, "a_sending.jpg")
    ui.panel.select_rows([row])
    ui.panel.buttons["selected_pause"].click()
    qtbot.waitUntil(lambda: main_window.status.currentMessage().startswith("Paused:"), timeout=15_000)
    assert main_window.status.currentMessage() == "Paused: 1 upload."
    qtbot.waitUntil(lambda: _row_named(ui, "a_sending.jpg")[1].state == q.PAUSED)
    assert "starts again from the beginning" in ui.model.index(row, 6).data()

    _wait_sending(qtbot, ui, "b_next.jpg")
    row, _ = _row_named(ui, "b_next.jpg")
    ui.panel.select_rows([row])
    ui.panel.buttons["selected_cancel"].click()
    qtbot.waitUntil(lambda: main_window.status.currentMessage().startswith("Cancelled:"), timeout=15_000)
    assert main_window.status.currentMessage() == "Cancelled: 1 upload."
    assert _row_named(ui, "b_next.jpg")[1].state == q.CANCELLED


def test_pause_all_says_a_half_sent_photo_starts_again(main_window, gui_session, qtbot, tmp_path):
    ui = upload_ui(gui_session)
    engine = gui_session.services.engine
    engine.set_bandwidth_limit(SLOW_KBPS)
    engine.set_concurrency(1)
    target = find_target(main_window, TEST_GALLERY)
    ui.choosing.upload([make_sparse_jpeg(tmp_path / "half.jpg", PHOTO_BYTES)], target)
    _wait_sending(qtbot, ui, "half.jpg")

    ui.panel.buttons["all_pause"].click()
    assert "starts again from the beginning" in main_window.status.currentMessage()
    qtbot.waitUntil(lambda: engine.snapshot().in_flight == 0)
    row, _found = _row_named(ui, "half.jpg")
    qtbot.waitUntil(lambda: ui.model.index(row, 2).data() == "Waiting")
    assert ui.model.index(row, 6).data().startswith("Paused partway: it starts again from the beginning")


def test_clear_finished_keeps_failed_rows(main_window, gui_session, qtbot, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: cut.jpg"
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    ui.choosing.upload(
        [
            make_jpeg(tmp_path / "fine.jpg"),
            make_truncated_jpeg(tmp_path / "cut.jpg"),
            make_text_file(tmp_path / "notes.txt"),
        ],
        target,
    )
    _wait_counts(qtbot, ui, done=1, failed=1, skipped=1)
    qtbot.waitUntil(lambda: ui.panel.buttons["all_clear"].isEnabled())

    ui.panel.buttons["all_clear"].click()
    _wait_counts(qtbot, ui, done=0, skipped=0, failed=1)
    qtbot.waitUntil(lambda: ui.model.rowCount() == 1 and ui.model.row_at(0) is not None)
    assert ui.model.row_at(0).item.name == "cut.jpg"
    assert "1 failed upload stays for a retry" in main_window.status.currentMessage()
    assert ui.panel.buttons["all_retry"].isEnabled()
    qtbot.waitUntil(lambda: not ui.panel.buttons["all_clear"].isEnabled())


def test_the_same_bad_files_dropped_twice_count_once_in_the_footer_and_per_batch(
    main_window, gui_session, qtbot, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: cut_*.jpg"
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    bad = [make_truncated_jpeg(tmp_path / f"cut_{n}.jpg") for n in range(2)] + [
        make_text_file(tmp_path / f"note_{n}.txt") for n in range(2)
    ]
    announced = []
    ui.announcements.batch_announced.connect(lambda _batch, _counts, message: announced.append(plain(message)))
    for run in (1, 2):
        ui.choosing.upload(bad, target)
        qtbot.waitUntil(lambda run=run: len(announced) == run, timeout=15_000)
    assert (
        plain(announced[0])
        == plain(announced[1])
        == (f"No photos uploaded to '{TEST_GALLERY}' \u2014 2 failed, 2 files skipped (not photos)")
    )
    _wait_counts(qtbot, ui, failed=2, skipped=2)
    qtbot.waitUntil(lambda: "2 failed" in ui.panel.totals_label.text())
    assert "4 failed" not in ui.panel.totals_label.text()
    assert "2 skipped (not photos)" in ui.panel.totals_label.text()
    assert ui.model.rowCount() == 4


def test_the_state_column_shows_skipped_not_a_photo_whole(main_window, gui_session, qtbot, tmp_path):
    ui = upload_ui(gui_session)
    ui.choosing.upload([make_text_file(tmp_path / "notes.txt")], find_target(main_window, TEST_GALLERY))
    _wait_counts(qtbot, ui, skipped=1)
    table = ui.panel.table
    qtbot.waitUntil(lambda: ui.model.index(0, 2).data() == "Skipped (not a photo)")
    needed = table.fontMetrics().horizontalAdvance("Skipped (not a photo)") + 12  # the cell's padding
    assert table.columnWidth(2) >= needed
