"""A slow disk for benchmarks: a FUSE passthrough that waits N ms on every open and every read.

    .venv/bin/python tests/benchmarks/slow_disk.py SOURCE MOUNTPOINT --delay-ms 10

Like a NAS over Wi-Fi or a USB 2 card reader (10 ms), or a disk spinning up
or a stalled share (100 ms). Read-only; many requests are served at once (one
thread each), as a real slow device overlaps them, so concurrent readers gain
and one thread reading everything does not. The page cache is bypassed
(``direct_io``): each read pays the delay, however warm the source is.

From Python: ``with mounted(source, delay_ms) as path: ...`` (runs this file in
a child process and unmounts on exit). Needs ``/dev/fuse``, libfuse 2
(Debian: ``apt-get install fuse3 libfuse2``) and fusepy (``pip install fusepy``).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def serve(source: str, mountpoint: str, delay_ms: float) -> None:
    from fuse import FUSE, FuseOSError, Operations

    delay = delay_ms / 1000

    class SlowPassthrough(Operations):
        def _full(self, path: str) -> str:
            return os.path.join(source, path.lstrip("/"))

        def getattr(self, path, fh=None):
            try:
                st = os.lstat(self._full(path))
            except OSError as exc:
                raise FuseOSError(exc.errno or errno.EIO) from None
            return {
                key: getattr(st, key)
                for key in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")
            }

        def readdir(self, path, fh):
            return [".", "..", *os.listdir(self._full(path))]

        def open(self, path, flags):
            time.sleep(delay)
            if flags & (os.O_WRONLY | os.O_RDWR):
                raise FuseOSError(errno.EROFS)
            return os.open(self._full(path), os.O_RDONLY)

        def read(self, path, size, offset, fh):
            time.sleep(delay)
            return os.pread(fh, size, offset)

        def release(self, path, fh):
            os.close(fh)

        def statfs(self, path):
            st = os.statvfs(source)
            return {
                key: getattr(st, key)
                for key in (
                    "f_bavail",
                    "f_bfree",
                    "f_blocks",
                    "f_bsize",
                    "f_favail",
                    "f_ffree",
                    "f_files",
                    "f_flag",
                    "f_frsize",
                    "f_namemax",
                )
            }

    FUSE(SlowPassthrough(), mountpoint, foreground=True, nothreads=False, ro=True, direct_io=True, allow_other=False)


@contextlib.contextmanager
def mounted(source: Path | str, delay_ms: float, timeout: float = 10.0) -> Iterator[Path]:
    """``source`` seen through a slow disk, for the duration of the ``with``."""
    mountpoint = Path(tempfile.mkdtemp(prefix="slow-disk-"))
    child = subprocess.Popen([sys.executable, __file__, str(source), str(mountpoint), "--delay-ms", str(delay_ms)])
    try:
        deadline = time.monotonic() + timeout
        while not os.path.ismount(mountpoint):
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the slow disk did not mount (exit code {child.poll()}): is /dev/fuse there, "
                    "libfuse 2 installed (apt-get install fuse3 libfuse2) and fusepy?"
                )
            time.sleep(0.05)
        yield mountpoint
    finally:
        child.terminate()  # libfuse unmounts on SIGTERM
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if os.path.ismount(mountpoint):
            subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        with contextlib.suppress(OSError):
            mountpoint.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("mountpoint")
    parser.add_argument("--delay-ms", type=float, default=10.0)
    args = parser.parse_args()
    serve(os.path.abspath(args.source), args.mountpoint, args.delay_ms)


if __name__ == "__main__":
    main()
