"""Writing the report directory safely: atomic files and one writer at a time."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
from pathlib import Path


class OutputLocked(RuntimeError):
    """Another bukti run is writing the same report directory."""


class UnsafeLockFile(OSError):
    """The lock file's name is taken by a link or a non-regular file: refuse rather than follow it."""


def open_lock_file(path: Path | str) -> int:
    """A file descriptor for the lock file `path`, created 0644 if missing.

    Never `open(path, "w")`: a lock file left as a symlink (by anyone who could write the report
    folder) would make that truncate the link's target, e.g. an evidence file. O_NOFOLLOW refuses a
    link, no O_TRUNC leaves the contents alone (a lock only needs the inode), and the fstat check
    refuses a FIFO or device (O_NONBLOCK keeps opening a FIFO from waiting for a writer)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeLockFile(errno.ELOOP, "is a symbolic link; refusing to follow it", str(path)) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeLockFile(errno.EINVAL, "is not a regular file", str(path))
    return fd


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Readers see the old file or the new one, never half of one (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; the report is for reviewers, like report.html and report.xlsx.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def locked(out_dir: Path):
    """Hold an exclusive lock on REPORT_DIR for the whole run; fail at once if it is taken."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = open_lock_file(out_dir / ".bukti.lock")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLocked(str(out_dir)) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
