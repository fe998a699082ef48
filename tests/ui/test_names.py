"""Names in other scripts and long names: paths keep their written order, long titles elide in the middle."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QLabel

from studio_desktop.ui.uploads.controller import target_name

from .gallery_support import open_in_grid, select_node

WEDDING = "החתונה של שרה"  # "Sarah's wedding"
CEREMONY = "טקס החופה"  # "the ceremony"


def _plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def _x(line, position: int) -> float:
    found = line.cursorToX(position)
    return found[0] if isinstance(found, tuple) else found


def visual_span(text: str, part: str, font) -> tuple[float, float]:
    """Where ``part`` of ``text`` lands on screen."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    # As a label draws plain text: the paragraph's direction comes from the text's first strong letter.
    option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)
    layout.endLayout()
    start = text.index(part)
    xs = [_x(line, position) for position in range(start, start + len(part) + 1)]
    return min(xs), max(xs)


def assert_in_written_order(text: str, first: str, second: str, font) -> None:
    left, right = visual_span(text, first, font), visual_span(text, second, font)
    assert left[1] <= right[0], f"{second!r} is drawn before {first!r} in {text!r}"


def _hebrew_gallery(gallery, sp, run_async, ids, qtbot):
    run_async(sp.event_rename(ids["event_wedding"], WEDDING))
    run_async(sp.album_rename(ids["album_ceremony"], CEREMONY))
    tree = gallery.window.tree_panel
    old = tree.model.root
    gallery.window.actions.refresh.trigger()
    qtbot.waitUntil(lambda: tree.model.root is not old, timeout=10_000)


def test_a_right_to_left_album_path_reads_in_written_order(gallery, gui_session, sp, run_async, ids, qtbot):
    window = gallery.window
    _hebrew_gallery(gallery, sp, run_async, ids, qtbot)
    open_in_grid(gallery, qtbot, "album", ids["album_ceremony"])
    window.resize(1240, 700)
    title = window.grid_panel.title
    qtbot.waitUntil(lambda: "…" not in QLabel.text(title))
    assert _plain(title.text()) == f"{WEDDING} › {CEREMONY}"
    assert_in_written_order(QLabel.text(title), WEDDING, CEREMONY, title.font())  # as drawn
    # The queue's Gallery / album column and New Album's "goes into" line say it the same way.
    queue_name = target_name(gui_session.window, ids["event_wedding"], ids["album_ceremony"])
    assert_in_written_order(queue_name, WEDDING, CEREMONY, title.font())
    select_node(gallery, qtbot, "album", ids["album_ceremony"])
    window.actions["gallery_new_album"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "newAlbumDialog" and w.isVisible())
    document = QTextDocument()
    document.setHtml(dialog.heading.text())
    assert_in_written_order(document.toPlainText(), WEDDING, CEREMONY, dialog.heading.font())
    dialog.close()


def test_a_long_title_is_shortened_in_the_middle_with_the_whole_path_in_its_tooltip(gallery, sp, run_async, ids, qtbot):
    long_name = "Harper and Liam, a very long wedding weekend at the lake house with everyone " * 2
    run_async(sp.event_rename(ids["event_wedding"], long_name.strip()[:120]))
    tree = gallery.window.tree_panel
    old = tree.model.root
    gallery.window.actions.refresh.trigger()
    qtbot.waitUntil(lambda: tree.model.root is not old, timeout=10_000)
    open_in_grid(gallery, qtbot, "album", ids["album_ceremony"])
    title = gallery.window.grid_panel.title
    shown = QLabel.text(title)  # what is drawn
    assert "…" in shown and _plain(shown).endswith("Ceremony")
    assert title.fontMetrics().horizontalAdvance(shown) <= title.contentsRect().width()
    assert _plain(title.toolTip()) == f"{long_name.strip()[:120]} › Ceremony"


def test_gallery_info_shows_a_long_wrapped_name_whole(gallery, sp, run_async, ids, qtbot):
    from .gallery_support import select_node, wait_dialog

    long_name = (
        "Harper and Liam — a long weekend wedding at the lake house, with the rehearsal dinner, ceremony and brunch"
    )
    run_async(sp.event_rename(ids["event_wedding"], long_name))
    tree = gallery.window.tree_panel
    old = tree.model.root
    gallery.window.actions.refresh.trigger()
    qtbot.waitUntil(lambda: tree.model.root is not old, timeout=10_000)
    select_node(gallery, qtbot, "event", ids["event_wedding"])
    gallery.actions["event_info"].trigger()
    dialog = wait_dialog(qtbot, gallery, "eventInfoDialog")
    qtbot.waitUntil(lambda: "Photos" in dialog.values, timeout=10_000)
    values = [w for w in dialog.findChildren(QLabel) if w.wordWrap() and w.isVisible() and w.text()]
    assert any(w.heightForWidth(w.width()) > w.fontMetrics().height() * 1.5 for w in values), "nothing wrapped"

    def cut_off():
        return [w.objectName() for w in values if w.height() < w.heightForWidth(w.width())]

    try:
        qtbot.waitUntil(lambda: not cut_off(), timeout=2000)
    except AssertionError:
        raise AssertionError(f"cut off: {cut_off()}") from None
    dialog.close()
