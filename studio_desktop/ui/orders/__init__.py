"""The Orders panel (orders of a gallery or a brand, and invoices), docked beside the people panels."""

from studio_desktop.ui.orders.installer import OrdersUi, install_orders

__all__ = ["OrdersUi", "install_orders"]
