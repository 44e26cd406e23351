"""The issuing unit (kop surat) and every unit-like name in the text.

Kop surat: "PEMERINTAH KABUPATEN SUMENEP" then the unit's name (one or two lines), then address
lines. The full name is the unit's name plus the region when the name does not carry it:
"Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep". Unit-name candidates come from the
spaCy Matcher (a head word such as Dinas/Badan/RSUD followed by capitalised words) and are cut at
stop words here.
"""
from __future__ import annotations

from functools import lru_cache

from extractors.fields._doc import DocText, Line
from extractors.model import Mention
from extractors.textnorm import collapse_ws, fold, load_vocab, title_case

_KOP_LINES = 10


@lru_cache(maxsize=1)
def _cfg() -> dict:
    mk = load_vocab("markers")
    return {
        "stops": {fold(w) for w in mk["unit_stops"]},
        "connectors": {fold(w) for w in mk["unit_connectors"]},
        "regions": {fold(w) for w in mk["regions"]},
        "gov": fold(mk["government_line"]),
        "noise": [fold(w) for w in mk["kop_noise"]],
        "heads": {fold(h) for h in mk["unit_heads"]},
    }


def _upper(words: list[str]) -> bool:
    letters = [c for w in words for c in w if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def clean_unit(raw: str) -> str | None:
    cut = cut_unit(raw)
    return cut[0] if cut else None


def cut_unit(raw: str) -> tuple[str, str] | None:
    """Cut a unit-name candidate at the first stop word, number or punctuation that ends a name;
    (name, the words as written), None when only the head word is left. A name continues on the next line only in upper-case
    text (a kop surat or heading), where a long name is wrapped; in prose a line ends it."""
    cfg = _cfg()
    out: list[str] = []
    raw_words: list[str] = []
    for si, seg in enumerate(raw.split("\n")):
        words = [w for w in seg.split() if w]
        if si and not (_upper(out) and _upper(words)):
            break
        if si and any(fold(w) in cfg["regions"] for w in out[-3:-1]):
            break  # "… KABUPATEN GOWA" is complete: the next capitals are a heading, not the name
        stopped = False
        for w in words:
            bare = w.strip(",;:()")
            if not out and not any(c.isalnum() for c in bare):
                continue  # OCR specks before the name ("@ DINAS …")
            f = fold(bare)
            if out and (f in cfg["stops"] or any(c.isdigit() for c in bare) or not bare):
                stopped = True
                break
            out.append(bare)
            raw_words.append(w)
            if w.endswith((",", ";", ":", ")")) or w.startswith("("):
                stopped = True
                break
        if stopped:
            break
    while out and (fold(out[-1]) in cfg["connectors"] or fold(out[-1]) in cfg["regions"]):
        out.pop()
    if len(out) < 2 and fold(" ".join(out)) not in {"INSPEKTORAT"}:
        return None
    return " ".join(out).strip(" .,"), " ".join(raw_words[:len(out)]).strip(" .,")


def _has_region(name: str) -> bool:
    return any(r in fold(name).split(" ") for r in _cfg()["regions"])


def unit_mentions(doc: DocText) -> list[Mention]:
    out: list[Mention] = []
    seen: set[tuple[str, int]] = set()
    for ln in doc.lines:
        for m in ln.markers:
            if m.label != "UNIT":
                continue
            cut = cut_unit(m.text)
            if not cut:
                continue
            value = title_case(cut[0])
            if (value, ln.page) in seen:
                continue
            seen.add((value, ln.page))
            out.append(Mention(value=value, page=ln.page, raw=cut[1]))
    return out


def _kop(doc: DocText) -> list[Line]:
    if doc.first_page is None:
        return []
    return doc.nonblank(doc.page_lines(doc.first_page))[:_KOP_LINES]


def _starts_unit(ln: Line) -> bool:
    """The line opens with a unit's head word (DINAS, UPTD, PUSKESMAS, BAGIAN …)."""
    f = ln.folded + " "
    return any(f.startswith(h + " ") for h in _cfg()["heads"])


def _is_kop_noise(ln: Line) -> bool:
    f = " " + ln.folded + " "
    return any((" " + n) in f for n in _cfg()["noise"]) or sum(c.isdigit() for c in ln.text) >= 5


def _instansi(doc: DocText) -> str | None:
    """Without a letterhead, a declaration names its unit in a labelled row ("Instansi : Badan …
    Kota", wrapped onto the next line: "Padang"); the row and its unlabelled continuation."""
    labels = {fold(x) for x in load_vocab("patterns")["signatory"]["labels"]["instansi"]}
    lines = doc.nonblank(doc.page_lines(doc.first_page)) if doc.first_page is not None else []
    for k, ln in enumerate(lines[:25]):
        label, sep, value = ln.text.partition(":")
        if not sep or fold(label) not in labels or not value.strip():
            continue
        value = value.strip()
        nxt = lines[k + 1].text.strip() if k + 1 < len(lines) else ""
        if nxt and ":" not in nxt and len(nxt) <= 40 and not nxt[0].isdigit() and len(nxt.split()) <= 3:
            value = f"{value} {nxt}"
        return title_case(collapse_ws(value).strip(" .,;")) if any(
            fold(value).startswith(h + " ") for h in _cfg()["heads"]) else None
    return None


def find_unit(doc: DocText, mentions: list[Mention]) -> str | None:
    cfg = _cfg()
    kop = _kop(doc)
    region = None
    gov_at = None
    for k, ln in enumerate(kop[:4]):
        f = ln.folded
        if f.startswith(cfg["gov"]) and len(f) > len(cfg["gov"]) + 3:
            region = title_case(collapse_ws(ln.text.strip()[len("PEMERINTAH"):]).strip(" ,"))
            gov_at = k
            break
    if gov_at is not None:
        parts: list[str] = []
        page = doc.page_lines(doc.first_page)
        after = page[kop[gov_at].i - page[0].i + 1:]
        for ln in after[:8]:
            if ln.blank:
                continue  # OCR puts paragraph breaks between the lines of a spaced-out kop
            if _is_kop_noise(ln) or "SECTION:KEPUTUSAN" in ln.leading():
                break
            if parts and not _upper(ln.text.split()):
                break  # the kop is in capitals; what follows it is not
            starts = _starts_unit(ln)
            if not parts and not starts and not any(mk.label == "UNIT" for mk in ln.markers):
                continue
            if starts and parts:
                # a letterhead names the hierarchy top-down ("DINAS KESEHATAN" then "UPTD
                # PUSKESMAS …"): the issuing unit is the last, most specific one. The line is
                # tested itself, because spaCy's unit match runs over the line break and
                # gives the two lines one marker.
                parts = []
            parts.append(ln.text.strip())
        name = clean_unit(" ".join(parts)) if parts else None
        if name:
            name = title_case(name)
            if region and not _has_region(name):
                name = f"{name} {region}"
            return name
    labelled = _instansi(doc)
    if labelled:
        return labelled
    first = [m for m in mentions if m.page == doc.first_page]
    with_region = [m for m in first if _has_region(m.value)]
    pick = (with_region or first or [None])[0]
    return pick.value if pick else None
