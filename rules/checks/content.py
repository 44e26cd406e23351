"""What the text of a document must and must not contain."""
from __future__ import annotations

import re
from collections import defaultdict
from fnmatch import fnmatch

from rapidfuzz import fuzz

from ..context import CheckContext
from ..model import Look
from ..registry import check
from ..vocab import FlagCode
from ..text import squash


def _compile(p: dict) -> re.Pattern:
    flags = re.MULTILINE | (re.IGNORECASE if p.get("ignore_case") else 0)
    return re.compile(p["regex"], flags)


def _valid_patterns(params: dict) -> str | None:
    for i, p in enumerate(params.get("patterns") or []):
        if not isinstance(p, dict) or "regex" not in p or "name" not in p:
            return f"patterns[{i}]: needs name and regex"
        req = p.get("requires", [])
        if not isinstance(req, list) or not all(isinstance(r, str) and r for r in req):
            return f"patterns[{i}] ({p['name']}): requires must be a list of strings"
        try:
            _compile(p)
        except re.error as exc:
            return f"patterns[{i}] ({p['name']}): bad regex: {exc}"
    return None


@check(FlagCode.TEMPLATE_PLACEHOLDER, params={"patterns": [], "max_examples": 5}, validate=_valid_patterns)
def template_placeholder(ctx: CheckContext):
    # `requires`: strings of which a page must hold one for the pattern to be tried at all. Most
    # placeholders need dots or an ellipsis, which most pages lack: the regexes then never run.
    patterns = [(p["name"], _compile(p), p.get("requires") or []) for p in ctx.params["patterns"]]
    for doc in ctx.docs:
        hits: list[tuple[int, str, str]] = []
        for page in doc.extraction.pages:
            text = page.text or ""
            for name, rx, requires in patterns:
                if requires and not any(r in text for r in requires):
                    continue
                for m in rx.finditer(text):
                    hits.append((page.number, name, " ".join(m.group(0).split())))
        if not hits:
            continue
        hits.sort()
        examples = list(dict.fromkeys(h[2] for h in hits))[: ctx.params["max_examples"]]
        first = hits[0][0]
        yield ctx.flag(documents=[doc], found=examples, expected=None, page=first,
                       look=Look.at("placeholder", first, *(h[2] for h in hits if h[0] == first)),
                       kinds=sorted({h[1] for h in hits}), count=len(hits))


def _alternatives(marker) -> list[str]:
    return [marker] if isinstance(marker, str) else list(marker)


def _formats(markers) -> list[list]:
    """A doc type's section lists: one list of markers, or {format name: markers} when the type
    is written in several formats (an SOP of PermenPAN-RB 35/2012 or of health accreditation)."""
    return list(markers.values()) if isinstance(markers, dict) else [markers]


def _valid_sections(params: dict) -> str | None:
    sections = params.get("sections")
    if not isinstance(sections, dict):
        return "sections: must map doc types to lists of markers"
    for key, markers in sections.items():
        for fmt in _formats(markers):
            if not isinstance(fmt, list) or not all(isinstance(m, (str, list)) for m in fmt):
                return (f"sections.{key}: must be a list of markers (a string or a list of alternatives), "
                        "or a mapping of format names to such lists")
    sig = params.get("signature_markers", [])
    if not isinstance(sig, list) or not all(isinstance(m, str) for m in sig):
        return "signature_markers: must be a list of markers"
    return None


def marker_present(text_squashed: str, marker: str, threshold: float) -> bool:
    m = squash(marker)
    if not m or m in text_squashed:
        return True
    # OCR drops or swaps a letter ("MENIMBAN6"); short markers must match exactly.
    return len(m) >= 6 and fuzz.partial_ratio(m, text_squashed) >= threshold


@check(FlagCode.MISSING_SECTION, params={"sections": {}, "fuzzy_threshold": 85.0, "signature_markers": []},
       validate=_valid_sections)
def missing_section(ctx: CheckContext):
    sections = ctx.params["sections"]
    # The approval line ("Disahkan oleh") is shown by the approver's block itself: where a signature
    # block with name and NIP was read, its label (lost by OCR, or never printed) is not missing.
    by_signature = {squash(m) for m in ctx.params["signature_markers"]}
    for doc in ctx.docs:
        matching = [markers for pattern, markers in sections.items() if fnmatch(doc.doc_type, pattern)]
        if not matching:
            continue
        text = squash(doc.extraction.text)
        sig = doc.fields.signatory
        signed = bool(sig and sig.name and sig.nip)
        best = None   # (missing, wanted) of the format the document comes closest to
        for fmt in _formats_of(matching):
            missing = [_alternatives(m)[0] for m in fmt
                       if not (signed and squash(_alternatives(m)[0]) in by_signature)
                       and not any(marker_present(text, alt, ctx.params["fuzzy_threshold"])
                                   for alt in _alternatives(m))]
            if best is None or len(missing) < len(best[0]):
                best = (missing, [_alternatives(m)[0] for m in fmt])
        if best and best[0]:
            yield ctx.flag(documents=[doc], found=best[0], expected=best[1], missing=best[0])


def _formats_of(matching: list) -> list[list]:
    """Every combination of one format per matching pattern ("sk_*" and "sk_tim_zi" both apply)."""
    combos: list[list] = [[]]
    for markers in matching:
        combos = [c + fmt for c in combos for fmt in _formats(markers)]
    return combos


@check(FlagCode.DUPLICATE_NUMBER, params={"ignore_doc_types": []})
def duplicate_number(ctx: CheckContext):
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for doc in ctx.docs:
        nomor = doc.fields.nomor
        if not nomor or doc.doc_type in ctx.params["ignore_doc_types"]:
            continue
        key = re.sub(r"\s+", "", nomor).upper()
        if not re.search(r"\d", key):
            continue   # "…/…/2024" left blank is a TEMPLATE_PLACEHOLDER, not a shared number
        groups[key][doc.sha256].append(doc)
    for key, by_sha in sorted(groups.items()):
        if len(by_sha) > 1:
            docs = [d for ds in by_sha.values() for d in ds]
            nomor = docs[0].fields.nomor
            yield ctx.flag(documents=docs, found=nomor, expected=None, nomor=nomor, count=len(by_sha),
                           look=Look.at("nomor", 1, nomor))
