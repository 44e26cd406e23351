"""The run store's history: each run of a unit, its report and its flags, so that a nightly run
can say "what changed since the last run of this unit" whatever report folder was used.

The helpers at the end are how a run records itself: each tolerates no store (turned off) and a
store that fails mid-run (a full disk, PostgreSQL gone), because history must never cost a report."""
from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa

from extractors.model import EXTRACTOR_VERSION

from pipeline.store.protocol import RunStore
from pipeline.store.schema import _now, run_flags, runs

_log = logging.getLogger("bukti.store")


class History:
    """The history methods of Store (pipeline/store/__init__.py holds the engine and write lock)."""

    # ------------------------------------------------------------------ runs

    def start_run(self, *, unit: str, evidence_dir: str, out_dir: str | None = None,
                  rule_pack: str | None = None, lang: str | None = None,
                  flow_run_id: str | None = None) -> int:
        with self._write_lock, self.engine.begin() as conn:
            result = conn.execute(sa.insert(runs).values(
                unit=unit, evidence_dir=evidence_dir, out_dir=out_dir, rule_pack=rule_pack,
                lang=lang, extractor_version=EXTRACTOR_VERSION, flow_run_id=flow_run_id,
                started_at=_now(), status="running"))
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, report: dict) -> None:
        counts = report.get("summary", {}).get("flags", {})
        flags = [{"run_id": run_id, "flag_id": f.get("id"), "key": f.get("key") or f.get("id") or "",
                  "code": f["code"], "severity": f["severity"], "indicator": f.get("indicator"),
                  "documents": json.dumps(sorted(f.get("documents") or []), ensure_ascii=False),
                  "status": _flag_status(f)} for f in report.get("flags", [])]
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(sa.update(runs).where(runs.c.id == run_id).values(
                finished_at=_now(), status="finished",
                unit=report.get("unit") or runs.c.unit, rule_pack=report.get("rule_pack"),
                documents=report.get("summary", {}).get("documents"),
                errors=counts.get("error", 0), warnings=counts.get("warning", 0),
                infos=counts.get("info", 0),
                report_json=json.dumps(report, ensure_ascii=False, default=str)))
            conn.execute(sa.delete(run_flags).where(run_flags.c.run_id == run_id))
            if flags:
                conn.execute(sa.insert(run_flags), flags)

    def fail_run(self, run_id: int, reason: str) -> None:
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(sa.update(runs).where(runs.c.id == run_id).values(
                finished_at=_now(), status="failed", failure=reason[:4000]))

    def previous_report(self, unit: str, before_run_id: int | None = None) -> dict | None:
        """The report of the latest finished run of `unit` (before `before_run_id`, if given)."""
        query = (sa.select(runs.c.report_json)
                 .where(runs.c.unit == unit, runs.c.status == "finished",
                        runs.c.report_json.is_not(None))
                 .order_by(runs.c.id.desc()).limit(1))
        if before_run_id is not None:
            query = query.where(runs.c.id < before_run_id)
        with self.engine.connect() as conn:
            text = conn.execute(query).scalar()
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    def list_runs(self, unit: str | None = None, limit: int = 50) -> list[dict]:
        cols = [c for c in runs.c if c.name != "report_json"]
        query = sa.select(*cols).order_by(runs.c.id.desc()).limit(limit)
        if unit is not None:
            query = query.where(runs.c.unit == unit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def run_flags(self, run_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(run_flags).where(run_flags.c.run_id == run_id)
                                .order_by(run_flags.c.flag_id)).all()
        return [{**dict(r._mapping), "documents": json.loads(r.documents)} for r in rows]


def _flag_status(flag: dict) -> str:
    review = flag.get("review")
    if isinstance(review, dict):
        return str(review.get("status") or review.get("decision") or review.get("action") or "reviewed")
    if isinstance(review, str) and review:
        return review
    return "open"


def record_start(store: RunStore | None, **run: Any) -> int | None:
    """`run`: the run's columns; the orchestrator passes its own run id as `flow_run_id`."""
    if store is None:
        return None
    try:
        return store.start_run(**run)
    except Exception as exc:
        _log.warning("run store: cannot record the run: %s", exc)
        return None


def record_finish(store: RunStore | None, run_id: int | None, report: dict) -> None:
    if store is None or run_id is None:
        return
    try:
        store.finish_run(run_id, report)
    except Exception as exc:
        _log.warning("run store: cannot record the run's result: %s", exc)


def record_failure(store: RunStore | None, run_id: int | None, exc: BaseException) -> None:
    if store is None or run_id is None:
        return
    try:
        store.fail_run(run_id, f"{exc.__class__.__name__}: {exc}")
    except Exception as err:
        _log.warning("run store: cannot record the run's failure: %s", err)


def previous_report(store: RunStore | None, unit: str, run_id: int | None) -> dict | None:
    if store is None:
        return None
    try:
        return store.previous_report(unit, before_run_id=run_id)
    except Exception as exc:
        _log.warning("run store: cannot read the previous run: %s", exc)
        return None
