"""One truth about the ShootProof sign-in: the dialog and the status bar never disagree."""

from __future__ import annotations

from studio_desktop.ui.status_bar import ConnectionState

WAIT_MS = 10_000


def test_a_refused_pasted_token_leaves_the_sign_in_and_the_status_bar_as_they_were(
    main_window, gui_session, qtbot, click
):
    people = gui_session.people
    qtbot.waitUntil(lambda: main_window.status.state == ConnectionState.ONLINE, timeout=WAIT_MS)
    dialog = people.signing_in.open_sign_in()
    assert dialog.sp_status.text.text().startswith("Signed in")

    dialog.token_edit.setText("notavalidtoken123")
    click(dialog.token_button)
    qtbot.waitUntil(lambda: not dialog._token_running, timeout=WAIT_MS)
    assert dialog.token_error.text() == "ShootProof did not accept this access token."
    assert people.signing_in.shootproof.signed_in and not people.signing_in.shootproof.needs_sign_in
    assert dialog.sp_status.text.text().startswith("Signed in")
    assert main_window.status.state == ConnectionState.ONLINE
    assert main_window.status.connection_label.text() == "Online"
    assert people.signing_in.banner.isHidden()

    # Still signed in for real: the galleries load.
    main_window.actions.refresh.trigger()
    qtbot.waitUntil(lambda: main_window.tree_panel.model.event_count() > 0, timeout=WAIT_MS)
    assert main_window.status.state == ConnectionState.ONLINE
