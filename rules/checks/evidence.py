"""Whether each indicator has the data dukung the pack asks for, and whether documents sit in
the folder of an indicator they support."""
from __future__ import annotations

import re

from ..context import QUARTER_NAMES, CheckContext
from ..mapping import subject_text
from ..pack import Requirement
from ..registry import check
from ..vocab import FlagCode
from ..text import contains_phrase

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"(?:triwulan|tri wulan|tw|kuartal|quarter|q)\s*(iv|iii|ii|i|[1-4])\b")
_SEMESTER = re.compile(r"(?:semester|smt)\s*(ii|i|[12])\b")


def covered_quarters(period: str | None) -> set[int]:
    """'Triwulan II' → {2}; 'Semester I' → {1, 2}; 'Tahun 2024' → {1, 2, 3, 4}; unknown → empty."""
    if not period:
        return set()
    p = period.lower()
    if m := _QUARTER.search(p):
        return {_ROMAN[m.group(1)]}
    if m := _SEMESTER.search(p):
        s = _ROMAN[m.group(1)]
        return {2 * s - 1, 2 * s}
    if re.search(r"\b(tahun|tahunan|annual)\b", p):
        return {1, 2, 3, 4}
    return set()


def _matching(ctx: CheckContext, req: Requirement, code: str):
    limit = int(ctx.pack.defaults.get("subject_chars", 1500))
    docs = [d for d in ctx.indicator_docs(code) if d.doc_type in req.doc_types]
    if req.keywords:
        docs = [d for d in docs if any(contains_phrase(subject_text(d, limit), k) for k in req.keywords)]
    return docs


def _count(ctx: CheckContext, req: Requirement, docs) -> tuple[int, list[str]]:
    """Distinct contents that count toward the requirement, and the periods found missing."""
    seen, counted = set(), []
    for d in docs:
        if d.sha256 in seen:
            continue
        seen.add(d.sha256)
        dt = ctx.doc_date(d)
        if req.in_period and dt is not None and not ctx.in_period(dt):
            continue
        counted.append(d)
    if req.per != "quarter":
        return len(counted), []
    due = ctx.periods_ended("quarter")
    quarters: set[int] = set()
    unlabelled = 0
    for d in counted:
        q = covered_quarters(d.fields.period)
        if q:
            quarters |= q
        else:
            unlabelled += 1
    have = len({q for q in quarters if q <= due}) + unlabelled
    missing = [QUARTER_NAMES[q] for q in range(1, due + 1) if q not in quarters] if not unlabelled else []
    return have, missing


@check(FlagCode.MISSING_EVIDENCE)
def missing_evidence(ctx: CheckContext):
    for ind in ctx.pack.indicators:
        for req in ind.evidence:
            r = req.for_target(ctx.target)
            expected = max(r.min, ctx.periods_ended(r.per) if r.per else 0)
            if expected == 0 or not r.flag_missing or _matching(ctx, r, ind.code):
                continue
            f = ctx.flag(indicator=ind.code, doc_type=r.doc_types[0], found=0, expected=expected,
                         title=ind.title, types=r.doc_types, label=r.label or "",
                         keywords=r.keywords, variant="keywords" if r.keywords else "default")
            if r.missing_severity:
                f.severity = r.missing_severity
            yield f


@check(FlagCode.INSUFFICIENT_EVIDENCE)
def insufficient_evidence(ctx: CheckContext):
    for ind in ctx.pack.indicators:
        for req in ind.evidence:
            r = req.for_target(ctx.target)
            due = ctx.periods_ended(r.per) if r.per else 0
            expected = max(r.min, due)
            docs = _matching(ctx, r, ind.code)
            if not docs or expected <= 1 and not r.per:
                continue   # none at all is MISSING_EVIDENCE; one required and one present is enough
            have, missing = _count(ctx, r, docs)
            if have < expected:
                yield ctx.flag(documents=docs, indicator=ind.code, doc_type=r.doc_types[0], found=have,
                               expected=expected, title=ind.title, per=r.per or "",
                               missing_periods=missing, variant=r.per or "default")


@check(FlagCode.MISFILED, params={
    # doc type → indicators where real folders keep it besides its LKE home, which is not a
    # misfiling (a step of the process that is not scored, filed with the indicator it serves).
    "also_filed_under": {},
})
def misfiled(ctx: CheckContext):
    also = ctx.params["also_filed_under"]
    for doc in ctx.docs:
        hint = ctx.hints.get(doc.path)
        if hint is None or hint.empty or doc.doc_type == "unknown":
            continue
        if hint.indicators:
            allowed = {t for c in hint.indicators for t in ctx.pack.indicator(c).doc_types()}
            allowed |= {t for t, codes in also.items() if set(codes) & set(hint.indicators)}
            named = hint.indicators[0]
        else:
            allowed = {t for a in hint.areas for i in ctx.pack.area(a).indicators for t in i.doc_types()}
            named = hint.areas[0]
        if doc.doc_type in allowed:
            continue
        ind = ctx.pack.indicator(named)
        area = ctx.pack.area(ind.area_code if ind else named)
        yield ctx.flag(documents=[doc], found=doc.folder, expected=ctx.doc_indicators.get(doc.path) or None,
                       folder=doc.folder, named=named, named_title=(ind.title if ind else area.title),
                       supports=", ".join(ctx.doc_indicators.get(doc.path) or []) or "-")
