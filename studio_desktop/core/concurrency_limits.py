"""Uploads at once: MIN_CONCURRENCY..MAX_CONCURRENCY, with no imports.

:mod:`studio_desktop.core.settings` clamps the settings file to them and
:mod:`studio_desktop.api.limits` re-exports them with the services' other
limits; kept apart so that reading the limits does not load the settings
module (json, a dataclass and a regex: ~1.5 ms of every terminal command's start).
"""

MIN_CONCURRENCY = 1
MAX_CONCURRENCY = 16
