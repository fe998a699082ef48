""":func:`install_orders` docks the Orders panel and keeps it on what the window shows: the brand and gallery
of the tree, the contact selected in Contacts, the ShootProof sign-in of the moment.

The panel loads nothing until its dock is first shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence

from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.ui.orders.orders_panel import OrdersPanel
from studio_desktop.ui.people.people_docks import layout_knows

if TYPE_CHECKING:
    from studio_desktop.ui.app_wiring import GuiSession

ORDERS_DOCK = "orders"
ORDERS_SHORTCUT = "Ctrl+Shift+O"
#: Width of the dock the first time it opens: room for date, customer, items, total and status.
FIRST_DOCK_WIDTH = 440


class OrdersUi(QObject):
    def __init__(self, session: GuiSession):
        window = session.window
        super().__init__(window)
        self.session = session
        self.window = window
        self.panel = OrdersPanel(session.tasks)
        first_time = not layout_knows(session.services.settings.window, f"dock_{ORDERS_DOCK}")
        self.dock = window.add_side_panel(
            self.panel, "Orders", Qt.DockWidgetArea.RightDockWidgetArea, name=ORDERS_DOCK, visible=False
        )
        people = getattr(session, "people", None)
        if first_time and people is not None:
            window.tabifyDockWidget(people.docks.clients_dock, self.dock)
        self._size_on_first_show = first_time
        toggle = self.dock.toggleViewAction()
        toggle.setText("&Orders and Invoices")
        toggle.setShortcut(QKeySequence(ORDERS_SHORTCUT))
        toggle.setStatusTip("Show or hide the orders of this gallery or brand, and invoices")
        toggle.setToolTip(f"Orders and invoices ({ORDERS_SHORTCUT})")
        toggle.triggered.connect(lambda checked: self.dock.raise_() if checked else None)
        window.actions.add("show_orders", toggle)

        self.panel.status_message.connect(window.status.show_info)
        self.dock.visibilityChanged.connect(self._shown)
        session.controller.tree_loaded.connect(self._follow_tree)
        window.current_target_changed.connect(lambda _target: self._follow_tree())
        if people is not None:
            self.panel.auth_failed.connect(people.signing_in.accounts.note_auth_failure)
            contacts = people.docks.contacts
            contacts.list_view.selectionModel().currentChanged.connect(
                lambda *_args: self.panel.set_contact(contacts.current_contact())
            )

    def _shown(self, shown: bool) -> None:
        if shown and self._size_on_first_show:
            self._size_on_first_show = False
            self.window.resizeDocks([self.dock], [FIRST_DOCK_WIDTH], Qt.Orientation.Horizontal)
        if shown:
            self._follow_tree()
            self.panel.set_live(True)

    def _follow_tree(self) -> None:
        services, controller = self.session.services, self.session.controller
        if self.panel.client is not services.shootproof:
            self.panel.client = services.shootproof
            self.panel.reload()
        brand = controller.current_brand()
        events = frozenset(node.id for node in self.window.tree_panel.model.root.children)
        target: GalleryTarget | None = self.window.current_target()
        gallery = (target.event_id, target.event_name) if target is not None else None
        self.panel.set_scope(brand.id if brand else None, brand.name if brand else "", events, gallery)


def install_orders(session: GuiSession, **_options: Any) -> OrdersUi:
    return OrdersUi(session)
