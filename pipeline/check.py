"""One check of one evidence folder: discover → read → understand → evaluate → report, as plain
functions. `run_check` composes them; `pipeline/orchestration/flow.py` runs the same composition
as a Prefect flow, with the stages as tasks (`Stages`), so that a run shows in the Prefect UI.

Files are read by a few readers sharing a queue; a file that cannot be read becomes a flag in the
report and never stops the run.
"""
from __future__ import annotations

import importlib
import queue
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from extractors.limits import DOC_WORKERS
from extractors.model import ErrorKind, Extraction
from rules.engine import evaluate
from rules.model import Document
from rules.pack import load_pack

from pipeline import progress, stopping
from pipeline.answers import answers_path_for, load_answers
from pipeline.discover import FoundFile, discover, identities, largest_first
from pipeline.exitcodes import ExitCode
from pipeline.profile import clean_name, load_profile, load_roster, profile_path_for
from pipeline.read import ReadAhead, extract_cached
from pipeline.report import json_report as report_json
from pipeline.settings import Settings, current, data_dir
from pipeline.store import get_store, open_run_store, previous_report, record_failure, record_finish, record_start
from pipeline.store.protocol import RunStore
from pipeline.timing import stage
from pipeline.understand import prepare_in_background, understand


@dataclass(frozen=True)
class Job:
    """What every reader of one run shares: its settings, its store, its unit, its read-ahead."""
    settings: Settings
    store_url: str | None
    unit: str
    ahead: ReadAhead | None = None


def discover_files(evidence_dir: str, store_url: str | None = None,
                   ahead: ReadAhead | None = None) -> list[FoundFile]:
    """The folder's files; those whose stat signature the store has seen unchanged are not
    hashed again (a nightly run over many units otherwise reads every byte every night), nor
    those `ahead` (this run's read-ahead) hashed and that are unchanged since."""
    store = get_store(store_url)
    root = str(Path(evidence_dir).resolve())
    known = {}
    if store is not None:
        try:
            known = store.get_identities(root)
        except Exception:
            known = {}  # hash everything: an unreadable store costs speed, never the run
    # Read-ahead's are newer than the store's (it hashed what had changed since).
    seen = {**known, **ahead.identities(root)} if ahead is not None else known
    started_ns = time.time_ns()
    files = discover(Path(root), seen)
    found = dict(identities(files, started_ns, seen))
    if store is not None and found != known:   # an unchanged folder writes nothing
        try:
            store.put_identities(root, list(found.items()))
        except Exception:
            pass  # the next run hashes again: speed, never the run
    return files


def cached_files(store: RunStore | None, files: list[FoundFile]) -> set[FoundFile]:
    """The files whose extraction the store holds."""
    if store is None:
        return set()
    try:
        shas = store.cached_shas([f.sha256 for f in files if not f.skipped])
    except Exception:
        return set()  # read them all: an unreadable store costs speed, never the run
    return {f for f in files if not f.skipped and f.sha256 in shas}


def reuse_unchanged(files: list[FoundFile], store_url: str | None, unit: str
                    ) -> tuple[list[Document], list[FoundFile]]:
    """Documents whose bytes the store has already read, and the files left to read."""
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


def picture_cache(settings: Settings, store: RunStore | None) -> Path | None:
    """Where report pictures are kept by content across runs: beside the run store, and only
    with one (a run without a store leaves nothing behind)."""
    return data_dir(settings) / "pictures" if store is not None else None


def read_document(found: FoundFile, job: Job) -> Document:
    """Extract and understand one file; never raises (a failure is the document's flag)."""
    cached = False
    try:
        run_store = get_store(job.store_url)
        extraction, cached = extract_cached(found, run_store, ahead=job.ahead, settings=job.settings)
        doc = understand(found, extraction, run_store)
        if (pictures := picture_cache(job.settings, run_store)) is not None:
            from pipeline.crops import cache_thumbnail
            cache_thumbnail(doc, Path(found.abspath), pictures)
    except Exception as exc:  # a bug on one file must not lose the other files' results
        failed = Extraction(kind=found.kind, error_code=ErrorKind.CORRUPT_FILE,
                            error_reason=f"internal error while reading: {exc.__class__.__name__}: {exc}")
        doc = Document(path=found.path, sha256=found.sha256, size=found.size, kind=found.kind,
                       extraction=failed)
    pages = doc.extraction.pages
    progress.current().document_done(job.unit, pages=len(pages), cached=cached,
                                     ocr_pages=sum(1 for p in pages if p.source == "ocr"))
    return doc


def read_queue(todo: queue.SimpleQueue, job: Job) -> list[Document]:
    """One reader: take files off the shared queue until it is empty.

    Readers rather than a job per file keep every reader busy to the end, whatever the mix of
    scans and text files (and under Prefect, a task run per file costs its API server CPU that
    the Tesseracts on the same cores need)."""
    docs = []
    while True:
        try:
            found = todo.get_nowait()
        except queue.Empty:
            return docs
        docs.append(read_document(found, job))


def readers(files: list[FoundFile], ahead: ReadAhead | None = None) -> tuple[queue.SimpleQueue, int]:
    """The shared queue of `files`, largest first (discover.largest_first says why), those that
    read-ahead found to hold a page heavy for OCR (ReadAhead.heavy) before the rest, and how many
    readers to start on it."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    heavy = frozenset(ahead.heavy) if ahead is not None else frozenset()   # the survey may still add
    for found in largest_first(files, lambda f: (f.abspath in heavy, f.size or 0)):
        todo.put(found)
    return todo, min(DOC_WORKERS, len(files))


def read_on_threads(files: list[FoundFile], job: Job) -> list[Future]:
    """Readers over `files` on plain threads; their futures."""
    if not files:
        return []
    todo, count = readers(files, job.ahead)
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="bukti-reader")
    try:
        return [pool.submit(read_queue, todo, job) for _ in range(count)]
    finally:
        pool.shutdown(wait=False)


# The report files, as (module, writer). Imported where used (a check that fails early never
# needs openpyxl or Jinja); a run that reads files imports them on a thread meanwhile.
REPORT_WRITERS = (("pipeline.report.json_report", "write_json"), ("pipeline.report.html_report", "write_html"),
                  ("pipeline.report.xlsx_report", "write_xlsx"))


def write_reports(report: dict, out_dir: str, pictures: dict | None = None) -> None:
    """`pictures`: pipeline.crops.Media.view(), which report.html embeds (report.json does not)."""
    out = Path(out_dir)
    for module, writer in REPORT_WRITERS:
        write = getattr(importlib.import_module(module), writer)
        write(report, out, pictures) if writer == "write_html" else write(report, out)


@dataclass(frozen=True)
class Stages:
    """How `run_check` runs the stages it composes: plainly here, as Prefect tasks in
    pipeline/orchestration/flow.py. Each has the signature of the plain function it defaults to."""
    discover: Callable[[str, str | None, ReadAhead | None], list[FoundFile]] = discover_files
    reuse: Callable[[list[FoundFile], str | None, str], tuple[list[Document], list[FoundFile]]] = reuse_unchanged
    read: Callable[[list[FoundFile], Job], list] = read_on_threads   # futures with .result()
    write_reports: Callable[[dict, str, dict | None], None] = write_reports
    publish: Callable[[dict], None] = field(default=lambda report: None)   # e.g. Prefect artifacts
    run_id: Callable[[], str | None] = field(default=lambda: None)          # the orchestrator's run id


def exit_code(report: dict) -> ExitCode:
    """How `bukti check` ends after this report: FLAGS while an error flag is not waived."""
    from pipeline.report.review import blocking_errors
    return ExitCode.FLAGS if blocking_errors(report) else ExitCode.OK


def run_check(settings: Settings | None, evidence_dir: str | Path, out_dir: str | Path, *,
              profile: str | None = None, rules: str | None = None, lang: str = "id",
              store: str | None = None, lke: str | None = None, ahead: ReadAhead | None = None,
              stages: Stages = Stages()) -> dict:
    """Check one evidence folder and write its reports to `out_dir`; the report dict.

    `store`: run-store path or URL (None: the BUKTI_STORE setting or the default file; "none": off).
    `ahead`: read-ahead started by the command line (pipeline/read.py), whose reads the run takes."""
    from pipeline.report.review import apply_decisions, load_decisions

    settings = current(settings)
    root = Path(evidence_dir).resolve()
    out = Path(out_dir).resolve()
    unit_profile = load_profile(profile_path_for(root, profile))
    roster, roster_warnings = load_roster(root / "roster.csv")
    pack = load_pack(rules)

    unit_label = unit_profile.unit or clean_name(root.name)
    run_store, store_url = open_run_store(store, settings)
    run_id = record_start(run_store, flow_run_id=stages.run_id(), unit=unit_label, evidence_dir=str(root),
                          out_dir=str(out), rule_pack=pack.id, lang=lang)
    job = Job(settings, store_url, unit_label, ahead)
    try:
        with stage("discover"):
            files = stages.discover(str(root), store_url, ahead)
        progress.current().begin(unit_label, len(files))
        cached = cached_files(run_store, files)
        # The files to read start first (OCR is the long pole); the cached ones are loaded by
        # this thread meanwhile.
        reads = stages.read([f for f in files if f not in cached], job)
        with stage("reuse"):
            documents, unreadable_cache = stages.reuse([f for f in files if f in cached], store_url, unit_label)
        reads += stages.read(unreadable_cache, job)
        warmup = prepare_in_background(tuple(m for m, _ in REPORT_WRITERS)) if reads else None
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
            pictures = page_media(documents, evaluation.flags, root, run_store,
                                  cache_dir=picture_cache(settings, run_store)).view()
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
        with stage("reports"):
            stages.write_reports(report, str(out), pictures)
        with stage("artifacts"):
            stages.publish(report)
    except BaseException as exc:
        stopping.on_unwind(exc)
        record_failure(run_store, run_id, exc)
        raise
    with stage("record"):
        record_finish(run_store, run_id, report)
    return report
