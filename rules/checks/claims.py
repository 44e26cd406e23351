"""The unit's own LKE answers held against its evidence, as the Tim Penilai Internal does: an
answer higher than the folder supports is a claim an evaluator would not accept.

Only what documents can decide is judged. A claim at or below the proposed answer raises nothing;
an answer to a question documents cannot decide (survey figures, percentages of the unit's counts)
is shown as the unit's figure, not verified. The flag names the criterion of the claimed answer,
what it lacks, and what is wrong with the files the unit listed for it."""
from __future__ import annotations

from ..context import CheckContext
from ..propose import Evidence, matches
from ..registry import check
from ..vocab import FlagCode


@check(FlagCode.CLAIM_UNSUPPORTED, stage="claims")
def claim_unsupported(ctx: CheckContext):
    if not ctx.claims:
        return
    by_path = {d.path: d for d in ctx.documents}
    flagged: dict[str, list[str]] = {}
    for f in ctx.earlier_flags:
        if f.severity == "error":
            for p in f.documents:
                flagged.setdefault(p, []).append(f.code)
    evidence = Evidence(ctx.documents, ctx.earlier_flags)
    for code, claim in sorted(ctx.claims.items()):
        proposal = ctx.proposals.get(code)
        q = ctx.pack.question(code)
        if proposal is None or q is None or proposal.answer is None:
            continue
        claimed = q.score(claim.answer)
        if claimed is None or claimed <= (proposal.score or 0.0) + 1e-9:
            continue
        need = q.evidence_for.get(claim.answer)
        if need is None:
            continue      # the pack names no documents for this answer: not verifiable, not accused
        missing = [g.text() for g in need.groups if not evidence.group(g).met]
        notes = []
        listed = [by_path[p] for p in claim.eviden if p in by_path]
        for d in listed:
            if not d.readable:
                notes.append(f"{d.path}: {d.extraction.error_code}")
            elif d.path in flagged:
                notes.append(f"{d.path}: {', '.join(sorted(set(flagged[d.path])))}")
            elif not any(matches(d, i) for n in q.evidence_for.values() for g in n.groups for i in g.items):
                others = [c for c in ctx.doc_indicators.get(d.path, [])]
                notes.append(f"{d.path}: {d.doc_type}" + (f" → {', '.join(others)}" if others else ""))
        for m in claim.listed_missing:
            notes.append(f"{m}: -")
        criterion = q.criteria.get(claim.answer, "")
        yield ctx.flag(documents=listed, indicator=code.rsplit(".", 1)[0],
                       found=f"{code} = {proposal.answer}", expected=f"{code} = {claim.answer}",
                       question=code, claimed=claim.answer, proposed=proposal.answer,
                       criterion=criterion.rstrip(". "), missing_needs=missing, eviden_notes=notes,
                       variant="eviden" if notes else "default")
