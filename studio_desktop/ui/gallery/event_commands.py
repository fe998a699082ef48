"""What the gallery (event) commands do: open the right dialog, make the call, update the tree."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from studio_desktop.api.errors import NotFoundError
from studio_desktop.api.models import BulkEmailResult, Category, Event
from studio_desktop.gallery import tree_edits
from studio_desktop.gallery.tree_nodes import EVENT, EventNode
from studio_desktop.people.matching import contact_label
from studio_desktop.ui.gallery.covers import Covers
from studio_desktop.ui.gallery.dialogs.base import confirm, inform, opened
from studio_desktop.ui.gallery.dialogs.event_dialog import EventDialog
from studio_desktop.ui.gallery.dialogs.forms import AccessDialog, ContactDialog, EmailsDialog, NameDialog
from studio_desktop.ui.gallery.dialogs.pickers import CategoryDialog
from studio_desktop.ui.gallery.dialogs.viewers import InfoDialog, VisitorsDialog, link
from studio_desktop.ui.gallery.failures import Subject

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.context import GalleryContext


def subject_of(node: EventNode) -> Subject:
    return Subject("gallery", node.name)


def _photos(count: int | None) -> str:
    if count is None:
        return "its photos"
    if count == 0:
        return "no photos"
    return f"{count:,} photo{'s' if count != 1 else ''}"


def bulk_email_summary(result: BulkEmailResult, sent: int) -> str:
    """``12 added, 2 skipped as invalid`` (from the server's counts; what it did not count, from ours)."""
    submitted = result.num_email_addresses_submitted if result.num_email_addresses_submitted is not None else sent
    added = result.num_email_addresses_added if result.num_email_addresses_added is not None else 0
    skipped = max(0, submitted - added)
    text = f"{added} added"
    if skipped:
        text += f", {skipped} skipped as invalid"
    return text


class EventCommands:
    def __init__(self, ctx: GalleryContext, covers: Covers):
        self.ctx = ctx
        self.covers = covers

    # --- create and change ------------------------------------------------------------------

    def new_event(self) -> EventDialog:
        ctx = self.ctx
        shown_brand = ctx.brand.id if ctx.brand else ctx.window.tree_panel.current_brand_id()

        def created(event: Event) -> None:
            brand_name = next((b.name for b in ctx.brands() if b.id == event.brand_id), None)
            if event.brand_id in (None, shown_brand):
                ctx.apply(lambda events: tree_edits.add_event(events, event), select=(EVENT, event.id))
                ctx.info(f"Created the gallery '{event.name}'.")
            else:
                ctx.info(f"Created the gallery '{event.name}' in {brand_name or 'another brand'}.")

        return ctx.remember(
            opened(EventDialog(ctx, event=None, brands=ctx.brands(), brand_id=shown_brand, on_done=created))
        )

    def edit(self, node: EventNode) -> EventDialog:
        def saved(event: Event) -> None:
            self.ctx.apply(lambda events: tree_edits.update_event(events, event))
            self.ctx.info(f"Saved the details of '{event.name}'.")

        return self.ctx.remember(
            opened(EventDialog(self.ctx, event=node.event, brands=[], brand_id=None, on_done=saved))
        )

    def rename(self, node: EventNode) -> NameDialog:
        event_id = node.id

        def action(name: str):
            def renamed(event: Event) -> None:
                self.ctx.apply(lambda events: tree_edits.update_event(events, event))
                self.ctx.info(f"Renamed the gallery to '{event.name or name}'.")

            return (lambda client: client.event_rename(event_id, name)), renamed

        return self.ctx.remember(
            opened(
                NameDialog(
                    self.ctx,
                    title="Rename Gallery",
                    object_name="renameEventDialog",
                    label="&Name:",
                    initial=node.name,
                    field="event_name",
                    subject=subject_of(node),
                    what="name for the gallery",
                    action=action,
                )
            )
        )

    def access(self, node: EventNode) -> AccessDialog:
        def saved(event: Event) -> None:
            self.ctx.apply(lambda events: tree_edits.update_event(events, event))
            self.ctx.info(f"Changed who can open '{event.name or node.name}'.")

        return self.ctx.remember(opened(AccessDialog(self.ctx, event=node.event, on_saved=saved)))

    def category(self, node: EventNode) -> CategoryDialog:
        def saved(event: Event) -> None:
            self.ctx.apply(lambda events: tree_edits.update_event(events, event))
            self.ctx.info(f"Changed the category of '{event.name or node.name}'.")

        return self.ctx.remember(opened(CategoryDialog(self.ctx, event=node.event, on_saved=saved)))

    def contact(self, node: EventNode) -> ContactDialog:
        event_id = node.id

        def saved(contact_id: int | None, label: str) -> None:
            self.ctx.apply(lambda events: tree_edits.change_event(events, event_id, contact_id=contact_id))
            self.ctx.info(
                f"'{node.name}' now belongs to {label}." if contact_id else f"'{node.name}' has no contact now."
            )

        return self.ctx.remember(opened(ContactDialog(self.ctx, event=node.event, on_saved=saved)))

    # --- delete ------------------------------------------------------------------------------

    def delete(self, node: EventNode) -> None:
        """Ask first, naming the gallery and its photo count (fresh from the server), then delete."""
        ctx = self.ctx
        subject = subject_of(node)
        event_id = node.id

        def ask(event: Event) -> None:
            count = event.photo_count
            name = event.name or node.name
            details = "" if count else "It holds no photos. "
            ctx.remember(
                confirm(
                    ctx.window,
                    object_name="confirmDeleteEvent",
                    title="Delete Gallery",
                    text=f"Delete the gallery '{name}' and {_photos(count)}?"
                    if count
                    else f"Delete the gallery '{name}'?",
                    informative=f"{details}Its albums, photos, favorites and visitor list are deleted on ShootProof "
                    "for good. This cannot be undone.",
                    confirm_text="Delete Gallery",
                    checkbox="Only delete it if it holds no photos",
                    checked=False,
                    on_confirm=lambda only_empty: self._delete(event_id, name, only_empty),
                )
            )

        ctx.run(
            lambda client: client.event_info(event_id),
            ask,
            lambda error: ctx.failed(error, subject, doing="Deleting the gallery"),
            name="event-delete-check",
        )

    def _delete(self, event_id: int, name: str, only_empty: bool) -> None:
        ctx = self.ctx
        subject = Subject("gallery", name)

        def deleted(_: int) -> None:
            ctx.apply(lambda events: tree_edits.remove_event(events, event_id))
            ctx.info(f"Deleted the gallery '{name}'.")

        ctx.info(f"Deleting '{name}'…")
        ctx.run(
            lambda client: client.event_delete(event_id, only_empty=only_empty),
            deleted,
            lambda error: ctx.failed(error, subject, doing="Deleting the gallery"),
            name="event-delete",
        )

    # --- covers --------------------------------------------------------------------------------

    def cover_from_photo(self, node: EventNode, photo) -> None:
        self.covers.from_photo(("event", node.id), subject_of(node), photo)

    def cover_from_file(self, node: EventNode) -> None:
        self.covers.from_file(("event", node.id), subject_of(node))

    def cover_remove(self, node: EventNode) -> None:
        self.covers.remove(("event", node.id), subject_of(node))

    # --- looking ----------------------------------------------------------------------------------

    def open_in_browser(self, node: EventNode) -> None:
        url = node.event.view_url
        if url:
            self.ctx.open_link(url)
            return
        event_id = node.id
        self.ctx.run(
            lambda client: client.event_info(event_id),
            lambda event: (
                self.ctx.open_link(event.view_url)
                if event.view_url
                else self.ctx.problem(f"ShootProof gave no web address for '{node.name}'.")
            ),
            lambda error: self.ctx.failed(error, subject_of(node), doing="Opening the gallery"),
            name="event-open",
        )

    def info(self, node: EventNode) -> InfoDialog:
        event_id = node.id

        async def load(client):
            event = await client.event_info(event_id)
            category = None
            if event.category_id:
                categories: list[Category] = await client.category_get_list()
                category = next((c.name for c in categories if c.id == event.category_id), None)
            contact = None
            if event.contact_id:
                try:
                    found = await client.contact_info(contact_id=event.contact_id)
                except NotFoundError:
                    found = []
                contact = escape(contact_label(found[0])) if found else None
            return event_rows(event, category, contact)

        return self.ctx.remember(
            opened(
                InfoDialog(
                    self.ctx,
                    title="Gallery Info",
                    object_name="eventInfoDialog",
                    heading=node.name,
                    load=load,
                    on_gone=lambda error: self.ctx.failed(error, subject_of(node)),
                )
            )
        )

    def visitors(self, node: EventNode) -> VisitorsDialog:
        return self.ctx.remember(
            opened(
                VisitorsDialog(
                    self.ctx,
                    event_id=node.id,
                    event_name=node.name,
                    on_gone=lambda error: self.ctx.failed(error, subject_of(node)),
                )
            )
        )

    def add_emails(self, node: EventNode) -> EmailsDialog:
        dialog: EmailsDialog

        def added(result: BulkEmailResult) -> None:
            summary = bulk_email_summary(result, len(dialog.emails()))
            self.ctx.info(f"Emails for '{node.name}': {summary}.")
            self.ctx.remember(
                inform(
                    self.ctx.window,
                    object_name="emailsAdded",
                    title="Add Emails",
                    text=f"{summary[0].upper()}{summary[1:]}.",
                    informative=f"The addresses were added to '{node.name}'.",
                )
            )

        dialog = EmailsDialog(self.ctx, event=node.event, on_added=added)
        return self.ctx.remember(opened(dialog))


def event_rows(event: Event, category: str | None, contact: str | None = None) -> list[tuple[str, str]]:
    rows = [("Status", event.status or ("Archived" if event.is_archived else "Active"))]
    if event.event_date:
        midnight = event.event_date.endswith(" 00:00:00")
        rows.append(("Shoot date", event.event_date[:10] if midnight else event.event_date[:16]))
    if event.created:
        rows.append(("Created", event.created[:16]))
    rows.append(("Photos", f"{event.photo_count:,}" if event.photo_count is not None else "Unknown"))
    if event.view_url:
        rows.append(("Web address", link(event.view_url)))
    rows.append(("Password", "Yes" if event.password else "None"))
    rows.append(("Category", category or ("None" if not event.category_id else f"#{event.category_id}")))
    rows.append(("Contact", contact or ("None" if not event.contact_id else "A contact this app has not met")))
    if event.gallery_expiration_date:
        rows.append(("Expires", event.gallery_expiration_date[:10]))
    rows.append(("Gallery ID", str(event.id)))
    return rows
