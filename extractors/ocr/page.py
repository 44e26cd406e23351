"""Reading one page: load it, prepare it, read it, and turn it upright when the reading says so."""
from __future__ import annotations

from typing import Callable

from PIL import Image

from . import environment, pool, preparation, tesseract
from .quality import usable_text
from ..model import Word
from .tesseract import OcrResult

# Below this page confidence (or with garbage text) the page may be rotated: pay for OSD.
LOW_CONFIDENCE = 60.0
# So many long words are needed to say a page was read sideways (see `sideways`).
SIDEWAYS_MIN_WORDS = 5


def sideways(words: list[Word]) -> bool:
    """Most words of four or more characters stand taller than wide: Tesseract read the lines as
    vertical text. It often does so with high confidence, so that nothing else says the page (a
    photo stored on its side without an EXIF tag) is turned, yet the page's geometry (where its
    lower part and signature block are) is turned with it."""
    long = [w for w in words if sum(c.isalnum() for c in w.text) >= 4]
    return len(long) >= SIDEWAYS_MIN_WORDS and sum(w.height > w.width for w in long) > len(long) / 2


def _needs_orientation(r: OcrResult) -> bool:
    """Whether to ask OSD for a turn. Not when the first reading found no word at all: there is no
    text line for OSD to judge by either. On every such page measured (eval-dev f4's out-of-focus
    scan; fixture pages blurred 5-16 px, upright and turned) OSD refused or named a turn it was
    barely sure of (confidence under 2), and the page read again turned gave junk at best: 1.3-1.8
    CPU-s of OSD and 8.6 of second reading per page, for nothing. Its confidence cannot decide
    instead: turns it names unsure are sometimes right (an upside-down scan blurred 1.5 px, 1.04),
    so for pages with words the second reading's score stays the judge."""
    return r.error is None and bool(r.words) and (
        (r.confidence or 0.0) < LOW_CONFIDENCE or not usable_text(r.text) or sideways(r.words))


def read_page(load: Callable[[], tuple[Image.Image, int | None]], *, timeout: float | None = None
              ) -> OcrResult:
    """Load a page image with `load()` (returning the image and its dpi or None), then read it.

    The page is loaded here, under the pool's preparation gate, rather than by the caller, so that
    nothing else holds the loaded image: once it is greyed and deskewed only the copy Tesseract
    reads stays in memory while the page waits for a slot. Exceptions raised by `load` reach the
    caller (it knows what could not be loaded); reading never raises.
    """
    timeout = timeout if timeout and timeout > 0 else environment.timeout_s()
    if tesseract.cancelled():   # queued before the run was stopped: not even loaded
        return OcrResult(error=tesseract.CANCELLED)
    with pool.get().prep:
        img, dpi = load()
        try:
            img, dpi, skew = preparation.ready(img, dpi)
        except Exception as e:
            return tesseract.failed(e)
    if img is None:
        return OcrResult()
    try:
        result = pool.read(img, dpi, timeout)
        result.skew = skew
        if _needs_orientation(result):
            rot = tesseract.osd_rotation(img, dpi, timeout, gate=pool.get().gate)
            if rot:
                # PIL turns counter-clockwise; OSD's "rotate" is clockwise.
                with pool.get().prep:
                    turned, skew2 = preparation.deskew(img.rotate(-rot, expand=True, fillcolor=255))
                del img
                with tesseract.count("rotated"):
                    second = pool.read(turned, dpi, timeout)
                del turned
                # a reading of upright lines beats one of vertical text that lost no more than a
                # fifth of the confident characters: only its word boxes place the signature block
                upright = sideways(result.words) and not sideways(second.words)
                if second.error is None and second.score > result.score * (0.8 if upright else 1.0):
                    second.rotation, second.skew = rot, skew + skew2
                    result = second
        return result
    except Exception as e:  # a page must never take the document down with it
        return tesseract.failed(e)
