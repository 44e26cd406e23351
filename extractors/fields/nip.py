"""NIP (Nomor Induk Pegawai): 18 digits = birth date YYYYMMDD, TMT CPNS YYYYMM, gender (1/2),
sequence (3). Written "19720315 199803 1 004", "NIP. 197203151998031004", sometimes with OCR
letters ("l972O315")."""
from __future__ import annotations

import re
from datetime import date

from extractors.textnorm import load_vocab

_LABEL = re.compile(r"^\s*N\s?[I1l|]\s?P\b\s*[.:]*", re.I)
_NOISE = re.compile(r"[\s.\-_:]+")
DIGITS = frozenset("0123456789")
MIN_AGE_AT_TMT = 18


def _digit_map() -> dict[str, str]:
    return load_vocab("patterns")["ocr"]["digit_map"]


def parse_nip(s: str) -> str | None:
    """Digits of an NIP as written (label, spaces, dots removed; OCR letters fixed). Returns the
    digits even when their count is wrong, so that `validate_nip` can report it; None when the
    text is not a number at all. Pure; never raises."""
    if not isinstance(s, str):
        return None
    s = _NOISE.sub("", _LABEL.sub("", s, count=1))
    if not s:
        return None
    dmap = _digit_map()
    if not all(c in DIGITS or c in dmap for c in s):
        return None
    real = sum(c in DIGITS for c in s)
    if real * 3 < len(s) * 2 or not 8 <= len(s) <= 24:
        return None
    return "".join(dmap.get(c, c) for c in s)


def _ym_ok(y: int, m: int) -> bool:
    return 1 <= m <= 12


def validate_nip(nip: str, today: date | None = None) -> list[str]:
    """Problems of an NIP (English, one short sentence each); empty list = valid."""
    today = today or date.today()
    if not isinstance(nip, str) or not nip:
        return ["empty NIP"]
    if not all(c in DIGITS for c in nip):
        return ["NIP contains characters other than digits"]
    if len(nip) != 18:
        return [f"NIP has {len(nip)} digits, expected 18"]
    problems = []
    by, bm, bd = int(nip[0:4]), int(nip[4:6]), int(nip[6:8])
    ty, tm = int(nip[8:12]), int(nip[12:14])
    gender = nip[14]
    birth = None
    try:
        birth = date(by, bm, bd)
    except ValueError:
        problems.append(f"birth date {nip[0:4]}-{nip[4:6]}-{nip[6:8]} does not exist")
    if birth and not 1930 <= by <= today.year - MIN_AGE_AT_TMT:
        problems.append(f"birth year {by} is implausible")
    if not _ym_ok(ty, tm):
        problems.append(f"appointment (TMT) month {nip[12:14]} does not exist")
    else:
        if (ty, tm) > (today.year, today.month):
            problems.append(f"appointment (TMT) {ty:04d}-{tm:02d} is in the future")
        if birth and (ty * 12 + tm) - (by * 12 + bm) < MIN_AGE_AT_TMT * 12:
            problems.append(f"appointment (TMT) {ty:04d}-{tm:02d} before age {MIN_AGE_AT_TMT}")
    if gender not in "12":
        problems.append(f"gender digit {gender} is not 1 or 2")
    return problems


def problem_digits(problem: str) -> range:
    """Which digits (0-based) a problem of validate_nip is about: the birth date, the TMT, the
    gender digit, or all of them."""
    if problem.startswith("birth"):
        return range(0, 8)
    if problem.startswith("appointment"):
        return range(0, 14) if "before age" in problem else range(8, 14)
    if problem.startswith("gender"):
        return range(14, 15)
    return range(0, 18)
