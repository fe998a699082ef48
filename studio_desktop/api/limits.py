"""Limits of the services, defined once: everything else imports them from here."""

from studio_desktop.core.concurrency_limits import MAX_CONCURRENCY, MIN_CONCURRENCY

#: ShootProof nests albums at most this deep under an event.
MAX_ALBUM_DEPTH = 4

#: ShootProof's documented limit for one photo (the official uploader's "50 MB").
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

#: Event and album names, in characters.
MAX_NAME_CHARS = 255
#: An event's web address (its URL slug), in characters.
MAX_SLUG_CHARS = 100
#: A gallery or album password, in characters.
MAX_PASSWORD_CHARS = 64

#: ``sp.contact.bulk_create`` takes at most this many contacts per request.
MAX_BULK_CONTACTS = 50

#: Page sizes to fall back to, largest first, when ShootProof refuses the ``limit`` asked for.
SHOOTPROOF_PAGE_SIZES = (500, 200, 100, 50, 25, 10)

#: Pixieset Studio's clients list: "Results per page (max: 100)".
PIXIESET_MAX_PAGE_SIZE = 100

# Uploads at once: MIN_CONCURRENCY..MAX_CONCURRENCY. Defined in core.concurrency_limits (core.settings
# clamps the settings file to them and may import nothing outside core); imported here so that every
# other module finds all the limits in one place.
__all__ = [
    "MAX_ALBUM_DEPTH",
    "MAX_BULK_CONTACTS",
    "MAX_CONCURRENCY",
    "MAX_NAME_CHARS",
    "MAX_PASSWORD_CHARS",
    "MAX_SLUG_CHARS",
    "MAX_UPLOAD_BYTES",
    "MIN_CONCURRENCY",
    "PIXIESET_MAX_PAGE_SIZE",
    "SHOOTPROOF_PAGE_SIZES",
]
