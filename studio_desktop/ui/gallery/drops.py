"""Drag and drop inside the gallery: albums onto events and albums, photos from the grid onto the tree.

:class:`TreeDropTarget` asks :meth:`GalleryDrops.drop_check` while a drag hovers
(the answer is shown as a hint) and calls :meth:`GalleryDrops.drop` on release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio_desktop.gallery.tree_nodes import ALBUM, AlbumNode, EventNode, Node
from studio_desktop.ui.gallery.album_commands import move_problem
from studio_desktop.ui.gallery.dragdrop import AlbumDrag, GridDragSource, Payload, TreeDragSource, TreeDropTarget
from studio_desktop.ui.gallery.photo_commands import photos_text

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.actions import GalleryActions


class GalleryDrops:
    """Decides and carries out drops on the tree; makes the tree's and the grid's drag sources."""

    def __init__(self, owner: GalleryActions):
        self.owner = owner
        self.window = owner.window
        self.drop_target = TreeDropTarget(owner.tree, self.drop_check, self.drop, hint=self._drag_hint)
        self.tree_drag = TreeDragSource(owner.tree)
        self.grid_drag = GridDragSource(owner.grid, self._grid_source)

    def _grid_source(self) -> tuple[int, int | None] | None:
        target = self.window.grid_model.target
        return (target.event_id, target.album_id) if target is not None and self.owner.ctx.signed_in else None

    def drop_check(self, payload: Payload, node: Node) -> tuple[bool, str]:
        """Whether ``payload`` may land on ``node``, and a sentence saying what would happen or why not."""
        if not self.owner.ctx.signed_in or not isinstance(node, (EventNode, AlbumNode)):
            return False, ""
        if isinstance(payload, AlbumDrag):
            album = self.window.tree_panel.model.find(ALBUM, payload.album_id)
            if not isinstance(album, AlbumNode):
                return False, ""
            if album is node or album.parent is node:
                return False, ""
            problem = move_problem(album, node)
            if problem:
                return False, problem
            where = "the top of the gallery" if isinstance(node, EventNode) else f"'{node.name}'"
            return True, f"Move '{album.name}' to {where}"
        event = node if isinstance(node, EventNode) else node.event_node
        if event.id != payload.event_id:
            return False, "Photos can only be put in albums of their own gallery."
        count = photos_text(len(payload.photo_ids))
        if isinstance(node, AlbumNode):
            if node.id == payload.album_id:
                return False, "The photos are in this album already."
            return True, f"Put {count} in '{node.name}'"
        if payload.album_id is None:
            return False, ""
        return True, f"Take {count} out of their album (they stay in '{event.name}')"

    def drop(self, payload: Payload, node: Node) -> bool:
        if isinstance(payload, AlbumDrag):
            album = self.window.tree_panel.model.find(ALBUM, payload.album_id)
            return isinstance(album, AlbumNode) and self.owner.albums.move_to(album, node)
        ids = list(payload.photo_ids)
        if isinstance(node, AlbumNode):
            self.owner.photos.put_in_album(ids, node.id)
            return True
        if isinstance(node, EventNode) and payload.album_id is not None:
            self.owner.photos.take_out_of_album(ids, payload.album_id)
            return True
        return False

    def _drag_hint(self, text: str) -> None:
        self.window.status.showMessage(text, 3000)
