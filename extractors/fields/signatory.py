"""Signature blocks: place/date, jabatan line(s), (space for the signature), name with academic
titles, pangkat/golongan, "NIP. …" — read upwards from the NIP line. And the declarant of an
individual pakta integritas ("Saya yang bertanda tangan di bawah ini: Nama : …, NIP : …")."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.fields._doc import DocText, Line, digit_confs
from extractors.fields.dates import find_dates, find_month_years
from extractors.fields.nip import parse_nip
from extractors.model import Mention, Person, Signatory
from extractors.textnorm import collapse_ws, fold, load_vocab, repair_caps, repair_name

# OCR of a photographed or stamped block puts the page edge or the stamp's rim before a line
# ("| NIP. …", "\\ NIP. …", "/ Dr. NAME"): those marks are not part of the line.
_EDGE = "/\\|°'\"`“”‘’"
# The label as OCR reads it under ink: "NIP", "N IP", "NlP", "MIP", "NNIP".
_NIP_LINE = re.compile(r"^[\s" + re.escape(_EDGE) + r"]*[(\[]?\s*(?:N?N|M)\s?[I1l|]\s?P\b\s*[.:]*\s*(?P<v>.*)$", re.I)
_MAX_GAP = 8          # blank/noise lines allowed between jabatan and name (the signature space)


@dataclass
class Block:
    signatory: Signatory
    lines: set[int] = field(default_factory=set)   # line indices the block occupies
    score: int = 0
    raw_jabatan: str = ""                           # before dropping "PIHAK PERTAMA," etc.


@lru_cache(maxsize=1)
def _cfg() -> dict:
    mk = load_vocab("markers")
    pats = load_vocab("patterns")
    return {
        "noise": {fold(w) for w in mk["signature_noise"]},
        "pangkat": [fold(w) for w in mk["pangkat"]["words"]],
        "golongan": re.compile(mk["pangkat"]["golongan"]),
        "heads": [fold(w) for w in mk["jabatan_heads"]],
        "place": re.compile(pats["issue_date"]["place"]),
        "on_date": re.compile(pats["issue_date"]["on_date"]),
        "place_date": re.compile(pats["issue_date"]["place_date"]),
        "prefer": pats["signatory"]["prefer"],
        "declaration_types": set(pats["signatory"]["declaration_types"]),
        "jab_prefix": re.compile(pats["signatory"]["jabatan_prefix"]),
        "declaration": fold(pats["signatory"]["declaration"]),
        "labels": {k: [fold(v) for v in vs] for k, vs in pats["signatory"]["labels"].items()},
    }


def _is_noise(ln: Line) -> bool:
    t = ln.folded
    if not t:
        return True
    if set(ln.text.strip()) <= set("._-–…()[]"):
        return True
    # two letters are no jabatan or name: OCR of the signature stroke or the stamp ("TT", "K")
    if t in _cfg()["noise"] or (len(t) <= 5 and t.replace(" ", "") in {"TTD", "TTDS", "CAP"}) \
            or len(t.replace(" ", "")) <= 2:
        return True
    # a stroke or stamp read as a few short fragments ("ee: ae", "N / 1", "NU"): a jabatan or a
    # name has a word longer than three letters (one line holding only "PION" is no name either)
    words = [w for w in t.split() if not w.isdigit()]
    return not any(c.isdigit() for c in ln.text) and (
        all(len(w) <= 3 for w in words) or (len(words) == 1 and len(words[0]) <= 4))


def is_pangkat(text: str) -> bool:
    cfg = _cfg()
    f = fold(text)
    return bool(cfg["golongan"].search(text)) or any(f.startswith(p) for p in cfg["pangkat"])


def _clean_name(s: str) -> str:
    s = collapse_ws(s.replace("_", " ")).lstrip(_EDGE + " ")
    s = s.strip(" ()[]:;|\"'\u2018\u2019\u201c\u201d")  # OCR reads stamp ink as quote marks
    return repair_name(s.rstrip(","))


def _looks_like_name(ln: Line) -> bool:
    t = ln.text.strip()
    if not t or len(t) > 90 or _NIP_LINE.match(t) or find_dates(t):
        return False
    if ln.leading() & {"SECTION:DITETAPKAN", "SECTION:MENGETAHUI", "SECTION:NOMOR"}:
        return False
    return sum(c.isalpha() for c in t) >= 3


def place_date(line: str) -> tuple[str | None, str | None]:
    """("Sumenep", "2024-05-06") from "Sumenep, 6 Mei 2024" / "Ditetapkan di Sumenep" /
    "pada tanggal 15 Januari 2024"; (None, None) otherwise."""
    cfg = _cfg()
    text = line.strip()
    m = cfg["place"].match(text)
    if m:
        d = find_dates(m.group("rest") or "")
        return collapse_ws(m.group("place")), d[0].value.isoformat() if d else None
    m = cfg["on_date"].match(text)
    if m:
        d = find_dates(m.group("rest"))
        return None, d[0].value.isoformat() if d else None
    m = cfg["place_date"].match(text)
    if m:
        d = find_dates(m.group("rest"))
        if d and d[0].start <= 2:
            return collapse_ws(m.group("place")), d[0].value.isoformat()
        mh = find_month_years(m.group("rest"))
        if mh and mh[0].start <= 2:
            return collapse_ws(m.group("place")), None  # dated to the month only
    return None, None


class _Column:
    """The lines of a document seen through one column of side-by-side signature blocks, so that
    two signers' names on one line are not read as one name. DOCX tables give cells joined by
    tabs ("Saksi,\t\tYang Mencanangkan,"): the column is a cell index. OCR gives lines with
    column segments (see _doc.Line.segments): the column is the horizontal span of the NIP, and
    a line keeps the segments that overlap it."""

    def __init__(self, lines: list[Line], col: int | None = None, span: tuple[int, int] | None = None):
        self.lines, self.col, self.span = lines, col, span

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i: int) -> Line:
        ln = self.lines[i]
        if self.col is not None and "\t" in ln.text:
            cells = ln.text.split("\t")
            if self.col >= len(cells):
                return Line(ln.i, ln.page, "", ln.start + len(ln.text), ln.markers)
            off = sum(len(c) + 1 for c in cells[:self.col])
            return Line(ln.i, ln.page, cells[self.col], ln.start + off, ln.markers)
        if self.span is not None and ln.segments and len(ln.segments) > 1:
            lo, hi = self.span
            keep = [sg for sg in ln.segments if sg[2] < hi and sg[3] > lo]
            if not keep:
                return Line(ln.i, ln.page, "", ln.start + len(ln.text), ln.markers)
            a, b = keep[0][0], keep[-1][1]
            return Line(ln.i, ln.page, ln.text[a:b], ln.start + a, ln.markers)
        return ln


def _columns(ln: Line) -> list[_Column | None]:
    """One reading per NIP on the line: None for a plain line, else the column of each NIP."""
    if "\t" in ln.text:
        return [_Column([], col=c) for c, cell in enumerate(ln.text.split("\t")) if _NIP_LINE.match(cell)]
    if ln.segments:
        out = [_Column([], span=(sg[2], sg[3])) for sg in ln.segments if _NIP_LINE.match(ln.text[sg[0]:sg[1]])]
        if out:
            return out
    return [None] if _NIP_LINE.match(ln.text) else []


def _block_at(doc: DocText, k: int, col: _Column | None = None) -> Block | None:
    lines = doc.lines if col is None else _Column(doc.lines, col.col, col.span)
    m = _NIP_LINE.match(lines[k].text)
    if not m:
        return None
    nip = parse_nip(m.group("v"))
    sig = Signatory(nip=nip, page=lines[k].page,
                    nip_conf=digit_confs(doc.lines[lines[k].i], lines[k].start + m.start("v")) if nip else None)
    used = {k}
    i = k - 1
    # A block broken by the page end ("Pembina …", "NIP. …" at the top of the next page) is read
    # across the break; otherwise a block stays on its page.
    above = [ln for ln in doc.lines[:k] if ln.page == lines[k].page and not ln.blank]
    pages = {lines[k].page, lines[k].page - 1} if len(above) <= 2 else {lines[k].page}

    def skip(i: int, limit: int = _MAX_GAP) -> int:
        n = 0
        while i >= 0 and lines[i].page in pages and _is_noise(lines[i]) and n < limit:
            i -= 1
            n += 1
        return i

    i = skip(i, 2)
    if i >= 0 and is_pangkat(lines[i].text) and not _NIP_LINE.match(lines[i].text):
        sig.pangkat = repair_caps(collapse_ws(lines[i].text), 1)
        used.add(i)
        i = skip(i - 1, 2)
    if i < 0 or lines[i].page not in pages or not _looks_like_name(lines[i]):
        return None
    if ":" in lines[i].text and fold(lines[i].text.split(":")[0]) in _cfg()["labels"]["name"]:
        return None  # a labelled "Nama : …" row belongs to a declaration, read elsewhere
    sig.name = _clean_name(lines[i].text)
    used.add(i)
    i = skip(i - 1)
    jab: list[str] = []
    raw_jabatan = ""
    while i >= 0 and lines[i].page in pages and not lines[i].blank and len(jab) < 4:
        text = lines[i].text.strip()
        place, when = place_date(text)
        if place or when:
            break
        lead = lines[i].leading()
        if "SECTION:MENGETAHUI" in lead:
            used.add(i)
            i -= 1
            break
        if _NIP_LINE.match(text) or lead & {"SECTION:MEMUTUSKAN", "SECTION:MENETAPKAN"}:
            break
        prefixed = bool(_cfg()["jab_prefix"].match(text))
        if not prefixed and (find_dates(text) or re.match(r"^[^:]{2,30}:", text)):
            break  # an identity row ("Tanggal Efektif : …") above a table-style block
        jab.append(text)
        used.add(i)
        i -= 1
        if prefixed:
            break
    if jab:
        text = collapse_ws(" ".join(reversed(jab))).rstrip(",").strip()
        raw_jabatan = text
        sig.jabatan = repair_caps(_cfg()["jab_prefix"].sub("", text).strip()) or None
    # place and date: up to four non-blank lines above the jabatan
    seen = 0
    while i >= 0 and lines[i].page in pages and seen < 4:
        if not lines[i].blank:
            seen += 1
            place, when = place_date(lines[i].text)
            if place or when:
                sig.place = sig.place or place
                sig.date = sig.date or when
                used.add(i)
            elif sig.place or sig.date:
                break
        i -= 1
    score = 1 + bool(sig.jabatan) + bool(sig.date or sig.place) + bool(nip)
    if sig.jabatan and any(fold(sig.jabatan).startswith(h) for h in _cfg()["heads"]):
        score += 1
    return Block(sig, used, score, raw_jabatan)


def signature_blocks(doc: DocText) -> list[Block]:
    """Every signature block, in document order (a block needs a name and a jabatan or date)."""
    out = []
    for ln in doc.lines:
        for col in _columns(ln):
            b = _block_at(doc, ln.i, col)
            if b and (b.signatory.jabatan or b.signatory.date or b.signatory.place):
                out.append(b)
    return out


def _label_value(ln: Line, keys: list[str]) -> str | None:
    if ":" not in ln.text:
        return None
    label, value = ln.text.split(":", 1)
    f = fold(label)
    if f and any(f == k or (len(f) > 3 and fuzz.ratio(f, k) >= 88) for k in keys):
        return collapse_ws(value).strip(" |").rstrip(",;") or None
    return None


def declarant(doc: DocText) -> tuple[Signatory, set[int]] | None:
    """The person making an individual statement ("Saya yang bertanda tangan di bawah ini")."""
    cfg = _cfg()
    start = None
    for ln in doc.lines:
        if len(ln.folded) >= 20 and fuzz.partial_ratio(cfg["declaration"], ln.folded) >= 85:
            start = ln.i
            break
    if start is None:
        return None
    sig = Signatory(page=doc.lines[start].page)
    used: set[int] = set()
    for ln in doc.lines[start + 1:start + 12]:
        for key in ("name", "nip", "pangkat", "jabatan"):
            v = _label_value(ln, cfg["labels"][key])
            if v is None or getattr(sig, key if key != "name" else "name"):
                continue
            if key == "nip":
                sig.nip = parse_nip(v)
            elif key == "name":
                sig.name = _clean_name(v)
            else:
                setattr(sig, key, repair_caps(v, 1) if key == "pangkat" else v)
            used.add(ln.i)
            break
    if not sig.name:
        return None
    for ln in doc.lines[start:]:
        place, when = place_date(ln.text)
        if when:
            sig.place, sig.date = place, when
            break
    return sig, used


def _same(a: Signatory, b: Signatory) -> bool:
    if a.nip and b.nip:
        return a.nip == b.nip
    return bool(a.name and b.name) and fuzz.token_sort_ratio(fold(a.name), fold(b.name)) >= 90


def _fill_from(chosen: Signatory, blocks: list[Block], doc: DocText, before: int | None) -> None:
    """Complete a block without place/date: from the same person's dated block (an SK's lampiran
    repeats the head's block undated), else from the last "<place>, <date>" line before it (a
    collective pakta is dated above its table and countersigned below it)."""
    for b in reversed(blocks):
        s = b.signatory
        if s is not chosen and s.date and _same(s, chosen):
            chosen.place, chosen.date = chosen.place or s.place, s.date
            return
    if before is None:
        return
    for ln in reversed(doc.lines[:before]):
        place, when = place_date(ln.text)
        if when:
            chosen.place, chosen.date = chosen.place or place, when
            return


def find_signatory(doc: DocText) -> tuple[Signatory | None, list[Block], Person | None]:
    """(signatory, all signature blocks, declarant as a person or None)."""
    blocks = signature_blocks(doc)
    decl = declarant(doc) if doc.doc_type in _cfg()["declaration_types"] else None
    if decl:
        sig, _ = decl
        for b in blocks:  # the declarant's own signature block completes the labelled rows
            if _same(b.signatory, sig):
                sig.nip = sig.nip or b.signatory.nip
                sig.place, sig.date = sig.place or b.signatory.place, sig.date or b.signatory.date
        person = Person(name=sig.name or "", nip=sig.nip, role=sig.jabatan, page=sig.page,
                        jabatan=sig.jabatan)
        return sig, blocks, person
    if not blocks:
        return None, blocks, None
    chosen_block = None
    prefer = _cfg()["prefer"].get(doc.doc_type)
    if prefer:
        keys = [fold(p) for p in prefer]
        for b in reversed(blocks):
            jab = fold(b.raw_jabatan or b.signatory.jabatan or "")
            if any(k in jab for k in keys):
                chosen_block = b
                break
    if chosen_block is None:
        best = max(b.score for b in blocks)
        chosen_block = [b for b in blocks if b.score >= min(best, 3)][-1]
    chosen = chosen_block.signatory
    if not chosen.date:
        _fill_from(chosen, blocks, doc, min(chosen_block.lines) if chosen_block.lines else None)
    return chosen, blocks, None


# ---------------------------------------------------------------- was the block read at all?

_DIGIT_RUN = re.compile(r"\d[\d .]{6,}\d")
_BOTTOM = 0.45          # the part of the page (from the bottom) where a closing block sits
_LOW_CONF = 60.0        # Tesseract word confidence under which a word is a guess
_LOW_SHARE = 0.2        # share of guessed words that makes a region unreliable


def unread_signature(doc: DocText, extraction) -> Mention | None:
    """Where a signature block seems to be on a scanned or photographed page but was not read
    whole: (reason, page, what was read there), None when the text is reliable there. A stamp
    over the block or a badly lit photo leaves its traces — the signing place and date, a "NIP"
    label, a pangkat/golongan, a run of NIP digits — or words Tesseract only guessed at; then whether the document is signed
    is for a person to see, not for bukti to deny. A text layer (or clean OCR with no trace of a
    block) is reliable: there a missing block is really missing."""
    pages = [p for p in extraction.pages if p.text and p.text.strip()]
    if not pages:
        return None
    # the closing block is at the end of the last page; an SOP's sits in its header on page 1
    candidates = [pages[-1]] + ([pages[0]] if doc.doc_type == "sop" and len(pages) > 1 else [])
    for page in candidates:
        if page.source != "ocr":
            continue
        lines = [ln for ln in doc.page_lines(page.number) if not ln.blank]
        bottom = lines[int(len(lines) * (1 - _BOTTOM)):] if doc.doc_type != "sop" else lines
        for ln in bottom:
            t = ln.text.strip().lstrip(_EDGE + " ")
            # a signing place and date ("Padang, 21 Jan 2025") opens a block whose name and NIP
            # should follow; a document made unsigned has neither
            if _NIP_LINE.match(t) or (is_pangkat(t) and len(t) < 60) or any(place_date(t)) or (
                    _DIGIT_RUN.search(t) and not re.match(r"^\d{1,3}\s*[.)|]?\s", t)
                    and sum(c.isdigit() for c in t) >= 8 and not find_dates(t)):
                return Mention(value="trace", page=page.number, raw=collapse_ws(t)[:80])
        words = page.words or []
        if words:
            top = max(w.top + w.height for w in words)
            low = [w for w in words if w.top >= top * (1 - _BOTTOM) and len(w.text) > 1]
            guessed = [w for w in low if w.conf < _LOW_CONF]
            if low and len(guessed) >= _LOW_SHARE * len(low):
                return Mention(value="low_confidence", page=page.number,
                               raw=collapse_ws(" ".join(w.text for w in guessed))[:80])
        elif page.confidence is not None and page.confidence < _LOW_CONF + 15:
            return Mention(value="low_confidence", page=page.number, raw=None)
    return None
