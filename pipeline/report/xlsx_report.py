"""report.xlsx: the LKE-shaped sheet evaluators know, plus the flags and the documents.

Cells carry untrusted document text. openpyxl turns any string starting with "=" into a formula,
so every string cell is forced to the string type: a file name or snippet like
"=HYPERLINK(...)" must stay text when a reviewer opens the workbook.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.report.output import atomic_write_bytes
from pipeline.i18n import fmt_value, report_lang, ui_strings
from pipeline.report.lke_sheet import add_lke_sheet, evidence_link

HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
HEADER_FONT = Font(bold=True, color="1D2733")
SEVERITY_FILL = {"error": PatternFill("solid", fgColor="FDF1F0"),
                 "warning": PatternFill("solid", fgColor="FDF6E7"),
                 "info": PatternFill("solid", fgColor="EEF5FB")}
WAIVED_FONT = Font(color="66707A", italic=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
MAX_CELL = 32767  # Excel's limit on characters in a cell


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", fmt_value(value) if not isinstance(value, str) else value)
    return text[:MAX_CELL]


def _add_sheet(wb: Workbook, title: str, headers: list[str], rows: Iterable[list[Any]],
               widths: list[int], wrap_cols: set[int] = frozenset()) -> Worksheet:
    ws = wb.create_sheet(title=title[:31])
    ws.append(headers)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    n = 1
    # ws.cell by index: ws.max_row rescans every cell, which made large reports quadratic.
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=n, column=col, value=_clean(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = WRAP if col in wrap_cols else TOP
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n}"
    ws.row_dimensions[1].height = 30
    return ws


def _review_text(review: dict[str, Any] | None, s: dict[str, Any]) -> str:
    if not review:
        return ""
    text = s["review_waived"] if review.get("decision") == "waived" else s["review_acknowledged"]
    if review.get("reason"):
        text += f": {review['reason']}"
    if review.get("at"):
        text += f" ({review['at']})"
    return text


def build_workbook(report: dict[str, Any], out_dir: Path | None = None) -> Workbook:
    lang = report_lang(report)
    s = ui_strings(lang)
    wb = Workbook()
    wb.remove(wb.active)
    flags = report.get("flags", [])
    flags_by_id = {f["id"]: f for f in flags}

    def sev_label(sev: str) -> str:
        return s.get(f"severity_{sev}", sev)

    add_lke_sheet(wb, report, s, evidence_link(report, out_dir))

    flag_rows = []
    for f in flags:
        ev = f.get("evidence") or {}
        region = ev.get("region") or {}
        flag_rows.append([f.get("id"), f.get("code"), sev_label(f.get("severity", "")), f.get("indicator"),
                          "\n".join(f.get("documents", [])), f.get("message"),
                          fmt_value(ev.get("found")) if ev.get("found") is not None else None,
                          fmt_value(ev.get("expected")) if ev.get("expected") is not None else None,
                          # the page the region is on where the flag names none (a letterhead, a
                          # missing signature's place); the excerpt (last, so the columns before
                          # keep their places) is what the page reads there
                          ev.get("page") or region.get("page"), _review_text(f.get("review"), s), f.get("key"),
                          region.get("text") or f.get("snippet")])
    ws = _add_sheet(wb, s["sheet_flags"],
                    [s["xl_id"], s["xl_code"], s["xl_severity"], s["xl_indicator"], s["xl_documents"],
                     s["xl_message"], s["xl_found"], s["xl_expected"], s["xl_page"], s["xl_review"],
                     s["xl_key"], s["xl_excerpt"]],
                    flag_rows, [8, 24, 13, 11, 50, 60, 30, 30, 9, 36, 30, 60], wrap_cols={5, 6, 7, 8, 10, 12})
    for row, f in zip(ws.iter_rows(min_row=2), flags):
        fill = SEVERITY_FILL.get(f.get("severity", ""))
        if fill:
            row[2].fill = fill
        if (f.get("review") or {}).get("decision") == "waived":
            for cell in row:
                cell.font = WAIVED_FONT

    doc_rows = []
    for d in report.get("documents", []):
        fields = d.get("fields") or {}
        sig = fields.get("signatory") or {}
        signatory = " — ".join(x for x in (sig.get("name"), sig.get("nip")) if x) or None
        doc_rows.append([d.get("path"), d.get("doc_type"), d.get("doc_type_confidence"), d.get("text_source"),
                         d.get("ocr_confidence"), fields.get("nomor"), fields.get("tanggal"), signatory,
                         ", ".join(d.get("indicators", []))])
    ws = _add_sheet(wb, s["sheet_documents"],
                    [s["xl_path"], s["xl_type"], s["xl_confidence"], s["xl_text_source"], s["xl_ocr"],
                     s["xl_nomor"], s["xl_tanggal"], s["xl_signatory"], s["xl_indicators"]],
                    doc_rows, [64, 24, 12, 13, 13, 26, 12, 44, 16], wrap_cols={1, 8})
    for row in ws.iter_rows(min_row=2):
        row[2].number_format = "0.00"
        row[4].number_format = "0.0"

    wb.properties.title = f"bukti — {report.get('unit') or ''} {report.get('period') or ''}".strip()[:255]
    wb.properties.creator = "bukti"
    return wb


def write_xlsx(report: dict[str, Any], out_dir: Path) -> Path:
    """Write OUT_DIR/report.xlsx atomically and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.xlsx"
    wb = build_workbook(report, out_dir)
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path
