"""Wall time per stage of a run, on stderr when BUKTI_TIMING is set (benchmarks/ reads it).

Off by default: user-facing output stays the progress lines and the summary."""
from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Iterator


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    if not os.environ.get("BUKTI_TIMING"):
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
    if os.environ.get("BUKTI_TIMING"):
        print(f"timing at-{name} {time.monotonic() - _T0:.3f}s", file=sys.stderr)
