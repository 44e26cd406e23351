"""The signature block's own reading: a second look at the lower part of a page whose first
reading lost the signatory's NIP (a stamp over it, a badly lit photo)."""
from __future__ import annotations

import re
from typing import Callable

import pytesseract
from PIL import Image

from .. import photo_page
from . import environment, pool, preparation, tesseract
from .tesseract import OcrResult

# The closing block sits in the lower part of a page; a stamp over it (blue, purple, red ink) or a
# badly lit photo is where a page's first reading loses the name and NIP.
SIGNATURE_TOP = 0.45
_GOLONGAN = re.compile(r"(?:I{1,3}|IV)\s*/\s*[a-eA-E]\b")
_NIP_LABEL = re.compile(r"^[(\[/\\|'\"]*[NM][I1l|]P\b", re.I)
SURE_DIGITS = 90.0       # conf of a NIP word that needs no second reading


def signature_doubtful(result: OcrResult) -> bool:
    """The page's lower part, where the closing block sits, shows a signature block's traces (a
    NIP label, a golongan "(IV/c)") but no NIP read with confidence: worth a second reading of
    that part. Only then: a second reading costs about half a page of OCR."""
    words = result.words
    if result.error or not words:
        return False
    top = max(w.top + w.height for w in words) * SIGNATURE_TOP
    low = [w for w in words if w.top >= top]
    labels = [i for i, w in enumerate(low) if _NIP_LABEL.match(w.text)]
    if not labels:
        # a golongan "(IV/c)" is the line above a signatory's NIP: no label read below it
        return any(_GOLONGAN.search(w.text) for w in low)
    # the last NIP label is the signatory's (member tables above it carry their own NIPs): the
    # digits on its line after it
    label = low[labels[-1]]
    digits = [w for w in low[labels[-1] + 1:] if abs(w.top - label.top) <= label.height
              and any(c.isdigit() for c in w.text)]
    return sum(sum(c.isdigit() for c in w.text) for w in digits) < 18 or min(w.conf for w in digits) < SURE_DIGITS


def _signature_crop(img: Image.Image, rotation: int) -> tuple[Image.Image, float]:
    """The lower part of the page, upright, grey. In colour, each pixel keeps its lightest
    channel: black print stays black while the coloured ink of a stamp over it fades."""
    if img.mode == "RGB":
        from PIL import ImageChops
        r, g, b = img.split()
        img = ImageChops.lighter(ImageChops.lighter(r, g), b)
    img, scale = preparation.prepare(img)
    img = photo_page.flatten(img)   # the same sheet the first reading saw
    if rotation:
        img = img.rotate(-rotation, expand=True, fillcolor=255)
    img = img.crop((0, int(img.height * SIGNATURE_TOP), img.width, img.height))
    return preparation.deskew(img)[0], scale


def reread_signature(load: Callable[[], tuple[Image.Image, int | None]], rotation: int = 0, *,
                     timeout: float | None = None) -> str | None:
    """A second reading of the lower part of a page whose signature block the first reading lost
    (see signature_doubtful): the page loaded again, stamp colour faded, read as one block of text
    (psm 6). The text, or None when nothing was read."""
    timeout = timeout if timeout and timeout > 0 else environment.timeout_s()
    try:
        with pool.get().prep:
            img, dpi = load()
            crop, scale = _signature_crop(img, rotation)
            del img
        config = tesseract.config(max(70, round(dpi * scale)) if dpi else None).replace("--psm 3", "--psm 6")
        with tesseract.count("signature"):
            data, _error = tesseract.with_retry(
                lambda: pytesseract.image_to_data(tesseract.as_ppm(crop), lang=tesseract.LANG,
                                                  config=config, output_type=pytesseract.Output.DICT,
                                                  timeout=timeout),
                "signature OCR", gate=pool.get().gate, retry_errors=False)
    except Exception:
        return None   # a second reading is a bonus; the first one stands
    if not data:
        return None
    text = tesseract.parse_data(data).text
    return text if text.strip() else None
