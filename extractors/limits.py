"""Resource limits of the extract stage, in one place so that they can be tuned together.

Nothing here reads the environment: the settings users tune (BUKTI_OCR_TIMEOUT, …) are read once
by pipeline/settings.py and handed to the readers as arguments; these are their defaults.
"""
from __future__ import annotations

import ctypes
import os
import sys

# Magic-byte sniffing reads no more than this from the head of a file.
SNIFF_BYTES = 8192

# Render scanned PDF pages at the resolution Tesseract is trained for.
OCR_DPI = 300
# Pages larger than A3 would otherwise render to hundreds of megapixels at 300 dpi.
MAX_RENDER_SIDE_PX = 5000
# A phone photo at 300-dpi-A4 equivalent; more pixels only slow Tesseract down. Just
# above A4's 3508 px so that a 300-dpi page is not resampled for nothing.
MAX_OCR_SIDE_PX = 3600

# Pages one Tesseract process reads at most (it loads its models once per process). More pages
# a batch means more prepared page images held in memory while they wait (~9 MB each).
OCR_BATCH_PAGES = 4

# Uncompressed limits checked in the zip directory before python-docx inflates anything.
DOCX_MAX_XML_BYTES = 50 * 1024 * 1024
DOCX_MAX_TOTAL_BYTES = 300 * 1024 * 1024

# A text layer with fewer meaningful characters than this is treated as missing.
MIN_TEXT_CHARS = 20

# A TIFF with more frames than this is not an evidence scan we should spend an hour on.
MAX_IMAGE_FRAMES = 500

# Pixels the images of one PDF page may declare before it is rendered. An A3 scan at 600 dpi is
# 70 MP; PDFium holds each image decoded (up to 4 bytes a pixel) while it renders, so this keeps
# one render under ~400 MB.
MAX_PDF_PAGE_IMAGE_PIXELS = 100_000_000


# The start of the error of a page not read because its file has more pages to OCR than that.
OVER_PAGE_LIMIT = "page not read: over the limit of pages to OCR"


# Per-page Tesseract time limit: seconds of the Tesseract's own CPU time, so that a busy machine
# does not turn a readable page into a timeout (extractors/ocr.py).
OCR_TIMEOUT_S = 120.0


def ocr_timeout_s() -> float:
    """The per-page OCR time limit when the caller gives none."""
    return OCR_TIMEOUT_S


def ocr_workers() -> int:
    """Concurrent Tesseract processes when start-up configured none: one per core."""
    return os.cpu_count() or 1


# Documents in flight at once (the check flow's readers). OCR inside them is bounded separately
# by ocr_workers(), so this only has to keep that pool fed.
DOC_WORKERS = max(4, 2 * (os.cpu_count() or 1))


# Freed buffers at least this large go back to the OS at once (see release_large_buffers).
MMAP_THRESHOLD_BYTES = 1 << 20
_M_MMAP_THRESHOLD = -3   # glibc's mallopt parameter number


def release_large_buffers() -> bool:
    """Make glibc hand page images back to the OS when they are freed.

    glibc raises its mmap threshold each time a large block is freed, after which 9–26 MB page
    images come from per-thread heaps that keep the memory: reading one 15-frame colour TIFF left
    the process at 500 MB after it was done (peak 685 MB), against 47 MB (peak 234 MB) with the
    threshold fixed at 1 MB. The price, fresh zeroed pages for each image, is a few ms a page
    against Tesseract's seconds. Process-wide; a no-op off glibc. True if applied."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
