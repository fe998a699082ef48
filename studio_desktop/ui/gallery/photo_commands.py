"""What the photo commands do with the grid's selection: info, delete, albums, replace, cover, browser."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio_desktop.api.errors import NotFoundError
from studio_desktop.api.models import Album, Photo
from studio_desktop.gallery.originals import Originals
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, EventNode, GalleryTarget
from studio_desktop.ui.gallery.covers import Covers
from studio_desktop.ui.gallery.dialogs.base import choose_jpeg, confirm, opened
from studio_desktop.ui.gallery.dialogs.pickers import AlbumPickerDialog
from studio_desktop.ui.gallery.dialogs.preview import PhotoPreviewDialog
from studio_desktop.ui.gallery.dialogs.viewers import PhotoInfoDialog
from studio_desktop.ui.gallery.failures import Refusal, Subject, describe
from studio_desktop.uploads.images import validate_jpeg

if TYPE_CHECKING:
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.ui.gallery.context import GalleryContext

#: Photo calls in flight at once during a batch (delete, add to album...).
BATCH_CONCURRENCY = 4
#: Opening more browser tabs than this at once is more likely a slip than a wish.
MAX_OPEN_AT_ONCE = 10


def photos_text(count: int) -> str:
    return f"{count:,} photo{'s' if count != 1 else ''}"


@dataclass
class BatchResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, BaseException] = field(default_factory=dict)

    def summary(self, verb: str, total: int, where: str = "") -> str:
        """``Put 3 photos in 'Ceremony'.`` or ``Put 2 of 3 photos in 'Ceremony'; 1 could not be (<reason>).``"""
        if not self.failed:
            return f"{verb} {photos_text(len(self.done))}{where}."
        reason = describe(next(iter(self.failed.values()))).message
        return (
            f"{verb} {len(self.done):,} of {photos_text(total)}{where}; {len(self.failed):,} could not be "
            f"({reason.rstrip('.')})."
        )


async def run_batch(
    ids: Sequence[int], call: Callable[[int], Awaitable[Any]], *, gone_is_done: bool = False
) -> BatchResult:
    """``call(photo_id)`` for each id, a few at a time; one failure does not stop the others."""
    result = BatchResult()
    limit = asyncio.Semaphore(BATCH_CONCURRENCY)

    async def one(photo_id: int) -> None:
        async with limit:
            try:
                await call(photo_id)
            except NotFoundError as error:
                if gone_is_done:
                    result.done.append(photo_id)
                else:
                    result.failed[photo_id] = error
            except Exception as error:  # noqa: BLE001 - reported per photo in the summary
                result.failed[photo_id] = error
            else:
                result.done.append(photo_id)

    await asyncio.gather(*(one(photo_id) for photo_id in ids))
    return result


class PhotoCommands:
    def __init__(self, ctx: GalleryContext, covers: Covers, originals: Originals, thumbnails: Any | None):
        self.ctx = ctx
        self.covers = covers
        self.originals = originals
        self.thumbnails = thumbnails
        self.last_dir: Path | None = None

    @property
    def target(self) -> GalleryTarget | None:
        return self.ctx.window.grid_model.target

    def _after_batch(self, result: BatchResult, verb: str, total: int, where: str = "") -> None:
        text = result.summary(verb, total, where)
        if result.failed:
            self.ctx.problem(text)
        else:
            self.ctx.info(text)
        self.ctx.reload_grid()
        self.ctx.reload_tree()

    def _batch_failed(self, error: BaseException, doing: str) -> None:
        self.ctx.failed(error, doing=doing)
        self.ctx.reload_grid()

    # --- info and browser ------------------------------------------------------------------------

    def info(self, photos: list[Photo]) -> PhotoInfoDialog | None:
        target = self.target
        if not photos or target is None:
            return None
        return self.ctx.remember(
            opened(
                PhotoInfoDialog(
                    self.ctx,
                    photos=list(photos),
                    originals=self.originals,
                    where=target.display_name,
                    thumbnails=self.thumbnails,
                    event_id=target.event_id,
                )
            )
        )

    def preview(self, photos: list[Photo], start: int = 0) -> PhotoPreviewDialog | None:
        """The in-app preview (Enter or Space on a photo), stepping through ``photos`` from ``start``."""
        if not photos:
            return None
        thumbnails = self.thumbnails

        def pixmap_for(photo: Photo):
            return thumbnails.pixmap(photo) if thumbnails is not None else None

        dialog = PhotoPreviewDialog(list(photos), start, pixmap_for, self.ctx.window)
        if thumbnails is not None:
            thumbnails.ready.connect(dialog.refresh_image)  # dropped by Qt when the dialog is deleted
        return self.ctx.remember(opened(dialog))

    def open_in_browser(self, photos: list[Photo]) -> None:
        if len(photos) > MAX_OPEN_AT_ONCE:
            self.ctx.problem(f"Select at most {MAX_OPEN_AT_ONCE} photos to open in the browser at once.")
            return
        for photo in photos:
            url = photo.url.original or photo.url.best(prefer_large=True)
            if url:
                self.ctx.open_link(url)

    # --- delete ----------------------------------------------------------------------------------

    def delete(self, photos: list[Photo]) -> None:
        target = self.target
        if not photos or target is None:
            return
        ids = [photo.id for photo in photos]
        names = [photo.name or f"Photo {photo.id}" for photo in photos]
        listed = ", ".join(f"'{name}'" for name in names[:4]) + (
            f" and {len(names) - 4} more" if len(names) > 4 else ""
        )
        single = len(photos) == 1
        text = (
            f"Delete '{names[0]}' from '{target.display_name}'?"
            if single
            else f"Delete {photos_text(len(photos))} from '{target.display_name}'?"
        )

        where = target.display_name

        def go(_checked: bool) -> None:
            self.ctx.info(f"Deleting {photos_text(len(ids))}…")
            self.ctx.run(
                lambda client: run_batch(ids, client.photo_delete, gone_is_done=True),
                lambda result: self._after_batch(result, "Deleted", len(ids), f" from '{where}'"),
                lambda error: self._batch_failed(error, "Deleting photos"),
                name="photos-delete",
            )

        self.ctx.remember(
            confirm(
                self.ctx.window,
                object_name="confirmDeletePhotos",
                title="Delete Photos" if not single else "Delete Photo",
                text=text,
                informative=("" if single else f"{listed}. ") + "Deleted photos are gone from ShootProof for good, "
                "with their favorites and orders history. This cannot be undone.",
                confirm_text=f"Delete {photos_text(len(photos))}",
                on_confirm=go,
            )
        )

    # --- albums ----------------------------------------------------------------------------------

    def remove_from_album(self, photos: list[Photo]) -> None:
        target = self.target
        if not photos or target is None or target.album_id is None:
            return
        album_id, album_name = target.album_id, target.album_name
        ids = [photo.id for photo in photos]

        def done(result: BatchResult) -> None:
            self._after_batch(result, "Took", len(ids), f" out of '{album_name}' (they stay in the gallery)")

        self.ctx.run(
            lambda client: run_batch(ids, lambda photo_id: client.photo_remove_from_album(album_id, photo_id)),
            done,
            lambda error: self._batch_failed(error, "Taking photos out of the album"),
            name="photos-remove-from-album",
        )

    def add_to_album(self, photos: list[Photo]) -> AlbumPickerDialog | None:
        target = self.target
        if not photos or target is None:
            return None
        node = self.ctx.window.tree_panel.model.find(EVENT, target.event_id)
        if not isinstance(node, EventNode) or not node.event.albums:  # find(EVENT, ...) gives an EventNode or None
            self.ctx.problem(f"'{target.event_name}' has no albums yet. Make one with New Album (Ctrl+Shift+N).")
            return None
        ids = [photo.id for photo in photos]
        current = target.album_id

        def blocked(album: Album, depth: int) -> str | None:
            return "The photos are in this album already." if album.id == current else None

        def action(album_id: int | None):
            assert album_id is not None  # allow_top=False: the picker offers albums only

            async def put(client: ShootProofClient):
                return await run_batch(ids, lambda photo_id: client.photo_add_to_album(album_id, photo_id))

            return put, lambda result: self._after_batch(result, "Put", len(ids), f" in '{self._album_name(album_id)}'")

        return self.ctx.remember(
            opened(
                AlbumPickerDialog(
                    self.ctx,
                    title="Put Photos in Album",
                    object_name="addToAlbumDialog",
                    event=node.event,
                    heading=f"Put {photos_text(len(ids))} in:",
                    ok_text="Put in Album",
                    allow_top=False,
                    current=None,
                    blocked=blocked,
                    action=action,
                )
            )
        )

    def put_in_album(self, photo_ids: list[int], album_id: int) -> None:
        """After photos were dropped on an album in the tree."""
        name = self._album_name(album_id)
        self.ctx.info(f"Putting {photos_text(len(photo_ids))} in '{name}'…")
        self.ctx.run(
            lambda client: run_batch(photo_ids, lambda photo_id: client.photo_add_to_album(album_id, photo_id)),
            lambda result: self._after_batch(result, "Put", len(photo_ids), f" in '{name}'"),
            lambda error: self._batch_failed(error, "Putting photos in the album"),
            name="photos-add-to-album",
        )

    def take_out_of_album(self, photo_ids: list[int], album_id: int) -> None:
        """After photos shown from an album were dropped on their gallery in the tree."""
        name = self._album_name(album_id)
        self.ctx.run(
            lambda client: run_batch(photo_ids, lambda photo_id: client.photo_remove_from_album(album_id, photo_id)),
            lambda result: self._after_batch(result, "Took", len(photo_ids), f" out of '{name}'"),
            lambda error: self._batch_failed(error, "Taking photos out of the album"),
            name="photos-remove-from-album",
        )

    def _album_name(self, album_id: int | None) -> str:
        node = self.ctx.window.tree_panel.model.find(ALBUM, album_id) if album_id is not None else None
        return node.name if node is not None else "the album"

    # --- replace and cover --------------------------------------------------------------------

    def replace(self, photo: Photo):
        dialog = choose_jpeg(
            self.ctx.window,
            title=f"Replace {photo.name or 'the photo'} with…",
            object_name="replacePhotoDialog",
            start_dir=self.last_dir,
            on_chosen=lambda path: self.replace_with(photo, path),
        )
        return self.ctx.remember(dialog)

    def replace_with(self, photo: Photo, path: Path) -> None:
        self.last_dir = path.parent
        subject = Subject("photo", photo.name or str(photo.id))

        async def send(client: ShootProofClient):
            check = await asyncio.get_running_loop().run_in_executor(None, validate_jpeg, path)
            if not check.ok:
                raise Refusal(f"'{path.name}' cannot replace the photo: {check.reason}.")
            return await client.photo_update(photo.id, path)

        def replaced(_result) -> None:
            self.originals.replaced(photo.id, path)
            if self.thumbnails is not None:
                self.thumbnails.forget(photo)
            self.ctx.info(f"Replaced '{photo.name}' with '{path.name}'.")
            self.ctx.reload_grid()

        self.ctx.info(f"Uploading '{path.name}'…")
        self.ctx.run(
            send,
            replaced,
            lambda error: self.ctx.failed(error, subject, doing="Replacing the photo"),
            name="photo-replace",
        )

    def set_event_cover(self, photo: Photo) -> None:
        target = self.target
        if target is None:
            return
        self.covers.from_photo(("event", target.event_id), Subject("gallery", target.event_name), photo)

    def set_album_cover(self, photo: Photo) -> None:
        target = self.target
        if target is None or target.album_id is None:
            return
        self.covers.from_photo(("album", target.album_id), Subject("album", target.album_name or ""), photo)
