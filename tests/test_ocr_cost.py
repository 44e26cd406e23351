"""Heavy pages (extractors/ocr/cost.py): which pages count as heavy, and that the OCR queue sends
them to Tesseract first and alone."""
from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytesseract
from PIL import Image

from extractors import ocr, photo_page
from extractors.ocr import cost, pool, preparation
from fixtures.documents import make_document
from fixtures.render import scan
from fixtures.units import UNITS, make_roster
from tests.test_ocr import LINES, PAGE_WORDS, render_text


def _scanned(doc_type: str, seed: int, style: scan.ScanStyle) -> Image.Image:
    """Page 1 of a generated document scanned in `style`, prepared as Tesseract gets it."""
    rng = random.Random(seed)
    unit = UNITS[sorted(UNITS)[0]]
    spec = make_document(doc_type, unit, rng, year=2024, roster=make_roster(unit, rng, year=2024, size=15))
    page = scan.scan_pages(spec, rng, style, pages=[0])[0]
    prepared, _dpi, _skew = preparation.ready(page, style.dpi)
    return prepared


def _grainy(dpi: int = 150) -> Image.Image:
    """Faded print, out of focus, under coarse grain: eval-dev f4's unreadable scan is of this
    kind, and Tesseract took 52.6 s on it where an ordinary page takes 1-5 s."""
    return _scanned("berita_acara_pencanangan", 3,
                    scan.ScanStyle(dpi=dpi, blur=3.0, noise=12.0, fade=0.6, grain=2, skew=0.0))


def test_ordinary_scans_and_photos_are_not_heavy_grainy_faded_scans_are():
    rng = random.Random(11)
    ordinary = {
        "dense table, 300 dpi": _scanned("daftar_hadir", 1, scan.ScanStyle(dpi=300, noise=9.0, skew=0.0)),
        "decree, noisy 200-dpi scan": _scanned("sk_tim_zi", 2, scan.ScanStyle.random(rng, dpi=200)),
        "phone photo on a desk": _scanned("pakta_integritas", 4, scan.ScanStyle.desk_photo(rng)),
    }
    for what, page in ordinary.items():
        assert cost.shapes(page) < cost.HEAVY_SHAPES / 2, what   # with room to spare
    assert cost.is_heavy(_grainy(150)) and cost.is_heavy(_grainy(300))


def test_a_page_that_cannot_be_measured_is_not_heavy():
    assert not cost.is_heavy(Image.new("L", (1, 1), 255))
    assert not cost.is_heavy(Image.new("I;16", (40, 40)))


def _order(monkeypatch) -> list[list[tuple[int, int]]]:
    """The sizes of the pages of each Tesseract run, in the order the runs start."""
    runs, real = [], pytesseract.image_to_data

    def spy(image, *a, **kw):
        if isinstance(image, str):   # a batch: its list file names one TIFF per page
            runs.append([Image.open(p).size for p in Path(image).read_text().split()])
        else:
            runs.append([image.size])
        return real(image, *a, **kw)

    monkeypatch.setattr(pytesseract, "image_to_data", spy)
    return runs


def _until(condition, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the pages never queued"
        time.sleep(0.01)


def test_a_heavy_page_goes_to_tesseract_first_and_alone(monkeypatch):
    """Read after the ordinary pages that waited before it, a heavy page would end the check with
    the other cores idle, and in their batch it would hold them back: it jumps the queue and is
    read on its own, then the ordinary pages share one Tesseract as before."""
    light = [render_text([f"HALAMAN {word.upper()}", LINES[1]]) for word in PAGE_WORDS[:3]]
    grainy = _grainy()
    assert grainy.size != light[0].size   # so that the runs below tell them apart
    ocr.configure(1)
    runs = _order(monkeypatch)
    try:
        queue = pool.get()
        queue.gate.acquire()   # the one slot is busy: every page below waits in the queue
        busy = True
        try:
            with ThreadPoolExecutor(4) as ex:
                read_light = [ex.submit(pool.read, img, 150, 60) for img in light]
                _until(lambda: len(queue.pending) == 3)
                # 2 CPU-s keeps the test short: the heavy page may time out (it needs ~3-7 s),
                # and its order is all this test is about.
                read_grainy = ex.submit(pool.read, grainy, 150, 2)
                _until(lambda: len(queue.pending) == 4)
                queue.gate.release()
                busy = False
                results = [f.result() for f in read_light]
                heavy = read_grainy.result()
        finally:
            if busy:
                queue.gate.release()
    finally:
        ocr.configure(None)
    assert runs[0] == [grainy.size]                      # first, and alone
    assert runs[1:] == [[light[0].size] * 3]             # then the three in one Tesseract
    assert heavy.error is None or "timed out" in heavy.error
    for word, got in zip(PAGE_WORDS, results):
        assert got.error is None and f"HALAMAN {word.upper()}" in got.text


# ------------------------------------------------------------ the survey before reading

def _scan_pdf(path: Path, page: Image.Image, dpi: int = 150) -> Path:
    path.write_bytes(scan.images_to_pdf([page], dpi, 70))
    return path


def _raw_grainy(dpi: int = 150) -> Image.Image:
    rng = random.Random(3)
    unit = UNITS[sorted(UNITS)[0]]
    spec = make_document("berita_acara_pencanangan", unit, rng, year=2024,
                         roster=make_roster(unit, rng, year=2024, size=15))
    style = scan.ScanStyle(dpi=dpi, blur=3.0, noise=12.0, fade=0.6, grain=2, skew=0.0)
    return scan.scan_pages(spec, rng, style, pages=[0])[0]


def test_the_survey_finds_a_grainy_scan_in_a_pdf_or_a_jpeg_and_nothing_else(tmp_path):
    from extractors import survey
    grainy = _raw_grainy()
    rng = random.Random(5)
    ordinary = scan.scan_pages(
        make_document("sk_tim_zi", UNITS[sorted(UNITS)[0]], rng, year=2024,
                      roster=make_roster(UNITS[sorted(UNITS)[0]], rng, year=2024, size=15)),
        rng, scan.ScanStyle.random(rng, dpi=200), pages=[0])[0]
    assert survey.has_heavy_page(_scan_pdf(tmp_path / "grainy.pdf", grainy), "pdf")
    assert not survey.has_heavy_page(_scan_pdf(tmp_path / "ordinary.pdf", ordinary, 200), "pdf")
    grainy.convert("RGB").save(tmp_path / "grainy.jpg", quality=75)
    assert survey.has_heavy_page(tmp_path / "grainy.jpg", "image")
    # Not cheap to look at: keeps its place by size (the OCR queue still sends it first).
    grainy.save(tmp_path / "grainy.png")
    assert not survey.has_heavy_page(tmp_path / "grainy.png", "image")
    (tmp_path / "damaged.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    assert not survey.has_heavy_page(tmp_path / "damaged.pdf", "pdf")


def test_the_readers_take_a_file_with_a_heavy_page_first(tmp_path):
    """Read-ahead starts the largest file; the survey finds the grainy scan among the rest, and
    the readers' queue puts it before larger ordinary scans."""
    from pipeline import check, read
    from pipeline.discover import discover
    from pipeline.store import Store
    root = tmp_path / "ev"
    root.mkdir()
    rng = random.Random(8)
    unit = UNITS[sorted(UNITS)[0]]
    for n, doc_type in enumerate(("sk_tim_zi", "notulen_rapat", "daftar_hadir")):
        spec = make_document(doc_type, unit, rng, year=2024, roster=make_roster(unit, rng, year=2024, size=15))
        pages = scan.scan_pages(spec, rng, scan.ScanStyle(dpi=200, skew=0.0), pages=[0])
        (root / f"{n}_{doc_type}.pdf").write_bytes(scan.images_to_pdf(pages * 3, 200, 90))
    _scan_pdf(root / "zz_grainy.pdf", _raw_grainy())
    sizes = {p.name: p.stat().st_size for p in root.iterdir()}
    assert sizes["zz_grainy.pdf"] == min(sizes.values())   # by size alone it would come last
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        ahead = read.start(root, store, limit=1, read=lambda path, kind: None)
        assert ahead.surveyed.wait(60)
        todo, _count = check.readers(discover(root), ahead)
        order = [todo.get_nowait().path for _ in range(todo.qsize())]
        ahead.stop()
    finally:
        store.close()
    assert order[0] == "zz_grainy.pdf"
    rest = sorted(sizes, key=sizes.get, reverse=True)
    assert order[1:] == [name for name in rest if name != "zz_grainy.pdf"]


def test_ready_gives_the_pixels_of_prepare_flatten_and_deskew_in_turn():
    """ready() works on one array; the report's crops (pipeline/crops.py) and the signature re-read
    rebuild the page with the public steps, so both ways must give the same page, bit for bit:
    a skewed scan (turned), a level one (returned as it came) and a phone photo (sheet cut out)."""
    import numpy as np

    rng = random.Random(5)
    cases = {"skewed scan": scan.ScanStyle(dpi=200, skew=1.5),
             "level scan": scan.ScanStyle(dpi=200, skew=0.0),
             "phone photo": scan.ScanStyle.desk_photo(rng)}
    for seed, (what, style) in enumerate(cases.items()):
        r = random.Random(seed)
        unit = UNITS[sorted(UNITS)[0]]
        spec = make_document("sk_tim_zi", unit, r, year=2024, roster=make_roster(unit, r, year=2024, size=8))
        page = scan.scan_pages(spec, r, style, pages=[0])[0]
        ready, _dpi, skew = preparation.ready(page.copy(), style.dpi)
        prepared = preparation.prepare(page)[0]
        sheet = photo_page.flatten(prepared)
        stepwise, skew2 = preparation.deskew(sheet)
        assert skew == skew2, what
        assert np.array_equal(np.asarray(ready), np.asarray(stepwise)), what
        if what == "skewed scan":
            assert skew != 0.0
        if what == "level scan":
            assert skew == 0.0 and sheet is prepared
        if what == "phone photo":
            assert sheet.size != prepared.size   # the desk was cut away
