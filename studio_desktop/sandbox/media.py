"""Everything a browser or an image view follows: photo renditions, covers, gallery pages.

``/media/photos/{id}/v{version}/{size}.jpg``  small, medium, medium_large, large, x_large, 2x_large,
                                              3x_large, or original (the stored bytes)
``/media/covers/{event|album}/{id}/v{version}/{l|xl}.jpg``  covers uploaded with ``sp.cover_photo.set``
``/gallery/{slug or id}[/albums/{id}]``       a plain gallery page (the ``view_url`` of events and albums)
``/`` and ``/brands/{id}``                    the studio's home page (``homepage_url``): public galleries only

Like the real service's CDN, nothing here is served to a stranger: a request needs
the signed, expiring link an API answer handed out (see :mod:`.signing`) or a
valid access token (``Authorization: Bearer`` or ``access_token=``). A gallery
or album with a password asks for it first unless the request carries a token
(the studio owner); the answer is remembered in a cookie bound to that password.

Renditions are made on first request (at most two at a time) and cached per
photo version; the version in the path changes when a photo is replaced.
"""

from __future__ import annotations

import hmac
import html
from pathlib import Path
from urllib.parse import quote

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from studio_desktop.sandbox.registry import ApiFail
from studio_desktop.sandbox.renditions import COVER_SIZES, RENDITION_SIZES, draw_demo_photo, make_rendition
from studio_desktop.sandbox.shapes import EVENT_SELECT, Urls
from studio_desktop.sandbox.state import StudioState

PRIVATE_CACHE = {"Cache-Control": "private, max-age=86400"}
NO_STORE = {"Cache-Control": "no-store"}
GALLERY_PAGE_PHOTOS = 200
OWNER, VISITOR = "owner", "visitor"


class Refused(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status = status
        self.text = text

    def response(self) -> Response:
        headers = {**NO_STORE, **({"WWW-Authenticate": "Bearer"} if self.status == 401 else {})}
        return PlainTextResponse(self.text, status_code=self.status, headers=headers)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.query_params.get("access_token") or None


class MediaRoutes:
    def __init__(self, state: StudioState):
        self.state = state
        self.limiter = anyio.CapacityLimiter(2)

    def routes(self) -> list[Route]:
        return [
            Route("/media/photos/{photo_id:int}/v{version:int}/{size}.jpg", self.photo),
            Route("/media/covers/{kind}/{owner_id:int}/v{version:int}/{size}.jpg", self.cover),
            Route("/gallery/{key}", self.gallery, methods=["GET", "POST"]),
            Route("/gallery/{key}/albums/{album_id:int}", self.gallery, methods=["GET", "POST"]),
            Route("/", self.home),
            Route("/brands/{brand_id:int}", self.home),
        ]

    def _who(self, request: Request) -> str:
        """OWNER for a valid token, VISITOR for a valid signed link to this very path; else :class:`Refused`."""
        token = _bearer(request)
        if token is not None:
            try:
                self.state.tokens.check(token)
            except ApiFail as fail:
                raise Refused(401, fail.msg) from None
            return OWNER
        query = request.query_params
        if "sig" not in query and "expires" not in query:
            raise Refused(401, "This link needs an access token or a signed link from the API.")
        if not self.state.signer.link_ok(request.scope["path"], query.get("expires"), query.get("sig")):
            raise Refused(403, "This link has expired or its signature is not valid.")
        return VISITOR

    def photo_file(self, photo_id: int, size: str = "original") -> Path | None:
        """The file behind a photo URL, drawing or resizing it first if needed; None if there is no such photo."""
        if size != "original" and size not in RENDITION_SIZES:
            return None
        with self.state.db.read() as c:
            row = c.execute(
                "SELECT p.id, p.name, p.width, p.height, p.version, p.generated, w.text AS watermark "
                "FROM photos p LEFT JOIN watermarks w ON w.id = p.watermark_id WHERE p.id = ?",
                (photo_id,),
            ).fetchone()
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
        try:
            self._who(request)
        except Refused as refused:
            return refused.response()
        data = await anyio.to_thread.run_sync(
            self.photo_bytes, request.path_params["photo_id"], request.path_params["size"], limiter=self.limiter
        )
        if data is None:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(data, media_type="image/jpeg", headers=PRIVATE_CACHE)

    def photo_bytes(self, photo_id: int, size: str) -> bytes | None:
        """The bytes behind a photo URL; None if there is no such photo, also when it is deleted meanwhile.

        A delete removes the row, then the files: a request that read the row may find the
        original or its rendition gone while it resizes or reads it (a 404, as a moment later,
        never a 500), or may have drawn them again for a photo that is no more (removed here).
        Read whole, so the answer cannot lose its file between here and sending it.
        """
        try:
            path = self.photo_file(photo_id, size)
            data = None if path is None else path.read_bytes()
        except FileNotFoundError:
            data = None
        with self.state.db.read() as c:
            gone = c.execute("SELECT 1 FROM photos WHERE id = ?", (photo_id,)).fetchone() is None
        if gone:
            self.state.storage.forget_photo(photo_id)
            return None
        return data

    async def cover(self, request: Request) -> Response:
        try:
            self._who(request)
        except Refused as refused:
            return refused.response()
        p = request.path_params
        path = await anyio.to_thread.run_sync(
            self.cover_file, p["kind"], p["owner_id"], p["size"], limiter=self.limiter
        )
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path, media_type="image/jpeg", headers=PRIVATE_CACHE)

    def _pass_cookie(self, kind: str, owner_id: int, password: str) -> tuple[str, str]:
        return f"sp_pass_{kind}_{owner_id}", self.state.signer.mac("password", kind, str(owner_id), password)[:32]

    def _locked(self, request: Request, locks: list[tuple[str, int, str | None, str]]) -> tuple[str, int, str] | None:
        """The first (kind, id, name) whose password this visitor has not given yet."""
        for kind, owner_id, password, name in locks:
            if not password:
                continue
            cookie, value = self._pass_cookie(kind, owner_id, password)
            if not hmac.compare_digest(request.cookies.get(cookie, ""), value):
                return kind, owner_id, name
        return None

    async def gallery(self, request: Request) -> Response:
        try:
            who = self._who(request)
        except Refused as refused:
            return refused.response()
        key = request.path_params["key"]
        album_id = request.path_params.get("album_id")
        urls = Urls(str(request.base_url), self.state.signer)
        with self.state.db.read() as c:
            event = c.execute(
                f"{EVENT_SELECT} WHERE e.url_slug = ? OR (e.url_slug IS NULL AND e.id = ?)",
                (key, int(key) if key.isdigit() else -1),
            ).fetchone()
            if event is None:
                return PlainTextResponse("This gallery does not exist.", status_code=404)
            album = None
            if album_id is not None:
                album = c.execute(
                    "SELECT id, name, password FROM albums WHERE id = ? AND event_id = ?", (album_id, event["id"])
                ).fetchone()
                if album is None:
                    return PlainTextResponse("This album does not exist.", status_code=404)
            albums = c.execute(
                "SELECT id, name, photo_count FROM albums WHERE event_id = ? "
                "ORDER BY parent_id IS NOT NULL, display_order, id",
                (event["id"],),
            ).fetchall()
            if album_id is not None:
                photos = c.execute(
                    "SELECT id, name, version FROM photos WHERE album_id = ? AND event_id = ? ORDER BY seq LIMIT ?",
                    (album_id, event["id"], GALLERY_PAGE_PHOTOS),
                ).fetchall()
            else:
                photos = c.execute(
                    "SELECT id, name, version FROM photos WHERE event_id = ? ORDER BY seq LIMIT ?",
                    (event["id"], GALLERY_PAGE_PHOTOS),
                ).fetchall()
        if who == VISITOR:
            locks = [("event", event["id"], event["password"], event["name"])]
            if album is not None:
                locks.append(("album", album["id"], album["password"], album["name"]))
            if (locked := await self._unlock(request, locks)) is not None:
                return locked
        elif request.method == "POST":
            return RedirectResponse(str(request.url), status_code=303)
        links = " · ".join(
            f'<a href="{html.escape(urls.album(event, a["id"]))}">{html.escape(a["name"])}</a> ({a["photo_count"]})'
            for a in albums
        )
        tiles = "".join(
            f'<a href="{html.escape(urls.photo_size(p["id"], p["version"], "2x_large"))}">'
            f'<img src="{html.escape(urls.photo_size(p["id"], p["version"], "small"))}" '
            f'alt="{html.escape(p["name"])}" title="{html.escape(p["name"])}" loading="lazy"></a>'
            for p in photos
        )
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(event['name'])}</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}img{height:160px;margin:3px}</style></head>"
            f"<body><h1><a href='{html.escape(urls.gallery(event))}'>{html.escape(event['name'])}</a></h1>"
            f"<p>{event['photo_count']} photos. {links}</p><div>{tiles}</div></body></html>",
            headers=NO_STORE,
        )

    async def _unlock(self, request: Request, locks: list[tuple[str, int, str | None, str]]) -> Response | None:
        """None once every password is given; else the password form, or the redirect after a right answer."""
        locked = self._locked(request, locks)
        if locked is None:
            return RedirectResponse(str(request.url), status_code=303) if request.method == "POST" else None
        kind, owner_id, name = locked
        wrong = False
        if request.method == "POST":
            given = str((await request.form()).get("password") or "")
            password = next(p for k, i, p, _ in locks if (k, i) == (kind, owner_id)) or ""
            if hmac.compare_digest(given.encode(), password.encode()):
                # Back to the same signed link with GET, so a reload does not post the password again.
                response = RedirectResponse(str(request.url), status_code=303)
                cookie, value = self._pass_cookie(kind, owner_id, password)
                response.set_cookie(cookie, value, httponly=True, samesite="lax", path="/")
                return response
            wrong = True
        action = html.escape(quote(request.scope["path"]) + "?" + request.url.query)
        what = "gallery" if kind == "event" else "album"
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(name)}</title></head>"
            "<body style='font-family:system-ui,sans-serif;margin:2em'>"
            f"<h1>{html.escape(name)}</h1><p>This {what} is protected by a password.</p>"
            + ("<p id='wrong-password'>That password is not right.</p>" if wrong else "")
            + f"<form method='post' action='{action}'><label>Password "
            "<input type='password' name='password' autofocus></label> <button type='submit'>View</button></form>"
            "</body></html>",
            status_code=401,
            headers=NO_STORE,
        )

    async def home(self, request: Request) -> Response:
        try:
            self._who(request)
        except Refused as refused:
            return refused.response()
        urls = Urls(str(request.base_url), self.state.signer)
        brand_id = request.path_params.get("brand_id")
        with self.state.db.read() as c:
            studio = c.execute("SELECT * FROM studio WHERE id = 1").fetchone()
            events = c.execute(
                f"{EVENT_SELECT} WHERE e.is_archived = 0 AND e.access_level LIKE 'public%' "
                "AND (? IS NULL OR e.brand_id = ?) ORDER BY e.created DESC LIMIT 100",
                (brand_id, brand_id),
            ).fetchall()
        items = "".join(
            f'<li><a href="{html.escape(urls.gallery(e))}">{html.escape(e["name"])}</a> ({e["photo_count"]})</li>'
            for e in events
        )
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(studio['name'])}</title></head>"
            f"<body style='font-family:system-ui,sans-serif;margin:2em'><h1>{html.escape(studio['name'])}</h1>"
            f"<p>ShootProof sandbox studio. API: <code>{urls.base}/v2</code></p><ul>{items}</ul></body></html>",
            headers=NO_STORE,
        )
