"""Field extraction of the understand stage: `extract_fields(extraction, doc_type) -> Fields`.

The parsers below are pure and also used by the checks:
`parse_date`, `find_dates` (dates.py), `parse_nomor` (nomor.py), `parse_nip`, `validate_nip`
(nip.py).

`tanggal` is the date the document was signed/issued, taken in this order: the date of the chosen
signature block (or of the declarant), "Ditetapkan di … pada tanggal …", a labelled date line
("Tanggal Pembuatan", "Hari/Tanggal" …, see vocab/patterns.yaml), the last "<place>, <date>" line.
Nothing else: a document without such a date has `tanggal = null`. A date written to the month
only ("Sumenep, Januari 2024") leaves `tanggal` null and fills `tanggal_partial` ("2024-01").
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.fields._doc import DocText
from extractors.fields.dates import find_dates, find_month_years, parse_date
from extractors.fields.nip import parse_nip, validate_nip
from extractors.fields.nomor import find_nomor, parse_nomor
from extractors.fields.people import find_people
from extractors.fields.period import find_period
from extractors.fields.signatory import find_signatory, place_date, unread_signature
from extractors.fields.subject import find_subject
from extractors.fields.title import find_title
from extractors.fields.unit import find_unit, unit_mentions
from extractors.model import Extraction, Fields, Mention
from extractors.textnorm import fold, load_vocab

__all__ = ["extract_fields", "parse_date", "find_dates", "parse_nomor", "parse_nip",
           "validate_nip"]


@lru_cache(maxsize=1)
def _labels() -> list[str]:
    return [fold(lbl) for lbl in load_vocab("patterns")["issue_date"]["labels"]]


# "Label : value", or a table row whose cells are joined by "|" (OCR of ruled tables) or a tab (DOCX)
_LABEL_SEP = re.compile(r"^\s*\|?\s*(?P<label>[^:|\t]{2,40}?)\s*[:|\t]\s*(?P<value>.*)$")


def _labelled_date(doc: DocText) -> tuple[str | None, str | None]:
    """(full ISO date, month-only "YYYY-MM") of the best labelled date line."""
    if doc.doc_type in load_vocab("patterns")["issue_date"]["labels_name_an_event"]:
        return None, None
    best: tuple[int, str | None, str | None] | None = None
    for ln in doc.lines:
        m = _LABEL_SEP.match(ln.text)
        label_f = fold(m.group("label")).strip() if m else None
        if label_f and label_f.startswith("HARI"):
            label_f = fold("hari tanggal")
        for rank, lbl in enumerate(_labels()):
            if label_f is not None and (label_f == lbl or label_f == lbl.replace(" ", "")):
                value = m.group("value")
            elif " " in lbl and ln.folded.startswith(lbl + " "):
                # a ruled identity table drawn without separators in the text layer
                # ("Tanggal Pembuatan 5 Januari 2024"); one-word labels are too common for this
                value = ln.text
            else:
                continue
            d = find_dates(value)
            mo = find_month_years(value) if not d else []
            if d or mo:
                cand = (rank, d[0].value.isoformat() if d else None, mo[0].iso if mo else None)
                if best is None or rank < best[0]:
                    best = cand
            break
    return (best[1], best[2]) if best else (None, None)


_PLACE_MONTH = re.compile(r"^\s*[A-Z][A-Za-z.'-]+(?:\s+[A-Za-z.'-]+){0,3}\s*,\s*(?P<rest>.+)$")


def _issue_date(doc: DocText, sig_date: str | None) -> tuple[str | None, str | None]:
    if sig_date:
        return sig_date, None
    ditetapkan = None
    last_place = None
    partial = None
    for k, ln in enumerate(doc.lines):
        place, when = place_date(ln.text)
        if "SECTION:DITETAPKAN" in ln.leading():
            if not when and k + 1 < len(doc.lines):
                when = place_date(doc.lines[k + 1].text)[1]
            if when:
                ditetapkan = when
        elif place and when:
            last_place = when
        elif not when:
            m = _PLACE_MONTH.match(ln.text)
            if m and not find_dates(ln.text):
                mh = find_month_years(m.group("rest"))
                if mh and mh[0].start <= 2:
                    partial = mh[0].iso
    if ditetapkan:
        return ditetapkan, None
    full, month = _labelled_date(doc)
    if full:
        return full, None
    if last_place:
        return last_place, None
    return None, partial or month


_BARE_NIP = re.compile(r"(?<!\d)(\d{8}\s?\d{6}\s?\d\s?\d{3})\s*$")


def _second_reading(extraction: Extraction, doc_type: str, sig):
    """The signatory from the second OCR reading of a page's signature block (see
    ocr.reread_signature) where the first reading gave none, or no NIP, or one that is invalid or
    was read with doubt; it is only taken when it gives a valid NIP with its name."""
    from extractors.model import Page
    from extractors.ocr import SURE_DIGITS

    if sig and sig.name and sig.nip and not validate_nip(sig.nip) and (
            not sig.nip_conf or min(sig.nip_conf) >= SURE_DIGITS):
        return sig
    for page in reversed(extraction.pages):
        if not page.signature_text:
            continue
        # in the block's region, a short line ending in a NIP-shaped number is the NIP line,
        # whatever became of its label under the stamp ("Ki IP. 19740718 200603 1 009")
        text = "\n".join(f"NIP. {m.group(1)}" if (m := _BARE_NIP.search(ln)) and len(ln) <= 40 else ln
                         for ln in page.signature_text.split("\n"))
        region = DocText(Extraction(kind=extraction.kind, pages=[
            Page(number=page.number, text=text, source="ocr")]), doc_type)
        _, blocks, _ = find_signatory(region)
        good = [b.signatory for b in blocks if b.signatory.name and b.signatory.nip
                and not validate_nip(b.signatory.nip)]
        if not good:
            continue
        new = next((g for g in good if sig and sig.nip and g.nip[:8] == sig.nip[:8]), good[-1])
        if sig:   # what the first reading had beyond the name and NIP (date, jabatan) stays
            new.place, new.date = new.place or sig.place, new.date or sig.date
            new.jabatan, new.pangkat = new.jabatan or sig.jabatan, new.pangkat or sig.pangkat
        if not (new.place or new.date):
            # the signing place and date above the block, as the first reading has them
            for line in reversed((page.text or "").split("\n")):
                place, when = place_date(line)
                if when:
                    new.place, new.date = new.place or place, when
                    break
        new.page = page.number
        return new
    return sig


def extract_fields(extraction: Extraction, doc_type: str) -> Fields:
    doc = DocText(extraction, doc_type)
    f = Fields()
    if not doc.pages:
        return f
    for k, (number, text) in enumerate(doc.pages):
        hit = find_nomor(text, heading=k == 0)
        if hit:
            f.nomor = hit[0]
            break
    for number, text in doc.pages:
        f.dates.extend(Mention(value=h.value.isoformat(), page=number, raw=h.raw)
                       for h in find_dates(text))
    sig, blocks, declarant = find_signatory(doc)
    sig = _second_reading(extraction, doc_type, sig)
    f.signatory = sig
    if not (sig and sig.name and sig.nip):
        f.signature_unread = unread_signature(doc, extraction)
    f.tanggal, f.tanggal_partial = _issue_date(doc, sig.date if sig else None)
    f.title = find_title(doc, doc_type)
    f.subject = find_subject(doc, doc_type, f.title)
    f.unit_mentions = unit_mentions(doc)
    f.unit = find_unit(doc, f.unit_mentions)
    skip = set().union(*(b.lines for b in blocks)) if blocks else set()
    f.people = find_people(doc, extraction.tables, skip)
    if declarant and not f.people:
        f.people = [declarant]
    f.period = find_period(f.title or "") or find_period(doc.pages[0][1])
    return f
