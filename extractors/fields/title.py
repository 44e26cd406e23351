"""The document's title: the SK subject after TENTANG (joined across line breaks, up to the next
section marker or the official's title), else the main heading (the heading lines that carry the
doc type's title phrase, with the upper-case lines that continue it), for an SOP its "Nama SOP"."""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.fields._doc import DocText, Line
from extractors.textnorm import collapse_ws, fix_digit_runs, fold, load_vocab, repair_caps

_MAX_SUBJECT_LINES = 7
_HEADING_LINES = 25
_MAX_HEADING_LINE = 80    # longer upper-case lines are prose (a maklumat's pledge)
_TENTANG = re.compile(r"^\s*t\s?e\s?n\s?t\s?a\s?n\s?g\s*[:.]?\s*", re.I)
_NAMA_SOP = re.compile(r"^\s*\|?\s*nama\s+sop\s*[:|]?\s*(?P<v>.*)$", re.I)


@lru_cache(maxsize=1)
def _cfg() -> dict:
    mk = load_vocab("markers")
    dt = load_vocab("doc_types")
    phrases = {t: [fold(e["phrase"]) for e in spec["evidence"] if e["weight"] >= dt["match"]["title_weight"]]
               for t, spec in dt["types"].items()}
    return {"stops": {f"SECTION:{s}" for s in mk["title_stops"]} | {"JABATAN"},
            "phrases": phrases, "threshold": dt["match"]["threshold"],
            "heading_stops": [re.compile(p, re.I) for p in mk["heading"]["stops"]],
            "phrase_only": set(mk["heading"]["phrase_only"]),
            "letter_label": re.compile(r"^\s*\|?\s*(?:%s)\s*[:|\t][\s:|\t]*(?P<v>\S.*)$"
                                       % "|".join(map(re.escape, mk["heading"]["letter_labels"])), re.I)}


def _upperish(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def subject(doc: DocText) -> tuple[str, Line] | None:
    """The TENTANG subject of the first page that has one."""
    stops = _cfg()["stops"]
    for k, ln in enumerate(doc.lines):
        if "SECTION:TENTANG" not in ln.leading():
            continue
        parts = []
        rest = _TENTANG.sub("", ln.text, count=1).strip()
        if rest:
            parts.append(rest)
        taken = 0
        for nxt in doc.lines[k + 1:]:
            if nxt.page != ln.page or taken >= _MAX_SUBJECT_LINES:
                break
            if nxt.blank:
                if parts and taken >= 1 and len(parts) and not _upperish(parts[-1]):
                    break
                continue
            if nxt.leading() & stops or "SECTION:TENTANG" in nxt.leading():
                break
            if parts and _upperish(parts[-1]) and not _upperish(nxt.text):
                break
            parts.append(nxt.text.strip())
            taken += 1
        text = collapse_ws(" ".join(parts)).strip(" :;,")
        if text:
            return text, ln
    return None


def _nama_sop(doc: DocText) -> str | None:
    for ln in doc.lines:
        m = _NAMA_SOP.match(ln.text)
        if m and m.group("v").strip(" :|"):
            return collapse_ws(m.group("v")).strip(" :|")
    return None


def _heading_start(lines: list[Line], phrases: list[str], threshold: float) -> int | None:
    """Index of the first line carrying a title phrase. Headings are written in capitals, so an
    upper-case line wins over prose that merely mentions the phrase."""
    fallback = None
    for k, ln in enumerate(lines):
        f = ln.folded
        if len(f) < 5 or len(f) > max(_MAX_HEADING_LINE, 3 * min(len(p) for p in phrases)):
            continue
        if any(fuzz.partial_ratio(p, f) >= threshold for p in phrases):
            if _upperish(ln.text):
                return k
            if fallback is None:
                fallback = k
    return fallback


def heading(doc: DocText, doc_type: str) -> str | None:
    if doc.first_page is None:
        return None
    cfg = _cfg()
    lines = doc.nonblank(doc.page_lines(doc.first_page))[:_HEADING_LINES]
    phrases = cfg["phrases"].get(doc_type) or [p for ps in cfg["phrases"].values() for p in ps]
    start = _heading_start(lines, phrases, cfg["threshold"])
    if start is None:
        return None
    first = lines[start]
    parts = [first.text.strip()]
    letter = cfg["letter_label"].match(first.text)
    if letter:
        return collapse_ws(letter.group("v")).strip(" :;,")
    if doc_type in cfg["phrase_only"]:
        return collapse_ws(parts[0]).strip(" :;,")
    # the heading continues on the following upper-case lines, up to a blank line, the unit's name
    # (the kop repeated under the title) or the first part of the body ("BAB I PENDAHULUAN")
    taken = 0
    for ln in doc.lines[first.i + 1:first.i + 8]:
        if ln.blank:
            continue  # OCR puts paragraph breaks between the lines of a spaced-out heading
        if taken >= 3 or ln.page != first.page or not _upperish(ln.text):
            break
        if ln.leading() & (cfg["stops"] | {"SECTION:TENTANG", "UNIT"}) or ":" in ln.text:
            break
        if any(p.match(ln.text) for p in cfg["heading_stops"]):
            break
        if len(ln.text.strip()) > _MAX_HEADING_LINE:
            break
        parts.append(ln.text.strip())
        taken += 1
    return collapse_ws(" ".join(parts)).strip(" :;,")


def _repair(title: str | None) -> str | None:
    if not title:
        return title
    title = fix_digit_runs(title)
    return repair_caps(title, 1) if _upperish(title) else title


def find_title(doc: DocText, doc_type: str) -> str | None:
    return _repair(_find_title(doc, doc_type))


def _find_title(doc: DocText, doc_type: str) -> str | None:
    if doc_type == "sop":
        t = _nama_sop(doc)
        if t:
            return t
    is_sk = doc_type.startswith("sk_") or any(
        "SECTION:KEPUTUSAN" in ln.leading() or "SECTION:MEMUTUSKAN" in ln.leading()
        for ln in doc.lines[:80])
    if is_sk:
        s = subject(doc)
        if s:
            return s[0]
    return heading(doc, doc_type) or (subject(doc) or (None,))[0]
