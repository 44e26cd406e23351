"""Reporting period of a report: "Triwulan I", "TW III", "Semester II", "Bulan Maret". Output is
canonical: "Triwulan I" … "Triwulan IV", "Semester I"/"Semester II", "Bulan <Month>"."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.fields.dates import month_number
from extractors.textnorm import load_vocab

_ROMAN = ["", "I", "II", "III", "IV"]
_MONTHS = ["", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"]


@lru_cache(maxsize=1)
def _cfg() -> dict:
    p = load_vocab("patterns")["period"]
    return {"quarter": re.compile(p["quarter"]), "semester": re.compile(p["semester"]),
            "month": re.compile(p["month"]), "words": p["ordinal_words"]}


def _n(s: str) -> int | None:
    s = s.strip().upper()
    if s in _ROMAN[1:]:
        return _ROMAN.index(s)
    if s.isdigit():
        return int(s)
    return _cfg()["words"].get(s.lower())


def find_period(text: str) -> str | None:
    """The first reporting period named in `text` (callers pass the title/heading first)."""
    cfg = _cfg()
    hits = []
    m = cfg["quarter"].search(text)
    if m and (n := _n(m.group("n"))) and 1 <= n <= 4:
        hits.append((m.start(), f"Triwulan {_ROMAN[n]}"))
    m = cfg["semester"].search(text)
    if m and (n := _n(m.group("n"))) and 1 <= n <= 2:
        hits.append((m.start(), f"Semester {_ROMAN[n]}"))
    for m in cfg["month"].finditer(text):
        mon = month_number(m.group("m"))
        if mon:
            hits.append((m.start(), f"Bulan {_MONTHS[mon]}"))
            break
    return min(hits)[1] if hits else None
