"""The nightly dashboard (OUT_ROOT/index.html): every unit of a nightly run in one sortable,
filterable table with its Pengungkit estimate, first failing WBK/WBBM minimum, flag counts, new
and resolved flags and a trend over its last runs, plus the flags by code across all units.

It takes the nightly index (pipeline/orchestration/nightly.py builds it) and renders it in one
language, like report.html: the same Jinja2 environment (autoescaping), the same CSP (nothing is
fetched; only the page's own script, by hash, runs) and a sparkline drawn as inline SVG here, so
the page needs no library and works from file://.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pipeline.i18n import fmt_datetime, fmt_num, minimum_sentence, ui_strings
from pipeline.report.html_report import _env, _inline_asset, inline_script

SPARK_W, SPARK_H, SPARK_PAD = 96, 28, 3


def relative_href(path: str) -> str:
    """A link that can only be a relative path: every character that could start a scheme
    (`javascript:`), a query or a fragment is percent-encoded, and "./" keeps a leading "//"
    from becoming a host."""
    return "./" + quote(path, safe="/")


def sparkline(trend: list[dict[str, Any]], lang: str, s: dict[str, Any]) -> dict[str, Any] | None:
    """Points of the Pengungkit estimate over the unit's runs (oldest first) in an SVG box, with
    one line of text per run for the tooltip and screen readers; None below two runs."""
    runs = [t for t in trend if isinstance(t.get("pengungkit"), (int, float))]
    if len(runs) < 2:
        return None
    values = [float(t["pengungkit"]) for t in runs]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = (SPARK_W - 2 * SPARK_PAD) / (len(values) - 1)
    points = [(SPARK_PAD + i * step,
               SPARK_H - SPARK_PAD - (v - lo) / span * (SPARK_H - 2 * SPARK_PAD) if hi > lo else SPARK_H / 2)
              for i, v in enumerate(values)]
    labels = [s["dash_trend_point"].format(at=fmt_datetime(t.get("at"), lang), value=fmt_num(t["pengungkit"], lang, 2),
                                           errors=t.get("errors") if t.get("errors") is not None else "—")
              for t in runs]
    delta = values[-1] - values[0]
    return {"w": SPARK_W, "h": SPARK_H, "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            "last": {"x": f"{points[-1][0]:.1f}", "y": f"{points[-1][1]:.1f}"},
            "label": "; ".join(labels), "runs": len(runs),
            "direction": "up" if delta > 1e-9 else ("down" if delta < -1e-9 else "flat"),
            "delta": ("+" if delta > 0 else "") + fmt_num(delta, lang, 2)}


def build_view(index: dict[str, Any], lang: str) -> dict[str, Any]:
    s = ui_strings(lang)
    rows = []
    codes: dict[str, dict[str, int]] = {}
    for u in index.get("units") or []:
        flags = u.get("flags") or {}
        ch = u.get("changes") or {}
        score = u.get("score") or None
        checked = u.get("status") == "checked"
        verdict = None
        if score and score.get("minima_known"):
            verdict = minimum_sentence(score.get("first_failing"), score.get("target") or "", s, lang)
        for code, n in (u.get("flag_codes") or {}).items():
            c = codes.setdefault(code, {"flags": 0, "units": 0})
            c["flags"] += n
            c["units"] += 1
        name = u.get("unit") or u["folder"]
        rows.append({
            "name": name, "folder": u["folder"], "href": relative_href(u["report"]) if checked else None,
            "status": u.get("status"), "status_label": s.get(f"dash_status_{u.get('status')}", s["dash_status_failed"]),
            "error": u.get("error"),
            "cls": "fail" if not checked else ("err" if u.get("blocking_errors") else "ok"),
            "documents": u.get("documents"),
            "errors": flags.get("error"), "warnings": flags.get("warning"), "infos": flags.get("info"),
            "new": ch.get("new") if u.get("changes") else None,
            "resolved": ch.get("resolved") if u.get("changes") else None,
            "score": score["pengungkit"] if score else None,
            "score_text": fmt_num(score["pengungkit"], lang, 2) if score else s["none"],
            "score_max": fmt_num(score.get("pengungkit_max"), lang) if score else None,
            "verdict": verdict, "fails": bool(score and score.get("first_failing")),
            "spark": sparkline(u.get("trend") or [], lang, s),
            "filter_text": " ".join([name, u["folder"], verdict or "", *(u.get("flag_codes") or {})]).lower(),
        })
    summary = index.get("summary") or {}
    code_rows = [{"code": c, "label": s["codes"].get(c, ""), **n}
                 for c, n in sorted(codes.items(), key=lambda kv: (-kv[1]["flags"], kv[0]))]
    return {"s": s, "lang": lang, "rows": rows, "codes": code_rows, "root": index.get("root") or "",
            "generated_at": fmt_datetime(index.get("generated_at"), lang),
            "generated_at_iso": index.get("generated_at") or "",
            "intro": s["dash_intro"].format(units=summary.get("units", len(rows)),
                                            with_errors=summary.get("units_with_errors", 0),
                                            failed=summary.get("failed", 0))}


def render_dashboard(index: dict[str, Any], lang: str = "id") -> str:
    view = build_view(index, "en" if lang == "en" else "id")
    view["css"] = _inline_asset("dashboard.css", "</style")
    view["js"], view["script_hash"] = inline_script("dashboard.js")
    return _env().get_template("dashboard.html.j2").render(**view)
