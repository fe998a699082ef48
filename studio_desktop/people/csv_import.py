"""Importing the rows of a contacts CSV into ShootProof in batches, and what became of each row.

Rows come from :func:`~studio_desktop.people.csv_reading.read_contacts_csv`. Rows
whose email is already a contact are found first and updated or left alone;
the rest are created with ``sp.contact.bulk_create``, one batch at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from studio_desktop.api.errors import ApiError, TransientError
from studio_desktop.api.limits import MAX_BULK_CONTACTS
from studio_desktop.api.models import BulkContactResult, Contact
from studio_desktop.people.csv_reading import CsvRow

#: What became of a row: a new contact, an existing one updated from the file, or one already there left alone.
CREATED, UPDATED, EXISTING = "created", "updated", "existing"


@dataclass
class RowOutcome:
    row: CsvRow
    contact: Contact | None = None
    errors: list[str] = field(default_factory=list)
    kind: str = CREATED

    @property
    def ok(self) -> bool:
        return not self.errors and (self.contact is not None or self.kind == EXISTING)


@dataclass
class ImportReport:
    outcomes: list[RowOutcome] = field(default_factory=list)
    cancelled: bool = False

    def _contacts(self, kind: str) -> list[Contact]:
        return [o.contact for o in self.outcomes if o.kind == kind and o.ok and o.contact is not None]

    @property
    def created(self) -> list[Contact]:
        return self._contacts(CREATED)

    @property
    def updated(self) -> list[Contact]:
        return self._contacts(UPDATED)

    @property
    def already_there(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.kind == EXISTING and outcome.ok]

    @property
    def failed(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]


def _says_already_there(messages: Sequence[str]) -> bool:
    return any("already" in message.casefold() and "email" in message.casefold() for message in messages)


async def find_existing(
    find_by_email: Callable[..., Any], rows: Sequence[CsvRow], brand_id: int, *, concurrency: int = 4
) -> dict[int, Contact]:
    """The rows (by line) whose email already belongs to a contact of ``brand_id``.

    ``find_by_email(email, brand_id=...)`` is ``ContactDirectory.find_by_email``; emails are
    looked up once each, ``concurrency`` at a time.
    """
    gate = asyncio.Semaphore(concurrency)
    found: dict[str, Contact] = {}
    emails = list(dict.fromkeys(row.email.casefold() for row in rows if row.email))

    async def look_up(email: str) -> None:
        async with gate:
            matches = await find_by_email(email, brand_id=brand_id)
        match = next((c for c in matches if c.brand_id in (None, brand_id)), None)
        if match is not None:
            found[email] = match

    await asyncio.gather(*(look_up(email) for email in emails))
    return {row.line: found[row.email.casefold()] for row in rows if row.email.casefold() in found}


async def settle_existing(
    update: Callable[..., Any] | None,
    rows: Sequence[tuple[CsvRow, Contact]],
    brand_id: int,
    report: ImportReport,
    *,
    describe: Callable[[BaseException], str] = str,
) -> None:
    """Rows already there: updated from the file with ``update(contact_id, fields)``, or (None) left alone."""
    for row, contact in rows:
        if update is None:
            report.outcomes.append(RowOutcome(row, contact, kind=EXISTING))
            continue
        try:
            updated = await update(contact.id, row.fields(brand_id))
        except ApiError as exc:
            reasons = _messages(exc.validation_errors) or [describe(exc)]
            report.outcomes.append(RowOutcome(row, contact, errors=reasons, kind=UPDATED))
        else:
            report.outcomes.append(RowOutcome(row, updated, kind=UPDATED))


def batches(rows: Sequence[CsvRow], size: int = MAX_BULK_CONTACTS) -> list[list[CsvRow]]:
    size = max(1, min(size, MAX_BULK_CONTACTS))
    return [list(rows[start : start + size]) for start in range(0, len(rows), size)]


def _messages(errors: dict[str, list[str]]) -> list[str]:
    return [f"{name.replace('_', ' ')}: {message}" for name, messages in errors.items() for message in messages]


def match_batch(rows: Sequence[CsvRow], result: BulkContactResult) -> list[RowOutcome]:
    """Pair each row of one batch with the contact made from it or the reasons it was refused."""
    outcomes = [RowOutcome(row) for row in rows]
    refused: set[int] = set()
    for error in result.errors:
        index = error.contact_index
        if index is not None and 0 <= index < len(rows):
            messages = _messages(error.errors) or ["ShootProof refused this contact."]
            if _says_already_there(messages):
                # Added since the preview looked: the same as one found then, not a failure.
                outcomes[index].kind = EXISTING
            else:
                outcomes[index].errors.extend(messages)
            refused.add(index)
    created = list(result.contacts)
    by_email: dict[str, list[Contact]] = {}
    for contact in created:
        by_email.setdefault((contact.email or "").casefold(), []).append(contact)
    accepted = [index for index in range(len(rows)) if index not in refused]
    leftovers: list[int] = []
    for index in accepted:
        matches = by_email.get(rows[index].email.casefold())
        if matches:
            outcomes[index].contact = matches.pop(0)
        else:
            leftovers.append(index)
    unclaimed = [contact for contacts in by_email.values() for contact in contacts]
    for index in leftovers:
        if unclaimed:
            outcomes[index].contact = unclaimed.pop(0)
        else:
            outcomes[index].errors.append("ShootProof did not create this contact and gave no reason.")
    return outcomes


ProgressCallback = Callable[[int, int], None]


async def import_rows(
    bulk_create: Callable[[list[dict[str, Any]]], Any],
    rows: Sequence[CsvRow],
    brand_id: int,
    *,
    on_progress: ProgressCallback | None = None,
    batch_size: int = MAX_BULK_CONTACTS,
    report: ImportReport | None = None,
) -> ImportReport:
    """Create ``rows`` with ``bulk_create`` (``ShootProofClient.contact_bulk_create``), 50 at a time.

    ``on_progress(done, total)`` is called after each batch. A batch the server
    refuses as a whole marks its rows failed with the reason and the import goes
    on; a lost connection after a batch may have been applied stops the import,
    so that nothing is created twice. Pass ``report`` to keep what was done so far
    when the import is cancelled.
    """
    report = report if report is not None else ImportReport()
    total = len(rows)
    done = 0
    if on_progress is not None:
        on_progress(0, total)
    pending = batches(rows, batch_size)
    for number, batch in enumerate(pending):
        try:
            result = await bulk_create([row.fields(brand_id).bulk_row() for row in batch])
        except asyncio.CancelledError:
            report.cancelled = True
            _skip(report, pending[number:], "The import was stopped before this row was sent.")
            raise
        except TransientError as exc:
            if exc.maybe_applied:
                why = (
                    "The connection broke while this batch was being sent; ShootProof may have created some "
                    "of these contacts. Search for them by email before importing them again."
                )
                report.outcomes.extend(RowOutcome(row, errors=[why]) for row in batch)
                _skip(report, pending[number + 1 :], "Not sent: the import stopped after a connection problem.")
                break
            report.outcomes.extend(RowOutcome(row, errors=[exc.msg]) for row in batch)
        except ApiError as exc:
            reasons = _messages(exc.validation_errors) or [exc.msg]
            report.outcomes.extend(RowOutcome(row, errors=list(reasons)) for row in batch)
        else:
            report.outcomes.extend(match_batch(batch, result))
        done += len(batch)
        if on_progress is not None:
            on_progress(done, total)
    return report


def _skip(report: ImportReport, rest: Sequence[Sequence[CsvRow]], why: str) -> None:
    for batch in rest:
        report.outcomes.extend(RowOutcome(row, errors=[why]) for row in batch)
