"""The text of one document as the field extractors see it: OCR-repaired pages, cut into lines
that remember their page, with the spaCy markers of each page mapped onto lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from extractors.model import Extraction
from extractors.nlp import Marker, markers
from extractors.textnorm import fold, repair_ocr_words

_LEADING = re.compile(r"^[\s|.\-\d)(:*•]*$")


@dataclass
class Line:
    i: int                  # index in DocText.lines
    page: int
    text: str
    start: int              # offset of the line in its page text
    markers: list[Marker] = field(default_factory=list)

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
    def __init__(self, extraction: Extraction, doc_type: str = "unknown"):
        self.doc_type = doc_type
        self.pages: list[tuple[int, str]] = [
            (p.number, repair_ocr_words(p.text.replace("\r\n", "\n").replace("\f", "\n")))
            for p in extraction.pages if p.text and p.text.strip()]
        self.lines: list[Line] = []
        for number, text in self.pages:
            page_lines = []
            off = 0
            for raw in text.split("\n"):
                ln = Line(len(self.lines), number, raw, off)
                self.lines.append(ln)
                page_lines.append(ln)
                off += len(raw) + 1
            self._attach(page_lines, markers(text))

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
