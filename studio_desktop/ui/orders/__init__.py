"""The Orders panel (orders of a gallery or a brand, and invoices), docked beside the people panels.

``installer.install_orders(session)`` wires it. Nothing is imported here, so any module of
the package can be imported first.
"""
