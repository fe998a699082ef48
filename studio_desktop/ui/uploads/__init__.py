"""The GUI's upload side: queue dock, drops, hot folders, upload settings, notifications."""

from studio_desktop.ui.uploads.installer import UploadUi, install_upload_ui

__all__ = ["UploadUi", "install_upload_ui"]
