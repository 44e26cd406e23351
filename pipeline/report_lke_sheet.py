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
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
COLUMNS = ("xl_no", "xl_component", "xl_bobot", "xl_choices", "xl_answer", "xl_value", "xl_explanation",
           "xl_eviden", "xl_status")
WIDTHS = (12, 60, 8, 14, 11, 9, 60, 48, 16)
A, B, C, D, E, F, G, H, I = "ABCDEFGHI"   # column letters, named for the formulas below


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
        # Spreadsheet apps do not grow a row for wrapped text a writer left unsized: estimate it.
        lines = max([1] + [sum(1 + len(part) // max(1, int(WIDTHS[c] * 1.25)) for part in v.split("\n"))
                           for c, v in enumerate(values) if isinstance(v, str) and not v.startswith("=")])
        ws.row_dimensions[row].height = min(409, 15 * min(lines, 8))
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, str) and value.startswith("=") and col in (3, 6):
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
                    put([q["id"], q.get("text"), None, choices, answer,
                         _score_formula(q["answer_type"], f"{E}{qrow}"),
                         q.get("basis"), "\n".join(evidence), s["xl_needs_input"] if q.get("needs_input") else None])
                    cell = ws.cell(row=qrow, column=5)
                    if q.get("needs_input"):
                        cell.fill = INPUT_FILL
                    if q.get("answers"):
                        key = ",".join(q["answers"])
                        if key not in validations:
                            dv = DataValidation(type="list", formula1=f'"{key}"', allow_blank=True)
                            ws.add_data_validation(dv)
                            validations[key] = dv
                        validations[key].add(cell)
                    else:
                        cell.number_format = "0%"
                    link = href(evidence[0]) if evidence else None
                    if link:
                        ws.cell(row=qrow, column=8).hyperlink = link
                    ws.cell(row=qrow, column=6).number_format = "0.00"
                last_q = row - 1
                if last_q >= first_q:
                    ws.cell(row=ind_row, column=6).value = f"={C}{ind_row}*AVERAGE({F}{first_q}:{F}{last_q})"
                else:
                    ws.cell(row=ind_row, column=6).value = 0
                ws.cell(row=ind_row, column=6).number_format = "0.00"
                ind_rows.append(ind_row)
            ws.cell(row=part_row, column=6).value = "=" + "+".join(f"{F}{r}" for r in ind_rows)
            ws.cell(row=part_row, column=6).number_format = "0.00"
            part_rows.append(part_row)
            part_cells[part].append(f"{F}{part_row}")
        ws.cell(row=area_row, column=6).value = ("=" + "+".join(f"{F}{r}" for r in part_rows)) if part_rows else 0
        ws.cell(row=area_row, column=6).number_format = "0.00"
        area_cells.append((area, f"{F}{area_row}"))

    refs: dict[str, Any] = {"areas": area_cells}
    refs["pemenuhan"] = put([None, s["xl_total_pemenuhan"], 30, None, None,
                             "=" + ("+".join(part_cells["pemenuhan"]) or "0"), None, None, None], TOTAL_FILL, True)
    refs["reform"] = put([None, s["xl_total_reform"], 30, None, None,
                          "=" + ("+".join(part_cells["reform"]) or "0"), None, None, None], TOTAL_FILL, True)
    refs["pengungkit"] = put([None, s["xl_pengungkit"], score.get("pengungkit_max", 60), None, None,
                              "=" + ("+".join(c for _, c in area_cells) or "0"), None, None, None], TOTAL_FILL, True)
    hasil = (score.get("hasil") or {}).get("items") or {}
    hasil_rows = {}
    for key in ("ipak", "capaian_kinerja", "ipkp"):
        value = hasil.get(key)
        hasil_rows[key] = put([None, s[f"min_{key}"], None, None, None, value, s["xl_from_unit_yaml"], None,
                               None if value is not None else s["xl_needs_input"]])
        cell = ws.cell(row=hasil_rows[key], column=6)
        cell.number_format = "0.00"
        if value is None:
            cell.fill = INPUT_FILL
    refs["hasil"] = hasil_rows
    refs["hasil_total"] = put([None, s["xl_hasil"], score.get("hasil_max", 40), None, None,
                               "=" + "+".join(f"{F}{r}" for r in hasil_rows.values()), None, None, None],
                              TOTAL_FILL, True)
    refs["total"] = put([None, s["xl_total"], 100, None, None,
                         f"={F}{refs['pengungkit']}+{F}{refs['hasil_total']}", None, None, None], TOTAL_FILL, True)
    for r in (refs["pemenuhan"], refs["reform"], refs["pengungkit"], refs["hasil_total"], refs["total"]):
        ws.cell(row=r, column=6).number_format = "0.00"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions["ABCDEFGHI"[i - 1]].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:I{row - 1}"
    _minima_sheet(wb, ws.title, score, refs, s)
    return ws


def _minima_sheet(wb: Workbook, lke: str, score: dict[str, Any], refs: dict[str, Any], s: dict[str, Any]) -> None:
    """One row per minimum of the target: its live value from the LKE sheet and whether it holds."""
    ws = wb.create_sheet(title=s["sheet_minima"][:31])
    ws.append([s["xl_minimum"], s["xl_value"], s["xl_limit"], s["xl_met"]])
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = PART_FILL
    sheet = "'" + lke.replace("'", "''") + "'!"
    area_refs = {a["code"]: (a, c) for a, c in refs["areas"]}
    yes, no = s["xl_yes"], s["xl_no_"]
    for m in score.get("minima") or []:
        mid, limit = m["id"], m["limit"]
        value: Any = m.get("estimate")
        label = s[f"min_{mid}"]
        if mid == "total":
            value = f"={sheet}{F}{refs['total']}"
        elif mid == "pengungkit":
            value = f"={sheet}{F}{refs['pengungkit']}"
        elif mid == "area_min_pct" and m.get("subject") in area_refs:
            area, cell = area_refs[m["subject"]]
            value = f"=100*{sheet}{cell}/{area.get('weight') or 1}"
            label = f"{label}: {m['subject']} {area.get('name') or ''}".strip()
        elif mid == "area_min_pct":
            label = f"{label}: {m.get('subject')}"
        elif mid in ("ipak", "capaian_kinerja", "ipkp"):
            value = f"={sheet}{F}{refs['hasil'][mid]}"
        elif mid == "birokrasi_bersih_akuntabel":
            value = f"={sheet}{F}{refs['hasil']['ipak']}+{sheet}{F}{refs['hasil']['capaian_kinerja']}"
        r = ws.max_row + 1
        _text(ws.cell(row=r, column=1), label)
        vcell = ws.cell(row=r, column=2)
        if isinstance(value, str) and value.startswith("="):
            vcell.value = value
            vcell.number_format = "0.00"
        else:
            _text(vcell, value)
        _text(ws.cell(row=r, column=3), limit)
        if mid == "requires":
            met = {True: yes, False: no}.get(m["met"], s["xl_unknown"])
            _text(ws.cell(row=r, column=4), met)
        elif mid in ("total", "birokrasi_bersih_akuntabel", "ipak", "capaian_kinerja", "ipkp"):
            # an input left empty is unknown, not a failure
            deps = {"total": [refs["hasil"][k] for k in refs["hasil"]],
                    "birokrasi_bersih_akuntabel": [refs["hasil"]["ipak"], refs["hasil"]["capaian_kinerja"]]}.get(
                        mid, [refs["hasil"].get(mid)])
            blank = "OR(" + ",".join(f"ISBLANK({sheet}{F}{d})" for d in deps) + ")"
            ws.cell(row=r, column=4).value = f'=IF({blank},"{s["xl_unknown"]}",IF(B{r}>=C{r},"{yes}","{no}"))'
        else:
            ws.cell(row=r, column=4).value = f'=IF(B{r}>=C{r},"{yes}","{no}")'
    for col, width in zip("ABCD", (56, 12, 10, 14)):
        ws.column_dimensions[col].width = width


def evidence_link(report: dict[str, Any], out_dir: Path | None):
    """A function path → relative href from the report folder (None without an out_dir)."""
    from pipeline.report_html import evidence_href
    if out_dir is None:
        return lambda path: None
    return lambda path: evidence_href(report.get("evidence_dir"), path, out_dir)
