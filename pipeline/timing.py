"""Wall time per stage of a run, on stderr when the BUKTI_TIMING setting is on (benchmarks/ reads it).

Off by default: user-facing output stays the progress lines and the summary. A process-wide
switch, set once at start (`configure`), because its clock is the process's."""
from __future__ import annotations

import contextlib
import sys
import time
from typing import Iterator

_on = False


def configure(on: bool) -> None:
    global _on
    _on = bool(on)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    if not _on:
        yield
        return
    start = time.monotonic()
    try:
        yield
    finally:
        print(f"timing {name} {time.monotonic() - start:.3f}s", file=sys.stderr)


_T0 = time.monotonic()


def mark(name: str) -> None:
    """When something happened, in seconds since this module was imported (the CLI imports it
    first thing)."""
    if _on:
        print(f"timing at-{name} {time.monotonic() - _T0:.3f}s", file=sys.stderr)
