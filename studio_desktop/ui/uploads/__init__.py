"""The GUI's upload side: queue dock, drops, hot folders, upload settings, notifications.

``installer.install_upload_ui(window, services)`` wires it. Nothing is imported here,
so any module of the package can be imported first.
"""
