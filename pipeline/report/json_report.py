"""Build report.json (schema_version "1", ../shared/spec/README.md) from the evaluation.

Extensions beyond the contract (allowed: the contract may only grow): flags[].key, .review,
.snippet, .evidence.region (the page region the check looked at, pipeline/crops.py); documents[].flags, .error; indicators[].area_code, .weight; top-level score, changes,
lang, evidence_dir, profile_warnings, summary.waived.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from rules.model import Document, Flag, Profile

from pipeline.report.output import atomic_write_text

SCHEMA_VERSION = "1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "report.schema.json"
_SNIPPET_RADIUS = 90


def _snippet(doc: Document | None, flag: Flag) -> str | None:
    """A little of the text around what the flag found, so a reviewer need not open the file."""
    if doc is None or not isinstance(flag.found, str) or len(flag.found) < 3:
        return None
    pages = doc.extraction.pages
    if flag.page:
        pages = [p for p in pages if p.number == flag.page] or pages
    needle = flag.found.lower()
    for page in pages:
        at = page.text.lower().find(needle)
        if at >= 0:
            start, end = max(0, at - _SNIPPET_RADIUS), at + len(needle) + _SNIPPET_RADIUS
            text = " ".join(page.text[start:end].split())
            return ("…" if start else "") + text + ("…" if end < len(page.text) else "")
    return None


def _document_entry(doc: Document, flag_ids: list[str]) -> dict[str, Any]:
    ex = doc.extraction
    readable = ex.error_code is None
    return {
        "path": doc.path, "sha256": doc.sha256, "pages": len(ex.pages),
        "doc_type": doc.doc_type, "doc_type_confidence": round(doc.doc_type_confidence, 2),
        "text_source": ex.text_source, "ocr_confidence": ex.ocr_confidence,
        "fields": doc.fields.contract_dict() if readable else None,
        "indicators": sorted(doc.indicators),
        "flags": flag_ids,
        "error": {"code": ex.error_code, "reason": ex.error_reason} if not readable else None,
    }


def build_report(*, documents: list[Document], flags: list[Flag], indicators: list[dict],
                 score: dict | None, profile: Profile | None, unit_label: str, period: int,
                 target: str, rule_pack: str, lang: str, evidence_dir: Path,
                 profile_warnings: list[str], generated_at: dt.datetime | None = None) -> dict[str, Any]:
    by_path = {d.path: d for d in documents}
    flag_ids_by_doc: dict[str, list[str]] = {}
    flag_entries = []
    for flag in flags:
        entry = flag.contract_dict()
        entry["key"] = flag.key
        if flag.legacy_keys:
            entry["legacy_keys"] = flag.legacy_keys
        entry["review"] = None
        entry["snippet"] = _snippet(by_path.get(flag.documents[0]) if flag.documents else None, flag)
        flag_entries.append(entry)
        for path in flag.documents:
            flag_ids_by_doc.setdefault(path, []).append(flag.id)
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in flags:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    indicators = sorted(indicators, key=lambda i: _code_key(i["code"]))
    return {
        "schema_version": SCHEMA_VERSION,
        "unit": unit_label, "period": period, "target": target, "rule_pack": rule_pack,
        "generated_at": (generated_at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        "lang": lang,
        "evidence_dir": str(evidence_dir),
        "documents": [_document_entry(d, sorted(flag_ids_by_doc.get(d.path, [])))
                      for d in sorted(documents, key=lambda d: d.path)],
        "indicators": indicators,
        "flags": sorted(flag_entries, key=lambda f: f["id"]),
        "summary": {"documents": len(documents), "flags": counts,
                    "indicators_ok": sum(1 for i in indicators if i["status"] == "ok"),
                    "indicators_total": len(indicators), "waived": 0},
        "score": score,
        "changes": None,
        "profile_warnings": profile_warnings,
    }


def _code_key(code: str) -> list:
    """Sort indicator codes like 1.2 < 1.10 and MP.2 < MP.10."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.replace("-", ".").split(".")]


def compare_with_previous(report: dict, previous: dict | None) -> None:
    """Fill `changes`: which flags are new and which were resolved since the previous run."""
    if not previous:
        return
    now = {f["key"]: f for f in report["flags"]}
    # a report written before the LKE 2021 codes knew this flag by its legacy key
    renamed = {old: f["key"] for f in report["flags"] for old in f.get("legacy_keys") or []}
    before = {renamed.get(f["key"], f["key"]): f for f in previous.get("flags", []) if "key" in f}
    report["changes"] = {
        "previous_generated_at": previous.get("generated_at"),
        "new": sorted(k for k in now if k not in before),
        "resolved": [{"key": k, "code": f["code"], "message": f["message"], "documents": f["documents"]}
                     for k, f in sorted(before.items()) if k not in now],
    }


def load_previous(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(report: dict, out_dir: Path) -> Path:
    text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return atomic_write_text(out_dir / "report.json", text)


def validate(report: dict) -> None:
    """Raise jsonschema.ValidationError when the report breaks the contract."""
    import jsonschema
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(report, schema, format_checker=jsonschema.FormatChecker())
