"""The checks of ``studio-desktop --selftest`` that need the running app (see :mod:`studio_desktop.selftest`).

``run_gui`` calls :func:`run_selftest` with the open :class:`GuiSession`
instead of waiting for the user. Each check writes one line to the report; the
first failure ends the run with its reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap

from studio_desktop.core import paths
from studio_desktop.resources import resource_path
from studio_desktop.selftest import EXIT_FAILED, EXIT_PASSED, SelfTestFailure, SelfTestReport, active_report
from studio_desktop.wording import plain_message

WINDOW_TIMEOUT = 30.0
UPLOAD_TIMEOUT = 60.0
POLL_SECONDS = 0.05


async def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SelfTestFailure(f"{what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(POLL_SECONDS)


def make_photo(folder: Path, name: str) -> Path:
    """A small but real JPEG (what a camera card holds, only smaller)."""
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (640, 427), (32, 82, 140))
    draw = ImageDraw.Draw(image)
    for step in range(0, 427, 6):
        draw.line([(0, step), (640, step)], fill=(32 + step // 4, 82, 140 - step // 5))
    draw.ellipse((240, 134, 400, 294), outline=(255, 255, 255), width=12)
    draw.text((20, 395), "Studio Desktop self-test", fill=(255, 255, 255))
    path = folder / name
    image.save(path, "JPEG", quality=88)
    return path


def _check_resources(report: SelfTestReport) -> None:
    report.step("resources")
    png = resource_path("icons", "studio-desktop-256.png")
    svg = resource_path("icons", "studio-desktop.svg")
    for path in (png, svg):
        if not path.is_file():
            raise SelfTestFailure(f"{path} is missing: the installation is incomplete")
    if QPixmap(str(png)).isNull():
        raise SelfTestFailure(f"{png.name} cannot be read: Qt's image plugins are missing")
    if QIcon(str(svg)).pixmap(64, 64).isNull():
        raise SelfTestFailure(f"{svg.name} cannot be drawn: Qt's SVG support is missing")
    report.ok(f"icons load from {resource_path()}")


async def _check_window(session, report: SelfTestReport) -> None:
    report.step("main window")
    window = session.window
    session.show()
    await _wait_until(window.isVisible, WINDOW_TIMEOUT, "showing the main window")
    model = window.tree_panel.model
    await _wait_until(lambda: model.event_count() > 0, WINDOW_TIMEOUT, "listing the galleries")
    platform = QGuiApplication.platformName()
    report.ok(f"open ({platform}), {model.event_count()} galleries listed from {session.services.endpoints.api_url}")


async def _upload_one(session, report: SelfTestReport) -> None:
    from studio_desktop.uploads.records import queue as q

    services = session.services
    report.step("upload")
    if services.shootproof is None or services.engine is None:
        raise SelfTestFailure("the upload engine did not start: the app is not signed in to the sandbox studio")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    photo = make_photo(paths.current().data_dir / "selftest-photos", f"selftest-{stamp}.jpg")
    event = await services.shootproof.event_create(f"Self-test {stamp}")
    batch_id = await services.engine.enqueue([photo], event.id, label="self-test")

    async def finished() -> list[q.Item]:
        await services.engine.wait_idle()
        while True:
            items = await services.store.read(q.items, batch_ids=[batch_id])
            if items and all(item.state in q.FINISHED for item in items):
                return items
            await asyncio.sleep(POLL_SECONDS)

    try:
        items = await asyncio.wait_for(finished(), UPLOAD_TIMEOUT)
    except TimeoutError:
        raise SelfTestFailure(f"the upload did not finish within {UPLOAD_TIMEOUT:.0f} s") from None
    if len(items) != 1:
        raise SelfTestFailure(f"the engine queued {len(items)} files instead of 1")
    item = items[0]
    if item.state != q.DONE or item.photo_id is None:
        raise SelfTestFailure(f"the upload ended as '{item.state}': {item.last_error or 'no reason given'}")
    report.ok(f"{photo.name} ({item.size:,} bytes) sent through the upload engine to event {event.id}")

    report.step("photo arrived")
    if not await services.shootproof.event_photo_exists(event.id, photo_name=photo.name):
        raise SelfTestFailure(f"the studio says {photo.name} is not in event {event.id}")
    page = await services.shootproof.event_get_photos(event.id)
    ids = [found.id for found in page.items]
    if page.total_results != 1 or ids != [item.photo_id]:
        raise SelfTestFailure(f"event {event.id} holds photos {ids}, expected only {item.photo_id}")
    report.ok(f"photo_exists says yes; the gallery holds exactly that photo (id {item.photo_id})")


def _check_support_tools(session, report: SelfTestReport) -> None:
    from studio_desktop.core.diagnostics import collect_diagnostics

    report.step("log and diagnostics")
    log_file = paths.current().log_file
    if not log_file.is_file() or log_file.stat().st_size == 0:
        raise SelfTestFailure(f"nothing was written to the log file {log_file}")
    text = collect_diagnostics(session.services.settings)
    token = session.services.endpoints.access_token
    if token and token in text:
        raise SelfTestFailure("the diagnostics report shows the access token")
    report.ok(f"log written to {log_file.name}; diagnostics gathered without secrets ({len(text):,} characters)")

    help_tools = getattr(session.window, "help_tools", None)
    if help_tools is not None:
        report.step("no unexpected errors")
        errors = help_tools.crash_reporter.reported
        if errors:
            raise SelfTestFailure(f"{len(errors)} unexpected error(s) were reported; the first: {errors[0]}")
        report.ok("none reported while the checks ran")


async def run_selftest(session) -> int:
    """Run every check against the open app; returns the exit code."""
    report = active_report()
    try:
        _check_resources(report)
        await _check_window(session, report)
        await _upload_one(session, report)
        _check_support_tools(session, report)
    except SelfTestFailure as failure:
        report.fail(str(failure))
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a broken installation shows up as any error; say it in words
        report.fail(f"{plain_message(exc)} ({type(exc).__name__}: {exc})")
        return EXIT_FAILED
    return EXIT_PASSED
