"""Read-ahead: start reading the files a re-check must read before Prefect has even started.

A CLI `check` spends ~2 s of one core importing Prefect and starting its flow run before the
flow's readers start; after a re-scan of one file the other core sits idle all that time while the
file waits for its OCR. So `bukti check`, once it has checked its arguments, starts this on a
thread: discover the folder against the run store (reading only: the flow's own discovery
records identities), and start extracting the first few files the store has no extraction of.
The flow's readers then take those extractions (`take`) instead of reading the files again; the
result goes through the flow like any other (stored, understood, reported). Read-ahead only
moves the start of the reading.

Only for a folder the store has seen before: on a first run every file is new, discovery would
hash the whole folder twice, and the flow's readers start on them soon enough.
"""
from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from extractors.model import Extraction

from pipeline.discover import FoundFile, discover
from pipeline.timing import mark

_log = logging.getLogger("bukti.readahead")

# The flow waits this long at most for read-ahead to say which files it took.
PLAN_WAIT_S = 60.0


class ReadAhead:
    def __init__(self, root: Path, store, limit: int, read):
        self.root, self.store, self.limit, self.read = Path(root).resolve(), store, limit, read
        self.planned = threading.Event()
        self.futures: dict[tuple[str, str], Future] = {}
        self.executor: ThreadPoolExecutor | None = None
        self.thread = threading.Thread(target=self._plan, name="bukti-readahead", daemon=True)

    def _plan(self) -> None:
        try:
            known = self.store.get_identities(str(self.root))
            if not known:
                return
            files = discover(self.root, known)
            cached = self.store.cached_shas([f.sha256 for f in files if not f.skipped])
            todo = [f for f in files if not f.skipped and f.sha256 not in cached][:self.limit]
            if not todo:
                return
            self.executor = ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="bukti-readahead")
            for f in todo:
                self.futures[(f.abspath, f.sha256)] = self.executor.submit(_read, f, self.read)
        except Exception as exc:  # the flow reads everything itself: speed, never the run
            _log.debug("read-ahead gave up: %s", exc)
        finally:
            self.planned.set()

    def take(self, found: FoundFile) -> Extraction | None:
        """The extraction read ahead for this file (same path, same content), else None."""
        if not self.planned.wait(PLAN_WAIT_S):
            return None
        future = self.futures.pop((found.abspath, found.sha256), None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:
            _log.debug("read-ahead of %s failed, reading it again: %s", found.path, exc)
            return None


def _read(found: FoundFile, extract_file) -> Extraction:
    mark("readahead-start")
    try:
        return extract_file(Path(found.abspath), found.kind)
    finally:
        mark("readahead-done")


_lock = threading.Lock()
_current: ReadAhead | None = None


def start(root: Path, store, limit: int, read) -> ReadAhead | None:
    """Begin read-ahead of up to `limit` unread files of `root` with `read(path, kind)` (the same
    reader the flow uses, passed in: this module does not import the stage that takes from it).
    A no-op without a store."""
    global _current
    if store is None or limit <= 0:
        return None
    ahead = ReadAhead(root, store, limit, read)
    with _lock:
        _current = ahead
    ahead.thread.start()
    return ahead


def take(found: FoundFile) -> Extraction | None:
    with _lock:
        ahead = _current
    if ahead is None or not found.abspath.startswith(str(ahead.root) + os.sep):
        return None
    return ahead.take(found)


def stop() -> None:
    """Forget read-ahead (tests, and a process that checks several folders)."""
    global _current
    with _lock:
        ahead, _current = _current, None
    if ahead is not None and ahead.executor is not None:
        ahead.executor.shutdown(wait=False, cancel_futures=True)
