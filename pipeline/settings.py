"""Where bukti keeps its own state, from BUKTI_HOME (the first of the settings issue 17 gathers into one
object: the run store, the Prefect server record, caches)."""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """$BUKTI_HOME, else $XDG_DATA_HOME/bukti, else ~/.local/share/bukti."""
    base = os.environ.get("BUKTI_HOME") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "bukti")
    return Path(base)
