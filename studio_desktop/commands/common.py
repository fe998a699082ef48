"""What `upload` and `watch` share: the target options, signing in, and finding or making the target event."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from studio_desktop.commands import exit_codes
from studio_desktop.commands.connection import connected
from studio_desktop.core import config

if TYPE_CHECKING:
    from studio_desktop.api.shootproof import ShootProofClient

log = logging.getLogger(__name__)

# The exit codes (defined in a light module the CLI reads before it imports any command), for the commands.
EXIT_OK = exit_codes.EXIT_OK
EXIT_INCOMPLETE = exit_codes.EXIT_INCOMPLETE
EXIT_CANNOT_START = exit_codes.EXIT_CANNOT_START
EXIT_LOCAL_PROBLEM = exit_codes.EXIT_LOCAL_PROBLEM
EXIT_INTERRUPTED = exit_codes.EXIT_INTERRUPTED
EXIT_BROKEN_PIPE = exit_codes.EXIT_BROKEN_PIPE
EXIT_CODES_HELP = exit_codes.EXIT_CODES_HELP


class CannotStart(Exception):
    """Something to tell the user before any upload began (exit code 2)."""


def announce_store(store: Any, out: TextIO) -> None:
    """Say so on the terminal when the store was found damaged on opening and a new one started."""
    if getattr(store, "damaged_copy", None) is not None:
        from studio_desktop.core.local_failures import damaged_store_message

        print(damaged_store_message(store.path, store.damage_detail, store.damaged_copy), file=out, flush=True)


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """``--event ID`` or ``--new-event NAME``, then ``--album`` and ``--mirror-folders``."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--event", type=positive_int, metavar="ID", help="the event (gallery) to upload to")
    target.add_argument(
        "--new-event", metavar="NAME", help="create an event with this name (running the same command again reuses it)"
    )
    parser.add_argument("--album", type=positive_int, metavar="ID", help="upload into this album of the event")
    parser.add_argument(
        "--mirror-folders",
        action="store_true",
        help="make an album for each subfolder (up to 4 levels; deeper ones are folded in)",
    )


def log_to_file(args: argparse.Namespace) -> None:
    """Log to the app's log file when ``run`` is called without the CLI having set logging up."""
    if not logging.getLogger().handlers:
        from studio_desktop.core.logging_setup import setup_logging

        setup_logging(getattr(args, "log_level", "INFO"), console=False)


@contextlib.contextmanager
def signed_in(endpoints: config.Endpoints) -> Iterator[config.Endpoints]:
    """The endpoints to talk to (with ``--sandbox``, the sandbox studio runs meanwhile); refused without a token."""
    with connected(endpoints) as live:
        if not live.access_token:
            raise CannotStart(
                f"no access token: set {config.ENV_ACCESS_TOKEN} (or use --sandbox to try the sandbox studio)"
            )
        yield live


async def target_event(args: argparse.Namespace, client: ShootProofClient, store: Any) -> tuple[int | None, str | None]:
    """The event id (None: to be created) and the --new-event name.

    A --new-event name is looked up among the batches of earlier runs, so that
    running the same command again reuses the event instead of making another.
    """
    from studio_desktop.api.errors import NotFoundError
    from studio_desktop.uploads.records import queue as q

    if args.event is not None:
        await client.event_info(args.event)
        return args.event, None
    name = args.new_event.strip()
    if not name:
        raise CannotStart("the new event needs a name")
    earlier = await store.read(q.find_batch_option, "new_event", name)
    if earlier is not None:
        try:
            await client.event_info(earlier.event_id)
            return earlier.event_id, name
        except NotFoundError:
            pass
    return None, name


async def check_album(client: ShootProofClient, album_id: int, event_id: int | None) -> None:
    """Refuse an album of another event; NotFoundError when there is no such album."""
    album = await client.album_info(album_id)
    if album.event_id is not None and event_id is not None and album.event_id != event_id:
        raise CannotStart(f"album {album_id} belongs to event {album.event_id}, not {event_id}")


#: How far back a --new-event name counts as "the event an earlier try already made".
NEW_EVENT_LOOKBACK = timedelta(minutes=30)
_LOOKUP_PAGES = 5
_CREATE_TRIES = 3


def _when(text: str | None) -> datetime | None:
    """An API time (``YYYY-MM-DD HH:MM:SS``, UTC, or ISO 8601) as an aware datetime; None if unreadable."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


async def find_new_event(client: ShootProofClient, name: str, *, since: datetime) -> int | None:
    """A live event called ``name`` created since ``since``: the lowest id if several (the first one made).

    Events are listed most recently updated first; the look stops at the first
    page that reaches back past ``since`` (or after a few pages).
    """
    matches: list[int] = []
    for page in range(1, _LOOKUP_PAGES + 1):
        listing = await client.event_get_list(order_by="last_updated", order_by_descending=True, limit=100, page=page)
        stamps = [_when(event.last_updated or event.created) for event in listing.items]
        for event in listing.items:
            if (event.name or "").strip() != name or (event.status or "").lower() == "deleted":
                continue
            created = _when(event.created)
            if created is None or created >= since:
                matches.append(event.id)
        known = [stamp for stamp in stamps if stamp is not None]
        newest_first = known == sorted(known, reverse=True)
        if not listing.has_next or (newest_first and known and known[-1] < since):
            break
    return min(matches) if matches else None


async def create_event(client: ShootProofClient, name: str, out: TextIO) -> int:
    """Create the --new-event event, exactly once.

    An earlier run (or an earlier try of this one) may have created it and then
    lost the answer: a recent live event of that name is used instead. After a
    failure that may have taken effect, look before creating again. Another run
    (another computer) may create it at the same moment: after creating, look
    once more, and of two take the lowest id, as every run does (the later of two
    creates sees both); the one made here, still empty, is then deleted.
    """
    from studio_desktop.api.errors import TransientApiError

    since = datetime.now(UTC) - NEW_EVENT_LOOKBACK
    existing = await find_new_event(client, name, since=since)
    if existing is not None:
        print(f"Using the event {name!r} (id {existing}) that an earlier run created.", file=out, flush=True)
        return existing
    for attempt in range(1, _CREATE_TRIES + 1):
        try:
            event = await client.event_create(name)
        except TransientApiError as exc:
            if not exc.maybe_applied:
                raise
            log.info("creating the event %r may have worked before it failed (%s); looking for it", name, exc.msg)
            found = await find_new_event(client, name, since=since)
            if found is not None:
                # Made by the failed create, or by another run at the same time: either way not surely by us.
                print(
                    f"Found the event {name!r} (id {found}): creating it failed after it may have taken effect, "
                    "or another run made it meanwhile; using it.",
                    file=out,
                    flush=True,
                )
                return found
            if attempt == _CREATE_TRIES:
                raise
            continue
        first = await _first_of_twins(client, name, event.id, since)
        if first != event.id:
            print(
                f"Found the event {name!r} (id {first}) that another run created at the same time; using it.",
                file=out,
                flush=True,
            )
            return first
        print(f"Created the event {name!r} (id {event.id}).", file=out, flush=True)
        return event.id
    raise AssertionError("unreachable")


async def _first_of_twins(client: ShootProofClient, name: str, made: int, since: datetime) -> int:
    """The event every run takes of those of this name made since ``since``; ``made`` is deleted if it is not it."""
    from studio_desktop.api.errors import ApiError

    try:
        first = await find_new_event(client, name, since=since)
    except ApiError:
        return made  # not known: keep ours (at worst two events of that name, as before)
    if first is None or first >= made:
        return made
    log.info(
        "the event %r was created by another run at the same time (id %d): removing ours (id %d)", name, first, made
    )
    try:
        await client.event_delete(made, only_empty=True)
    except ApiError as exc:
        log.info("the empty event %d made here could not be removed: %s", made, exc.msg)
    return first
