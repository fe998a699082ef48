"""Limits of the services, defined once: everything else imports them from here."""

#: ShootProof nests albums at most this deep under an event.
MAX_ALBUM_DEPTH = 4
