"""A region of a page OCR read, drawn straight from the picture loaded again for it.

OCR read the page prepared in steps: greyed and capped in size (extractors.ocr.prepare), a phone
photo's sheet cut from the desk and evenly lit (extractors.photo_page), turned upright and
levelled. Repeating each step on the whole page to show one region of it took ~90 ms a page
(a full-size perspective warp, the lighting, two rotations) for a crop of a few hundred thousand
pixels. Every step but the lighting is a map of the plane, so here they are composed into one
and only the region's pixels are warped, at the scale the crop shows them. The lighting is the
paper's brightness, smooth by construction: it is estimated on a small copy of the sheet, as
photo_page does, and warped onto the region the same way.

The maps are the ones pipeline/regions.py gives the word boxes (frame_matrix), so a word's box
falls on its print here as it did on the whole page (tests/test_crops.py looks for the ink).
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from extractors import photo_page

from pipeline import regions


class PageCut:
    """The page as OCR read it, `grey` being its picture after extractors.ocr.prepare; `rotation`
    and `skew` how OCR turned and levelled it. `size`: the pixels of the page so read (the sheet,
    turned); cut() draws a box of them."""

    def __init__(self, grey: Image.Image, rotation: int, skew: float):
        self.grey = np.asarray(grey if grey.mode == "L" else grey.convert("L"))
        corners = photo_page.find_page(self.grey)
        if corners is None:
            self.to_sheet, self.sheet_size = np.eye(3), grey.size
            self.light = None
        else:
            self.to_sheet, self.sheet_size = photo_page.sheet(corners)
            self.light, self.to_light = self._paper()
        w, h = self.sheet_size
        self.size = (h, w) if rotation % 180 else (w, h)
        # sheet → page read, between pixel centres (OpenCV's warps and PIL's turns count from the
        # first pixel's centre; regions.frame_matrix maps the edges of word boxes, half a pixel off)
        self.to_page = (regions.frame_matrix(1.0, self.size, 0, skew) @ _shift(-0.5)
                        @ regions.frame_matrix(1.0, self.sheet_size, rotation, 0.0) @ _shift(0.5))

    def _paper(self) -> tuple[np.ndarray, np.ndarray]:
        """The paper's brightness on the sheet drawn at most photo_page's working size, and the
        map from sheet pixels to its pixels."""
        w, h = self.sheet_size
        factor = min(1.0, photo_page._WORK_SIDE / max(w, h))
        small = (max(1, round(w * factor)), max(1, round(h * factor)))
        to_small = _shift(-0.5) @ np.diag([small[0] / w, small[1] / h, 1.0]) @ _shift(0.5)
        # the photo reduced by area first: a warp only samples, and print sampled that sparsely
        # would leave specks the closing takes for paper
        gh, gw = self.grey.shape
        reduced = (max(1, round(gw * factor)), max(1, round(gh * factor)))
        from_reduced = _shift(-0.5) @ np.diag([gw / reduced[0], gh / reduced[1], 1.0]) @ _shift(0.5)
        sheet = cv2.warpPerspective(cv2.resize(self.grey, reduced, interpolation=cv2.INTER_AREA),
                                    to_small @ self.to_sheet @ from_reduced, small,
                                    flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return photo_page.paper(sheet), to_small

    def cut(self, box: tuple[int, int, int, int], factor: float = 1.0) -> Image.Image:
        """Pixels x0 … x1, top … bottom of the page read (grey), then scaled by `factor` as a
        crop of the whole page was (Lanczos): the print keeps its sharpness."""
        x0, top, x1, bottom = box
        out = (max(1, x1 - x0), max(1, bottom - top))
        to_out = _shift(-x0, -top) @ self.to_page
        # one bicubic warp, as OCR levelled the page
        pixels = cv2.warpPerspective(self.grey, to_out @ self.to_sheet, out, flags=cv2.INTER_CUBIC,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        if self.light is not None:
            # no paper beyond the sheet: OCR's levelling filled that corner white
            light = cv2.warpPerspective(self.light, to_out @ np.linalg.inv(self.to_light), out,
                                        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            even = cv2.divide(pixels, np.maximum(light, 1), scale=255)
            pixels = np.where(light > 0, even, 255).astype(np.uint8)
        img = Image.fromarray(pixels)
        if factor == 1.0:
            return img
        return img.resize((max(1, round(img.width * factor)), max(1, round(img.height * factor))), Image.LANCZOS)


def _shift(dx: float, dy: float | None = None) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dx if dy is None else dy], [0, 0, 1.0]])
