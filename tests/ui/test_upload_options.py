"""Upload Options…: the picks and a size, remembered per gallery or album, used by drops on it."""

from __future__ import annotations

from PIL import Image
from PySide6.QtWidgets import QDialogButtonBox
from xmp_samples import lightroom

from studio_desktop.core.bidi import plain
from studio_desktop.ui.uploads.queue_model import Column, QueueFilter
from studio_desktop.ui.uploads.shape_dialog import remembered_shape
from studio_desktop.uploads.picks import PickFilter
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.resize import ResizeSpec
from studio_desktop.uploads.shaping import UploadShape

from .gallery_support import select_node, trigger_from_menu, wait_dialog
from .upload_support import (
    DAY_ONE,
    REUNION,
    TEST_GALLERY,
    drop_on,
    file_mime,
    find_target,
    photo_names,
    tree_point,
    upload_ui,
)


def photo_with_rating(path, rating: int):
    image = Image.new("RGB", (3000, 2000), (200, 40, 40))
    image.save(path, "JPEG", quality=90, xmp=lightroom(rating=rating).encode())
    return path


def test_options_are_remembered_per_target_and_a_drop_uses_them(
    gallery, main_window, gui_session, sandbox, qtbot, run_async, tmp_path
):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    other = find_target(main_window, REUNION, DAY_ONE)
    select_node(gallery, qtbot, "event", target.event_id)
    trigger_from_menu(gallery.menus.build_tree_menu(gallery.current_node()), "gallery_upload_options")
    dialog = wait_dialog(qtbot, gallery, "uploadShapeDialog")
    dialog.rating.setCurrentIndex(dialog.rating.findData(3))
    dialog.skip_rejects.setChecked(True)
    dialog.size.setCurrentIndex(dialog.size.findText("Web 2048 px"))
    dialog.quality.setValue(85)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    services = gui_session.services
    assert remembered_shape(services, target) == UploadShape(PickFilter(3, (), True), ResizeSpec(2048, 85))
    assert remembered_shape(services, other) == UploadShape()

    client = services.shootproof
    before = run_async(photo_names(client, target.event_id))
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    files = [photo_with_rating(shoot / "KEEP_0001.jpg", 4), photo_with_rating(shoot / "OUT_0002.jpg", 1)]
    viewport = main_window.tree_panel.tree.viewport()
    assert drop_on(viewport, tree_point(main_window, target), file_mime(files))
    qtbot.waitUntil(lambda: ui.model.counts[q.DONE][0] == 1, timeout=15_000)

    assert run_async(photo_names(client, target.event_id)) == sorted([*before, "KEEP_0001.jpg"])
    [item] = [i for i in q.iter_items(services.store) if i.name == "KEEP_0001.jpg"]
    with Image.open(sandbox.studio.photo_file(item.photo_id)) as landed:
        assert landed.size == (2048, 1365)
    qtbot.waitUntil(lambda: ui.notifier.last_message is not None, timeout=10_000)
    assert (
        plain(ui.notifier.last_message) == f"Uploaded 1 photo to '{TEST_GALLERY}' \u2014 1 left out by the picks filter"
    )

    # The queue lists it, with why, under its own filter; it is neither failed nor waiting.
    [left_out] = [i for i in q.iter_items(services.store) if i.name == "OUT_0002.jpg"]
    assert left_out.state == q.FILTERED and left_out.attempts == 0
    ui.panel.set_filter(QueueFilter.LEFT_OUT)
    qtbot.waitUntil(lambda: ui.model.rowCount() == 1 and ui.model.row_at(0) is not None)
    assert ui.model.row_at(0).item.name == "OUT_0002.jpg"
    assert ui.model.index(0, Column.STATE).data() == "Left out (filter)"
    assert ui.model.index(0, Column.REASON).data() == "Left out by filter: rated 1 star, below 3 stars."
    qtbot.waitUntil(lambda: "1 left out by the picks filter" in ui.panel.totals_label.text())
    assert "failed" not in ui.panel.totals_label.text()
    assert not ui.panel.buttons["all_retry"].isEnabled()


def test_the_drop_prompt_says_the_targets_options_and_the_drop_uses_them(
    gallery, main_window, gui_session, qtbot, tmp_path
):
    from studio_desktop.ui.uploads.shape_dialog import remember_shape

    ui = upload_ui(gui_session)
    services = gui_session.services
    target = find_target(main_window, REUNION, DAY_ONE)
    remember_shape(services, target, UploadShape(PickFilter(min_rating=4)))
    shoot = tmp_path / "Picks"
    (shoot / "Ceremony").mkdir(parents=True)
    photo_with_rating(shoot / "loose_5.jpg", 5)
    photo_with_rating(shoot / "Ceremony" / "c_2.jpg", 2)

    viewport = main_window.tree_panel.tree.viewport()
    assert drop_on(viewport, tree_point(main_window, target), file_mime([shoot]))
    qtbot.waitUntil(lambda: ui.choosing.mirror_question is not None and ui.choosing.mirror_question.isVisible())
    assert plain(ui.choosing.mirror_question.informativeText()).endswith(
        f"Upload Options for '{DAY_ONE}': picks: at least 4★."
    )
    ui.choosing.mirror_question.flat_button.click()
    qtbot.waitUntil(lambda: "(picks: at least 4★)" in plain(main_window.status.currentMessage()))

    qtbot.waitUntil(lambda: ui.model.counts[q.DONE][0] == 1 and ui.model.counts[q.FILTERED][0] == 1, timeout=15_000)
    states = {i.name: i.state for i in q.iter_items(services.store)}
    assert states == {"loose_5.jpg": q.DONE, "c_2.jpg": q.FILTERED}
