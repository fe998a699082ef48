"""The import rules of docs/architecture.md, checked by reading every module's imports (nothing is imported).

Each package may import only the packages below it. Imports inside functions and
under ``TYPE_CHECKING`` count too: they are dependencies all the same.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "studio_desktop"
QT = {"PySide6", "shiboken6"}

#: Which studio_desktop packages each package may import (itself always).
MAY_IMPORT = {
    "core": set(),
    "api": {"core"},
    "sandbox": {"core"},
    # Plain-words messages for errors, shared by the window and the terminal.
    "wording": {"api", "core"},
}
#: Domain packages: anything below them, never the layers above.
DOMAIN = ("accounts", "people", "gallery", "uploads")
ABOVE_DOMAIN = {"ui", "commands", "sandbox"}

#: The store's upload tables (core/store/schema.py); the app writes SQL keywords in capitals.
UPLOAD_TABLES = ("upload_item", "upload_batch", "upload_ledger", "album_map", "hot_folder")
UPLOAD_SQL = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN|TABLE|ON)\s+[\"'`]?(?:" + "|".join(UPLOAD_TABLES) + r")\b")
UPLOAD_SQL_OWNERS = ("uploads/records/", "core/store/")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _layer(path: Path) -> str:
    """The top-level package a module belongs to (``cli`` for studio_desktop/cli.py)."""
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, absolute, with its line."""
    package = ["studio_desktop", *path.relative_to(PACKAGE).parent.parts]
    found: list[tuple[str, int]] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((module, node.lineno))
    return found


def _app_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "studio_desktop" and len(parts) > 1 else None


def _violations(rule) -> list[str]:
    return [
        f"{_name(path)}:{line} imports {module}"
        for path in _modules()
        for module, line in _imports(path)
        if rule(path, module)
    ]


def test_the_checks_see_the_whole_package():
    names = {_name(path) for path in _modules()}
    assert {"core/paths.py", "api/limits.py", "ui/app.py", "commands/connection.py"} <= names
    imports = {module for module, _ in _imports(PACKAGE / "commands" / "connection.py")}
    assert "studio_desktop.sandbox.server" in imports  # a function-level import counts


def test_only_ui_imports_qt():
    assert _violations(lambda path, module: module.split(".")[0] in QT and _layer(path) != "ui") == []


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_lower_layers_import_only_what_is_below_them(layer):
    allowed = MAY_IMPORT[layer] | {layer}

    def breaks(path: Path, module: str) -> bool:
        other = _app_package(module)
        return _layer(path) == layer and other is not None and other not in allowed

    assert _violations(breaks) == []


def test_domain_packages_never_import_the_layers_above():
    def breaks(path: Path, module: str) -> bool:
        return _layer(path) in DOMAIN and _app_package(module) in ABOVE_DOMAIN

    assert _violations(breaks) == []


def test_commands_never_import_ui():
    assert _violations(lambda path, module: _layer(path) == "commands" and _app_package(module) == "ui") == []


def test_ui_starts_the_sandbox_only_through_commands():
    assert _violations(lambda path, module: _layer(path) == "ui" and _app_package(module) == "sandbox") == []


def _upload_sql(path: Path) -> list[int]:
    """Lines of string literals (f-strings' literal parts included) holding SQL on an upload table."""
    return sorted(
        {
            node.lineno
            for node in ast.walk(_tree(path))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and UPLOAD_SQL.search(node.value)
        }
    )


def test_the_sql_check_finds_upload_sql():
    assert _upload_sql(PACKAGE / "core" / "store" / "schema.py")
    assert UPLOAD_SQL.search("SELECT path FROM upload_ledger WHERE photo_id = ?")
    assert not UPLOAD_SQL.search("the upload_item table keeps one row per file")


def test_only_the_records_package_and_the_store_hold_upload_sql():
    outside = {
        _name(path): lines
        for path in _modules()
        if not _name(path).startswith(UPLOAD_SQL_OWNERS) and (lines := _upload_sql(path))
    }
    assert outside == {}


#: Qt-free modules the issue (#12) found under ui/; they belong to gallery/, uploads/ or api/.
QT_FREE_IN_UI = (
    "tree_nodes.py",
    "thumbnail_files.py",
    "gallery/originals.py",
    "gallery/tree_edits.py",
    "uploads/texts.py",
    "errors.py",
)


def test_qt_free_modules_have_left_ui():
    assert [name for name in QT_FREE_IN_UI if (PACKAGE / "ui" / name).exists()] == []
