"""Which image OCR reads for a scanned PDF page: the scan's own JPEG when the page is only that,
a PDFium render in every other case, and the same pixels either way."""
from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image

from extractors import pdf as pdfmod
from extractors.extract import extract_file
from fixtures.render.page_image import page_image as text_image
from fixtures.render.scan import images_to_pdf, jpeg_bytes

LINES = ["KEPUTUSAN KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
         "NOMOR 800/123/435.201/2024", "TENTANG PEMBENTUKAN TIM KERJA ZONA INTEGRITAS"]


def scan(dpi: int = 200) -> Image.Image:
    # An A4 page at `dpi`, as a scanner hands it over.
    width = round(8.27 * dpi)
    page = Image.new("L", (width, round(11.69 * dpi)), 255)
    page.paste(text_image(LINES, width=width, font_px=round(dpi / 5.5)), (0, 0))
    return page


def open_pdf(data: bytes, path) -> pdfium.PdfDocument:
    path.write_bytes(data)
    return pdfium.PdfDocument(str(path))


@pytest.fixture
def no_render(monkeypatch):
    calls = []
    real = pdfmod.render_page
    monkeypatch.setattr(pdfmod, "render_page", lambda *a: (calls.append(a), real(*a))[1])
    return calls


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_scan_page_is_read_from_its_jpeg_with_the_renders_pixels(tmp_path, no_render, mode):
    doc = open_pdf(images_to_pdf([scan().convert(mode)], 200, 85), tmp_path / "scan.pdf")
    img, dpi = pdfmod.page_image(doc, 0)
    assert not no_render, "a page that is only a JPEG must not be rendered"
    rendered, rdpi = pdfmod.render_page(doc, 0)
    assert (img.size, img.mode, dpi) == (rendered.size, rendered.mode, rdpi) == (img.size, "L", 300)
    assert mean_diff(img, rendered) < 2.0


def test_scan_pdf_is_read_through_the_jpeg_path(tmp_path, no_render):
    path = tmp_path / "sk.pdf"
    path.write_bytes(images_to_pdf([scan()], 200, 85))
    ex = extract_file(path, "pdf")
    assert not no_render
    [page] = ex.pages
    assert page.source == "ocr" and "NOMOR 800/123/435.201/2024" in page.text


def _rendered(tmp_path, data: bytes, no_render) -> bool:
    doc = open_pdf(data, tmp_path / "case.pdf")
    img, dpi = pdfmod.page_image(doc, 0)
    assert dpi == 300 and img.mode == "L"
    return bool(no_render)


def test_turned_page_is_rendered(tmp_path, no_render):
    doc = pdfium.PdfDocument(images_to_pdf([scan()], 200, 85))
    doc[0].set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    assert _rendered(tmp_path, buf.getvalue(), no_render)


def test_vector_marks_over_the_scan_are_rendered(tmp_path, no_render):
    pdf = FPDF(unit="pt", format=(595.44, 842.04))
    pdf.add_page()
    pdf.image(io.BytesIO(jpeg_bytes(scan(), 85)), x=0, y=0, w=595.44, h=842.04)
    pdf.set_draw_color(200, 0, 0)
    pdf.ellipse(400, 700, 80, 80)   # a digital stamp drawn on the scan
    assert _rendered(tmp_path, bytes(pdf.output()), no_render)


def test_png_and_fine_scans_and_part_page_images_are_rendered(tmp_path, no_render):
    for case in ("png", "fine", "part"):
        no_render.clear()
        pdf = FPDF(unit="pt", format=(595.44, 842.04))
        pdf.add_page()
        if case == "png":
            buf = io.BytesIO()
            scan().save(buf, format="PNG")
            pdf.image(buf, x=0, y=0, w=595.44, h=842.04)
        elif case == "fine":   # 400 dpi: PDFium's downsampling averages where a resize would drop
            pdf.image(io.BytesIO(jpeg_bytes(scan(400), 85)), x=0, y=0, w=595.44, h=842.04)
        else:                  # a photo pasted on part of the page
            pdf.image(io.BytesIO(jpeg_bytes(scan(), 85)), x=30, y=30, w=500, h=700)
        assert _rendered(tmp_path, bytes(pdf.output()), no_render), case


def _inverted_jpeg_pdf(jpeg: bytes, size: tuple[int, int]) -> bytes:
    """A page whose JPEG is drawn through /Decode [1 0]: the raw JPEG is the negative."""
    w, h = size
    content = b"q 595.44 0 0 842.04 0 0 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.44 842.04] "
        b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Decode [1 0] /Filter /DCTDecode /Length %d >>\nstream\n" % (w, h, len(jpeg))
        + jpeg + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_inverted_jpeg_is_rendered_not_read_as_a_negative(tmp_path, no_render):
    negative = Image.eval(scan(), lambda v: 255 - v)
    doc = open_pdf(_inverted_jpeg_pdf(jpeg_bytes(negative, 85), negative.size), tmp_path / "neg.pdf")
    img, _dpi = pdfmod.page_image(doc, 0)
    assert no_render
    assert np.asarray(img).mean() > 200   # paper, as PDFium draws it
