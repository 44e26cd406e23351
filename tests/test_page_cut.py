"""A region of an OCR'd page drawn straight from the loaded picture (pipeline/page_cut.py) shows what
the whole page prepared the way OCR prepared it shows there (sheet cut from the desk and evenly
lit, turned, levelled), up to resampling: compared here pixel for pixel with that preparation."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from extractors import ocr, photo_page
from pipeline.page_cut import PageCut

PHOTO = Path(__file__).resolve().parents[1] / "fixtures" / "example_unit" / "6. Pelayanan Publik" / "Maklumat Pelayanan.jpg"


def _reference(grey: Image.Image, rotation: int, skew: float) -> Image.Image:
    """The page as extractors.ocr prepares it whole (preparation.ready, then the turn)."""
    img = photo_page.flatten(grey)
    if rotation:
        img = img.rotate(-rotation, expand=True, fillcolor=255)
    return ocr._rotate(img, skew) if skew else img


def _printed_page() -> Image.Image:
    """An A4 page at 150 dpi with lines of print, a heading and a box: strokes a misplaced or
    mirrored cut would not match."""
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((120, 100, 700, 160), fill=0)
    for row in range(40):
        y = 260 + row * 34
        x = 120
        for n in range(6 + row % 5):
            width = 30 + (row * 7 + n * 13) % 90
            draw.rectangle((x, y, x + width, y + 14), fill=30)
            x += width + 22
    draw.rectangle((800, 1500, 1100, 1650), outline=0, width=5)
    return img


def _cuts_match(reference: Image.Image, cut: PageCut, boxes, factor: float, tolerance: float) -> None:
    """`tolerance`: mean grey levels of difference allowed."""
    assert cut.size == reference.size
    for box in boxes:
        want = reference.crop(box)
        if factor != 1.0:
            want = want.resize((max(1, round(want.width * factor)), max(1, round(want.height * factor))),
                               Image.LANCZOS)
        got = cut.cut(box, factor)
        assert got.size == want.size, box
        a, b = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        assert np.abs(a - b).mean() < tolerance, (box, np.abs(a - b).mean())
        assert abs((a < 128).mean() - (b < 128).mean()) < 0.02, box   # the same print, in the same place


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("factor", [1.0, 0.5])
def test_a_cut_of_a_turned_levelled_scan_is_the_prepared_page_there(rotation, factor):
    grey = _printed_page()
    reference = _reference(grey, rotation, 1.7)
    w, h = reference.size
    boxes = [(0, 0, w, h), (w // 10, h // 2, w * 9 // 10, h * 7 // 10), (w // 2, h // 8, w, h // 3)]
    # the same warps and the same Lanczos: the same pixels (measured: under 0.01 levels)
    _cuts_match(reference, PageCut(grey, rotation, 1.7), boxes, factor, 0.5)


def test_a_cut_of_a_desk_photo_is_the_flattened_evenly_lit_sheet_there():
    with Image.open(PHOTO) as im:
        grey = ocr.prepare(ImageOps.exif_transpose(im))[0]
    cut = PageCut(grey, 0, -1.2)
    assert cut.light is not None, "the example photo shows a desk around its sheet"
    reference = _reference(grey, 0, -1.2)
    w, h = reference.size
    # one warp where OCR made two, the paper's brightness taken from a sheet drawn small rather than
    # reduced from the whole one: measured 1.7 levels of difference on average
    _cuts_match(reference, cut, [(0, 0, w, h), (w // 8, h // 3, w * 7 // 8, h // 2), (0, h * 3 // 4, w, h)], 1.0, 4)


def test_a_cut_reaching_past_the_page_is_white_there():
    grey = Image.new("L", (600, 800), 0)   # all ink: anything not white came from the page
    cut = PageCut(grey, 0, 3.0)
    corner = np.asarray(cut.cut((0, 0, 20, 20), 1.0))   # levelling turned the page's corner away
    assert corner[0, 0] == 255 and corner[-1, -1] == 0
