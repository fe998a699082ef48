"""Event trees built in memory, for model tests that need exact shapes (deep nesting, archived events)."""

from __future__ import annotations

from studio_desktop.api.models import Album, Brand, Event, EventTree


def album(album_id: int, name: str, *subs: Album, photo_count: int | None = None, order: int | None = None) -> Album:
    return Album(id=album_id, name=name, sub_albums=tuple(subs), photo_count=photo_count, display_order=order)


def event(
    event_id: int,
    name: str,
    *albums: Album,
    date: str = "2024-06-01 00:00:00",
    archived: bool = False,
    photo_count: int | None = 10,
) -> Event:
    return Event(
        id=event_id,
        name=name,
        brand_id=1,
        event_date=date,
        is_archived=archived,
        status="Archived" if archived else "Active",
        photo_count=photo_count,
        albums=tuple(albums),
    )


BRAND = Brand(id=1, name="Smith Photography", is_default=True)


def sample_tree() -> EventTree:
    """Three events: one with albums four levels deep, one archived, one without albums."""
    return EventTree(
        brand_id=1,
        events=(
            event(
                10,
                "Smith Wedding",
                album(100, "Ceremony", photo_count=120, order=1),
                album(
                    101, "Reception", album(102, "Speeches", album(103, "Best Man", album(104, "Outtakes"))), order=2
                ),
                date="2024-06-15 00:00:00",
                photo_count=480,
            ),
            event(
                20,
                "Jones Family Portraits",
                album(200, "Outdoor"),
                date="2023-10-02 00:00:00",
                archived=True,
                photo_count=85,
            ),
            event(30, "Acme Corporate Headshots", date="2024-08-20 00:00:00", photo_count=0),
        ),
    )


def big_tree(events: int, albums_per_event: int) -> EventTree:
    return EventTree(
        brand_id=1,
        events=tuple(
            event(
                i,
                f"Event {i:05d}",
                *(album(i * 100 + j, f"Album {j}", photo_count=j) for j in range(albums_per_event)),
                date=f"20{10 + i % 15:02d}-01-01 00:00:00",
                archived=(i % 7 == 0),
            )
            for i in range(1, events + 1)
        ),
    )
