"""The `bukti check` flow: the Prefect-free core `pipeline.check.run_check`, its stages run as
Prefect tasks so that a run is visible in the Prefect UI (tasks, artifacts, deployments).

Nothing here decides anything about a check: a change to what a check does goes to
pipeline/check.py (or the stage it calls), and shows here without an edit.
"""
from __future__ import annotations

import queue

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from extractors.limits import DOC_WORKERS
from rules.model import Document

from pipeline import check
from pipeline.check import Job, Stages
from pipeline.discover import FoundFile
from pipeline.read import ReadAhead
from pipeline.settings import Settings


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(evidence_dir: str, store_url: str | None = None,
                  ahead: ReadAhead | None = None) -> list[FoundFile]:
    return check.discover_files(evidence_dir, store_url, ahead)


@task(name="reuse-unchanged", cache_policy=NO_CACHE)
def reuse_unchanged_task(files: list[FoundFile], store_url: str | None, unit: str
                         ) -> tuple[list[Document], list[FoundFile]]:
    """One task for every unchanged file, not one each: Prefect's per-task bookkeeping would
    otherwise dominate a warm re-check of a large folder."""
    return check.reuse_unchanged(files, store_url, unit)


@task(name="read-documents", cache_policy=NO_CACHE, task_run_name="reader {number}")
def reader_task(todo: queue.SimpleQueue, number: int, job: Job) -> list[Document]:
    """One of DOC_WORKERS readers taking files off a shared queue until it is empty.

    Readers rather than a task per file: a Prefect task run costs the API server CPU (its states
    arrive as events the server records) that the Tesseracts on the same cores need
    (benchmarks/RESULTS.md)."""
    return check.read_queue(todo, job)


def _read_as_tasks(files: list[FoundFile], job: Job) -> list:
    if not files:
        return []
    todo, count = check.readers(files, job.ahead)
    # quote(): Prefect would otherwise walk the queue and the job looking for futures.
    return [reader_task.submit(quote(todo), n, quote(job)) for n in range(1, count + 1)]


@task(name="write-reports", cache_policy=NO_CACHE)
def write_reports_task(report: dict, out_dir: str, pictures: dict | None = None) -> None:
    check.write_reports(report, out_dir, pictures)


class CheckResult:
    """What check_flow returns: the report, in a holder Prefect does not look into.

    Prefect walks a flow's return value looking for futures to resolve; over the report of a
    300-document folder that walk is a noticeable part of a warm re-check."""
    __slots__ = ("report",)

    def __init__(self, report: dict):
        self.report = report


def _flow_run_id() -> str | None:
    """This Prefect flow run's id, recorded with the run in the store."""
    from prefect.runtime import flow_run
    try:
        return str(flow_run.id) if flow_run.id else None
    except Exception:
        return None


def _publish(report: dict) -> None:
    from pipeline.orchestration.artifacts import publish_artifacts
    publish_artifacts(report)


# quote(): Prefect would otherwise walk every file record, or the whole report, looking for futures.
PREFECT_STAGES = Stages(
    discover=lambda root, url, ahead: discover_task(root, url, quote(ahead)),
    reuse=lambda files, url, unit: reuse_unchanged_task(quote(files), url, unit),
    read=_read_as_tasks,
    write_reports=lambda report, out, pictures: write_reports_task(quote(report), out, quote(pictures)),
    publish=_publish,
    run_id=_flow_run_id)


@flow(name="bukti-check", task_runner=ThreadPoolTaskRunner(max_workers=DOC_WORKERS),
      persist_result=False, validate_parameters=False, log_prints=False)
def check_flow(evidence_dir: str, out_dir: str, profile: str | None = None,
               rules: str | None = None, lang: str = "id", store: str | None = None,
               lke: str | None = None, settings: Settings | None = None,
               ahead: ReadAhead | None = None) -> CheckResult:
    """`store`: run-store path or URL (None: BUKTI_STORE or the default file; "none": off).
    `settings`: the command's (None: from the environment, as a deployment starts)."""
    return CheckResult(check.run_check(settings, evidence_dir, out_dir, profile=profile, rules=rules,
                                       lang=lang, store=store, lke=lke, ahead=ahead, stages=PREFECT_STAGES))
