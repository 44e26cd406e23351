"""Page preparation: the image each page reaches Tesseract as (grey, size capped, levelled).

OpenCV (deskew) runs with one thread: configure() in extractors/ocr/__init__.py sets that."""
from __future__ import annotations

from PIL import Image, ImageOps, ImageStat

from .. import limits, photo_page


def prepare(img: Image.Image) -> tuple[Image.Image, float]:
    """Grey, alpha flattened on white, longest side capped. Returns (image, scale)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, rgba)
    # Tesseract greys the image itself; handing it grey makes the temp file 3x smaller.
    if img.mode != "L":
        img = img.convert("L")
    scale = 1.0
    longest = max(img.size)
    if longest > limits.MAX_OCR_SIDE_PX:
        scale = limits.MAX_OCR_SIDE_PX / longest
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(size, Image.LANCZOS, reducing_gap=3.0)
    return img, scale


def is_blank(img: Image.Image) -> bool:
    """A page with no ink at all (scanner separator sheets, blank backs)."""
    small = img.reduce(8) if min(img.size) >= 64 else img
    lo, hi = small.getextrema()
    return hi - lo < 40 or ImageStat.Stat(small).stddev[0] < 2.0


def _profile_score(bw: Image.Image, angle: float) -> float:
    rotated = bw.rotate(angle, resample=Image.NEAREST, fillcolor=0) if angle else bw
    # Box-resizing to one column gives each row's ink mean in C; text rows aligned with
    # the x axis make that profile spiky, i.e. its variance high.
    return ImageStat.Stat(rotated.resize((1, rotated.height), Image.BOX)).var[0]


def estimate_skew(img: Image.Image, max_angle: float = 4.0) -> float:
    """Counter-clockwise degrees to rotate img by to level its text lines (0 if unsure)."""
    # ~700 px keeps 300-dpi text lines ~13 px apart: enough to resolve them, and each
    # trial rotation costs ~2 ms (the whole search ~50 ms on an A4 page).
    factor = max(1, round(max(img.size) / 700))
    small = img.reduce(factor) if factor > 1 else img
    small = ImageOps.autocontrast(small, cutoff=1)
    bw = small.point(lambda v: 255 if v < 128 else 0)  # ink = 255, so rotation fill adds none
    base = _profile_score(bw, 0.0)
    if base <= 0:
        return 0.0
    scores = {0.0: base}

    def score(a: float) -> float:
        a = round(a, 2)
        if a not in scores:
            scores[a] = _profile_score(bw, a)
        return scores[a]

    coarse = max((float(k) for k in range(-int(max_angle), int(max_angle) + 1)), key=score)
    fine = [coarse + k * 0.2 for k in range(-4, 5) if abs(coarse + k * 0.2) <= max_angle]
    best_angle = round(max(fine, key=score), 2)
    # Photos and tables give flat or noisy profiles; ignore marginal wins.
    return best_angle if scores[best_angle] > base * 1.05 else 0.0


# Tesseract copes with a few tenths of a degree.
MIN_SKEW = 0.3


def _levelling(img: Image.Image) -> float:
    """The angle deskew turns img by: estimate_skew's, 0 under MIN_SKEW."""
    angle = estimate_skew(img)
    return angle if abs(angle) >= MIN_SKEW else 0.0


def deskew(img: Image.Image) -> tuple[Image.Image, float]:
    angle = _levelling(img)
    return (_rotate(img, angle), angle) if angle else (img, 0.0)


def _rotate(img: Image.Image, angle: float) -> Image.Image:
    import numpy as np

    return Image.fromarray(_rotate_array(np.asarray(img if img.mode == "L" else img.convert("L")), angle))


def _rotate_array(grey: "np.ndarray", angle: float) -> "np.ndarray":
    """Counter-clockwise by `angle` degrees, bicubic, on the same canvas.

    OpenCV: ~0.1 s on an A4 page at 300 dpi, where Pillow's bicubic with an expanded canvas took
    ~0.4 s and the bigger canvas cost Tesseract ~9 % more time. Cheaper interpolations misread
    thin strokes on the accuracy corpus: nearest gave "III" as "!!!", bilinear "IV" as "TV".
    Within ±4° the corners that leave the canvas lie in the page margin."""
    import cv2

    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def ready(img: Image.Image, dpi: int | None) -> tuple[Image.Image | None, int | None, float]:
    """(the image Tesseract reads or None for a blank page, its dpi, the deskew angle)."""
    import numpy as np

    img, scale = prepare(img)
    if dpi and scale != 1.0:
        dpi = max(70, round(dpi * scale))
    # The page goes through OpenCV as one array, and Pillow's steps see it through fromarray,
    # which shares the array's memory: each np.asarray(image) is a full copy of the page (tobytes,
    # ~10 ms at 9 MB in fresh pages, limits.release_large_buffers), and three steps made one each.
    whole = np.asarray(img)
    grey = photo_page.flatten_array(whole)   # a phone photo's sheet, cut from the desk
    page = img if grey is whole else Image.fromarray(grey)
    del img, whole
    if is_blank(page):
        return None, dpi, 0.0
    angle = _levelling(page)
    return (Image.fromarray(_rotate_array(grey, angle)) if angle else page), dpi, angle
