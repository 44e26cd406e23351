"""Every bukti setting, in one place: built once when a command starts (from its flags and the
`BUKTI_*` environment) and passed down. No other module reads `BUKTI_*` variables.

A new setting goes here: a field of `Settings` with its default and a line in `ENV` naming its
variable; the README's settings table lists the ones users tune. `extractors/` cannot import this
module (it is the bottom room): the read path hands it the values it needs as arguments.

| variable | field | default | meaning |
|---|---|---|---|
| BUKTI_HOME | home | $XDG_DATA_HOME/bukti or ~/.local/share/bukti | bukti's own state: run store, Prefect server record, nightly reports, caches |
| BUKTI_STORE | store | (none: store.sqlite in home) | run store, SQLite file or database URL; `none`/`off` turns it off (`--store` wins) |
| BUKTI_STORE_CONNECT_TIMEOUT | store_connect_timeout_s | 10 | seconds to wait for a database server to answer (libpq counts whole seconds, 1 means 2) |
| BUKTI_OCR_TIMEOUT | ocr_timeout_s | 120 | seconds of a Tesseract's own CPU time per page (not wall-clock: a busy machine gives the same report) |
| BUKTI_OCR_WORKERS | ocr_workers | CPU count | Tesseract processes at once (each wants a whole core) |
| BUKTI_MAX_OCR_PAGES | max_ocr_pages | 500 | pages of one PDF that OCR reads (as the TIFF frame limit); later pages are reported UNREADABLE |
| BUKTI_UNIT_WORKERS | unit_workers | 2 | units a nightly run checks at once (two keep the OCR pool fed) |
| BUKTI_SERVER_HEALTH_TIMEOUT | server_health_timeout_s | 2 | seconds a `bukti server` has to answer its health check before a temporary one is used |
| BUKTI_WARM_WORKER | warm_worker | on | `bukti server start` also starts a warm worker, and `bukti check` runs in a process forked from it (imports and language model loaded once, pipeline/orchestration/warm.py); 0 runs each check in a process of its own |
| BUKTI_TIMING | timing | off | wall time per stage on stderr (benchmarks/ reads it) |
| BUKTI_DEBUG | debug | off | show the traceback of an internal error instead of one line |
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Defaults that are also limits of the extractors, named there (extractors/limits.py).
from extractors.limits import MAX_IMAGE_FRAMES, OCR_TIMEOUT_S


def _default_home(env: Mapping[str, str]) -> Path:
    return Path(env.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")) / "bukti"


@dataclass(frozen=True)
class Settings:
    home: Path = dataclasses.field(default_factory=lambda: _default_home(os.environ))
    store: str | None = None
    store_connect_timeout_s: int = 10
    ocr_timeout_s: float = OCR_TIMEOUT_S
    ocr_workers: int = os.cpu_count() or 1
    max_ocr_pages: int = MAX_IMAGE_FRAMES
    unit_workers: int = 2
    server_health_timeout_s: float = 2.0
    warm_worker: bool = True
    timing: bool = False
    debug: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **flags) -> "Settings":
        """The environment's settings; `flags` (command-line values that are not None) win."""
        env = os.environ if env is None else env
        values: dict = {"home": Path(env.get("BUKTI_HOME") or _default_home(env))}
        for name, (var, kind) in ENV.items():
            raw = env.get(var)
            if not raw:
                continue
            if kind is bool:
                values[name] = raw.strip().lower() not in _OFF
            elif kind is str:
                values[name] = raw
            else:
                values[name] = _positive(raw, kind, getattr(_DEFAULTS, name))
        values.update({k: v for k, v in flags.items() if v is not None})
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


# field → (environment variable, type); BUKTI_HOME is read above (its default comes from XDG).
ENV: dict[str, tuple[str, type]] = {
    "store": ("BUKTI_STORE", str),
    "store_connect_timeout_s": ("BUKTI_STORE_CONNECT_TIMEOUT", int),
    "ocr_timeout_s": ("BUKTI_OCR_TIMEOUT", float),
    "ocr_workers": ("BUKTI_OCR_WORKERS", int),
    "max_ocr_pages": ("BUKTI_MAX_OCR_PAGES", int),
    "unit_workers": ("BUKTI_UNIT_WORKERS", int),
    "server_health_timeout_s": ("BUKTI_SERVER_HEALTH_TIMEOUT", float),
    "warm_worker": ("BUKTI_WARM_WORKER", bool),
    "timing": ("BUKTI_TIMING", bool),
    "debug": ("BUKTI_DEBUG", bool),
}

_DEFAULTS = Settings(home=Path("."))
# A switch set to one of these is off (any other value turns it on): BUKTI_TIMING=0 means off.
_OFF = frozenset({"0", "false", "no", "off"})


def _positive(raw: str, kind: type, default):
    """A positive number, else the default (a typo must not turn a limit off)."""
    try:
        value = kind(raw)
    except ValueError:
        return default
    return value if value > 0 else default


def current(settings: Settings | None = None) -> Settings:
    """`settings`, or the environment's when a caller (a test, a Prefect deployment's entry point)
    started without them."""
    return settings if settings is not None else Settings.from_env()


def data_dir(settings: Settings | None = None) -> Path:
    """$BUKTI_HOME, else $XDG_DATA_HOME/bukti, else ~/.local/share/bukti."""
    return current(settings).home
