"""Every menu and toolbar command of the main window, as named ``QAction`` objects.

Menus and the toolbar are built from these, so a feature added later only
creates its action (``actions.add("upload_folder", action)``), connects it and
puts it in a menu with ``window.menu("file")``; nothing here needs rewriting.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

from studio_desktop.ui import icons


class Actions:
    """The window's actions by name: ``actions.refresh``, or ``actions["refresh"]`` for late additions."""

    def __init__(self, parent: QWidget):
        self._parent = parent
        self._by_name: dict[str, QAction] = {}

        self.sign_in = self._make("sign_in", "&Sign In to ShootProof…", tip="Connect the app to your ShootProof studio")
        self.quit = self._make("quit", "&Quit", shortcut=QKeySequence("Ctrl+Q"), tip="Close Studio Desktop")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.refresh = self._make(
            "refresh",
            "&Refresh",
            shortcut=QKeySequence("F5"),
            icon=icons.standard(QStyle.StandardPixmap.SP_BrowserReload),
            tip="Load galleries and photos again from ShootProof (F5)",
        )
        self.show_archived = self._make(
            "show_archived", "Show &Archived Galleries", tip="Show or hide archived galleries in the list"
        )
        self.show_archived.setCheckable(True)
        self.show_archived.setChecked(True)

        self.next_pane = self._make(
            "next_pane",
            "&Next Pane",
            shortcut=QKeySequence("F6"),
            tip="Move the keyboard focus to the next part of the window (F6)",
        )
        self.previous_pane = self._make(
            "previous_pane",
            "Pre&vious Pane",
            shortcut=QKeySequence("Shift+F6"),
            tip="Move the keyboard focus to the previous part of the window (Shift+F6)",
        )

        self.about = self._make("about", "&About Studio Desktop", tip="Version and credits")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)

    def _make(self, name: str, text: str, *, shortcut=None, icon=None, tip: str | None = None) -> QAction:
        action = QAction(text, self._parent)
        action.setObjectName(f"action_{name}")
        if shortcut is not None:
            action.setShortcut(shortcut)
        if icon is not None:
            action.setIcon(icon)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        self._by_name[name] = action
        return action

    def add(self, name: str, action: QAction) -> QAction:
        """Register an action made elsewhere under ``name``; it becomes ``actions.<name>`` too."""
        if name in self._by_name and self._by_name[name] is not action:
            raise ValueError(f"an action called {name!r} already exists")
        if not action.objectName():
            action.setObjectName(f"action_{name}")
        self._by_name[name] = action
        setattr(self, name, action)
        return action

    def __getitem__(self, name: str) -> QAction:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[tuple[str, QAction]]:
        return iter(self._by_name.items())
