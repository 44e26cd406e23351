"""DOCX: header (where the kop surat usually is), then body paragraphs and tables in order."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from . import limits, ocr
from .model import ErrorKind, Extraction, Page

_SCAN_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif")
# Logos, stamps and signatures are smaller than this; a pasted page scan is not.
_MIN_SCAN_BYTES = 30_000


class DocxError(Exception):
    """str() is the one-line reason for CORRUPT_FILE."""


def check_zip(path: Path) -> None:
    """Refuse zip bombs from the directory alone, before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise DocxError(f"DOCX is not a valid ZIP container: {e}") from None
    xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
    total = sum(i.file_size for i in infos)
    if xml > limits.DOCX_MAX_XML_BYTES:
        raise DocxError(f"DOCX expands to {xml / 2**20:.0f} MB of XML "
                        f"(limit {limits.DOCX_MAX_XML_BYTES / 2**20:.0f} MB); possible zip bomb")
    if total > limits.DOCX_MAX_TOTAL_BYTES:
        raise DocxError(f"DOCX expands to {total / 2**20:.0f} MB "
                        f"(limit {limits.DOCX_MAX_TOTAL_BYTES / 2**20:.0f} MB); possible zip bomb")


_T, _TAB, _BR, _CR, _R = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:r")
_P = qn("w:p")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _para_text(p) -> str:
    parts = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        # w:tab also names tab-stop definitions in pPr; only a run's tab is text.
        if el.getparent().tag != _R:
            continue
        # Text boxes are stored twice (DrawingML and a VML fallback); read one copy.
        if any(a.tag == _FALLBACK for a in el.iterancestors()):
            continue
        parts.append(el.text or "" if el.tag == _T else "\t" if el.tag == _TAB else "\n")
    return "".join(parts).strip()


def _header_lines(document) -> list[str]:
    """Paragraphs of every distinct header, text boxes included (letterheads use them)."""
    lines: list[str] = []
    seen: list = []
    for section in document.sections:
        for header in (section.first_page_header, section.header, section.even_page_header):
            # A linked header has no part of its own: reading it would add an empty one.
            if header.is_linked_to_previous:
                continue
            element = header._element
            if any(e is element for e in seen):
                continue
            seen.append(element)
            for p in element.iter(_P):
                # Text-box paragraphs are read as part of the paragraph that anchors them.
                if any(a.tag == _P for a in p.iterancestors()):
                    continue
                text = _para_text(p)
                if text and (not lines or lines[-1] != text):
                    lines.append(text)
    return lines


def _table_rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            # Horizontally merged cells come back once per grid column.
            if last is not None and cell._tc is last:
                continue
            last = cell._tc
            cells.append(cell.text.strip())
        rows.append(cells)
    return rows


def _media_number(name: str) -> tuple[int, str]:
    digits = "".join(c for c in Path(name).stem if c.isdigit())
    return (int(digits) if digits else 0, name)


def _scan_pages(path: Path, first: int, timeout: float | None) -> list[Page]:
    """OCR pages for a DOCX whose content is pictures of paper (scan pasted into Word)."""
    from .images import page_from_bytes

    with zipfile.ZipFile(path) as z:
        names = sorted((i.filename for i in z.infolist()
                        if i.filename.startswith("word/media/")
                        and i.filename.lower().endswith(_SCAN_SUFFIXES)
                        and i.file_size >= _MIN_SCAN_BYTES), key=_media_number)

    def one(item: tuple[int, str]) -> Page:
        number, name = item
        with zipfile.ZipFile(path) as z:
            data = z.read(name)
        return page_from_bytes(data, number, timeout)

    pages = [p for p in ocr.map_pages(one, list(enumerate(names, start=first))) if p.text]
    for number, page in enumerate(pages, start=first):
        page.number = number
    return pages


def extract_docx(path: Path, *, timeout: float | None = None) -> Extraction:
    path = Path(path)
    try:
        check_zip(path)
        document = docx.Document(str(path))
    except DocxError as e:
        return Extraction(kind="docx", error_code=ErrorKind.CORRUPT_FILE, error_reason=str(e))
    except Exception as e:
        return Extraction(kind="docx", error_code=ErrorKind.CORRUPT_FILE,
                          error_reason=f"DOCX cannot be opened: {type(e).__name__}: {e}")
    lines = _header_lines(document)
    tables: list[list[list[str]]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = _para_text(block._p)
            if text:
                lines.append(text)
        elif isinstance(block, Table):
            rows = _table_rows(block)
            if any(any(c for c in r) for r in rows):
                tables.append(rows)
                lines.extend("\t".join(r) for r in rows if any(r))
    text = "\n".join(lines)
    pages = [Page(number=1, text=text, source="text" if text else "empty")]
    if not ocr.usable_text(pages[0].text):
        pages += _scan_pages(path, 2, timeout)
    return Extraction(kind="docx", pages=pages, tables=tables)
