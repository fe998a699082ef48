"""Finding the files under the repository's top-level ``resources/`` folder (icons, Linux desktop files).

Where ``resources/`` is depends on how the app was installed:

* a PyInstaller bundle: the spec copies it to ``<bundle>/_internal/resources``,
  which is ``sys._MEIPASS/resources`` at run time;
* a checkout, or ``pip install -e .``: the folder beside the ``studio_desktop``
  package;
* an installed wheel (``pip install .``) does not carry it (it is not package
  data); set ``STUDIO_DESKTOP_RESOURCES`` to a copy of the folder there. Code
  that uses a resource checks that the file exists and does without it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES_ENV = "STUDIO_DESKTOP_RESOURCES"


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>`` for this installation (which may not exist: check before use).

    ``resource_path()`` is the folder itself. The first candidate folder that
    exists wins: ``$STUDIO_DESKTOP_RESOURCES``, the bundle's, the checkout's.
    """
    candidates: list[Path] = []
    override = os.environ.get(RESOURCES_ENV)
    if override:
        candidates.append(Path(override).expanduser())
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    root = next((folder for folder in candidates if folder.is_dir()), candidates[-1])
    return root.joinpath(*parts)
