"""The unit's own LKE answers (self-assessment): `lke.csv` or `lke.xlsx` at the top of the evidence
folder, or `--lke PATH` (format: ../shared/spec/README.md).

CSV: `kode,jawaban,eviden,penjelasan` (UTF-8, or Windows-1252 as spreadsheet programs on Windows
save it; `,` `;` or tab). XLSX: any sheet with such a header row, including the LKE sheet bukti
writes itself (No / Jawaban unit or Jawaban (usulan) / Eviden), so a reviewer can fill bukti's
sheet and feed it back. A sheet is untrusted input: a row that cannot be used becomes a warning
with its row number, never a crash; a formula without a saved value is read as empty.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from rules.model import Claim
from rules.pack import RulePack
from rules.questions import PERCENT

ANSWER_FILES = ("lke.csv", "lke.xlsx")
MAX_ROWS = 5000             # an LKE has 110 questions; more rows than this is not an answer sheet
MAX_BYTES = 20 * 1024 * 1024

# Header names, folded, in Indonesian and English, as units and bukti's own sheet write them.
_HEADERS = {
    "code": ("kode", "no", "kode pertanyaan", "code", "question"),
    "answer": ("jawaban", "jawaban unit", "answer", "claimed", "unit answer", "jawaban (unit)",
               "jawaban (usulan)", "answer (proposed)"),
    "eviden": ("eviden", "evidence", "bukti", "data dukung"),
    "penjelasan": ("penjelasan", "keterangan", "explanation", "basis", "catatan"),
}
# bukti's own sheet has both the unit's and the proposed answer: the unit's wins.
_ANSWER_PRIORITY = ("jawaban unit", "jawaban (unit)", "unit answer", "claimed", "jawaban", "answer",
                    "jawaban (usulan)", "answer (proposed)")
_NOT_A_QUESTION = re.compile(r"^[IVX]+(?:\.[PR](?:\.[ivx]+)?)?$")   # area, part, indicator rows


@dataclass
class Answers:
    source: str | None = None
    claims: dict[str, Claim] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def answers_path_for(evidence_dir: Path, given: str | None) -> Path | None:
    if given:
        return Path(given)
    for name in ANSWER_FILES:
        if (evidence_dir / name).is_file():
            return evidence_dir / name
    return None


def _fold(text: Any) -> str:
    return " ".join(str(text or "").strip().lower().split())


def load_answers(path: Path | None, pack: RulePack, evidence_paths: Iterable[str] = ()) -> Answers:
    """Claims by question code; everything unusable becomes a warning naming the row."""
    out = Answers(source=str(path) if path else None)
    if path is None:
        return out
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            out.warnings.append(f"{name}: {size} bytes, larger than an LKE answer sheet can be; ignored")
            return out
        rows = list(_xlsx_rows(path, out) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path, out))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        out.warnings.append(f"{name}: cannot be read ({exc.__class__.__name__}: {str(exc)[:120]}); no answers used")
        return out
    questions = {q.code: q for q in pack.questions}
    known_codes = {i.code for i in pack.indicators} | {a.code for a in pack.areas}
    by_name: dict[str, list[str]] = {}
    paths = set(evidence_paths)
    for p in paths:
        by_name.setdefault(p.rsplit("/", 1)[-1].lower(), []).append(p)
    for line, row in rows:
        code = str(row.get("code") or "").strip()
        raw = row.get("answer")
        if not code and raw in (None, ""):
            continue
        if code in known_codes or _NOT_A_QUESTION.match(code):
            continue          # area/part/indicator rows of an LKE-shaped sheet
        q = questions.get(code)
        if q is None:
            out.warnings.append(f"{name}:{line}: unknown question code {code!r}; row ignored")
            continue
        if code in out.claims:
            out.warnings.append(f"{name}:{line}: {code} answered twice; the first answer (row "
                                f"{out.claims[code].line}) is used")
            continue
        if raw in (None, ""):
            continue          # not answered
        answer = _answer(q, raw)
        if answer is None:
            choices = "/".join(q.answers) if q.answers else "a percentage (e.g. 87%) or a number"
            out.warnings.append(f"{name}:{line}: {code}: answer {str(raw)[:40]!r} does not fit {q.answer_type} "
                                f"(expected {choices}); row ignored")
            continue
        eviden, missing = _eviden(row.get("eviden"), paths, by_name)
        for m in missing:
            out.warnings.append(f"{name}:{line}: {code}: eviden {m!r} is not in the evidence folder")
        out.claims[code] = Claim(question=code, answer=answer, eviden=eviden, penjelasan=_str(row.get("penjelasan")),
                                 line=line, listed_missing=missing)
    return out


def _str(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _answer(q, raw: Any) -> str | None:
    """The answer in the question's own form ("Ya", "B", "87%"), or None if it does not fit."""
    if q.answer_type == PERCENT:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, (int, float)):
            value = float(raw) * (100.0 if float(raw) <= 1 else 1.0)   # Excel's 87% is 0.87
        else:
            text = str(raw).strip().rstrip("%").strip().replace(",", ".")
            try:
                value = float(text)
            except ValueError:
                return None
            if not str(raw).strip().endswith("%") and value <= 1:
                value *= 100.0
        if not 0 <= value <= 1000:
            return None
        return f"{value:g}%"
    text = _fold(raw)
    for a in q.answers:
        if text == a.lower():
            return a
    return None


def _eviden(value: Any, paths: set[str], by_name: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Listed files resolved to evidence paths (relative path or bare file name; `;` or new lines)."""
    found, missing = [], []
    for item in re.split(r"[;\n]", str(value or "")):
        item = item.strip().strip('"').replace("\\", "/").lstrip("./")
        if not item:
            continue
        if item in paths:
            found.append(item)
        elif len(by_name.get(item.rsplit("/", 1)[-1].lower(), [])) >= 1:
            found.extend(sorted(by_name[item.rsplit("/", 1)[-1].lower()])[:1])
        else:
            missing.append(item)
    return sorted(set(found)), missing


def _header_map(cells: list[Any]) -> dict[str, Any] | None:
    folded = [_fold(c) for c in cells]
    cols: dict[str, Any] = {}
    for key, names in _HEADERS.items():
        if key == "answer":
            # every answer column, the unit's first: bukti's own sheet has the proposal beside it
            found = [folded.index(n) for n in _ANSWER_PRIORITY if n in folded]
            if found:
                cols[key] = list(dict.fromkeys(found))
        else:
            hit = next((i for i, f in enumerate(folded) if f in names), None)
            if hit is not None:
                cols[key] = hit
    return cols if "code" in cols and "answer" in cols else None


def _rows_with_header(rows: Iterable[tuple[int, list[Any]]], out: Answers, name: str):
    header = None
    body: list[tuple[int, list[Any]]] = []
    for line, cells in rows:
        if line > MAX_ROWS:
            out.warnings.append(f"{name}: more than {MAX_ROWS} rows; the rest is ignored")
            break
        if header is None:
            header = _header_map(cells)
        else:
            body.append((line, cells))
    if header is None:
        out.warnings.append(f"{name}: no header row with a question code (kode) and an answer (jawaban) column")
        return

    def cell(cells: list[Any], i: int) -> Any:
        return cells[i] if i < len(cells) else None
    # The first answer column that anyone filled: the unit's, else (bukti's sheet fed back) the proposal.
    answer_col = next((i for i in header["answer"] if any(cell(c, i) not in (None, "") for _, c in body)),
                      header["answer"][0])
    for line, cells in body:
        row = {k: cell(cells, i) for k, i in header.items() if k != "answer"}
        row["answer"] = cell(cells, answer_col)
        yield line, row


def _csv_rows(path: Path, out: Answers):
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        out.warnings.append(f"{path.name}: not UTF-8, read as Windows-1252")
    # The header line decides the delimiter: csv.Sniffer gives up on short sheets with empty cells.
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    yield from _rows_with_header(((n, row) for n, row in enumerate(reader, start=1)), out, path.name)


def _xlsx_rows(path: Path, out: Answers):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        # data_only: a formula gives its saved value (None when the file was never calculated)
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"not a readable XLSX workbook ({exc.__class__.__name__})") from None
    try:
        for ws in wb.worksheets:
            rows = ((n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1))
            probe = Answers()
            got = list(_rows_with_header(rows, probe, f"{path.name} [{ws.title}]"))
            if got:
                out.warnings.extend(w for w in probe.warnings if "no header row" not in w)
                yield from ((n, r) for n, r in got)
                return
        out.warnings.append(f"{path.name}: no sheet with a question code (kode) and an answer (jawaban) column")
    finally:
        wb.close()
