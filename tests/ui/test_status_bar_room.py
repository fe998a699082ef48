"""A status message is not cut off at the default window width: the studio and brand names make room."""

from __future__ import annotations

MESSAGE = "Queued for 'Smith Family Reunion › Day 1 › Ceremony' — progress is in Uploads below."


def test_a_long_message_fits_at_1240_px_and_the_names_come_back_after(main_window, qtbot):
    status = main_window.status
    main_window.resize(1240, 800)
    qtbot.waitUntil(lambda: main_window.width() == 1240 and status.plan_label.text() != "")
    account = status.account_label
    full_account = account.sizeHint().width()
    box = account.parentWidget()
    assert box.geometry().left() - 8 < status.fontMetrics().horizontalAdvance(MESSAGE), (
        "the names leave room enough: the test would show nothing"
    )

    status.show_info(MESSAGE)
    # Qt paints the message from x = 6 up to the permanent widgets, and cuts it there.
    text_width = status.fontMetrics().horizontalAdvance(MESSAGE)
    qtbot.waitUntil(lambda: box.geometry().left() - 8 >= text_width)
    assert status.currentMessage() == MESSAGE
    assert account.width() < full_account and account.text()  # elided, still there

    status.clearMessage()
    qtbot.waitUntil(lambda: account.width() == full_account)
