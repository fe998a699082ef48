"""Point-and-click gallery management on the main window: menus, context menus, shortcuts and drag-and-drop.

:func:`install_gallery_actions` wires it; :class:`~studio_desktop.ui.gallery.actions.GalleryActions`
owns the commands, :mod:`.menus` and :mod:`.drops` its menus and drag-and-drop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio_desktop.ui.gallery.actions import GalleryActions
from studio_desktop.ui.gallery.context import UrlOpener

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.controller import GalleryController
    from studio_desktop.ui.main_window import MainWindow
    from studio_desktop.ui.services import Services


def install_gallery_actions(
    window: MainWindow,
    services: Services,
    controller: GalleryController | None = None,
    *,
    open_url: UrlOpener | None = None,
) -> GalleryActions:
    """Add the gallery commands (menus, context menus, shortcuts, drag-and-drop) to ``window``."""
    return GalleryActions(window, services, controller, open_url=open_url)
