"""The extract stage's one entry point: a file in, an Extraction out, never an exception.

A damaged file is a finding about the evidence (CORRUPT_FILE), not a reason to stop
checking the other 1,500 files of the folder.
"""
from __future__ import annotations

import threading
from pathlib import Path

from . import limits, ocr
from .model import ErrorKind, Extraction

_MAX_REASON = 300


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def _dispatch(path: Path, kind: str, timeout: float | None, max_ocr_pages: int) -> Extraction:
    if kind == "empty":
        return Extraction(kind=kind, error_code=ErrorKind.CORRUPT_FILE, error_reason="file is empty (0 bytes)")
    if kind == "pdf":
        from .pdf import extract_pdf
        return extract_pdf(path, timeout=timeout, max_ocr_pages=max_ocr_pages)
    if kind == "image":
        from .images import extract_image
        return extract_image(path, timeout=timeout)
    if kind == "docx":
        from .docx_text import extract_docx
        return extract_docx(path, timeout=timeout)
    from .sniff import describe
    what = describe(path) if kind == "unknown" else f"file kind '{kind}'"
    return Extraction(kind=kind, error_code=ErrorKind.UNSUPPORTED_FILE,
                      error_reason=f"unsupported file type: {what}")


def _unreadable_reason(ex: Extraction) -> str | None:
    """Why no page carries usable text, or None if one does."""
    if any(ocr.usable_text(p.text) for p in ex.pages):
        return None
    if not ex.pages:
        return "document has no pages"
    errors = sorted({p.error for p in ex.pages if p.error})
    if errors:
        return f"no page yielded usable text ({errors[0]})"
    conf = ex.ocr_confidence
    n = len(ex.pages)
    if conf is not None:
        return f"no page yielded usable text ({n} page(s), OCR confidence {conf})"
    return f"no page yielded usable text ({n} page(s))"


_imports_lock = threading.Lock()
_imported = False


def load_readers() -> None:
    """Import the readers and the libraries they load lazily, once, in one thread at a time.

    A run reads several files at once (the flow's task threads, read-ahead, the OCR pool), and
    each reader imports its libraries on first use. Pillow's image plugins and pdfminer import
    each other in circles; two threads importing them at the same moment make importlib raise
    _DeadlockError, which reached a report as CORRUPT_FILE on a sound PDF under load. The
    imports stay lazy (a warm re-check reads no file and pays none of them)."""
    global _imported
    if _imported:
        return
    with _imports_lock:
        if _imported:
            return
        import cv2  # noqa: F401  (deskew, page finding)
        import numpy  # noqa: F401
        import pdfplumber  # noqa: F401  (people tables; ~0.12 s once per process that reads a file)
        import pypdfium2  # noqa: F401
        from PIL import Image

        from . import docx_text, images, pdf, photo_page, sniff  # noqa: F401
        from .fields import _doc, title  # noqa: F401  (classify's lazy imports)
        Image.preinit()
        Image.init()   # every plugin now, not when two threads first open an image
        _imported = True


def extract_file(path: Path, kind: str, *, timeout: float | None = None,
                 max_ocr_pages: int = limits.MAX_IMAGE_FRAMES) -> Extraction:
    """Read path as the sniffed kind. Never raises (except KeyboardInterrupt/SystemExit).

    timeout: per-page OCR limit in CPU seconds (default limits.OCR_TIMEOUT_S); max_ocr_pages: pages
    of one PDF that OCR reads. Both come from pipeline/settings.py in a run.
    """
    path = Path(path)
    try:
        load_readers()
        ex = _dispatch(path, kind, timeout, max_ocr_pages)
    except MemoryError:
        return Extraction(kind=kind, error_code=ErrorKind.CORRUPT_FILE,
                          error_reason="file needs more memory than is available to read")
    except Exception as e:
        return Extraction(kind=kind, error_code=ErrorKind.CORRUPT_FILE,
                          error_reason=_one_line(f"{kind} file cannot be read: {type(e).__name__}: {e}"))
    if ex.error_code is None:
        reason = _unreadable_reason(ex)
        if reason:
            ex.error_code, ex.error_reason = ErrorKind.UNREADABLE, reason
    if ex.error_reason:
        ex.error_reason = _one_line(ex.error_reason)
    return ex
