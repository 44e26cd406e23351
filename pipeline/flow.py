"""The `bukti check` flow: discover → extract → understand → match → report.

Each stage is one function in its own module; this file only wires them into Prefect so a run is
visible (and retryable) in the Prefect UI. One task per document: a file that cannot be read
becomes a flag in the report and never stops the run.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.model import Extraction
from rules.engine import evaluate
from rules.model import Document
from rules.pack import load_pack

from . import report_json
from .discover import FoundFile, discover
from .profile import load_profile, load_roster
from .understand import extract, understand

# Documents in flight at once. OCR inside them is bounded separately by the extractors' own
# pool (one Tesseract per core), so this only has to keep that pool fed.
DOC_WORKERS = max(4, 2 * (os.cpu_count() or 1))


@dataclass
class CheckResult:
    report: dict
    out_dir: Path
    blocking_errors: int


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(evidence_dir: str) -> list[FoundFile]:
    return discover(Path(evidence_dir))


@task(name="read-document", cache_policy=NO_CACHE, task_run_name="read {found.path}")
def read_document_task(found: FoundFile) -> Document:
    try:
        extraction = extract(found)
        return understand(found, extraction)
    except Exception as exc:  # a bug on one file must not lose the other files' results
        failed = Extraction(kind=found.kind, error_code="CORRUPT_FILE",
                            error_reason=f"internal error while reading: {exc.__class__.__name__}: {exc}")
        return Document(path=found.path, sha256=found.sha256, size=found.size, kind=found.kind,
                        extraction=failed)


@task(name="write-reports", cache_policy=NO_CACHE)
def write_reports_task(report: dict, out_dir: str) -> None:
    from .report_html import write_html
    from .report_xlsx import write_xlsx
    out = Path(out_dir)
    report_json.write_json(report, out)
    write_html(report, out)
    write_xlsx(report, out)


def profile_path_for(evidence_dir: Path, profile: str | None) -> Path | None:
    if profile:
        return Path(profile)
    for name in ("unit.yaml", "unit.yml"):
        if (evidence_dir / name).is_file():
            return evidence_dir / name
    return None


@flow(name="bukti-check", task_runner=ThreadPoolTaskRunner(max_workers=DOC_WORKERS),
      persist_result=False, validate_parameters=False, log_prints=False)
def check_flow(evidence_dir: str, out_dir: str, profile: str | None = None,
               rules: str | None = None, lang: str = "id") -> dict:
    from .artifacts import publish_artifacts
    from .review import apply_decisions, load_decisions

    root = Path(evidence_dir).resolve()
    out = Path(out_dir).resolve()
    unit_profile = load_profile(profile_path_for(root, profile))
    roster, roster_warnings = load_roster(root / "roster.csv")
    pack = load_pack(rules)

    files = discover_task(str(root))
    documents = [f.result() for f in read_document_task.map(files)]

    evaluation = evaluate(documents, unit_profile, roster, pack, lang=lang)
    report = report_json.build_report(
        documents=documents, flags=evaluation.flags, indicators=evaluation.indicators,
        score=evaluation.score, profile=unit_profile,
        unit_label=unit_profile.unit or root.name, period=unit_profile.period,
        target=unit_profile.target,
        rule_pack=pack.id, lang=lang, evidence_dir=root, profile_warnings=roster_warnings)
    report_json.compare_with_previous(report, report_json.load_previous(out))
    report = apply_decisions(report, load_decisions(out))
    write_reports_task(report, str(out))
    publish_artifacts(report)
    return report
