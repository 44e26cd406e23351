"""Stopping on request: SIGTERM or Ctrl-C (SIGINT) ends a run within seconds, not after its queue.

What happens, once, at the first signal (`stop_work`):
1. every live Tesseract is killed and queued pages come back unread (extractors.ocr.cancel), so
   the threads reading documents finish at once; their scratch files are removed;
2. one line says the run was stopped;
3. a watchdog ends the process GRACE_S later whatever is still unwinding (Prefect reporting the
   crashed run, its temporary server stopping), with the exit code 128 + signal number
   (130 for Ctrl-C, 143 for SIGTERM), as a shell reports a process killed by that signal.

Files whose extraction finished before the signal are already in the run store (each is written
as it finishes); a report is not written, and the previous report stays as it was.

During a flow run Prefect holds SIGTERM itself (it raises its TerminationSignal in the main
thread and re-sends the signal to our handler once the flow has unwound), so the flows call
`on_unwind` where they unwind: the OCR is stopped then, not after Prefect's bookkeeping.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

from pipeline.exitcodes import ExitCode

GRACE_S = 4.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_stopping = threading.Lock()
_stopped_by: list[int] = []
_lang = "id"


class Interrupted(BaseException):
    """Raised in the main thread by the signal handler (BaseException: no `except Exception`
    on the way out may swallow it)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return ExitCode.for_signal(self.signum)


def install(lang: str = "id") -> None:
    """Handle SIGINT and SIGTERM in this process (call from the main thread)."""
    global _lang
    _lang = lang
    for signum in SIGNALS:
        signal.signal(signum, _handler)


def _handler(signum: int, _frame) -> None:
    stop_work(signum)
    raise Interrupted(signum)


def stop_work(signum: int) -> None:
    """Cancel the OCR, say so, and arm the watchdog; only the first call does anything."""
    with _stopping:
        if _stopped_by:
            return
        _stopped_by.append(signum)
    from extractors import ocr
    ocr.cancel()
    # Prefect would add its own "Crash detected!" error lines for the run it sees aborted: the
    # user asked for the stop, and one line says so.
    import logging
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from pipeline.i18n import text
    print(f"bukti: {text('cli', 'interrupted', _lang, signal=signal.Signals(signum).name)}",
          file=sys.stderr, flush=True)
    watchdog = threading.Timer(GRACE_S, _force_exit, args=(ExitCode.for_signal(signum),))
    watchdog.daemon = True
    watchdog.start()


def requested() -> bool:
    """Whether the run is stopping (progress lines would only report the dropped pages)."""
    return bool(_stopped_by)


def on_unwind(exc: BaseException) -> None:
    """A flow is unwinding because of `exc`: if that is a stop request, stop the work now."""
    if isinstance(exc, Interrupted):
        stop_work(exc.signum)
    elif isinstance(exc, KeyboardInterrupt):
        stop_work(signal.SIGINT)
    elif not isinstance(exc, Exception) and isinstance(getattr(exc, "signal", None), int):
        stop_work(exc.signal)   # Prefect's TerminationSignal


def _force_exit(code: int) -> None:
    from extractors import ocr
    ocr.remove_scratch()
    sys.stderr.flush()
    os._exit(code)
