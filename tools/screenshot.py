"""Take the README's screenshot: the app on a fresh sandbox studio, a wedding gallery open, thumbnails loaded.

    .venv/bin/python tools/screenshot.py                      # offscreen, writes docs/screenshot.png
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshot.py --platform xcb

Everything (sandbox, settings, thumbnail cache) lives in a temporary folder that
is removed afterwards; your own data is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument(
        "--platform",
        default=os.environ.get("QT_QPA_PLATFORM") or "offscreen",
        help="Qt platform: offscreen (default) or xcb (under xvfb-run)",
    )
    parser.add_argument("--size", default="1360x900", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--gallery", default="Harper & Liam Wedding", help="event to open")
    parser.add_argument("--album", default=None, help="album of that event to open (default: the event)")
    parser.add_argument(
        "--uploading",
        type=int,
        default=0,
        metavar="N",
        help="also upload N generated photos, slowly, so the queue is caught mid-upload",
    )
    parser.add_argument("--upload-to", default="Riverside 5K Fun Run", help="event the --uploading photos go to")
    parser.add_argument("--orders", action="store_true", help="show the Orders panel with the gallery's orders")
    parser.add_argument(
        "--mark-sandbox",
        action="store_true",
        help="mark the window as the sandbox, as ./dev run does (title, status-bar chip)",
    )
    parser.add_argument("--timeout", type=float, default=30.0)
    return parser.parse_args(argv)


async def take(args: argparse.Namespace, app) -> Path:
    from PySide6.QtCore import QItemSelectionModel

    from studio_desktop.core.config import Endpoints
    from studio_desktop.gallery.tree_nodes import ALBUM, EVENT
    from studio_desktop.sandbox.server import SandboxServer
    from studio_desktop.ui.app_wiring import GuiSession
    from studio_desktop.ui.gallery.grid_model import PhotoRole, ThumbnailState

    width, height = (int(part) for part in args.size.lower().split("x"))
    deadline = time.monotonic() + args.timeout

    async def until(condition, what: str) -> None:
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up waiting for {what}")
            await asyncio.sleep(0.05)

    from studio_desktop.core import paths

    with SandboxServer(paths.current().sandbox_dir) as sandbox:
        endpoints = Endpoints(
            api_url=sandbox.shootproof_api_url,
            oauth_url=sandbox.oauth_url,
            pixieset_url=sandbox.pixieset_api_url,
            access_token=sandbox.access_token,
            sandbox=args.mark_sandbox,
        )
        session = await GuiSession.open(endpoints, start_engine=args.uploading > 0)
        try:
            window = session.window
            window.resize(width, height)
            window.show()
            panel = window.tree_panel
            await until(lambda: panel.model.event_count() > 0, "the event tree")
            await until(lambda: window.status.plan_label.text() != "", "studio info")
            event = next(n for n in panel.model.root.children if n.name == args.gallery)
            panel.tree.expand(panel.tree.proxy_index(EVENT, event.id))
            target = event
            if args.album:
                target = next(n for n in event.walk() if n.name == args.album)
            panel.tree.select(target.kind, target.id)
            if target.kind == ALBUM:
                panel.tree.expand(panel.tree.proxy_index(ALBUM, target.id))
            model = window.grid_model
            await until(lambda: model.rowCount() > 0 and not model.is_loading, "the first page of photos")
            view = window.grid_view

            def visible_rows() -> list[int]:
                rect = view.viewport().rect()
                return [row for row in range(model.rowCount()) if view.visualRect(model.index(row, 0)).intersects(rect)]

            def thumbnails_ready() -> bool:
                return all(
                    model.index(row, 0).data(PhotoRole.ThumbnailStateRole) != ThumbnailState.LOADING
                    for row in visible_rows()
                )

            await until(lambda: bool(visible_rows()) and thumbnails_ready(), "thumbnails")
            if args.uploading:
                await start_uploads(args, session, panel, until)
            if args.orders:
                await show_orders(session, until)
            selection = view.selectionModel()
            for row in (1, 2):
                if row < model.rowCount():
                    selection.select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
            view.setFocus()
            await asyncio.sleep(0.3)  # let the loop paint (never processEvents() inside a coroutine)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(args.out), "PNG"):
                raise OSError(f"could not write {args.out}")
            return args.out
        finally:
            await session.aclose()


async def show_orders(session, until) -> None:
    """The Orders panel beside the grid, its orders filled in and the first one open."""
    window = session.window
    window.actions["show_orders"].trigger()
    orders = session.orders.panel
    await until(
        lambda: (
            orders.orders_task is None
            and orders.orders_model.rowCount() > 0
            and all(row.details is not None for row in orders.orders_model.rows)
        ),
        "the gallery's orders",
    )
    orders.orders_view.setCurrentIndex(orders.orders_model.index(0, 0))


async def start_uploads(args: argparse.Namespace, session, panel, until) -> None:
    """Queue generated photos at a crawl, so the dock shows rows done, in flight and waiting."""
    from studio_desktop.core import paths

    sys.path.insert(0, str(ROOT / "tests"))
    from imagegen import make_jpeg

    folder = paths.current().data_dir / "shoot"
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        make_jpeg(folder / f"RUN_{n:04d}.jpg", size=(1600, 1067), min_bytes=400_000)
        for n in range(1, args.uploading + 1)
    ]
    event = next(n for n in panel.model.root.children if n.name == args.upload_to)
    session.services.engine.set_bandwidth_limit(1600)
    session.uploads.choosing.upload(files, event.target(), mirror=False)
    model = session.uploads.model
    await until(lambda: model.rowCount() >= len(files), "the upload queue")
    await asyncio.sleep(4.0)  # a few done, a few on the wire


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = args.platform
    os.environ.setdefault("LANG", "C.UTF-8")
    args.out = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="studio-desktop-screenshot-") as tmp:
        from studio_desktop.core import paths

        paths.configure(tmp).ensure()
        import qasync

        from studio_desktop.ui import gc_guard
        from studio_desktop.ui.app import make_application

        app = make_application([sys.argv[0]])
        collector = gc_guard.install(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            out = loop.run_until_complete(take(args, app))
        finally:
            loop.close()
            collector.stop()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
