"""Dates: inside the assessment period, not after the check date, and in a sensible order."""
from __future__ import annotations

from ..context import CheckContext
from ..model import Look
from ..registry import check
from ..vocab import FlagCode


@check(FlagCode.OUT_OF_PERIOD, params={
    # doc type → how many years before the period it may be dated (policies stay in force);
    # a type not listed must be dated inside the period.
    "allow_earlier_years": {},
    # doc type → how many years before the period it is still worth a look, not a rejection: a
    # standing decree or pledge may still be in force, but the LKE reads the assessment year's
    # commitment, so an earlier one is a warning to renew it or show it still applies.
    "renew_earlier_years": {},
    "ignore_doc_types": ["unknown"],
})
def out_of_period(ctx: CheckContext):
    earlier = ctx.params["allow_earlier_years"]
    for doc in ctx.docs:
        if doc.doc_type in ctx.params["ignore_doc_types"]:
            continue
        d = ctx.doc_date(doc)
        if d is None:
            continue
        page = doc.fields.signatory.page if doc.fields.signatory else None
        look = _date_look(doc, d.isoformat(), page)
        if d > ctx.check_date:
            yield ctx.flag(documents=[doc], found=d.isoformat(), expected=ctx.check_date.isoformat(),
                           page=page, look=look, variant="future", period=ctx.period)
            continue
        slack = int(earlier.get(doc.doc_type, 0))
        first_year = ctx.period - slack
        renew = int(ctx.params["renew_earlier_years"].get(doc.doc_type, 0))
        if ctx.period - renew <= d.year < first_year:
            yield ctx.flag(documents=[doc], found=d.isoformat(), expected=str(ctx.period), page=page,
                           look=look, variant="renew", period=str(ctx.period), severity="warning")
        elif d.year < first_year or d.year > ctx.period:
            expected = (str(ctx.period) if not slack
                        else f"{first_year}–{ctx.period}")
            yield ctx.flag(documents=[doc], found=d.isoformat(), expected=expected, page=page,
                           look=look, variant="default", period=expected)


@check(FlagCode.DATE_ORDER, params={
    # each rule: documents of `doc_types` must not be dated before the earliest in-period
    # document of `not_before`.
    "rules": [],
})
def date_order(ctx: CheckContext):
    for rule in ctx.params["rules"]:
        refs = [(ctx.doc_date(d), d) for d in ctx.docs_of(*_as_list(rule["not_before"]))]
        refs = [(dt, d) for dt, d in refs if dt is not None]
        in_period = [(dt, d) for dt, d in refs if ctx.in_period(dt)]
        if not (in_period or refs):
            continue
        ref_date, ref_doc = min(in_period or refs, key=lambda x: (x[0], x[1].path))
        for doc in ctx.docs_of(*_as_list(rule["doc_types"])):
            d = ctx.doc_date(doc)
            if d is not None and d < ref_date:
                yield ctx.flag(documents=[doc], found=d.isoformat(), expected=ref_date.isoformat(),
                               look=_date_look(doc, d.isoformat()), reference=ref_doc.path, reference_type=ref_doc.doc_type)


def _date_look(doc, iso: str, page: int | None = None) -> Look | None:
    """The line the document's date was read from, as written ("18 Desember 2023")."""
    seen = next((m for m in doc.fields.dates if m.value == iso and m.page), None)
    if seen is None:
        return Look.at("date", page)
    return Look.at("date", seen.page, seen.raw or seen.value)


def _as_list(x) -> list[str]:
    return [x] if isinstance(x, str) else list(x)
