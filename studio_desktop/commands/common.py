"""What `upload` and `watch` share: the target options, signing in, and finding or making the target event."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Iterator
from typing import Any, TextIO

from studio_desktop.core import config
from studio_desktop.uploads import queue as q

EXIT_CANNOT_START = 2


class CannotStart(Exception):
    """Something to tell the user before any upload began (exit code 2)."""


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
    target.add_argument("--new-event", metavar="NAME",
                        help="create an event with this name (running the same command again reuses it)")
    parser.add_argument("--album", type=positive_int, metavar="ID", help="upload into this album of the event")
    parser.add_argument("--mirror-folders", action="store_true",
                        help="make an album for each subfolder (up to 4 levels; deeper ones are folded in)")


def log_to_file(args: argparse.Namespace) -> None:
    """Log to the app's log file when ``run`` is called without the CLI having set logging up."""
    if not logging.getLogger().handlers:
        from studio_desktop.core.logging_setup import setup_logging

        setup_logging(getattr(args, "log_level", "INFO"), console=False)


@contextlib.contextmanager
def signed_in(endpoints: config.Endpoints) -> Iterator[config.Endpoints]:
    """The endpoints to talk to (with ``--sandbox``, the sandbox studio runs meanwhile); refused without a token."""
    with config.connected(endpoints) as connected:
        if not connected.access_token:
            raise CannotStart(
                f"no access token: set {config.ENV_ACCESS_TOKEN} (or use --sandbox to try the sandbox studio)")
        yield connected


async def target_event(args: argparse.Namespace, client: Any, store: Any) -> tuple[int | None, str | None]:
    """The event id (None: to be created) and the --new-event name.

    A --new-event name is looked up among the batches of earlier runs, so that
    running the same command again reuses the event instead of making another.
    """
    from studio_desktop.api.errors import NotFoundError

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


async def check_album(client: Any, album_id: int, event_id: int | None) -> None:
    """Refuse an album of another event; NotFoundError when there is no such album."""
    album = await client.album_info(album_id)
    if album.event_id is not None and event_id is not None and album.event_id != event_id:
        raise CannotStart(f"album {album_id} belongs to event {album.event_id}, not {event_id}")


async def create_event(client: Any, name: str, out: TextIO) -> int:
    event = await client.event_create(name)
    print(f"Created the event {name!r} (id {event.id}).", file=out, flush=True)
    return event.id
