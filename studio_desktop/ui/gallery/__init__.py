"""Point-and-click management of galleries, albums and photos in the main window.

``install_gallery_actions(window, services, controller)`` adds it all; see
:mod:`studio_desktop.ui.gallery.installer`.
"""

from studio_desktop.ui.gallery.installer import GalleryActions, install_gallery_actions

__all__ = ["GalleryActions", "install_gallery_actions"]
