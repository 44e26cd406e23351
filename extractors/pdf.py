"""PDF pages: the text layer where it is usable, OCR where not: of the scan's own JPEG when the
page is nothing but that scan, else of a 300-dpi render.

pypdfium2 is the bulk path (~3 ms/page), and member tables are read from the positions of its
text runs (pdf_tables.py). pdfplumber (~100–300 ms/page) is kept for the pages that plainly list
people (several NIPs) but whose table the runs do not give.
"""
from __future__ import annotations

import io
import math
import re
import threading
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageStat

from . import limits, ocr, pdf_tables
from .model import ErrorKind, Extraction, Page

# PDFium is not thread-safe, and pages are rendered from several OCR threads: every
# pypdfium2 call, including close, happens under this lock. Other modules that use
# pypdfium2 in this process must take it too.
PDFIUM_LOCK = threading.RLock()

# How a page is rendered for OCR.
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


class PageTooLarge(Exception):
    """The page's images declare more pixels than a render may decode; str() is the reason."""


def declared_image_pixels(page: pdfium.PdfPage) -> tuple[int, tuple[int, int]]:
    """(pixels of all images the page draws, as their dictionaries declare them; the largest
    image's size). Read from /Width and /Height, nothing is decoded."""
    total, largest = 0, (0, 0)
    for obj in page.get_objects(max_depth=4):   # images inside form XObjects count too
        if obj.type != pdfium.raw.FPDF_PAGEOBJ_IMAGE:
            continue
        meta = obj.get_metadata()
        pixels = max(meta.width, 0) * max(meta.height, 0)
        total += pixels
        if pixels > largest[0] * largest[1]:
            largest = (meta.width, meta.height)
    return total, largest


def render_page(pdf: pdfium.PdfDocument, index: int) -> tuple[Image.Image, int]:
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            # PDFium decodes every image at the size its dictionary declares before scaling it to
            # the render: one 46000x46000 Flate image in a 2 MB file took 2.3 GB. Whatever the
            # render scale, such a page cannot be rendered within the memory bound.
            pixels, (w, h) = declared_image_pixels(page)
            if pixels > limits.MAX_PDF_PAGE_IMAGE_PIXELS:
                raise PageTooLarge(f"its images declare {pixels / 1e6:.0f} megapixels (largest {w}x{h}; "
                                   f"limit {limits.MAX_PDF_PAGE_IMAGE_PIXELS // 1_000_000})")
            scale = _render_scale(*page.get_size())  # points, rotation applied
            bitmap = page.render(scale=scale, **RENDER_OPTIONS)
            try:
                image = bitmap.to_pil().copy()  # detach from the PDFium buffer before close
            finally:
                bitmap.close()
        finally:
            page.close()
    return image, round(scale * 72)


# PDFium colour spaces a JPEG page can be read from as it is (1 DeviceGray, 2 DeviceRGB).
_NATIVE_COLORSPACES = (1, 2)


def _render_scale(width_pt: float, height_pt: float) -> float:
    scale = limits.OCR_DPI / 72
    longest = max(width_pt, height_pt) * scale
    if longest > limits.MAX_RENDER_SIDE_PX:
        scale *= limits.MAX_RENDER_SIDE_PX / longest
    return scale


def page_image(pdf: pdfium.PdfDocument, index: int) -> tuple[Image.Image, int]:
    """The image OCR reads for a page, and its resolution in dpi (benchmarks/ feeds raw tesseract
    the very same images).

    A page that is nothing but one upright full-page JPEG, as scanners and phone apps write them,
    is read from that JPEG: decoding it straight to grey and scaling it to the render's size takes
    ~20 ms where PDFium's render takes ~130 ms, for the same pixels (PDFium smooths images
    bilinearly too: the two differ by under one grey level on average). Anything else (vector
    stamps over the scan, forms, page rotation, other filters, scans finer than the render) is
    rendered, which is always right.
    """
    native = _native_scan(pdf, index)
    return native if native is not None else render_page(pdf, index)


def _sole_jpeg(page: pdfium.PdfPage):
    """The page's one image object if the page is nothing but an upright full-page JPEG (a
    scanner's or a phone app's page), else None. Call with PDFIUM_LOCK held."""
    if page.get_rotation():
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium.raw.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    a, b, c, d, _e, _f = image.get_matrix().get()
    left, bottom, right, top = image.get_bounds()
    width, height = page.get_size()
    if b or c or a <= 0 or d <= 0:      # turned or mirrored on the page
        return None
    if right - left < 0.99 * width or top - bottom < 0.99 * height:
        return None
    return image if image.get_filters() == ["DCTDecode"] else None


def scan_jpegs(path: Path, max_pages: int) -> list[bytes]:
    """The JPEG streams of the first `max_pages` pages that are nothing but a scan's JPEG (see
    `_sole_jpeg`), for a look at a file before it is read (extractors/survey.py); [] for a PDF
    that cannot be opened."""
    out: list[bytes] = []
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return out
        try:
            for index in range(min(len(doc), max_pages)):
                page = doc[index]
                try:
                    image = _sole_jpeg(page)
                    if image is not None:
                        out.append(bytes(image.get_data(decode_simple=False)))
                finally:
                    page.close()
        finally:
            doc.close()
    return out


def _native_scan(pdf: pdfium.PdfDocument, index: int) -> tuple[Image.Image, int] | None:
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            image = _sole_jpeg(page)
            if image is None:
                return None
            width, height = page.get_size()
            meta = image.get_metadata()
            scale = _render_scale(width, height)
            # The size PDFium gives a render of the page (pypdfium2 rounds up).
            target = (math.ceil(width * scale), math.ceil(height * scale))
            # Finer scans are left to PDFium, whose downsampling averages where a resize would drop.
            if meta.colorspace not in _NATIVE_COLORSPACES or meta.width > target[0] or meta.height > target[1]:
                return None
            data = bytes(image.get_data(decode_simple=False))
            size = (meta.width, meta.height)
        finally:
            page.close()
    # Decoded outside the lock: libjpeg and OpenCV release the GIL, PDFium's lock stays short.
    try:
        img = Image.open(io.BytesIO(data))
        if img.format != "JPEG" or img.mode not in ("L", "RGB") or img.size != size:
            return None
        img.draft("L", size)                   # luminance straight from the JPEG, no colour pass
        img.load()
        if img.mode != "L":                    # (convert to the same mode would copy the page)
            img = img.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    # The PDF may invert the samples (/Decode) where the raw JPEG cannot say so; a page is paper.
    if ImageStat.Stat(img.reduce(16)).median[0] < 110:
        return None
    if img.size != target:
        import cv2
        import numpy as np
        img = Image.fromarray(cv2.resize(np.asarray(img), target, interpolation=cv2.INTER_LINEAR))
    return img, round(scale * 72)


def _ocr_page(pdf: pdfium.PdfDocument, index: int, layer: str, timeout: float | None,
              closing: bool = False) -> Page:
    """closing: the document's last page, where its signature block is (and gets its own read)."""
    number = index + 1
    try:
        result = ocr.read_page(lambda: page_image(pdf, index), timeout=timeout)
    except Exception as e:
        return Page(number=number, text=layer, source="text" if layer else "empty",
                    error=f"page could not be rendered: {e}")
    # A sparse but genuine text layer ("Lampiran", a lone signature line) beats a worse read.
    if layer and ocr.text_stats(layer)[0] >= ocr.text_stats(result.text)[0]:
        return Page(number=number, text=layer, source="text")
    if result.error or not result.text:
        return Page(number=number, text="", source="empty", error=result.error)
    second = (ocr.reread_signature(lambda: page_image(pdf, index), result.rotation, timeout=timeout)
              if closing and ocr.signature_doubtful(result) else None)
    return Page(number=number, text=result.text, source="ocr", confidence=result.confidence,
                rotation=result.rotation, skew=result.skew, words=result.words or None, signature_text=second)


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
    # Imported with the other readers' libraries by extract.load_readers (one thread at a time);
    # this name binding costs nothing then.
    import pdfplumber

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


def extract_pdf(path: Path, *, timeout: float | None = None,
                max_ocr_pages: int = limits.MAX_IMAGE_FRAMES) -> Extraction:
    """`max_ocr_pages`: pages OCR reads at most (BUKTI_MAX_OCR_PAGES, pipeline/settings.py)."""
    path = Path(path)
    truncated = not _has_eof(path)
    try:
        pdf = _open(path, truncated)
    except PdfOpenError as e:
        return Extraction(kind="pdf", error_code=ErrorKind.CORRUPT_FILE, error_reason=str(e))
    try:
        with PDFIUM_LOCK:
            count = len(pdf)
        if count == 0:
            return Extraction(kind="pdf", error_code=ErrorKind.CORRUPT_FILE, error_reason="PDF has no pages")
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
        # Like a TIFF's frames, the pages OCR reads per file are capped (2000 tiny image pages
        # took ~12 min); the pages past the cap are kept with an error saying so, which the
        # UNREADABLE check reports, never silently dropped.
        cap = max_ocr_pages
        for i in todo[cap:]:
            pages[i] = Page(number=i + 1, text=layers[i], source="text" if layers[i] else "empty",
                            error=f"{limits.OVER_PAGE_LIMIT} ({cap} per file, BUKTI_MAX_OCR_PAGES)")
        todo = todo[:cap]
        for i, page in zip(todo, ocr.map_pages(lambda i: _ocr_page(pdf, i, layers[i], timeout, i == count - 1),
                                               todo)):
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
        ex.error_code = ErrorKind.CORRUPT_FILE
        ex.error_reason = f"PDF is truncated (no %%EOF); {len(done)} page(s) recovered"
    return ex
