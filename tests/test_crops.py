"""Crops of the page region behind each flag, and document thumbnails (pipeline/crops.py): found on
real pages of the example unit (a text PDF, a scan read by Tesseract, a phone photo), within the
stated budget, cached for warm re-checks, and embedded in report.html."""
from __future__ import annotations

import base64
import io
import json
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from pipeline import cli, crops, regions
from pipeline.read import extract_file
from pipeline.understand import classify, extract_fields
from rules.checks.signing import _signature_look
from rules.model import Document, Flag, Look

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_unit"
SCAN = "1. Manajemen Perubahan/1.5 Pencanangan/BA Pencanangan ZI.pdf"
PHOTO = "6. Pelayanan Publik/Maklumat Pelayanan.jpg"
TEXT_PDF = "5. Penguatan Pengawasan/5.1 Gratifikasi/Laporan UPG Semester II 2023.pdf"


def read(rel: str, kind: str) -> Document:
    import hashlib
    path = EXAMPLE / rel
    ex = extract_file(path, kind)
    doc = Document(path=rel, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), size=path.stat().st_size,
                   kind=kind, extraction=ex)
    doc.doc_type, doc.doc_type_confidence = classify(ex)
    doc.fields = extract_fields(ex, doc.doc_type)
    return doc


@pytest.fixture(scope="module")
def scan():
    doc = read(SCAN, "pdf")
    assert doc.extraction.text_source == "ocr" and doc.fields.signatory and doc.fields.signatory.name
    return doc


@pytest.fixture(scope="module")
def photo():
    doc = read(PHOTO, "image")
    assert doc.extraction.text_source == "ocr"
    return doc


def decoded(picture: crops.Picture) -> Image.Image:
    data = base64.b64decode(picture.src.split(",", 1)[1])
    assert len(data) == picture.size
    return Image.open(io.BytesIO(data))


def ink_under_words(frame: crops.Frame, boxes) -> None:
    """Each found word's box, mapped onto the page picture, covers print: the picture is the one
    the word boxes were read from, turned and levelled the same way."""
    for box in boxes:
        x0, top, x1, bottom = regions.map_box(frame.matrix, box)
        cut = np.asarray(frame.picture((int(x0), int(top), int(x1) + 1, int(bottom) + 1), 1.0).convert("L"))
        assert (cut < 128).mean() > 0.04, box


def within_budget(picture: crops.Picture, max_px, max_bytes) -> bool:
    img = decoded(picture)
    return img.format == "JPEG" and img.size == (picture.width, picture.height) \
        and img.width <= max_px[0] and img.height <= max_px[1] and picture.size <= max_bytes


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_frame_matrix_maps_the_page_into_the_turned_levelled_picture(rotation):
    # an A4 page in points, read at 300 dpi, turned and levelled by 1.7°
    scale, size = 300 / 72, (2480, 3508)
    m = regions.frame_matrix(scale, size, rotation, 1.7)
    w, h = (size[1], size[0]) if rotation % 180 else size
    centre = m @ np.array([595.0 / 2, 842.0 / 2, 1.0])
    assert abs(centre[0] - w / 2) < 2 and abs(centre[1] - h / 2) < 2   # turning keeps the centre
    box = (100.0, 700.0, 300.0, 720.0)
    back = regions.map_box(np.linalg.inv(m), regions.map_box(m, box))
    # a levelled box grows by its corners' rotation, never more than a few points
    assert all(abs(a - b) < 12 for a, b in zip(back, box)), back
    x0, top, x1, bottom = regions.map_box(m, box)
    assert 0 <= x0 < x1 <= w and 0 <= top < bottom <= h


def test_scanned_signature_block_is_found_from_ocr_word_boxes(scan):
    look = _signature_look(scan)
    src = crops._Source(scan, EXAMPLE / SCAN)
    try:
        frame = src.frame(look.page)
        region, picture = crops.crop(frame, look)
        ink_under_words(frame, region["words"])
    finally:
        src.close()
    sig = scan.fields.signatory
    assert region["located"] and region["unit"] == "pt" and region["words"]
    surname = re.findall(r"[A-Za-z]{4,}", sig.name)[-1]
    assert surname.lower() in region["text"].lower()
    x0, top, x1, bottom = region["box"]
    # the block closes the page: its box lies in the lower part of the A4 page, in PDF points
    assert 842 * 0.4 < top < bottom <= 842.5 and 0 <= x0 < x1 <= 595.5
    for wx0, wtop, wx1, wbottom in region["words"]:
        assert x0 <= wx0 and wx1 <= x1 and top <= wtop and wbottom <= bottom
    assert within_budget(picture, crops.CROP_MAX_PX, crops.CROP_MAX_BYTES)
    img = decoded(picture).convert("L")
    assert img.getextrema()[0] < 80, "the crop shows print"


def test_photo_region_is_in_the_pixels_of_the_upright_photo(photo):
    every = [w.text.lower() for p in photo.extraction.pages for w in (p.words or [])]
    words = [w for p in photo.extraction.pages for w in (p.words or [])
             if w.conf > 90 and len(w.text) >= 6 and w.text.isalpha() and every.count(w.text.lower()) == 1]
    anchor = words[len(words) // 2].text   # a word of the body, read once
    look = Look(kind="nomor", page=1, anchors=[anchor])
    src = crops._Source(photo, EXAMPLE / PHOTO)
    try:
        frame = src.frame(1)
        region, picture = crops.crop(frame, look)
        ink_under_words(frame, region["words"])
    finally:
        src.close()
    with Image.open(EXAMPLE / PHOTO) as im:
        width, height = ImageOps.exif_transpose(im).size
    assert region["unit"] == "px" and region["located"] and anchor in region["text"]
    x0, top, x1, bottom = region["box"]
    assert 0 <= x0 < x1 <= width + 1 and 0 <= top < bottom <= height + 1
    assert within_budget(picture, crops.CROP_MAX_PX, crops.CROP_MAX_BYTES)


@pytest.mark.parametrize("fmt,size,orientation", [("JPEG", (4400, 3000), 6), ("JPEG", (1800, 1200), 8),
                                                   ("PNG", (1200, 900), 6), ("PNG", (900, 1200), 1),
                                                   ("JPEG", (4400, 3000), 1)])
def test_upright_size_of_a_photo_follows_its_exif_without_decoding(tmp_path, fmt, size, orientation):
    """A photo's page units are the pixels of the upright file: its stored size, turned by the EXIF
    orientation, read from the (possibly drafted) picture the loader gives."""
    from extractors.images import _load_frame
    path = tmp_path / f"photo.{fmt.lower()}"
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", size, "white").save(path, fmt, exif=exif.tobytes())
    with Image.open(path) as im:
        expected = ImageOps.exif_transpose(im).size
    loaded, _dpi = _load_frame(path, 0)
    assert crops._upright(crops._frame_size(path, 0), loaded) == expected
    assert expected == (size[::-1] if orientation in (6, 8) else size)


def test_text_layer_date_line_and_thumbnail():
    doc = read(TEXT_PDF, "pdf")
    mention = next(m for m in doc.fields.dates if m.value == doc.fields.tanggal)
    look = Look(kind="date", page=mention.page, anchors=[mention.raw])
    media = crops.page_media([doc], [Flag(code="OUT_OF_PERIOD", severity="error", documents=[doc.path],
                                          id="F0001", look=look)], EXAMPLE, store=None)
    flag_region = media.crops["F0001"]
    assert within_budget(flag_region, crops.CROP_MAX_PX, crops.CROP_MAX_BYTES)
    thumb = media.thumbnails[doc.path]
    assert within_budget(thumb, crops.THUMB_MAX_PX, crops.THUMB_MAX_BYTES)
    assert decoded(thumb).convert("L").getextrema()[0] < 128, "the thumbnail shows the page's print"


def test_unverifiable_keeps_its_crop_past_the_report_budget(scan, monkeypatch):
    look = _signature_look(scan)
    flags = [Flag(code="UNSIGNED", severity="error", documents=[scan.path], id="F0001", look=look),
             Flag(code="UNVERIFIABLE", severity="info", documents=[scan.path], id="F0002", look=look)]
    monkeypatch.setattr(crops, "REPORT_MAX_BYTES", 1)
    media = crops.page_media([scan], flags, EXAMPLE, store=None)
    assert list(media.crops) == ["F0002"] and not media.thumbnails
    assert media.omitted == 2   # the UNSIGNED crop and the thumbnail
    assert flags[0].region and flags[0].region == flags[1].region   # the region is always reported


def test_pictures_rendered_on_threads_are_those_rendered_in_turn(scan, photo, monkeypatch):
    text = read(TEXT_PDF, "pdf")
    mention = next(m for m in text.fields.dates if m.value == text.fields.tanggal)

    def flags() -> list[Flag]:
        return [Flag(code="UNSIGNED", severity="error", documents=[scan.path], id="F0001", look=_signature_look(scan)),
                Flag(code="UNVERIFIABLE", severity="info", documents=[photo.path], id="F0002",
                     look=Look(kind="page", page=1, anchors=[])),
                Flag(code="OUT_OF_PERIOD", severity="error", documents=[text.path], id="F0003",
                     look=Look(kind="date", page=mention.page, anchors=[mention.raw]))]

    threads: set[str] = set()
    real = crops._render_document

    def spy(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(crops, "_render_document", spy)
    monkeypatch.setattr(crops, "PICTURE_THREADS", 1)
    in_turn = crops.page_media([scan, photo, text], first := flags(), EXAMPLE)
    assert threads == {threading.current_thread().name}
    threads.clear()
    monkeypatch.setattr(crops, "PICTURE_THREADS", 2)
    on_threads = crops.page_media([scan, photo, text], second := flags(), EXAMPLE)
    assert len(threads) == 2 and all(t.startswith("bukti-pictures") for t in threads)
    assert len(on_threads.crops) == 3 and len(on_threads.thumbnails) == 3
    assert on_threads.view() == in_turn.view()
    assert [f.region for f in second] == [f.region for f in first] and all(f.region for f in second)


def test_a_reader_leaves_the_thumbnail_for_the_pictures_stage(tmp_path, monkeypatch):
    """A thumbnail depends on the file alone: the reader renders it into the picture cache right
    after reading the file, and the pictures stage after evaluate renders it no more. A run
    without a store keeps no pictures."""
    from pipeline import check
    from pipeline.discover import discover
    from pipeline.settings import Settings
    from pipeline.store import get_store
    root = tmp_path / "ev"
    root.mkdir()
    shutil.copy(EXAMPLE / TEXT_PDF, root / "laporan.pdf")
    [found] = discover(root)
    settings = Settings(home=tmp_path / "home")

    check.read_document(found, check.Job(settings, None, "unit"))
    assert not (tmp_path / "home").exists()

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    doc = check.read_document(found, check.Job(settings, url, "unit"))
    cache = check.picture_cache(settings, get_store(url))
    assert doc.readable and len(list(cache.rglob("*.json"))) == 1

    def fail(*_a, **_k):
        raise AssertionError("thumbnail rendered again")

    monkeypatch.setattr(crops._Source, "thumbnail", fail)
    media = crops.page_media([doc], [], root, cache_dir=cache)
    assert within_budget(media.thumbnails[doc.path], crops.THUMB_MAX_PX, crops.THUMB_MAX_BYTES)


# ------------------------------------------------------------------ the example unit, end to end

@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("crops-example")
    rc = cli.main(["check", str(EXAMPLE), "--out", str(out)])
    assert rc == 1
    return out


IMG = re.compile(r'<img class="(crop-img|thumb-img)" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"')


def test_every_flag_with_a_page_has_a_crop_of_its_region(example_report):
    report = json.loads((example_report / "report.json").read_text(encoding="utf-8"))
    html = (example_report / "report.html").read_text(encoding="utf-8")
    with_page = [f for f in report["flags"] if f["evidence"]["page"]]
    assert with_page
    for f in with_page:
        assert f["evidence"].get("region"), f["code"]
    by_code = {f["code"]: f["evidence"].get("region") for f in report["flags"]}
    assert by_code["OUT_OF_PERIOD"]["located"] and "18 Desember 2023" in by_code["OUT_OF_PERIOD"]["text"]
    assert by_code["UNIT_MISMATCH"]["kind"] == "letterhead" and "LENTENG" in by_code["UNIT_MISMATCH"]["text"]
    assert by_code["UNSIGNED"]["kind"] == "signature" and not by_code["UNSIGNED"]["located"]
    assert by_code["TEMPLATE_PLACEHOLDER"]["no_image"] == "docx" and "[NAMA UNIT]" in by_code["TEMPLATE_PLACEHOLDER"]["text"]
    # each flag with a region on a page image has its crop in the article of that flag
    for f in report["flags"]:
        region = f["evidence"].get("region")
        article = html.split(f'id="flag-{f["id"]}"', 1)[1].split("</article>", 1)[0]
        has_crop = 'class="crop-img"' in article
        assert has_crop == bool(region and not region.get("no_image")), f["code"]
    from pipeline.report.json_report import validate
    validate(report)


def test_example_report_html_is_within_its_picture_budget(example_report):
    html = (example_report / "report.html").read_text(encoding="utf-8")
    pictures = IMG.findall(html)
    crops_, thumbs = [p for k, p in pictures if k == "crop-img"], [p for k, p in pictures if k == "thumb-img"]
    assert len(crops_) >= 3 and len(thumbs) >= 20
    assert all(len(base64.b64decode(p)) <= crops.CROP_MAX_BYTES for p in crops_)
    assert all(len(base64.b64decode(p)) <= crops.THUMB_MAX_BYTES for p in thumbs)
    assert sum(len(base64.b64decode(p)) for _, p in pictures) <= crops.REPORT_MAX_BYTES
    assert len(html.encode()) < 8_000_000
    # the Dokumen section says how each file was read
    docs = html.split('id="documents"', 1)[1]
    assert "foto (OCR)" in docs and "OCR (pindaian)" in docs and "OCR 9" in docs


def test_xlsx_flags_carry_page_and_excerpt(example_report):
    import openpyxl
    wb = openpyxl.load_workbook(example_report / "report.xlsx")
    ws = wb["Temuan"] if "Temuan" in wb.sheetnames else wb.worksheets[-1]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    unit = next(r for r in rows if r["Kode"] == "UNIT_MISMATCH")
    assert unit["Halaman"] == 1 and "LENTENG" in unit["Kutipan halaman"]


def test_warm_recheck_renders_no_picture(example_report, monkeypatch, tmp_path):
    def fail(*_a, **_k):
        raise AssertionError("rendered on a warm re-check")
    monkeypatch.setattr(crops, "_render_crop", fail)
    monkeypatch.setattr(crops._Source, "thumbnail", fail)
    out = tmp_path / "warm"
    assert cli.main(["check", str(EXAMPLE), "--out", str(out)]) == 1
    cold = IMG.findall((example_report / "report.html").read_text(encoding="utf-8"))
    warm = IMG.findall((out / "report.html").read_text(encoding="utf-8"))
    assert warm == cold


def test_pictures_load_under_the_csp_in_chromium(example_report, tmp_path):
    from tests.test_browser import dom, shots
    if shots.find_chromium() is None:
        pytest.skip("chromium not installed")
    html = example_report / "report.html"
    text = html.read_text(encoding="utf-8")
    assert "img-src data:" in text
    n = len(IMG.findall(text))
    root = dom(html).root()
    assert root["data-images"] == str(n) and root["data-images-broken"] == "0"
    # the count can fail: one damaged picture is seen as broken
    damaged = tmp_path / "damaged" / "report.html"
    damaged.parent.mkdir()
    damaged.write_text(re.sub(r'(class="crop-img" src="data:image/jpeg;base64,)[A-Za-z0-9+/]{40}', r"\1" + "A" * 40,
                              text, count=1), encoding="utf-8")
    root = dom(damaged).root()
    assert root["data-images-broken"] == "1"


def test_print_keeps_each_flag_with_its_crop(example_report, tmp_path):
    from tests.test_browser import shots
    if shots.find_chromium() is None or not shutil.which("pdftotext"):
        pytest.skip("chromium or pdftotext not installed")
    css = (ROOT / "pipeline" / "report" / "templates" / "report.css").read_text(encoding="utf-8")
    assert re.search(r"article\.flag[^{]*\{[^}]*break-inside:\s*avoid", css)
    assert re.search(r"figure\.crop\s*\{[^}]*break-inside:\s*avoid", css)
    pdf = shots.print_pdf(example_report / "report.html", tmp_path / "report.pdf")
    import subprocess
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    report = json.loads((example_report / "report.json").read_text(encoding="utf-8"))
    for f in report["flags"]:
        region = f["evidence"].get("region")
        if not region or region.get("no_image"):
            continue
        key = f["key"]
        # the page that ends the flag (its key) also holds its crop's caption
        [page] = [p for p in pages if key in p]
        flat = " ".join(page.split())
        assert "BAGIAN HALAMAN YANG DIPERIKSA" in flat.upper(), f["code"]
        assert " ".join(f["message"].split()[:4]) in flat, f["code"]   # where the flag starts


def test_a_crop_left_out_still_shows_its_region_excerpt(example_report, tmp_path):
    """Past the report budget (or with no pictures at all) a flag keeps its region's words."""
    from pipeline.report.html_report import write_html
    report = json.loads((example_report / "report.json").read_text(encoding="utf-8"))
    html = write_html(report, tmp_path / "no-pictures").read_text(encoding="utf-8")
    assert "<img" not in html
    f = next(f for f in report["flags"] if f["code"] == "OUT_OF_PERIOD")
    article = html.split(f'id="flag-{f["id"]}"', 1)[1].split("</article>", 1)[0]
    assert "Bagian halaman yang diperiksa" in article and "18 Desember 2023" in article


def test_a_nip_read_as_several_words_is_found():
    from extractors.model import Word
    words = [Word(t, 40 * i, 700, 36, 12, 88.0) for i, t in enumerate("NIP. 19720315 199803 1 004 Pembina".split())]
    [run] = regions.find_in_words(words, ["197203151998031004"])
    assert [w.text for w in run] == ["19720315", "199803", "1", "004"]
    assert regions.find_in_words(words, ["198811022015032001"]) == []   # another NIP is not it


def test_crop_labels_follow_the_report_language(example_report, tmp_path):
    from pipeline.report.html_report import write_html
    report = json.loads((example_report / "report.json").read_text(encoding="utf-8"))
    report["lang"] = "en"
    html = write_html(report, tmp_path / "en").read_text(encoding="utf-8")
    assert "Part of the page checked" in html and "date line" in html and "letterhead" in html
    assert "A DOCX has no page image" in html
    assert "Bagian halaman" not in html and "kop surat" not in html
