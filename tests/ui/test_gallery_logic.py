"""The plain parts of the gallery commands: tree edits, failure sentences, slugs, email lists, drag payloads."""

from __future__ import annotations

from PySide6.QtCore import QMimeData

from studio_desktop.api import errors
from studio_desktop.api.models import Album, BulkEmailResult, Event
from studio_desktop.gallery import tree_edits
from studio_desktop.ui.gallery.dialogs.event_dialog import (
    normalize_slug,
    slug_from_view_url,
    slug_problem,
    suggest_slug,
)
from studio_desktop.ui.gallery.dialogs.forms import split_emails
from studio_desktop.ui.gallery.dragdrop import ALBUM_MIME, AlbumDrag, PhotosDrag, album_mime, photos_mime, read_payload
from studio_desktop.ui.gallery.event_commands import bulk_email_summary
from studio_desktop.ui.gallery.failures import SLUG_TAKEN, Refusal, Subject, describe
from studio_desktop.ui.gallery.photo_commands import BatchResult

from .tree_data import album, sample_tree


def _events():
    return sample_tree().events


def _paths(ev: Event) -> list[tuple[str, int | None]]:
    return [(a.name, a.parent_id) for top in ev.albums for a in top.walk()]


def test_adding_renaming_and_removing_events_keeps_the_rest():
    events = _events()
    added = tree_edits.add_event(events, Event(id=40, name="New", brand_id=1))
    assert [e.id for e in added] == [10, 20, 30, 40]
    renamed = tree_edits.update_event(added, Event(id=10, name="Smith–Jones Wedding", url_slug="sj"))
    wedding = tree_edits.find_event(renamed, 10)
    assert wedding.name == "Smith–Jones Wedding" and wedding.url_slug == "sj"
    assert wedding.albums == events[0].albums and wedding.photo_count == 480  # kept from the tree
    assert [e.id for e in tree_edits.remove_event(renamed, 20)] == [10, 30, 40]
    assert tree_edits.change_event(events, 30, contact_id=7)[2].contact_id == 7


def test_album_edits_at_every_depth():
    events = _events()
    nested = tree_edits.add_album(events, 10, Album(id=105, name="Dance"), 102)
    speeches = tree_edits.find_album(tree_edits.find_event(nested, 10).albums, 102)
    assert [a.name for a in speeches.sub_albums] == ["Best Man", "Dance"]
    assert tree_edits.find_album(tree_edits.find_event(nested, 10).albums, 105).parent_id == 102

    renamed = tree_edits.rename_album(nested, 10, 104, "Bloopers")
    assert tree_edits.find_album(tree_edits.find_event(renamed, 10).albums, 104).name == "Bloopers"

    moved = tree_edits.move_album(renamed, 10, 103, None)  # Best Man (with Bloopers) to the top
    wedding = tree_edits.find_event(moved, 10)
    assert [a.name for a in wedding.albums] == ["Ceremony", "Reception", "Best Man"]
    assert [a.name for a in wedding.albums[2].sub_albums] == ["Bloopers"]
    assert tree_edits.find_album(wedding.albums[1].walk(), 103) is None

    removed = tree_edits.remove_album(moved, 10, 101)
    assert [a.name for a in tree_edits.find_event(removed, 10).albums] == ["Ceremony", "Best Man"]
    assert tree_edits.move_album(removed, 10, 999, None) == removed  # unknown album: nothing changes


def test_subtree_height():
    tall = album(1, "a", album(2, "b", album(3, "c")), album(4, "d"))
    assert tree_edits.subtree_height(tall) == 3
    assert tree_edits.subtree_height(album(5, "flat")) == 1


def test_failures_in_plain_words():
    gallery = Subject("gallery", "Smith Wedding")
    gone = describe(errors.NotFoundError("Event not found.", http_status=404), gallery)
    assert gone.message.startswith("The gallery 'Smith Wedding' no longer exists") and gone.refresh
    taken = describe(errors.ConflictError("dup", validation_errors={"url_slug": ["taken"]}, http_status=409))
    assert (taken.message, taken.field) == (SLUG_TAKEN, "url_slug")
    field = describe(errors.ValidationError("Bad.", validation_errors={"event_date": ["Use a date."]}))
    assert (field.message, field.field, field.refresh) == ("Use a date.", "event_date", False)
    not_empty = describe(errors.ValidationError("x", validation_errors={"only_empty": ["y"]}), gallery)
    assert not_empty.message == "The gallery 'Smith Wedding' still holds photos, so it was not deleted."
    maybe = describe(errors.TransientError("reset", maybe_applied=True))
    assert maybe.refresh and "may have made the change anyway" in maybe.message
    assert describe(Refusal("No such contact.", "contact_id")).field == "contact_id"
    assert "Traceback" not in describe(KeyError("x")).message


def test_slugs():
    assert normalize_slug("Smith Wedding_2025!") == "smith-wedding-2025"
    assert suggest_slug("Zoë & Mateo — Engagement") == "zoe-mateo-engagement"
    assert slug_problem("") is None and slug_problem("ok-1") is None
    assert slug_problem("-no") and slug_problem("a--b") and slug_problem("x" * 101)
    assert slug_from_view_url("https://s.example/gallery/smith-wedding", 9) == "smith-wedding"
    assert slug_from_view_url("https://s.example/gallery/9", 9) == ""
    assert slug_from_view_url(None, 9) == ""


def test_email_lists_and_results():
    assert split_emails("a@x.org, b@y.com;\n<c@z.net>  A@X.org\n\n") == ["a@x.org", "b@y.com", "c@z.net"]
    result = BulkEmailResult(num_email_addresses_submitted=14, num_email_addresses_added=12)
    assert bulk_email_summary(result, 14) == "12 added, 2 skipped as invalid"
    assert bulk_email_summary(BulkEmailResult(3, 3), 3) == "3 added"


def test_batch_summaries():
    done = BatchResult(done=[1, 2, 3])
    assert done.summary("Deleted", 3, " from 'X'") == "Deleted 3 photos from 'X'."
    partial = BatchResult(done=[1], failed={2: errors.NotFoundError("Photo not found.")})
    assert partial.summary("Put", 2, " in 'Ceremony'").startswith("Put 1 of 2 photos in 'Ceremony'; 1 could not be (")


def test_drag_payloads_round_trip_and_reject_junk(qapp):
    assert read_payload(album_mime(10, 101)) == AlbumDrag(10, 101)
    assert read_payload(photos_mime(10, None, [5, 6])) == PhotosDrag(10, None, (5, 6))
    junk = QMimeData()
    junk.setData(ALBUM_MIME, b"{not json")
    assert read_payload(junk) is None
    assert read_payload(QMimeData()) is None
    assert read_payload(photos_mime(10, 2, [])) is None
