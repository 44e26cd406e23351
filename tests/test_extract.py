"""Extract stage: sniffing, PDF text/OCR/mixed, tables, DOCX, and every error path."""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from PIL import Image

from extractors import limits
from extractors.extract import extract_file
from extractors.sniff import describe, sniff
from tests.test_ocr import EXPECTED, found, render_text

BODY = [
    "KEPUTUSAN KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
    "NOMOR 800/123/435.201/2024",
    "TENTANG PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS",
]
NIPS = ["197203151998031004", "198506122010012003", "199001012015031002"]


def text_pdf(path: Path, lines=BODY, **encryption) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.output(str(path))
    return path


def add_scan_page(pdf: FPDF, img: Image.Image) -> None:
    pdf.add_page()
    pdf.image(img, x=0, y=0, w=210)


def extract(path: Path):
    return extract_file(path, sniff(path))


# ---------------------------------------------------------------- sniff

def test_sniff_reads_content_not_extension(tmp_path):
    pdf_as_jpg = text_pdf(tmp_path / "scan.jpg")
    jpg_as_pdf = tmp_path / "sk.pdf"
    render_text(BODY[:1]).save(jpg_as_pdf, format="JPEG")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "video.pdf").write_bytes(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\x00" * 200)
    (tmp_path / "notes.docx").write_text("Daftar hadir rapat tim ZI\n", encoding="utf-8")
    assert sniff(pdf_as_jpg) == "pdf"
    assert sniff(jpg_as_pdf) == "image"
    assert sniff(tmp_path / "empty.pdf") == "empty"
    assert sniff(tmp_path / "video.pdf") == "unknown"
    assert describe(tmp_path / "video.pdf") == "MP4 video"
    assert sniff(tmp_path / "notes.docx") == "unknown"
    assert describe(tmp_path / "notes.docx") == "plain text"


def test_sniff_tells_office_zips_apart(tmp_path):
    xlsx = tmp_path / "a.docx"
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    plain_zip = tmp_path / "b.docx"
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("foto.txt", "x")
    real = tmp_path / "c.bin"
    docx.Document().save(real)
    assert (sniff(xlsx), describe(xlsx)) == ("unknown", "Excel workbook")
    assert (sniff(plain_zip), describe(plain_zip)) == ("unknown", "ZIP archive")
    assert sniff(real) == "docx"


# ---------------------------------------------------------------- PDF

def test_text_pdf_uses_the_text_layer_exactly(tmp_path):
    ex = extract(text_pdf(tmp_path / "sk.pdf"))
    assert ex.error_code is None
    assert ex.text_source == "text"
    assert [p.source for p in ex.pages] == ["text"]
    assert ex.pages[0].text == "\n".join(BODY)
    assert ex.ocr_confidence is None


def test_image_only_pdf_is_ocred(tmp_path):
    pdf = FPDF()
    add_scan_page(pdf, render_text())
    pdf.output(str(tmp_path / "scan.pdf"))
    ex = extract(tmp_path / "scan.pdf")
    assert ex.error_code is None, ex.error_reason
    [page] = ex.pages
    assert page.source == "ocr"
    assert len(found(page.text)) >= len(EXPECTED) - 1, page.text
    assert page.confidence > 60
    assert ex.text_source == "ocr"


def test_mixed_pdf_is_decided_page_by_page(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in BODY:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    add_scan_page(pdf, render_text())
    pdf.output(str(tmp_path / "mixed.pdf"))
    ex = extract(tmp_path / "mixed.pdf")
    assert [p.source for p in ex.pages] == ["text", "ocr"]
    assert ex.text_source == "mixed"
    assert "Sumenep" in ex.pages[1].text


def test_people_table_goes_to_tables(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 8, "SUSUNAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS", new_x="LMARGIN", new_y="NEXT")
    rows = [("No", "Nama", "NIP", "Jabatan dalam Tim"),
            ("1", "Dr. Ahmad Fauzi, S.H., M.Si.", NIPS[0], "Ketua"),
            ("2", "Siti Aminah, S.E.", NIPS[1], "Sekretaris"),
            ("3", "Budi Santoso", NIPS[2], "Anggota")]
    with pdf.table() as table:
        for r in rows:
            row = table.row()
            for cell in r:
                row.cell(cell)
    pdf.output(str(tmp_path / "lampiran.pdf"))
    ex = extract(tmp_path / "lampiran.pdf")
    assert ex.text_source == "text"
    assert ex.tables == [[list(r) for r in rows]]


def _plumber_people_tables(path, pages):
    """What pdfplumber finds on those pages, kept to tables headed by a Nama column."""
    from extractors import pdf_tables
    from extractors.pdf import _tables
    return [t for t in _tables(path, pages) if any(pdf_tables._kind(c or "") == "name" for c in t[0])]


def test_wrapped_cells_and_signature_below_table(tmp_path, monkeypatch):
    import pdfplumber
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Times", size=10)
    pdf.cell(0, 8, "DAFTAR AGEN PERUBAHAN", new_x="LMARGIN", new_y="NEXT")
    rows = [("No", "Nama", "NIP", "Jabatan", "Keterangan"),
            ("1.", "Rahmat Hakim, S.AP.", NIPS[0], "Kepala Subbagian Perencanaan dan Keuangan Daerah", "Agen Perubahan"),
            ("2.", "Eko Mustofa, S.IP.", NIPS[1], "Kepala Subbagian Umum dan Kepegawaian", "Agen Perubahan"),
            ("3.", "Zainal Firmansyah", NIPS[2], "Operator Layanan", "Agen Perubahan")]
    with pdf.table(col_widths=(8, 30, 30, 40, 25)) as table:
        for r in rows:
            row = table.row()
            for cell in r:
                row.cell(cell)
    pdf.ln(20)
    for line in ("Kepala Dinas Kependudukan dan Pencatatan Sipil,", "Dr. Ahmad Fauzi, S.H., M.Si.", f"NIP. {NIPS[0]}"):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "lampiran.pdf"
    pdf.output(str(path))
    expected = _plumber_people_tables(path, [1])
    assert "\n" in expected[0][1][3], "the jabatan cell should wrap for this test to mean anything"
    monkeypatch.setattr(pdfplumber, "open", lambda *a, **k: pytest.fail("pdfplumber opened"))
    ex = extract(path)
    assert ex.tables == expected
    assert [r[1] for r in ex.tables[0][1:]] == [r[1] for r in rows[1:]]


def test_run_tables_match_pdfplumber_on_generated_lampiran(tmp_path):
    """Every member table of generated SKs, pakta and daftar hadir (both fonts) is read from
    PDFium's text runs exactly as pdfplumber reads it, without opening pdfplumber."""
    import random

    from fixtures.documents import make_document
    from fixtures.render.text_pdf import render_text_pdf
    from fixtures.units import UNITS, make_roster
    from extractors.pdf import looks_like_people_table

    compared = 0
    for i, doc_type in enumerate(["sk_tim_zi", "sk_agen_perubahan", "sk_pengaduan", "daftar_hadir",
                                  "pakta_integritas", "sk_upg"]):
        for font in ("Times", "Helvetica"):
            rng = random.Random(f"tables-{i}-{font}")
            unit = UNITS[sorted(UNITS)[i % len(UNITS)]]
            spec = make_document(doc_type, unit, rng, year=2024,
                                 roster=make_roster(unit, rng, year=2024, size=16))
            path = tmp_path / f"{doc_type}-{font}.pdf"
            path.write_bytes(render_text_pdf(spec, font=font)[0])
            ex = extract(path)
            pages = [p.number for p in ex.pages if looks_like_people_table(p.text)]
            expected = _plumber_people_tables(path, pages)
            assert ex.tables == expected, (doc_type, font)
            compared += len(expected)
    assert compared >= 6
def test_plain_text_pdf_skips_table_parsing(tmp_path, monkeypatch):
    import pdfplumber
    monkeypatch.setattr(pdfplumber, "open", lambda *a, **k: pytest.fail("pdfplumber opened"))
    assert extract(text_pdf(tmp_path / "sk.pdf")).tables == []


def test_garbage_text_layer_is_replaced_by_ocr(tmp_path):
    pdf = FPDF()
    add_scan_page(pdf, render_text())
    pdf.set_font("Helvetica", size=8)
    pdf.set_xy(10, 280)
    pdf.cell(0, 5, "#%&* ~~ ^^ @@ $$ 12 ## !!! ||| ;;; ::: {} [] <> %% ** -- ++ == __ ..")
    pdf.output(str(tmp_path / "bad-layer.pdf"))
    ex = extract(tmp_path / "bad-layer.pdf")
    assert ex.pages[0].source == "ocr"
    assert "Sumenep" in ex.text


def test_encrypted_pdf(tmp_path):
    locked = extract(text_pdf(tmp_path / "locked.pdf", owner_password="own", user_password="rahasia"))
    assert locked.error_code == "CORRUPT_FILE"
    assert "encrypted" in locked.error_reason
    # Only an owner password (printing/copy restrictions): opens with the empty password.
    restricted = extract(text_pdf(tmp_path / "restricted.pdf", owner_password="own"))
    assert restricted.error_code is None
    assert restricted.pages[0].text == "\n".join(BODY)


def test_truncated_pdf(tmp_path):
    data = text_pdf(tmp_path / "full.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    ex = extract(cut)
    assert ex.error_code == "CORRUPT_FILE"
    assert ex.error_reason == "PDF is truncated: no trailer/xref found"
    # Only the %%EOF lost: PDFium recovers the page; the file is still reported damaged.
    tail = tmp_path / "tail.pdf"
    tail.write_bytes(data[:-7])  # "%%EOF\n" and one byte of the xref offset
    ex = extract(tail)
    assert ex.error_code == "CORRUPT_FILE" and "truncated" in ex.error_reason
    assert ex.pages[0].text == "\n".join(BODY)


def test_garbage_after_pdf_header_is_corrupt(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    ex = extract(bad)
    assert ex.error_code == "CORRUPT_FILE"
    assert ex.error_reason.startswith("PDF is damaged")


# ---------------------------------------------------------------- other kinds and errors

def test_empty_file(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"")
    ex = extract(tmp_path / "x.pdf")
    assert (ex.error_code, ex.error_reason) == ("CORRUPT_FILE", "file is empty (0 bytes)")


def test_mp4_is_unsupported(tmp_path):
    path = tmp_path / "video-kegiatan.jpg"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x01" * 4096)
    ex = extract(path)
    assert ex.error_code == "UNSUPPORTED_FILE"
    assert "MP4 video" in ex.error_reason


def test_damaged_image(tmp_path):
    path = tmp_path / "foto.jpg"
    buf = render_text(BODY[:1])
    buf.save(path, format="JPEG")
    path.write_bytes(path.read_bytes()[:400])
    ex = extract(path)
    assert ex.error_code == "CORRUPT_FILE"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_decompression_bomb_is_refused_without_decoding(tmp_path):
    # The header claims 40000x40000 (1.6 GP); decoding it would need 1.6 GB.
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 40001 * 10)
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
                     + _png_chunk(b"IEND", b""))
    assert sniff(path) == "image"
    ex = extract_file(path, "image")
    assert ex.error_code == "CORRUPT_FILE"
    assert "decompression bomb" in ex.error_reason


def test_unknown_kind_never_raises(tmp_path):
    missing = extract_file(tmp_path / "gone.pdf", "pdf")
    assert missing.error_code == "CORRUPT_FILE"
    assert extract_file(tmp_path / "gone.bin", "weird").error_code == "UNSUPPORTED_FILE"


# ---------------------------------------------------------------- DOCX

def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "PEMERINTAH KABUPATEN SUMENEP"
    d.sections[0].header.add_paragraph("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL")
    d.add_paragraph("SURAT TUGAS")
    d.add_paragraph("Nomor: 094/45/435.201/2024")
    table = d.add_table(rows=3, cols=3)
    for r, values in enumerate([("No", "Nama", "NIP"), ("1", "Siti Aminah", NIPS[1]),
                                ("2", "Budi Santoso", NIPS[2])]):
        for c, v in enumerate(values):
            table.cell(r, c).text = v
    d.add_paragraph("Demikian surat tugas ini dibuat untuk dilaksanakan.")
    d.save(path)
    return path


def test_docx_header_body_and_table_in_order(tmp_path):
    ex = extract(make_docx(tmp_path / "surat.docx"))
    assert ex.kind == "docx" and ex.error_code is None
    [page] = ex.pages
    assert page.source == "text"
    assert page.text.splitlines() == [
        "PEMERINTAH KABUPATEN SUMENEP",
        "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
        "SURAT TUGAS",
        "Nomor: 094/45/435.201/2024",
        "No\tNama\tNIP",
        f"1\tSiti Aminah\t{NIPS[1]}",
        f"2\tBudi Santoso\t{NIPS[2]}",
        "Demikian surat tugas ini dibuat untuk dilaksanakan.",
    ]
    assert ex.tables == [[["No", "Nama", "NIP"], ["1", "Siti Aminah", NIPS[1]],
                          ["2", "Budi Santoso", NIPS[2]]]]


def test_docx_of_a_pasted_scan_is_ocred(tmp_path):
    scan = tmp_path / "scan.jpg"
    render_text().save(scan, quality=95)
    assert scan.stat().st_size > 30_000
    d = docx.Document()
    d.add_picture(str(scan))
    d.save(tmp_path / "scan.docx")
    ex = extract(tmp_path / "scan.docx")
    assert ex.error_code is None, ex.error_reason
    assert [p.source for p in ex.pages] == ["empty", "ocr"]
    assert len(found(ex.text)) >= len(EXPECTED) - 1


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path, monkeypatch):
    path = make_docx(tmp_path / "surat.docx")
    monkeypatch.setattr(limits, "DOCX_MAX_XML_BYTES", 10_000)
    ex = extract(path)
    assert ex.error_code == "CORRUPT_FILE"
    assert "zip bomb" in ex.error_reason


def test_broken_docx(tmp_path):
    path = tmp_path / "rusak.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document><unclosed>")
    ex = extract(path)
    assert ex.error_code == "CORRUPT_FILE"


def test_files_read_at_once_by_many_threads_in_a_fresh_process(tmp_path):
    """The first reads of a run happen on several threads at once. Before the readers' lazy
    imports were gated, two threads importing Pillow's plugins or pdfminer together could raise
    importlib's _DeadlockError, reported as CORRUPT_FILE on a sound file. In a fresh interpreter
    (nothing imported yet), eight threads read text PDFs, a DOCX and a PNG together: all are read,
    and the first read leaves every reader and Pillow plugin loaded."""
    import subprocess
    import sys

    files = [text_pdf(tmp_path / f"sk{i}.pdf") for i in range(4)]
    doc = docx.Document()
    for line in BODY:
        doc.add_paragraph(line)
    doc.save(tmp_path / "sk.docx")
    render_text(BODY).save(tmp_path / "sk.png")
    jobs = [(str(p), "pdf") for p in files] + [(str(tmp_path / "sk.docx"), "docx"),
                                             (str(tmp_path / "sk.png"), "image")]
    script = f"""
import sys
from concurrent.futures import ThreadPoolExecutor
from extractors.extract import extract_file
jobs = {jobs!r} * 2
with ThreadPoolExecutor(8) as pool:
    results = list(pool.map(lambda j: extract_file(j[0], j[1], timeout=60), jobs))
bad = [(j, r.error_code, r.error_reason) for j, r in zip(jobs, results) if r.error_code]
assert not bad, bad
from PIL import Image
assert "JPEG" in Image.OPEN and "TIFF" in Image.OPEN
assert {{"pdfplumber", "extractors.pdf", "extractors.images", "extractors.docx_text"}} <= set(sys.modules)
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=600)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
