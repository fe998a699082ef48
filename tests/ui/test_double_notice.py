"""A photo two computers left in a gallery twice is said in the window at once, where the user looks."""

from __future__ import annotations

from studio_desktop.core.bidi import plain
from studio_desktop.uploads import events as ev

from .upload_support import upload_ui


def test_a_double_left_for_the_user_is_announced_in_the_window(gui_session, qtbot):
    ui = upload_ui(gui_session)
    engine = gui_session.services.engine
    text = (
        "IMG_0001.jpg is in the gallery more than once (photos 11, 12); this computer's is photo 11, the lowest, "
        "and was kept. The other copies were not uploaded from here and were left alone."
    )
    engine._emit(ev.DoubleLeft(text))  # as the engine's check after sending does (tested in tests/uploads)
    qtbot.waitUntil(lambda: bool(ui.notifier.history))
    title, message = ui.notifier.history[-1]
    assert plain(title) == "A photo may be in a gallery twice"
    assert plain(message) == text
