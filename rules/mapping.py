"""Which indicator a document supports (by its type and subject), and which indicator or area
its folder name points at (a hint only: used for MISFILED and to order ties)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.model import ErrorKind

from .model import Document
from .pack import Indicator, RulePack
from .propose import matches
from .text import contains_phrase, norm

# "1.1 Tim Kerja", "01_manajemen", "1-2", "5.3.a": an area number, optionally an indicator number.
_NUMBERED = re.compile(r"^(?:area\s+)?0*(\d{1,2})(?:\s+0*(\d{1,2}))?(?:\s|$)")


@dataclass
class FolderHint:
    areas: list[str] = field(default_factory=list)       # area codes named by the folder path
    indicators: list[str] = field(default_factory=list)  # indicator codes, deepest folder first

    @property
    def empty(self) -> bool:
        return not self.areas and not self.indicators


def _words_match(component: str, hint: str) -> bool:
    return contains_phrase(component, hint)


def folder_hint(folder: str, pack: RulePack) -> FolderHint:
    hint = FolderHint()
    if not folder:
        return hint
    components = [norm(c.replace(".", " ")) for c in folder.split("/")]
    area_by_num = {str(a.number if a.number is not None else a.code): a for a in pack.areas}
    for comp in components:
        found_areas: list[str] = []
        found_inds: list[str] = []
        m = _NUMBERED.match(comp)
        names_area = any(_words_match(comp, n) for a in pack.areas
                         for n in [a.title, *(a.hints or [])] + ([a.abbrev] if a.abbrev else []))
        if m and not m.group(2) and hint.areas and not names_area:
            # "01_manajemen_perubahan/02_rencana": a lone number under an area folder is an indicator.
            ind = pack.area(hint.areas[0]).indicator_by_number(int(m.group(1)))
            if ind:
                found_inds.append(ind.code)
        elif m and m.group(1).lstrip("0") in area_by_num:
            area = area_by_num[m.group(1).lstrip("0")]
            found_areas.append(area.code)
            if m.group(2):
                ind = area.indicator_by_number(int(m.group(2)))
                if ind:
                    found_inds.append(ind.code)
        for area in pack.areas:
            names = [area.title, *(area.hints or [])] + ([area.abbrev] if area.abbrev else [])
            if any(_words_match(comp, n) for n in names):
                found_areas.append(area.code)
        # "MP - Tim": the indicator words are read within the area this or a parent folder names.
        scope = ([a for a in pack.areas if a.code in found_areas]
                 or [a for a in pack.areas if a.code in hint.areas] or pack.areas)
        if not found_inds:
            for area in scope:
                for ind in area.indicators:
                    if any(_words_match(comp, n) for n in [ind.title, *ind.hints]):
                        found_inds.append(ind.code)
        for a in found_areas:
            if a not in hint.areas:
                hint.areas.append(a)
        # Deeper folders are more specific: their indicators go first.
        hint.indicators = [i for i in found_inds if i] + [i for i in hint.indicators if i not in found_inds]
    if hint.indicators and not hint.areas:
        hint.areas = sorted({pack.indicator(c).area_code for c in hint.indicators})
    return hint


def subject_text(doc: Document, limit: int = 1500) -> str:
    title = doc.fields.title or ""
    name = doc.path.rsplit("/", 1)[-1]
    body = doc.extraction.text[:limit] if doc.readable else ""
    return norm(" ".join([title, name, body]))


def supports(doc: Document, ind: Indicator, target: str, limit: int = 1500,
             subject: str | None = None) -> bool:
    if any(matches(doc, item) for q in ind.questions for need in q.evidence_for.values()
           for group in need.groups for item in group.items):
        return True
    for req in ind.evidence:
        r = req.for_target(target)
        if doc.doc_type not in r.doc_types:
            continue
        if not r.keywords:
            return True
        subject = subject if subject is not None else subject_text(doc, limit)
        if any(contains_phrase(subject, k) for k in r.keywords):
            return True
    return False


def map_documents(documents: list[Document], pack: RulePack, target: str,
                  hints: dict[str, FolderHint]) -> dict[str, list[str]]:
    """path → indicator codes, the folder-hinted ones first, then in pack order."""
    order = {i.code: n for n, i in enumerate(pack.indicators)}
    limit = int(pack.defaults.get("subject_chars", 1500))
    out: dict[str, list[str]] = {}
    for doc in documents:
        if doc.extraction.error_code in (ErrorKind.CORRUPT_FILE, ErrorKind.UNSUPPORTED_FILE):
            out[doc.path] = []
            continue
        subject = subject_text(doc, limit)
        codes = [i.code for i in pack.indicators if supports(doc, i, target, limit, subject)]
        hinted = hints.get(doc.path, FolderHint()).indicators
        codes.sort(key=lambda c: (c not in hinted, hinted.index(c) if c in hinted else 0, order[c]))
        out[doc.path] = codes
    return out
