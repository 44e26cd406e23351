"""The Tesseract call: supervised processes, the scratch folder, one reading and its parsing.

Every Tesseract bukti starts goes through `supervised` (install() makes it pytesseract's
timeout_manager), which does three things pytesseract cannot:
- the time limit counts the process's own CPU time, not the wall clock. On a 2-core machine
  shared with four CPU-heavy jobs a page that needs 2 CPU-seconds took over 10 s of wall time,
  timed out twice and was reported UNREADABLE: the report depended on the machine's load. CPU
  time does not. A process that makes no progress at all for the limit (a hung Tesseract sleeps
  or waits; a starved one still gets its share of a core) is killed too, as is one past
  WALL_FACTOR times the limit, a backstop no load short of ~WALL_FACTOR jobs per core reaches;
- `cancel()` kills every live Tesseract at once and makes queued pages return without one
  (SIGTERM/Ctrl-C, pipeline/stopping.py);
- temporary page files go to one scratch folder per process, removed at exit or on cancel.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Iterator, TypeVar

import pytesseract
from PIL import Image

from ..model import Word

LANG = "ind+eng"
BASE_CONFIG = "--psm 3 --oem 1"

T = TypeVar("T")


class OcrCancelled(Exception):
    """The run is stopping: this page was not read."""


CANCELLED = "OCR cancelled: the run is stopping"
POLL_S = 0.25
# CPU-seconds a live Tesseract must gain within the time limit to count as making progress.
STALL_CPU_S = 0.02
WALL_FACTOR = 20

_cancelled = threading.Event()
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()
_scratch: str | None = None
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

# Tesseract runs of this process by kind ("page", "batch", "osd", "signature"): [runs, pages].
# With the CPU time all of them took (children_cpu_s), benchmarks/ compares bukti's Tesseract work
# with the raw CLI's on the same images, a comparison that does not depend on the machine's load.
_runs: dict[str, list[int]] = {}
_runs_lock = threading.Lock()
_kind = threading.local()


@contextlib.contextmanager
def count(kind: str, pages: int = 1) -> Iterator[None]:
    """Attribute the Tesseract runs started inside the block to `kind` (and `pages` pages)."""
    previous = getattr(_kind, "value", None)
    _kind.value = (kind, pages)
    try:
        yield
    finally:
        _kind.value = previous


def current_kind(default: str) -> str:
    """The kind the calling thread's Tesseract runs are filed under (`count`), or `default`."""
    value = getattr(_kind, "value", None)
    return value[0] if value else default


def runs() -> dict[str, dict[str, int]]:
    """{kind: {"runs", "pages"}} of the Tesseracts this process started so far."""
    with _runs_lock:
        return {k: {"runs": r, "pages": p} for k, (r, p) in sorted(_runs.items())}


def children_cpu_s() -> float:
    """CPU-seconds of every child process reaped so far (in a check: the Tesseracts)."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _counted() -> None:
    kind, pages = getattr(_kind, "value", None) or ("other", 1)
    with _runs_lock:
        row = _runs.setdefault(kind, [0, 0])
        row[0] += 1
        row[1] += pages


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process `pid` so far (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK   # utime, stime (stat fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.kill()   # Tesseract keeps nothing worth a graceful end
    proc.wait()


def _wait(proc: subprocess.Popen, limit: float | None) -> bytes:
    """Tesseract's stderr once it exits; raises RuntimeError('… timeout') past the limit (the
    message pytesseract uses, so callers treat both alike) or OcrCancelled."""
    started = last_progress = time.monotonic()
    last_cpu = 0.0
    while True:
        if _cancelled.is_set():
            _kill(proc)
            raise OcrCancelled(CANCELLED)
        try:
            return proc.communicate(timeout=POLL_S)[1]
        except subprocess.TimeoutExpired:
            pass   # retrying communicate() loses no output
        if not limit:
            continue
        now = time.monotonic()
        cpu = cpu_seconds(proc.pid)
        if cpu is None:
            continue   # exiting: the next communicate() collects it
        if cpu >= last_cpu + STALL_CPU_S:
            last_cpu, last_progress = cpu, now
        # The reasons name the limits, not the measured times: the report must not vary with them.
        why = (f"used its {limit:g} CPU-seconds" if cpu > limit
               else f"no progress for {limit:g} s" if now - last_progress > limit
               else f"still running after {limit * WALL_FACTOR:g} s" if now - started > limit * WALL_FACTOR
               else None)
        if why:
            _kill(proc)
            raise RuntimeError(f"Tesseract process timeout: {why}")


@contextlib.contextmanager
def supervised(proc: subprocess.Popen, seconds: float | None = None) -> Iterator[bytes]:
    """pytesseract.timeout_manager's contract (yield stderr, close the pipes), supervised."""
    _counted()
    with _live_lock:
        _live.add(proc)
    try:
        yield _wait(proc, seconds)
    finally:
        with _live_lock:
            _live.discard(proc)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe:
                pipe.close()


def cancel() -> int:
    """Stop all OCR of this process for good: kill live Tesseracts, make queued pages come back
    unread (OcrResult.error = CANCELLED), remove the scratch folder. Returns how many were killed."""
    _cancelled.set()
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    remove_scratch()
    return len(procs)


def cancelled() -> bool:
    return _cancelled.is_set()


def scratch_dir() -> str:
    """This process's folder for page images and Tesseract's output files."""
    global _scratch
    with _live_lock:
        if _scratch is None or not os.path.isdir(_scratch):
            _scratch = tempfile.mkdtemp(prefix="bukti-ocr-")
            atexit.register(remove_scratch)
        return _scratch


def remove_scratch() -> None:
    if _scratch:
        shutil.rmtree(_scratch, ignore_errors=True)


def _scratch_file(**kwargs):
    return tempfile.NamedTemporaryFile(dir=scratch_dir(), **kwargs)


def install() -> None:
    """Route pytesseract's processes through `supervised` and its files to the scratch folder.
    Idempotent; configure() calls it, so nothing changes pytesseract merely by importing bukti."""
    pytesseract.pytesseract.timeout_manager = supervised
    pytesseract.pytesseract.NamedTemporaryFile = _scratch_file


def know_version() -> None:
    """Ask Tesseract its version now, for pytesseract's once-per-process cache. pytesseract asks
    before a process's first reading (`tesseract --version`, 60 ms alone, 0.25 s while a check
    starts), holding a pool slot, so every check started from the warm worker paid it on its
    critical path; the worker asks once and its forked checks inherit the answer. A Tesseract
    that is missing or broken is left for the first reading to report."""
    try:
        pytesseract.get_tesseract_version(cached=True)
    except (Exception, SystemExit):   # TesseractNotFoundError; SystemExit for a version it cannot parse
        pass


@dataclass
class OcrResult:
    text: str = ""
    confidence: float | None = None
    words: list[Word] = field(default_factory=list)
    rotation: int = 0          # clockwise degrees the image was turned to read it
    skew: float = 0.0          # counter-clockwise degrees of deskew applied
    error: str | None = None

    @property
    def score(self) -> float:
        """Confident characters: compares two readings of the same page."""
        return sum(max(w.conf, 0.0) * len(w.text) for w in self.words)


class _Timeout(Exception):
    pass


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except RuntimeError as e:
        if "timeout" in str(e).lower():
            raise _Timeout(str(e)) from None
        raise


def with_retry(fn: Callable[[], T], what: str, *, gate: ContextManager | None,
               retry_errors: bool = True) -> tuple[T | None, str | None]:
    """One retry for a crash, which is sometimes the machine (memory), not the page. A timeout is
    not retried: the limit counts the page's own CPU time (or a Tesseract that made no progress
    at all), which a second run would spend again. `gate`: held around each attempt (the pool's
    bound on Tesseract processes); None when the caller holds a slot already."""
    error = None
    for _attempt in range(2):
        if _cancelled.is_set():
            return None, CANCELLED
        try:
            with gate if gate is not None else contextlib.nullcontext():
                return _call(fn), None
        except OcrCancelled:
            return None, CANCELLED
        except _Timeout as e:
            return None, f"{what} timed out ({str(e).rsplit(': ', 1)[-1]})"
        except pytesseract.TesseractError as e:
            detail = " ".join(str(e.message).split())[:200]
            if not detail and isinstance(e.status, int) and e.status < 0:
                detail = f"tesseract crashed (signal {-e.status})"
            error = f"{what} failed: {detail or e.status}"
            if not retry_errors:
                break
        except OSError as e:  # tesseract missing or not executable: retrying cannot help
            return None, f"{what} could not run: {e}"
    return None, error


def config(dpi: int | None) -> str:
    return f"{BASE_CONFIG} --dpi {int(dpi)}" if dpi else BASE_CONFIG


def as_ppm(img: Image.Image) -> Image.Image:
    # pytesseract writes the temp file in img.format; PNM is written in ~5 ms where PNG
    # compression takes ~200 ms per A4 page.
    img.format = "PPM"
    return img


def parse_data(data: dict) -> OcrResult:
    """Text (lines rebuilt from block/par/line numbers), words and weighted confidence."""
    words: list[Word] = []
    lines: list[str] = []
    cur_key = cur_par = None
    cur: list[str] = []
    for i, raw in enumerate(data.get("text", [])):
        txt = (raw or "").strip() if isinstance(raw, str) else str(raw).strip()
        if not txt or int(data["level"][i]) != 5:
            continue
        par = (data["block_num"][i], data["par_num"][i])
        key = (*par, data["line_num"][i])
        if key != cur_key:
            if cur:
                lines.append(" ".join(cur))
            if cur_par is not None and par != cur_par:
                lines.append("")  # paragraph break, as tesseract's own text output has
            cur, cur_key, cur_par = [], key, par
        cur.append(txt)
        words.append(Word(text=txt, left=int(data["left"][i]), top=int(data["top"][i]),
                          width=int(data["width"][i]), height=int(data["height"][i]),
                          conf=round(float(data["conf"][i]), 1)))
    if cur:
        lines.append(" ".join(cur))
    weighted = [(w.conf, len(w.text)) for w in words if w.conf >= 0]
    total = sum(n for _, n in weighted)
    conf = round(sum(c * n for c, n in weighted) / total, 1) if total else None
    return OcrResult(text="\n".join(lines), confidence=conf, words=words)


def split_pages(data: dict, pages: int) -> list[dict]:
    """image_to_data's columns over a list of images, as one dict per image (by page_num)."""
    out: list[dict] = [{k: [] for k in data} for _ in range(pages)]
    for i, number in enumerate(data.get("page_num", [])):
        try:
            page = out[int(number) - 1]
        except (ValueError, IndexError):
            continue
        for k, column in data.items():
            page[k].append(column[i] if i < len(column) else "")
    return out


def read_one(img: Image.Image, dpi: int | None, timeout: float, *, gate: ContextManager | None
             ) -> OcrResult:
    """One page in one Tesseract process."""
    with count(current_kind("page")):   # or "rotated"
        data, error = with_retry(
            lambda: pytesseract.image_to_data(as_ppm(img), lang=LANG, config=config(dpi),
                                              output_type=pytesseract.Output.DICT, timeout=timeout),
            "OCR", gate=gate)
    if data is None:
        return OcrResult(error=error)
    return parse_data(data)


def osd_rotation(img: Image.Image, dpi: int | None, timeout: float, *, gate: ContextManager | None
                 ) -> int:
    """Clockwise degrees (0, 90, 180, 270) Tesseract's orientation detection asks for."""
    osd_config = "--psm 0" + (f" --dpi {int(dpi)}" if dpi else "")
    with count("osd"):
        osd, _error = with_retry(
            lambda: pytesseract.image_to_osd(as_ppm(img), config=osd_config,
                                             output_type=pytesseract.Output.DICT, timeout=timeout),
            "orientation detection", gate=gate, retry_errors=False)
    # OSD refuses pages with too few characters; then the first reading stands.
    rot = int(osd.get("rotate", 0)) if osd else 0
    return rot if rot in (90, 180, 270) else 0


def failed(e: Exception) -> OcrResult:
    return OcrResult(error=f"OCR failed: {type(e).__name__}: {e}")
