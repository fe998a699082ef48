"""Turn dropped or watched files and folders into upload items, and folders into albums.

`iter_scan` is a generator: it lists one folder at a time (holding only that
folder's names and the folders still to visit), so a drop of 100,000 photos
streams through without being collected. Of each file it reads only what
`images.validate_jpeg` reads: the first 4 KB, the JPEG segment headers, and
the last 4 KB (up to 64 KB when the end marker is not in the last 4 KB).

Names: the upload name is the file's own name, spaces, accents and emoji
kept, normalised to Unicode NFC. macOS hands out names in decomposed form
(NFD: "e" + combining accent) where Linux and Windows keep what was typed
(usually NFC); normalising makes "Café.jpg" from a Mac and from a PC the same
name, so duplicate checks against the gallery match. Bytes that are not valid
UTF-8 in a Linux file name become U+FFFD (the replacement character), since an
upload name must be text.

Folders to albums (with mirror_folders): the path of a file's folder relative
to the dropped or watched folder becomes the album path; files directly in
that folder go to the target itself (no album). ShootProof nests albums at
most 4 levels deep, so deeper folders are folded into the 4th level's name,
joined with " / ": Day 2/Ceremony/Family/Formals/Extra becomes the album
"Formals / Extra" inside Day 2 > Ceremony > Family.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path, PurePath
from typing import NamedTuple

from studio_desktop.api.limits import MAX_ALBUM_DEPTH

MAX_ALBUM_NAME_CHARS = 100
DEEP_FOLDER_SEPARATOR = " / "
UNTITLED_ALBUM = "Untitled"


# The scan's events are named tuples, not dataclasses: one is made per file (thousands on a re-run of a
# finished folder, whose time is mostly start-up and this scan), and a named tuple is cheaper to make
# and ~10x cheaper to define (~0.1 ms against ~0.8 ms for a frozen dataclass, on every start).


class ScanItem(NamedTuple):
    """A JPEG that passed the checks. `name` is the upload name (NFC).

    ``location`` is the file's path as the scan found it, or, for a file the
    ledger knew (taken on one ``stat``), its absolute path as text: no
    :class:`~pathlib.Path` is made for each of the thousands of files a re-run
    only looks up. Read it as :attr:`path` or :attr:`abspath`.
    """

    location: Path | str
    size: int
    mtime_ns: int
    rel_album_path: tuple[str, ...]
    name: str

    @property
    def path(self) -> Path:
        location = self.location
        return location if isinstance(location, Path) else Path(location)

    @property
    def abspath(self) -> str:
        """The absolute path as text (not resolved: links kept)."""
        location = self.location
        return location if isinstance(location, str) else os.path.abspath(location)


class Rejected(NamedTuple):
    """A file (or folder) that cannot be uploaded, and why in plain words.

    `not_a_photo`: its contents are some other kind of file (text, PNG, video...),
    which no retry can change; a cut-short, empty or unreadable JPEG may still
    become whole, so it is not one.
    """

    path: Path
    reason: str
    not_a_photo: bool = False


class Ignored(NamedTuple):
    """A hidden, system or temporary file or folder: skipped quietly, only counted."""

    path: Path
    reason: str


ScanEvent = ScanItem | Rejected | Ignored


class ScanResult:
    """A whole scan collected. `ignored` counts skipped names: a skipped folder counts once.

    A plain class: defining a dataclass costs ~0.8 ms of every start, and this module loads on each.
    """

    def __init__(self) -> None:
        self.items: list[ScanItem] = []
        self.rejected: list[Rejected] = []
        self.ignored = 0
        self.ignored_reasons: Counter[str] = Counter()

    def __repr__(self) -> str:
        return (
            f"ScanResult(items={self.items!r}, rejected={self.rejected!r}, ignored={self.ignored!r}, "
            f"ignored_reasons={self.ignored_reasons!r})"
        )

    @property
    def total_bytes(self) -> int:
        return sum(item.size for item in self.items)

    @property
    def album_paths(self) -> list[tuple[str, ...]]:
        """Every album path the items need, parents before children, in scan order."""
        seen: dict[tuple[str, ...], None] = {}
        for item in self.items:
            for depth in range(1, len(item.rel_album_path) + 1):
                seen.setdefault(item.rel_album_path[:depth])
        return list(seen)


# --- names -----------------------------------------------------------------------------


def upload_name(name: str) -> str:
    """The name a file is uploaded (and deduplicated) under: its own name, in NFC."""
    if name.isascii():
        return name  # no undecodable bytes (those are surrogates), nothing to compose
    try:
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = name.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", text)


def sentence(text: str) -> str:
    """A reason as the queue keeps it: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


_DIGITS = re.compile(r"(\d+)")


def natural_sort_key(name: str) -> tuple[tuple[int | str, ...], str]:
    """Sort key that puts IMG_2 before IMG_10, ignoring case; ties keep a stable order."""
    text = name.casefold() if name.isascii() else unicodedata.normalize("NFC", name).casefold()
    parts: list[int | str] = _DIGITS.split(text)
    if len(parts) == 3:  # one number, as in most photos' names (IMG_0001.jpg): no slicing
        return ((parts[0], int(parts[1]), parts[2]), name)
    parts[1::2] = map(int, parts[1::2])  # the split puts the digit runs at the odd places
    return (tuple(parts), name)


def clean_album_name(name: str) -> str:
    """An album name from a folder name: NFC, no control characters, single spaces, at most 100 characters.

    Never empty: a name of only spaces becomes "Untitled". A longer name is
    cut at 99 characters and ends with "…".
    """
    text = upload_name(name)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = " ".join(text.split())
    if not text:
        return UNTITLED_ALBUM
    if len(text) > MAX_ALBUM_NAME_CHARS:
        text = text[: MAX_ALBUM_NAME_CHARS - 1].rstrip() + "…"
    return text


def album_path_for(rel_folders: Iterable[str], max_depth: int = MAX_ALBUM_DEPTH) -> tuple[str, ...]:
    """The album path for files in `rel_folders` (folders below the dropped/watched root).

    The first `max_depth - 1` folders become one album level each; the rest
    are joined with " / " into the last level's name. When that joined name
    would pass 100 characters, only its first and last folders are kept
    ("Formals / … / Extra") before the usual cut, so deep paths that differ
    only in the middle can land in the same album. () means the target itself.
    """
    if max_depth < 1:
        raise ValueError("max_depth must be at least 1")
    names = [clean_album_name(folder) for folder in rel_folders]
    if len(names) <= max_depth:
        return tuple(names)
    deep = names[max_depth - 1 :]
    joined = DEEP_FOLDER_SEPARATOR.join(deep)
    if len(joined) > MAX_ALBUM_NAME_CHARS:
        joined = DEEP_FOLDER_SEPARATOR.join((deep[0], "…", deep[-1]))
    return (*names[: max_depth - 1], clean_album_name(joined))


def album_path_for_file(
    path: str | os.PathLike[str], root: str | os.PathLike[str], max_depth: int = MAX_ALBUM_DEPTH
) -> tuple[str, ...]:
    """The album path for a file below `root` (a watched folder): its folders in between, mapped.

    A file that is not below `root` goes to the target itself.
    """
    try:
        rel = PurePath(path).parent.relative_to(PurePath(root))
    except ValueError:
        return ()
    return album_path_for(rel.parts, max_depth)


# --- what to skip quietly ----------------------------------------------------------------

_IGNORED_NAMES = {
    ".ds_store": "macOS folder settings (.DS_Store)",
    "icon\r": "a macOS folder icon",
    "thumbs.db": "a Windows thumbnail cache",
    "ehthumbs.db": "a Windows thumbnail cache",
    "ehthumbs_vista.db": "a Windows thumbnail cache",
    "desktop.ini": "Windows folder settings (desktop.ini)",
    "$recycle.bin": "the Windows recycle bin",
    "recycler": "the Windows recycle bin",
    "system volume information": "a Windows system folder",
    "@eadir": "a Synology thumbnail folder (@eaDir)",
    "#recycle": "the Synology recycle bin (#recycle)",
    "#snapshot": "Synology snapshots (#snapshot)",
    "@recycle": "the QNAP recycle bin (@Recycle)",
    "@recently-snapshot": "QNAP snapshots",
    "lost+found": "a disk repair folder (lost+found)",
    "captureone": "Capture One session data (previews and settings)",
}

_IGNORED_SUFFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    ((".tmp", ".temp"), "a temporary file"),
    (
        (".part", ".partial", ".crdownload", ".download", ".filepart", ".opdownload", ".!ut"),
        "a partial download or copy",
    ),
    ((".lock", ".engine-lock"), "a lock file"),
    ((".lrdata",), "a Lightroom preview cache"),
    ((".lrcat", ".lrcat-journal", ".lrcat-wal", ".lrcat-shm"), "a Lightroom catalog"),
    ((".cosessiondb",), "a Capture One session database"),
    ((".xmp", ".aae", ".thm"), "a sidecar file (edit settings or a video thumbnail)"),
)

# macOS "safe save" writes IMG.jpg.sb-1a2b3c4d-AbCdEf and renames it when done.
_SAFE_SAVE = re.compile(r"\.sb-[0-9a-f]{8}-[0-9a-z]{6}$")


# Every ending that may make a name ignored, to answer the usual name (IMG_0001.jpg) with one test.
_ANY_IGNORED_ENDING = ("~", *(suffix for suffixes, _ in _IGNORED_SUFFIXES for suffix in suffixes))


def _ignored_name(name: str) -> str | None:
    folded = name.casefold()
    if folded in _IGNORED_NAMES:
        return _IGNORED_NAMES[folded]
    if folded.startswith(("._", ".", "~")):
        if folded.startswith("._"):
            return "a macOS resource file (._ AppleDouble)"
        return "a hidden file" if folded.startswith(".") else "a temporary file"
    if folded.endswith(_ANY_IGNORED_ENDING):
        if folded.endswith("~"):
            return "a backup copy left by an editor"
        for suffixes, reason in _IGNORED_SUFFIXES:
            if folded.endswith(suffixes):
                return reason
    if ".sb-" in folded and _SAFE_SAVE.search(folded):
        return "a temporary file"
    return None


def is_ignored(path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None) -> str | None:
    """Why a hidden, system or temporary file or folder is skipped, or None to keep it.

    Only the last name of `path` is judged, unless `root` is given: then every
    folder between `root` and the file counts too (a file inside @eaDir is
    skipped), while `root` itself and the folders above it never do (a hot
    folder may live under a hidden folder). Judged by name only: nothing is read.
    """
    pure = PurePath(path)
    parts: tuple[str, ...] = (pure.name,)
    if root is not None:
        try:
            parts = pure.relative_to(PurePath(root)).parts
        except ValueError:
            pass
    for part in parts:
        reason = _ignored_name(part)
        if reason:
            return reason
    return None


# --- scanning ----------------------------------------------------------------------------


def _folder_error(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "the folder is gone (moved or deleted during the scan)"
    if isinstance(error, PermissionError):
        return "cannot open the folder: permission denied"
    if error.errno == errno.ELOOP:
        return "a link loop (the link leads back to itself)"
    return f"cannot open the folder: {(error.strerror or error.__class__.__name__).lower()}"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def check_file(path: str | os.PathLike[str], rel_album_path: tuple[str, ...] = ()) -> ScanItem | Rejected:
    """One file as the scan judges it (validated, named); for hot folders that see files one by one."""
    from studio_desktop.uploads.images import validate_jpeg  # here: a scan of known files reads none (Pillow)

    path = Path(path)
    result = validate_jpeg(path)
    if result.ok and result.size is not None and result.mtime_ns is not None:  # a whole photo has both
        return ScanItem(path, result.size, result.mtime_ns, rel_album_path, upload_name(path.name))
    # Only the content sniff sets a kind other than "jpeg" on a non-empty file.
    not_a_photo = bool(result.size) and result.kind != "jpeg"
    return Rejected(path, result.reason or "cannot be uploaded", not_a_photo=not_a_photo)


OWN_FOLDER = "the app's own data (its store, caches and logs)"


def own_folders() -> tuple[set[tuple[int, int]], tuple[str, ...]]:
    """The app's own folders (data, settings, cache, logs) that exist: by (st_dev, st_ino), and their paths.

    Never scanned: a dropped or watched folder that holds them (a portable install
    beside the shoot, a home folder) must not offer the store, its locks, the
    thumbnail cache or the sandbox's photos for upload.
    """
    from studio_desktop.core import paths

    current = paths.current()
    keys: set[tuple[int, int]] = set()
    real: list[str] = []
    for folder in (current.data_dir, current.config_dir, current.cache_dir, current.log_dir):
        try:
            st = os.stat(folder)
        except OSError:
            continue
        keys.add((st.st_dev, st.st_ino))
        real.extend(dict.fromkeys((os.path.abspath(folder), os.path.realpath(folder))))
    return keys, tuple(real)


#: Given file versions ``(absolute path, size, mtime_ns)``, which are known good already (the upload
#: ledger: sent before, unchanged since): those are taken on one ``stat``, without reading them.
KnownFiles = Callable[[list[tuple[str, int, int]]], set[tuple[str, int, int]]]

_KNOWN_BATCH = 500


def _checked(
    folder: Path, names: list[str], album: tuple[str, ...], known: KnownFiles | None
) -> Iterator[ScanItem | Rejected]:
    """The folder's files in order, each validated unless ``known`` says it is a version already sent."""
    if known is None:
        for name in names:
            yield check_file(folder / name, album)
        return
    absolute = os.path.abspath(folder)
    # Names from a listing hold no separator: joined by hand, as os.path.join would (no Path either).
    prefix = absolute if absolute.endswith(os.sep) else absolute + os.sep
    for start in range(0, len(names), _KNOWN_BATCH):
        batch = names[start : start + _KNOWN_BATCH]
        versions: dict[str, tuple[str, int, int]] = {}
        for name in batch:
            full = prefix + name
            try:
                st = os.stat(full)
            except OSError:
                continue  # check_file says why
            if stat.S_ISREG(st.st_mode):
                versions[name] = (full, st.st_size, st.st_mtime_ns)
        hits = known(list(versions.values())) if versions else set()
        for name in batch:
            version = versions.get(name)
            if version is not None and version in hits:
                yield ScanItem(version[0], version[1], version[2], album, upload_name(name))
            else:
                yield check_file(folder / name, album)


def _walk(
    root: Path,
    base: tuple[str, ...],
    *,
    mirror_folders: bool,
    max_album_depth: int,
    seen: set[tuple[int, int]],
    own: AbstractSet[tuple[int, int]] = frozenset(),
    known: KnownFiles | None = None,
) -> Iterator[ScanEvent]:
    """Depth first: a folder's files (naturally sorted), then each subfolder in turn.

    Symlinked folders are followed, but each real folder (st_dev, st_ino) is
    entered once: a link back up the tree is a loop and is skipped, and so is a
    second way into a folder already scanned, so nothing is uploaded twice.
    """
    stack: list[tuple[Path, tuple[str, ...], frozenset[tuple[int, int]]]] = [(root, base, frozenset())]
    while stack:
        folder, rel, ancestors = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as error:
            yield Rejected(folder, _folder_error(error))
            continue
        key = (st.st_dev, st.st_ino)
        if key in own:
            continue  # not the user's: not even counted as skipped
        if key in ancestors:
            yield Ignored(folder, "a link back to a folder that contains it (a loop)")
            continue
        if key in seen:
            yield Ignored(folder, "the same folder as one already included")
            continue
        seen.add(key)
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            yield Rejected(folder, _folder_error(error))
            continue
        files: list[str] = []
        subfolders: list[str] = []
        for entry in entries:
            reason = _ignored_name(entry.name)
            if reason:
                yield Ignored(Path(entry.path), reason)
            elif _is_dir(entry):
                subfolders.append(entry.name)
            else:
                files.append(entry.name)
        del entries
        album = album_path_for(rel, max_album_depth) if mirror_folders else ()
        yield from _checked(folder, sorted(files, key=natural_sort_key), album, known)
        inside = ancestors | {key}
        for name in sorted(subfolders, key=natural_sort_key, reverse=True):
            stack.append((folder / name, (*rel, name), inside))


def iter_scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    mirror_folders: bool,
    keep_dropped_folder_name: bool = False,
    max_album_depth: int = MAX_ALBUM_DEPTH,
    known: KnownFiles | None = None,
) -> Iterator[ScanEvent]:
    """Yield a `ScanItem`, `Rejected` or `Ignored` for every file under `paths`, lazily.

    Folders are walked recursively; files given directly go to the target
    itself. With `mirror_folders`, folders below a given folder become album
    paths (see `album_path_for`); with `keep_dropped_folder_name` as well, the
    given folder's own name is the first album level (drop "Ceremony" and
    "Reception" to get two albums). A file given directly is still skipped if
    its name is a hidden, system or temporary one; a folder given directly is
    always scanned. Problems are reported as `Rejected`, never raised.
    ``known`` (a lookup in the upload ledger): files it knows are taken without being read.
    """
    seen: set[tuple[int, int]] = set()
    own, _ = own_folders()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            name = os.path.basename(os.path.abspath(path))
            base = (name,) if keep_dropped_folder_name and name else ()
            yield from _walk(
                path,
                base,
                mirror_folders=mirror_folders,
                max_album_depth=max_album_depth,
                seen=seen,
                own=own,
                known=known,
            )
            continue
        reason = _ignored_name(path.name)  # a file given by name is taken (the self-test's photo is in the data folder)
        if reason:
            yield Ignored(path, reason)
        else:
            yield from _checked(path.parent, [path.name], (), known)


def scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    mirror_folders: bool,
    keep_dropped_folder_name: bool = False,
    max_album_depth: int = MAX_ALBUM_DEPTH,
) -> ScanResult:
    """Collect `iter_scan` into lists of items and rejections, and a count of ignored files."""
    result = ScanResult()
    for event in iter_scan(
        paths,
        mirror_folders=mirror_folders,
        keep_dropped_folder_name=keep_dropped_folder_name,
        max_album_depth=max_album_depth,
    ):
        if isinstance(event, ScanItem):
            result.items.append(event)
        elif isinstance(event, Rejected):
            result.rejected.append(event)
        else:
            result.ignored += 1
            result.ignored_reasons[event.reason] += 1
    return result
