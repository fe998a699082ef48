"""The upload queue dock: states, progress and totals while uploading; its buttons; banners; restarts."""

from __future__ import annotations

import logging

from imagegen import make_jpeg, make_sparse_jpeg, make_truncated_jpeg

from studio_desktop.core.bidi import plain
from studio_desktop.ui.status_bar import ConnectionState
from studio_desktop.ui.uploads.queue_model import Column, QueueFilter
from studio_desktop.uploads.records import queue as q

from .upload_support import TEST_GALLERY, find_target, queued, upload_ui

SLOW_KBPS = 1600  # 200 KB/s: a 200 KB photo takes about a second
PHOTO_BYTES = 200_000


def _states(ui) -> dict[str, int]:
    return {state: files for state, (files, _bytes) in ui.model.counts.items() if files}


def _row_named(ui, name: str):
    row = ui.model.find_row(lambda r: r.item.name == name)
    return (row, ui.model.row_at(row)) if row is not None else (None, None)


def _wait_state(qtbot, ui, name: str, state: str, timeout: int = 15_000):
    def reached():
        _row, found = _row_named(ui, name)
        return found is not None and found.state == state

    qtbot.waitUntil(reached, timeout=timeout)


def test_every_queue_button_says_what_it_does(main_window, gui_session):
    ui = upload_ui(gui_session)
    labels = {name: button.text() for name, button in ui.panel.buttons.items()}
    assert labels == {
        "selected_pause": "Pause",
        "selected_resume": "Resume",
        "selected_cancel": "Cancel",
        "selected_retry": "Retry",
        "all_pause": "Pause All",
        "all_retry": "Retry Failed",
        "all_cancel": "Cancel All",
        "all_clear": "Clear Finished",
    }


def test_the_dock_shows_progress_and_totals_and_pause_all_resume_all(main_window, gui_session, qtbot, tmp_path):
    ui = upload_ui(gui_session)
    engine = gui_session.services.engine
    engine.set_bandwidth_limit(SLOW_KBPS)
    engine.set_concurrency(2)
    target = find_target(main_window, TEST_GALLERY)
    photos = [make_sparse_jpeg(tmp_path / f"slow_{n}.jpg", PHOTO_BYTES) for n in range(4)]
    assert queued(ui.choosing, photos, target)
    assert ui.dock.isVisible()

    def mid_upload():
        row = ui.model.find_row(lambda r: r.state == q.UPLOADING and 0 < r.progress < 1)
        return row is not None and ui.panel.total_bar.value() > 0

    qtbot.waitUntil(mid_upload, timeout=15_000)
    row = ui.model.find_row(lambda r: r.state == q.UPLOADING and 0 < r.progress < 1)
    assert ui.model.index(row, Column.STATE).data() == "Uploading"
    assert ui.model.index(row, Column.PROGRESS).data().endswith("%")
    assert ui.model.index(row, Column.SIZE).data() == "200.0 KB"
    assert plain(ui.model.index(row, Column.TARGET).data()) == TEST_GALLERY
    qtbot.waitUntil(lambda: "/s" in ui.panel.totals_label.text())
    assert "of 4 files done" in ui.panel.totals_label.text()
    assert "of 800.0 KB" in ui.panel.totals_label.text()
    assert 0 < ui.panel.total_bar.value() < 1000
    ui.panel.grab().save(str(tmp_path / "dock-mid-upload.png"))

    ui.panel.buttons["all_pause"].click()
    assert engine.snapshot().paused
    qtbot.waitUntil(lambda: ui.panel.buttons["all_pause"].text() == "Resume All")
    qtbot.waitUntil(lambda: engine.snapshot().in_flight == 0 and q.UPLOADING not in _states(ui))
    assert "paused" in ui.panel.totals_label.text()
    assert ui.controller.pause_action.text() == "&Resume Uploads"
    done_while_paused = _states(ui).get(q.DONE, 0)
    assert done_while_paused < 4

    engine.set_bandwidth_limit(0)
    ui.panel.buttons["all_pause"].click()
    qtbot.waitUntil(lambda: _states(ui).get(q.DONE) == 4, timeout=15_000)
    assert not engine.snapshot().paused
    assert ui.panel.buttons["all_pause"].text() == "Pause All"
    qtbot.waitUntil(lambda: ui.panel.total_bar.value() == 1000)
    assert ui.panel.totals_label.text().startswith("4 of 4 files done")
    assert ui.panel.filter_combo.itemText(0) == "All (4)"


def test_selection_buttons_pause_resume_cancel_and_retry(main_window, gui_session, qtbot, tmp_path, sandbox, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: d_broken.jpg"
    ui = upload_ui(gui_session)
    engine = gui_session.services.engine
    engine.set_bandwidth_limit(SLOW_KBPS // 4)  # the first photo takes ~4 s: time to act on the others
    engine.set_concurrency(1)
    target = find_target(main_window, TEST_GALLERY)
    first = make_sparse_jpeg(tmp_path / "a_first.jpg", PHOTO_BYTES)
    second = make_sparse_jpeg(tmp_path / "b_second.jpg", PHOTO_BYTES)
    third = make_sparse_jpeg(tmp_path / "c_third.jpg", PHOTO_BYTES)
    broken = make_truncated_jpeg(tmp_path / "d_broken.jpg")
    ui.choosing.upload([first, second, third, broken], target)

    _wait_state(qtbot, ui, "d_broken.jpg", q.FAILED)
    row, failed = _row_named(ui, "d_broken.jpg")
    assert failed.message
    assert ui.model.index(row, Column.REASON).data() == failed.message
    assert ui.model.index(row, Column.STATE).data() == "Failed"

    row, _ = _row_named(ui, "c_third.jpg")
    ui.panel.select_rows([row])
    assert ui.panel.buttons["selected_pause"].isEnabled()
    assert not ui.panel.buttons["selected_retry"].isEnabled()
    ui.panel.buttons["selected_pause"].click()
    _wait_state(qtbot, ui, "c_third.jpg", q.PAUSED)

    row, _ = _row_named(ui, "b_second.jpg")
    ui.panel.select_rows([row])
    menu = ui.panel.context_menu()
    cancel = next(a for a in menu.actions() if a.objectName() == "menu_selected_cancel")
    assert cancel.isEnabled()
    cancel.trigger()
    _wait_state(qtbot, ui, "b_second.jpg", q.CANCELLED)

    make_jpeg(broken)  # repaired: a retry sends the file as it is now
    row, _ = _row_named(ui, "d_broken.jpg")
    ui.panel.select_rows([row])
    assert ui.panel.buttons["selected_retry"].isEnabled()
    ui.panel.buttons["selected_retry"].click()

    row, _ = _row_named(ui, "c_third.jpg")
    ui.panel.select_rows([row])
    assert ui.panel.buttons["selected_resume"].isEnabled()
    ui.panel.buttons["selected_resume"].click()
    engine.set_bandwidth_limit(0)

    for name in ("a_first.jpg", "c_third.jpg", "d_broken.jpg"):
        _wait_state(qtbot, ui, name, q.DONE)
    _wait_state(qtbot, ui, "b_second.jpg", q.CANCELLED)
    names = sorted(p.name for p in sandbox.studio.photos(event_id=target.event_id))
    assert names == ["a_first.jpg", "c_third.jpg", "d_broken.jpg"]

    row, _ = _row_named(ui, "a_first.jpg")
    ui.panel.select_rows([row])
    show = next(a for a in ui.panel.context_menu().actions() if a.objectName() == "menu_show_in_folder")
    show.trigger()
    assert ui.controller.open_folder.opened == [str(first)]

    ui.panel.set_filter(QueueFilter.DONE)
    qtbot.waitUntil(lambda: ui.model.rowCount() == 3)
    ui.panel.buttons["all_clear"].click()
    qtbot.waitUntil(lambda: sum(f for f, _b in ui.model.counts.values()) == 0)
    assert ui.model.rowCount() == 0


def test_a_full_plan_stops_the_queue_with_a_banner_and_resume_continues(
    main_window, gui_session, qtbot, tmp_path, sandbox, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "uploads stopped: ... plan is full"
    ui = upload_ui(gui_session)
    used, _allowed = sandbox.studio.plan()
    sandbox.studio.set_plan_limit(used + 1)
    engine = gui_session.services.engine
    engine.set_concurrency(1)
    target = find_target(main_window, TEST_GALLERY)
    photos = [make_jpeg(tmp_path / f"plan_{n}.jpg") for n in range(3)]
    ui.choosing.upload(photos, target)

    qtbot.waitUntil(lambda: ui.panel.banner_text("stopped") != "", timeout=15_000)
    banner = ui.panel.banners["stopped"]
    assert "plan is full" in banner.text()
    assert f"Plan: {used + 1:,} of {used + 1:,} photos used." in banner.text()
    assert banner.button.text() == "Resume"
    qtbot.waitUntil(lambda: _states(ui) == {q.DONE: 1, q.QUEUED: 2})
    qtbot.waitUntil(
        lambda: (
            ui.panel.totals_label.text().startswith("1 of 3 files done")
            and ui.panel.totals_label.text().endswith("\u00b7 stopped")
        )
    )
    assert main_window.status.plan_label.text() == f"{used + 1:,} of {used + 1:,} photos"
    assert ui.notifier.history[-1][0] == "Uploads stopped"
    ui.panel.grab().save(str(tmp_path / "dock-plan-full.png"))

    sandbox.studio.set_plan_limit(None)
    banner.button.click()
    qtbot.waitUntil(lambda: _states(ui) == {q.DONE: 3}, timeout=15_000)
    qtbot.waitUntil(lambda: "stopped" not in ui.panel.banners)


def test_a_refused_sign_in_shows_a_banner_that_starts_signing_in(
    main_window, gui_session, qtbot, tmp_path, sandbox, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "ShootProof refused the sign-in"
    ui = upload_ui(gui_session)
    triggered = []
    main_window.actions.sign_in.triggered.connect(lambda *_: triggered.append(True))
    sandbox.studio.revoke_token(sandbox.access_token)
    ui.choosing.upload([make_jpeg(tmp_path / "refused.jpg")], find_target(main_window, TEST_GALLERY))
    qtbot.waitUntil(lambda: ui.panel.banner_text("sign_in") != "", timeout=15_000)
    assert main_window.status.state == ConnectionState.SIGNED_OUT
    qtbot.waitUntil(lambda: _states(ui) == {q.QUEUED: 1})
    ui.panel.banners["sign_in"].button.click()
    assert triggered == [True]


def test_the_queue_survives_closing_and_reopening_the_window(
    gui_session_factory, sandbox, wait_for_tree, qtbot, run_async, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: missing.jpg"
    first = gui_session_factory(sandbox)
    wait_for_tree(first)
    ui = upload_ui(first)
    target = find_target(first.window, TEST_GALLERY)
    ui.choosing.upload([make_jpeg(tmp_path / "kept.jpg"), tmp_path / "missing.jpg"], target)
    qtbot.waitUntil(lambda: _states(ui) == {q.DONE: 1, q.FAILED: 1}, timeout=15_000)
    first.services.engine.pause()
    ui.choosing.upload([make_jpeg(tmp_path / "later.jpg", color=(0, 200, 0))], target)
    qtbot.waitUntil(lambda: _states(ui).get(q.QUEUED) == 1)
    run_async(first.aclose(), timeout=20)

    second = gui_session_factory(sandbox)
    wait_for_tree(second)
    ui2 = upload_ui(second)
    qtbot.waitUntil(lambda: _states(ui2) == {q.DONE: 2, q.FAILED: 1}, timeout=15_000)
    qtbot.waitUntil(lambda: ui2.model.rowCount() == 3 and all(ui2.model.row_at(r) for r in range(3)))
    _row, missing = _row_named(ui2, "missing.jpg")
    assert missing.state == q.FAILED and missing.message
    names = sorted(p.name for p in sandbox.studio.photos(event_id=target.event_id))
    assert names == ["kept.jpg", "later.jpg"]
