"""Limits of the services, defined once: everything else imports them from here."""

#: ShootProof nests albums at most this deep under an event.
MAX_ALBUM_DEPTH = 4

#: ShootProof's documented limit for one photo (the official uploader's "50 MB").
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

#: ``sp.contact.bulk_create`` takes at most this many contacts per request.
MAX_BULK_CONTACTS = 50
