"""The Orders panel: a gallery's and a brand's orders, filled in with customers and items, and invoices."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from studio_desktop.gallery.orders import list_orders, money
from studio_desktop.gallery.tree_nodes import EVENT
from studio_desktop.ui.main_window import panel_of

from .gallery_support import select_node

WAIT_MS = 20_000


def show_orders(qtbot, window):
    window.actions["show_orders"].trigger()
    dock = window.side_panel("orders")
    qtbot.waitUntil(lambda: dock.isVisible() and not dock.visibleRegion().isEmpty(), timeout=WAIT_MS)
    return panel_of(dock)


def wait_orders(qtbot, panel):
    qtbot.waitUntil(
        lambda: (
            panel.orders_task is None
            and panel.orders_model.rowCount() > 0
            and all(row.details is not None for row in panel.orders_model.rows)
        ),
        timeout=WAIT_MS,
    )


def cell(model, row, column):
    return model.index(row, column).data()


def test_a_gallerys_orders_with_customer_items_total_and_status(
    gallery, gui_session, sp, run_async, qtbot, ids, qtmodeltester
):
    window = gui_session.window
    select_node(gallery, qtbot, EVENT, ids["event_wedding"])
    panel = show_orders(qtbot, window)
    wait_orders(qtbot, panel)
    expected = run_async(list_orders(sp, event_id=ids["event_wedding"]))
    model = panel.orders_model
    qtmodeltester.check(model)
    assert [row.order.id for row in model.rows] == [order.id for order in expected]
    assert panel.scope.currentData() == "gallery"
    assert panel.scope_label.text() == f"{len(expected)} orders in “Harper & Liam Wedding”"

    first = next(r for r in range(model.rowCount()) if cell(model, r, 0) == "2024-10-01")
    assert cell(model, first, 2) == "Harper Lewis"
    assert cell(model, first, 3) == "4"  # 2 prints, a canvas, a download
    assert cell(model, first, 4) == money(expected[first].grand_total, "USD")
    assert cell(model, first, 5) == "Completed"
    assert model.index(first, 4).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight

    panel.orders_view.setCurrentIndex(model.index(first, 0))
    html = panel.order_details.toPlainText()
    assert "2 ×" in html and "Print 8x10" in html and "Canvas 16x20" in html and "harper.lewis@example.com" in html

    unpaid = [r for r in range(model.rowCount()) if cell(model, r, 5).endswith("unpaid")]
    assert not unpaid, "every wedding order was paid"


def test_the_whole_brand_and_then_no_gallery(gallery, gui_session, sp, run_async, qtbot, ids):
    window = gui_session.window
    select_node(gallery, qtbot, EVENT, ids["event_wedding"])
    panel = show_orders(qtbot, window)
    wait_orders(qtbot, panel)
    in_gallery = panel.orders_model.rowCount()

    panel.scope.setCurrentIndex(panel.scope.findData("brand"))
    wait_orders(qtbot, panel)
    brand_events = {node.id for node in window.tree_panel.model.root.children}
    everything = run_async(list_orders(sp))
    expected = [order for order in everything if order.event_id in brand_events]
    assert panel.orders_model.rowCount() == len(expected) > in_gallery
    assert len(everything) > len(expected), "orders of other brands stay out"
    assert {cell(panel.orders_model, r, 1) for r in range(panel.orders_model.rowCount())} >= {
        "Harper & Liam Wedding",
        "Okafor Family Session",
    }
    newborn = [r for r in range(panel.orders_model.rowCount()) if "Noah" in cell(panel.orders_model, r, 1)]
    assert not newborn


def test_invoices_follow_the_contact_selected_in_contacts(gallery, gui_session, qtbot, ids):
    window, people = gui_session.window, gui_session.people
    contacts_dock = window.side_panel("contacts")
    contacts_dock.show()
    contacts = people.docks.contacts
    qtbot.waitUntil(lambda: contacts.directory is not None and contacts.model.rowCount() > 0, timeout=WAIT_MS)
    panel = show_orders(qtbot, window)
    panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.invoices_task is None and panel.invoices_model.rowCount() > 1, timeout=WAIT_MS)
    everyone = panel.invoices_model.rowCount()

    def harper_row():
        return next(
            (
                r
                for r in range(contacts.proxy.rowCount())
                if contacts.proxy.index(r, 0).data(Qt.ItemDataRole.DisplayRole).startswith("Harper")
            ),
            None,
        )

    # The known contacts arrive in more than one step: wait for hers.
    qtbot.waitUntil(lambda: harper_row() is not None, timeout=WAIT_MS)
    harper = harper_row()
    contacts.list_view.setCurrentIndex(contacts.proxy.index(harper, 0))
    qtbot.waitUntil(lambda: panel.contact is not None and panel.invoices_task is None, timeout=WAIT_MS)
    model = panel.invoices_model
    assert model.rowCount() == 1 < everyone
    assert [cell(model, 0, c) for c in range(4)] == ["LG-2024-031", "Harper Lewis", "Paid", "2024-03-02"]
    # 4,650.00 of taxable items at 7.25 %.
    assert cell(model, 0, 5) == money(Decimal("4650.00") * Decimal("1.0725"), "USD") == "$4,987.13"
    panel.invoices_view.setCurrentIndex(model.index(0, 0))
    assert "Wedding collection" in panel.invoice_details.toPlainText()

    panel.only_contact.setChecked(False)
    qtbot.waitUntil(
        lambda: panel.invoices_task is None and panel.invoices_model.rowCount() == everyone, timeout=WAIT_MS
    )


def test_nothing_is_loaded_until_the_panel_is_shown(gallery, gui_session, sandbox, qtbot, ids):
    before = sandbox.studio.count_requests("sp.order.get_list")
    select_node(gallery, qtbot, EVENT, ids["event_wedding"])
    assert sandbox.studio.count_requests("sp.order.get_list") == before
    panel = show_orders(qtbot, gui_session.window)
    wait_orders(qtbot, panel)
    assert sandbox.studio.count_requests("sp.order.get_list") > before
