"""``sp.album.*``: albums inside an event, nested at most four levels deep."""

from __future__ import annotations

import sqlite3
from typing import Any

from studio_desktop.core.store import inserted_id
from studio_desktop.sandbox.registry import ApiFail, Call, api_method, invalid
from studio_desktop.sandbox.shapes import album_json, album_row, album_trees, event_row, photos_page
from studio_desktop.sandbox.shootproof_events import touch_event

MAX_DEPTH = 4


def depth(c: sqlite3.Connection, album_id: int) -> int:
    """1 for a top-level album, 4 for the deepest allowed."""
    row = c.execute(
        "WITH RECURSIVE up(id, parent_id, n) AS ("
        " SELECT id, parent_id, 1 FROM albums WHERE id = ?"
        " UNION ALL SELECT a.id, a.parent_id, up.n + 1 FROM albums a JOIN up ON a.id = up.parent_id)"
        " SELECT MAX(n) FROM up",
        (album_id,),
    ).fetchone()
    return row[0] or 0


def subtree(c: sqlite3.Connection, album_id: int) -> list[tuple[int, int]]:
    """(album ID, level below ``album_id`` starting at 1) for the album and everything under it."""
    return [
        (r[0], r[1])
        for r in c.execute(
            "WITH RECURSIVE down(id, n) AS ("
            " SELECT id, 1 FROM albums WHERE id = ?"
            " UNION ALL SELECT a.id, down.n + 1 FROM albums a JOIN down ON a.parent_id = down.id)"
            " SELECT id, n FROM down",
            (album_id,),
        )
    ]


def _next_order(c: sqlite3.Connection, event_id: int, parent_id: int | None) -> int:
    order: int = c.execute(
        "SELECT COALESCE(MAX(display_order), 0) + 1 FROM albums WHERE event_id = ? AND parent_id IS ?",
        (event_id, parent_id),
    ).fetchone()[0]
    return order


def _parent(c: sqlite3.Connection, parent_id: int, event_id: int) -> sqlite3.Row:
    try:
        parent = album_row(c, parent_id)
    except ApiFail:
        raise invalid("parent_id", f"There is no album with ID {parent_id}.") from None
    if parent["event_id"] != event_id:
        raise invalid("parent_id", f"Album {parent_id} is in another event.")
    return parent


@api_method("sp.album.get_list", required=("event_id",))
def album_get_list(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    with call.state.db.read() as c:
        event_row(c, event_id)
        trees = album_trees(c, [event_id], call.urls, brief=False)
    return {"albums": trees[event_id]}


@api_method("sp.album.create", required=("event_id", "album_name"))
def album_create(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    name = call.required_name("album_name", "album name")
    parent_id = call.opt_int("parent_id")
    password = (call.text("password") or "").strip() or None
    if password and len(password) > 64:
        raise invalid("password", "The password can be at most 64 characters long.")
    with call.state.db.tx() as c:
        event_row(c, event_id)
        if parent_id is not None:
            _parent(c, parent_id, event_id)
            if depth(c, parent_id) >= MAX_DEPTH:
                raise invalid(
                    "parent_id",
                    f"Albums can be nested at most {MAX_DEPTH} levels deep; "
                    f"album {parent_id} is already at level {MAX_DEPTH}.",
                )
        now = call.state.clock.stamp()
        cur = c.execute(
            "INSERT INTO albums (event_id, parent_id, name, password, display_order, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (event_id, parent_id, name, password, _next_order(c, event_id, parent_id), now),
        )
        touch_event(c, event_id, now)
        return {"album": album_json(album_row(c, inserted_id(cur)), call.urls)}


@api_method("sp.album.delete", required=("album_id",))
def album_delete(call: Call) -> dict[str, Any]:
    album_id = call.int("album_id")
    with call.state.db.tx() as c:
        album = album_row(c, album_id)
        albums = [a for a, _ in subtree(c, album_id)]
        marks = ",".join("?" * len(albums))
        photo_ids = [r[0] for r in c.execute(f"SELECT id FROM photos WHERE album_id IN ({marks})", albums)]
        if call.flag("only_empty") and photo_ids:
            raise ApiFail(
                400,
                f"The album is not empty: it and its sub-albums hold {len(photo_ids)} photos.",
                validation_errors={"only_empty": ["The album still holds photos."]},
            )
        c.execute("DELETE FROM albums WHERE id = ?", (album_id,))
        touch_event(c, album["event_id"], call.state.clock.stamp())
    for photo_id in photo_ids:
        call.state.storage.forget_photo(photo_id)
    for sub_id in albums:
        call.state.storage.forget_cover("album", sub_id)
    return {}


@api_method("sp.album.move", required=("album_id",))
def album_move(call: Call) -> dict[str, Any]:
    album_id = call.int("album_id")
    parent_id = call.opt_int("parent_id")
    with call.state.db.tx() as c:
        album = album_row(c, album_id)
        below = subtree(c, album_id)
        if parent_id is not None:
            _parent(c, parent_id, album["event_id"])
            if parent_id in {a for a, _ in below}:
                raise invalid("parent_id", "An album cannot be moved into itself or one of its sub-albums.")
            height = max(n for _, n in below)
            if depth(c, parent_id) + height > MAX_DEPTH:
                raise invalid(
                    "parent_id",
                    f"Albums can be nested at most {MAX_DEPTH} levels deep; moving this "
                    f"album there would make {depth(c, parent_id) + height} levels.",
                )
        if parent_id != album["parent_id"]:
            c.execute(
                "UPDATE albums SET parent_id = ?, display_order = ? WHERE id = ?",
                (parent_id, _next_order(c, album["event_id"], parent_id), album_id),
            )
            touch_event(c, album["event_id"], call.state.clock.stamp())
        return {"album": album_json(album_row(c, album_id), call.urls)}


@api_method("sp.album.rename", required=("album_id", "album_name"))
def album_rename(call: Call) -> dict[str, Any]:
    album_id = call.int("album_id")
    name = call.required_name("album_name", "album name")
    with call.state.db.tx() as c:
        album = album_row(c, album_id)
        c.execute("UPDATE albums SET name = ? WHERE id = ?", (name, album_id))
        touch_event(c, album["event_id"], call.state.clock.stamp())
        return {"album": album_json(album_row(c, album_id), call.urls)}


@api_method("sp.album.get_photos", required=("album_id",))
def album_get_photos(call: Call) -> dict[str, Any]:
    return photos_page(call, album_row, "album_id", call.int("album_id"))


@api_method("sp.album.info", required=("album_id",))
def album_info(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        album = album_row(c, call.int("album_id"))
        event = event_row(c, album["event_id"])
    info = album_json(album, call.urls)
    info["view_url"] = call.urls.album(event, album["id"])
    info["photo_count"] = info.pop("photo_count")
    return {"album": info}
