"""The people docks: ShootProof contacts and Pixieset clients, beside the tree and the grid.

The panels load only once their dock has been shown: a hidden contacts panel
would otherwise page through every gallery at each start. Each is handed its
client by :meth:`PeopleDocks.apply_shootproof` / :meth:`PeopleDocks.apply_pixieset`
when a sign-in changes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

from studio_desktop.api.models import Contact
from studio_desktop.api.pixieset_models import Client
from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.people.cache import ContactsCache
from studio_desktop.ui.main_window import STATE_KEY, _decode, _encode, panel_of
from studio_desktop.ui.people.clients_panel import ClientsPanel
from studio_desktop.ui.people.contacts_panel import ContactsPanel

CONTACTS_DOCK = "contacts"
CLIENTS_DOCK = "clients"
CONTACTS_SHORTCUT = "Ctrl+Shift+C"
CLIENTS_SHORTCUT = "Ctrl+Shift+L"
#: Keys of the list/editor splitter positions in the settings file's ``window`` mapping.
CONTACTS_SPLITTER_KEY = "contacts_splitter"
CLIENTS_SPLITTER_KEY = "clients_splitter"
#: Width of the people docks the first time they open; later the saved layout decides.
FIRST_DOCK_WIDTH = 380


def layout_knows(window_settings: dict[str, Any], dock_object_name: str) -> bool:
    """Whether the saved window layout places this dock (Qt stores object names as UTF-16 in the state)."""
    text = window_settings.get(STATE_KEY)
    if not isinstance(text, str) or not text:
        return False
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return dock_object_name.encode("utf-16-be") in data


class PeopleDocks(QObject):
    """The contacts and clients panels in their docks, and the show/hide actions of the docks."""

    def __init__(
        self,
        window: QMainWindow,
        services: Any,
        tasks: Any,
        pixieset: Callable[[], Any | None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.window = window
        self.services = services
        self._closed = False
        #: The Pixieset client while signed in, else None (asked each time: sign-ins change it).
        self.pixieset = pixieset
        self.contacts = ContactsPanel(tasks, services.store)
        self.clients = ClientsPanel(tasks)
        first_time = {
            name: not layout_knows(services.settings.window, f"dock_{name}") for name in (CONTACTS_DOCK, CLIENTS_DOCK)
        }
        self.contacts_dock: QDockWidget = window.add_side_panel(
            self.contacts, "Contacts", Qt.DockWidgetArea.RightDockWidgetArea, name=CONTACTS_DOCK, visible=False
        )
        self.clients_dock: QDockWidget = window.add_side_panel(
            self.clients, "Clients", Qt.DockWidgetArea.RightDockWidgetArea, name=CLIENTS_DOCK, visible=False
        )
        if first_time[CLIENTS_DOCK] and first_time[CONTACTS_DOCK]:
            window.tabifyDockWidget(self.contacts_dock, self.clients_dock)
        # The people lists want the window's full height; the upload queue spans the rest of the bottom.
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        # Applied when each dock first shows at its real height: applied earlier, the stretch factors
        # would share out the difference and move the handle.
        self._saved_splits = {
            dock: _decode(services.settings.window.get(key))
            for dock, key in ((self.contacts_dock, CONTACTS_SPLITTER_KEY), (self.clients_dock, CLIENTS_SPLITTER_KEY))
        }
        self._size_on_first_show = {
            dock
            for dock, first in (
                (self.contacts_dock, first_time[CONTACTS_DOCK]),
                (self.clients_dock, first_time[CLIENTS_DOCK]),
            )
            if first
        }
        self._live: set[QDockWidget] = set()

        self._make_actions()
        window.current_target_changed.connect(self._target_changed)
        self.contacts.pixieset_client_ready.connect(self.reveal_client)
        self.clients.contact_ready.connect(self.reveal_contact)
        self.contacts_dock.visibilityChanged.connect(lambda shown: self._dock_shown(self.contacts_dock, shown))
        self.clients_dock.visibilityChanged.connect(lambda shown: self._dock_shown(self.clients_dock, shown))

    def _make_actions(self) -> None:
        actions = self.window.actions
        for name, dock, text, shortcut, tip in (
            (
                "show_contacts",
                self.contacts_dock,
                "ShootProof &Contacts",
                CONTACTS_SHORTCUT,
                "Show or hide your ShootProof contacts",
            ),
            (
                "show_clients",
                self.clients_dock,
                "Pixieset C&lients",
                CLIENTS_SHORTCUT,
                "Show or hide your Pixieset clients and leads",
            ),
        ):
            toggle = dock.toggleViewAction()
            toggle.setText(text)
            toggle.setShortcut(QKeySequence(shortcut))
            toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            toggle.setStatusTip(tip)
            toggle.setToolTip(f"{tip} ({shortcut})")
            # Shown into a tab group, a dock stays behind the current tab unless raised.
            toggle.triggered.connect(lambda checked, dock=dock: dock.raise_() if checked else None)
            actions.add(name, toggle)

    def _account(self) -> str:
        return self.services.endpoints.api_url

    def release_shootproof(self) -> None:
        """Signed out: cancel the panels' requests before their client goes away."""
        self.contacts.set_client(None)
        self.clients.set_contacts(None)

    def apply_shootproof(self) -> None:
        client = self.services.shootproof
        directory = self.contacts.directory
        bound = directory.client if directory is not None else None
        if self.contacts_dock in self._live and self.services.store is not None and bound is not client:
            self.contacts.set_client(client, self._account())
        directory = self.contacts.directory
        self.clients.set_contacts(directory if directory is not None else self._directory_for_clients(client))

    def _directory_for_clients(self, client: Any) -> Any:
        """ "Copy to ShootProof" works while the contacts panel has not been opened yet (nothing is loaded)."""
        if client is None or self.services.store is None:
            return None
        from studio_desktop.people.directory import ContactDirectory

        return ContactDirectory(client, ContactsCache(self.services.store, self._account()))

    def apply_pixieset(self, *, reload: bool = False) -> None:
        """Hand the panels the Pixieset client (None when signed out); ``reload`` after a new sign-in."""
        if self._closed:
            return
        client = self.pixieset()
        self.contacts.set_pixieset(client)
        if self.clients_dock in self._live and (reload or self.clients.pixieset is not client):
            self.clients.set_client(client)

    # --- the docks --------------------------------------------------------------------------------

    def _dock_shown(self, dock: QDockWidget, shown: bool) -> None:
        if not shown or self._closed:
            return
        if dock in self._size_on_first_show:
            self._size_on_first_show.discard(dock)
            self.window.resizeDocks([dock], [FIRST_DOCK_WIDTH], Qt.Orientation.Horizontal)
        saved = self._saved_splits.pop(dock, None)
        if saved is not None:
            panel_of(dock).restore_split(saved)
        if dock in self._live:
            return
        self._live.add(dock)
        if dock is self.contacts_dock:
            self.apply_shootproof()
        else:
            self.apply_pixieset()

    def _raise(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()

    def reveal_client(self, client: Client) -> None:
        """A contact was copied to Pixieset: show that client in the clients panel."""
        self._raise(self.clients_dock)
        self.clients.reveal_client(client)

    def reveal_contact(self, contact: Contact) -> None:
        """A client was copied to ShootProof: show that contact in the contacts panel."""
        self._raise(self.contacts_dock)
        self.contacts.reveal_contact(contact)

    def _target_changed(self, target: GalleryTarget | None) -> None:
        if target is None:
            self.contacts.set_current_event(None)
        else:
            self.contacts.set_current_event(target.event_id, target.event_name)

    # --- closing -----------------------------------------------------------------------------------

    def close(self) -> None:
        """Keep the list/editor splits (a dock never shown this run keeps the split saved before)."""
        if self._closed:
            return
        self._closed = True
        self.services.update_window_settings(
            {
                key: _encode(panel_of(dock).splitter.saveState())
                for dock, key in (
                    (self.contacts_dock, CONTACTS_SPLITTER_KEY),
                    (self.clients_dock, CLIENTS_SPLITTER_KEY),
                )
                if dock in self._live
            }
        )
