"""The LKE's arithmetic and the predicate's minima.

Indicator value = bobot × mean of its question scores; a part, an area and the Pengungkit are sums
of indicator values; the total adds the Hasil (IPAK, capaian kinerja, IPKP), which comes from
outside the folder (unit.yaml `hasil:`). Each minimum of the target predicate is listed with the
estimate, the limit and met / not met / unknown (an input is missing). The same function scores
the evidence's proposed answers and, where the unit gave them, its claimed answers."""
from __future__ import annotations

from typing import Any

from .pack import PARTS, RulePack

GRADE_SCORES = {"A": 1.0, "B": 0.75, "C": 0.5, "D": 0.25, "E": 0.0}
_BANDS = ((3.5, 1.0), (2.5, 0.67), (1.5, 0.33))   # index rounded to 4/3/2/1 → share of the weight


def hasil_scores(pack: RulePack, hasil: dict[str, Any] | None) -> dict[str, float | None]:
    """Points of each Hasil item from the unit's figures (None where not given or not valid)."""
    items = (pack.hasil or {}).get("items") or {}
    given = hasil or {}
    out: dict[str, float | None] = {}
    for key, spec in items.items():
        raw = given.get(key)
        weight = float(spec.get("weight", 0))
        if raw is None:
            out[key] = None
        elif spec.get("scale") == "grade":
            share = GRADE_SCORES.get(str(raw).strip().upper())
            out[key] = None if share is None else round(weight * share, 2)
        else:
            try:
                index = float(raw)
            except (TypeError, ValueError):
                out[key] = None
                continue
            if not 1.0 <= index <= 4.0:
                out[key] = None
            elif pack.option("hasil_scoring") == "bands":
                out[key] = round(weight * next((s for lim, s in _BANDS if index >= lim), 0.0), 2)
            else:
                out[key] = round(weight * index / 4.0, 2)
    return out


def indicator_values(pack: RulePack, answers: dict[str, float | None]) -> dict[str, float]:
    """Indicator code → bobot × mean of question scores (a question without a score counts 0)."""
    out = {}
    for ind in pack.indicators:
        if not ind.questions:
            out[ind.code] = 0.0
            continue
        mean = sum(answers.get(q.code) or 0.0 for q in ind.questions) / len(ind.questions)
        out[ind.code] = round(ind.weight * mean, 4)
    return out


def lke_score(pack: RulePack, answers: dict[str, float | None], target: str,
              hasil: dict[str, Any] | None = None, previous_predicate: str | None = None) -> dict[str, Any]:
    values = indicator_values(pack, answers)
    areas, parts_total = [], {p: 0.0 for p in PARTS}
    for area in pack.areas:
        parts = {}
        for p in PARTS:
            inds = [i for i in area.indicators if i.part == p]
            if not inds and p not in area.parts:
                continue
            score = sum(values[i.code] for i in inds)
            parts_total[p] += score
            parts[p] = {"weight": area.parts.get(p, round(sum(i.weight for i in inds), 2)),
                        "score": round(score, 2)}
        score = round(sum(values[i.code] for i in area.indicators), 2)
        areas.append({"code": area.code, "name": area.title, "name_en": area.title_en, "weight": area.weight,
                      "score": score, "pct": round(100 * score / area.weight, 1) if area.weight else None,
                      "parts": parts,
                      "questions_needing_input": sum(1 for i in area.indicators for q in i.questions
                                                     if answers.get(q.code) is None)})
    pengungkit = round(sum(a["score"] for a in areas), 2)
    points = hasil_scores(pack, hasil)
    hasil_total = None if not points or any(v is None for v in points.values()) else round(sum(points.values()), 2)
    total = None if hasil_total is None else round(pengungkit + hasil_total, 2)
    th = pack.thresholds.get(target) or {}
    return {
        "pengungkit": pengungkit,
        "pengungkit_max": round(sum(a.weight for a in pack.areas), 2),
        "parts": {p: round(v, 2) for p, v in parts_total.items()},
        "areas": areas,
        "indicators": {k: round(v, 2) for k, v in values.items()},
        "hasil": {"items": points, "total": hasil_total},
        "total": total,
        "minima": minima(pack, th, areas, pengungkit, points, total, previous_predicate),
    }


def minima(pack: RulePack, th: dict[str, Any], areas: list[dict], pengungkit: float,
           points: dict[str, float | None], total: float | None, previous: str | None) -> list[dict[str, Any]]:
    """Every minimum of the predicate: {id, subject, estimate, limit, met} (met None: input missing)."""
    out: list[dict[str, Any]] = []

    def add(mid: str, estimate: Any, limit: Any, subject: str | None = None, **extra: Any) -> None:
        if limit is None:
            return
        met = None if estimate is None else (estimate == limit if mid == "requires" else estimate >= limit - 1e-9)
        out.append({"id": mid, "subject": subject, "estimate": estimate, "limit": limit, "met": met, **extra})

    add("total", total, th.get("total"))
    add("pengungkit", pengungkit, th.get("pengungkit"))
    pct = th.get("area_min_pct")
    if pct is not None:
        for a in areas:
            if pack.option("area_min_scope") == "part":
                for p, v in a["parts"].items():
                    share = round(100 * v["score"] / v["weight"], 1) if v["weight"] else None
                    add("area_min_pct", share, pct, f"{a['code']}.{p}", area=a["name"], part=p,
                        score=v["score"], weight=v["weight"])
            else:
                add("area_min_pct", a["pct"], pct, a["code"], area=a["name"], score=a["score"], weight=a["weight"])
    ipak, kinerja, ipkp = points.get("ipak"), points.get("capaian_kinerja"), points.get("ipkp")
    bba = None if ipak is None or kinerja is None else round(ipak + kinerja, 2)
    add("birokrasi_bersih_akuntabel", bba, th.get("birokrasi_bersih_akuntabel"))
    add("ipak", ipak, th.get("ipak"))
    add("capaian_kinerja", kinerja, th.get("capaian_kinerja"))
    add("ipkp", ipkp, th.get("ipkp"))
    add("requires", (previous or None) and str(previous).upper(), th.get("requires"))
    return out


def first_failing(minima_list: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m for m in minima_list if m["met"] is False), None)
