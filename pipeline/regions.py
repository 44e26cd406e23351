"""Where on a page a check looked: the boxes of the words a flag rests on, and the region around
them a reviewer needs to see (rules.model.Look → a box).

Two sources of word boxes, both already had: a PDF's text layer (PDFium's text search gives
character rectangles in PDF points) and Tesseract's word boxes of an OCR'd page (pixels of the
image it read: the page scaled, turned upright and levelled). Boxes here are (x0, top, x1, bottom)
with the origin at the page's top-left, in the units of the frame they come from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

from extractors.model import Word

if TYPE_CHECKING:
    import numpy as np

Box = tuple[float, float, float, float]

# How much of the page a region takes when its words were not found, by kind (fractions of the
# page: x0, top, x1, bottom). A signature block closes the page; a letterhead opens it.
FALLBACK = {"signature": (0.0, 0.55, 1.0, 1.0), "letterhead": (0.0, 0.0, 1.0, 0.22)}
# Context around the found words at least, as a fraction of the page height.
MARGIN = 0.025
MIN_WORD_MATCH = 78.0   # rapidfuzz ratio of an anchor word to an OCR word (a misread letter or two)
SPLIT_WORDS = 4         # words one anchor token may have been read as


@dataclass
class Located:
    box: Box                 # the region to show
    words: list[Box]         # the found words, to outline
    located: bool            # the region rests on found words (else the kind's usual place)
    text: str = ""           # the words inside the region, as read (the excerpt)


def union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def region(kind: str, found: list[Box], width: float, height: float) -> tuple[Box, bool]:
    """The region to show for `kind` on a page of width × height, around the words found."""
    if kind == "page":
        return (0.0, 0.0, width, height), True
    if not found:
        fx0, ft, fx1, fb = FALLBACK.get(kind, (0.0, 0.0, 1.0, 1.0))
        return (fx0 * width, ft * height, fx1 * width, fb * height), False
    x0, top, x1, bottom = union(found)
    # a line's height: the margins show the lines around the found one
    line = sum(b[3] - b[1] for b in found) / len(found)
    pad = max(2.5 * line, 0.5 * MARGIN * height)
    if kind == "letterhead":   # from the top of the page down to the line that names the unit
        return (0.0, 0.0, width, min(height, bottom + 0.6 * line)), True
    if kind == "signature":    # the block: a few lines around its name, NIP and date
        return (max(0.0, min(x0, width * 0.5) - pad), max(0.0, top - 3 * pad),
                min(width, max(x1, width * 0.9) + pad), min(height, bottom + 2 * pad)), True
    if kind == "table_row":   # the row across the table
        return (0.0, max(0.0, top - pad), width, min(height, bottom + pad)), True
    # a line (date, nomor, NIP, placeholder): the words with a quarter page of the line either
    # side (a wide photo shown whole would shrink its print below reading size), a line around
    side = 0.25 * width
    return (max(0.0, x0 - side), max(0.0, top - pad), min(width, x1 + side), min(height, bottom + pad)), True


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def find_in_words(words: list[Word], anchors: list[str], last: bool = False) -> list[list[Word]]:
    """For each anchor, the run of OCR words (in reading order) that reads most like it, when it
    reads like it at all: OCR misreads a letter or two, so words are compared fuzzily. `last`:
    of equal runs the last (a signatory's jabatan closes the page its letterhead opens)."""
    from rapidfuzz import fuzz
    normed = [_norm(w.text) for w in words]
    out = []
    for anchor in anchors:
        tokens = [t for t in (_norm(x) for x in anchor.split()) if t]
        if not tokens or len(tokens) > len(words):
            continue
        best, best_at, best_n = 0.0, -1, 0
        for i in range(len(words) - len(tokens) + 1):
            if len(tokens) == 1:
                # one token may be read as several words: a NIP as "19720315 199803 1 004"
                spans = [(fuzz.ratio(tokens[0], "".join(normed[i:i + n])), n)
                         for n in range(1, min(SPLIT_WORDS, len(words) - i) + 1)]
                score, n = max(spans)
            elif not normed[i] or fuzz.ratio(tokens[0], normed[i]) < MIN_WORD_MATCH - 20:
                continue
            else:
                score, n = sum(fuzz.ratio(t, normed[i + k]) for k, t in enumerate(tokens)) / len(tokens), len(tokens)
            if score > best or last and score >= best > 0:
                best, best_at, best_n = score, i, n
        if best >= MIN_WORD_MATCH:
            out.append(words[best_at:best_at + best_n])
    return out


def word_box(w: Word) -> Box:
    return (float(w.left), float(w.top), float(w.left + w.width), float(w.top + w.height))


def words_inside(words: list[Word], box: Box, limit: int = 300) -> str:
    x0, top, x1, bottom = box
    inside = [w.text for w in words
              if x0 <= w.left + w.width / 2 <= x1 and top <= w.top + w.height / 2 <= bottom]
    text = " ".join(inside)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------ OCR frame ↔ page

def frame_matrix(scale: float, size: tuple[int, int], rotation: int, skew: float) -> np.ndarray:
    """3×3 affine map from page units (points or image pixels, top-left origin) to the pixels of
    the image Tesseract read: scaled by `scale` to an image of `size`, turned clockwise by
    `rotation` degrees (PIL's rotate(-rotation, expand=True)), then levelled counter-clockwise by
    `skew` degrees about its centre (extractors.ocr's deskew, OpenCV's convention)."""
    import numpy as np
    w, h = size
    m = np.diag([scale, scale, 1.0])
    turn = {0: np.eye(3),
            90: np.array([[0, -1, h], [1, 0, 0], [0, 0, 1.0]]),
            180: np.array([[-1, 0, w], [0, -1, h], [0, 0, 1.0]]),
            270: np.array([[0, 1, 0], [-1, 0, w], [0, 0, 1.0]])}.get(rotation % 360, np.eye(3))
    m = turn @ m
    tw, th = (h, w) if rotation % 180 else (w, h)
    if skew:
        import cv2
        level = np.vstack([cv2.getRotationMatrix2D((tw / 2, th / 2), skew, 1.0), [0, 0, 1.0]])
        m = level @ m
    return m


def map_box(matrix: np.ndarray, box: Box) -> Box:
    """The axis-aligned box around `box`'s corners mapped by `matrix`."""
    import numpy as np
    x0, top, x1, bottom = box
    corners = np.array([[x0, top, 1], [x1, top, 1], [x0, bottom, 1], [x1, bottom, 1]], dtype=float).T
    xs, ys, _ = matrix @ corners
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
