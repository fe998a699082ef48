"""The queue model windows a big queue, coalesces engine events into few repaints; notification wording."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from studio_desktop.core.bidi import plain
from studio_desktop.core.store import open_store
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.ui.uploads.notifier import UploadNotifier
from studio_desktop.ui.uploads.queue_model import Column, QueueFilter, UploadQueueModel
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.texts import batch_summary, eta_text, state_text, totals_text

ITEMS = 5_000
REJECTED = 7


@pytest.fixture
def big_queue(app_paths):
    store = open_store()

    def fill(conn):
        batch = q.create_batch(conn, 42, None, {}, "Big Wedding")
        entries = [
            q.NewItem(path=f"/photos/IMG_{n:05d}.jpg", name=f"IMG_{n:05d}.jpg", size=1000 + n, mtime_ns=n)
            for n in range(ITEMS)
        ]
        q.add_items(conn, batch, entries)
        q.add_items(
            conn,
            batch,
            [
                q.NewItem(path=f"/photos/raw_{n}.cr3", name=f"raw_{n}.cr3", error="Not a JPEG — it is a RAW file.")
                for n in range(REJECTED)
            ],
        )
        return batch

    batch_id = store.write_sync(fill)
    yield store, batch_id
    store.close()


@pytest.fixture
def queue_model(big_queue, qloop, qtbot):
    store, _batch = big_queue
    runner = TaskRunner()
    model = UploadQueueModel(
        store, lambda coro, ok, err: runner.run(coro, ok, err, quiet=True), page_size=100, max_pages=5
    )
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == ITEMS + REJECTED)
    yield model
    runner.cancel_all()


def _loaded(qtbot, model, row):
    model.data(model.index(row, Column.NAME))
    qtbot.waitUntil(lambda: model.row_at(row) is not None)
    return model.row_at(row)


def test_a_big_queue_is_read_a_page_at_a_time(queue_model, qtbot):
    model = queue_model
    assert model.loaded_pages() == 0
    assert model.index(0, Column.NAME).data() == "…"
    first = _loaded(qtbot, model, 0)
    assert first.item.name == "IMG_00000.jpg"
    assert plain(model.index(0, Column.TARGET).data()) == "Big Wedding"
    assert model.index(0, Column.STATE).data() == "Waiting"
    assert model.loaded_pages() == 1
    last = _loaded(qtbot, model, ITEMS + REJECTED - 1)
    assert last.item.name == f"raw_{REJECTED - 1}.cr3"
    assert last.state == q.FAILED
    assert model.index(ITEMS + REJECTED - 1, Column.REASON).data() == "Not a JPEG — it is a RAW file."
    for row in range(0, 2_000, 100):
        _loaded(qtbot, model, row)
    assert model.loaded_pages() <= 5
    assert model.counts[q.QUEUED] == (ITEMS, sum(1000 + n for n in range(ITEMS)))


def test_the_model_passes_qt_model_checks(queue_model, qtmodeltester, qtbot):
    _loaded(qtbot, queue_model, 0)
    qtmodeltester.check(queue_model, force_py=True)


def test_engine_events_become_one_repaint_per_flush(queue_model, qtbot):
    model = queue_model
    first = _loaded(qtbot, model, 0)
    second = _loaded(qtbot, model, 1)
    changes = []
    model.dataChanged.connect(lambda top, bottom, roles: changes.append((top.row(), bottom.row())))
    model.note(ev.ItemStateChanged(first.id, first.item.batch_id, first.item.name, q.UPLOADING))
    for sent in range(0, first.item.size, 10):
        model.note(ev.ItemProgress(first.id, sent, first.item.size))
    model.note(
        ev.ItemStateChanged(
            second.id, second.item.batch_id, second.item.name, q.DUPLICATE, "Already in the gallery as photo 7."
        )
    )
    assert changes == []
    model.flush()
    assert changes == [(0, 1)]
    assert model.index(0, Column.STATE).data() == "Uploading"
    assert model.index(0, Column.PROGRESS).data() == f"{(first.item.size - 10) / first.item.size:.0%}"
    assert model.index(1, Column.STATE).data() == "Duplicate"
    assert model.index(1, Column.REASON).data() == "Already in the gallery as photo 7."
    model.flush()
    assert changes == [(0, 1)]


def test_filters_and_ids_of_rows_not_loaded(queue_model, qtbot, run_async):
    model = queue_model
    model.set_filter(QueueFilter.FAILED)
    qtbot.waitUntil(lambda: model.rowCount() == REJECTED)
    assert {_loaded(qtbot, model, r).state for r in range(REJECTED)} == {q.FAILED}
    model.set_filter(QueueFilter.ALL)
    qtbot.waitUntil(lambda: model.rowCount() == ITEMS + REJECTED)
    ids = run_async(model.ids_in_rows([(3000, 3004)]))
    assert len(ids) == 5 and ids == sorted(ids)
    assert model.row_at(3000) is None or model.row_at(3000).id == ids[0]


def test_batch_summary_wording():
    assert plain(batch_summary({"done": 312, "duplicate": 4, "failed": 1}, "Smith Wedding")) == (
        "Uploaded 312 photos to 'Smith Wedding' \u2014 4 skipped as duplicates, 1 failed"
    )
    assert plain(batch_summary({"done": 1}, "Day 1")) == "Uploaded 1 photo to 'Day 1'"
    assert plain(batch_summary({"duplicate": 3}, "Day 1")) == (
        "Nothing new to upload to 'Day 1' \u2014 3 skipped as duplicates"
    )
    assert (
        plain(batch_summary({"failed": 2, "cancelled": 1}, None)) == "No photos uploaded \u2014 2 failed, 1 cancelled"
    )
    assert plain(batch_summary({"done": 2, "duplicate": 1, "filtered": 5}, "Day 1")) == (
        "Uploaded 2 photos to 'Day 1' \u2014 1 skipped as duplicate, 5 left out by the picks filter"
    )
    assert state_text(q.QUEUED, "Retrying in 4 s: ShootProof is busy") == "Retrying"
    assert eta_text(150) == "about 2 min left"
    assert eta_text(None) == ""
    text = totals_text({q.DONE: 3, q.UPLOADING: 1, q.QUEUED: 6, q.FAILED: 2}, 3_000_000, 10_000_000, 2_000_000.0, 3.5)
    assert text == (
        "3 of 10 files done \u00b7 3.0 MB of 10.0 MB \u00b7 2.0 MB/s \u00b7 a few seconds left \u2014 2 failed"
    )
    held = totals_text({q.DONE: 1, q.QUEUED: 2}, 100, 300, 50.0, 4.0, "stopped")
    assert held == "1 of 3 files done \u00b7 100 B of 300 B \u00b7 stopped"


def test_without_a_tray_the_notification_is_a_toast(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    notifier = UploadNotifier(window)  # offscreen: no system tray
    assert notifier.tray is None
    seen = []
    notifier.notified.connect(lambda title, message: seen.append((title, message)))
    notifier.notify("Upload finished", "Uploaded 2 photos to 'Day 1'")
    assert notifier.toast.isVisible()
    assert notifier.toast.text() == "Uploaded 2 photos to 'Day 1'"
    assert seen == [("Upload finished", "Uploaded 2 photos to 'Day 1'")]
    toast = notifier.toast.geometry()
    assert window.rect().contains(toast)
