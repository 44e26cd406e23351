"""report.html: one self-contained page a reviewer works from.

Everything that comes from the evidence (file names, document text, snippets, messages quoting
documents) is untrusted. It reaches the page only through Jinja2 autoescaping, through
percent-encoded relative hrefs, or as JSON in a non-executable <script type="application/json">
with <, > and & escaped. The page's own CSS and JS are inlined so it works from file:// with no
network at all.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from pipeline.i18n import (fmt_datetime, fmt_num, fmt_value, minimum_row, minimum_sentence, report_lang,
                           ui_strings)
from pipeline.report.output import atomic_write_bytes

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
SEVERITIES = ("error", "warning", "info")

# --------------------------------------------------------------------------- shared helpers

def evidence_href(evidence_dir: str | None, rel_path: str, out_dir: Path) -> str | None:
    """Relative, percent-encoded URL from the report folder to an evidence file.

    Quoting every character but "/" also neutralises anything that would read as a scheme
    ("javascript:") or a fragment/query in a hostile file name."""
    if not evidence_dir or not rel_path:
        return None
    target = os.path.join(evidence_dir, *PurePosixPath(rel_path).parts)
    rel = os.path.relpath(target, os.path.abspath(out_dir))
    return quote(rel.replace(os.sep, "/"), safe="/")


def slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-") or "x"


# --------------------------------------------------------------------------- view model

def _area_of_indicator(report: dict[str, Any]) -> dict[str, str]:
    return {i["code"]: str(i.get("area_code") or i.get("area") or "") for i in report.get("indicators", [])}


def _areas(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Areas in LKE order, taken from the score block when present, else from the indicators."""
    areas: dict[str, dict[str, Any]] = {}
    score = report.get("score") or {}
    for a in score.get("areas") or []:
        name = (a.get("name_en") if report.get("lang") == "en" else None) or a.get("name") or str(a["code"])
        areas[str(a["code"])] = {"code": str(a["code"]), "name": name,
                                 "weight": a.get("weight"), "score": a.get("score"), "parts": a.get("parts") or {}}
    for ind in report.get("indicators", []):
        code = str(ind.get("area_code") or ind.get("area") or "")
        if code not in areas:
            areas[code] = {"code": code, "name": ind.get("area") or code, "weight": None, "score": None}
    return sorted(areas.values(), key=lambda a: _natural(a["code"]))


def _natural(code: str) -> list[Any]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in str(code).replace("-", ".").split(".")]


def _region_view(region: dict[str, Any] | None, s: dict[str, Any]) -> dict[str, Any] | None:
    if not region:
        return None
    kind = str(region.get("kind") or "page")
    return {"kind": s.get(f"region_{kind}", kind), "page": region.get("page"),
            "located": bool(region.get("located")), "text": region.get("text") or "",
            "no_image": region.get("no_image")}


def _source_label(doc: dict[str, Any], s: dict[str, Any]) -> str:
    """text / OCR (scan) / photo (OCR): what a reviewer needs to know of how a file was read."""
    source = doc.get("text_source")
    if not source:
        return s["none"]
    if source == "ocr" and PurePosixPath(doc["path"]).suffix.lower() not in (".pdf", ".docx"):
        return s["src_photo"]
    return s.get(f"src_{source}", source)


def build_view(report: dict[str, Any], out_dir: Path, pictures: dict[str, Any] | None = None) -> dict[str, Any]:
    """`pictures`: pipeline.crops.Media.view() (crops by flag id, thumbnails by path), if any."""
    lang = report_lang(report)
    s = ui_strings(lang)
    pictures = pictures or {}
    crops, thumbnails = pictures.get("crops") or {}, pictures.get("thumbnails") or {}
    ev_dir = report.get("evidence_dir")
    area_of = _area_of_indicator(report)
    indicators = {i["code"]: i for i in report.get("indicators", [])}
    flags_in = report.get("flags", [])
    flags_by_id = {f["id"]: f for f in flags_in}
    flags_by_key = {f.get("key"): f for f in flags_in if f.get("key")}
    doc_by_path = {d["path"]: d for d in report.get("documents", [])}
    sev_rank = {s_: n for n, s_ in enumerate(SEVERITIES)}

    def link(path: str) -> dict[str, Any]:
        return {"path": path, "name": PurePosixPath(path).name, "href": evidence_href(ev_dir, path, out_dir),
                "page_href": None}

    def flag_areas(f: dict[str, Any]) -> list[str]:
        if f.get("indicator") and f["indicator"] in area_of:
            return [area_of[f["indicator"]]]
        found = set()
        for p in f.get("documents", []):
            for code in (doc_by_path.get(p) or {}).get("indicators", []):
                if code in area_of:
                    found.add(area_of[code])
        return sorted(found, key=_natural)

    flags = []
    for f in sorted(flags_in, key=lambda f: (sev_rank.get(f.get("severity"), 9), f.get("id", ""))):
        ev = f.get("evidence") or {}
        review = f.get("review") or None
        docs = [link(p) for p in f.get("documents", [])]
        page = ev.get("page")
        if (isinstance(page, int) and not isinstance(page, bool) and page > 0 and len(docs) == 1
                and docs[0]["href"] and docs[0]["path"].lower().endswith(".pdf")):
            docs[0]["page_href"] = f"{docs[0]['href']}#page={int(page)}"
        ind = indicators.get(f.get("indicator") or "")
        flags.append({
            "id": f.get("id", ""), "key": f.get("key") or "", "code": f.get("code", ""),
            "code_label": s["codes"].get(f.get("code", ""), ""),
            "severity": f.get("severity", "info"), "message": f.get("message") or "",
            "indicator": f.get("indicator"), "indicator_title": ind.get("title") if ind else None,
            "doc_type": f.get("doc_type"), "documents": docs,
            "found": fmt_value(ev.get("found")), "expected": fmt_value(ev.get("expected")),
            "has_found": ev.get("found") not in (None, ""), "has_expected": ev.get("expected") not in (None, ""),
            "page": page, "snippet": f.get("snippet"),
            "crop": crops.get(f.get("id", "")), "region": _region_view(ev.get("region"), s),
            "review": review, "review_at": fmt_datetime(review.get("at"), lang) if review else None,
            "areas": flag_areas(f),
            "files": "\n".join(p.lower() for p in f.get("documents", [])),
        })

    areas = _areas(report)
    for a in areas:
        a["indicators"] = []
        a["weight_text"] = fmt_num(a["weight"], lang)
        a["score_text"] = fmt_num(a["score"], lang, 2)
        a["pct"] = _pct(a["score"], a["weight"])
    area_map = {a["code"]: a for a in areas}
    for ind in sorted(report.get("indicators", []), key=lambda i: _natural(i["code"])):
        ind_flags = [flags_by_id[i] for i in ind.get("flags", []) if i in flags_by_id]
        evidence = [link(p) for p in ind.get("evidence", [])]
        questions = [{
            "id": q["id"], "text": q.get("text") or "", "choices": "/".join(q.get("answers") or []) or "%",
            "proposed": q.get("proposed"), "score": fmt_num(q.get("proposed_score"), lang, 2),
            "basis": q.get("basis") or "", "needs_input": bool(q.get("needs_input")),
            "evidence": [link(p) for p in q.get("evidence") or []],
            "criterion": (q.get("criteria") or {}).get(q.get("proposed") or "") if q.get("proposed") else None,
            "claimed": q.get("claimed"), "claim_status": q.get("claim_status"),
            "claim_flags": q.get("claim_flags") or [],
        } for q in ind.get("questions") or []]
        area_map[area_of[ind["code"]]]["indicators"].append({
            "questions": questions, "part": ind.get("part"),
            "value": fmt_num((report.get("score") or {}).get("indicators", {}).get(ind["code"]), lang, 2),
            "needs_input": sum(1 for q in questions if q["needs_input"]),
            "code": ind["code"], "title": ind.get("title") or "", "status": ind.get("status", ""),
            "weight": fmt_num(ind.get("weight"), lang, 2), "evidence": evidence,
            "flags": [{"id": f["id"], "severity": f["severity"], "code": f["code"],
                       "waived": (f.get("review") or {}).get("decision") == "waived"} for f in ind_flags],
            "severities": " ".join(sorted({f["severity"] for f in ind_flags})),
            "codes": " ".join(sorted({f["code"] for f in ind_flags})),
            "files": "\n".join(p.lower() for p in ind.get("evidence", [])),
        })

    documents = []
    for d in sorted(report.get("documents", []), key=lambda d: d["path"]):
        fields = d.get("fields") or {}
        sig = fields.get("signatory") or {}
        d_flags = [flags_by_id[i] for i in d.get("flags", []) if i in flags_by_id]
        documents.append({
            **link(d["path"]), "doc_type": d.get("doc_type") or "unknown",
            "confidence": fmt_num(d.get("doc_type_confidence"), lang, 2),
            "text_source": _source_label(d, s), "ocr": fmt_num(d.get("ocr_confidence"), lang),
            "thumbnail": thumbnails.get(d["path"]),
            "nomor": fields.get("nomor"), "tanggal": fields.get("tanggal"), "title": fields.get("title"),
            "sig_name": sig.get("name"), "sig_nip": sig.get("nip"),
            "indicators": d.get("indicators", []),
            "flags": [{"id": f["id"], "severity": f["severity"]} for f in d_flags],
            "areas": " ".join(sorted({area_of[c] for c in d.get("indicators", []) if c in area_of})),
            "severities": " ".join(sorted({f["severity"] for f in d_flags})),
            "codes": " ".join(sorted({f["code"] for f in d_flags})),
            "files": d["path"].lower(),
        })

    summary = report.get("summary") or {}
    counts = summary.get("flags") or {}
    waived_by_sev = {sev: 0 for sev in SEVERITIES}
    for f in flags_in:
        if (f.get("review") or {}).get("decision") == "waived":
            waived_by_sev[f.get("severity", "info")] = waived_by_sev.get(f.get("severity", "info"), 0) + 1
    severity_cards = [{"severity": sev, "count": counts.get(sev, 0), "waived": waived_by_sev[sev]}
                      for sev in SEVERITIES]
    blocking = sum(1 for f in flags_in if f.get("severity") == "error"
                   and (f.get("review") or {}).get("decision") != "waived")

    score = _score_view(report.get("score"), lang)

    changes = None
    ch = report.get("changes")
    if ch:
        new = []
        for key in ch.get("new") or []:
            f = flags_by_key.get(key)
            new.append({"key": key, "id": f["id"] if f else None, "code": f["code"] if f else key.split(":")[0],
                        "severity": f["severity"] if f else None, "message": f["message"] if f else ""})
        resolved = [{"key": r.get("key"), "code": r.get("code"), "message": r.get("message") or "",
                     "documents": r.get("documents") or []} for r in ch.get("resolved") or []]
        changes = {"at": fmt_datetime(ch.get("previous_generated_at"), lang), "new": new, "resolved": resolved}

    codes_present = sorted({f["code"] for f in flags})
    return {
        "s": s, "lang": lang,
        "unit": report.get("unit") or "", "period": report.get("period"), "target": report.get("target"),
        "rule_pack": report.get("rule_pack"), "evidence_dir": ev_dir,
        "generated_at": fmt_datetime(report.get("generated_at"), lang),
        "generated_at_iso": report.get("generated_at") or "",
        "documents_count": summary.get("documents", len(documents)),
        "indicators_ok": summary.get("indicators_ok", 0), "indicators_total": summary.get("indicators_total", 0),
        "severity_cards": severity_cards, "blocking": blocking, "waived_total": summary.get("waived", 0),
        "score": score, "changes": changes, "areas": areas, "flags": flags, "documents": documents,
        "filter_severities": [sev for sev in SEVERITIES if any(f["severity"] == sev for f in flags)],
        "filter_areas": [a for a in areas if a["code"]],
        "filter_codes": [{"code": c, "label": s["codes"].get(c, "")} for c in codes_present],
        "pictures_omitted": int(pictures.get("omitted") or 0),
        "js_config": {"total": len(flags), "status": s["filter_status"], "none": s["filter_none"]},
    }


def _pct(value: Any, whole: Any) -> float:
    try:
        return max(0.0, min(100.0, 100.0 * float(value) / float(whole)))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0


def _score_view(score: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    if not score or score.get("pengungkit") is None:
        return None
    s = ui_strings(lang)
    value = float(score["pengungkit"])
    pmax = float(score.get("pengungkit_max") or 60)
    thresholds = score.get("thresholds") or {}
    hasil_max = 100.0 - pmax
    target = score.get("target") or ""
    minima = [minimum_row(m, s, lang) for m in score.get("minima") or []]
    questions = score.get("questions") or {}
    claimed = score.get("claimed")
    claims = None
    if claimed:
        by_code = {a["code"]: a for a in claimed.get("areas") or []}
        claims = {
            "rows": [{"label": f"{a['code']}. {a.get('name_en') if lang == 'en' and a.get('name_en') else a['name']}",
                      "evidence": fmt_num(a["score"], lang, 2),
                      "claimed": fmt_num(by_code.get(a["code"], {}).get("score"), lang, 2),
                      "lower": (by_code.get(a["code"], {}).get("score") or 0) > a["score"] + 1e-9}
                     for a in score.get("areas") or []],
            "pengungkit": fmt_num(claimed["pengungkit"], lang, 2),
            "total": fmt_num(claimed.get("total"), lang, 2) if claimed.get("total") is not None else s["xl_unknown"],
            "verdict": minimum_sentence(claimed.get("first_failing"), target, s, lang),
            "answered": claimed.get("answered", 0),
        }
    return {
        "claims": claims,
        "total_text": fmt_num(score.get("total"), lang, 2) if score.get("total") is not None else s["xl_unknown"],
        "verdict": minimum_sentence(score.get("first_failing"), target, s, lang) if score.get("minima") else None,
        "minima": minima, "target": target,
        "parts": {k: fmt_num(v, lang, 2) for k, v in (score.get("parts") or {}).items()},
        "total": fmt_num(score.get("total"), lang, 2) if score.get("total") is not None else None,
        "needs_input": questions.get("needs_input", 0), "questions_total": questions.get("total", 0),
        "value": fmt_num(value, lang, 2), "max": fmt_num(pmax, lang),
        "value_pct": _pct(value, 100), "hasil_pct": min(hasil_max, 100 - value),
        "markers": [{"name": name, "value": fmt_num(v, lang), "pct": _pct(v, 100)}
                    for name, v in sorted(thresholds.items(), key=lambda kv: kv[1])],
        "wbk": fmt_num(thresholds.get("WBK"), lang), "wbbm": fmt_num(thresholds.get("WBBM"), lang),
        "areas": score.get("areas") or [], "note": None,
    }


# --------------------------------------------------------------------------- rendering

def _bytecode_cache() -> jinja2.BytecodeCache | None:
    from pipeline.settings import data_dir
    folder = data_dir() / "template-cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every time
    return jinja2.FileSystemBytecodeCache(str(folder))


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
        # Compiling the report template is a noticeable part of a warm re-check (benchmarks/
        # RESULTS.md, 'Measurements behind the code'); jinja keys its cache by the
        # template's source checksum, so an edited template is compiled afresh.
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["num"] = fmt_num
    return env


def _inline_asset(name: str, closing: str) -> Markup:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    # Our own assets go in raw; a closing tag inside them would end the element early.
    if closing in text.lower():
        raise ValueError(f"{name} must not contain {closing}")
    return Markup(text)


def script_json(obj: Any) -> Markup:
    """JSON for a <script type="application/json"> block: no character sequence in it can close
    the element or open a comment, whatever the data contains."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True)
    text = (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)


def render_html(report: dict[str, Any], out_dir: Path, pictures: dict[str, Any] | None = None) -> str:
    view = build_view(report, Path(out_dir), pictures)
    view["css"] = _inline_asset("report.css", "</style")
    js = _inline_asset("report.js", "</script")
    view["js"] = Markup("\n") + js + Markup("\n")
    view["script_hash"] = "sha256-" + base64.b64encode(hashlib.sha256(str(view["js"]).encode()).digest()).decode()
    view["data_json"] = script_json(view["js_config"])
    view["fmt_value"] = fmt_value
    return _env().get_template("report.html.j2").render(**view)


def write_html(report: dict[str, Any], out_dir: Path, pictures: dict[str, Any] | None = None) -> Path:
    """Render `report` to OUT_DIR/report.html (atomically) and return its path. `pictures`: the
    page crops and thumbnails to embed (pipeline.crops.Media.view())."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    atomic_write_bytes(path, render_html(report, out_dir, pictures).encode("utf-8"))
    return path
