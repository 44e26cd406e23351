"""Runs a rule pack over the documents: maps documents to indicators, runs the checks the pack
switches on, renders messages, and estimates the Pengungkit score the evidence supports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .context import CheckContext
from .mapping import folder_hint, map_documents
from .model import Claim, Document, Flag, Profile, RosterEntry
from .pack import RulePack
from .propose import Proposal, basis_text, propose_all
from .questions import parse_need
from .score import first_failing, lke_score
from .registry import REGISTRY, STAGES, ensure_loaded
from .vocab import SEVERITY_RANK, FlagCode, Severity

LANGS = ("id", "en")
NOT_EVIDENCE = {"lke_self_assessment"}


@dataclass
class Evaluation:
    flags: list[Flag] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    score: dict[str, Any] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)   # question code → proposed answer


def evaluate(documents: list[Document], profile: Profile, roster: list[RosterEntry], pack: RulePack,
             lang: str = "id", claims: dict[str, Claim] | None = None) -> Evaluation:
    """`claims`: the unit's own LKE answers by question code (pipeline/answers.py), if it gave any."""
    ensure_loaded()
    lang = lang if lang in LANGS else "id"
    target = (profile.target or "WBK").upper()
    documents = sorted(documents, key=lambda d: d.path)
    by_folder = {f: folder_hint(f, pack) for f in sorted({d.folder for d in documents})}
    hints = {d.path: by_folder[d.folder] for d in documents}
    doc_indicators = map_documents(documents, pack, target, hints)
    for d in documents:
        d.indicators = list(doc_indicators.get(d.path, []))

    claims = claims or {}
    order = {stage: n for n, stage in enumerate(STAGES)}
    configs = sorted(pack.enabled_checks(), key=lambda c: (order[REGISTRY[c.code].stage], c.code))
    flags: list[Flag] = []
    blocked: set[str] = set()
    proposals: dict[str, Proposal] = {}
    for cfg in configs:
        spec = REGISTRY[cfg.code]
        if spec.stage == "claims" and not proposals:
            # the answers the evidence supports rest on every document flag raised so far
            proposals = propose_all(pack.questions, documents, flags)
        pool = documents if spec.stage == "file" else [d for d in documents if d.path not in blocked]
        # the unit's own filled LKE found among the files is its claims, not evidence to check
        pool = [d for d in pool if spec.stage == "file" or (d.readable and d.doc_type not in NOT_EVIDENCE)]
        ctx = CheckContext(documents=documents, docs=pool, profile=profile, roster=roster, pack=pack,
                           config=cfg, params=cfg.params_for(target), doc_indicators=doc_indicators,
                           hints=hints, proposals=proposals, claims=claims,
                           earlier_flags=list(flags) if spec.stage == "claims" else [])
        produced = list(spec.fn(ctx) or [])
        if spec.blocks_content:
            blocked |= {p for f in produced for p in f.documents}
        flags.extend(produced)
    if not proposals:
        proposals = propose_all(pack.questions, documents, flags)

    flags = _order(flags)
    for f in flags:
        f.message = render(f, pack, lang)
        ind = pack.indicator(f.indicator) if f.indicator else None
        f.legacy_indicators = list(ind.legacy_codes) if ind else []
    indicators = _indicator_results(documents, flags, pack, doc_indicators, lang, proposals, claims)
    return Evaluation(flags=flags, indicators=indicators,
                      score=estimate_score(indicators, pack, target, profile, claims), proposals=proposals)


def _order(flags: list[Flag]) -> list[Flag]:
    def key(f: Flag):
        docs = sorted(f.documents)
        return (SEVERITY_RANK.get(f.severity, 9), f.code, docs[0] if docs else "", docs,
                f.indicator or "", str(f.found), str(f.expected), f.page or 0)

    out = sorted(flags, key=key)
    for n, f in enumerate(out, 1):
        f.id = f"F{n:04d}"
    return out


# ---------------------------------------------------------------- messages

class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _fmt(v: Any, lang: str, terms: dict | None = None) -> str:
    if isinstance(v, str) and terms and v in terms:
        t = terms[v]
        return t.get(lang) or t.get("id") or v if isinstance(t, dict) else str(t)
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.1f}".rstrip("0").rstrip(".")
    if isinstance(v, (list, tuple, set)):
        return ", ".join(_fmt(x, lang, terms) for x in v) or "-"
    return str(v)


def doc_label(doc_type: str | None, pack: RulePack, lang: str) -> str:
    if not doc_type:
        return {"id": "dokumen", "en": "document"}[lang]
    labels = pack.doc_type_labels.get(doc_type) or {}
    if isinstance(labels, str):
        return labels
    return labels.get(lang) or labels.get("id") or doc_type


def render(flag: Flag, pack: RulePack, lang: str = "id") -> str:
    entry = pack.messages.get(flag.code) or {}
    if "id" not in entry and "en" not in entry:
        entry = entry.get(flag.params.get("variant") or "default") or entry.get("default") or {}
    template = entry.get(lang) or entry.get("id") or "{code}: {found}"
    ind = pack.indicator(flag.indicator) if flag.indicator else None
    terms = pack.terms
    values = _Safe({k: _fmt(v, lang, terms) for k, v in flag.params.items()})
    values.update(code=flag.code, found=_fmt(flag.found, lang, terms), expected=_fmt(flag.expected, lang, terms),
                  page=_fmt(flag.page, lang), indicator=flag.indicator or "-",
                  indicator_title=(ind.title_en if lang == "en" and ind and ind.title_en else ind.title) if ind else "-",
                  doc=doc_label(flag.doc_type, pack, lang),
                  document=flag.documents[0] if flag.documents else "-",
                  documents=", ".join(flag.documents) or "-", n_documents=len(flag.documents))
    if "types" in flag.params:
        values["types"] = ", ".join(doc_label(t, pack, lang) for t in flag.params["types"])
    if "missing_needs" in flag.params:
        label = _item_label(pack, lang)
        joiner = ((pack.messages.get("QUESTION_BASIS") or {}).get("or") or {}).get(lang, " / ")
        values["missing"] = "; ".join(
            joiner.join(label(i) for i in g.items) + (f" ×{g.count}" if g.count > 1 else "")
            for text in flag.params["missing_needs"] for g in parse_need(text).groups) or "-"
    text = template.format_map(values)
    if flag.page and "{page}" not in template:
        text += {"id": f" (hlm. {flag.page})", "en": f" (p. {flag.page})"}[lang]
    return text


# ---------------------------------------------------------------- indicators and score

def _item_label(pack: RulePack, lang: str):
    subjects = (pack.terms or {}).get("subjects") or {}

    def label(item) -> str:
        text = doc_label(item.doc_type, pack, lang)
        if item.subjects:
            names = [(subjects.get(s) or {}).get(lang) or s for s in item.subjects]
            text += " (" + "/".join(names) + ")"
        return text
    return label


def _claim_status(p: Proposal, claim: Claim | None) -> str | None:
    """supported | unsupported | not_verified (documents cannot decide) | None (no claim)."""
    if claim is None:
        return None
    if p.answer is None:
        return "not_verified"
    claimed = p.question.score(claim.answer)
    return "unsupported" if claimed is not None and claimed > (p.score or 0.0) + 1e-9 else "supported"


def _question_entry(p: Proposal, flags_by_doc: dict[str, list[str]], pack: RulePack, lang: str,
                    claim: Claim | None = None, claim_flags: dict[str, str] | None = None) -> dict[str, Any]:
    q = p.question
    own = [(claim_flags or {}).get(q.code)] if (claim_flags or {}).get(q.code) else []
    return {"id": q.code, "text": q.text, "answer_type": q.answer_type,
            "claimed": claim.answer if claim else None,
            "claimed_score": q.score(claim.answer) if claim else None,
            "claim_status": _claim_status(p, claim),
            "claim_eviden": claim.eviden if claim else [],
            "claim_penjelasan": claim.penjelasan if claim else None,
            "claim_flags": own,
            "answers": q.answers, "criteria": q.criteria,
            "proposed": p.answer, "proposed_score": p.score,
            "basis": basis_text(p, _item_label(pack, lang), lang, pack.messages.get("QUESTION_BASIS") or {}),
            "needs_input": p.answer is None, "ties": p.ties,
            "evidence": p.evidence,
            "flags": sorted({f for d in p.evidence for f in flags_by_doc.get(d, [])}),
            "inputs": q.inputs, "data_dukung": q.data_dukung}


def _indicator_results(documents, flags, pack, doc_indicators, lang, proposals=None,
                       claims=None) -> list[dict[str, Any]]:
    proposals, claims = proposals or {}, claims or {}
    claim_flags = {f.params.get("question"): f.id for f in flags if f.code == FlagCode.CLAIM_UNSUPPORTED}
    flags_by_doc: dict[str, list[str]] = {}
    for f in flags:
        for d in f.documents:
            flags_by_doc.setdefault(d, []).append(f.id)
    out = []
    for area in pack.areas:
        for ind in area.indicators:
            evidence = sorted(d.path for d in documents if ind.code in doc_indicators.get(d.path, []))
            mine = [f for f in flags if f.indicator == ind.code
                    or (f.indicator is None and set(f.documents) & set(evidence))]
            serious = [f for f in mine if f.severity in ("error", "warning")]
            missing = not evidence or any(f.code == FlagCode.MISSING_EVIDENCE and f.severity == Severity.ERROR for f in mine)
            status = "missing" if not evidence else ("flagged" if serious or missing else "ok")
            out.append({
                "code": ind.code, "area": (area.title_en if lang == "en" and area.title_en else area.title),
                "area_code": area.code, "part": ind.part, "bobot": ind.weight,
                "title": (ind.title_en if lang == "en" and ind.title_en else ind.title),
                "status": status, "evidence": evidence, "flags": [f.id for f in mine],
                "weight": ind.weight, "legacy_codes": ind.legacy_codes,
                "worst": min((f.severity for f in serious), key=lambda s: {"error": 0, "warning": 1}[s], default=None),
                "questions": [_question_entry(proposals[q.code], flags_by_doc, pack, lang, claims.get(q.code),
                                              claim_flags)
                              for q in ind.questions if q.code in proposals],
            })
    return out


def estimate_score(indicators: list[dict[str, Any]], pack: RulePack, target: str,
                   profile: Profile | None = None, claims: dict[str, Claim] | None = None) -> dict[str, Any]:
    """The LKE's score of the answers the evidence supports (rules/score.py), with every minimum of
    the target predicate. An estimate of what the folder can carry, not the evaluators' score.
    With the unit's own answers, `claimed` is the same computation over its claims."""
    answers = {q["id"]: q["proposed_score"] for i in indicators for q in i.get("questions", [])}
    hasil = profile.hasil if profile else None
    previous = profile.previous_predicate if profile else None
    s = lke_score(pack, answers, target, hasil=hasil, previous_predicate=previous)
    claimed = None
    if claims:
        by_code = {q.code: q for q in pack.questions}
        claimed = lke_score(pack, {c: by_code[c].score(cl.answer) for c, cl in claims.items() if c in by_code},
                            target, hasil=hasil, previous_predicate=previous)
        claimed["first_failing"] = first_failing(claimed["minima"])
        claimed["answered"] = len(claims)
    by_area: dict[str, list[dict]] = {}
    for i in indicators:
        by_area.setdefault(i["area_code"], []).append(i)
    for a in s["areas"]:
        rows = by_area.get(a["code"], [])
        a["indicators_ok"] = sum(1 for r in rows if r["status"] == "ok")
        a["indicators_total"] = len(rows)
    hasil_max = float((pack.hasil or {}).get("weight", 40))
    thresholds = {t: v.get("total") for t, v in sorted(pack.thresholds.items())}
    need = thresholds.get(target)
    questions = [q for i in indicators for q in i.get("questions", [])]
    return {
        "label": "estimate",
        "basis": "evidence",
        "target": target,
        **s,
        "hasil_max": hasil_max,
        "total_if_hasil_max": round(s["pengungkit"] + hasil_max, 2),
        "thresholds": thresholds,
        "reachable": (None if need is None else s["pengungkit"] + hasil_max >= need),
        "first_failing": first_failing(s["minima"]),
        "claimed": claimed,
        "questions": {"total": len(questions),
                      "proposed": sum(1 for q in questions if q["proposed"] is not None),
                      "needs_input": sum(1 for q in questions if q["proposed"] is None)},
    }
