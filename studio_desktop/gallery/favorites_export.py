"""A gallery visitor's favourites, in the forms a photographer pastes into an editor or keeps.

- a filter string for Lightroom Classic's Library filter and Capture One's
  search (``IMG_0001 OR IMG_0007``): file names without extensions, because
  the editor holds the raw file (``IMG_0001.CR3``) and the gallery the JPEG;
- a plain list, one file name a line;
- a CSV file with the name, the name without extension, the photo id and
  whether it is a favourite or which label the visitor gave it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from studio_desktop.api.models import VisitorPhotos
from studio_desktop.core.fileio import atomic_write_text

FAVORITE = "Favorite"
CSV_COLUMNS = ("file_name", "name_without_extension", "photo_id", "list")


@dataclass(frozen=True)
class PickedPhoto:
    file_name: str
    photo_id: int
    list: str = FAVORITE

    @property
    def stem(self) -> str:
        return PurePosixPath(self.file_name).stem or self.file_name


def picked_photos(photos: VisitorPhotos) -> list[PickedPhoto]:
    """Favourites first, then each label's photos, in the gallery's order."""
    picked = [PickedPhoto(p.name or f"{p.id}", p.id) for p in photos.favorites]
    for label in photos.labeled:
        picked.extend(PickedPhoto(p.name or f"{p.id}", p.id, label.name or "Label") for p in label.photos)
    return picked


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def editor_filter(picked: Iterable[PickedPhoto]) -> str:
    """``IMG_0001 OR IMG_0007``: each photo once, as Lightroom and Capture One match file names."""
    return " OR ".join(_unique(photo.stem for photo in picked))


def plain_list(picked: Iterable[PickedPhoto]) -> str:
    return "\n".join(_unique(photo.file_name for photo in picked))


def csv_text(picked: Iterable[PickedPhoto]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for photo in picked:
        writer.writerow((photo.file_name, photo.stem, photo.photo_id, photo.list))
    return out.getvalue()


def save_csv(path: str | Path, picked: Iterable[PickedPhoto]) -> Path:
    target = Path(path)
    atomic_write_text(target, csv_text(picked), mode=0o644)
    return target
