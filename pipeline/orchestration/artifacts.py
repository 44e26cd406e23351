"""Prefect artifacts for a `bukti check` run: a markdown summary and a table of flags, so the
nightly deployment's result is readable in the Prefect UI without opening the report folder.

Artifacts are a convenience: publishing never fails the run. Outside a flow or task run (plain
`bukti check` without Prefect orchestration, tests) it logs and returns.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from pipeline.i18n import fmt_num, minimum_row, minimum_sentence, report_lang, ui_strings
from pipeline.report.html_report import SEVERITIES
from pipeline.report.review import blocking_errors

log = logging.getLogger(__name__)

TOP_ERRORS = 10
# Every value sits mid-line after our own text, so line-start syntax ("1.", "-", "+") can't trigger.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~>])")


def key_slug(text: str, limit: int = 60) -> str:
    """Prefect artifact keys allow lowercase ASCII letters, digits and dashes only."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "unit"


def md_text(value: Any) -> str:
    """Untrusted text as inert markdown: one line, HTML escaped, markdown syntax backslashed."""
    text = " ".join(str(value if value is not None else "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def summary_markdown(report: dict[str, Any]) -> str:
    lang = report_lang(report)
    s = ui_strings(lang)
    summary = report.get("summary") or {}
    counts = summary.get("flags") or {}
    lines = [f"# {s['md_title']}: {md_text(report.get('unit'))}", ""]
    lines.append(f"**{s['period']}:** {md_text(report.get('period'))} · **{s['target']}:** "
                 f"{md_text(report.get('target'))} · **{s['generated_at']}:** {md_text(report.get('generated_at'))}")
    lines.append("")
    lines.append(f"| {s['severity_error']} | {s['severity_warning']} | {s['severity_info']} | "
                 f"{s['review_waived']} | {s['md_blocking']} | {s['indicators_ok']} |")
    lines.append("|---:|---:|---:|---:|---:|---:|")
    lines.append(f"| {counts.get('error', 0)} | {counts.get('warning', 0)} | {counts.get('info', 0)} | "
                 f"{summary.get('waived', 0)} | **{blocking_errors(report)}** | "
                 f"{summary.get('indicators_ok', 0)}/{summary.get('indicators_total', 0)} |")
    score = report.get("score")
    if score and score.get("pengungkit") is not None:
        th = score.get("thresholds") or {}
        lines += ["", f"**{s['score_title']} ({s['estimate']}):** ≈ {fmt_num(score['pengungkit'], lang, 2)} "
                  f"{s['score_of'].format(max=fmt_num(score.get('pengungkit_max', 60), lang))} — "
                  + s["score_thresholds"].format(wbk=th.get("WBK", "—"), wbbm=th.get("WBBM", "—"),
                                                 max=fmt_num(score.get("pengungkit_max", 60), lang))]
        if score.get("minima"):
            lines += ["", f"**{s['minima_title'].format(target=md_text(score.get('target')))}:** "
                      + md_text(minimum_sentence(score.get("first_failing"), score.get("target") or "", s, lang)), "",
                      f"| | {s['minima_estimate']} | {s['minima_limit']} | {s['minima_met']} |", "|---|---:|---:|---|"]
            for row in (minimum_row(m, s, lang) for m in score["minima"]):
                met = {True: s["xl_yes"], False: f"**{s['xl_no_']}**"}.get(row["met"], s["xl_unknown"])
                lines.append(f"| {md_text(row['label'])} | {md_text(row['value'])} | {md_text(row['limit'])} | {met} |")
        claimed = score.get("claimed")
        if claimed:
            lines += ["", f"**{s['claims_title']}:** {s['claims_claimed']} {fmt_num(claimed['pengungkit'], lang, 2)}, "
                      f"{s['claims_evidence']} {fmt_num(score['pengungkit'], lang, 2)} ({s['xl_pengungkit']}). "
                      + md_text(s["claims_verdict_claimed"] + " "
                                + minimum_sentence(claimed.get("first_failing"), score.get("target") or "", s, lang))]
    changes = report.get("changes")
    if changes:
        lines += ["", s["md_changes"].format(new=len(changes.get("new") or []),
                                             resolved=len(changes.get("resolved") or []))]
    errors = [f for f in report.get("flags", []) if f.get("severity") == "error"
              and (f.get("review") or {}).get("decision") != "waived"]
    if errors:
        lines += ["", f"## {s['md_top']}", ""]
        for f in errors[:TOP_ERRORS]:
            docs = ", ".join(f.get("documents", []))
            lines.append(f"- **{md_text(f.get('id'))}** {md_text(f.get('code'))} {md_text(f.get('message'))}"
                         + (f" — _{md_text(docs)}_" if docs else ""))
        if len(errors) > TOP_ERRORS:
            lines.append(f"- {s['md_more'].format(n=len(errors) - TOP_ERRORS)}")
    return "\n".join(lines) + "\n"


def flags_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per flag; the column names and severities are the catalogue's (the Prefect UI shows
    them as they are), the codes and keys the contract's identifiers."""
    s = ui_strings(report_lang(report))
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    rows = []
    for f in sorted(report.get("flags", []), key=lambda f: (rank.get(f.get("severity"), 9), f.get("id", ""))):
        review = f.get("review") or {}
        decision = review.get("decision")
        rows.append({
            s["xl_id"]: f.get("id"), s["xl_severity"]: s.get(f"severity_{f.get('severity')}", f.get("severity")),
            s["xl_code"]: f.get("code"), s["xl_indicator"]: f.get("indicator") or "",
            s["xl_documents"]: " ".join("; ".join(f.get("documents", [])).split()),
            s["xl_message"]: " ".join(str(f.get("message") or "").split()),
            s["xl_review"]: (s["review_waived"] if decision == "waived" else
                             s["review_acknowledged"] if decision == "acknowledged" else ""),
            s["xl_key"]: f.get("key") or "",
        })
    return rows


def _in_prefect_run() -> bool:
    try:
        from prefect.context import FlowRunContext, TaskRunContext
    except Exception:  # prefect missing or broken: nothing to publish to
        return False
    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def publish_artifacts(report: dict[str, Any]) -> None:
    """Create the summary (key "bukti-summary-<unit>") and flags table ("bukti-flags-<unit>")
    artifacts of the current Prefect run. Never raises."""
    if not _in_prefect_run():
        log.info("not inside a Prefect flow or task run; artifacts skipped")
        return
    slug = key_slug(str(report.get("unit") or ""))
    s = ui_strings(report_lang(report))
    desc = f"{s['md_title']} — {report.get('unit') or ''} {report.get('period') or ''}".strip()
    try:
        from prefect.artifacts import create_markdown_artifact, create_table_artifact

        create_markdown_artifact(markdown=summary_markdown(report), key=f"bukti-summary-{slug}",
                                 description=desc)
        create_table_artifact(table=flags_table(report), key=f"bukti-flags-{slug}", description=desc)
    except Exception:  # an unreachable API must not fail a finished verification
        log.warning("could not publish Prefect artifacts", exc_info=True)
