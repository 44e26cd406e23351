"""The `bukti check` flow: discover → extract → understand → match → report.

Each stage is one function in its own module; this file only wires them into Prefect so a run is
visible in the Prefect UI. Files are read by a few reader tasks sharing a queue; a file that
cannot be read becomes a flag in the report and never stops the run.
"""
from __future__ import annotations

import importlib
import queue
import time
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from extractors.limits import DOC_WORKERS
from extractors.model import ErrorKind, Extraction
from rules.engine import evaluate
from rules.model import Document
from rules.pack import load_pack

from pipeline import progress, stopping
from pipeline.report import json_report as report_json
from pipeline.answers import answers_path_for, load_answers
from pipeline.discover import FoundFile, discover, identities
from pipeline.profile import clean_name, load_profile, load_roster, profile_path_for
from pipeline.store import (get_store, open_run_store, previous_report, record_failure, record_finish,
                    record_start)
from pipeline.timing import stage
from pipeline.understand import extract_cached, prepare_in_background, understand


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(evidence_dir: str, store_url: str | None = None) -> list[FoundFile]:
    """The folder's files; those whose stat signature the store has seen unchanged are not
    hashed again (a nightly run over many units otherwise reads every byte every night)."""
    store = get_store(store_url)
    root = str(Path(evidence_dir).resolve())
    known = {}
    if store is not None:
        try:
            known = store.get_identities(root)
        except Exception:
            known = {}  # hash everything: an unreadable store costs speed, never the run
    started_ns = time.time_ns()
    files = discover(Path(root), known)
    found = dict(identities(files, started_ns, known))
    if store is not None and found != known:   # an unchanged folder writes nothing
        try:
            store.put_identities(root, list(found.items()))
        except Exception:
            pass  # the next run hashes again: speed, never the run
    return files


def _cached(store, files: list[FoundFile]) -> set[FoundFile]:
    if store is None:
        return set()
    try:
        shas = store.cached_shas([f.sha256 for f in files if not f.skipped])
    except Exception:
        return set()  # read them all: an unreadable store costs speed, never the run
    return {f for f in files if not f.skipped and f.sha256 in shas}


@task(name="reuse-unchanged", cache_policy=NO_CACHE)
def reuse_unchanged_task(files: list[FoundFile], store_url: str | None, unit: str
                         ) -> tuple[list[Document], list[FoundFile]]:
    """Documents whose bytes the store has already read, and the files left to read.

    One task for every unchanged file, not one each: Prefect's per-task bookkeeping (≈ 20–50 ms)
    would otherwise dominate a warm re-check of a large folder."""
    store = get_store(store_url)
    if store is None:
        return [], list(files)
    wanted = [f.sha256 for f in files if not f.skipped]
    try:
        extractions = store.get_extractions(wanted, words=False)
        known = store.get_understandings(list(extractions))
    except Exception:
        return [], list(files)  # read them again: an unreadable store costs speed, never the run
    reused: list[Document] = []
    todo: list[FoundFile] = []
    for found in files:
        extraction = None if found.skipped else extractions.get(found.sha256)
        if extraction is None:
            todo.append(found)
            continue
        reused.append(understand(found, extraction, store, known=known.get(found.sha256)))
        progress.current().document_done(unit, pages=len(extraction.pages), cached=True,
                                         ocr_pages=sum(1 for p in extraction.pages if p.source == "ocr"))
    return reused, todo


def read_document(found: FoundFile, store_url: str | None = None, unit: str = "") -> Document:
    """Extract and understand one file; never raises (a failure is the document's flag)."""
    cached = False
    try:
        run_store = get_store(store_url)
        extraction, cached = extract_cached(found, run_store)
        doc = understand(found, extraction, run_store)
    except Exception as exc:  # a bug on one file must not lose the other files' results
        failed = Extraction(kind=found.kind, error_code=ErrorKind.CORRUPT_FILE,
                            error_reason=f"internal error while reading: {exc.__class__.__name__}: {exc}")
        doc = Document(path=found.path, sha256=found.sha256, size=found.size, kind=found.kind,
                       extraction=failed)
    pages = doc.extraction.pages
    progress.current().document_done(unit, pages=len(pages), cached=cached,
                                     ocr_pages=sum(1 for p in pages if p.source == "ocr"))
    return doc


@task(name="read-documents", cache_policy=NO_CACHE, task_run_name="reader {number}")
def reader_task(todo: queue.SimpleQueue, number: int, store_url: str | None = None,
                unit: str = "") -> list[Document]:
    """One of DOC_WORKERS readers taking files off a shared queue until it is empty.

    Readers rather than a task per file: a Prefect task run costs the API server ~0.2 s of CPU
    (its states arrive as events the server records), which over a 300-file cold check took
    ~70 CPU-seconds from the Tesseracts on the same cores. A queue rather than fixed batches
    keeps every reader busy to the end, whatever the mix of scans and text files."""
    docs = []
    while True:
        try:
            found = todo.get_nowait()
        except queue.Empty:
            return docs
        docs.append(read_document(found, store_url, unit))


def read_all(files: list[FoundFile], store_url: str | None, unit: str) -> list:
    """Start the readers over `files`; returns their futures."""
    if not files:
        return []
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for found in files:
        todo.put(found)
    return [reader_task.submit(quote(todo), n, store_url, unit)
            for n in range(1, min(DOC_WORKERS, len(files)) + 1)]


# The report files, as (module, writer). Imported where used (a check that fails early never
# needs openpyxl or Jinja); a run that reads files imports them on a thread meanwhile.
_REPORT_WRITERS = (("pipeline.report.json_report", "write_json"), ("pipeline.report.html_report", "write_html"),
                   ("pipeline.report.xlsx_report", "write_xlsx"))


@task(name="write-reports", cache_policy=NO_CACHE)
def write_reports_task(report: dict, out_dir: str, pictures: dict | None = None) -> None:
    """`pictures`: pipeline.crops.Media.view(), which report.html embeds (report.json does not)."""
    out = Path(out_dir)
    for module, writer in _REPORT_WRITERS:
        write = getattr(importlib.import_module(module), writer)
        write(report, out, pictures) if writer == "write_html" else write(report, out)


class CheckResult:
    """What check_flow returns: the report, in a holder Prefect does not look into.

    Prefect walks a flow's return value looking for futures to resolve; over the report of a
    300-document folder that walk took ~0.5 s of a warm re-check."""
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


@flow(name="bukti-check", task_runner=ThreadPoolTaskRunner(max_workers=DOC_WORKERS),
      persist_result=False, validate_parameters=False, log_prints=False)
def check_flow(evidence_dir: str, out_dir: str, profile: str | None = None,
               rules: str | None = None, lang: str = "id", store: str | None = None,
               lke: str | None = None) -> CheckResult:
    """`store`: run-store path or URL (None: BUKTI_STORE or the default file; "none": off)."""
    from pipeline.orchestration.artifacts import publish_artifacts
    from pipeline.report.review import apply_decisions, load_decisions

    root = Path(evidence_dir).resolve()
    out = Path(out_dir).resolve()
    unit_profile = load_profile(profile_path_for(root, profile))
    roster, roster_warnings = load_roster(root / "roster.csv")
    pack = load_pack(rules)

    unit_label = unit_profile.unit or clean_name(root.name)
    run_store, store_url = open_run_store(store)
    run_id = record_start(run_store, flow_run_id=_flow_run_id(), unit=unit_label, evidence_dir=str(root), out_dir=str(out),
                          rule_pack=pack.id, lang=lang)
    try:
        with stage("discover"):
            files = discover_task(str(root), store_url)
        progress.current().begin(unit_label, len(files))
        cached = _cached(run_store, files)
        # The files to read start first (OCR is the long pole); the cached ones are loaded by
        # this thread meanwhile.
        reads = read_all([f for f in files if f not in cached], store_url, unit_label)
        # quote(): Prefect would otherwise walk every file record looking for futures.
        with stage("reuse"):
            documents, unreadable_cache = reuse_unchanged_task(quote([f for f in files if f in cached]),
                                                               store_url, unit_label)
        reads += read_all(unreadable_cache, store_url, unit_label)
        warmup = prepare_in_background(tuple(m for m, _ in _REPORT_WRITERS)) if reads else None
        with stage("read"):
            documents += [doc for f in reads for doc in f.result()]
            if warmup is not None:
                warmup.join()
        progress.current().end(unit_label)

        with stage("evaluate"):
            answers = load_answers(answers_path_for(root, lke), pack, (d.path for d in documents))
            evaluation = evaluate(documents, unit_profile, roster, pack, lang=lang, claims=answers.claims)
        with stage("pictures"):
            from pipeline.crops import page_media
            # sets each flag's region (report.json) before the report is built
            pictures = page_media(documents, evaluation.flags, root, run_store).view()
        report = report_json.build_report(
            documents=documents, flags=evaluation.flags, indicators=evaluation.indicators,
            score=evaluation.score, profile=unit_profile,
            unit_label=unit_label, period=unit_profile.period,
            target=unit_profile.target,
            rule_pack=pack.id, lang=lang, evidence_dir=root, profile_warnings=roster_warnings + answers.warnings)
        source = Path(answers.source) if answers.source else None
        report["answers"] = None if source is None else {
            "source": source.name if source.parent == root else str(source), "claims": len(answers.claims)}
        # The store knows the unit's last run whatever report folder it went to.
        previous = previous_report(run_store, unit_label, run_id)
        report_json.compare_with_previous(report, previous or report_json.load_previous(out))
        try:
            decisions = load_decisions(out)
        except ValueError as exc:
            # A damaged review.json is the reviewer's to mend: the run still reports, says which
            # decisions it could not apply, and leaves the file as it is.
            decisions = {}
            report["profile_warnings"].append(f"{exc}; reviewer decisions not applied, file left unchanged")
        report = apply_decisions(report, decisions)
        # quote(): Prefect would otherwise walk the whole report looking for futures to resolve.
        with stage("reports"):
            write_reports_task(quote(report), str(out), quote(pictures))
        with stage("artifacts"):
            publish_artifacts(report)
    except BaseException as exc:
        stopping.on_unwind(exc)
        record_failure(run_store, run_id, exc)
        raise
    with stage("record"):
        record_finish(run_store, run_id, report)
    return CheckResult(report)
