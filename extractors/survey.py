"""A look at a file before it is read: does it hold a page that will be heavy for OCR?

A heavy page (extractors/ocr/cost.py: faded print, out of focus, under grain) can take Tesseract
ten times an ordinary page. The OCR queue sends it first once it is prepared, but a page is
prepared only when its file's turn comes: on eval-dev f4 the grainy scan was the sixth file by
size, its first page reached the queue after 13 others, and it ended the check ~50 s after the
other core had run out of work. The check's readers take the files this look finds heavy first.

Only what is cheap to look at is looked at: the JPEG of a scanned PDF page and a JPEG photo,
decoded at half size straight from the JPEG (its DCT scaling), ~5-20 ms a page. Anything else
(PNG, TIFF, rendered pages) says no, and keeps its place by size. The answer orders the reading;
it never changes what is read.
"""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from . import pdf
from .ocr import cost

# A long scan is large and read early anyway; its first pages say enough.
MAX_PAGES = 8
# A 48-megapixel phone photo at most (its half-size decode ~12 MP).
MAX_PIXELS = 50_000_000


def _heavy_jpeg(data: bytes | Path) -> bool:
    with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as img:
        if img.format != "JPEG" or img.width * img.height > MAX_PIXELS:
            return False   # not worth its decode
        img.draft("L", (img.width // 2, img.height // 2))
        return cost.is_heavy(img.convert("L"), scale=1.0)


def has_heavy_page(path: Path, kind: str) -> bool:
    """Whether a page of this file looks heavy for OCR; False when unsure or on any error."""
    try:
        if kind == "pdf":
            return any(_heavy_jpeg(data) for data in pdf.scan_jpegs(path, MAX_PAGES))
        if kind == "image":
            return _heavy_jpeg(path)   # a JPEG; any other format says no from its header
    except Exception:   # a look ahead must never cost more than its time
        return False
    return False
