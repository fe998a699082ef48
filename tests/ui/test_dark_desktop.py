"""A dark desktop: text the app colours itself (queue states, banners, form errors) stays readable, and the
window's Theme choice (Light / Dark / System) applies and is remembered."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from imagegen import make_jpeg, make_truncated_jpeg
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from studio_desktop.core.settings import load_settings
from studio_desktop.ui.uploads.queue_model import Column
from studio_desktop.uploads.records import queue as q

from .upload_support import TEST_GALLERY, find_target, upload_ui

#: WCAG AA for normal text.
AA = 4.5
#: A typical dark desktop theme (KDE Breeze Dark's main colours).
BREEZE_DARK = {
    QPalette.ColorRole.Window: "#202326",
    QPalette.ColorRole.WindowText: "#fcfcfc",
    QPalette.ColorRole.Base: "#141618",
    QPalette.ColorRole.AlternateBase: "#1d1f22",
    QPalette.ColorRole.Text: "#fcfcfc",
    QPalette.ColorRole.Button: "#292c30",
    QPalette.ColorRole.ButtonText: "#fcfcfc",
    QPalette.ColorRole.Highlight: "#3daee9",
    QPalette.ColorRole.HighlightedText: "#fcfcfc",
    QPalette.ColorRole.PlaceholderText: "#a1a9b1",
}


def _luminance(rgb: int) -> float:
    color = QColor.fromRgb(rgb)

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def _ratio(a: int, b: int) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _backdrop(widget: QWidget) -> QColor:
    image = widget.window().grab(QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())).toImage()
    pixels = Counter(image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3))
    return QColor.fromRgb(pixels.most_common(1)[0][0])


def rendered_contrast(widget: QWidget, rect: QRect | None = None) -> float:
    """Contrast of the text as drawn: the commonest colour is the background, the farthest from it the ink."""
    window = widget.window()
    area = rect if rect is not None else widget.rect()
    image = window.grab(QRect(widget.mapTo(window, area.topLeft()), area.size())).toImage()
    pixels = Counter(image.pixel(x, y) for x in range(image.width()) for y in range(image.height()))
    background = pixels.most_common(1)[0][0]
    return max(_ratio(background, pixel) for pixel in pixels)


@pytest.fixture
def dark_desktop(qapp):
    """The desktop switches to a dark theme while the app runs (as a dark-mode toggle does)."""
    style, palette = qapp.style().name(), QPalette(qapp.palette())
    qapp.setStyle("Fusion")
    dark = QPalette()
    for role, value in BREEZE_DARK.items():
        dark.setColor(role, QColor(value))
    qapp.setPalette(dark)
    yield dark
    qapp.setStyle(style)
    qapp.setPalette(palette)


def test_queue_states_banners_and_form_errors_are_readable_on_a_dark_desktop(
    main_window, gui_session, qtbot, tmp_path, dark_desktop, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: broken.jpg"
    ui = upload_ui(gui_session)
    people = gui_session.people
    ui.choosing.upload(
        [make_jpeg(tmp_path / "fine.jpg"), make_truncated_jpeg(tmp_path / "broken.jpg")],
        find_target(main_window, TEST_GALLERY),
    )

    def row_in(state):
        return ui.model.find_row(lambda r: r.state == state)

    qtbot.waitUntil(lambda: row_in(q.DONE) is not None and row_in(q.FAILED) is not None, timeout=15_000)
    ui.dock.show()
    main_window.resize(1200, 760)
    measured: dict[str, float] = {}
    table = ui.panel.table
    for state in (q.DONE, q.FAILED):
        index = ui.model.index(row_in(state), Column.STATE)
        table.scrollTo(index)
        measured[f"queue {state}"] = rendered_contrast(table.viewport(), table.visualRect(index))

    for kind in ("error", "warning", "info"):
        banner = ui.panel.set_banner(f"test_{kind}", f"Uploads stopped ({kind}): your plan is full.", kind)
        qtbot.waitUntil(banner.label.isVisible)
        measured[f"queue banner {kind}"] = rendered_contrast(banner.label)
        ui.panel.clear_banner(f"test_{kind}")

    contacts = people.docks.contacts
    main_window.side_panel("contacts").show()
    main_window.side_panel("contacts").raise_()
    qtbot.waitUntil(contacts.isVisible)
    for kind in ("error", "warning"):
        contacts.banner.show_message(f"Could not load the contacts ({kind}).", kind)
        qtbot.waitUntil(contacts.banner.label.isVisible)
        measured[f"people banner {kind}"] = rendered_contrast(contacts.banner.label)
        button = contacts.banner.close_button
        assert button.isVisible() and button.width() > 0, (button.isVisible(), button.size())
        measured[f"people banner {kind} close button"] = rendered_contrast(button)

    main_window.actions["gallery_new_event"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "newEventDialog" and w.isVisible())
    dialog.show_error("A gallery needs a name.")
    qtbot.waitUntil(dialog.error.isVisible)
    measured["form error"] = rendered_contrast(dialog.error)
    dialog.close()

    low = {where: round(ratio, 2) for where, ratio in measured.items() if ratio < AA}
    assert not low, f"below {AA}:1 on a dark desktop: {low}"


def test_the_theme_menu_switches_to_dark_and_remembers_it(main_window, gui_session, qtbot, qapp, run_async):
    from studio_desktop.ui import theme

    try:
        main_window.findChild(object, "action_scheme_dark").trigger()
        assert theme.is_dark(qapp.palette())
        run_async(gui_session.services.flush_settings())  # saved off the UI thread
        assert load_settings().window["color_scheme"] == "dark"
        assert rendered_contrast(main_window.status) >= AA
        # Every part turns dark, the ones under a style sheet or with a toned backdrop too.
        for view in (main_window.tree_panel.tree, main_window.grid_view):
            assert _backdrop(view.viewport()).lightness() < 100, view.objectName()
        people = gui_session.people
        main_window.side_panel("contacts").show()
        main_window.side_panel("contacts").raise_()
        qtbot.waitUntil(people.docks.contacts.count_label.isVisible)
        people.docks.contacts.count_label.setText("8 contacts known")
        assert rendered_contrast(people.docks.contacts.count_label) >= AA
        # The toolbar's Pause icon is drawn light on the dark toolbar.
        pause = main_window.toolbar.widgetForAction(main_window.actions["pause_uploads"])
        icon = pause.icon().pixmap(16, 16).toImage()
        inked = [icon.pixelColor(x, y) for x in range(16) for y in range(16) if icon.pixelColor(x, y).alpha() > 200]
        assert inked and min(c.lightness() for c in inked) > 128, "the Pause icon stays dark on a dark toolbar"
        main_window.findChild(object, "action_scheme_light").trigger()
        assert not theme.is_dark(qapp.palette())
        run_async(gui_session.services.flush_settings())
        assert load_settings().window["color_scheme"] == "light"
    finally:
        theme.apply_scheme(qapp, theme.SYSTEM)
