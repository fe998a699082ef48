"""Finding a contact from what the user typed: a name, an email, part of either, or an id.

Used by the one contact picker of the app (choosing a gallery's contact, a new
gallery's contact): it suggests known contacts as the user types and resolves
the text when the user did not pick a suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from studio_desktop.api.models import Contact


def contact_label(contact: Contact) -> str:
    """``Harper Lewis <harper@example.com>``, or whichever of the two is known."""
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part) or contact.business_name or ""
    if name and contact.email:
        return f"{name} <{contact.email}>"
    return name or contact.email or f"Contact {contact.id}"


def _full_name(contact: Contact) -> str:
    return " ".join(part for part in (contact.first_name, contact.last_name) if part).casefold()


def matches(contacts: Iterable[Contact], text: str, *, limit: int = 20) -> list[Contact]:
    """Contacts whose name, email or label contains ``text`` (case-insensitive); best first."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return []
    scored: list[tuple[int, str, Contact]] = []
    for contact in contacts:
        name, email, label = _full_name(contact), (contact.email or "").casefold(), contact_label(contact).casefold()
        if wanted in (name, email, label):
            score = 0
        elif name.startswith(wanted) or email.startswith(wanted):
            score = 1
        elif any(part.startswith(wanted) for part in name.split()):
            score = 2
        elif wanted in label or wanted in (contact.business_name or "").casefold():
            score = 3
        else:
            continue
        scored.append((score, label, contact))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [contact for _score, _label, contact in scored[:limit]]


def resolve(contacts: Sequence[Contact], text: str) -> tuple[Contact | None, list[Contact]]:
    """The one contact ``text`` means, or (None, the candidates) when it means none or several."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None, []
    exact = [
        c
        for c in contacts
        if wanted in (_full_name(c), (c.email or "").casefold(), contact_label(c).casefold())
        or (wanted.isdigit() and c.id == int(wanted))
    ]
    if len(exact) == 1:
        return exact[0], exact
    candidates = exact or matches(contacts, wanted)
    if len(candidates) == 1:
        return candidates[0], candidates
    return None, candidates
