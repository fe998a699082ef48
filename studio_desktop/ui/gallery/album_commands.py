"""What the album commands do: new (nested), rename, move (dialog or drag), delete, cover, info."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from studio_desktop.api.limits import MAX_ALBUM_DEPTH
from studio_desktop.api.models import Album
from studio_desktop.core import bidi
from studio_desktop.gallery import tree_edits
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, AlbumNode, EventNode, Node
from studio_desktop.ui.gallery.covers import Covers
from studio_desktop.ui.gallery.dialogs.base import confirm, opened
from studio_desktop.ui.gallery.dialogs.forms import AlbumDialog, NameDialog
from studio_desktop.ui.gallery.dialogs.pickers import AlbumPickerDialog
from studio_desktop.ui.gallery.dialogs.viewers import InfoDialog, link
from studio_desktop.ui.gallery.failures import Subject

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.context import GalleryContext


def subject_of(node: AlbumNode) -> Subject:
    return Subject("album", node.name)


def node_height(node: Node) -> int:
    """1 for an album with no sub-albums, 2 with one level below it, ..."""
    return 1 + max((node_height(child) for child in node.children), default=0)


def is_inside(node: Node, ancestor: Node) -> bool:
    return node is ancestor or any(parent is ancestor for parent in node.ancestors())


def too_deep_message(name: str) -> str:
    return (
        f"Albums can be nested at most {MAX_ALBUM_DEPTH} levels deep, and '{name}' is already on the "
        f"{_ordinal(MAX_ALBUM_DEPTH)} level, so it cannot hold another album. "
        "Add the album to its parent album or to the gallery instead."
    )


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(n, f"{n}th")


def move_problem(album: AlbumNode, target: Node) -> str | None:
    """Why ``album`` cannot go under ``target`` (an event node means the top level), in plain words; None if it can."""
    event = album.event_node
    if isinstance(target, EventNode):
        if target is not event:
            return "Albums can only be moved within their own gallery."
        return None
    if not isinstance(target, AlbumNode):
        return "Drop the album on a gallery or on another album."
    if target.event_node is not event:
        return "Albums can only be moved within their own gallery."
    if is_inside(target, album):
        return f"'{album.name}' cannot go inside itself or one of its own sub-albums."
    deepest = target.depth + node_height(album)
    if deepest > MAX_ALBUM_DEPTH:
        return (
            f"Moving '{album.name}' into '{target.name}' would nest albums {deepest} levels deep; "
            f"ShootProof allows at most {MAX_ALBUM_DEPTH}."
        )
    return None


class AlbumCommands:
    def __init__(self, ctx: GalleryContext, covers: Covers):
        self.ctx = ctx
        self.covers = covers

    # --- new ---------------------------------------------------------------------------------

    def new_album(self, parent: EventNode | AlbumNode) -> AlbumDialog | None:
        """A new album in the gallery, or inside the selected album (refused here beyond four levels)."""
        ctx = self.ctx
        if isinstance(parent, AlbumNode) and parent.depth >= MAX_ALBUM_DEPTH:
            ctx.problem(too_deep_message(parent.name))
            return None
        event = parent if isinstance(parent, EventNode) else parent.event_node
        event_id = event.id
        parent_id = parent.id if isinstance(parent, AlbumNode) else None
        inside = (
            bidi.path((event.name, *parent.album_path())) if isinstance(parent, AlbumNode) else bidi.isolate(event.name)
        )
        subject = subject_of(parent) if isinstance(parent, AlbumNode) else Subject("gallery", event.name)

        def action(name: str, password: str | None):
            def created(album: Album) -> None:
                ctx.apply(
                    lambda events: tree_edits.add_album(events, event_id, album, parent_id), select=(ALBUM, album.id)
                )
                ctx.info(f"Created the album '{album.name or name}' in {inside}.")

            return (lambda client: client.album_create(event_id, name, password=password, parent_id=parent_id)), created

        return ctx.remember(opened(AlbumDialog(ctx, inside=inside, subject=subject, action=action)))

    # --- rename and move -----------------------------------------------------------------------

    def rename(self, node: AlbumNode) -> NameDialog:
        event_id, album_id = node.event_node.id, node.id

        def action(name: str):
            def renamed(album: Album) -> None:
                new_name = album.name or name
                self.ctx.apply(lambda events: tree_edits.rename_album(events, event_id, album_id, new_name))
                self.ctx.info(f"Renamed the album to '{new_name}'.")

            return (lambda client: client.album_rename(album_id, name)), renamed

        return self.ctx.remember(
            opened(
                NameDialog(
                    self.ctx,
                    title="Rename Album",
                    object_name="renameAlbumDialog",
                    label="&Name:",
                    initial=node.name,
                    field="album_name",
                    subject=subject_of(node),
                    what="name for the album",
                    action=action,
                )
            )
        )

    def move(self, node: AlbumNode) -> AlbumPickerDialog:
        """Choose the new parent in a tree of the gallery's albums; places it cannot go are greyed out."""
        tree_model = self.ctx.window.tree_panel.model
        event_node = node.event_node
        current = node.parent.id if isinstance(node.parent, AlbumNode) else None

        def blocked(album: Album, depth: int) -> str | None:
            target = tree_model.find(ALBUM, album.id)
            return move_problem(node, target) if target is not None else "This album is not shown any more."

        def action(parent_id: int | None):
            return self._move_call(node, parent_id)

        return self.ctx.remember(
            opened(
                AlbumPickerDialog(
                    self.ctx,
                    title="Move Album",
                    object_name="moveAlbumDialog",
                    event=event_node.event,
                    heading=f"Move <b>{escape(node.name)}</b> to:",
                    ok_text="Move",
                    allow_top=True,
                    current=current,
                    blocked=blocked,
                    action=action,
                    subject=subject_of(node),
                )
            )
        )

    def _move_call(self, node: AlbumNode, parent_id: int | None):
        event_id, album_id, name = node.event_node.id, node.id, node.name
        where = "the top of the gallery"
        if parent_id is not None:
            target = self.ctx.window.tree_panel.model.find(ALBUM, parent_id)
            where = f"'{target.name}'" if target is not None else "the chosen album"

        def moved(album: Album) -> None:
            self.ctx.apply(
                lambda events: tree_edits.move_album(events, event_id, album_id, parent_id), select=(ALBUM, album_id)
            )
            self.ctx.info(f"Moved '{name}' to {where}.")

        return (lambda client: client.album_move(album_id, parent_id=parent_id)), moved

    def move_to(self, node: AlbumNode, target: Node) -> bool:
        """Move ``node`` under ``target`` (an album, or its event for the top level), e.g. after a drop."""
        problem = move_problem(node, target)
        if problem:
            self.ctx.problem(problem)
            return False
        parent_id = target.id if isinstance(target, AlbumNode) else None
        current = node.parent.id if isinstance(node.parent, AlbumNode) else None
        if parent_id == current:
            return False
        make, moved = self._move_call(node, parent_id)
        self.ctx.run(
            make,
            moved,
            lambda error: self.ctx.failed(error, subject_of(node), doing="Moving the album"),
            name="album-move",
        )
        return True

    # --- delete ---------------------------------------------------------------------------------

    def delete(self, node: AlbumNode) -> None:
        ctx = self.ctx
        album_id, event_id, name = node.id, node.event_node.id, node.name
        subs = sum(1 for _ in node.walk())
        # Afterwards the keyboard stays where it was: on the album or gallery that held this one.
        parent = node.parent
        parent_key = (ALBUM, parent.id) if isinstance(parent, AlbumNode) else (EVENT, event_id)

        def ask(album: Album) -> None:
            count = album.photo_count
            photos = (
                "its photos"
                if count is None
                else "no photos"
                if count == 0
                else f"{count:,} photo{'s' if count != 1 else ''}"
            )
            text = f"Delete the album '{name}'" + (f" and {photos}?" if count else "?")
            lines = [f"It holds {photos}." if count is not None else ""]
            if subs:
                lines.append(f"Its {subs} sub-album{'s' if subs != 1 else ''} and their photos are deleted too.")
            lines.append("This cannot be undone.")
            ctx.remember(
                confirm(
                    ctx.window,
                    object_name="confirmDeleteAlbum",
                    title="Delete Album",
                    text=text,
                    informative=" ".join(line for line in lines if line),
                    confirm_text="Delete Album",
                    checkbox="Only delete it if it holds no photos",
                    checked=False,
                    on_confirm=lambda only_empty: self._delete(
                        event_id, album_id, name, only_empty, bool(count or subs), parent_key
                    ),
                )
            )

        ctx.run(
            lambda client: client.album_info(album_id),
            ask,
            lambda error: ctx.failed(error, subject_of(node), doing="Deleting the album"),
            name="album-delete-check",
        )

    def _delete(
        self, event_id: int, album_id: int, name: str, only_empty: bool, had_content: bool, parent_key: tuple[str, int]
    ) -> None:
        ctx = self.ctx

        def deleted(_) -> None:
            ctx.apply(lambda events: tree_edits.remove_album(events, event_id, album_id), select=parent_key)
            ctx.info(f"Deleted the album '{name}'.")
            if had_content:
                ctx.reload_tree(select=parent_key)
                if ctx.grid_shows(event_id=event_id):
                    ctx.reload_grid()

        ctx.run(
            lambda client: client.album_delete(album_id, only_empty=only_empty),
            deleted,
            lambda error: ctx.failed(error, Subject("album", name), doing="Deleting the album"),
            name="album-delete",
        )

    # --- covers, info, browser -------------------------------------------------------------------

    def cover_from_photo(self, node: AlbumNode, photo) -> None:
        self.covers.from_photo(("album", node.id), subject_of(node), photo)

    def cover_from_file(self, node: AlbumNode) -> None:
        self.covers.from_file(("album", node.id), subject_of(node))

    def cover_remove(self, node: AlbumNode) -> None:
        self.covers.remove(("album", node.id), subject_of(node))

    def info(self, node: AlbumNode) -> InfoDialog:
        album_id = node.id
        path = " › ".join((node.event_node.name, *node.album_path()))
        subs = len(node.children)

        async def load(client):
            album = await client.album_info(album_id)
            rows = [
                ("In", path),
                ("Photos", f"{album.photo_count:,}" if album.photo_count is not None else "Unknown"),
                ("Sub-albums", str(subs) if subs else "None"),
                ("Password", "Yes" if album.password else "None"),
            ]
            if album.view_url:
                rows.append(("Web address", link(album.view_url)))
            rows.append(("Album ID", str(album.id)))
            return rows

        return self.ctx.remember(
            opened(
                InfoDialog(
                    self.ctx,
                    title="Album Info",
                    object_name="albumInfoDialog",
                    heading=node.name,
                    load=load,
                    on_gone=lambda error: self.ctx.failed(error, subject_of(node)),
                )
            )
        )

    def open_in_browser(self, node: AlbumNode) -> None:
        album_id = node.id
        if node.album.view_url:
            self.ctx.open_link(node.album.view_url)
            return
        self.ctx.run(
            lambda client: client.album_info(album_id),
            lambda album: (
                self.ctx.open_link(album.view_url)
                if album.view_url
                else self.ctx.problem(f"ShootProof gave no web address for '{node.name}'.")
            ),
            lambda error: self.ctx.failed(error, subject_of(node), doing="Opening the album"),
            name="album-open",
        )
