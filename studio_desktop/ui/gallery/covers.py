"""Set or remove the cover of a gallery or an album: from one of its photos, or from a JPEG file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio_desktop.api.models import Photo
from studio_desktop.ui.gallery.dialogs.base import choose_jpeg, confirm
from studio_desktop.ui.gallery.failures import Refusal, Subject
from studio_desktop.uploads.images import validate_jpeg

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.context import GalleryContext


class Covers:
    """``owner`` is ``("event", id)`` or ``("album", id)``; ``subject`` names it in messages."""

    def __init__(self, ctx: GalleryContext):
        self.ctx = ctx
        self.last_dir: Path | None = None

    def from_photo(self, owner: tuple[str, int], subject: Subject, photo: Photo) -> None:
        kind, owner_id = owner
        owner_arg: dict[str, Any] = {f"{kind}_id": owner_id}  # event_id= or album_id=
        self.ctx.run(
            lambda client: client.cover_photo_set(**owner_arg, photo_id=photo.id),
            lambda _: self.ctx.info(f"'{photo.name or photo.id}' is now the cover of {subject}."),
            lambda error: self.ctx.failed(error, subject, doing="Setting the cover"),
            name="cover-from-photo",
        )

    def from_file(self, owner: tuple[str, int], subject: Subject) -> None:
        dialog = choose_jpeg(
            self.ctx.window,
            title=f"Cover for {subject.name}",
            object_name="coverFileDialog",
            start_dir=self.last_dir,
            on_chosen=lambda path: self.upload(owner, subject, path),
        )
        self.ctx.remember(dialog)

    def upload(self, owner: tuple[str, int], subject: Subject, path: Path) -> None:
        self.last_dir = path.parent
        kind, owner_id = owner

        async def send(client):
            check = await asyncio.get_running_loop().run_in_executor(None, validate_jpeg, path)
            if not check.ok:
                raise Refusal(f"'{path.name}' cannot be used as a cover: {check.reason}.")
            return await client.cover_photo_set(**{f"{kind}_id": owner_id}, photo=path)

        self.ctx.info(f"Uploading '{path.name}' as the cover of {subject}…")
        self.ctx.run(
            send,
            lambda _: self.ctx.info(f"'{path.name}' is now the cover of {subject}."),
            lambda error: self.ctx.failed(error, subject, doing="Setting the cover"),
            name="cover-from-file",
        )

    def remove(self, owner: tuple[str, int], subject: Subject) -> None:
        kind, owner_id = owner

        def go(_checked: bool) -> None:
            self.ctx.run(
                lambda client: client.cover_photo_delete(**{f"{kind}_id": owner_id}),
                lambda _: self.ctx.info(f"Removed the cover of {subject}."),
                lambda error: self.ctx.failed(error, subject, doing="Removing the cover"),
                name="cover-remove",
            )

        self.ctx.remember(
            confirm(
                self.ctx.window,
                object_name="confirmRemoveCover",
                title="Remove Cover",
                text=f"Remove the cover photo of {subject}?",
                informative="The photo itself stays in the gallery; an uploaded cover file is discarded.",
                confirm_text="Remove Cover",
                on_confirm=go,
            )
        )
