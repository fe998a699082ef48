"""Screen readers: every widget that can take the focus has an accessible name, in the window and its dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QMenu, QWidget

from .gallery_support import activate, open_in_grid, select_node, select_rows
from .test_small_screens import _open_every_panel

#: Commands that open the system's file chooser (a native modal dialog) or end the app: not opened here.
NOT_OPENED = {
    "quit",
    "upload_photos",
    "upload_folder",
    "photo_replace",
    "event_cover_from_file",
    "album_cover_from_file",
}


def accessible_name(widget: QWidget) -> str:
    """What a screen reader announces: the name, or (combo boxes on Linux) the label it is labelled by."""
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None:
        return ""
    name = interface.text(QAccessible.Text.Name)
    if isinstance(widget, QComboBox):
        labels = [
            other.text(QAccessible.Text.Name)
            for other, _relation in interface.relations(QAccessible.RelationFlag.Label)
        ]
        name = " ".join([widget.accessibleName(), *labels]) or name
    return name


def _is_combo_popup_part(widget: QWidget) -> bool:
    # A combo box's drop-down list belongs to the combo, which carries the name.
    window = widget.window()
    return window is not None and window.windowType() == Qt.WindowType.Popup and window is not widget


def unnamed_focusable(root: QWidget) -> list[str]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or isinstance(widget, QMenu) or widget.isHidden():
            continue
        parent = widget.parentWidget()
        if _is_combo_popup_part(widget) or isinstance(parent, QAbstractSpinBox):
            continue
        name = accessible_name(widget).strip()
        # "×" or "…" alone is read out as a symbol, not as what the button does.
        if not any(ch.isalnum() for ch in name):
            found.append(
                f"{type(widget).__name__} {widget.objectName()!r} in "
                f"{type(parent).__name__ if parent else None} {parent.objectName() if parent else ''!r}"
                f" ({name!r})"
            )
    return found


#: The upload dialogs open once the remembered folder is looked at in a worker thread, not at once.
UPLOAD_DIALOGS = {"upload_photos": "uploadFilesDialog", "upload_folder": "uploadFolderDialog"}


def _open_dialogs(window, names, qtbot) -> None:
    opened = []
    for name in names:
        if name in NOT_OPENED:
            continue
        action = window.actions[name]
        if action.isEnabled() and action.text().replace("\t", " ").split(" ")[0] and "…" in action.text():
            action.trigger()
            opened.append(name)
    expected = [UPLOAD_DIALOGS[name] for name in opened if name in UPLOAD_DIALOGS]

    def shown() -> bool:
        visible = {w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible()}
        return all(dialog in visible for dialog in expected)

    qtbot.waitUntil(shown, timeout=10_000)
    qtbot.wait(300)


def _shown_windows(window) -> list[QWidget]:
    return [
        w for w in QApplication.topLevelWidgets() if w.isVisible() and (w is window or w.parentWidget() is not None)
    ]


def test_no_focusable_widget_is_unnamed_in_the_window_and_every_dialog(gallery, gui_session, ids, qtbot):
    window = gallery.window
    _open_every_panel(window, qtbot)
    problems: set[str] = set()
    for root in _shown_windows(window):
        problems.update(unnamed_focusable(root))
    names = [name for name, _action in window.actions]

    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=2)
    select_rows(gallery, [0])
    _open_dialogs(
        window,
        [n for n in names if n.startswith(("event_", "photo_", "gallery_", "upload", "hot", "sign", "about"))],
        qtbot,
    )
    for root in _shown_windows(window):
        problems.update(unnamed_focusable(root))
    for dialog in _shown_windows(window):
        if dialog is not window:
            dialog.close()

    activate(gallery, qtbot)
    select_node(gallery, qtbot, "album", ids["album_ceremony"])
    _open_dialogs(window, [n for n in names if n.startswith("album_")], qtbot)
    for root in _shown_windows(window):
        problems.update(unnamed_focusable(root))
    for dialog in _shown_windows(window):
        if dialog is not window:
            dialog.close()
    assert not sorted(problems), "\n".join(sorted(problems))


def test_every_menu_gives_each_command_its_own_letter(gallery, ids, qtbot):
    window = gallery.window
    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=2)
    for top in window.menuBar().actions():
        letters: dict[str, list[str]] = {}
        for action in top.menu().actions():
            text = action.text().split("\t")[0]
            if "&" in text.replace("&&", "") and action.isVisible():
                letter = text.replace("&&", "")[text.replace("&&", "").index("&") + 1].lower()
                letters.setdefault(letter, []).append(text)
        twice = {letter: texts for letter, texts in letters.items() if len(texts) > 1}
        assert not twice, f"{top.text()}: {twice}"
