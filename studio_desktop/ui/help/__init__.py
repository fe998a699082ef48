"""Help and support: the log viewer, Copy Diagnostics, the About box, and the dialog for unexpected errors."""

from studio_desktop.ui.help.tools import DIAGNOSTICS_COPIED, HelpTools, install_help_tools

__all__ = ["DIAGNOSTICS_COPIED", "HelpTools", "install_help_tools"]
