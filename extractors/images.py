"""Scans and phone photos: one Page per image, or per frame of a multi-page TIFF."""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from . import limits, ocr
from .model import ErrorKind, Extraction, Page

# Only TIFF frames are pages; other formats' extra frames are previews (MPO), depth maps
# or animation.
_PAGED_FORMATS = {"TIFF"}


class _ImageDataError(Exception):
    """The header was fine but the pixel data is damaged."""


def _pixel_limit(fmt: str | None) -> int:
    limit = Image.MAX_IMAGE_PIXELS or 10**12
    # JPEG decodes at 1/2..1/8 scale (draft) straight into a small buffer, so a 108 MP
    # phone photo costs no more memory than a normal one.
    return 2 * limit if fmt == "JPEG" else limit


def _too_large(size: tuple[int, int], fmt: str | None) -> str | None:
    w, h = size
    if w * h > _pixel_limit(fmt):
        return (f"image is too large to open safely ({w}x{h} = {w * h / 1e6:.0f} MP; "
                f"possible decompression bomb)")
    return None


def _dpi(info: dict) -> int | None:
    dpi = info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi)
    except (TypeError, ValueError, IndexError):
        return None
    # Cameras write 72 dpi, which says nothing about the document; only scanner values help.
    return round(value) if 150 <= value <= 1200 else None


def _load_frame(path: Path | BinaryIO, index: int, colour: bool = False) -> tuple[Image.Image, int | None]:
    """colour: keep a JPEG's colour when drafting it down (the signature's second reading fades a
    stamp's coloured ink; the first reading wants grey)."""
    if hasattr(path, "seek"):
        path.seek(0)   # a frame of in-memory bytes may be loaded twice
    with Image.open(path) as im:
        if index:
            im.seek(index)
        reason = _too_large(im.size, im.format)
        if reason:
            raise _ImageDataError(reason)
        dpi = _dpi(im.info)
        w, h = im.size
        if im.format == "JPEG" and max(w, h) > limits.MAX_OCR_SIDE_PX:
            s = limits.MAX_OCR_SIDE_PX / max(w, h)
            im.draft("RGB" if colour else "L", (math.ceil(w * s), math.ceil(h * s)))
            if dpi:
                dpi = round(dpi * im.size[0] / w)
        try:
            im.load()
        except (OSError, SyntaxError, ValueError) as e:
            raise _ImageDataError(f"image data is damaged: {e}") from None
        # In place: a returned transpose is a copy even of an upright image (26 MB for an A4
        # colour frame).
        ImageOps.exif_transpose(im, in_place=True)
        return im, dpi


def _frame_page(path: Path | BinaryIO, index: int, timeout: float | None,
                number: int | None = None, closing: bool = True) -> tuple[Page, bool]:
    """(page, whether the frame itself could not be decoded). closing: the last frame, where the
    signature block is (and gets its own read)."""
    number = number or index + 1
    try:
        result = ocr.read_page(lambda: _load_frame(path, index), timeout=timeout)
    except _ImageDataError as e:
        return Page(number=number, text="", source="empty", error=str(e)), True
    except (Image.DecompressionBombError, UnidentifiedImageError) as e:
        return Page(number=number, text="", source="empty", error=str(e)), True
    if result.error or not result.text:
        return Page(number=number, text="", source="empty", error=result.error), False
    second = (ocr.reread_signature(lambda: _load_frame(path, index, colour=True), result.rotation,
                                   timeout=timeout)
              if closing and ocr.signature_doubtful(result) else None)
    return Page(number=number, text=result.text, source="ocr", confidence=result.confidence,
                rotation=result.rotation, skew=result.skew, words=result.words or None,
                signature_text=second), False


def extract_image(path: Path, *, timeout: float | None = None) -> Extraction:
    path = Path(path)
    try:
        with Image.open(path) as im:
            fmt = im.format
            frames = getattr(im, "n_frames", 1) if fmt in _PAGED_FORMATS else 1
            reason = _too_large(im.size, fmt)
    except Image.DecompressionBombError as e:
        return Extraction(kind="image", error_code=ErrorKind.CORRUPT_FILE,
                          error_reason=f"image is too large to open safely (decompression bomb): {e}")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        return Extraction(kind="image", error_code=ErrorKind.CORRUPT_FILE,
                          error_reason=f"image is damaged or in an unreadable format: {e}")
    if reason:
        return Extraction(kind="image", error_code=ErrorKind.CORRUPT_FILE, error_reason=reason)
    if frames > limits.MAX_IMAGE_FRAMES:
        return Extraction(kind="image", error_code=ErrorKind.CORRUPT_FILE,
                          error_reason=f"TIFF has {frames} frames (limit {limits.MAX_IMAGE_FRAMES})")
    results = ocr.map_pages(lambda i: _frame_page(path, i, timeout, closing=i == frames - 1), range(frames))
    ex = Extraction(kind="image", pages=[page for page, _ in results])
    broken = [page for page, bad in results if bad]
    if broken and len(broken) == len(results):
        ex.error_code, ex.error_reason = ErrorKind.CORRUPT_FILE, broken[0].error
    return ex


def page_from_bytes(data: bytes, number: int, timeout: float | None = None) -> Page:
    """OCR an image embedded in another document (a scan pasted into a DOCX)."""
    return _frame_page(io.BytesIO(data), 0, timeout, number)[0]
