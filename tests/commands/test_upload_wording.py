"""What `studio-desktop upload` says when another run shares its work: the same data folder, or the new event."""

from __future__ import annotations

import asyncio
import io
import json

from command_support import new_event
from imagegen import make_jpeg

from studio_desktop import cli
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.commands.common import create_event
from studio_desktop.core.store import Store
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.runlock import EngineLock


def upload(server, *args: str) -> int:
    return cli.main(["upload", *args, "--api-url", server.shootproof_api_url])


def test_files_another_run_on_this_computer_is_uploading_are_said_to_be_its(server, tmp_path, capsys):
    """Another run with the same data folder queued the folder and is sending two of its files right now."""
    event_id = new_event(server)
    files = [make_jpeg(tmp_path / "shoot" / f"IMG_{i:04d}.jpg", size=(24 + i, 24)) for i in range(5)]
    other_run = EngineLock(Store().path)
    with Store() as store:
        assert other_run.acquire()  # the other run is alive: its items are not a crash's leftovers
        other_run.share()
        batch = store.write_sync(q.create_batch, event_id, None, {}, "the other run")
        store.write_sync(
            q.add_items, batch, [q.NewItem(str(p), p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
        )
        for item in list(q.iter_items(store, batch_ids=[batch]))[:2]:
            store.write_sync(q.set_state, item.id, q.CHECKING)
    try:
        code = upload(server, str(tmp_path / "shoot"), "--event", str(event_id))
        out = capsys.readouterr().out
        assert "Uploaded: 3 file(s)" in out
        assert "2 file(s) were already being uploaded by another run on this computer" in out
        assert "Not uploaded yet" not in out, "they are not waiting: the other run has them"
        assert code == 1, "not all of them are known to be in the gallery yet"
        assert server.studio.count_photos(event_id) == 3, "this run sent only the files nobody else had"

        assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--json") == 1
        result = json.loads(capsys.readouterr().out)
        assert result["counts"]["other_run"] == 2 and len(result["other_run"]) == 2
    finally:
        other_run.release()


def test_an_event_whose_create_failed_after_taking_effect_is_found_not_created(server, tmp_path, capsys):
    make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg")
    server.faults.queue(500, after=True, method="sp.event.create")  # made, but the answer is lost
    assert upload(server, str(tmp_path / "shoot"), "--new-event", "Attack") == 0
    err = capsys.readouterr().err
    assert "Created the event" not in err
    assert "Found the event 'Attack' (id " in err and "another run made it meanwhile" in err
    assert server.studio.count_requests("sp.event.create") == 1, "not created twice"


def test_an_event_created_plainly_is_said_to_be_created(server, tmp_path, capsys):
    make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg")
    assert upload(server, str(tmp_path / "shoot"), "--new-event", "Attack") == 0
    err = capsys.readouterr().err
    assert "Created the event 'Attack' (id " in err and "Found the event" not in err


def test_an_event_another_run_created_at_the_same_moment_is_used_and_ours_removed(server):
    """Two runs with --new-event at once: both looked, found nothing, and created; the later sees both."""

    class BothCreate(ShootProofClient):
        async def event_create(self, name, **options):
            other = await ShootProofClient(server.shootproof_api_url, server.access_token).__aenter__()
            try:
                first = await other.event_create(name)  # the other run's create lands first
            finally:
                await other.aclose()
            self.other_id = first.id
            return await super().event_create(name, **options)

    async def main():
        async with BothCreate(server.shootproof_api_url, server.access_token) as client:
            out = io.StringIO()
            return await create_event(client, "Attack", out), client.other_id, out.getvalue()

    used, other_id, said = asyncio.run(main())
    assert used == other_id
    assert f"Found the event 'Attack' (id {other_id}) that another run created at the same time" in said
    assert "Created the event" not in said
    assert server.studio.count_requests("sp.event.delete") == 1

    async def named():
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            listing = await client.event_get_list(limit=100)
            return [e.id for e in listing.items if e.name == "Attack" and (e.status or "").lower() != "deleted"]

    assert asyncio.run(named()) == [other_id], "the empty one made here is gone"
