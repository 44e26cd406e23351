"""Whether a prepared page will cost Tesseract as much as several ordinary pages: the OCR queue
sends such pages first, each alone.

Tesseract's time grows with the ink shapes it has to sort into lines and words, not with the
page's size. Measured on one machine (2 AMD EPYC cores, 2026-12-02), an A4 scan of ordinary text
reads in 1-5 s, but a scan out of focus and full of grain took 52.6 s (9.6 s on the Xeon of stop
23) and a page of nothing but grain 7.4 s. Read in the middle of a check, such a page is the last
to end, with the other cores idle (eval-dev f4: ~50 s of an 89-s check ran one Tesseract alone).
Counted once it is prepared, a heavy page goes to Tesseract first and alone, while the ordinary
pages share the other cores.

The guess only orders the work. Every page is read the same way whatever it says, so a wrong
guess costs time, never a different reading.
"""
from __future__ import annotations

from PIL import Image

# Connected ink shapes at half the page's size from which a page counts as heavy. Measured on
# every OCR page of eval-dev (101) and the short bench folder (36): ordinary pages of text, tables,
# stamps and phone photos have at most ~2,600 (1-5 s each); the three that took 7-53 s had
# 58,000-74,000, as Otsu's threshold falls into their grain. Faded, out-of-focus, grainy fixture
# scans (fixtures.render.scan.ScanStyle fade/grain) have 18,000-60,000 and took 5-378 s.
HEAVY_SHAPES = 8000
# Half size keeps the grain that Tesseract itself sees at full size (a quarter averages it away:
# 4,000 shapes on the 9-s page) and costs ~7-10 ms on an A4 page at 300 dpi.
_SCALE = 0.5


def shapes(img: Image.Image, scale: float = _SCALE) -> int:
    """The page's connected ink shapes at `scale` (1/2, 1/3, …) of its size (Otsu's threshold);
    scale 1.0 for an image already decoded at half size (extractors/survey.py)."""
    import cv2
    import numpy as np

    img = img if img.mode == "L" else img.convert("L")
    factor = round(1 / scale)
    # Pillow's reduce (a box mean, as OpenCV's area resize) before the array: np.asarray copies
    # the whole image it is given, a quarter of the page here.
    if factor > 1 and min(img.size) >= 16 * factor:
        img = img.reduce(factor)
    grey = np.asarray(img)
    _t, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _labels = cv2.connectedComponents(ink, connectivity=8)
    return count - 1   # label 0 is the background


def is_heavy(img: Image.Image, scale: float = _SCALE) -> bool:
    """Whether the page looks like one that costs Tesseract several ordinary pages."""
    try:
        return shapes(img, scale) >= HEAVY_SHAPES
    except Exception:   # an estimate must never stop a page from being read
        return False
