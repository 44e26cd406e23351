"""Text, name, NIP and date helpers shared by the checks."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def norm(s: str | None) -> str:
    """Lower-case ASCII words separated by single spaces: what fuzzy matching compares."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return _NON_ALNUM.sub(" ", s).strip()


def squash(s: str | None) -> str:
    """norm() without spaces: OCR splits and joins words ("MEN IMBANG", "Menetapkan:")."""
    return norm(s).replace(" ", "")


# Academic/religious titles written before a name; degrees after a name follow a comma.
_PREFIX_TITLES = {"dr", "drs", "dra", "ir", "h", "hj", "prof", "kh", "ns", "apt", "drg", "dt", "tn", "ny"}
_SUFFIX_TOKEN = re.compile(r"^(?:[a-z]{1,4}\.?){1,4}$", re.I)


def strip_titles(name: str | None) -> str:
    """'Dr. H. Ahmad Fauzi, S.H., M.Si.' → 'ahmad fauzi'."""
    if not name:
        return ""
    base = name.split(",")[0]
    words = norm(base).split()
    while words and words[0] in _PREFIX_TITLES:
        words = words[1:]
    # Degrees without a comma ("Ahmad Fauzi SH MSi") are short all-consonant-ish tokens at the end.
    while len(words) > 1 and words[-1] in {"sh", "msi", "mm", "se", "st", "skm", "sos", "ssos", "spd",
                                            "mpd", "mkes", "ap", "map", "mh", "skom", "mt", "amd", "ssi",
                                            "stp", "sstp", "ak", "msc", "phd", "mba", "sked", "spog"}:
        words = words[:-1]
    return " ".join(words)


def name_score(a: str | None, b: str | None) -> float:
    x, y = strip_titles(a), strip_titles(b)
    if not x or not y:
        return 0.0
    return max(fuzz.token_sort_ratio(x, y), fuzz.ratio(x.replace(" ", ""), y.replace(" ", "")))


def nip_digits(nip: str | None) -> str | None:
    if not nip:
        return None
    d = re.sub(r"\D", "", nip)
    return d or None


def same_person(a_name: str | None, a_nip: str | None, b_name: str | None, b_nip: str | None,
                threshold: float = 88) -> bool:
    """NIP decides when both sides have one; otherwise a fuzzy name match without titles."""
    na, nb = nip_digits(a_nip), nip_digits(b_nip)
    if na and nb:
        return na == nb
    return name_score(a_name, b_name) >= threshold


def iso_date(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        pass
    try:
        from extractors.fields.dates import parse_date
    except ImportError:  # the extractor package is not there yet: an unparseable date is no date
        return None
    return parse_date(s)


@lru_cache(maxsize=4096)
def _phrase_rx(phrase: str) -> re.Pattern | None:
    p = norm(phrase)
    return re.compile(rf"(?<![0-9a-z]){re.escape(p)}(?![0-9a-z])") if p else None


def contains_phrase(haystack_norm: str, phrase: str) -> bool:
    rx = _phrase_rx(phrase)
    return rx is not None and rx.search(haystack_norm) is not None
