"""Member tables of text PDFs, read from the positions of PDFium's text runs.

A people table (the lampiran of an SK, a collective pakta, a daftar hadir) is a header row whose
cells name known columns (vocab `markers.table_headers`: No, Nama, NIP, Jabatan …) over rows of
cells aligned under them. PDFium already gives every run of text with its box, so finding the
columns under that header costs a few milliseconds a page, where pdfplumber re-parses the page in
Python (~100–300 ms). pdfplumber stays as the fallback for pages this cannot read (see pdf.py).

Geometry is PDF points, y growing upwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .textnorm import collapse_ws, load_vocab

# A run belongs to a column when its left edge lies before the midpoint of the gap between this
# column's header and the next one: values are left-aligned under left-aligned or centred headers.
_MIN_COLUMNS = 3


@dataclass(frozen=True)
class Run:
    left: float
    bottom: float
    right: float
    top: float
    text: str

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 0.1)


@lru_cache(maxsize=1)
def _header_words() -> dict[str, str]:
    """Header cell text (lower case) → column kind."""
    heads = load_vocab("markers")["table_headers"]
    return {v.lower(): kind for kind, values in heads.items() for v in values}


def _kind(text: str) -> str | None:
    t = collapse_ws(text).lower().rstrip(":")
    return _header_words().get(t)


def runs_of(textpage) -> list[Run]:
    """The page's text runs (pypdfium2 PdfTextPage; caller holds the PDFium lock)."""
    out = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        text = collapse_ws(text.replace("\r", " ").replace("\n", " "))
        if text:
            out.append(Run(left, bottom, right, top, text))
    return out


def _lines(runs: list[Run]) -> list[list[Run]]:
    """Runs grouped into lines (top of the page first), each line left to right."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: -r.middle):
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(run.middle - ref.middle) <= 0.5 * min(run.height, ref.height):
                last.append(run)
                continue
        lines.append([run])
    return [sorted(line, key=lambda r: r.left) for line in lines]


def _header(line: list[Run]) -> list[str] | None:
    kinds = [_kind(r.text) for r in line]
    known = [k for k in kinds if k]
    if "name" in known and len(known) >= 2 and len(line) >= _MIN_COLUMNS and len(known) * 2 > len(line):
        return kinds
    return None


def tables_from_runs(runs: list[Run]) -> list[list[list[str]]]:
    """Every headed table on the page as rows of cells (header row first), like pdfplumber's
    extract_tables: a cell broken over several lines comes back joined by newlines."""
    lines = _lines(runs)
    tables = []
    i = 0
    while i < len(lines):
        if _header(lines[i]) is None:
            i += 1
            continue
        table, i = _table_below(lines, i)
        if table:
            tables.append(table)
    return tables


def _table_below(lines: list[list[Run]], h: int) -> tuple[list[list[str]] | None, int]:
    head = lines[h]
    # Column k spans from the midpoint before its header to the midpoint after it.
    cuts = [(a.right + b.left) / 2 for a, b in zip(head, head[1:])]
    left_edge = head[0].left - 2 * head[0].height
    right_edge = head[-1].right + 40 * head[-1].height

    def column(run: Run) -> int | None:
        if run.left < left_edge or run.left > right_edge:
            return None
        return sum(run.left >= c for c in cuts)

    line_h = max(r.height for r in head)
    body: list[list[Run]] = []
    prev_bottom = min(r.bottom for r in head)
    j = h + 1
    while j < len(lines):
        line = lines[j]
        top = max(r.top for r in line)
        # A gap of more than two lines' height (the signature block, a new section) ends it;
        # so does a line that does not fit the columns (a paragraph across the page).
        if prev_bottom - top > 2.5 * line_h or any(column(r) is None for r in line) or _header(line):
            break
        body.append(line)
        prev_bottom = min(r.bottom for r in line)
        j += 1
    if not body:
        return None, j

    # Rows are anchored on the lines that open a cell in the first column (the "No" column);
    # the lines of a wrapped cell join the row whose anchor is nearest, since a wrapped cell is
    # drawn centred on its row.
    anchors = [line for line in body if column(line[0]) == 0]
    if not anchors:
        anchors = body
    centres = [line[0].middle for line in anchors]
    rows: list[list[list[Run]]] = [[[] for _ in head] for _ in anchors]
    for line in body:
        for run in line:
            k = min(range(len(centres)), key=lambda n: abs(centres[n] - run.middle))
            rows[k][column(run)].append(run)
    out = [[r.text for r in head]]
    for cells in rows:
        out.append(["\n".join(_join_lines(c)) for c in cells])
    return out, j


def _join_lines(runs: list[Run]) -> list[str]:
    """Runs of one cell, line by line from the top; runs on the same line joined by a space."""
    lines = _lines(runs)
    return [" ".join(r.text for r in line) for line in lines]
