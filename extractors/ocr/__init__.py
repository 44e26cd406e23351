"""Tesseract OCR of page images, bounded by one process-wide pool.

The rooms of this package:
- `pool`: the pool that bounds Tesseract processes, map_pages, the batching of waiting pages;
- `preparation`: the image each page reaches Tesseract as (grey, size cap, blank test, deskew);
- `tesseract`: the Tesseract call (supervised processes, scratch folder, parsing, OSD);
- `page`: one page read end to end (load, prepare, read, turn upright);
- `signature`: the second reading of a lost signature block;
- `quality`: whether a text layer or a reading carries real words;
- `environment`: the process settings OCR needs, applied by configure().

Importing it changes nothing in the process; configure() does, once, at start-up.
"""
from __future__ import annotations

from . import environment, page, pool, preparation, quality, signature, tesseract
from .page import LOW_CONFIDENCE, read_page, sideways
from .pool import map_pages, workers
from .preparation import _rotate, deskew, estimate_skew, is_blank, prepare  # noqa: F401  (pipeline.crops)
from .quality import text_stats, usable_text
from .signature import SURE_DIGITS, reread_signature, signature_doubtful
from .tesseract import (CANCELLED, LANG, OcrCancelled, OcrResult, cancel, cancelled, cpu_seconds,
                        parse_data, remove_scratch, scratch_dir, split_pages)
from .tesseract import supervised as _supervised  # noqa: F401  (tests drive it directly)

__all__ = [
    "CANCELLED", "LANG", "LOW_CONFIDENCE", "SURE_DIGITS", "OcrCancelled", "OcrResult", "cancel",
    "cancelled", "configure", "cpu_seconds", "deskew", "environment", "estimate_skew", "is_blank",
    "map_pages", "page", "parse_data", "pool", "prepare", "preparation", "quality", "read_page",
    "remove_scratch", "reread_signature", "scratch_dir", "signature", "signature_doubtful",
    "split_pages", "tesseract", "text_stats", "usable_text", "workers",
]


def configure(workers: int | None = None, *, timeout_s: float | None = None,
              omp_threads: int = 1, release_buffers: bool = True) -> int:
    """Set up OCR for this process; the start-up path (CLI, server, benchmarks) calls it once.

    workers: concurrent Tesseract processes (None: BUKTI_OCR_WORKERS, else the CPU count);
    timeout_s: per-page limit in Tesseract CPU-seconds (None: BUKTI_OCR_TIMEOUT, else 120);
    omp_threads: OpenMP threads inside each Tesseract (1: we run one Tesseract per core);
    release_buffers: hand freed page images back to the OS (glibc mmap threshold).

    Safe to call again (tests resize the pool with it); work already queued finishes on the old
    pool. Without a call, the first page read applies the defaults. Returns the worker count."""
    environment.apply(omp_threads=omp_threads, release_buffers=release_buffers)
    environment.set_timeout(timeout_s)
    return pool.resize(workers)
