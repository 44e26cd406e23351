"""The "LKE" sheet of report.xlsx, in the LKE's own shape: area → part → indicator → question,
with the columns units know (No, Komponen/Pertanyaan, Bobot, Pilihan Jawaban, Jawaban, Nilai,
Penjelasan, Eviden).

Every Nilai is a live formula over the answer cells, so a TPI reviewer can change an answer (a
drop-down of the answers the question allows) and see the indicator, part, area, Pengungkit and
total move; the "Nilai Minimal" sheet compares those cells with the predicate's minima. Answers
are prefilled with bukti's proposal; questions documents cannot decide are left empty (score 0,
as the evidence estimate counts them) and marked "needs input".
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rules.questions import ANSWER_SCORES, PERCENT

AREA_FILL = PatternFill("solid", fgColor="D5E1EC")
PART_FILL = PatternFill("solid", fgColor="E8EEF4")
IND_FILL = PatternFill("solid", fgColor="F4F7FA")
INPUT_FILL = PatternFill("solid", fgColor="FDF6E7")
TOTAL_FILL = PatternFill("solid", fgColor="C9D8E6")
UNSUPPORTED_FILL = PatternFill("solid", fgColor="FDF1F0")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
COLUMNS = ("xl_no", "xl_component", "xl_bobot", "xl_choices", "xl_answer", "xl_value", "xl_claimed",
           "xl_claimed_value", "xl_explanation", "xl_eviden", "xl_status")
WIDTHS = (12, 60, 8, 14, 11, 9, 11, 9, 60, 48, 16)
# Column letters, named for the formulas below: the proposal (E answer, F score) and the unit's
# own answer (G answer, H score) side by side, each with its own subtotals.
C, E, F, G, H = "C", "E", "F", "G", "H"
SCORE_COLS = ((5, 6), (7, 8))     # (answer column, score column) by index
LAST = "K"


def _text(cell, value: Any) -> None:
    """Untrusted text stays text: a value starting with '=' must never become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _score_formula(answer_type: str, ref: str) -> str:
    """Nilai of one question from its answer cell, the LKE's score table inlined."""
    if answer_type == PERCENT:
        # a percentage typed as 87% is 0.87; typed as 87 it is read as 87 %
        return f'=IF(ISNUMBER({ref}),MIN(1,MAX(0,IF({ref}>1,{ref}/100,{ref}))),0)'
    table = ANSWER_SCORES[answer_type]
    answers = ",".join(f'"{a}"' for a in table)
    scores = ",".join(f"{v:g}" for v in table.values())
    # MATCH is case-insensitive, so "ya" or "b" typed by hand still score
    return f'=IFERROR(INDEX({{{scores}}},MATCH(TRIM({ref}),{{{answers}}},0)),0)'


def add_lke_sheet(wb: Workbook, report: dict[str, Any], s: dict[str, Any],
                  href: Any = lambda path: None) -> Worksheet:
    ws = wb.create_sheet(title=s["sheet_lke"][:31])
    ws.append([s[c] for c in COLUMNS])
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = PART_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    score = report.get("score") or {}
    indicators = report.get("indicators") or []
    areas = score.get("areas") or []
    if not areas:     # a report without a score (older packs): areas in the order indicators name them
        seen: dict[str, dict[str, Any]] = {}
        for ind in indicators:
            code = str(ind.get("area_code") or ind.get("area") or "")
            seen.setdefault(code, {"code": code, "name": ind.get("area") or code, "weight": None})
        areas = list(seen.values())
    lang = "en" if report.get("lang") == "en" else "id"
    validations: dict[str, DataValidation] = {}
    row = 2
    area_cells, part_cells = [], {"pemenuhan": [], "reform": []}

    def put(values: list[Any], fill: PatternFill | None = None, bold: bool = False) -> int:
        nonlocal row
        if len(values) == 9:      # rows are written without the two unit columns, inserted here
            values = values[:6] + [None, None] + values[6:]
        # Spreadsheet apps do not grow a row for wrapped text a writer left unsized: estimate it.
        lines = max([1] + [sum(1 + len(part) // max(1, int(WIDTHS[c] * 1.25)) for part in v.split("\n"))
                           for c, v in enumerate(values) if isinstance(v, str) and not v.startswith("=")])
        ws.row_dimensions[row].height = min(409, 15 * min(lines, 8))
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, str) and value.startswith("=") and col in (3, 6, 8):
                cell.value = value            # our own formulas, only in Bobot/Nilai
            else:
                _text(cell, value)
            cell.alignment = WRAP
            if fill:
                cell.fill = fill
            if bold:
                cell.font = BOLD
        row += 1
        return row - 1

    for area in areas:
        name = (area.get("name_en") if lang == "en" else None) or area.get("name") or area["code"]
        area_row = put([area["code"], name, area.get("weight"), None, None, None, None, None, None],
                       AREA_FILL, bold=True)
        part_rows = []
        for part in ("pemenuhan", "reform"):
            inds = [i for i in indicators if i.get("area_code") == area["code"] and i.get("part", "pemenuhan") == part]
            if not inds:
                continue
            pinfo = (area.get("parts") or {}).get(part) or {}
            part_row = put([f"{area['code']}.{'P' if part == 'pemenuhan' else 'R'}", s[f"xl_{part}"],
                            pinfo.get("weight"), None, None, None, None, None, None], PART_FILL, bold=True)
            ind_rows = []
            for ind in inds:
                ind_row = put([ind["code"], ind.get("title"), ind.get("bobot", ind.get("weight")), None, None,
                               None, None, "\n".join(ind.get("evidence") or []),
                               s.get(f"status_{ind.get('status')}", ind.get("status"))], IND_FILL, bold=True)
                first_q = row
                for q in ind.get("questions") or []:
                    qrow = row
                    choices = "/".join(q.get("answers") or []) or "%"
                    answer = q.get("proposed")
                    if q["answer_type"] == PERCENT:
                        answer = None   # documents never decide a percentage
                    evidence = q.get("evidence") or []
                    claimed = q.get("claimed")
                    if q["answer_type"] == PERCENT and isinstance(claimed, str) and claimed.endswith("%"):
                        claimed = float(claimed[:-1]) / 100.0
                    status = {"unsupported": s["xl_claim_unsupported"], "not_verified": s["xl_claim_not_verified"]
                              }.get(q.get("claim_status")) or (s["xl_needs_input"] if q.get("needs_input") else None)
                    put([q["id"], q.get("text"), None, choices, answer,
                         _score_formula(q["answer_type"], f"{E}{qrow}"), claimed,
                         _score_formula(q["answer_type"], f"{G}{qrow}"),
                         q.get("basis"), "\n".join(evidence), status])
                    for answer_col, score_col in SCORE_COLS:
                        cell = ws.cell(row=qrow, column=answer_col)
                        if q.get("answers"):
                            key = ",".join(q["answers"])
                            if key not in validations:
                                dv = DataValidation(type="list", formula1=f'"{key}"', allow_blank=True)
                                ws.add_data_validation(dv)
                                validations[key] = dv
                            validations[key].add(cell)
                        else:
                            cell.number_format = "0%"
                        ws.cell(row=qrow, column=score_col).number_format = "0.00"
                    if q.get("needs_input"):
                        ws.cell(row=qrow, column=5).fill = INPUT_FILL
                    if q.get("claim_status") == "unsupported":
                        ws.cell(row=qrow, column=7).fill = UNSUPPORTED_FILL
                    link = href(evidence[0]) if evidence else None
                    if link:
                        ws.cell(row=qrow, column=10).hyperlink = link
                last_q = row - 1
                for _, col in SCORE_COLS:
                    L = "ABCDEFGH"[col - 1]
                    ws.cell(row=ind_row, column=col).value = (
                        f"={C}{ind_row}*AVERAGE({L}{first_q}:{L}{last_q})" if last_q >= first_q else 0)
                    ws.cell(row=ind_row, column=col).number_format = "0.00"
                ind_rows.append(ind_row)
            _sum(ws, part_row, ind_rows)
            part_rows.append(part_row)
            part_cells[part].append(part_row)
        _sum(ws, area_row, part_rows)
        area_cells.append((area, area_row))

    refs: dict[str, Any] = {"areas": area_cells}
    for key, label, weight, rows_ in (("pemenuhan", "xl_total_pemenuhan", 30, part_cells["pemenuhan"]),
                                      ("reform", "xl_total_reform", 30, part_cells["reform"]),
                                      ("pengungkit", "xl_pengungkit", score.get("pengungkit_max", 60),
                                       [r for _, r in area_cells])):
        refs[key] = put([None, s[label], weight, None, None, None, None, None, None], TOTAL_FILL, True)
        _sum(ws, refs[key], rows_)
    hasil = (score.get("hasil") or {}).get("items") or {}
    hasil_rows = {}
    for key in ("ipak", "capaian_kinerja", "ipkp"):
        value = hasil.get(key)
        # the same Hasil for both columns: it comes from unit.yaml, not from the answers
        hasil_rows[key] = put([None, s[f"min_{key}"], None, None, None, value, None, value, s["xl_from_unit_yaml"],
                               None, None if value is not None else s["xl_needs_input"]])
        for _, col in SCORE_COLS:
            cell = ws.cell(row=hasil_rows[key], column=col)
            cell.number_format = "0.00"
            if value is None:
                cell.fill = INPUT_FILL
    refs["hasil"] = hasil_rows
    refs["hasil_total"] = put([None, s["xl_hasil"], score.get("hasil_max", 40), None, None, None, None, None, None],
                              TOTAL_FILL, True)
    _sum(ws, refs["hasil_total"], list(hasil_rows.values()))
    refs["total"] = put([None, s["xl_total"], 100, None, None, None, None, None, None], TOTAL_FILL, True)
    _sum(ws, refs["total"], [refs["pengungkit"], refs["hasil_total"]])
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions["ABCDEFGHIJK"[i - 1]].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{LAST}{row - 1}"
    _minima_sheet(wb, ws.title, score, refs, s)
    return ws


def _sum(ws: Worksheet, row: int, rows: list[int]) -> None:
    """Subtotal in both score columns: the sum of those rows' cells."""
    for _, col in SCORE_COLS:
        L = "ABCDEFGH"[col - 1]
        ws.cell(row=row, column=col).value = ("=" + "+".join(f"{L}{r}" for r in rows)) if rows else 0
        ws.cell(row=row, column=col).number_format = "0.00"


def _minima_sheet(wb: Workbook, lke: str, score: dict[str, Any], refs: dict[str, Any], s: dict[str, Any]) -> None:
    """One row per minimum of the target, evaluated twice from the LKE sheet's live cells: on the
    proposed answers and on the unit's own answers."""
    ws = wb.create_sheet(title=s["sheet_minima"][:31])
    ws.append([s["xl_minimum"], s["xl_value"], s["xl_claimed_value"], s["xl_limit"], s["xl_met"], s["xl_claimed_met"]])
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = PART_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet = "'" + lke.replace("'", "''") + "'!"
    area_refs = {a["code"]: (a, r) for a, r in refs["areas"]}
    yes, no = s["xl_yes"], s["xl_no_"]
    hasil = refs["hasil"]
    for m in score.get("minima") or []:
        mid, limit = m["id"], m["limit"]
        label = s[f"min_{mid}"]
        if mid == "area_min_pct":
            area = area_refs.get(m.get("subject"), ({}, None))[0]
            label = f"{label}: {m.get('subject')} {area.get('name') or ''}".strip()
        r = ws.max_row + 1
        _text(ws.cell(row=r, column=1), label)
        _text(ws.cell(row=r, column=4), limit)
        for n, (_, col) in enumerate(SCORE_COLS):
            L = "ABCDEFGH"[col - 1]
            value: Any = None
            if mid in ("total", "pengungkit"):
                value = f"={sheet}{L}{refs[mid]}"
            elif mid == "area_min_pct" and m.get("subject") in area_refs:
                area, arow = area_refs[m["subject"]]
                value = f"=100*{sheet}{L}{arow}/{area.get('weight') or 1}"
            elif mid in ("ipak", "capaian_kinerja", "ipkp"):
                value = f"={sheet}{L}{hasil[mid]}"
            elif mid == "birokrasi_bersih_akuntabel":
                value = f"={sheet}{L}{hasil['ipak']}+{sheet}{L}{hasil['capaian_kinerja']}"
            vcell = ws.cell(row=r, column=2 + n)
            if value is None:
                _text(vcell, m.get("estimate"))
            else:
                vcell.value = value
                vcell.number_format = "0.00"
            met_cell = ws.cell(row=r, column=5 + n)
            V = "BC"[n]
            if mid == "requires":
                _text(met_cell, {True: yes, False: no}.get(m["met"], s["xl_unknown"]))
            elif mid in ("total", "birokrasi_bersih_akuntabel", "ipak", "capaian_kinerja", "ipkp"):
                # an input left empty is unknown, not a failure
                deps = {"total": list(hasil.values()),
                        "birokrasi_bersih_akuntabel": [hasil["ipak"], hasil["capaian_kinerja"]]}.get(mid, [hasil.get(mid)])
                blank = "OR(" + ",".join(f"ISBLANK({sheet}{L}{d})" for d in deps) + ")"
                met_cell.value = f'=IF({blank},"{s["xl_unknown"]}",IF({V}{r}>=D{r},"{yes}","{no}"))'
            else:
                met_cell.value = f'=IF({V}{r}>=D{r},"{yes}","{no}")'
    for col, width in zip("ABCDEF", (56, 12, 12, 10, 14, 14)):
        ws.column_dimensions[col].width = width


def evidence_link(report: dict[str, Any], out_dir: Path | None):
    """A function path → relative href from the report folder (None without an out_dir)."""
    from pipeline.report.html_report import evidence_href
    if out_dir is None:
        return lambda path: None
    return lambda path: evidence_href(report.get("evidence_dir"), path, out_dir)
