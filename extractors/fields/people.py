"""Members lists: the lampiran of an SK, a collective pakta integritas, a daftar hadir.

From `Extraction.tables` when the extractor found real tables (header row mapped by fuzzy column
names), else from text lines, where an OCR'd table arrives as rows like
"1. Dr. AHMAD FAUZI, S.H., M.Si.  19720315 199803 1 004  Kepala Dinas  Penanggung Jawab",
"2 | BUDI SANTOSO, S.Kom | NIP. 198506122010011012 | Sekretaris | Ketua" or a row broken over
several lines. Text rows are only read after a header line (NAMA with NIP/JABATAN) or a LAMPIRAN
marker, so the numbered Mengingat list and the commitments of a pakta are not taken for people.
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.fields._doc import DocText, digit_confs
from extractors.fields.dates import find_dates
from extractors.fields.nip import parse_nip
from extractors.model import Person
from extractors.textnorm import collapse_ws, fold, load_vocab, repair_name

_ROW = re.compile(r"^\s*\|?\s*(?P<n>[0-9l]{1,3})\s*[.)|]?\s+(?P<rest>\S.*)$")
_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{2,}")
_DOTS = re.compile(r"\.{3,}|…+|_{3,}")


@lru_cache(maxsize=1)
def _cfg() -> dict:
    mk = load_vocab("markers")
    pats = load_vocab("patterns")
    dclass = pats["ocr"]["digit_class"]
    return {
        "headers": {k: [fold(v) for v in vs] for k, vs in mk["table_headers"].items()},
        "roles": sorted((fold(r) for r in mk["team_roles"]), key=len, reverse=True),
        "gelar": {fold(g).replace(" ", "") for g in mk["gelar"]},
        "nip_labelled": re.compile(pats["nip"]["labelled"].replace("{D}", dclass)),
        "nip_bare": re.compile(pats["nip"]["bare"].replace("{D}", dclass)),
        "stops": set(mk["people_stops"]),
    }


def _column_kind(cell: str) -> str | None:
    f = fold(cell)
    if not f:
        return None
    best, kind = 0.0, None
    for k, variants in _cfg()["headers"].items():
        for v in variants:
            s = 100.0 if f == v else fuzz.ratio(f, v)
            if s > best:
                best, kind = s, k
    return kind if best >= 85 else None


def _is_header(cells: list[str]) -> dict[int, str] | None:
    kinds = {i: k for i, c in enumerate(cells) if (k := _column_kind(c))}
    if "name" in kinds.values() and len(kinds) >= 2:
        return kinds
    return None


def _role_split(text: str) -> tuple[str | None, str | None]:
    """("Kepala Dinas", "Penanggung Jawab") from "Kepala Dinas Penanggung Jawab": a team role
    at the end of the text is the role, the rest the jabatan."""
    text = collapse_ws(text).strip(" |,;")
    if not text:
        return None, None
    words = text.split(" ")
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        tail = fold(" ".join(words[-n:]))
        if tail in _cfg()["roles"]:
            jab = " ".join(words[:-n]).strip(" |,;") or None
            return jab, " ".join(words[-n:])
    return text, None


def _find_nip(text: str) -> tuple[str | None, int, int]:
    cfg = _cfg()
    for pat in (cfg["nip_labelled"], cfg["nip_bare"]):
        m = pat.search(text)
        if m:
            nip = parse_nip(m.group("v"))
            if nip:
                return nip, m.start(), m.end()
    return None, -1, -1


def _split_name(text: str) -> tuple[str, str]:
    """Name and what follows it when nothing separates them: the name is the upper-case run
    (with academic titles) that starts the text."""
    words = text.split(" ")
    gelar = _cfg()["gelar"]
    k = 0
    for k, w in enumerate(words):
        letters = [c for c in w if c.isalpha()]
        bare = fold(w).replace(" ", "")
        if bare in gelar or not letters or all(c.isupper() for c in letters):
            continue
        break
    else:
        k = len(words)
    if k == 0:
        return text, ""
    return " ".join(words[:k]), " ".join(words[k:])


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    s = collapse_ws(_DOTS.sub(" ", s)).strip(" |,;:")
    s = re.sub(r"^\d{1,3}\s*[.)]?\s*$", "", s)  # a signature column numbered "1." / "2."
    return s or None


def _person_from_text(rest: str, page: int | None) -> Person | None:
    rest = _DOTS.sub(" ", rest)
    nip, a, b = _find_nip(rest)
    if nip:
        before, after = rest[:a], rest[b:]
    else:
        before, after = rest, ""
    cells = [c for c in _split(before.strip()) if _clean(c)]
    if nip and "|" not in before and cells:
        # the name is all that precedes the NIP; wide gaps inside it are OCR spacing
        cells = [" ".join(cells)]
    if len(cells) >= 2:
        name = cells[0]
        after = " | ".join(cells[1:]) + " | " + after
    elif cells:
        name, extra = _split_name(cells[0].strip()) if not nip else (cells[0], "")
        after = extra + " | " + after
    else:
        return None
    name = _clean(name)
    if not name or sum(c.isalpha() for c in name) < 3 or _column_kind(name):
        return None
    name = repair_name(name)
    tail_cells = [c for c in (_clean(x) for x in _split(after)) if c]
    jabatan, role = None, None
    if len(tail_cells) >= 2:
        j2, r2 = _role_split(tail_cells[-1])
        if r2 and not j2:
            role, jabatan = r2, " ".join(tail_cells[:-1])
        else:
            jabatan, role = _role_split(" ".join(tail_cells))
    elif tail_cells:
        jabatan, role = _role_split(tail_cells[0])
    return Person(name=name, nip=nip, role=role or jabatan, page=page, jabatan=jabatan)


def _has_gelar(name: str) -> bool:
    gelar = _cfg()["gelar"]
    return any(fold(w).replace(" ", "") in gelar for w in re.split(r"[\s,]+", name) if w)


def _people_only(people: list[Person]) -> list[Person]:
    """The rows of a member list that have the shape of people. A name in a member list comes
    with a NIP or academic titles; a table glued under it by the page layout (a monev report's
    activities "Penyusunan SK Tim Kerja", "Sosialisasi …") has neither. Rows without either are
    kept only between rows that have them (an honorary member without NIP inside the list), never
    after the last one; a list where no row has that shape is not a list of people."""
    shaped = [bool(x.nip) or _has_gelar(x.name) for x in people]
    if not any(shaped):
        return []
    last = max(i for i, ok in enumerate(shaped) if ok)
    return people[:last + 1]


def from_tables(tables: list[list[list[str]]]) -> list[Person]:
    out: list[Person] = []
    for table in tables:
        cols: dict[int, str] | None = None
        section: list[Person] = []
        for row in table:
            cells = [collapse_ws(c or "") for c in row]
            if cols is None:
                cols = _is_header(cells)
                continue
            if _is_header(cells):
                out += _people_only(section)   # another table under the same ruling
                section, cols = [], _is_header(cells)
                continue
            by = {kind: cells[i] for i, kind in cols.items() if i < len(cells)}
            name = _clean(by.get("name"))
            if not name or _column_kind(name) or sum(c.isalpha() for c in name) < 3:
                continue
            jab = _clean(by.get("jabatan"))
            role = _clean(by.get("role"))
            section.append(Person(name=repair_name(name), nip=parse_nip(by.get("nip") or ""),
                                  role=role or jab, jabatan=jab))
        out += _people_only(section)
    return out


def _split(text: str) -> list[str]:
    # with explicit "|" separators, wide gaps are OCR spacing inside a cell
    return text.split("|") if "|" in text else _CELL_SPLIT.split(text)


def _cells(text: str) -> list[str]:
    cells = [c.strip() for c in _split(text.strip())]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _region_starts(doc: DocText) -> list[tuple[int, dict[int, str] | None]]:
    """(first line of a members area, column kinds of its header row without the number column)"""
    starts = []
    for ln in doc.lines:
        # a ruled header read by OCR keeps its rules ("No |Nama NIP"); folding would make "|" an I
        f = fold(ln.text.replace("|", " ")).split(" ")
        if "NAMA" in f and ({"NIP", "JABATAN"} & set(f) or "JABATAN" in ln.folded):
            cells = _cells(ln.text)
            kinds = _is_header(cells)
            if kinds and kinds.get(0) == "number":
                kinds = {i - 1: k for i, k in kinds.items() if i}
            starts.append((ln.i + 1, kinds))
        elif "SECTION:LAMPIRAN" in ln.leading():
            starts.append((ln.i + 1, None))
    return starts


def _person_from_columns(rest: str, cols: dict[int, str], page: int | None) -> Person | None:
    cells = _cells(rest)
    if len(cells) != len(cols) and not (len(cells) == len(cols) - 1
                                        and cols.get(len(cols) - 1) == "signature"):
        return None
    by = {kind: cells[i] for i, kind in cols.items() if i < len(cells)}
    name = _clean(by.get("name"))
    if not name or sum(c.isalpha() for c in name) < 3 or _column_kind(name):
        return None
    jab, role = _clean(by.get("jabatan")), _clean(by.get("role"))
    return Person(name=repair_name(name), nip=parse_nip(by.get("nip") or ""), role=role or jab, page=page,
                  jabatan=jab)


def from_text(doc: DocText, skip: set[int]) -> list[Person]:
    lines = doc.lines
    starts = _region_starts(doc)
    out: list[Person] = []
    taken: set[int] = set()
    stops = {f"SECTION:{s}" for s in _cfg()["stops"]}
    for s, cols in starts:
        i = s
        region: list[Person] = []
        while i < len(lines):
            ln = lines[i]
            if i in skip or ln.leading() & stops or i in taken:
                break
            m = _ROW.match(ln.text)
            if not m or find_dates(ln.text) and not _find_nip(ln.text)[0]:
                i += 1
                continue
            row = [m.group("rest")]
            taken.add(i)
            j = i + 1
            # continuation lines of a row broken by OCR: not a new row, not blank
            while j < len(lines) and j - i <= 3 and not lines[j].blank and j not in skip \
                    and not _ROW.match(lines[j].text) and lines[j].page == ln.page \
                    and not lines[j].leading() & stops and not _is_header(
                        _CELL_SPLIT.split(lines[j].text.strip())):
                row.append(lines[j].text.strip())
                taken.add(j)
                j += 1
            p = _person_from_columns(row[0], cols, ln.page) if cols and len(row) == 1 else None
            p = p or _person_from_text(" | ".join(row) if len(row) > 1 else row[0], ln.page)
            if p and cols is None and not p.nip:
                p = None  # without a header row, only a NIP tells a member from a list item
            if p and p.nip and len(row) == 1:
                a = _find_nip(ln.text)[1]
                p.nip_conf = digit_confs(ln, ln.start + a) if a >= 0 else None
            if p:
                region.append(p)
            i = j
        out += _people_only(region)
    return out


def find_people(doc: DocText, tables: list[list[list[str]]], skip: set[int]) -> list[Person]:
    people = from_tables(tables) if tables else []
    return people or from_text(doc, skip)
