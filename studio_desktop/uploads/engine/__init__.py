"""The upload engine: asyncio workers that move queued files into ShootProof galleries, each exactly once.

One engine serves the terminal (``studio-desktop upload``), the GUI and hot
folders. It owns no Qt; observers subscribe to small event objects
(:mod:`studio_desktop.uploads.events`).

The parts (each module holds one job; the leading underscore ones are private):

- :mod:`._engine`: :class:`UploadEngine` itself: lifetime (start, stop, idle), settings, numbers, progress saving.
- :mod:`._state`: the fields every part shares, leases of claimed items, queue-wide stops (full plan,
  sign-in, network down, store failure), the item in flight (``Running``) and its claim.
- :mod:`._controls`: pause, resume, cancel, retry (bulk state changes in one write).
- :mod:`._enqueue`: new batches from a scan in a worker thread; dry runs.
- :mod:`._dispatch`: the loop that claims queued items a few at a time and starts one task each.
- :mod:`._attempt`: one item from claim to outcome (the per-item state machine).
- :mod:`.retry`: the pure decision after a transient failure (retry in N s, give up, wait for the network).
- :mod:`._network`: the connectivity probe. :mod:`._albums`: album resolution for mirrored folders.
- :mod:`._dedup`: each target's remote names, the per-name locks, uncertain landings.
- :mod:`._doubles`: the check after sending (another computer's copy of a name sent at the same time).
- :mod:`._writes`: store write batching. :mod:`._snapshot`: the numbers and the progress bar's snapshot.
- :mod:`.protocols`: the seams: the client the engine needs, the engine as hot folders and the UI see it.
- Every SQL statement it runs is in :mod:`studio_desktop.uploads.records`.

What "the same photo" means (the exactly-once contract):

- A local file is a duplicate only when its name is already in **the same
  target**: the album it goes to, or the event's root, meaning the photos in
  no album (``sp.event.get_photos`` lists the whole event, so the photos of
  every album are taken out of it) -- or when the ledger says this very file
  (path, size, modification time; the sha256 of the bytes sent is kept too)
  already went to that target. A same-named photo elsewhere in the event is
  not a duplicate.
- A folder resolved to an album id keeps that id. Siblings may share a name:
  a name look-up chooses one deterministically (the server's
  ``display_order``, then the lowest id; :func:`records.ledger.choose_albums`) in the
  store and the engine alike. The album is resolved, and created if need be,
  before any check, so the checks and the upload are about one target. An
  album is never created while one of that name exists under that parent.
- After any failure that may have taken effect, the engine looks before it
  writes again. An album create that failed reloads the album list before
  anyone creates that album again (the item's retry or another item waiting
  for the lock). An upload that may have landed sets the item's ``verify``
  flag; the next attempt asks ``sp.event.photo_exists`` (album-scoped for an
  album; for the root it is event-wide, so a yes is checked by listing the
  root) and counts it as landed only on a photo of that name whose id was not
  in the target before the item was first sent (``prior_photo_ids``, written
  before the first send). So with ``--no-dedup`` an older version never
  counts as the new one landing, nor does a photo another item of this run
  was recorded with.
- Until that look is done, the name is uncertain in its target: another item
  of the same name and target looks on the server before it decides (the
  names fetched earlier do not know the first may have landed). Without
  dedup it would send all the same, so it waits for that look first: two
  uncertain landings of one name in one target could not be told apart.
- A crash's leftover (an item a killed run left checking or uploading) that is
  not found is looked for once more when the killed run's last upload could
  have landed (:attr:`EngineTiming.landing_grace` after the run last saved
  it): the server goes on with a request it has whole after the client died.
- A file rewritten while it is sent fails with :data:`CHANGED_SINCE_QUEUED`
  (a hot folder queues the new version), never with a protocol error.
- Nothing is counted as uploaded without a photo id from the server: the
  upload's answer, or the id the re-check found.

How it holds up in the store and on the wire:

- The queue and the ledger live in the local store. An item is claimed
  (``checking``) in the store before anything about it is sent, and marked
  ``done`` with its photo id and a ledger row (one transaction) before anyone
  is told.
- Until the last byte of the file has left, the server cannot have the
  photo, so an upload stopped earlier is simply sent again; and an upload
  whose every byte has left is not abandoned by pause or cancel: its answer
  is awaited, because the server may store it whatever we do.
- Two items with the same target and name never run at the same time (a lock
  per name), so the second always sees what the first did.
- Every running engine holds a lock beside the store; one that starts alone
  knows items left ``checking``/``uploading`` are a crash's leftovers.
- The same permanent refusal for several photos in a row stops the queue
  with the server's message (:data:`REFUSALS_TO_STOP`), as a full plan does.
  So does an API address that redirects (``ConfigurationError``): it is
  about the settings, and every photo would get the same answer.

Dedup without a flood of requests: a ledger hit (same path, size, modification
time and target) is a duplicate without any HTTP (found while the folder is
being queued); otherwise each target's existing photo names are fetched (pages
of 1000) into a set, and fetched again before a check once older than
:attr:`EngineTiming.names_max_age` (another computer's uploads are seen within it).

Two computers uploading the same folder at once (:mod:`._doubles`): ShootProof
has no idempotency key, so a name both sent in the same moment lands twice.
When a batch finishes, each target uploaded into is listed once more; of a
name found twice the lowest photo id is kept, and each engine deletes only its
own copy, only when a lower one is there (both checking at once leave one
copy, never none). A copy that is not this engine's is never deleted: a double
left is reported (``double_warnings``). ``--no-dedup`` runs are not checked.

Staying cheap per file: SQLite runs on the store's threads, so the engine
claims a few queued items per trip to the writer thread and writes outcomes
in small batches (each committed before it is reported), and the scan of a
big folder runs in its own thread while the first files already upload.
"""

from studio_desktop.uploads.engine._engine import UploadEngine
from studio_desktop.uploads.engine._snapshot import DryRunEntry, Snapshot
from studio_desktop.uploads.engine._state import (
    CHANGED_SINCE_QUEUED,
    MOVED_BEFORE_SENT,
    REFUSALS_TO_STOP,
    STARTS_OVER,
)
from studio_desktop.uploads.engine._timing import EngineTiming
from studio_desktop.uploads.engine.protocols import EngineForUi, UploadClient

__all__ = [
    "CHANGED_SINCE_QUEUED",
    "MOVED_BEFORE_SENT",
    "REFUSALS_TO_STOP",
    "STARTS_OVER",
    "DryRunEntry",
    "EngineForUi",
    "EngineTiming",
    "Snapshot",
    "UploadClient",
    "UploadEngine",
]
