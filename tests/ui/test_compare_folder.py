"""Gallery → Compare with Folder…: the report against the sandbox, and Upload Missing through the app's queue."""

from __future__ import annotations

from imagegen import make_jpeg

from studio_desktop.ui.gallery.compare_dialog import CompareDialog

from .gallery_support import WAIT_MS, press, select_node, trigger_from_menu, wait_dialog

ALBUM = "album"


def album_names(sp, run_async, album_id: int) -> list[str]:
    async def names():
        return sorted([p.name async for p in sp.iter_album_photos(album_id, limit=1000)])

    return run_async(names())


def test_compare_lists_the_differences_and_uploads_the_missing_photos(
    gallery, sandbox, sp, run_async, qtbot, ids, tmp_path
):
    album_id = ids["album_level2"]
    in_gallery = album_names(sp, run_async, album_id)
    folder = tmp_path / "Bride"
    make_jpeg(folder / "NEW_0001.jpg", size=(40, 30))
    make_jpeg(folder / "NEW_0002.jpg", size=(41, 30))

    select_node(gallery, qtbot, ALBUM, album_id)
    menu = gallery.menus.build_tree_menu(gallery.current_node())
    assert any(a.objectName() == "action_gallery_compare" and a.isEnabled() for a in menu.actions())
    sandbox.studio.clear_request_log()
    dialog = gallery.compare.open_report(gallery.current_node(), str(folder))
    assert isinstance(dialog, CompareDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT_MS)

    counts = dialog.report.counts
    assert counts["only_in_folder"] == 2 and counts["only_in_gallery"] == len(in_gallery)
    assert dialog.upload_button.isEnabled() and dialog.upload_button.text() == "&Upload Missing (2)"
    top = dialog.tree.topLevelItem(0)
    sections = [top.child(i).text(0) for i in range(top.childCount())]
    assert sections[0] == "Only in the folder (2)"
    assert sandbox.studio.count_requests("sp.photo.upload") == 0, "comparing changes nothing"

    press(qtbot, dialog.upload_button)
    qtbot.waitUntil(lambda: "2 photo(s) added to the upload queue" in dialog.summary.text(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: album_names(sp, run_async, album_id) == sorted([*in_gallery, "NEW_0001.jpg", "NEW_0002.jpg"]),
        timeout=20_000,
    )
    press(qtbot, dialog.again_button)
    qtbot.waitUntil(
        lambda: (
            dialog.report is not None
            and dialog.report.counts["only_in_folder"] == 0
            and dialog.report.counts["same"] == 2
        ),
        timeout=WAIT_MS,
    )
    assert not dialog.upload_button.isEnabled()
    assert sandbox.studio.count_requests("sp.photo.delete") == 0


def test_compare_action_opens_a_folder_picker(gallery, qtbot, ids):
    select_node(gallery, qtbot, "event", ids["event_wedding"])
    trigger_from_menu(gallery.menus.menu, "gallery_compare")
    picker = wait_dialog(qtbot, gallery, "compareFolderPicker")
    picker.reject()
