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
        self._reduced: dict[int, tuple[np.ndarray, np.ndarray]] = {}   # by factor: flags on one page share
        corners = photo_page.find_page(self.grey)
        if corners is None:
            self.to_sheet, self.sheet_size = np.eye(3), grey.size
            self.light = None
        else:
            self.to_sheet, self.sheet_size = photo_page.sheet(corners)
            self.light, self.to_light = self._paper()
        w, h = self.sheet_size
        self.size = (h, w) if rotation % 180 else (w, h)
        self.to_page = regions.frame_matrix(1.0, self.sheet_size, rotation, skew)   # sheet → page read

    def _paper(self) -> tuple[np.ndarray, np.ndarray]:
        """The paper's brightness on a sheet at most photo_page's working size, and the map from
        sheet pixels to its pixels."""
        w, h = self.sheet_size
        factor = min(1.0, photo_page._WORK_SIDE / max(w, h))
        small = (max(1, round(w * factor)), max(1, round(h * factor)))
        # the photo reduced by area first: a warp only samples, and print sampled that sparsely
        # would leave dots for the closing to take for paper
        source, from_source = self._source(max(1, int(1 / factor + 1e-6)))
        to_small = np.diag([small[0] / w, small[1] / h, 1.0])
        sheet = cv2.warpPerspective(source, to_small @ self.to_sheet @ from_source, small,
                                    flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return photo_page.paper(sheet), to_small

    def _source(self, reduce: int) -> tuple[np.ndarray, np.ndarray]:
        """The loaded grey reduced `reduce` times by area, and the map from its pixels to grey's."""
        if reduce <= 1:
            return self.grey, np.eye(3)
        if reduce not in self._reduced:
            gh, gw = self.grey.shape
            size = (max(1, round(gw / reduce)), max(1, round(gh / reduce)))
            sx, sy = gw / size[0], gh / size[1]
            # pixel centres: reduced pixel i covers grey pixels sx·i … sx·(i+1)
            back = np.array([[sx, 0, (sx - 1) / 2], [0, sy, (sy - 1) / 2], [0, 0, 1.0]])
            self._reduced[reduce] = (cv2.resize(self.grey, size, interpolation=cv2.INTER_AREA), back)
        return self._reduced[reduce]

    def cut(self, box: tuple[int, int, int, int], factor: float) -> Image.Image:
        """Pixels x0 … x1, top … bottom of the page read, scaled by `factor`: grey."""
        x0, top, x1, bottom = box
        out = (max(1, round((x1 - x0) * factor)), max(1, round((bottom - top) * factor)))
        place = np.array([[factor, 0, -x0 * factor], [0, factor, -top * factor], [0, 0, 1.0]])
        # shrunk by area to within 2× of the crop's scale, then warped (bicubic, as OCR levelled)
        source, from_source = self._source(int(1 / factor + 1e-6) if factor < 1 else 1)
        to_out = place @ self.to_page
        pixels = cv2.warpPerspective(source, to_out @ self.to_sheet @ from_source, out, flags=cv2.INTER_CUBIC,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        if self.light is not None:
            # no paper beyond the sheet: OCR's levelling filled that corner white
            light = cv2.warpPerspective(self.light, to_out @ np.linalg.inv(self.to_light), out,
                                        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            even = cv2.divide(pixels, np.maximum(light, 1), scale=255)
            pixels = np.where(light > 0, even, 255).astype(np.uint8)
        return Image.fromarray(pixels)
