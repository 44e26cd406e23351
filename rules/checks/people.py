"""People across documents: the roster against the pakta integritas, the team named in reports
against the decree that formed it."""
from __future__ import annotations

from ..context import CheckContext
from ..model import Look
from ..registry import check
from ..vocab import FlagCode
from ..text import norm, same_person, strip_titles


@check(FlagCode.COVERAGE_GAP, params={"doc_types": ["pakta_integritas"], "name_threshold": 88.0,
                               "min_coverage": 1.0, "max_names": 10})
def coverage_gap(ctx: CheckContext):
    p = ctx.params
    docs = ctx.docs_of(*p["doc_types"])
    if not ctx.roster or not docs:
        return   # no roster, nothing to compare; no pakta at all is MISSING_EVIDENCE
    signed = []
    for d in docs:
        signed += [(x.name, x.nip) for x in d.fields.people]
        # An individual pakta is signed by the employee it binds.
        if d.fields.signatory and len(d.fields.people) <= 1:
            signed.append((d.fields.signatory.name, d.fields.signatory.nip))
    missing = [r for r in ctx.roster
               if not any(same_person(r.name, r.nip, n, nip, p["name_threshold"]) for n, nip in signed)]
    covered = 1 - len(missing) / len(ctx.roster)
    if missing and covered < p["min_coverage"] - 1e-9:
        names = [r.name for r in missing]
        yield ctx.flag(documents=docs, found=names, expected=len(ctx.roster),
                       missing_count=len(missing), roster_count=len(ctx.roster),
                       names=", ".join(names[: p["max_names"]]) + (" …" if len(names) > p["max_names"] else ""))


@check(FlagCode.MEMBER_MISMATCH, params={
    "team_doc_types": ["sk_tim_zi"],
    "doc_types": ["laporan_monev", "notulen_rapat"],
    # In these types every person listed is taken as a team member; in the others only those
    # whose role names a team position (attendees of a meeting need not be in the team).
    "all_people_doc_types": ["laporan_monev"],
    "team_roles": ["ketua", "wakil ketua", "sekretaris", "anggota", "koordinator", "tim", "penanggung jawab"],
    "name_threshold": 88.0,
})
def member_mismatch(ctx: CheckContext):
    p = ctx.params
    team = [(x.name, x.nip) for d in ctx.docs_of(*p["team_doc_types"]) for x in d.fields.people]
    if not team:
        return
    head = ctx.profile.head
    for doc in ctx.docs_of(*p["doc_types"]):
        everyone = doc.doc_type in p["all_people_doc_types"]
        strangers = []
        for x in doc.fields.people:
            role = norm(x.role)
            if not everyone and not any(r in role for r in p["team_roles"]):
                continue
            if head and same_person(x.name, x.nip, head.name, head.nip, p["name_threshold"]):
                continue   # the head directs the team whether or not the decree lists them
            if not any(same_person(x.name, x.nip, n, nip, p["name_threshold"]) for n, nip in team):
                strangers.append(x)
        if strangers:
            yield ctx.flag(documents=[doc], found=[s.name for s in strangers], expected=None,
                           page=strangers[0].page,
                           look=Look.at("table_row", strangers[0].page,
                                        *(s.name for s in strangers if s.page == strangers[0].page)),
                           names=", ".join(s.name for s in strangers),
                           count=len(strangers), team_size=len({strip_titles(n) for n, _ in team}))
