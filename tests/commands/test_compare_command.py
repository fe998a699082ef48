"""`studio-desktop compare`: every kind of difference, against the sandbox over real HTTP; read-only by default."""

from __future__ import annotations

import asyncio
import json
import os
import shutil

from command_support import new_event
from imagegen import BLUE, GREEN, make_jpeg, make_text_file

from studio_desktop import cli
from studio_desktop.api.shootproof import ShootProofClient

WRITES = (
    "sp.photo.upload",
    "sp.photo.update",
    "sp.photo.delete",
    "sp.album.create",
    "sp.album.delete",
    "sp.photo.add_to_album",
    "sp.photo.remove_from_album",
)


def run(server, command: str, *args: str) -> int:
    return cli.main([command, *args, "--api-url", server.shootproof_api_url])


def as_another_app(server, event_id: int, path, album_name: str | None) -> int:
    async def send():
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            album_id = None
            if album_name:
                album_id = next(a.id for a in await client.album_get_list(event_id) if a.name == album_name)
            return (await client.photo_upload(event_id, str(path), album_id=album_id)).photo_id

    return asyncio.run(send())


def writes(server) -> int:
    return sum(server.studio.count_requests(m) for m in WRITES)


def shoot_with_every_difference(server, tmp_path):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    for name in ("A", "B", "C"):
        make_jpeg(shoot / "Ceremony" / f"{name}.jpg", size=(40 + ord(name), 30))
    make_jpeg(shoot / "Reception" / "D.jpg", size=(50, 30))
    make_jpeg(shoot / "E.jpg", size=(60, 30))
    assert run(server, "upload", str(shoot), "--event", str(event_id), "--mirror-folders") == 0

    make_jpeg(shoot / "Ceremony" / "B.jpg", size=(70, 50), color=BLUE)  # re-exported under the same name
    shutil.copy2(shoot / "Ceremony" / "C.jpg", shoot / "Ceremony" / "C-export.jpg")  # renamed re-export
    os.unlink(shoot / "Ceremony" / "C.jpg")
    make_jpeg(shoot / "Ceremony" / "F.jpg", size=(33, 30), color=GREEN)  # new
    os.unlink(shoot / "Reception" / "D.jpg")  # culled after upload
    make_jpeg(shoot / "Portraits" / "G.jpg", size=(34, 30))  # a folder with no album yet
    make_jpeg(shoot / "Reception" / "I.jpg", size=(35, 30))  # same name as one sent by another app
    as_another_app(server, event_id, make_jpeg(tmp_path / "other" / "I.jpg", size=(36, 30)), "Reception")
    as_another_app(server, event_id, make_jpeg(tmp_path / "other" / "H.jpg", size=(37, 30)), "Ceremony")
    make_text_file(shoot / "notes.jpg")
    return event_id, shoot


def test_compare_reports_every_difference_per_album_and_changes_nothing(server, tmp_path, capsys):
    event_id, shoot = shoot_with_every_difference(server, tmp_path)
    capsys.readouterr()
    server.studio.clear_request_log()
    before = server.studio.count_photos(event_id)

    code = run(server, "compare", str(shoot), "--event", str(event_id), "--mirror-folders", "--json")
    captured = capsys.readouterr()
    assert code == 1
    report = json.loads(captured.out)
    albums = {tuple(a["path"]): a for a in report["albums"]}
    assert set(albums) == {(), ("Ceremony",), ("Reception",), ("Portraits",)}

    root, ceremony, reception, portraits = (albums[k] for k in [(), ("Ceremony",), ("Reception",), ("Portraits",)])
    assert root["counts"] == {
        "same": 1,
        "different": 0,
        "unverified": 0,
        "same_photo_as": 0,
        "only_in_folder": 0,
        "only_in_gallery": 0,
    }
    assert ceremony["counts"] == {
        "same": 1,
        "different": 1,
        "unverified": 0,
        "same_photo_as": 1,
        "only_in_folder": 1,
        "only_in_gallery": 1,
    }
    assert [d["name"] for d in ceremony["different"]] == ["B.jpg"]
    assert [(d["name"], d["as"]) for d in ceremony["same_photo_as"]] == [("C-export.jpg", "C.jpg")]
    assert [d["name"] for d in ceremony["only_in_folder"]] == ["F.jpg"]
    assert [d["name"] for d in ceremony["only_in_gallery"]] == ["H.jpg"]
    assert [d["name"] for d in reception["only_in_gallery"]] == ["D.jpg"]
    assert [d["name"] for d in reception["unverified"]] == ["I.jpg"]
    assert portraits["exists"] is False and [d["name"] for d in portraits["only_in_folder"]] == ["G.jpg"]
    assert report["counts"]["unusable"] == 1 and report["unusable"][0]["path"].endswith("notes.jpg")
    assert "C-export.jpg: same photo as C.jpg" in captured.err
    assert "Album Portraits (not in the gallery yet)" in captured.err

    assert writes(server) == 0, "a compare never writes to the gallery"
    assert server.studio.count_photos(event_id) == before


def test_upload_missing_sends_only_the_photos_missing_and_deletes_nothing(server, tmp_path, capsys):
    event_id, shoot = shoot_with_every_difference(server, tmp_path)
    before = server.studio.count_photos(event_id)
    server.studio.clear_request_log()

    assert run(server, "compare", str(shoot), "--event", str(event_id), "--mirror-folders", "--upload-missing") == 0
    out = capsys.readouterr().out
    assert "Uploaded the missing photos: 2 of 2." in out
    assert server.studio.count_requests("sp.photo.upload") == 2
    assert server.studio.count_requests("sp.photo.delete") == 0
    assert server.studio.count_photos(event_id) == before + 2

    assert run(server, "compare", str(shoot), "--event", str(event_id), "--mirror-folders", "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["only_in_folder"] == 0
    assert report["counts"]["same_photo_as"] == 1 and report["counts"]["different"] == 1


def test_a_folder_that_matches_the_gallery_is_in_order(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    for i in range(3):
        make_jpeg(shoot / f"IMG_{i}.jpg", size=(30 + i, 20))
    assert run(server, "upload", str(shoot), "--event", str(event_id), "--resize", "web") == 0
    capsys.readouterr()
    assert run(server, "compare", str(shoot), "--event", str(event_id)) == 0
    out = capsys.readouterr().out
    assert "Event (photos in no album): 3 same, 0 only in the folder" in out
    assert "Everything is there." in out


def test_unknown_event_cannot_start(server, tmp_path, capsys):
    make_jpeg(tmp_path / "a.jpg")
    assert run(server, "compare", str(tmp_path), "--event", "999999") == 2
    assert "no event 999999" in capsys.readouterr().err


def test_compare_with_one_album_names_it(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    make_jpeg(shoot / "Ceremony" / "A.jpg", size=(40, 30))
    assert run(server, "upload", str(shoot), "--event", str(event_id), "--mirror-folders") == 0

    async def ceremony() -> int:
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            return (await client.album_get_list(event_id))[0].id

    album_id = asyncio.run(ceremony())
    capsys.readouterr()
    assert run(server, "compare", str(shoot / "Ceremony"), "--event", str(event_id), "--album", str(album_id)) == 0
    assert f"Album Ceremony (id {album_id}): 1 same" in capsys.readouterr().out
