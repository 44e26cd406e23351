"""Nomor surat: "800/123/435.201/2024", "100.3.3.2/045/KEP/2024", "445/017/RSUD/I/2024".

Normalised form: no spaces around "/" or inside dotted numbers, OCR letters turned back into digits
inside numeric parts only ("l23" -> "123", "2O1" -> "201"; "I" stays a Roman month, "SK" a code).
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.textnorm import collapse_ws, fix_digits, load_vocab

_LABEL = re.compile(r"^\s*(?:[nk][o0]m[o0]r|nomer|no)\s*(?:sop)?\s*(?:[.:;|]+\s*|\s+)", re.I)
_SEP_SPACES = re.compile(r"\s*([/\\])\s*")
_DOT_SPACES = re.compile(r"(?<=[0-9A-Za-z])\s*\.\s+(?=[0-9])|(?<=[0-9])\s+\.\s*(?=[0-9])")
_TAIL = re.compile(r"\s+(?:tanggal|tgl|tentang|tahun|lampiran)\b.*$", re.I)
_PIECES = re.compile(r"([/.\-])")
DIGITS = frozenset("0123456789")


_ROMAN_OCR = re.compile(r"^[IVXl!|]+$")
_AS_I = str.maketrans({"l": "I", "!": "I", "|": "I"})


def _piece(p: str) -> str:
    if p in "/.-":
        return p
    if _ROMAN_OCR.match(p) and p.translate(_AS_I) in _ROMANS:
        return p.translate(_AS_I)  # a Roman month with I read as l, ! or | ("VI!I" is VIII)
    return fix_digits(p)


_ROMANS = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}


def parse_nomor(s: str) -> str | None:
    """Normalise a nomor (with or without its label). None when it holds no digit. Pure,
    idempotent, never raises."""
    if not isinstance(s, str):
        return None
    s = collapse_ws(s.replace("\n", " "))
    while True:
        m = _LABEL.match(s)
        if not m or m.end() == 0:
            break
        s = s[m.end():]
    s = _TAIL.sub("", s)
    s = _SEP_SPACES.sub(lambda m: "/" if m.group(1) == "\\" else m.group(1), s)
    s = _DOT_SPACES.sub(".", s)
    s = s.split(" ")[0] if s else s
    s = s.strip(",;:|")
    s = "".join(_piece(p) for p in _PIECES.split(s))
    s = s.rstrip(".,;:")
    if not any(c in DIGITS for c in s):
        return None
    return s


@lru_cache(maxsize=1)
def _cfg() -> tuple[list[re.Pattern[str]], re.Pattern[str], re.Pattern[str]]:
    n = load_vocab("patterns")["nomor"]
    return ([re.compile(p, re.M) for p in n["labelled"]], re.compile(n["reject"]),
            re.compile(n["regulation"], re.M | re.I))


# Lines of a first page that hold a document's own heading: an own number written without a
# separator ("NOMOR 12/KEP/2024") is only believed there.
HEADING_LINES = 15


def find_nomor(text: str, heading: bool = True) -> tuple[str, int, str] | None:
    """The first labelled nomor of `text`: (normalised, offset, raw). Pattern order matters:
    "Nomor SOP" wins over a plain "Nomor" in the same text.

    Only the document's own number counts, not the numbers it cites: a report that refers to
    "Keputusan Kepala Dinas … Nomor 188.4/357/SK/2024 tentang …" wraps that "Nomor" to the start
    of a line too. An own number is labelled ("Nomor : …") or stands in the heading of the first
    page (`heading`: `text` is that page); a bare "Nomor …" elsewhere is a citation."""
    pats, reject, regulation = _cfg()
    for pat in pats:
        for m in pat.finditer(text):
            raw = m.group("v")
            if reject.search(raw):
                continue
            label = text[m.start():m.start("v")]
            if not any(c in label for c in ":;.|") and not (
                    heading and sum(1 for ln in text[:m.start()].split("\n") if ln.strip()) < HEADING_LINES):
                continue
            value = parse_nomor(raw)
            if value and ("/" in value or sum(c in DIGITS for c in value) >= 3):
                return value, m.start("v"), raw.strip()
    if heading:
        # A regulation (Peraturan Bupati …) is numbered "NOMOR 78 TAHUN 2016" on a line of its
        # own in its heading; elsewhere "Nomor 78 Tahun 2016" cites another regulation.
        for m in regulation.finditer(text):
            if sum(1 for ln in text[:m.start()].split("\n") if ln.strip()) >= HEADING_LINES:
                break
            n, y = fix_digits(m.group("n")), fix_digits(m.group("y"))
            if n.isdigit() and y.isdigit():
                return f"{int(n)} Tahun {y}", m.start("n"), m.group(0).strip()
    return None
