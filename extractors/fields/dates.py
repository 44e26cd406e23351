"""Dates in Indonesian documents: "15 Januari 2024", "Sumenep, 6 Mei 2024", "15-01-2024",
"15/01/2024", "15 Jan. 2024", Roman months "15-I-2024", and their OCR-damaged forms
("l5 Januan 2O24"). Month names are resolved exactly, by OCR folding ("Mel" -> Mei) or fuzzily
for long names ("Agustns"); abbreviations only exactly (short words are too alike).

A month-only date ("Januari 2024") is *not* a date here: it is returned by `find_month_years`
as "YYYY-MM" and never turned into a full date, because the contract forbids guessing a day.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from extractors.textnorm import fix_digits, fold, load_vocab

DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class DateHit:
    value: date
    start: int
    end: int
    raw: str


@dataclass(frozen=True)
class MonthHit:
    year: int
    month: int
    start: int
    end: int
    raw: str

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@lru_cache(maxsize=1)
def _cfg() -> dict:
    pats = load_vocab("patterns")
    dclass = pats["ocr"]["digit_class"]
    d = pats["dates"]
    compiled = {k: re.compile(d[k].replace("{D}", dclass))
                for k in ("textual", "numeric", "iso", "roman", "month_year")}
    months = load_vocab("months")
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    names: dict[str, int] = {}
    for num, spec in months["months"].items():
        for n in spec["names"]:
            exact[n] = int(num)
            names[n] = int(num)
            folded[fold(n)] = int(num)
        for a in spec["aliases"]:
            exact[a] = int(num)
            folded[fold(a)] = int(num)
    return {"re": compiled, "exact": exact, "folded": folded, "names": names,
            "cutoff": months["fuzzy_cutoff"], "roman": months["roman"],
            "ymin": d["year_min"], "ymax": d["year_max"]}


@lru_cache(maxsize=1)
def _dmap() -> dict[str, str]:
    return load_vocab("patterns")["ocr"]["digit_map"]


@lru_cache(maxsize=4096)
def month_number(word: str) -> int | None:
    """1..12 for a month name/abbreviation as written (OCR noise tolerated), else None."""
    cfg = _cfg()
    w = word.strip().rstrip(".").lower()
    if not w or not w.isascii() or not w.isalpha() and not any(c in w for c in "01|"):
        return None
    if w in cfg["exact"]:
        return cfg["exact"][w]
    k = fold(w)
    if k in cfg["folded"]:
        return cfg["folded"][k]
    if len(w) >= 5:
        hit = process.extractOne(w, cfg["names"].keys(), scorer=fuzz.ratio,
                                 score_cutoff=cfg["cutoff"])
        if hit:
            return cfg["names"][hit[0]]
    return None


def _num(s: str, lenient: bool = False) -> int | None:
    # lenient: the token sits between a month name and a year, so even "lO" is a number
    s = "".join(_dmap().get(c, c) for c in s) if lenient else fix_digits(s)
    return int(s) if s and all(c in DIGITS for c in s) else None


def _mk(y: int | None, m: int | None, d: int | None) -> date | None:
    cfg = _cfg()
    if y is None or m is None or d is None or not cfg["ymin"] <= y <= cfg["ymax"]:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _real_digit(*parts: str) -> bool:
    return any(c in DIGITS for p in parts for c in p)


def find_dates(text: str) -> list[DateHit]:
    """Every full date in `text`, in order of appearance, overlaps resolved leftmost-longest."""
    cfg = _cfg()
    hits: list[DateHit] = []
    for kind in ("textual", "numeric", "iso", "roman"):
        for m in cfg["re"][kind].finditer(text):
            ds, ms, ys = m.group("d"), m.group("m"), m.group("y")
            if kind == "textual":
                if not _real_digit(ds, ys):
                    continue
                value = _mk(_num(ys), month_number(ms), _num(ds, lenient=True))
            elif kind == "roman":
                value = _mk(int(ys), cfg["roman"].get(ms), int(ds))
            else:
                if not _real_digit(ds, ms, ys):
                    continue
                value = _mk(_num(ys), _num(ms), _num(ds))
            if value:
                hits.append(DateHit(value, m.start(), m.end(), m.group(0)))
    hits.sort(key=lambda h: (h.start, -h.end))
    out: list[DateHit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def parse_date(s: str) -> date | None:
    """The first full date written in `s`, or None. Pure; never raises on text."""
    if not isinstance(s, str) or not s:
        return None
    hits = find_dates(s)
    return hits[0].value if hits else None


def find_month_years(text: str) -> list[MonthHit]:
    """"Januari 2024"-style mentions that are not part of a full date."""
    cfg = _cfg()
    taken = [(h.start, h.end) for h in find_dates(text)]
    out = []
    for m in cfg["re"]["month_year"].finditer(text):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        mon = month_number(m.group("m"))
        y = _num(m.group("y"))
        if mon and y and cfg["ymin"] <= y <= cfg["ymax"] and _real_digit(m.group("y")):
            out.append(MonthHit(y, mon, m.start(), m.end(), m.group(0)))
    return out
