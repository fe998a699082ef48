"""The people side of the window: :func:`install_people` adds sign-in and sign-out (:mod:`.signing_in`) and
the contacts and clients docks (:mod:`.people_docks`), and keeps the docks on the clients of the sign-ins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from studio_desktop.ui.people.people_docks import PeopleDocks
from studio_desktop.ui.people.signing_in import SignIns

if TYPE_CHECKING:
    from studio_desktop.ui.app_wiring import GuiSession


class PeopleUi(QObject):
    """The people side of one main window: the sign-ins and the people docks. Make it with :func:`install_people`."""

    def __init__(self, session: GuiSession, **options: Any):
        window = session.window
        super().__init__(window)
        self.signing_in = signing_in = SignIns(session, parent=self, **options)
        self.docks = docks = PeopleDocks(
            window, session.services, session.tasks, signing_in.current_pixieset, parent=self
        )
        for panel in (docks.contacts, docks.clients):
            panel.auth_failed.connect(signing_in.accounts.note_auth_failure)
            panel.status_message.connect(window.status.show_info)
            panel.sign_in_requested.connect(signing_in.open_sign_in)
        signing_in.shootproof_leaving.connect(docks.release_shootproof)
        signing_in.shootproof_applied.connect(docks.apply_shootproof)
        signing_in.pixieset_applied.connect(lambda reload: docks.apply_pixieset(reload=reload))

    async def start(self) -> None:
        """Apply this run's or the saved sign-ins; never raises."""
        await self.signing_in.start()

    async def aclose(self) -> None:
        self.docks.close()
        await self.signing_in.aclose()


def install_people(session: GuiSession, **options: Any) -> PeopleUi:
    """Add the people side to the session's window; it is stopped with the services (``services.extras``).

    Call ``await people.start()`` before the controller starts, to apply the saved sign-ins.
    """
    ui = PeopleUi(session, **options)
    session.services.extras["people_ui"] = ui
    return ui
