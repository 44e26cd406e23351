"""What a process must set before its first Tesseract: once, at start-up, never on import.

configure() in extractors/ocr/__init__.py applies it with the caller's values; the pool applies
the defaults on first use if nobody did, so a library caller gets the same behaviour as the CLI.
"""
from __future__ import annotations

import os
import sys
import threading

from .. import limits
from . import tesseract

_lock = threading.Lock()
_applied = False
_timeout_s: float | None = None


def apply(*, omp_threads: int = 1, release_buffers: bool = True) -> None:
    """Set the process-wide things OCR relies on (idempotent):

    - OMP_THREAD_LIMIT for the Tesseracts it starts (pytesseract hands them os.environ): one
      OpenMP thread per tesseract is fastest when we run one tesseract per core ourselves;
    - OPENCV_FOR_THREADS_NUM, so that OpenCV (deskew) does not spread one rotation over every
      core (read when cv2 is first imported, which preparation does lazily);
    - glibc's mmap threshold, so freed page images go back to the OS (limits.release_large_buffers);
    - pytesseract's process supervision and scratch folder (tesseract.install)."""
    global _applied
    with _lock:
        os.environ["OMP_THREAD_LIMIT"] = str(max(1, int(omp_threads)))
        os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")
        cv2 = sys.modules.get("cv2")
        if cv2 is not None:
            # Imported before the variable was set (the warm worker imports it at warm-up, and
            # its checks are forked from it): OpenCV read the variable then, so say it again.
            cv2.setNumThreads(int(os.environ["OPENCV_FOR_THREADS_NUM"]))
        if release_buffers:
            limits.release_large_buffers()
        tesseract.install()
        _applied = True


def ensure() -> None:
    """apply() with its defaults unless the start-up path already applied its own values."""
    if not _applied:
        apply()


def set_timeout(seconds: float | None) -> None:
    """The per-page Tesseract limit in CPU-seconds (None: BUKTI_OCR_TIMEOUT or its default)."""
    global _timeout_s
    _timeout_s = seconds if seconds and seconds > 0 else None


def timeout_s() -> float:
    return _timeout_s or limits.ocr_timeout_s()
