"""OCR path: scans, rotations, skew, EXIF, TIFF frames, the process-wide bound."""
from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
import pytesseract
from PIL import Image

from extractors import limits, ocr
from fixtures.documents import make_document
from fixtures.render import scan
from fixtures.render.page_image import page_image
from fixtures.units import UNITS, make_roster
from extractors.extract import extract_file
from extractors.sniff import sniff

LINES = [
    "KEPUTUSAN KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
    "NOMOR 800/123/435.201/2024",
    "TENTANG PEMBENTUKAN TIM KERJA ZONA INTEGRITAS",
    "Menimbang bahwa dalam rangka mewujudkan wilayah bebas",
    "dari korupsi perlu dibentuk tim kerja pembangunan",
    "Mengingat Peraturan Menteri Pendayagunaan Aparatur Negara",
    "dan Reformasi Birokrasi tentang pedoman pembangunan",
    "Ditetapkan di Sumenep pada tanggal 15 Januari 2024",
]
EXPECTED = {"KEPUTUSAN", "KEPENDUDUKAN", "INTEGRITAS", "Menimbang", "korupsi",
            "Peraturan", "Birokrasi", "Sumenep", "Januari"}


def render_text(lines=LINES, width=1654, font_px=36) -> Image.Image:
    return page_image(lines, width=width, font_px=font_px)


def found(text: str) -> set[str]:
    return {w for w in EXPECTED if w in text}


def save(img: Image.Image, path: Path, **kw) -> Path:
    img.save(path, **kw)
    return path


def test_clean_image_reads_with_high_confidence(tmp_path):
    ex = extract_file(save(render_text(), tmp_path / "scan.png"), "image")
    assert ex.error_code is None
    [page] = ex.pages
    assert page.source == "ocr" and page.rotation == 0
    assert found(page.text) == EXPECTED
    assert page.confidence > 80
    assert page.words and all(w.width > 0 and w.height > 0 for w in page.words)
    # Lines come back as lines, not one run of words.
    assert "NOMOR 800/123/435.201/2024" in page.text.splitlines()


@pytest.mark.parametrize("angle", [90, 180])
def test_rotated_image_is_turned_and_read(tmp_path, angle):
    img = render_text().rotate(angle, expand=True)
    ex = extract_file(save(img, tmp_path / f"rot{angle}.png"), "image")
    [page] = ex.pages
    assert ex.error_code is None, ex.error_reason
    assert len(found(page.text)) >= len(EXPECTED) - 1, page.text
    # PIL turned the content counter-clockwise; reading it means turning it back clockwise.
    assert page.rotation == angle
    assert page.confidence > 70


def _blurred_scan(doc_type: str, seed: int, dpi: int, blur: float) -> Image.Image:
    """Page 1 of a generated document scanned upright at `dpi`, out of focus by `blur` px."""
    rng = random.Random(seed)
    unit = UNITS[sorted(UNITS)[0]]
    spec = make_document(doc_type, unit, rng, year=2024, roster=make_roster(unit, rng, year=2024, size=15))
    return scan.scan_pages(spec, rng, scan.ScanStyle(dpi=dpi, blur=blur, noise=5.0, skew=0.0), pages=[0])[0]


def _runs_added(read) -> tuple[object, dict[str, int]]:
    ocr.tesseract.install()    # count this process's Tesseract runs from the first
    before = ocr.tesseract.runs()
    result = read()
    after = ocr.tesseract.runs()
    return result, {k: after[k]["runs"] - before.get(k, {}).get("runs", 0) for k in after}


def test_a_page_read_as_nothing_pays_no_orientation_detection():
    # so blurred that Tesseract finds no word (like eval-dev f4's unreadable scan): OSD has no
    # line to judge by, and main asked it and read the page again turned for nothing
    img = _blurred_scan("berita_acara_pencanangan", 3, 150, 6.0)
    result, added = _runs_added(lambda: ocr.read_page(lambda: (img.copy(), 150)))
    assert result.error is None and result.words == [] and result.rotation == 0
    assert added.get("page", 0) + added.get("batch", 0) == 1
    assert added.get("osd", 0) == 0 and added.get("rotated", 0) == 0


def test_an_upside_down_blurred_scan_is_turned_though_osd_is_unsure():
    # OSD names the right turn here with a confidence (about 1) no higher than on junk: a
    # threshold on it would leave this page upside down; the second reading's score decides
    img = _blurred_scan("sk_tim_zi", 5, 200, 1.5).rotate(180)
    prepared, dpi, _ = ocr.preparation.ready(img.copy(), 200)
    assert ocr.tesseract.osd_rotation(prepared, dpi, 120, gate=None) == 180
    result, added = _runs_added(lambda: ocr.read_page(lambda: (img.copy(), 200)))
    assert added.get("osd", 0) == 1 and added.get("rotated", 0) == 1
    assert result.rotation == 180 and result.confidence > 85


def test_skewed_image_is_levelled_and_read(tmp_path):
    img = render_text().rotate(2.5, expand=True, resample=Image.BICUBIC, fillcolor=255)
    prepared, _ = ocr.prepare(img)
    assert ocr.estimate_skew(prepared) == pytest.approx(-2.5, abs=0.3)
    ex = extract_file(save(img, tmp_path / "skew.png"), "image")
    assert len(found(ex.text)) >= len(EXPECTED) - 1, ex.text
    assert ex.ocr_confidence > 75


def test_deskew_leaves_straight_pages_alone():
    img, _ = ocr.prepare(render_text())
    assert ocr.estimate_skew(img) == 0.0
    assert ocr.estimate_skew(Image.new("L", (800, 600), 255)) == 0.0


def test_exif_orientation_is_honoured(tmp_path):
    upright = render_text()
    # Stored on its side, with the tag a phone writes for "turn 90° clockwise to view".
    stored = upright.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(stored, tmp_path / "phone.jpg", quality=92, exif=exif.tobytes())
    ex = extract_file(path, sniff(path))
    [page] = ex.pages
    assert page.rotation == 0  # EXIF alone made it upright: no OSD pass was needed
    assert len(found(page.text)) >= len(EXPECTED) - 1


def test_multipage_tiff_gives_one_page_per_frame(tmp_path):
    frames = [render_text(LINES[:4]), render_text(LINES[4:]), render_text(LINES[1::2])]
    path = tmp_path / "scan.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    ex = extract_file(path, sniff(path))
    assert [p.number for p in ex.pages] == [1, 2, 3]
    assert "KEPUTUSAN" in ex.pages[0].text
    assert "korupsi" in ex.pages[1].text
    assert "Sumenep" in ex.pages[2].text


def test_large_photo_is_downscaled_before_ocr(tmp_path, monkeypatch):
    seen = []
    real = pytesseract.image_to_data

    def spy(image, *a, **kw):
        seen.append(image.size)
        return real(image, *a, **kw)

    monkeypatch.setattr(pytesseract, "image_to_data", spy)
    big = render_text().resize((4962, 3000))
    ex = extract_file(save(big, tmp_path / "big.jpg", quality=90), "image")
    assert seen and max(seen[0]) <= limits.MAX_OCR_SIDE_PX < 4962
    assert "INTEGRITAS" in ex.text


def test_blank_page_skips_tesseract(tmp_path, monkeypatch):
    monkeypatch.setattr(pytesseract, "image_to_data", lambda *a, **k: pytest.fail("ran tesseract"))
    ex = extract_file(save(Image.new("L", (1200, 1600), 255), tmp_path / "blank.png"), "image")
    assert ex.pages[0].source == "empty"
    assert ex.error_code == "UNREADABLE"


def test_confidence_is_length_weighted():
    data = {"level": [5, 5, 5, 4], "text": ["Keputusan", "a", "", ""], "conf": [90, 10, -1, -1],
            "block_num": [1, 1, 1, 1], "par_num": [1, 1, 1, 1], "line_num": [1, 1, 1, 1],
            "left": [0] * 4, "top": [0] * 4, "width": [5] * 4, "height": [5] * 4}
    r = ocr.parse_data(data)
    assert r.text == "Keputusan a"
    assert r.confidence == pytest.approx((90 * 9 + 10) / 10)


def test_timeout_is_not_retried_then_page_error(tmp_path, monkeypatch):
    """The limit counts the page's own CPU time (extractors/ocr.py): a second try would spend it
    again, so a timeout is the page's error at once."""
    calls = []

    def slow(*a, **kw):
        calls.append(kw.get("timeout"))
        raise RuntimeError("Tesseract process timeout")

    monkeypatch.setattr(pytesseract, "image_to_data", slow)
    ex = extract_file(save(render_text(), tmp_path / "t.png"), "image", timeout=7)
    assert calls == [7]
    assert ex.pages[0].source == "empty" and "timed out" in ex.pages[0].error
    assert ex.error_code == "UNREADABLE"


class _Overlap:
    """How many threads were inside `hold` at once, at most."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = self.peak = 0

    def hold(self, seconds: float) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(seconds)
        with self.lock:
            self.now -= 1


def test_concurrent_documents_never_exceed_worker_count(tmp_path, monkeypatch):
    """Several documents from several threads share one bound on tesseract processes."""
    ocr.configure(2)
    tesseracts = _Overlap()

    def fake(image, *a, **kw):
        tesseracts.hold(0.05)
        # A batch comes as a list file of page images, its rows numbered by page_num.
        pages = len(Path(image).read_text().split()) if isinstance(image, str) else 1
        words = "Keputusan Kepala Dinas tentang Tim Kerja Zona Integritas".split() * pages
        n = len(words)
        return {"level": [5] * n, "page_num": [1 + i // 8 for i in range(n)], "text": words,
                "conf": [95] * n, "block_num": [1] * n, "par_num": [1] * n, "line_num": [1] * n,
                "left": [0] * n, "top": [0] * n, "width": [9] * n, "height": [9] * n}

    monkeypatch.setattr(pytesseract, "image_to_data", fake)
    img = render_text(LINES[:2])
    path = tmp_path / "multi.tif"
    img.save(path, save_all=True, append_images=[img] * 5)
    results = []
    threads = [threading.Thread(target=lambda: results.append(extract_file(path, "image")))
               for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert tesseracts.peak == 2
        assert all(len(r.pages) == 6 and r.text_source == "ocr" for r in results)
    finally:
        ocr.configure(None)


PAGE_WORDS = ["Keputusan", "Menimbang", "Mengingat", "Menetapkan", "Integritas", "Sumenep"]


def _numbered_tiff(tmp_path) -> Path:
    frames = [render_text([f"HALAMAN {word.upper()}", LINES[1]]) for word in PAGE_WORDS]
    path = tmp_path / "pages.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def _spy(monkeypatch, fail_batches: bool = False) -> list:
    calls, real = [], pytesseract.image_to_data

    def spy(image, *a, **kw):
        batch = isinstance(image, str)
        calls.append(len(Path(image).read_text().split()) if batch else 1)
        if batch and fail_batches:
            raise pytesseract.TesseractError(1, "Error during processing.")
        return real(image, *a, **kw)

    monkeypatch.setattr(pytesseract, "image_to_data", spy)
    return calls


def test_waiting_pages_share_one_tesseract_and_keep_their_order(tmp_path, monkeypatch):
    """While the first page is read, the others queue; they are read in batches (one model load
    each), and every page still gets its own text."""
    ocr.configure(1)
    calls = _spy(monkeypatch)
    try:
        ex = extract_file(_numbered_tiff(tmp_path), "image")
    finally:
        ocr.configure(None)
    assert sum(calls) == len(PAGE_WORDS) and max(calls) > 1 and len(calls) < len(PAGE_WORDS)
    assert max(calls) <= limits.OCR_BATCH_PAGES
    for page, word in zip(ex.pages, PAGE_WORDS):
        assert f"HALAMAN {word.upper()}" in page.text, (page.number, page.text)
        assert "NOMOR 800/123/435.201/2024" in page.text and page.confidence > 80
        assert page.words and page.words[0].top < 200   # boxes are the page's own, not offset


def test_pages_of_any_dpi_share_a_batch_and_read_as_if_alone(monkeypatch):
    """Waiting pages of different dpi go into one Tesseract, each with its own dpi (in its file),
    and each page's words, boxes and confidences are those of reading it alone with --dpi."""
    from concurrent.futures import ThreadPoolExecutor

    from extractors.ocr import pool, tesseract
    pages = [(render_text([f"HALAMAN {word.upper()}", LINES[1]]), dpi)
             for word, dpi in zip(PAGE_WORDS, (300, 274, 200, None, 277))]
    ocr.configure(1)
    calls = _spy(monkeypatch)
    try:
        with ThreadPoolExecutor(len(pages)) as ex:
            read = list(ex.map(lambda page: pool.read(page[0], page[1], 60), pages))
    finally:
        ocr.configure(None)
    assert max(calls) > 1, calls          # a batch was read, its pages of several dpi
    for (img, dpi), got in zip(pages, read):
        alone = tesseract.read_one(img, dpi, 60, gate=None)
        assert got.error is None and got.text == alone.text and got.words == alone.words, dpi
        assert got.confidence == alone.confidence


def test_a_failed_batch_reads_its_pages_one_by_one(tmp_path, monkeypatch):
    ocr.configure(1)
    calls = _spy(monkeypatch, fail_batches=True)
    try:
        ex = extract_file(_numbered_tiff(tmp_path), "image")
    finally:
        ocr.configure(None)
    assert max(calls) > 1                                # a batch was tried
    assert ex.error_code is None
    for page, word in zip(ex.pages, PAGE_WORDS):
        assert f"HALAMAN {word.upper()}" in page.text


def test_split_pages_follows_page_num():
    data = {"level": [1, 5, 1, 5, 5], "page_num": [1, 1, 2, 2, 2], "text": ["", "a", "", "b", "c"]}
    first, second, third = ocr.split_pages(data, 3)
    assert first["text"] == ["", "a"] and second["text"] == ["", "b", "c"]
    assert third == {"level": [], "page_num": [], "text": []}


def test_pages_are_loaded_a_few_at_a_time_first_pages_first(tmp_path, monkeypatch):
    """However many pool threads hold pages, only `workers` decode and deskew at once: the first
    pages reach Tesseract soonest, and full-colour frames never pile up in memory."""
    ocr.configure(2)
    loading = _Overlap()
    order: list[int] = []
    real = ocr.preparation.prepare

    def slow_prepare(img):
        loading.hold(0.05)
        return real(img)

    def fake_read(img, dpi, timeout):
        with loading.lock:
            order.append(img.info.get("page", -1))
        return ocr.OcrResult(text="dibaca", confidence=95.0)

    monkeypatch.setattr(ocr.preparation, "prepare", slow_prepare)
    monkeypatch.setattr(ocr.pool, "read", fake_read)
    base = render_text(LINES[:2])

    def load(n: int):
        img = base.copy()
        img.info["page"] = n
        return img, 300

    try:
        results = ocr.map_pages(lambda n: ocr.read_page(lambda: load(n)), range(12))
    finally:
        ocr.configure(None)
    assert loading.peak == 2
    assert all(r.text == "dibaca" for r in results)
    assert set(order[:2]) <= {0, 1, 2, 3}              # waiting pages are loaded in turn


def test_a_page_that_cannot_be_loaded_is_the_callers_error():
    def broken():
        raise ValueError("no such page")

    with pytest.raises(ValueError, match="no such page"):
        ocr.read_page(broken)
    # ...and the preparation slot it held is free again.
    assert ocr.read_page(lambda: (Image.new("L", (400, 300), 255), None)).text == ""


def test_large_freed_buffers_go_back_to_the_os():
    import platform
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert limits.release_large_buffers() is True


def test_signature_doubtful_asks_for_a_second_reading_only_where_the_block_was_lost():
    from extractors.model import Word
    from extractors.ocr import OcrResult, signature_doubtful

    def page(*lines):
        """Ten body lines, then `lines` (lists of (word, conf)) in the lower part of the page."""
        words = [Word("Pencanangan", 100, 100 + 40 * i, 200, 30, 95.0) for i in range(10)]
        for i, line in enumerate(lines):
            words += [Word(t, 600 + 220 * j, 1800 + 40 * i, 200, 30, c) for j, (t, c) in enumerate(line)]
        return OcrResult(text="x", words=words)

    nip = [("NIP.", 95.0), ("19740718", 95.0), ("200603", 96.0), ("1", 96.0), ("009", 96.0)]
    assert not signature_doubtful(page([("(IV/c)", 90.0)], nip))
    assert signature_doubtful(page([("(IV/c)", 90.0)], [nip[0], ("19740718", 78.0), *nip[2:]]))  # a guessed digit
    assert signature_doubtful(page([("(IV/c)", 90.0)], [("NIP.", 95.0), ("8", 40.0), ("200603", 96.0)]))
    assert signature_doubtful(page([("(IV/c)", 90.0)], [("P", 40.0), ("8", 30.0)]))     # label lost
    # a member table's unsure NIP above a confidently read signature NIP is not a reason
    assert not signature_doubtful(page([("1", 90.0), ("19850612", 70.0), ("201001", 96.0)], nip))
    assert not signature_doubtful(page([("Demikian", 95.0), ("laporan", 96.0)]))


def test_opencv_runs_one_thread_even_when_imported_before_the_ocr_environment():
    """OPENCV_FOR_THREADS_NUM is read when cv2 is imported; the warm worker imports cv2 at
    warm-up, before a check sets up OCR, and its checks are forked from it. Each Tesseract has a
    core of its own, so a rotation must not spread over them either way the process started."""
    import os
    import subprocess
    import sys
    code = ("import cv2\nbefore = cv2.getNumThreads()\nfrom extractors.ocr import environment\n"
            "environment.apply()\nprint(before, cv2.getNumThreads())")
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FOR_THREADS_NUM"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    before, after = map(int, out.stdout.split())
    assert after == 1, (before, out.stderr)
