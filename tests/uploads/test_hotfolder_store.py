"""Saved hot folders: the store migration, the repository, and the manager that runs them."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from studio_desktop.core.store import Store
from studio_desktop.uploads.hotfolders.events import HotFolderFileUploaded, HotFolderProblem
from studio_desktop.uploads.hotfolders.files import AfterUpload
from studio_desktop.uploads.hotfolders.manager import HotFolderManager
from studio_desktop.uploads.hotfolders.store import HotFolderConfigError, HotFolderRepository, SavedHotFolder

from .hotfolder_harness import Harness, noise_jpeg


def run(coro):
    return asyncio.run(coro)


def test_the_migration_creates_the_table_on_an_existing_version_1_store(tmp_path):
    from studio_desktop.core import store as store_module

    path = tmp_path / "old.sqlite3"
    Store(path, migrations=store_module.MIGRATIONS[:1]).close()  # a store from before hot folders
    with Store(path) as store:
        assert store.version >= 2
        columns = {row[1] for row in store.read_sync(lambda c: c.execute("PRAGMA table_info(hot_folder)").fetchall())}
    assert columns == {
        "id",
        "folder",
        "event_id",
        "album_id",
        "mirror_folders",
        "after",
        "settle",
        "polling",
        "replace_changed",
        "enabled",
        "created",
        "options",
    }
    assert list(tmp_path.glob("old.sqlite3.bak-v1")), "the old store was backed up before migrating"


def test_repository_add_list_update_enable_remove(tmp_path):
    async def main():
        with Store() as store:
            repo = HotFolderRepository(store)
            first = await repo.add(
                SavedHotFolder(
                    tmp_path / "a",
                    event_id=7,
                    album_id=9,
                    mirror_folders=True,
                    after=f"move:{tmp_path / 'done'}",
                    settle=2.5,
                    polling=True,
                    replace_changed=True,
                )
            )
            second = await repo.add(SavedHotFolder(tmp_path / "b", event_id=8, enabled=False))
            assert first.id and second.id and first.id != second.id and first.created > 0
            listed = await repo.list()
            assert listed == [first, second]
            assert listed[0].after == AfterUpload(tmp_path / "done") and listed[0].settle == 2.5
            assert listed[0].polling and listed[0].replace_changed and listed[0].mirror_folders
            assert await repo.list(enabled_only=True) == [first]

            changed = await repo.update(replace(first, event_id=70, after="leave"))
            assert (changed.event_id, changed.after, changed.created) == (70, AfterUpload(), first.created)
            assert (await repo.set_enabled(second.id, True)).enabled
            assert await repo.remove(first.id)
            assert not await repo.remove(first.id)
            assert [h.folder for h in await repo.list()] == [tmp_path / "b"]

        with Store() as store:  # it was really saved
            assert [h.event_id for h in await HotFolderRepository(store).list()] == [8]

    run(main())


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"event_id": 0}, "event"),
        ({"settle": 0.0}, "settle time"),
        ({"settle": float("nan")}, "settle time"),
        ({"album_id": -3}, "album"),
        ({"after": "move:{folder}"}, "hot folder itself"),
    ],
)
def test_repository_refuses_what_cannot_work(tmp_path, bad, words):
    folder = tmp_path / "hot"
    fields = {"folder": folder, "event_id": 5, **bad}
    if isinstance(fields.get("after"), str):
        fields["after"] = fields["after"].format(folder=folder)

    async def main():
        with Store() as store:
            with pytest.raises(HotFolderConfigError, match=words):
                await HotFolderRepository(store).add(SavedHotFolder(**fields))
            assert await HotFolderRepository(store).list() == []

    run(main())


def test_the_same_folder_cannot_be_saved_twice(tmp_path):
    async def main():
        with Store() as store:
            repo = HotFolderRepository(store)
            saved = await repo.add(SavedHotFolder(tmp_path / "hot", event_id=1))
            with pytest.raises(HotFolderConfigError, match="already a hot folder"):
                await repo.add(SavedHotFolder(tmp_path / "hot", event_id=2))
            other = await repo.add(SavedHotFolder(tmp_path / "other", event_id=2))
            with pytest.raises(HotFolderConfigError, match="already a hot folder"):
                await repo.update(replace(other, folder=saved.folder))

    run(main())


def test_the_table_keeps_folders_unique_even_without_the_repository(tmp_path):
    with Store() as store:
        insert = "INSERT INTO hot_folder (folder, event_id, created) VALUES ('/x', 1, 0)"
        store.write_sync(lambda c: c.execute(insert))
        with pytest.raises(sqlite3.IntegrityError):
            store.write_sync(lambda c: c.execute(insert))


def test_the_manager_runs_enabled_folders_and_follows_edits(empty_sandbox, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.hotfolders")  # "folder three is gone"
    one, two, three = (tmp_path / n for n in ("one", "two", "three"))
    for folder in (one, two):
        folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            repo = HotFolderRepository(h.store)
            saved_one = await repo.add(SavedHotFolder(one, event_id=h.event_id, settle=0.3))
            saved_two = await repo.add(SavedHotFolder(two, event_id=h.event_id, settle=0.3, enabled=False))
            manager = HotFolderManager(h.store, h.engine, h.client, watcher_options={"health_interval": 0.2})
            seen: list[tuple[int, object]] = []
            manager.subscribe(lambda hot_id, event: seen.append((hot_id, event)))
            started = await manager.start()
            assert [s.id for s in started] == [saved_one.id]
            assert set(manager.running) == {saved_one.id}

            (one / "1.jpg").write_bytes(noise_jpeg(1))
            await h.wait_for(
                lambda: [e for i, e in seen if isinstance(e, HotFolderFileUploaded) and i == saved_one.id],
                what="the upload from folder one",
            )

            await manager.set_enabled(saved_two.id, True)
            assert set(manager.running) == {saved_one.id, saved_two.id}
            (two / "2.jpg").write_bytes(noise_jpeg(2))
            await h.wait_for(
                lambda: [e for i, e in seen if isinstance(e, HotFolderFileUploaded) and i == saved_two.id],
                what="the upload from folder two",
            )

            moved = await manager.update(replace(saved_one, folder=three))
            assert manager.watcher(saved_one.id).folder == three
            await h.wait_for(
                lambda: [e for i, e in seen if isinstance(e, HotFolderProblem) and i == moved.id],
                what="the missing folder reported",
            )
            three.mkdir()
            (three / "3.jpg").write_bytes(noise_jpeg(3))
            await h.wait_for(lambda: len(h.photos()) == 3, what="the upload from folder three")

            assert await manager.remove(saved_two.id)
            assert set(manager.running) == {saved_one.id}
            (two / "ignored.jpg").write_bytes(noise_jpeg(4))
            # Written after it to a folder still watched, with the same settle time: once this one is
            # uploaded, a watcher left running on folder two would have sent ignored.jpg as well.
            (three / "later.jpg").write_bytes(noise_jpeg(5))
            await h.wait_for(lambda: len(h.photos()) == 4, what="the later upload from folder three")
            watcher = manager.watcher(saved_one.id)
            await watcher.wait_quiet(10)
            await manager.stop()
            assert manager.running == {} and not watcher.watching
            assert sorted(p.name for p in h.photos()) == ["1.jpg", "2.jpg", "3.jpg", "later.jpg"]
            assert [h.folder for h in await manager.list()] == [three]

    run(main())


def test_saved_folder_paths_are_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert SavedHotFolder(Path("relative"), event_id=1).folder == tmp_path / "relative"


def test_the_manager_reports_a_folder_another_watcher_holds(empty_sandbox, tmp_path, caplog):
    caplog.set_level(
        logging.ERROR, logger="studio_desktop.uploads.hotfolders.manager"
    )  # "hot folder ... did not start"
    folder = tmp_path / "tether"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            await h.watch(folder)  # e.g. `studio-desktop watch` in a terminal
            repo = HotFolderRepository(h.store)
            saved = await repo.add(SavedHotFolder(folder, event_id=h.event_id, settle=0.3))
            manager = HotFolderManager(h.store, h.engine, h.client)
            seen: list[tuple[int, object]] = []
            manager.subscribe(lambda hot_id, event: seen.append((hot_id, event)))
            await manager.start()
            try:
                assert manager.running == {}
                [(hot_id, problem)] = [(i, e) for i, e in seen if isinstance(e, HotFolderProblem)]
                assert hot_id == saved.id
                assert "already watched by another Studio Desktop" in problem.message
            finally:
                await manager.stop()

    run(main())


def test_a_saved_hot_folder_keeps_its_picks_and_size_and_its_watcher_uses_them(empty_sandbox, tmp_path):
    from xmp_samples import jpeg_with_xmp, lightroom

    from studio_desktop.uploads.picks import PickFilter
    from studio_desktop.uploads.records import queue as q
    from studio_desktop.uploads.resize import ResizeSpec
    from studio_desktop.uploads.shaping import UploadShape

    folder = tmp_path / "picks"
    folder.mkdir()
    shape = UploadShape(PickFilter(3, ("Green",), True), ResizeSpec(2048, 80), resize_oversize=True)

    async def main():
        async with Harness(empty_sandbox) as h:
            repo = HotFolderRepository(h.store)
            saved = await repo.add(SavedHotFolder(folder, event_id=h.event_id, settle=0.3, shape=shape))
            assert (await repo.get(saved.id)).shape == shape
            plain = await repo.add(SavedHotFolder(tmp_path, event_id=h.event_id))
            assert (await repo.get(plain.id)).shape == UploadShape()
            await repo.remove(plain.id)

            manager = HotFolderManager(
                h.store, h.engine, h.client, watcher_options={"health_interval": 0.2, "batch_options": {"app": 1}}
            )
            seen: list[object] = []
            manager.subscribe(lambda _hot_id, event: seen.append(event))
            await manager.start()
            jpeg_with_xmp(folder / "green.jpg", lightroom(rating=4, label="Green"))
            jpeg_with_xmp(folder / "red.jpg", lightroom(rating=5, label="Red"))
            await h.wait_for(lambda: [e for e in seen if isinstance(e, HotFolderFileUploaded)], what="green.jpg")
            await h.wait_for(lambda: h.store.read_sync(q.counts)[q.FILTERED][0] == 1, what="red.jpg left out")
            await manager.stop()
            assert [p.name for p in h.photos()] == ["green.jpg"]
            batches = [b for b in h.store.read_sync(q.list_batches) if b.options.get("hot_folder")]
            assert batches and all(b.options["app"] == 1 for b in batches), "the app's batch options stay"
            assert {UploadShape.from_options(b.options) for b in batches} == {shape}

    run(main())


def test_a_damaged_options_value_reads_as_no_options(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        repo = HotFolderRepository(store)
        saved = asyncio.run(repo.add(SavedHotFolder(tmp_path, event_id=7)))
        store.write_sync(lambda conn: conn.execute("UPDATE hot_folder SET options = '{\"picks\": 3'"))
        assert asyncio.run(repo.get(saved.id)).shape.active is False
