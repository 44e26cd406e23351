"""PDF pages: the text layer where it is usable, OCR of a 300-dpi render where not.

pypdfium2 is the bulk path (~3 ms/page), and member tables are read from the positions of its
text runs (pdf_tables.py). pdfplumber (~100–300 ms/page) is kept for the pages that plainly list
people (several NIPs) but whose table the runs do not give.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from . import limits, ocr, pdf_tables
from .model import Extraction, Page

# PDFium is not thread-safe, and pages are rendered from several OCR threads: every
# pypdfium2 call, including close, happens under this lock. Other modules that use
# pypdfium2 in this process must take it too.
PDFIUM_LOCK = threading.RLock()

# How a page is rendered for OCR (benchmarks/ feeds raw tesseract the very same images).
# Not no_smoothimage: 25 % faster, but the blocky upscale of a 200-dpi scan misreads thin
# strokes ("I" as "T") and defeats the skew estimate.
RENDER_OPTIONS = {"grayscale": True}

_ERR_PASSWORD = 4
_ERR_SECURITY = 6

_NIP = re.compile(r"(?<!\d)\d{8}\s?\d{6}\s?\d\s?\d{3}(?!\d)")
_PEOPLE_HEAD = re.compile(r"\b(NIP|Nama)\b")
_NO_HEAD = re.compile(r"^\s*No\.?(\s|$)", re.M)
# A header row as the text layer gives it: NAMA and NIP/JABATAN on one line.
_HEADER_LINE = re.compile(r"^.*\bnama\b.*\b(nip|jabatan)\b", re.M | re.I)


class PdfOpenError(Exception):
    """The PDF cannot be opened; str() is the one-line reason for CORRUPT_FILE."""


def _has_eof(path: Path) -> bool:
    # Readers look for %%EOF in the last KB; scanners sometimes append padding after it.
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 1024))
        return b"%%EOF" in f.read()


def _open(path: Path, truncated: bool) -> pdfium.PdfDocument:
    try:
        with PDFIUM_LOCK:
            return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == _ERR_PASSWORD:
            raise PdfOpenError("PDF is encrypted with a password") from None
        if code == _ERR_SECURITY:
            raise PdfOpenError("PDF uses an unsupported security (encryption) scheme") from None
        if truncated:
            raise PdfOpenError("PDF is truncated: no trailer/xref found") from None
        raise PdfOpenError(f"PDF is damaged and cannot be opened ({e})") from None


def _clean(text: str) -> str:
    # PDFium ends lines with CRLF and marks soft hyphens with \x02.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-")
    return text.replace("\x00", "").strip()


def _text_layer(pdf: pdfium.PdfDocument, index: int) -> str:
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                return _clean(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()


def render_page(pdf: pdfium.PdfDocument, index: int) -> tuple[Image.Image, int]:
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            w, h = page.get_size()  # points, rotation applied
            scale = limits.OCR_DPI / 72
            longest = max(w, h) * scale
            if longest > limits.MAX_RENDER_SIDE_PX:
                scale *= limits.MAX_RENDER_SIDE_PX / longest
            bitmap = page.render(scale=scale, **RENDER_OPTIONS)
            try:
                image = bitmap.to_pil().copy()  # detach from the PDFium buffer before close
            finally:
                bitmap.close()
        finally:
            page.close()
    return image, round(scale * 72)


def _ocr_page(pdf: pdfium.PdfDocument, index: int, layer: str, timeout: float | None) -> Page:
    number = index + 1
    try:
        image, dpi = render_page(pdf, index)
    except Exception as e:
        return Page(number=number, text=layer, source="text" if layer else "empty",
                    error=f"page could not be rendered: {e}")
    result = ocr.ocr_page(image, dpi=dpi, timeout=timeout)
    del image
    # A sparse but genuine text layer ("Lampiran", a lone signature line) beats a worse read.
    if layer and ocr.text_stats(layer)[0] >= ocr.text_stats(result.text)[0]:
        return Page(number=number, text=layer, source="text")
    if result.error or not result.text:
        return Page(number=number, text="", source="empty", error=result.error)
    return Page(number=number, text=result.text, source="ocr", confidence=result.confidence,
                rotation=result.rotation, words=result.words or None)


def looks_like_people_table(text: str) -> bool:
    if not _PEOPLE_HEAD.search(text):
        return False
    return len(_NIP.findall(text)) >= 2 or bool(_NO_HEAD.search(text))


def _run_tables(pdf: pdfium.PdfDocument, index: int) -> list[list[list[str]]]:
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                runs = pdf_tables.runs_of(textpage)
            finally:
                textpage.close()
        finally:
            page.close()
    return pdf_tables.tables_from_runs(runs)


def _tables(path: Path, numbers: list[int]) -> list[list[list[str]]]:
    if not numbers:
        return []
    import pdfplumber  # slow to import and only needed for the rare people table

    out: list[list[list[str]]] = []
    with pdfplumber.open(str(path), pages=numbers) as doc:
        for page in doc.pages:
            try:
                tables = page.extract_tables()
            except Exception:
                continue  # a table we cannot parse still leaves the page text
            for table in tables:
                rows = [[(c or "").strip() for c in row] for row in table]
                rows = [r for r in rows if any(r)]
                if rows:
                    out.append(rows)
            page.close()
    return out


def extract_pdf(path: Path, *, timeout: float | None = None) -> Extraction:
    path = Path(path)
    truncated = not _has_eof(path)
    try:
        pdf = _open(path, truncated)
    except PdfOpenError as e:
        return Extraction(kind="pdf", error_code="CORRUPT_FILE", error_reason=str(e))
    try:
        with PDFIUM_LOCK:
            count = len(pdf)
        if count == 0:
            return Extraction(kind="pdf", error_code="CORRUPT_FILE", error_reason="PDF has no pages")
        layers: list[str] = []
        for i in range(count):
            try:
                layers.append(_text_layer(pdf, i))
            except Exception:
                layers.append("")  # a broken content stream: OCR may still read the render
        pages: list[Page | None] = [
            Page(number=i + 1, text=t, source="text") if ocr.usable_text(t) else None
            for i, t in enumerate(layers)]
        todo = [i for i, p in enumerate(pages) if p is None]
        for i, page in zip(todo, ocr.map_pages(lambda i: _ocr_page(pdf, i, layers[i], timeout), todo)):
            pages[i] = page
        tables: list[list[list[str]]] = []
        fallback: list[int] = []
        for p in pages:
            if p is None or p.source != "text" or not looks_like_people_table(p.text):
                continue
            try:
                found = _run_tables(pdf, p.number - 1)
            except Exception:
                found = []
            tables += found
            if not found and _HEADER_LINE.search(p.text) and len(_NIP.findall(p.text)) >= 2:
                fallback.append(p.number)
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    done = [p for p in pages if p is not None]
    ex = Extraction(kind="pdf", pages=done)
    try:
        ex.tables = tables + _tables(path, fallback)
    except Exception:
        ex.tables = tables  # tables are a bonus over the text; never fail the document for them
    if truncated:
        # PDFium rebuilt the file from its objects; the content is there but the file is damaged.
        ex.error_code = "CORRUPT_FILE"
        ex.error_reason = f"PDF is truncated (no %%EOF); {len(done)} page(s) recovered"
    return ex
