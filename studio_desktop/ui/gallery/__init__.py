"""The gallery in the main window: browsing (tree, grid, thumbnails) and editing (menus, dialogs, drag-and-drop).

``installer.install_gallery_actions(window, services, controller)`` adds the editing side.
Nothing is imported here, so any module of the package can be imported first.
"""
