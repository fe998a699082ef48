"""Scanning dropped and watched folders: real trees of real files in tmp."""

from __future__ import annotations

import os
import shutil
import threading
import unicodedata
from pathlib import Path

import pytest
from imagegen import (
    jpeg_bytes,
    make_jpeg,
    make_png,
    make_sparse_jpeg,
    make_text_file,
    make_truncated_jpeg,
    read_bytes_so_far,
)

from studio_desktop.uploads import scanner
from studio_desktop.uploads.images import CUT_SHORT, HEAD_BYTES, TAIL_BYTES
from studio_desktop.uploads.scanner import (
    Ignored,
    Rejected,
    ScanItem,
    album_path_for,
    album_path_for_file,
    check_file,
    clean_album_name,
    is_ignored,
    iter_scan,
    natural_sort_key,
    scan,
    upload_name,
)

MB = 1024 * 1024


def names(items) -> list[str]:
    return [item.path.name for item in items]


def reasons(result) -> dict[str, str]:
    return {r.path.name: r.reason for r in result.rejected}


# --- ignoring ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        ".DS_Store",
        "._IMG_0001.JPG",
        ".hidden.jpg",
        "Thumbs.db",
        "THUMBS.DB",
        "desktop.ini",
        "@eaDir",
        "#recycle",
        "$RECYCLE.BIN",
        "System Volume Information",
        "IMG_1.jpg.tmp",
        "IMG_1.jpg.part",
        "IMG_1.jpg.crdownload",
        "IMG_1.jpg.download",
        "IMG_1.jpg.filepart",
        "IMG_1.jpg.partial",
        "~IMG_1.jpg",
        "IMG_1.jpg~",
        "Catalog Previews.lrdata",
        "Catalog.lrcat-journal",
        "Catalog.lrcat.lock",
        "CaptureOne",
        "IMG_1.xmp",
        "MVI_0001.THM",
        "IMG_1.jpg.sb-1a2b3c4d-AbCdE9",
        "Icon\r",
    ],
)
def test_hidden_system_and_temporary_names_are_ignored(name):
    assert is_ignored(Path("/photos") / name)


@pytest.mark.parametrize(
    "name",
    ["IMG_0001.JPG", "Thumbs up.jpg", "my.photo.jpg", "Temp shots", "partial view.jpg", "Café 😀.jpg", "a~b.jpg"],
)
def test_ordinary_names_are_kept(name):
    assert is_ignored(Path("/photos") / name) is None


def test_ignoring_with_a_root_judges_the_folders_in_between_but_not_the_root():
    assert is_ignored("/nas/photos/@eaDir/IMG_1.jpg", root="/nas/photos") == "a Synology thumbnail folder (@eaDir)"
    assert is_ignored("/home/me/.hot/Day 1/IMG_1.jpg", root="/home/me/.hot") is None
    assert is_ignored("/nas/photos/@eaDir/IMG_1.jpg") is None


# --- names and albums ----------------------------------------------------------------------


def test_natural_order_puts_img_2_before_img_10_ignoring_case():
    given = ["IMG_10.jpg", "img_2.jpg", "IMG_100.jpg", "IMG_1.jpg", "DSC_9.jpg", "IMG_02.jpg"]
    assert sorted(given, key=natural_sort_key) == [
        "DSC_9.jpg",
        "IMG_1.jpg",
        "IMG_02.jpg",
        "img_2.jpg",
        "IMG_10.jpg",
        "IMG_100.jpg",
    ]


def test_album_path_keeps_up_to_four_levels():
    assert album_path_for(()) == ()
    assert album_path_for(("Day 2",)) == ("Day 2",)
    assert album_path_for(("Day 2", "Ceremony", "Family", "Formals")) == ("Day 2", "Ceremony", "Family", "Formals")


def test_deeper_folders_are_folded_into_the_fourth_level():
    assert album_path_for(("Day 2", "Ceremony", "Family", "Formals", "Extra")) == (
        "Day 2",
        "Ceremony",
        "Family",
        "Formals / Extra",
    )
    assert album_path_for(("a", "b", "c", "d", "e", "f")) == ("a", "b", "c", "d / e / f")
    assert album_path_for(("a", "b", "c"), max_depth=1) == ("a / b / c",)
    with pytest.raises(ValueError):
        album_path_for(("a",), max_depth=0)


def test_album_path_of_a_file_in_a_watched_folder():
    root = Path("/hot/Smith")
    assert album_path_for_file(root / "IMG_1.jpg", root) == ()
    assert album_path_for_file(root / " Day  1 " / "IMG_1.jpg", root) == ("Day 1",)
    assert album_path_for_file(root / "1" / "2" / "3" / "4" / "5" / "IMG_1.jpg", root) == ("1", "2", "3", "4 / 5")
    assert album_path_for_file(Path("/elsewhere/IMG_1.jpg"), root) == ()


def test_album_names_are_cleaned_and_never_empty():
    assert clean_album_name("  Getting \t ready\n ") == "Getting ready"
    assert clean_album_name("   ") == "Untitled"
    assert clean_album_name("tab\x07bell") == "tab bell"
    long = clean_album_name("x" * 300)
    assert len(long) == scanner.MAX_ALBUM_NAME_CHARS and long.endswith("…")
    deep = album_path_for(("a", "b", "c", "First " + "m" * 60, "Middle " + "n" * 60, "Last"))
    assert deep[3] == "First " + "m" * 60 + " / … / Last"


def test_names_are_normalised_to_nfc_and_keep_spaces_accents_and_emoji():
    nfd = unicodedata.normalize("NFD", "Café Éte 😀 01.jpg")
    assert nfd != "Café Éte 😀 01.jpg"
    assert upload_name(nfd) == "Café Éte 😀 01.jpg"
    assert upload_name("IMG 0001 (1).JPG") == "IMG 0001 (1).JPG"


# --- scanning -----------------------------------------------------------------------------


@pytest.fixture
def shoot(tmp_path) -> Path:
    """A dropped folder with good photos, bad files, junk, and nested folders."""
    root = tmp_path / "Smith Wedding"
    make_jpeg(root / "IMG_10.jpg")
    make_jpeg(root / "IMG_2.jpg")
    make_text_file(root / "notes.jpg")
    make_png(root / "logo.jpg")
    (root / "empty.jpg").write_bytes(b"")
    make_truncated_jpeg(root / "cut.jpg")
    make_sparse_jpeg(root / "huge.jpg", 60 * MB)
    make_jpeg(root / "actually-a-jpeg.png")
    os.symlink(root / "gone-away.jpg", root / "broken.jpg")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    make_jpeg(root / "._IMG_2.jpg")
    (root / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    make_truncated_jpeg(root / "IMG_3.jpg.part")
    make_jpeg(root / "@eaDir" / "IMG_2.jpg" / "SYNOPHOTO_THUMB_M.jpg")
    make_jpeg(root / "Day 1" / "Ceremony" / "IMG_1.jpg")
    make_jpeg(root / "Day 1" / "IMG_5.jpg")
    make_jpeg(root / "a" / "b" / "c" / "d" / "e" / "f" / "deep.jpg")
    return root


def test_scan_sorts_accepts_rejects_and_ignores(shoot):
    result = scan([shoot], mirror_folders=True)

    assert [(i.path.name, i.rel_album_path) for i in result.items] == [
        ("actually-a-jpeg.png", ()),
        ("IMG_2.jpg", ()),
        ("IMG_10.jpg", ()),
        ("deep.jpg", ("a", "b", "c", "d / e / f")),
        ("IMG_5.jpg", ("Day 1",)),
        ("IMG_1.jpg", ("Day 1", "Ceremony")),
    ]
    assert reasons(result) == {
        "notes.jpg": "not a JPEG — it is a text file",
        "logo.jpg": "not a JPEG — it looks like a PNG image",
        "empty.jpg": "empty file (0 bytes)",
        "cut.jpg": CUT_SHORT,
        "huge.jpg": "larger than ShootProof's 50 MB limit (60.0 MB)",
        "broken.jpg": "a broken link",
    }
    assert result.ignored == 5
    assert result.ignored_reasons["a Synology thumbnail folder (@eaDir)"] == 1
    first = result.items[1]
    st = first.path.stat()
    assert (first.size, first.mtime_ns, first.name) == (st.st_size, st.st_mtime_ns, "IMG_2.jpg")
    assert result.total_bytes == sum(i.path.stat().st_size for i in result.items)
    assert result.album_paths == [
        ("a",),
        ("a", "b"),
        ("a", "b", "c"),
        ("a", "b", "c", "d / e / f"),
        ("Day 1",),
        ("Day 1", "Ceremony"),
    ]


def test_without_mirroring_everything_goes_to_the_target(shoot):
    result = scan([shoot], mirror_folders=False)
    assert len(result.items) == 6
    assert {item.rel_album_path for item in result.items} == {()}


def test_the_dropped_folder_name_can_be_the_first_album_level(tmp_path):
    make_jpeg(tmp_path / "Ceremony" / "IMG_1.jpg")
    make_jpeg(tmp_path / "Reception" / "Dances" / "IMG_2.jpg")
    result = scan([tmp_path / "Ceremony", tmp_path / "Reception"], mirror_folders=True, keep_dropped_folder_name=True)
    assert [i.rel_album_path for i in result.items] == [("Ceremony",), ("Reception", "Dances")]


def test_files_given_directly_go_to_the_target_and_junk_among_them_is_ignored(tmp_path):
    good = make_jpeg(tmp_path / "sub" / "IMG_1.jpg")
    hidden = make_jpeg(tmp_path / ".IMG_2.jpg")
    result = scan([good, hidden, tmp_path / "missing.jpg"], mirror_folders=True)
    assert [(i.path, i.rel_album_path) for i in result.items] == [(good, ())]
    assert result.ignored == 1
    assert reasons(result) == {"missing.jpg": "the file is gone"}


def test_symlink_loops_end_and_nothing_is_scanned_twice(tmp_path):
    root = tmp_path / "shoot"
    make_jpeg(root / "IMG_1.jpg")
    make_jpeg(root / "sub" / "IMG_2.jpg")
    os.symlink(root, root / "sub" / "back-to-top")
    os.symlink(root / "sub" / "self.jpg", root / "sub" / "self.jpg")
    outside = make_jpeg(tmp_path / "elsewhere" / "IMG_9.jpg").parent
    os.symlink(outside, root / "linked")

    events = list(iter_scan([root, root / "sub"], mirror_folders=True))

    items = [e for e in events if isinstance(e, ScanItem)]
    assert [(i.name, i.rel_album_path) for i in items] == [
        ("IMG_1.jpg", ()),
        ("IMG_9.jpg", ("linked",)),
        ("IMG_2.jpg", ("sub",)),
    ]
    ignored = {e.path.name: e.reason for e in events if isinstance(e, Ignored)}
    assert ignored == {
        "back-to-top": "a link back to a folder that contains it (a loop)",
        "sub": "the same folder as one already included",
    }
    rejected = {e.path.name: e.reason for e in events if isinstance(e, Rejected)}
    assert rejected == {"self.jpg": "a link loop (the link leads back to itself)"}


def test_a_linked_photo_is_uploaded_under_the_links_name(tmp_path):
    target = make_jpeg(tmp_path / "library" / "DSC_0001.jpg")
    os.symlink(target, make_jpeg(tmp_path / "drop" / "keep.jpg").parent / "Best shot.jpg")
    result = scan([tmp_path / "drop"], mirror_folders=False)
    assert [i.name for i in result.items] == ["Best shot.jpg", "keep.jpg"]


def test_a_file_deleted_between_listing_and_reading_is_reported(tmp_path):
    make_jpeg(tmp_path / "IMG_1.jpg")
    make_jpeg(tmp_path / "IMG_2.jpg")
    make_jpeg(tmp_path / "IMG_3.jpg")
    events = iter_scan([tmp_path], mirror_folders=False)
    assert next(events).path.name == "IMG_1.jpg"
    (tmp_path / "IMG_2.jpg").unlink()
    rest = list(events)
    assert rest[0] == Rejected(tmp_path / "IMG_2.jpg", "the file is gone")
    assert isinstance(rest[1], ScanItem) and rest[1].name == "IMG_3.jpg"


def test_a_folder_removed_during_the_scan_is_reported_and_later_folders_are_listed_fresh(tmp_path):
    make_jpeg(tmp_path / "A" / "IMG_1.jpg")
    make_jpeg(tmp_path / "B" / "IMG_2.jpg")
    make_jpeg(tmp_path / "C" / "IMG_3.jpg")
    events = iter_scan([tmp_path], mirror_folders=True)
    assert next(events).path.name == "IMG_1.jpg"
    shutil.rmtree(tmp_path / "B")
    make_jpeg(tmp_path / "C" / "IMG_4.jpg")
    rest = list(events)
    assert rest[0] == Rejected(tmp_path / "B", "the folder is gone (moved or deleted during the scan)")
    assert [(e.name, e.rel_album_path) for e in rest[1:]] == [("IMG_3.jpg", ("C",)), ("IMG_4.jpg", ("C",))]


def test_a_folder_that_cannot_be_opened_is_reported(tmp_path, monkeypatch):
    make_jpeg(tmp_path / "open" / "IMG_1.jpg")
    make_jpeg(tmp_path / "locked" / "IMG_2.jpg")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    # Root reads any folder, so the refusal is simulated.
    monkeypatch.setattr(scanner.os, "scandir", scandir)
    result = scan([tmp_path], mirror_folders=True)
    assert names(result.items) == ["IMG_1.jpg"]
    assert reasons(result) == {"locked": "cannot open the folder: permission denied"}


def test_odd_entries_named_like_photos(tmp_path):
    make_jpeg(tmp_path / "folder.jpg" / "inside.jpg")
    os.mkfifo(tmp_path / "pipe.jpg")
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(scan([tmp_path], mirror_folders=True)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    (result,) = done
    assert [(i.name, i.rel_album_path) for i in result.items] == [("inside.jpg", ("folder.jpg",))]
    assert reasons(result) == {"pipe.jpg": "not a regular file (it is a device, pipe or socket)"}


def test_unicode_names_and_folders_come_out_nfc(tmp_path):
    nfd_folder = unicodedata.normalize("NFD", "Première danse")
    names_on_disk = [
        "Café au lait.jpg",
        unicodedata.normalize("NFD", "Élodie & José.jpg"),
        "🎉 party 😀.jpg",
        "with  two spaces.jpg",
    ]
    for name in names_on_disk:
        make_jpeg(tmp_path / nfd_folder / name)
    result = scan([tmp_path], mirror_folders=True)
    assert sorted(i.name for i in result.items) == sorted(
        ["Café au lait.jpg", "Élodie & José.jpg", "🎉 party 😀.jpg", "with  two spaces.jpg"]
    )
    assert all(unicodedata.is_normalized("NFC", i.name) for i in result.items)
    assert {i.rel_album_path for i in result.items} == {("Première danse",)}
    assert all(i.path.exists() for i in result.items)


def test_a_name_that_is_not_valid_utf8_still_uploads(tmp_path):
    folder = os.fsencode(tmp_path)
    with open(folder + b"/IMG_\xff.jpg", "wb") as f:
        f.write(jpeg_bytes())
    result = scan([tmp_path], mirror_folders=False)
    (item,) = result.items
    assert item.name == "IMG_\ufffd.jpg"
    item.name.encode("utf-8")
    assert item.path.exists()


def test_many_files_stream_in_natural_order(tmp_path):
    data = jpeg_bytes((8, 8))
    for n in range(1, 1501):
        (tmp_path / f"IMG_{n}.jpg").write_bytes(data)
    seen = [e.name for e in iter_scan([tmp_path], mirror_folders=False)]
    assert seen == [f"IMG_{n}.jpg" for n in range(1, 1501)]


def test_scanning_reads_only_heads_and_tails(tmp_path):
    for n in range(4):
        make_sparse_jpeg(tmp_path / f"IMG_{n}.jpg", 45 * MB)
    make_sparse_jpeg(tmp_path / "IMG_cut.jpg", 45 * MB, end_marker=False)
    before = read_bytes_so_far()
    result = scan([tmp_path], mirror_folders=False)
    read = read_bytes_so_far() - before
    assert len(result.items) == 4 and reasons(result) == {"IMG_cut.jpg": CUT_SHORT}
    assert read < 5 * (HEAD_BYTES + TAIL_BYTES) + 8192


def test_check_file_judges_one_file_as_the_scan_does(tmp_path):
    good = make_jpeg(tmp_path / unicodedata.normalize("NFD", "Noël.jpg"))
    item = check_file(good, ("Day 1",))
    assert isinstance(item, ScanItem)
    assert (item.name, item.rel_album_path, item.size) == ("Noël.jpg", ("Day 1",), good.stat().st_size)
    assert check_file(make_truncated_jpeg(tmp_path / "cut.jpg")) == Rejected(tmp_path / "cut.jpg", CUT_SHORT)


def test_the_apps_own_folders_are_never_scanned(app_paths, tmp_path):
    """A dropped folder that holds the app's data folder (a portable install beside the shoot, a home
    folder) must not offer its store, locks, thumbnails or sandbox photos for upload: skipped quietly."""
    from studio_desktop.core.store import Store

    shoot = app_paths.data_dir.parent.parent  # holds the shoot and the app's folders
    make_jpeg(shoot / "IMG_0001.jpg")
    with Store(app_paths.store_file):
        (app_paths.store_file.parent / "studio.sqlite3.engine-lock").write_text("pid 1")
        make_jpeg(app_paths.data_dir / "sandbox" / "photos" / "1.jpg")
        make_jpeg(app_paths.cache_dir / "thumbnails" / "ab" / "12.jpg")
        make_text_file(app_paths.log_file)
        events = list(iter_scan([shoot], mirror_folders=True))
        given = list(iter_scan([app_paths.data_dir], mirror_folders=False))
        by_name = list(iter_scan([app_paths.data_dir / "sandbox" / "photos" / "1.jpg"], mirror_folders=False))
    taken = [e for e in events if not isinstance(e, Ignored)]
    assert [e.path.name for e in taken] == ["IMG_0001.jpg"], taken
    assert given == [], "the data folder itself, dropped: nothing"
    # A file given by name is the caller's choice (the self-test uploads a photo it made in the data folder).
    assert [type(e) for e in by_name] == [ScanItem]
    # Its engine lock is never a photo, wherever a store sits (``--data-dir``).
    assert is_ignored("/elsewhere/studio.sqlite3.engine-lock") == "a lock file"
