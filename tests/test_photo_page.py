"""Phone photos of a page on a desk (fixtures' ScanStyle.desk_photo: the sheet turned on the desk,
in perspective, lit from one side, some JPGs stored sideways without an EXIF tag): the page is found
and flattened before OCR (extractors/photo_page.py) and a sideways reading is turned, so that type
and fields are read as from a scan; a scan, a text render or a photo cropped to the page are left
exactly as they are."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from extractors import ocr, photo_page
from extractors.model import Word
from fixtures.documents import make_document
from fixtures.folders import build_photo_corpus
from fixtures.render import scan
from fixtures.units import UNITS, make_roster
from tests.test_accuracy import _understand

PHOTO_SEED = 17
N_PHOTOS = 8
# the bar for fields on photos
PHOTO_MIN = {"doc_type": 0.95, "tanggal": 0.90, "signatory.nip": 0.90, "nomor": 0.90}
A4 = 297 / 210


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("photos") / "photos"
    return root, build_photo_corpus(root, PHOTO_SEED, N_PHOTOS, workers=2)


def _grey(path: Path) -> Image.Image:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        return ocr.prepare(im)[0]


def _page(doc_type: str = "berita_acara_pencanangan", seed: int = 3, **style) -> tuple[Image.Image, scan.ScanStyle]:
    rng = random.Random(seed)
    unit = UNITS[sorted(UNITS)[0]]
    spec = make_document(doc_type, unit, rng, year=2024, roster=make_roster(unit, rng, year=2024, size=15))
    st = scan.ScanStyle(dpi=150, **style)
    return scan.scan_pages(spec, rng, st, pages=[0])[0], st


def test_photo_corpus_is_hard(photos):
    _, manifest = photos
    shots = [d["scan"] for d in manifest["documents"]]
    assert all(abs(s["desk_tilt"]) >= 2 for s in shots)
    assert any(s["exif"] is False for s in shots), "no photo stored sideways without an EXIF tag"


def test_the_page_is_found_and_comes_out_upright_a4(photos):
    root, manifest = photos
    for d in manifest["documents"]:
        grey = _grey(root / d["path"])
        corners = photo_page.find_page(np.asarray(grey))
        assert corners is not None, d["path"]
        page = photo_page.flatten(grey)
        long, short = max(page.size), min(page.size)
        # the desk is gone: the sheet's own A4 proportions, most of the photo's desk cut away
        assert abs(long / short - A4) < 0.08, (d["path"], page.size)
        assert page.width * page.height < 0.8 * grey.width * grey.height, d["path"]
        # paper evenly white: its brightest and darkest corners of margin differ little
        arr = np.asarray(page)
        h, w = arr.shape
        corners_light = [np.median(arr[y:y + h // 12, x:x + w // 12])
                         for y in (0, h - h // 12) for x in (0, w - w // 12)]
        assert max(corners_light) - min(corners_light) < 25, (d["path"], corners_light)


def test_fields_and_type_are_read_from_desk_photos(photos):
    root, manifest = photos
    outcomes = [_understand(root, d) for d in manifest["documents"]]
    misses = []
    for key, bar in PHOTO_MIN.items():
        judged = [o for o in outcomes if o.want[key] is not None]
        ok = [o for o in judged if o.got[key] == o.want[key]]
        misses += [f"{o.path} {key}: got {o.got[key]!r} want {o.want[key]!r}" for o in judged if o not in ok]
        assert len(ok) >= bar * len(judged), "\n".join(misses)


def test_a_photo_stored_sideways_without_exif_is_turned_before_its_fields_are_read(photos):
    from extractors.images import extract_image

    root, manifest = photos
    sideways = [d for d in manifest["documents"] if d["scan"]["exif"] is False]
    page = extract_image(root / sideways[0]["path"]).pages[0]
    # Tesseract reads the turned lines as vertical text with high confidence; only the word boxes,
    # taller than wide, said it was sideways: OSD turned it and the words now lie flat
    assert page.rotation in (90, 270)
    assert not ocr.sideways(page.words)
    assert sideways[0]["truth"]["fields"]["unit"].split()[0].upper() in page.text.upper()


def test_the_paper_light_is_gaussianblurs_within_one_grey_level(photos):
    # paper() filters with GaussianBlur's own kernel through sepFilter2D because it is ~7x cheaper;
    # held here to the plain computation on the light map of real desk photos.
    import cv2
    root, manifest = photos
    for d in manifest["documents"][:3]:
        page = np.asarray(photo_page.flatten(_grey(root / d["path"])))
        h, w = page.shape
        f = photo_page._WORK_SIDE / max(h, w)
        small = cv2.resize(page, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        k = max(3, round(max(small.shape) / 25)) | 1
        closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        plain = cv2.GaussianBlur(closed, (0, 0), k)
        diff = np.abs(photo_page.paper(small).astype(np.int16) - plain)
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01, (d["path"], diff.max(), (diff > 0).mean())


@pytest.mark.parametrize("kind", ["scan", "render"])
def test_a_page_without_a_desk_is_left_exactly_as_it_is(kind):
    if kind == "render":
        img, _ = _page(blur=0.0, noise=0.0, grey=True, stamp=False, skew=0.0)
    else:
        img, _ = _page(skew=1.5, grey=True)
    grey = ocr.prepare(img)[0]
    assert photo_page.find_page(np.asarray(grey)) is None
    assert photo_page.flatten(grey) is grey


def test_a_photo_cropped_to_the_page_is_left_as_it_is():
    # the mild phone photo of the older corpora, cut down to its sheet: no desk margin left
    img, _ = _page(photo=True, grey=True, skew=0.0)
    w, h = img.size
    cropped = ocr.prepare(img.crop((int(w * 0.12), int(h * 0.12), int(w * 0.88), int(h * 0.88))))[0]
    assert photo_page.flatten(cropped) is cropped


def test_a_scan_reads_the_same_through_the_page_step(tmp_path):
    img, _ = _page(skew=1.0)
    path = tmp_path / "scan.png"
    img.save(path)
    from extractors.images import extract_image

    page = extract_image(path).pages[0]
    assert page.rotation == 0 and page.confidence and page.confidence > 80
    assert "BERITA ACARA" in page.text.upper()


def _word(text: str, w: int, h: int) -> Word:
    return Word(text=text, left=0, top=0, width=w, height=h, conf=95.0)


def test_sideways_needs_most_long_words_standing():
    flat = [_word("KEPUTUSAN", 180, 24)] * 6
    standing = [_word("KEPUTUSAN", 24, 180)] * 6
    assert not ocr.sideways(flat)
    assert ocr.sideways(standing)
    # a few long words are not enough to judge; short ones (I, 1.) are often taller than wide
    assert not ocr.sideways(standing[:3] + [_word("1.", 10, 24)] * 20)
    assert not ocr.sideways(standing[:3] + flat)
    # a confident reading of vertical text still asks for orientation detection
    assert ocr.page._needs_orientation(ocr.OcrResult(text="KEPUTUSAN " * 40, confidence=93.0, words=standing))


def test_manifest_is_deterministic(tmp_path):
    a = build_photo_corpus(tmp_path / "a", PHOTO_SEED, 1)
    b = build_photo_corpus(tmp_path / "b", PHOTO_SEED, 1)
    assert json.dumps(a["documents"]) == json.dumps(b["documents"])
    name = a["documents"][0]["path"]
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
