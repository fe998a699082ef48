"""Create a gallery, or change its name, date, contact and web address."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QWidget

from studio_desktop.api.limits import MAX_NAME_CHARS, MAX_SLUG_CHARS
from studio_desktop.api.models import Brand, Event, EventDefault
from studio_desktop.ui.gallery.dialogs.base import FormDialog
from studio_desktop.ui.gallery.failures import Subject
from studio_desktop.ui.people.contact_picker import ContactPicker, connect_known_contacts

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.context import GalleryContext

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BAD_SLUG = "Use only lowercase letters, digits and single hyphens between them (for example smith-wedding)."


def _ascii(text: str) -> str:
    """``Zoë`` → ``Zoe``: letters lose their accents rather than vanish."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalize_slug(text: str) -> str:
    """What a slug field shows while typing: lowercase, spaces as hyphens, nothing else odd."""
    text = _ascii(text).lower().replace(" ", "-").replace("_", "-")
    return re.sub(r"[^a-z0-9-]", "", re.sub(r"-{2,}", "-", text))


def suggest_slug(name: str) -> str:
    return normalize_slug(re.sub(r"[^A-Za-z0-9]+", "-", _ascii(name))).strip("-")[:MAX_SLUG_CHARS]


def slug_problem(slug: str) -> str | None:
    if not slug:
        return None
    if len(slug) > MAX_SLUG_CHARS:
        return f"The web address can be at most {MAX_SLUG_CHARS} characters long."
    return None if SLUG_RE.match(slug) else BAD_SLUG


def slug_from_view_url(view_url: str | None, event_id: int) -> str:
    """The custom part of a gallery link: ``…/gallery/smith-wedding`` → ``smith-wedding``; none for ``…/gallery/<id>``.

    ``sp.event.info`` does not return ``url_slug``, but the link is built from it.
    """
    if not view_url:
        return ""
    last = view_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return "" if last == str(event_id) or not SLUG_RE.match(last) else last


def _api_date(day: QDate, keep_time_of: str | None) -> str:
    time = keep_time_of.split(" ", 1)[1] if keep_time_of and " " in keep_time_of else "00:00:00"
    return f"{day.toString('yyyy-MM-dd')} {time}"


def _qdate(value: str | None) -> QDate | None:
    if not value:
        return None
    parsed = QDate.fromString(value[:10], "yyyy-MM-dd")
    return parsed if parsed.isValid() else None


class EventDialog(FormDialog):
    """``EventDialog.create(ctx, brands, brand_id, on_created)`` or ``EventDialog.edit(ctx, event, on_saved)``."""

    def __init__(
        self,
        ctx: GalleryContext,
        *,
        event: Event | None,
        brands: list[Brand],
        brand_id: int | None,
        on_done: Callable[[Event], None],
    ):
        creating = event is None
        super().__init__(
            ctx,
            "New Gallery" if creating else "Gallery Details",
            "newEventDialog" if creating else "editEventDialog",
            ok_text="Create" if creating else "Save",
            subject=None if event is None else Subject("gallery", event.name or f"#{event.id}"),
        )
        self.gallery_event = event
        self._on_done = on_done
        self._original: Event | None = event
        self._defaults_brand: int | None = None

        self.name_edit = QLineEdit(objectName="nameEdit")
        self.name_edit.setMaxLength(MAX_NAME_CHARS)
        self.name_edit.setPlaceholderText("e.g. Smith Wedding")
        self.add_row("&Name:", self.name_edit, "event_name")

        self.brand_combo = QComboBox()
        self.brand_combo.setObjectName("brandCombo")
        self.defaults_combo = QComboBox()
        self.defaults_combo.setObjectName("defaultsCombo")
        if creating:
            for brand in brands:
                self.brand_combo.addItem(brand.name or f"Brand {brand.id}", brand.id)
            position = self.brand_combo.findData(brand_id) if brand_id is not None else -1
            self.brand_combo.setCurrentIndex(max(0, position))
            self.brand_combo.setEnabled(len(brands) > 1)
            self.add_row("&Brand:", self.brand_combo, "brand_id")
            self.defaults_combo.addItem("The brand's default settings", None)
            self.add_row(
                "&Settings:",
                self.defaults_combo,
                "brand_event_default_id",
                hint="Access, expiry and category presets from your brand's event defaults.",
            )
            self.brand_combo.currentIndexChanged.connect(self._load_defaults)

        self.date_edit = QDateEdit(objectName="dateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMM yyyy")
        self.date_edit.setDate(QDate.currentDate())
        self.no_date = QCheckBox("No date", objectName="noDateCheck")
        self.no_date.toggled.connect(lambda checked: self.date_edit.setEnabled(not checked))
        row = QWidget()
        date_row = QHBoxLayout(row)
        date_row.setContentsMargins(0, 0, 0, 0)
        date_row.addWidget(self.date_edit, 1)
        date_row.addWidget(self.no_date)
        # The label's Alt+D and a screen reader's name reach the date itself.
        row.setFocusProxy(self.date_edit)
        self.add_row("Shoot &date:", row, "event_date")

        self.contact_picker = ContactPicker()
        self.contact_edit = self.contact_picker.edit
        self.contact_edit.setPlaceholderText("Optional: type a name or email address")
        self.add_row(
            "&Contact:",
            self.contact_picker,
            "contact_id",
            hint="The client this gallery is for: one of your contacts, or a new one (New…).",
        )
        connect_known_contacts(
            self.contact_picker, ctx, brand_id if creating else (event.brand_id if event is not None else None)
        )

        self.slug_edit = QLineEdit(objectName="slugEdit")
        self.slug_edit.setMaxLength(MAX_SLUG_CHARS)
        self.slug_edit.textEdited.connect(self._slug_typed)
        self.name_edit.textChanged.connect(self._name_changed)
        self.add_row(
            "&Web address:",
            self.slug_edit,
            "url_slug",
            hint="Optional: the end of the gallery's link, e.g. …/gallery/smith-wedding.",
        )

        if event is None:
            self._name_changed("")
            self._load_defaults()
        else:
            self._fill(event)
            self.set_busy(True, "Loading the gallery's details…")
            self.ctx.run(
                lambda client: client.event_info(event.id),
                self.guard(self._loaded),
                self.guard(self._load_failed),
                name="event-details",
            )
        self.name_edit.setFocus()

    # --- filling ----------------------------------------------------------------------------------

    def _fill(self, event: Event) -> None:
        self._original = event
        self.name_edit.setText(event.name or "")
        day = _qdate(event.event_date)
        self.no_date.setChecked(day is None)
        if day is not None:
            self.date_edit.setDate(day)
        if event.contact_id and self.contact_picker.chosen is None:
            contact_id = event.contact_id
            self.contact_edit.setText(str(contact_id))
            self.ctx.run(
                lambda client: client.contact_info(contact_id=contact_id),
                self.guard(lambda found: self.contact_picker.set_contact(found[0]) if found else None),
                self.guard(lambda _error: None),
                name="event-contact-name",
            )
        slug = event.url_slug if event.url_slug is not None else slug_from_view_url(event.view_url, event.id)
        self.slug_edit.setText(slug or "")

    def _loaded(self, event: Event) -> None:
        self.set_busy(False)
        self._fill(event)
        self.name_edit.setFocus()

    def _load_failed(self, error: BaseException) -> None:
        self.set_busy(False)
        self.reject()
        self.ctx.failed(error, self.subject, doing="Loading the gallery's details")

    def _load_defaults(self, *args) -> None:
        brand_id = self.brand_combo.currentData()
        if brand_id is None:
            return
        self._defaults_brand = brand_id
        self.ctx.run(
            lambda client: client.brand_get_event_defaults(brand_id),
            self.guard(lambda defaults: self._defaults_arrived(brand_id, defaults)),
            lambda error: None,
            name="event-defaults",
        )

    def _defaults_arrived(self, brand_id: int, defaults: list[EventDefault]) -> None:
        if brand_id != self._defaults_brand:
            return
        self.defaults_combo.clear()
        self.defaults_combo.addItem("The brand's default settings", None)
        for item in defaults:
            label = item.name or f"Settings {item.id}"
            if item.is_default and "default" not in label.casefold():
                label = f"{label} (default)"
            self.defaults_combo.addItem(label, item.id)
            if item.is_default:
                self.defaults_combo.setCurrentIndex(self.defaults_combo.count() - 1)

    def _name_changed(self, text: str) -> None:
        suggestion = suggest_slug(text)
        self.slug_edit.setPlaceholderText(f"e.g. {suggestion}" if suggestion else "Optional")

    def _slug_typed(self, text: str) -> None:
        cleaned = normalize_slug(text)
        if cleaned != text:
            position = self.slug_edit.cursorPosition() - (len(text) - len(cleaned))
            self.slug_edit.setText(cleaned)
            self.slug_edit.setCursorPosition(max(0, min(position, len(cleaned))))

    # --- saving ---------------------------------------------------------------------------------

    def values(self) -> dict[str, object]:
        original = self._original
        contact, _candidates = self.contact_picker.resolved()
        typed = self.contact_picker.text()
        contact_id = contact.id if contact is not None else (int(typed) if typed.isdigit() else None)
        return {
            "event_name": " ".join(self.name_edit.text().split()),
            "event_date": None
            if self.no_date.isChecked()
            else _api_date(self.date_edit.date(), original.event_date if original else None),
            "contact_id": contact_id,
            "url_slug": self.slug_edit.text().strip(),
        }

    def submit(self) -> None:
        values = self.values()
        ok = True
        typed = self.contact_picker.text()
        if typed and values["contact_id"] is None:
            _contact, candidates = self.contact_picker.resolved()
            self.show_error(
                f"{len(candidates)} contacts match “{typed}”: pick one from the list."
                if candidates
                else f"No contact called “{typed}” is known here: pick one from the list, or add them with New….",
                "contact_id",
            )
            ok = False
        if not values["event_name"]:
            self.show_error("Please enter a name for the gallery.", "event_name")
            ok = False
        if problem := slug_problem(str(values["url_slug"])):
            self.show_error(problem, "url_slug")
            ok = False
        if not ok:
            return
        if self.gallery_event is None:
            self._create(values)
        else:
            self._update(self.gallery_event, values)

    def _create(self, values: dict) -> None:
        brand_id = self.brand_combo.currentData()
        defaults_id = self.defaults_combo.currentData()
        self.save(
            lambda client: client.event_create(
                values["event_name"],
                brand_id=brand_id,
                brand_event_default_id=defaults_id,
                contact_id=values["contact_id"],
                event_date=values["event_date"],
                url_slug=values["url_slug"] or None,
            ),
            self._on_done,
            busy_text="Creating the gallery…",
            name="event-create",
        )

    def _update(self, event: Event, values: dict) -> None:
        original = self._original or event
        changes: dict[str, Any] = {}
        if values["event_name"] != (original.name or ""):
            changes["event_name"] = values["event_name"]
        old_date = original.event_date or None
        if values["event_date"] != old_date and not (
            values["event_date"] and old_date and values["event_date"][:10] == old_date[:10]
        ):
            changes["event_date"] = values["event_date"] or ""
        if values["contact_id"] != (original.contact_id or None):
            if values["contact_id"] is None:
                self.show_error("To remove the contact, use Gallery → Contact… → Remove.", "contact_id")
                return
            changes["contact_id"] = values["contact_id"]
        old_slug = (
            original.url_slug if original.url_slug is not None else slug_from_view_url(original.view_url, original.id)
        )
        if values["url_slug"] != (old_slug or ""):
            changes["url_slug"] = values["url_slug"]
        if not changes:
            self.accept()
            return
        self.save(lambda client: client.event_update(event.id, **changes), self._on_done, name="event-update")
