"""`bukti nightly ROOT`: verify every unit under ROOT in one Prefect flow, a sub-flow per unit.

ROOT holds one sub-folder per unit, each with its unit.yaml; OUT_ROOT gets `<unit-folder>/report.*`
and an index (`index.json`, `index.html`) of every unit with its counts.

Concurrency: units run as sub-flows in threads of this one process (UNIT_WORKERS at a time), never
as separate processes, because OCR is bounded by the extractors' process-wide pool (one Tesseract
per core, extractors/ocr.py): however many units are in flight, at most `cores` Tesseracts run.
Two nightly *processes* at once would each have such a pool, so `bukti serve` runs at most one
nightly run at a time (limit=1), and a worker pool for this deployment should have a concurrency
limit of 1 per machine.

Imports are absolute (not `from .flow`) because Prefect loads a deployment's entrypoint
`pipeline/orchestration/nightly.py:nightly_flow` as a file.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from urllib.parse import quote

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import stopping
from pipeline.report.output import OutputLocked, atomic_write_text, locked
from pipeline.discover import find_units
from pipeline.settings import Settings, data_dir

# Units in flight (the BUKTI_UNIT_WORKERS setting). Read when this module is loaded because the
# flow's task runner is fixed by its decorator, and a served deployment's process starts by
# loading this file from its entrypoint.
UNIT_WORKERS = Settings.from_env().unit_workers


def default_out_root(root: Path, settings: Settings | None = None) -> Path:
    return data_dir(settings) / "nightly" / Path(root).resolve().name


def _blocking(report: dict) -> int:
    try:
        from pipeline.report.review import blocking_errors
        return int(blocking_errors(report))
    except ImportError:
        return report.get("summary", {}).get("flags", {}).get("error", 0)


# The nightly's own files in OUT_ROOT. A unit folder of the same name would take its place (a
# folder named index.html made writing the index fail), so such names, and every name that starts
# with the escape character, get one more "_" in front: the mapping stays one-to-one, so two unit
# folders never share a report folder either.
OWN_FILES = frozenset({"index.html", "index.json"})


def report_dir_name(folder: str) -> str:
    """The unit's report folder name under OUT_ROOT (its own folder name unless that would clash)."""
    return f"_{folder}" if folder in OWN_FILES or folder.startswith("_") else folder


def unit_entry(folder: str, report: dict | None, status: str, error: str | None = None) -> dict:
    entry = {"folder": folder, "status": status, "error": error, "unit": None, "documents": None,
             "flags": None, "indicators_ok": None, "indicators_total": None, "blocking_errors": None,
             "changes": None, "report": f"{report_dir_name(folder)}/report.html"}
    if report:
        s = report.get("summary", {})
        changes = report.get("changes")
        entry.update(unit=report.get("unit"), documents=s.get("documents"), flags=s.get("flags"),
                     indicators_ok=s.get("indicators_ok"), indicators_total=s.get("indicators_total"),
                     blocking_errors=_blocking(report),
                     changes={"new": len(changes.get("new", [])), "resolved": len(changes.get("resolved", []))}
                     if changes else None)
    return entry


@task(name="check-unit", cache_policy=NO_CACHE, task_run_name="unit {folder}")
def check_unit_task(folder: str, evidence_dir: str, out_dir: str, rules: str | None, lang: str,
                    store: str | None) -> dict:
    """One unit as a sub-flow; a unit that fails is an entry in the index, not a failed night."""
    from pipeline.orchestration.flow import check_flow
    try:
        with locked(Path(out_dir)):
            report = check_flow(evidence_dir=evidence_dir, out_dir=out_dir, rules=rules, lang=lang,
                                store=store).report
        return unit_entry(folder, report, "checked")
    except OutputLocked:
        return unit_entry(folder, None, "skipped", "another bukti run is writing this unit's report folder")
    except Exception as exc:
        return unit_entry(folder, None, "failed", f"{exc.__class__.__name__}: {exc}")


@flow(name="bukti-nightly", task_runner=ThreadPoolTaskRunner(max_workers=UNIT_WORKERS),
      persist_result=False, validate_parameters=False, log_prints=False)
def nightly_flow(root: str, out_root: str | None = None, rules: str | None = None, lang: str = "id",
                 store: str | None = None) -> dict:
    root_path = Path(root).resolve()
    out = Path(out_root).resolve() if out_root else default_out_root(root_path)
    if out == root_path or root_path in out.parents:
        raise ValueError(f"the report folder must not be inside the evidence root: {out}")
    out.mkdir(parents=True, exist_ok=True)
    units = find_units(root_path)
    futures = [check_unit_task.submit(u.name, str(u), str(out / report_dir_name(u.name)), rules, lang, store)
               for u in units]
    try:
        entries = [f.result() for f in futures]
    except BaseException as exc:   # the units' flows run in threads: stop their OCR from here
        stopping.on_unwind(exc)
        raise
    index = build_index(root_path, entries)
    write_index(index, out)
    return index


def build_index(root: Path, entries: list[dict]) -> dict:
    totals = {"error": 0, "warning": 0, "info": 0}
    for e in entries:
        for k in totals:
            totals[k] += (e.get("flags") or {}).get(k, 0)
    return {
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "root": str(root),
        "units": sorted(entries, key=lambda e: e["folder"]),
        "summary": {"units": len(entries),
                    "checked": sum(1 for e in entries if e["status"] == "checked"),
                    "failed": sum(1 for e in entries if e["status"] != "checked"),
                    "units_with_errors": sum(1 for e in entries if e.get("blocking_errors")),
                    "flags": totals},
    }


def write_index(index: dict, out: Path) -> None:
    atomic_write_text(out / "index.json", json.dumps(index, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(out / "index.html", render_index_html(index))


# report.html's policy without scripts: nothing is fetched, run or submitted from the index.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def relative_href(path: str) -> str:
    """A link that can only be a relative path: every character that could start a scheme
    (`javascript:`), a query or a fragment is percent-encoded, and "./" keeps a leading "//"
    from becoming a host."""
    return "./" + quote(path, safe="/")


_STATUS = {"checked": "diperiksa / checked", "failed": "gagal / failed", "skipped": "dilewati / skipped"}


def render_index_html(index: dict) -> str:
    """One self-contained page (no network fetches), like report.html."""
    e = html.escape
    rows = []
    for u in index["units"]:
        flags = u.get("flags") or {}
        ch = u.get("changes")
        cls = "fail" if u["status"] != "checked" else ("err" if u.get("blocking_errors") else "ok")
        name = e(u.get("unit") or u["folder"])
        link = (f'<a href="{e(relative_href(u["report"]))}">{name}</a>' if u["status"] == "checked" else name)
        rows.append(
            f'<tr class="{cls}"><td>{link}<div class="folder">{e(u["folder"])}</div></td>'
            f'<td>{e(_STATUS.get(u["status"], u["status"]))}'
            f'{"<div class=folder>" + e(u["error"]) + "</div>" if u.get("error") else ""}</td>'
            f'<td class="n">{u.get("documents") if u.get("documents") is not None else "–"}</td>'
            f'<td class="n">{flags.get("error", "–")}</td><td class="n">{flags.get("warning", "–")}</td>'
            f'<td class="n">{flags.get("info", "–")}</td>'
            f'<td class="n">{u["indicators_ok"] if u.get("indicators_ok") is not None else "–"}'
            f'/{u["indicators_total"] if u.get("indicators_total") is not None else "–"}</td>'
            f'<td class="n">{"+%d / −%d" % (ch["new"], ch["resolved"]) if ch else "–"}</td></tr>')
    s = index["summary"]
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<title>bukti — ringkasan {e(str(s["units"]))} unit</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1a1a1a}}
table{{border-collapse:collapse;width:100%}}th,td{{padding:.4rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}
th{{background:#f4f4f4}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}
.folder{{color:#666;font-size:12px}}tr.err td:first-child{{border-left:4px solid #c62828}}
tr.ok td:first-child{{border-left:4px solid #2e7d32}}tr.fail td:first-child{{border-left:4px solid #888}}
</style></head><body>
<h1>Ringkasan pemeriksaan / Nightly summary</h1>
<p>{e(index["root"])} · {e(index["generated_at"])} · {s["units"]} unit, {s["units_with_errors"]} dengan error / with errors, {s["failed"]} gagal / failed</p>
<table><thead><tr><th>Unit</th><th>Status</th><th>Dokumen</th><th>Error</th><th>Peringatan</th><th>Info</th>
<th>Indikator OK</th><th>Baru / selesai<br>new / resolved</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
