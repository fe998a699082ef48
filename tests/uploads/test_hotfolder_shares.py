"""Network shares are polled: psutil's mount table as Linux, macOS and Windows report it."""

from __future__ import annotations

import asyncio
import logging
import ntpath
import posixpath
import threading
from collections import namedtuple
from pathlib import Path

import pytest

from studio_desktop.uploads.hotfolders import files, observing
from studio_desktop.uploads.hotfolders.events import HotFolderFileUploaded, HotFolderProblem
from studio_desktop.uploads.hotfolders.files import network_share, share_of

from .hotfolder_harness import WATCHDOG_RACE, Harness, noise_jpeg

# The shape of psutil.disk_partitions()'s entries.
Part = namedtuple("Part", "device mountpoint fstype opts")

LINUX = [
    Part("/dev/sda2", "/", "ext4", "rw,relatime"),
    Part("nas:/export/photos", "/mnt/nas", "nfs4", "rw,relatime,vers=4.2,hard,proto=tcp"),
    Part("//studio/share", "/mnt/studio share", "cifs", "rw,relatime,vers=3.1.1"),
    Part("/dev/sdb1", "/mnt/nas/usb", "vfat", "rw,relatime"),  # a local disk mounted inside the share
]
MACOS = [
    Part("/dev/disk3s1s1", "/", "apfs", "ro,local,rootfs,dovolfs,journaled,multilabel"),
    Part("/dev/disk3s5", "/System/Volumes/Data", "apfs", "rw,local,dovolfs,journaled,multilabel"),
    Part("//photographer@nas._smb._tcp.local/Photos", "/Volumes/Photos", "smbfs", "rw,nodev,nosuid,mntfromname"),
    Part("afp_0TqRV20Pmk8L0rtKmy1vTRCr-1.2d000006", "/Volumes/Archive", "afpfs", "rw,nodev,nosuid"),
    Part("/dev/disk4s1", "/Volumes/EOS_DIGITAL", "msdos", "rw,local,nodev,nosuid,noowners"),
]
WINDOWS = [
    Part("C:\\", "C:\\", "NTFS", "rw,fixed"),
    Part("E:\\", "E:\\", "FAT32", "rw,removable"),
    Part("Z:\\", "Z:\\", "NTFS", "rw,remote"),  # a mapped network drive: the server's filesystem
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mnt/nas/2026/wedding", "nfs4"),
        ("/mnt/nas", "nfs4"),
        ("/mnt/studio share/tether", "cifs"),
        ("/mnt/nas/usb/DCIM", None),  # the deepest mount decides
        ("/mnt/nasty", None),  # a name that only starts like a mount point
        ("/home/me/Pictures", None),
    ],
)
def test_linux_mounts(path, expected):
    assert share_of(path, LINUX, posixpath) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/Volumes/Photos/Tether", "smbfs"),
        ("/Volumes/Archive/2025", "afpfs"),
        ("/Volumes/EOS_DIGITAL/DCIM", None),
        ("/System/Volumes/Data/Users/me/Pictures", None),
    ],
)
def test_macos_mounts(path, expected):
    assert share_of(path, MACOS, posixpath) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Z:\\Shoots\\Tether", "network drive"),
        ("z:\\shoots", "network drive"),  # drive letters and names in any case
        ("C:\\Users\\me\\Pictures", None),
        ("E:\\DCIM", None),
    ],
)
def test_windows_drives(path, expected):
    assert share_of(path, WINDOWS, ntpath) == expected


def test_the_real_local_filesystem_is_not_a_share(tmp_path):
    assert network_share(tmp_path) is None


def test_no_answer_from_the_system_is_no_share(tmp_path, monkeypatch):
    import psutil

    def refuse(all=False):
        raise PermissionError(13, "Permission denied", "/proc/self/mounts")

    monkeypatch.setattr(psutil, "disk_partitions", refuse)
    assert network_share(tmp_path) is None


@WATCHDOG_RACE
def test_a_folder_on_a_share_is_polled_and_looked_up_off_the_loop(empty_sandbox, tmp_path, monkeypatch, caplog):
    # The problem under test ("... is on a network share (nfs4); checking it ... every 0.15 s") is logged too.
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.hotfolders.watcher")
    folder = tmp_path / "hot"
    folder.mkdir()
    looked_up_on: list[threading.Thread] = []

    def nfs(path: Path) -> str:
        looked_up_on.append(threading.current_thread())
        return "nfs4"

    monkeypatch.setattr(observing, "network_share", nfs)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            assert watcher.observer_kind == "polling"
            [problem] = h.of(HotFolderProblem)
            assert "network share (nfs4)" in problem.message
            (folder / "F.jpg").write_bytes(noise_jpeg(21))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")

    asyncio.run(main())
    assert looked_up_on and threading.main_thread() not in looked_up_on
    assert files.network_share is not nfs  # only the watcher's view was replaced
