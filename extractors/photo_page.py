"""The page in a phone photo: found on the desk, cut out, its perspective flattened and its light
evened out before OCR.

A phone photo shows a sheet lying on a desk: a border of wood, cloth or floor around it, the sheet a
slightly trapezoid quadrilateral, brighter near the lamp or window than away from it. Tesseract
reads the desk's texture as noise, the converging lines as skew it cannot take out and the darker
side of the sheet as a weaker contrast. Here the sheet's outline is looked for as the largest bright
four-cornered region that leaves a dark margin in the frame; where one is found, the sheet is mapped
onto an upright rectangle and divided by its own smoothed brightness, so paper turns evenly white.
Where none is found (scans, screenshots, photos cropped to the page) the image is returned as it came:
a page must not be damaged by a step meant for another kind of picture.

OpenCV (already the deskew's library) does the work: contours, polygon approximation, the
four-point perspective warp and the morphological background estimate are each one call there,
in C, at about 30 ms for a 1.2 MP page.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

# The outline is looked for on a copy this long on its longer side: enough to place a corner within
# a few pixels of the full image, cheap to threshold and trace.
_WORK_SIDE = 640
# A sheet filling almost the whole frame leaves nothing to crop; one filling too little of it is
# more likely something else bright (a window, a screen) than the document photographed.
MIN_PAGE_SHARE = 0.25
MAX_PAGE_SHARE = 0.93
# The region traced must be close to its four-cornered outline (a sheet, not a blob).
MIN_FILL = 0.90
# Paper against desk: the margin outside the outline must be clearly darker than the sheet.
MIN_CONTRAST = 40.0


def _order(quad: np.ndarray) -> np.ndarray:
    """Corners clockwise from the top-left one (the corner nearest the frame's top-left)."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]          # clockwise on screen (y grows downwards)
    first = int(np.argmin(quad.sum(axis=1)))
    return np.roll(quad, -first, axis=0)


def _quad(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    # a sheet's edges are straight but photographed with a little bend and blur: loosen the
    # approximation until four corners remain
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
        if len(approx) < 4:
            return None
    return None


def find_page(grey: np.ndarray) -> np.ndarray | None:
    """The sheet's four corners (top-left first, clockwise, in grey's pixels) or None."""
    h, w = grey.shape
    factor = _WORK_SIDE / max(h, w)
    small = cv2.resize(grey, (max(1, round(w * factor)), max(1, round(h * factor))),
                       interpolation=cv2.INTER_AREA) if factor < 1 else grey
    factor = min(factor, 1.0)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Text, lines and pasted pictures are holes in the sheet's bright region: close them, then cut
    # thin bright bridges (a reflection along the desk's edge) that would join the sheet to them.
    k = max(3, round(max(small.shape) / 40)) | 1
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    quad = _quad(contour)
    if quad is None:
        return None
    area = cv2.contourArea(quad)
    share = area / float(small.shape[0] * small.shape[1])
    if not MIN_PAGE_SHARE <= share <= MAX_PAGE_SHARE:
        return None
    if cv2.contourArea(contour) < MIN_FILL * area or not cv2.isContourConvex(quad.astype(np.int32)):
        return None
    inside = np.zeros_like(small)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    outside = cv2.erode(255 - inside, np.ones((5, 5), np.uint8))
    if not outside.any() or cv2.mean(small, inside)[0] - cv2.mean(small, outside)[0] < MIN_CONTRAST:
        return None
    return _order(quad / factor)


def paper(small: np.ndarray) -> np.ndarray:
    """The paper's brightness on a page at most _WORK_SIDE long: the page with dark print taken
    out (a grey closing wider than any stroke), smoothed."""
    k = max(3, round(max(small.shape) / 25)) | 1
    light = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    # GaussianBlur's kernel (6 sigma + 1 taps, reflected border) as a plain separable filter: its
    # bit-exact 8-bit path took ~29 ms for this 163-tap kernel at 640 px, this ~4 ms, and the light
    # map it gives differs by at most one grey level (tests/test_photo_page.py holds it there).
    kernel = cv2.getGaussianKernel(6 * k + 1, k)
    return cv2.sepFilter2D(light, -1, kernel, kernel)


def _even_light(page: np.ndarray) -> np.ndarray:
    """Paper evenly white: each pixel divided by the page's brightness around it."""
    h, w = page.shape
    factor = min(1.0, _WORK_SIDE / max(h, w))
    small = cv2.resize(page, (max(1, round(w * factor)), max(1, round(h * factor))),
                       interpolation=cv2.INTER_AREA)
    light = cv2.resize(paper(small), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(page, np.maximum(light, 1), scale=255)


def sheet(corners: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The perspective map from the photo's pixels onto the upright sheet with these corners
    (find_page's), and the sheet's size in pixels (width, height)."""
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    return cv2.getPerspectiveTransform(corners.astype(np.float32), target), (width, height)


def flatten(img: Image.Image) -> Image.Image:
    """The sheet of a phone photo cut out, upright and evenly lit; `img` itself when no sheet's
    outline is found. img: grey ("L"), as OCR's preparation makes it."""
    grey = np.asarray(img if img.mode == "L" else img.convert("L"))
    page = flatten_array(grey)
    return img if page is grey else Image.fromarray(page)


def flatten_array(grey: np.ndarray) -> np.ndarray:
    """flatten() of a grey page already in an array: `grey` itself when no sheet is found."""
    corners = find_page(grey)
    if corners is None:
        return grey
    matrix, size = sheet(corners)
    page = cv2.warpPerspective(grey, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return _even_light(page)
