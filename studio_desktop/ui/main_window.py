"""The main window: event tree | photo grid, menus and toolbar from :class:`Actions`, a status bar.

Extension points for the features that plug in later:

- ``window.actions`` holds every command; ``window.menu(name)`` returns (or
  creates) a menu: ``"file"``, ``"view"``, ``"help"`` exist; others are
  inserted before Help. ``window.toolbar`` is the main toolbar.
- ``window.add_side_panel(widget, title, area)`` docks a panel (the upload
  queue goes to the bottom area; contacts and clients to the right). Its place
  and size are remembered with the rest of the window.
- ``window.current_target_changed(GalleryTarget | None)`` says what the user
  has open; ``window.current_target()`` asks. ``window.tree_panel``,
  ``window.grid_panel`` / ``window.grid_view`` and ``window.status`` are the
  pieces, with their own signals and setters.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabBar,
    QToolBar,
    QWidget,
)

from studio_desktop import __version__
from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.ui import icons, theme
from studio_desktop.ui.actions import Actions
from studio_desktop.ui.focus import PaneCycler
from studio_desktop.ui.gallery.grid_model import PhotoGridModel
from studio_desktop.ui.gallery.grid_panel import PhotoGridPanel
from studio_desktop.ui.gallery.grid_view import PhotoGridView
from studio_desktop.ui.gallery.thumbnails import ThumbnailLoader
from studio_desktop.ui.gallery.tree_view import EventTreePanel
from studio_desktop.ui.status_bar import StudioStatusBar
from studio_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from studio_desktop.ui.help.tools import HelpTools

log = logging.getLogger(__name__)

APP_TITLE = "Studio Desktop"
DEFAULT_SIZE = QSize(1240, 800)
DEFAULT_DOCK_HEIGHT = 190
DEFAULT_DOCK_WIDTH = 320
#: Keys of this window's entries in the settings file's ``window`` mapping.
GEOMETRY_KEY = "main_geometry"
STATE_KEY = "main_state"
SPLITTER_KEY = "main_splitter"
SHOW_ARCHIVED_KEY = "show_archived"
#: The selected gallery and the expanded tree rows; the side panels in front where they share a tab bar.
VIEW_KEY = "main_view"
SIDE_TABS_KEY = "side_tabs"
#: Bump when the layout changes so much that an old saved state should be ignored.
STATE_VERSION = 1


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: a short screen scrolls a side panel instead of growing the window."""
    scroller = QScrollArea()
    scroller.setObjectName(f"{widget.objectName() or 'panel'}_scroller")
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scroller.setWidget(widget)
    # Only up and down: a panel scrolled sideways hides its buttons at the right edge.
    scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroller.setMinimumWidth(widget.minimumSizeHint().width())
    return scroller


def panel_of(dock: QDockWidget) -> QWidget | None:
    """The panel a dock shows (side panels sit inside a scroll area, see ``_scrolling``)."""
    widget = dock.widget()
    return widget.widget() if isinstance(widget, QScrollArea) else widget


def _overlap(a: QRect, b: QRect) -> int:
    both = a.intersected(b)
    return both.width() * both.height() if both.isValid() else 0


def _decode(text: Any) -> QByteArray | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return QByteArray(base64.b64decode(text.encode("ascii"), validate=True))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


class MainWindow(QMainWindow):
    current_target_changed = Signal(object)
    #: The user picked a colour scheme (``theme.SYSTEM``, ``LIGHT`` or ``DARK``) in View → Theme.
    color_scheme_chosen = Signal(str)
    #: Emitted from ``closeEvent``, before the window hides: save state, then shut down.
    closing = Signal()
    #: Side panels to put in front of their tab group once they are added (from the saved layout).
    _tabs_to_front: frozenset[str] = frozenset()
    # The window's named actions. The name hides QWidget.actions(), which nothing in the app calls.
    actions: Actions  # type: ignore[assignment]
    #: set by install_help_tools()
    help_tools: HelpTools

    def __init__(self, tasks: TaskRunner, thumbnails: ThumbnailLoader, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icons.app_icon())
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        # The queue spans under the tree and the grid; the people panels keep the full height on the
        # right, so that on a 720-pixel screen their lists still show about ten people.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tasks = tasks
        self.actions = Actions(self)
        self._menus: dict[str, QMenu] = {}
        self._docks: dict[str, QDockWidget] = {}
        self._studio_name: str | None = None
        self._sandbox = False

        self.tree_panel = EventTreePanel(self)
        self.grid_model = PhotoGridModel(tasks, thumbnails, self)
        self.grid_panel = PhotoGridPanel(self.grid_model, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tree_panel)
        self.splitter.addWidget(self.grid_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 920])
        self.tree_panel.setMinimumWidth(220)
        self.setCentralWidget(self.splitter)

        self.status = StudioStatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus()
        self._build_toolbar()

        self.tree_panel.target_changed.connect(self.current_target_changed)
        self.actions.quit.triggered.connect(self.close)
        self.actions.about.triggered.connect(self.show_about)
        self.panes = PaneCycler(self._panes_in_order, self)
        self.actions.next_pane.triggered.connect(lambda: self.panes.step(True))
        self.actions.previous_pane.triggered.connect(lambda: self.panes.step(False))
        self._shown_once = False
        self.actions.show_archived.toggled.connect(self.tree_panel.set_show_archived)
        self.tasks.error_reported.connect(self.status.show_error)
        self.set_studio_name(None)
        self.resize(DEFAULT_SIZE)

    # --- building ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menu("file", "&File")
        file_menu.addAction(self.actions.sign_in)
        file_menu.addSeparator()
        file_menu.addAction(self.actions.quit)
        view_menu = self.menu("view", "&View")
        view_menu.addAction(self.actions.refresh)
        view_menu.addSeparator()
        view_menu.addAction(self.actions.show_archived)
        view_menu.addSeparator()
        view_menu.addAction(self.actions.next_pane)
        view_menu.addAction(self.actions.previous_pane)
        self._theme_menu = view_menu.addMenu("&Theme")
        self._theme_menu.setObjectName("menu_theme")
        self._scheme_group = QActionGroup(self)
        self._scheme_actions: dict[str, QAction] = {}
        for scheme, text in ((theme.SYSTEM, "Same as the &System"), (theme.LIGHT, "&Light"), (theme.DARK, "&Dark")):
            action = self._theme_menu.addAction(text)
            action.setObjectName(f"action_scheme_{scheme}")
            action.setCheckable(True)
            action.setStatusTip("Colours of the window: light, dark, or whatever the desktop uses")
            self._scheme_group.addAction(action)
            action.triggered.connect(lambda _checked=False, s=scheme: self.color_scheme_chosen.emit(s))
            self._scheme_actions[scheme] = action
        self._scheme_actions[theme.SYSTEM].setChecked(True)
        self._panels_menu = view_menu.addMenu("&Panels")
        self._panels_menu.menuAction().setVisible(False)
        help_menu = self.menu("help", "&Help")
        help_menu.addAction(self.actions.about)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar("Main toolbar", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.actions.refresh)
        self.toolbar.addAction(self.actions.show_archived)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def menu(self, name: str, title: str | None = None) -> QMenu:
        """The menu called ``name``; a new one (titled ``title``) goes before Help."""
        existing = self._menus.get(name)
        if existing is not None:
            return existing
        menu = QMenu(title or name.capitalize(), self)
        menu.setObjectName(f"menu_{name}")
        help_menu = self._menus.get("help")
        if help_menu is not None:
            self.menuBar().insertMenu(help_menu.menuAction(), menu)
        else:
            self.menuBar().addMenu(menu)
        self._menus[name] = menu
        return menu

    # --- extension points ------------------------------------------------------------------------

    @property
    def grid_view(self) -> PhotoGridView:
        return self.grid_panel.view

    def current_target(self) -> GalleryTarget | None:
        return self.tree_panel.tree.current_target()

    def add_side_panel(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        *,
        name: str | None = None,
        visible: bool = True,
    ) -> QDockWidget:
        """Dock ``widget`` in ``area``; View → Panels gets a toggle; its place is remembered by ``name``."""
        name = name or "".join(ch for ch in title.lower() if ch.isalnum() or ch == " ").replace(" ", "_")
        if name in self._docks:
            raise ValueError(f"a panel called {name!r} already exists")
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        vertical = area in (Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
        dock.setWidget(widget if vertical else _scrolling(widget))
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        # A panel added after the saved layout was applied still gets its saved place back.
        if not self.restoreDockWidget(dock):
            self.addDockWidget(area, dock)
            dock.setVisible(visible)
            # First time: a modest size, so the photos keep most of the window.
            self.resizeDocks(
                [dock],
                [DEFAULT_DOCK_HEIGHT if vertical else DEFAULT_DOCK_WIDTH],
                Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal,
            )
        self._docks[name] = dock
        if self._tabs_to_front:
            dock.visibilityChanged.connect(self._bring_saved_tabs_to_front)
        self._panels_menu.addAction(dock.toggleViewAction())
        self._panels_menu.menuAction().setVisible(True)
        return dock

    def side_panel(self, name: str) -> QDockWidget | None:
        return self._docks.get(name)

    def _panes_in_order(self) -> list[QWidget]:
        """Tree, grid, then the open panels as they sit: the bottom one (queue) before those on the right."""
        order = [
            Qt.DockWidgetArea.LeftDockWidgetArea,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            Qt.DockWidgetArea.RightDockWidgetArea,
            Qt.DockWidgetArea.TopDockWidgetArea,
        ]
        docks = sorted(
            self._docks.values(),
            key=lambda dock: (
                order.index(self.dockWidgetArea(dock)) if self.dockWidgetArea(dock) in order else len(order),
                dock.y(),
                dock.x(),
            ),
        )
        return [self.tree_panel, self.grid_panel, *(dock for dock in docks if self.panel_in_front(dock))]

    def panel_in_front(self, dock: QDockWidget) -> bool:
        """False for a panel hidden behind another one's tab (Qt still calls it visible)."""
        group = self.tabifiedDockWidgets(dock)
        if not dock.isVisible() or not group:
            return dock.isVisible()
        titles = {d.windowTitle() for d in (dock, *group)}
        for bar in self.findChildren(QTabBar):
            shown = {bar.tabText(i) for i in range(bar.count())}
            if bar.isVisible() and titles <= shown:
                return bar.tabText(bar.currentIndex()) == dock.windowTitle()
        return True

    # --- state shown -----------------------------------------------------------------------------

    def set_studio_name(self, name: str | None) -> None:
        self._studio_name = name
        title = f"{APP_TITLE} — {name}" if name else APP_TITLE
        self.setWindowTitle(f"{title} — Sandbox" if self._sandbox else title)

    def set_sandbox(self, sandbox: bool) -> None:
        """Mark the title: the practice studio must never pass for a real one."""
        self._sandbox = sandbox
        self.set_studio_name(self._studio_name)

    def set_color_scheme_shown(self, scheme: str) -> None:
        """Tick ``scheme`` in View → Theme (the app applies it; see ``theme.apply_scheme``)."""
        action = self._scheme_actions.get(scheme, self._scheme_actions[theme.SYSTEM])
        action.setChecked(True)

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_TITLE}")
        box.setIconPixmap(icons.app_icon().pixmap(QSize(64, 64)))
        box.setText(f"<b>{APP_TITLE}</b> {__version__}")
        box.setInformativeText(
            "Manage your ShootProof galleries, upload whole shoots and watch hot folders.\n\n"
            "Not affiliated with ShootProof or Pixieset."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # non-modal: a nested event loop would stall the app's coroutines

    # --- remembering the layout -----------------------------------------------------------------

    def window_state(self) -> dict[str, Any]:
        """What to keep in the settings file's ``window`` mapping (base64 text, no secrets)."""
        return {
            GEOMETRY_KEY: _encode(self.saveGeometry()),
            STATE_KEY: _encode(self.saveState(STATE_VERSION)),
            SPLITTER_KEY: _encode(self.splitter.saveState()),
            SHOW_ARCHIVED_KEY: self.actions.show_archived.isChecked(),
            VIEW_KEY: self.tree_panel.view_state(),
            SIDE_TABS_KEY: self._front_side_tabs(),
        }

    def restore_window_state(self, saved: dict[str, Any]) -> bool:
        """Apply a saved layout; anything missing or damaged keeps the default. True if geometry was restored."""
        restored = False
        geometry = _decode(saved.get(GEOMETRY_KEY))
        if geometry is not None:
            restored = self.restoreGeometry(geometry)
        if restored:
            self.clamp_to_screen()
        else:
            self._center_default()
        state = _decode(saved.get(STATE_KEY))
        if state is not None and not self.restoreState(state, STATE_VERSION):
            log.info("The saved window layout could not be used; using the default layout.")
        splitter = _decode(saved.get(SPLITTER_KEY))
        if splitter is not None:
            self.splitter.restoreState(splitter)
        show_archived = saved.get(SHOW_ARCHIVED_KEY)
        if isinstance(show_archived, bool):
            self.actions.show_archived.setChecked(show_archived)
        self.tree_panel.restore_view_state(saved.get(VIEW_KEY))
        tabs = saved.get(SIDE_TABS_KEY)
        self._tabs_to_front = (
            frozenset(t for t in tabs if isinstance(t, str)) if isinstance(tabs, list) else frozenset()
        )
        return restored

    def _front_side_tabs(self) -> list[str]:
        """Names of the panels in front of their tab group (Qt's saved layout does not say which)."""
        by_title = {dock.windowTitle(): name for name, dock in self._docks.items()}
        front = []
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self and bar.isVisible() and bar.currentIndex() >= 0:
                name = by_title.get(bar.tabText(bar.currentIndex()))
                if name is not None:
                    front.append(name)
        return sorted(front)

    def _bring_saved_tabs_to_front(self, visible: bool = True) -> None:
        # Docks find their tab groups only when the window first shows them: wait for that.
        if not visible:
            return
        for name in sorted(self._tabs_to_front):
            dock = self._docks.get(name)
            if dock is not None and self.tabifiedDockWidgets(dock):
                dock.raise_()
                self._tabs_to_front = self._tabs_to_front - {name}

    def _center_default(self) -> None:
        # Not self.screen(): PySide's return-value heuristic would make the (parentless) QScreen
        # a child of this window's wrapper and delete it along with the window.
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        size = DEFAULT_SIZE.boundedTo(available.size() * 0.92)
        self.resize(size)
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        self.move(frame.topLeft())

    def clamp_to_screen(self) -> None:
        """Pull the window onto the screen it is mostly on (or the primary one), no bigger than that screen.

        A layout saved on a bigger monitor, or on one that is gone, would otherwise open partly or wholly
        out of reach.
        """
        if self.isMaximized() or self.isFullScreen():
            return
        frame = self.frameGeometry()
        screens = QGuiApplication.screens()
        if not screens:
            return
        screen = max(screens, key=lambda s: _overlap(s.availableGeometry(), frame))
        if not _overlap(screen.availableGeometry(), frame):
            # None when the system reports no screen, whatever the stubs say.
            screen = QGuiApplication.primaryScreen() or screens[0]  # type: ignore[truthy-bool]
        available = screen.availableGeometry()
        margins = QSize(frame.width() - self.width(), frame.height() - self.height())
        size = self.size().boundedTo(available.size() - margins).expandedTo(self.minimumSize())
        if size != self.size():
            self.resize(size)
        frame = self.frameGeometry()
        x = max(available.left(), min(frame.left(), available.right() + 1 - frame.width()))
        y = max(available.top(), min(frame.top(), available.bottom() + 1 - frame.height()))
        if (x, y) != (frame.left(), frame.top()):
            self.move(x, y)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.tree_panel.take_focus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
