"""Light, dark or the system's colours, and the few colours of its own the app adds, readable on either.

The app's own colours (an upload that failed, a banner) come in light/dark
pairs, each checked for at least 4.5:1 contrast (WCAG AA) against the
palette it is used on; ``tone()`` and ``banner_colors()`` pick the one that
fits the palette in force. Widgets that paint such colours through a style
sheet call :func:`follow_palette` so a scheme change repaints them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

SYSTEM, LIGHT, DARK = "system", "light", "dark"
SCHEMES = (SYSTEM, LIGHT, DARK)
SCHEME_LABELS = {SYSTEM: "Same as the System", LIGHT: "Light", DARK: "Dark"}

#: Text colours (light palette, dark palette).
TONES = {
    "error": ("#b3261e", "#ff8f85"),
    "warning": ("#7a5200", "#f2c45a"),
    "success": ("#1d6b34", "#7fd492"),
    "info": ("#1c4a78", "#93c5fd"),
}

#: Banner (background, text, border), light then dark.
BANNERS = {
    "error": (("#fdecea", "#7f1d12", "#e3a39b"), ("#3d1c18", "#ffcfc8", "#8c3a30")),
    "warning": (("#fff4d6", "#5c4200", "#ecd58c"), ("#3a2f10", "#ffe6a3", "#85691d")),
    "info": (("#e8f1fb", "#1c4a78", "#b4cde8"), ("#15283d", "#cfe4ff", "#2f5a86")),
    "success": (("#eaf6ee", "#1e5b31", "#9fd0ad"), ("#152f1f", "#c8f0d2", "#2f6d40")),
}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette if palette is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone(name: str, palette: QPalette | None = None) -> QColor:
    light, dark = TONES[name]
    return QColor(dark if is_dark(palette) else light)


def banner_colors(kind: str, palette: QPalette | None = None) -> tuple[str, str, str]:
    light, dark = BANNERS.get(kind, BANNERS["info"])
    return dark if is_dark(palette) else light


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_palette() -> QPalette:
    """A neutral dark palette for Fusion, for desktops whose theme offers none."""
    palette = QPalette()
    roles = QPalette.ColorRole
    colors = {
        roles.Window: "#2b2d30",
        roles.WindowText: "#e6e6e6",
        roles.Base: "#1f2023",
        roles.AlternateBase: "#27292c",
        roles.ToolTipBase: "#3a3d41",
        roles.ToolTipText: "#f0f0f0",
        roles.PlaceholderText: "#b0b4ba",
        roles.Text: "#e6e6e6",
        roles.Button: "#35373b",
        roles.ButtonText: "#e6e6e6",
        roles.BrightText: "#ff6b6b",
        roles.Light: "#4a4d52",
        roles.Midlight: "#3e4145",
        roles.Mid: "#2f3134",
        roles.Dark: "#1a1b1d",
        roles.Shadow: "#000000",
        roles.Highlight: "#3d7bd9",
        roles.HighlightedText: "#ffffff",
        roles.Link: "#8ab4f8",
        roles.LinkVisited: "#c58af9",
    }
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    # The app greys out secondary text (counts, subtitles) by disabling the label: it must stay readable.
    for role in (roles.WindowText, roles.PlaceholderText):
        palette.setColor(disabled, role, QColor("#a3a7ad"))
    # Buttons and fields that cannot be used now stay visibly dimmer than those that can.
    for role in (roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#7d8187"))
    palette.setColor(disabled, roles.Highlight, QColor("#4a4d52"))
    return palette


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hasattr(hints, "colorScheme") and hints.colorScheme() == Qt.ColorScheme.Dark


def apply_scheme(app: QApplication, scheme: str) -> None:
    """Use ``scheme`` (system / light / dark) now; with ``system``, follow the desktop's changes too."""
    if scheme not in SCHEMES:
        scheme = SYSTEM
    app.setProperty("studioColorScheme", scheme)
    _follow_system(app)
    dark = scheme == DARK or (scheme == SYSTEM and system_prefers_dark())
    if app.property("studioOriginalStyle") is None:
        app.setProperty("studioOriginalStyle", app.style().name())
    if scheme == SYSTEM and not dark:
        original = str(app.property("studioOriginalStyle"))
        if app.style().name().lower() != original.lower():
            app.setStyle(original)
        # An empty palette gives the desktop's own back.
        app.setPalette(QPalette())
        _repolish_style_sheets(app)
        return
    if app.style().name().lower() != "fusion" and "Fusion" in QStyleFactory.keys():  # noqa: SIM118 -- a static method, not a dict
        # Fusion draws every control from the palette, so a dark one takes on every desktop.
        app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    _repolish_style_sheets(app)


def _repolish_style_sheets(app: QApplication) -> None:
    """Hand the new palette to every window and re-apply style sheets.

    Measured here: windows that exist when the app palette changes keep the old one (a dark switch left
    the docks light), and widgets under a style sheet keep the palette they were polished with.
    """
    palette = app.palette()
    for window in app.topLevelWidgets():
        window.setPalette(palette)
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)


def _follow_system(app: QApplication) -> None:
    if app.property("studioFollowsSystem"):
        return
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        app.setProperty("studioFollowsSystem", True)
        hints.colorSchemeChanged.connect(lambda _scheme: _system_changed(app))


def _system_changed(app: QApplication) -> None:
    if app.property("studioColorScheme") == SYSTEM:
        apply_scheme(app, SYSTEM)


class _PaletteFollower(QObject):
    def __init__(self, widget: QWidget, apply: Callable[[], None]):
        super().__init__(widget)
        self._apply = apply
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._apply()
        return False


def follow_palette(widget: QWidget, apply: Callable[[], None]) -> None:
    """Run ``apply()`` now and whenever the app's palette changes (light ⇄ dark)."""
    _PaletteFollower(widget, apply)
    apply()
