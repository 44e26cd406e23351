"""The read path: a found file in, its Extraction out, at most once per content.

- `extract_file`: the extractors' one entry point with this run's limits (pipeline/settings.py);
- `extract_cached`: the run store's extraction cache in front of it (a file read once is never
  read again while its bytes are unchanged), and read-ahead's result taken when there is one;
- `ReadAhead`: start reading the files a check must read before Prefect has even started.

Read-ahead. A CLI `check` spends seconds of one core importing Prefect and starting its flow run
before the flow's readers start (benchmarks/RESULTS.md), while the other core sits idle and the
scans wait for their OCR. So `bukti check`, once it has checked its arguments, starts a `ReadAhead`
on a thread: identify the folder's files against the run store (reading only: the flow's own
discovery records identities), largest first, and start extracting the first few the store has no
extraction of. The handle is passed to the run. Its readers take those extractions instead of
reading the files again, and its discovery takes the sha256s read-ahead computed (checked against
each file's stat like the store's), so a first run does not hash the folder twice. The result goes
through the run like any other (stored, understood, reported): read-ahead only moves the start of
the reading.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from extractors.limits import DOC_WORKERS
from extractors.model import ErrorKind, Extraction

from pipeline.discover import HASH_WORKERS, FoundFile, Identity, identify, largest_first, listing
from pipeline.settings import Settings, current
from pipeline.store.protocol import RunStore
from pipeline.timing import mark

_log = logging.getLogger("bukti.read")


# The extractors are imported on first use: a warm re-check reads no file, and their imports
# (Tesseract, PDFium, Pillow …) would cost it a tenth of its time. So the OCR pool is configured from the
# settings here, when the first file of the process is read, not when the command starts.
def extract_file(path: Path, kind: str, settings: Settings | None = None) -> Extraction:
    """Read one file with this run's OCR limits (never raises: a failure is the extraction's)."""
    from extractors.extract import extract_file as read
    s = current(settings)
    configure_ocr(s)
    return read(path, kind, timeout=s.ocr_timeout_s, max_ocr_pages=s.max_ocr_pages)


_ocr_lock = threading.Lock()
_ocr_workers: int | None = None   # what the process-wide OCR pool was last sized to from settings


def configure_ocr(settings: Settings) -> None:
    """Size the extractors' process-wide OCR pool (extractors.ocr.configure) from the settings,
    once per value: the pool is the process's, shared by every run and unit in it."""
    global _ocr_workers
    if _ocr_workers == settings.ocr_workers:
        return
    with _ocr_lock:
        if _ocr_workers != settings.ocr_workers:
            from extractors import ocr
            ocr.configure(workers=settings.ocr_workers)
            _ocr_workers = settings.ocr_workers


# What discovery could not read becomes the flag a reviewer needs to see.
_SKIPPED_KINDS = {"link": ErrorKind.UNSUPPORTED_FILE, "special": ErrorKind.UNSUPPORTED_FILE,
                  "missing": ErrorKind.CORRUPT_FILE}


def extract(found: FoundFile, store: RunStore | None = None, settings: Settings | None = None) -> Extraction:
    return extract_cached(found, store, settings=settings)[0]


def extract_cached(found: FoundFile, store: RunStore | None = None, *, ahead: "ReadAhead | None" = None,
                   settings: Settings | None = None) -> tuple[Extraction, bool]:
    """(extraction, came from the run store's cache). `ahead`: this run's read-ahead, if any.

    The result is stored as soon as this file is done, not at the end of the run, so a run that
    is killed keeps every extraction it finished (OCR is the expensive part)."""
    if found.skipped:
        return Extraction(kind=found.kind, error_code=_SKIPPED_KINDS.get(found.kind, ErrorKind.CORRUPT_FILE),
                          error_reason=found.skipped), False
    if store is not None:
        try:
            cached = store.get_extraction(found.sha256)
        except Exception as exc:  # an unreachable store costs speed, never the run
            _log.warning("run store unreadable, extracting %s again: %s", found.path, exc)
            cached = None
        if cached is not None:
            return cached, True
    extraction = (ahead.take(found) if ahead is not None else None) or extract_file(
        Path(found.abspath), found.kind, settings)
    # A file that vanished or changed while it was read gives a result about no stable content:
    # caching it under the discovered sha256 would pin that failure on the file for good.
    if store is not None and _unchanged(found):
        try:
            store.put_extraction(found.sha256, extraction)
        except Exception as exc:
            _log.warning("run store unwritable, %s not cached: %s", found.path, exc)
    return extraction, False


def _unchanged(found: FoundFile) -> bool:
    try:
        return os.stat(found.abspath).st_size == found.size
    except OSError:
        return False


# ---------------------------------------------------------------- read-ahead

# The flow waits this long at most for read-ahead to say which files it took.
PLAN_WAIT_S = 60.0


class ReadAhead:
    """A read-ahead in progress; `take` gives the run what it read, `identities` what it hashed.
    Slots: Prefect records a flow's parameters and would otherwise walk this object's threads
    looking for values to store."""
    __slots__ = ("root", "store", "limit", "read", "planned", "discovered", "surveyed", "futures",
                 "hashed", "heavy", "executor", "stopped", "lock", "thread")

    def __init__(self, root: Path, store: RunStore, limit: int, read: Callable[[Path, str], Extraction]):
        self.root, self.store, self.limit, self.read = Path(root).resolve(), store, limit, read
        self.planned = threading.Event()      # every read it will start is in `futures`
        self.discovered = threading.Event()   # every file it hashed is in `hashed`
        self.surveyed = threading.Event()     # every heavy file it will find is in `heavy`
        self.futures: dict[tuple[str, str], Future] = {}
        self.hashed: dict[str, Identity] = {}
        self.heavy: set[str] = set()          # absolute paths of files survey.has_heavy_page found
        self.executor: ThreadPoolExecutor | None = None
        self.stopped = False
        self.lock = threading.Lock()   # a stop never misses an executor made at that moment
        self.thread = threading.Thread(target=self._plan, name="bukti-readahead", daemon=True)

    def _plan(self) -> None:
        later: list[FoundFile] = []   # new bytes left to the run's readers, largest first
        try:
            known = self.store.get_identities(str(self.root))
            found, regular = listing(self.root)
            unchanged: list[FoundFile] = []
            # In the order the flow's readers take files (discover.largest_first): the files
            # hashed first are read ahead and under way while Prefect starts, so the readers'
            # first files are already being read; the rest is hashed meanwhile, for the flow's
            # discovery to take (`identities`).
            with ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="bukti-readahead-hash") as pool:
                for f, since_ns in pool.map(lambda item: _identify(item, known), largest_first(regular, _size)):
                    old = known.get(f.abspath)
                    if old is not None and f.sha256 == old.sha256 and f.stat == old.signature_of():
                        unchanged.append(f)   # read before: the store's cache decides below
                        continue
                    if f.skipped or f.stat is None:
                        continue
                    self.hashed[f.abspath] = Identity(*f.stat, sha256=f.sha256, kind=f.kind, hashed_at_ns=since_ns)
                    # New bytes are rarely in the cache, but the same scan may sit in another folder.
                    if len(self.futures) < self.limit and not self.store.cached_shas([f.sha256]):
                        self._submit(f)
                    else:
                        later.append(f)
                self.discovered.set()
            if len(self.futures) < self.limit and unchanged:
                cached = self.store.cached_shas([f.sha256 for f in unchanged])
                for f in unchanged:
                    if len(self.futures) < self.limit and f.sha256 not in cached:
                        self._submit(f)
        except Exception as exc:  # the flow reads and hashes everything itself: speed, never the run
            _log.debug("read-ahead gave up: %s", exc)
        finally:
            self.planned.set()
            self.discovered.set()
        # After `planned`: a reader waits for nothing the survey does.
        try:
            self._survey(later)
        except Exception as exc:
            _log.debug("read-ahead's survey gave up: %s", exc)
        finally:
            self.surveyed.set()

    def _survey(self, files: list[FoundFile]) -> None:
        """Which of the files left to the run's readers hold a page heavy for OCR
        (extractors/survey.py): the readers take those first (check.readers). Runs while Prefect
        starts the flow, on one thread: what it has not looked at by the time the readers start
        keeps its place by size."""
        if not files:
            return
        from extractors import survey
        cached = self.store.cached_shas([f.sha256 for f in files])
        for f in files:
            if self.stopped:
                return
            if f.sha256 not in cached and survey.has_heavy_page(Path(f.abspath), f.kind):
                self.heavy.add(f.abspath)

    def _submit(self, found: FoundFile) -> None:
        with self.lock:
            if self.stopped:
                return
            if self.executor is None:
                # As many at once as the flow's readers: what OCR can use, the OCR pool lets through.
                self.executor = ThreadPoolExecutor(max_workers=min(self.limit, DOC_WORKERS),
                                                   thread_name_prefix="bukti-readahead")
            self.futures[(found.abspath, found.sha256)] = self.executor.submit(_read, found, self.read)

    def take(self, found: FoundFile) -> Extraction | None:
        """The extraction read ahead for this file (same path, same content), else None."""
        if not found.abspath.startswith(str(self.root) + os.sep):
            return None
        if not self.planned.wait(PLAN_WAIT_S):
            return None
        future = self.futures.pop((found.abspath, found.sha256), None)
        if future is None or future.cancel():
            return None   # not started yet: the run's reader reads it now rather than wait for a turn
        try:
            return future.result()
        except Exception as exc:
            _log.debug("read-ahead of %s failed, reading it again: %s", found.path, exc)
            return None

    def identities(self, root: str | Path) -> dict[str, Identity]:
        """{absolute path: Identity} of the files of `root` read-ahead hashed, for the flow's
        discovery to take as known (each still checked against the file's stat, so a file
        changed since is hashed again); empty for another folder."""
        if Path(root).resolve() != self.root or not self.discovered.wait(PLAN_WAIT_S):
            return {}
        return dict(self.hashed)

    def stop(self) -> None:
        """Drop what has not started (a process that checks several folders, tests)."""
        with self.lock:
            self.stopped = True
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)


def _size(item: tuple[str, str]) -> int:
    """A (relative, absolute) path's size, before it is identified."""
    try:
        return os.stat(item[1]).st_size
    except OSError:
        return -1   # identify says what is wrong with it


def _identify(item: tuple[str, str], known: dict[str, Identity]) -> tuple[FoundFile, int]:
    """(the file identified, the wall clock before its stat was taken: its Identity's hashed_at)."""
    since_ns = time.time_ns()
    return identify(*item, known.get(item[1])), since_ns


def _read(found: FoundFile, extract_file) -> Extraction | None:
    mark("readahead-start")
    try:
        extraction = extract_file(Path(found.abspath), found.kind)
    finally:
        mark("readahead-done")
    # Bytes that changed since they were hashed may not be what was read: the run reads the file
    # itself (its own discovery hashes the new bytes, so the key would not match anyway).
    try:
        if Identity.signature(os.stat(found.abspath)) != found.stat:
            return None
    except OSError:
        return None
    return extraction


def start(root: Path, store: RunStore | None, limit: int, read) -> ReadAhead | None:
    """Begin read-ahead of up to `limit` unread files of `root` with `read(path, kind)` (the same
    reader the run uses). The handle goes to the run that takes from it; None without a store."""
    if store is None or limit <= 0:
        return None
    ahead = ReadAhead(root, store, limit, read)
    ahead.thread.start()
    return ahead
