"""Writing the report directory safely: atomic files and one writer at a time."""
from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path


class OutputLocked(RuntimeError):
    """Another bukti run is writing the same report directory."""


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
    with open(out_dir / ".bukti.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLocked(str(out_dir)) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
