"""The text of one document as the field extractors see it: OCR-repaired pages, cut into lines
that remember their page, with the spaCy markers of each page mapped onto lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from extractors.model import Extraction, Word
from extractors.nlp import Marker, markers
from extractors.textnorm import fold, repair_ocr_words

_LEADING = re.compile(r"^[\s|.\-\d)(:*•]*$")


# Words of an OCR line further apart than this many word heights stand in different columns
# (side-by-side signature blocks that Tesseract reads as one line)
_COLUMN_GAP = 2.5


@dataclass(frozen=True)   # shared by the DocTexts of one text (_text_lines)
class Line:
    i: int                  # index in DocText.lines
    page: int
    text: str
    start: int              # offset of the line in its page text
    markers: list[Marker] = field(default_factory=list)
    # OCR lines: (start offset in `text`, end offset, left px, right px) per column segment
    segments: list[tuple[int, int, int, int]] | None = None
    # OCR lines: Tesseract's confidence per word of `text.split(" ")`
    confs: list[float] | None = None

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    def leading(self) -> set[str]:
        """Labels of the markers that open the line (only punctuation/numbering before them)."""
        out = set()
        for m in self.markers:
            off = m.start - self.start
            if 0 <= off <= len(self.text) and _LEADING.match(self.text[:off]):
                out.add(m.label)
        return out


class DocText:
    """`pages` and `lines` are shared with other DocTexts of the same text (see `_text_lines`):
    read them, never change them."""

    def __init__(self, extraction: Extraction, doc_type: str = "unknown"):
        self.doc_type = doc_type
        # per page: number, text, and for a page laid out from its OCR words, its lines
        # (texts, column segments, word confidences)
        read: list[tuple[int, str, tuple[list[str], list, list] | None]] = []
        for p in extraction.pages:
            if not p.text or not p.text.strip():
                continue
            rows = _layout(p.text, p.words) if p.words else None
            if rows is None:
                text = repair_ocr_words(p.text.replace("\r\n", "\n").replace("\f", "\n"))
                read.append((p.number, text, None))
            else:
                texts = [repair_ocr_words(" ".join(w.text for w in r)) for r in rows]
                segs = [_segments(r, t) for r, t in zip(rows, texts)]
                confs = [[w.conf for w in r] if len(t.split(" ")) == len(r) else None
                         for r, t in zip(rows, texts)]
                read.append((p.number, "\n".join(texts), (texts, segs, confs)))
        if all(laid_out is None for _, _, laid_out in read):
            pages, lines = _text_lines(tuple((number, text) for number, text, _ in read))
        else:
            pages, lines = _lines([(number, *(laid_out or (text.split("\n"), None, None)))
                                   for number, text, laid_out in read])
        self.pages: list[tuple[int, str]] = list(pages)
        self.lines: list[Line] = list(lines)

    @staticmethod
    def _attach(lines: list[Line], found: tuple[Marker, ...]) -> None:
        j = 0
        for m in found:
            while j + 1 < len(lines) and lines[j + 1].start <= m.start:
                j += 1
            lines[j].markers.append(m)

    @property
    def first_page(self) -> int | None:
        return self.pages[0][0] if self.pages else None

    def page_lines(self, page: int) -> list[Line]:
        return [ln for ln in self.lines if ln.page == page]

    def nonblank(self, lines: list[Line] | None = None) -> list[Line]:
        return [ln for ln in (self.lines if lines is None else lines) if not ln.blank]


def _lines(read: list[tuple[int, list[str], list | None, list | None]]
           ) -> tuple[tuple[tuple[int, str], ...], tuple[Line, ...]]:
    """Pages and lines of a document from its pages' (number, line texts, column segments, word
    confidences), with the spaCy markers of each page attached to its lines."""
    pages: list[tuple[int, str]] = []
    lines: list[Line] = []
    for number, texts, segs, confs in read:
        pages.append((number, "\n".join(texts)))
        page_lines = []
        off = 0
        for j, raw in enumerate(texts):
            ln = Line(len(lines), number, raw, off, segments=segs[j] if segs else None,
                      confs=confs[j] if confs else None)
            lines.append(ln)
            page_lines.append(ln)
            off += len(raw) + 1
        DocText._attach(page_lines, markers(pages[-1][1]))
    return tuple(pages), tuple(lines)


@lru_cache(maxsize=8)
def _text_lines(pages: tuple[tuple[int, str], ...]) -> tuple[tuple[tuple[int, str], ...], tuple[Line, ...]]:
    """`_lines` of a document read from its text alone, remembered: the classifier reads an SK's
    subject from a DocText, and the field extractors then build one of the same text (each
    page's markers are half of what understanding a page costs). Keyed by the repaired page
    texts, which both arrive at; pages with OCR word boxes are laid out from them, not cached."""
    return _lines([(number, text.split("\n"), None, None) for number, text in pages])


def _ocr_lines(raw_text: str, words: list[Word]) -> list[list[Word]] | None:
    """Tesseract's lines as word lists. The OCR text is its words joined by single spaces, line
    by line; a page whose text does not line up with its words gets None."""
    out = []
    k = 0
    for raw in raw_text.split("\n"):
        toks = raw.split(" ") if raw.strip() else []
        chunk = words[k:k + len(toks)]
        if [w.text for w in chunk] != toks:
            return None
        k += len(toks)
        if chunk:
            out.append(chunk)
    return out if k == len(words) else None


def _median(values: list[int]) -> float:
    v = sorted(values)
    return float(v[len(v) // 2]) if v else 0.0


def _layout(raw_text: str, words: list[Word]) -> list[list[Word]] | None:
    """The page's lines in reading order, from the positions of Tesseract's lines: Tesseract reads
    a page as blocks, and a label column ("Menimbang", "Mengingat" …) or the left one of two
    signature columns becomes a block of its own, read before or after the rest, which cuts a
    TENTANG subject or a signature block apart. Lines at the same height are joined left to
    right; an empty row stands for vertical space of more than a line's height (a new paragraph,
    the room left for a signature). Empty list entries are those blank rows."""
    lines = _ocr_lines(raw_text, words)
    if not lines:
        return None
    long = [w for w in words if len(w.text) >= 3]
    if sum(w.height > w.width for w in long) * 2 > len(long):
        # Tesseract read a page lying on its side as vertical text: the text is right but the
        # boxes run top to bottom, so its own order is the only one to trust
        return None
    height = _median([w.height for w in words if w.height > 0]) or 1.0
    pieces = []
    for chunk in lines:
        # a sparse column (the labels "Menimbang", "Mengingat" …) can come back as one "line"
        # whose words lie one under the other: cut it where a word sits a line lower
        cur = [chunk[0]]
        for w in chunk[1:]:
            prev = cur[-1]
            if abs((w.top + w.height / 2) - (prev.top + prev.height / 2)) > 0.8 * height:
                pieces.append(cur)
                cur = []
            cur.append(w)
        pieces.append(cur)
    boxes = []
    for chunk in pieces:
        top = _median([w.top for w in chunk])
        bottom = _median([w.top + w.height for w in chunk])
        boxes.append((top, bottom, min(w.left for w in chunk), max(w.left + w.width for w in chunk), chunk))
    boxes.sort(key=lambda b: (b[0], b[2]))
    rows: list[list] = []   # [top, bottom, [(left, right, chunk)]]
    for top, bottom, left, right, chunk in boxes:
        for r in rows[-4:]:
            overlap = min(bottom, r[1]) - max(top, r[0])
            apart = all(right <= a or left >= b for a, b, _ in r[2])
            if apart and overlap > 0.5 * min(bottom - top, r[1] - r[0]):
                r[2].append((left, right, chunk))  # the row keeps its first extent: no snowballing
                break
        else:
            rows.append([top, bottom, [(left, right, chunk)]])
    rows.sort(key=lambda r: r[0])
    out: list[list[Word]] = []
    prev_bottom = None
    for top, bottom, parts in rows:
        if prev_bottom is not None and top - prev_bottom > height:
            out.append([])
        out.append([w for _, _, chunk in sorted(parts, key=lambda p: p[0]) for w in chunk])
        prev_bottom = bottom
    return out


def _segments(row: list[Word], text: str) -> list[tuple[int, int, int, int]] | None:
    """Column segments of an OCR line: (start, end offset in `text`, left px, right px)."""
    tokens = text.split(" ")
    if not row or len(tokens) != len(row):
        return None
    gap = _COLUMN_GAP * _median([w.height for w in row])
    segs = []
    pos = 0
    seg_start, left, right = 0, row[0].left, row[0].left + row[0].width
    for j, (w, tok) in enumerate(zip(row, tokens)):
        if j and w.left - right > gap:
            segs.append((seg_start, pos - 1, left, right))
            seg_start, left = pos, w.left
        right = max(right, w.left + w.width)
        pos += len(tok) + 1
    segs.append((seg_start, len(text), left, right))
    return segs


def digit_confs(line: Line, start: int) -> list[float] | None:
    """The OCR confidence of each NIP digit from `start` (an offset in the page) on: each digit
    gets that of the word it was read in. None without word confidences (a text layer)."""
    if not line.confs:
        return None
    out: list[float] = []
    pos = line.start
    for word, conf in zip(line.text.split(" "), line.confs):
        if pos + len(word) > start:
            out += [conf] * sum(c.isdigit() for c in word[max(0, start - pos):])
        pos += len(word) + 1
        if len(out) >= 18:
            break
    return out[:18] if len(out) >= 18 else None
