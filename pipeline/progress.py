"""Progress of a check (files and pages), for the person waiting at the terminal.

The flow reports to whatever reporter the process installed (`use`): a rich progress bar on a
terminal, a plain line every few files otherwise (logs, cron mail), nothing by default — so a
flow run by a Prefect worker stays quiet. One reporter serves several units at once (a nightly
run has a sub-flow per unit in the same process), keyed by the unit's label.
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Iterator

from pipeline import stopping
from pipeline.terminal import printable


@dataclass
class UnitProgress:
    unit: str
    files: int
    done: int = 0
    pages: int = 0
    ocr_pages: int = 0
    cached: int = 0
    started: float = field(default_factory=time.monotonic)


class Reporter:
    """Counts; subclasses decide what to show. Safe to call from the flow's worker threads."""

    def __init__(self) -> None:
        self.units: dict[str, UnitProgress] = {}
        self._lock = threading.Lock()

    def begin(self, unit: str, files: int) -> None:
        with self._lock:
            self.units[unit] = UnitProgress(unit, files)
            self._on_begin(self.units[unit])

    def document_done(self, unit: str, pages: int = 0, ocr_pages: int = 0, cached: bool = False) -> None:
        with self._lock:
            u = self.units.get(unit)
            if u is None:
                return
            u.done += 1
            u.pages += pages
            u.ocr_pages += ocr_pages
            u.cached += int(cached)
            self._on_advance(u)

    def end(self, unit: str) -> None:
        with self._lock:
            u = self.units.get(unit)
            if u is not None:
                self._on_end(u)

    def close(self) -> None:
        pass

    def _on_begin(self, u: UnitProgress) -> None: ...
    def _on_advance(self, u: UnitProgress) -> None: ...
    def _on_end(self, u: UnitProgress) -> None: ...


def _summary(u: UnitProgress) -> str:
    return (f"{u.done}/{u.files} files, {u.pages} pages ({u.ocr_pages} OCR, {u.cached} files from cache), "
            f"{time.monotonic() - u.started:.0f} s")


class PlainReporter(Reporter):
    """One line every `every` files and one at the end: readable in a log file."""

    def __init__(self, stream: IO[str] | None = None, every: int = 10) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.every = every

    def _write(self, line: str) -> None:
        if stopping.requested():
            return   # after the stop line, "done: 10/10 files" would misreport cancelled pages
        print(printable(line), file=self.stream, flush=True)

    def _on_begin(self, u: UnitProgress) -> None:
        self._write(f"[{u.unit}] {u.files} files")

    def _on_advance(self, u: UnitProgress) -> None:
        if u.done % self.every == 0 and u.done != u.files:
            self._write(f"[{u.unit}] {_summary(u)}")

    def _on_end(self, u: UnitProgress) -> None:
        self._write(f"[{u.unit}] done: {_summary(u)}")


class RichReporter(Reporter):
    """A bar per unit on stderr, with the pages read so far (rich comes with Prefect)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("files · {task.fields[pages]} pages ({task.fields[ocr]} OCR, {task.fields[cached]} cached)"),
            TimeElapsedColumn(),
            console=Console(file=stream or sys.stderr), transient=False)
        self.progress.start()
        self.tasks: dict[str, int] = {}

    def _on_begin(self, u: UnitProgress) -> None:
        label = u.unit if len(u.unit) <= 40 else u.unit[:39] + "…"
        self.tasks[u.unit] = self.progress.add_task(label, total=u.files, pages=0, ocr=0, cached=0)

    def _on_advance(self, u: UnitProgress) -> None:
        self.progress.update(self.tasks[u.unit], completed=u.done, pages=u.pages,
                             ocr=u.ocr_pages, cached=u.cached)

    def _on_end(self, u: UnitProgress) -> None:
        self._on_advance(u)

    def close(self) -> None:
        self.progress.stop()


_current: Reporter = Reporter()


def current() -> Reporter:
    return _current


def for_stream(stream: IO[str] | None = None) -> Reporter:
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return RichReporter(stream) if tty else PlainReporter(stream)


@contextlib.contextmanager
def use(reporter: Reporter) -> Iterator[Reporter]:
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        _current = previous
        reporter.close()
