"""Everything a browser or an image view follows: photo renditions, covers, gallery pages.

``/media/photos/{id}/{size}.jpg``           small, medium, medium_large, large, x_large, 2x_large,
                                            3x_large, or original (the stored bytes)
``/media/covers/{event|album}/{id}/{l|xl}.jpg``  covers uploaded with ``sp.cover_photo.set``
``/gallery/{slug or id}[/albums/{id}]``     a plain gallery page (the ``view_url`` of events and albums)
``/`` and ``/brands/{id}``                  the studio's home page (``homepage_url``)

Renditions are made on first request (at most two at a time) and cached per
photo version, so ``?v=`` in the URLs changes when a photo is replaced.
"""

from __future__ import annotations

import html
from pathlib import Path

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from studio_desktop.sandbox.renditions import COVER_SIZES, RENDITION_SIZES, draw_demo_photo, make_rendition
from studio_desktop.sandbox.shapes import EVENT_SELECT, Urls
from studio_desktop.sandbox.state import StudioState

CACHE = {"Cache-Control": "public, max-age=86400"}
GALLERY_PAGE_PHOTOS = 200


class MediaRoutes:
    def __init__(self, state: StudioState):
        self.state = state
        self.limiter = anyio.CapacityLimiter(2)

    def routes(self) -> list[Route]:
        return [
            Route("/media/photos/{photo_id:int}/{size}.jpg", self.photo),
            Route("/media/covers/{kind}/{owner_id:int}/{size}.jpg", self.cover),
            Route("/gallery/{key}", self.gallery),
            Route("/gallery/{key}/albums/{album_id:int}", self.gallery),
            Route("/", self.home),
            Route("/brands/{brand_id:int}", self.home),
        ]

    def photo_file(self, photo_id: int, size: str = "original") -> Path | None:
        """The file behind a photo URL, drawing or resizing it first if needed; None if there is no such photo."""
        if size != "original" and size not in RENDITION_SIZES:
            return None
        with self.state.db.read() as c:
            row = c.execute("SELECT p.id, p.name, p.width, p.height, p.version, p.generated, w.text AS watermark "
                            "FROM photos p LEFT JOIN watermarks w ON w.id = p.watermark_id WHERE p.id = ?",
                            (photo_id,)).fetchone()
        if row is None:
            return None
        storage = self.state.storage
        original = storage.photo_path(photo_id)
        if not original.exists():
            if not row["generated"]:
                return None
            draw_demo_photo(original, photo_id, row["name"], row["width"], row["height"])
        if size == "original":
            return original
        dest = storage.rendition_path(photo_id, row["version"], size)
        if not dest.exists():
            make_rendition(original, dest, RENDITION_SIZES[size], row["watermark"])
        return dest

    def cover_file(self, kind: str, owner_id: int, size: str) -> Path | None:
        if kind not in ("event", "album") or size not in COVER_SIZES:
            return None
        table = "events" if kind == "event" else "albums"
        with self.state.db.read() as c:
            row = c.execute(f"SELECT cover_version FROM {table} WHERE id = ?", (owner_id,)).fetchone()
        if row is None or not row["cover_version"]:
            return None
        storage = self.state.storage
        source = storage.cover_path(kind, owner_id, row["cover_version"])
        dest = storage.cover_rendition_path(kind, owner_id, row["cover_version"], size)
        if not dest.exists():
            if not source.exists():
                return None
            make_rendition(source, dest, COVER_SIZES[size])
        return dest

    async def photo(self, request: Request) -> Response:
        path = await anyio.to_thread.run_sync(self.photo_file, request.path_params["photo_id"],
                                              request.path_params["size"], limiter=self.limiter)
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path, media_type="image/jpeg", headers=CACHE)

    async def cover(self, request: Request) -> Response:
        p = request.path_params
        path = await anyio.to_thread.run_sync(self.cover_file, p["kind"], p["owner_id"], p["size"],
                                              limiter=self.limiter)
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path, media_type="image/jpeg", headers=CACHE)

    async def gallery(self, request: Request) -> Response:
        key = request.path_params["key"]
        album_id = request.path_params.get("album_id")
        urls = Urls(str(request.base_url))
        with self.state.db.read() as c:
            event = c.execute(f"{EVENT_SELECT} WHERE e.url_slug = ? OR (e.url_slug IS NULL AND e.id = ?)",
                              (key, int(key) if key.isdigit() else -1)).fetchone()
            if event is None:
                return PlainTextResponse("This gallery does not exist.", status_code=404)
            albums = c.execute("SELECT id, name, photo_count FROM albums WHERE event_id = ? "
                               "ORDER BY parent_id IS NOT NULL, display_order, id", (event["id"],)).fetchall()
            if album_id is not None:
                photos = c.execute("SELECT id, name, version FROM photos WHERE album_id = ? AND event_id = ? "
                                   "ORDER BY id LIMIT ?", (album_id, event["id"], GALLERY_PAGE_PHOTOS)).fetchall()
            else:
                photos = c.execute("SELECT id, name, version FROM photos WHERE event_id = ? ORDER BY id LIMIT ?",
                                   (event["id"], GALLERY_PAGE_PHOTOS)).fetchall()
        links = " · ".join(f'<a href="{urls.album(event, a["id"])}">{html.escape(a["name"])}</a> '
                           f'({a["photo_count"]})' for a in albums)
        tiles = "".join(f'<a href="{urls.photo_size(p["id"], p["version"], "2x_large")}">'
                        f'<img src="{urls.photo_size(p["id"], p["version"], "small")}" '
                        f'alt="{html.escape(p["name"])}" title="{html.escape(p["name"])}" loading="lazy"></a>'
                        for p in photos)
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(event['name'])}</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}img{height:160px;margin:3px}</style></head>"
            f"<body><h1><a href='{urls.gallery(event)}'>{html.escape(event['name'])}</a></h1>"
            f"<p>{event['photo_count']} photos. {links}</p><div>{tiles}</div></body></html>")

    async def home(self, request: Request) -> Response:
        urls = Urls(str(request.base_url))
        brand_id = request.path_params.get("brand_id")
        with self.state.db.read() as c:
            studio = c.execute("SELECT * FROM studio WHERE id = 1").fetchone()
            events = c.execute(f"{EVENT_SELECT} WHERE e.is_archived = 0 AND (? IS NULL OR e.brand_id = ?) "
                               "ORDER BY e.created DESC LIMIT 100", (brand_id, brand_id)).fetchall()
        items = "".join(f'<li><a href="{urls.gallery(e)}">{html.escape(e["name"])}</a> ({e["photo_count"]})</li>'
                        for e in events)
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(studio['name'])}</title></head>"
            f"<body style='font-family:system-ui,sans-serif;margin:2em'><h1>{html.escape(studio['name'])}</h1>"
            f"<p>ShootProof sandbox studio. API: <code>{urls.base}/v2</code></p><ul>{items}</ul></body></html>")
