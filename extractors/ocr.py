"""Tesseract OCR of one page image, and the process-wide pool that bounds it.

Tesseract runs as a subprocess, so Python threads parallelise it fine; what must be
bounded is the number of tesseract processes, because each one wants a whole core
(OpenMP inside tesseract fights over cores: 6.4 s/page instead of 2.3 s, see
docs in /work/shared/notes/platform.md).
"""
from __future__ import annotations

import atexit
import contextlib
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, TypeVar

import pytesseract
from PIL import Image, ImageOps, ImageStat

from . import limits, photo_page
from .model import Word

# pytesseract hands os.environ to the subprocess; one OpenMP thread per tesseract is
# the fastest configuration when we run one tesseract per core ourselves.
os.environ["OMP_THREAD_LIMIT"] = "1"
# Likewise OpenCV (deskew) must not spread one rotation over every core.
os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")
# Page images are large and short-lived: give them back to the OS when freed.
limits.release_large_buffers()

LANG = "ind+eng"
_BASE_CONFIG = "--psm 3 --oem 1"
# Below this page confidence (or with garbage text) the page may be rotated: pay for OSD.
LOW_CONFIDENCE = 60.0
# So many long words are needed to say a page was read sideways (see `sideways`).
SIDEWAYS_MIN_WORDS = 5

T = TypeVar("T")
R = TypeVar("R")


# ---------------------------------------------------------------- tesseract processes
#
# Every Tesseract bukti starts goes through `_supervised` (it replaces pytesseract's own
# timeout_manager, below), which does three things pytesseract cannot:
# - the time limit counts the process's own CPU time, not the wall clock. On a 2-core machine
#   shared with four CPU-heavy jobs a page that needs 2 CPU-seconds took over 10 s of wall time,
#   timed out twice and was reported UNREADABLE: the report depended on the machine's load. CPU
#   time does not. A process that makes no progress at all for the limit (a hung Tesseract sleeps
#   or waits; a starved one still gets its share of a core) is killed too, as is one past
#   WALL_FACTOR times the limit, a backstop no load short of ~WALL_FACTOR jobs per core reaches;
# - `cancel()` kills every live Tesseract at once and makes queued pages return without one
#   (SIGTERM/Ctrl-C, pipeline/stopping.py);
# - temporary page files go to one scratch folder per process, removed at exit or on cancel.

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
def _supervised(proc: subprocess.Popen, seconds: float | None = None) -> Iterator[bytes]:
    """pytesseract.timeout_manager's contract (yield stderr, close the pipes), supervised."""
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


pytesseract.pytesseract.timeout_manager = _supervised
pytesseract.pytesseract.NamedTemporaryFile = _scratch_file


# ---------------------------------------------------------------- pool and gate

class _Pool:
    def __init__(self, workers: int):
        self.workers = workers
        self.gate = threading.BoundedSemaphore(workers)
        # Pages being loaded and deskewed at once. Every pool thread may hold a page, but only
        # this many decode one: a document's first pages reach a Tesseract in ~0.2 s instead
        # of all of them sharing the cores for a second, and the transient full-colour frames
        # (26 MB for an A4 TIFF frame) never pile up: twelve at once took a check past 1.9 GB.
        self.prep = threading.BoundedSemaphore(workers)
        # Prepared pages waiting for a Tesseract; whoever gets a slot reads several at once.
        self.lock = threading.Lock()
        self.pending: list[_Request] = []
        # Each Tesseract reads up to OCR_BATCH_PAGES pages, each page holding its pool thread
        # while it waits, and further threads render and deskew the next pages (PDFium, OpenCV:
        # C code that releases the GIL) so that a batch is ready when a slot frees. With one
        # thread per Tesseract that preparation (~0.25 s a page) left a core idle ~20 % of the time.
        self.executor = ThreadPoolExecutor(max_workers=workers * (limits.OCR_BATCH_PAGES + 2),
                                           thread_name_prefix="bukti-ocr")

    def take(self, req: "_Request") -> list["_Request"]:
        """The batch to read now, with `req` in it; [] when another reader already took `req`.

        A fair share of what waits (not all of it, up to the cap): at the end of a document the
        last pages then spread over every core instead of queueing behind one Tesseract."""
        with self.lock:
            if req not in self.pending:
                return []
            same = [r for r in self.pending if r is not req and r.dpi == req.dpi]
            share = math.ceil((len(same) + 1) / self.workers)
            batch = [req, *same[:min(limits.OCR_BATCH_PAGES, share) - 1]]
            taken = {id(r) for r in batch}
            self.pending = [r for r in self.pending if id(r) not in taken]
            return batch


_pool_lock = threading.Lock()
_pool: _Pool | None = None
_local = threading.local()


def _get_pool() -> _Pool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = _Pool(limits.ocr_workers())
        return _pool


def configure(workers: int | None = None) -> int:
    """Resize the process-wide pool (None: BUKTI_OCR_WORKERS or the CPU count).

    Meant for start-up, benchmarks and tests; work already queued finishes on the old pool.
    """
    global _pool
    with _pool_lock:
        old, _pool = _pool, _Pool(workers if workers and workers > 0 else limits.ocr_workers())
    if old is not None:
        old.executor.shutdown(wait=False)
    return _pool.workers


def workers() -> int:
    return _get_pool().workers


def map_pages(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """fn over items on the shared pool, results in order.

    Items are submitted lazily by the pool's queue, so callers should make fn load its
    own page image: only 2 × `workers` images then exist at any time.
    """
    items = list(items)
    if not items:
        return []
    if getattr(_local, "in_pool", False):
        # Nested use from a pool thread would wait on itself.
        return [fn(i) for i in items]
    # Even a single page goes through the pool: however many documents are read at
    # once, only `workers` threads then hold a page image.
    pool = _get_pool()

    def run(item: T) -> R:
        _local.in_pool = True
        try:
            return fn(item)
        finally:
            _local.in_pool = False

    futures = [pool.executor.submit(run, i) for i in items]
    return [f.result() for f in futures]


# ---------------------------------------------------------------- text quality

_MOJIBAKE = re.compile(r"[ÃÂâ€™œžŸ]{2,}|Ã.|â€")


def text_stats(text: str) -> tuple[int, float]:
    """(meaningful chars, share of non-space chars that are meaningful)."""
    good = bad = 0
    for ch in text:
        if ch.isspace():
            continue
        cat = unicodedata.category(ch)
        if ch == "\ufffd" or cat in ("Co", "Cn", "Cc", "Cs"):
            bad += 2  # replacement/private-use/control chars are worse than punctuation
        elif ch.isalnum():
            good += 1
        else:
            bad += 1
    total = good + bad
    return good, (good / total if total else 0.0)


def usable_text(text: str) -> bool:
    """Whether a text layer (or OCR output) carries real words, not glyph soup."""
    good, ratio = text_stats(text)
    if good < limits.MIN_TEXT_CHARS or ratio < 0.6:
        return False
    if len(_MOJIBAKE.findall(text)) > good / 50:
        return False
    # Fonts without a ToUnicode map give Latin letters that form no words: almost no
    # vowels, or almost nothing but. Indonesian and English sit near 40 % vowels.
    letters = [c for c in text.lower() if "a" <= c <= "z"]
    if len(letters) >= 40:
        vowels = sum(c in "aeiou" for c in letters) / len(letters)
        if not 0.2 <= vowels <= 0.65:
            return False
    return True


# ---------------------------------------------------------------- image preparation

def prepare(img: Image.Image) -> tuple[Image.Image, float]:
    """Grey, alpha flattened on white, longest side capped. Returns (image, scale)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, rgba)
    # Tesseract greys the image itself; handing it grey makes the temp file 3x smaller.
    if img.mode != "L":
        img = img.convert("L")
    scale = 1.0
    longest = max(img.size)
    if longest > limits.MAX_OCR_SIDE_PX:
        scale = limits.MAX_OCR_SIDE_PX / longest
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(size, Image.LANCZOS, reducing_gap=3.0)
    return img, scale


def is_blank(img: Image.Image) -> bool:
    """A page with no ink at all (scanner separator sheets, blank backs)."""
    small = img.reduce(8) if min(img.size) >= 64 else img
    lo, hi = small.getextrema()
    return hi - lo < 40 or ImageStat.Stat(small).stddev[0] < 2.0


def _profile_score(bw: Image.Image, angle: float) -> float:
    rotated = bw.rotate(angle, resample=Image.NEAREST, fillcolor=0) if angle else bw
    # Box-resizing to one column gives each row's ink mean in C; text rows aligned with
    # the x axis make that profile spiky, i.e. its variance high.
    return ImageStat.Stat(rotated.resize((1, rotated.height), Image.BOX)).var[0]


def estimate_skew(img: Image.Image, max_angle: float = 4.0) -> float:
    """Counter-clockwise degrees to rotate img by to level its text lines (0 if unsure)."""
    # ~700 px keeps 300-dpi text lines ~13 px apart: enough to resolve them, and each
    # trial rotation costs ~2 ms (the whole search ~50 ms on an A4 page).
    factor = max(1, round(max(img.size) / 700))
    small = img.reduce(factor) if factor > 1 else img
    small = ImageOps.autocontrast(small, cutoff=1)
    bw = small.point(lambda v: 255 if v < 128 else 0)  # ink = 255, so rotation fill adds none
    base = _profile_score(bw, 0.0)
    if base <= 0:
        return 0.0
    scores = {0.0: base}

    def score(a: float) -> float:
        a = round(a, 2)
        if a not in scores:
            scores[a] = _profile_score(bw, a)
        return scores[a]

    coarse = max((float(k) for k in range(-int(max_angle), int(max_angle) + 1)), key=score)
    fine = [coarse + k * 0.2 for k in range(-4, 5) if abs(coarse + k * 0.2) <= max_angle]
    best_angle = round(max(fine, key=score), 2)
    # Photos and tables give flat or noisy profiles; ignore marginal wins.
    return best_angle if scores[best_angle] > base * 1.05 else 0.0


def deskew(img: Image.Image) -> tuple[Image.Image, float]:
    angle = estimate_skew(img)
    # Tesseract copes with a few tenths of a degree.
    if abs(angle) < 0.3:
        return img, 0.0
    return _rotate(img, angle), angle


def _rotate(img: Image.Image, angle: float) -> Image.Image:
    """Counter-clockwise by `angle` degrees, bicubic, on the same canvas.

    OpenCV: ~0.1 s on an A4 page at 300 dpi, where Pillow's bicubic with an expanded canvas took
    ~0.4 s and the bigger canvas cost Tesseract ~9 % more time. Cheaper interpolations misread
    thin strokes on the accuracy corpus: nearest gave "III" as "!!!", bilinear "IV" as "TV".
    Within ±4° the corners that leave the canvas lie in the page margin."""
    import cv2
    import numpy as np

    grey = np.asarray(img if img.mode == "L" else img.convert("L"))
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return Image.fromarray(cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_CUBIC,
                                          borderMode=cv2.BORDER_CONSTANT, borderValue=255))


# ---------------------------------------------------------------- tesseract

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


def _gated(fn: Callable[[], T]) -> T:
    with _get_pool().gate:
        return _call(fn)


def _with_retry(fn: Callable[[], T], what: str, *, retry_errors: bool = True, gate: bool = True
                ) -> tuple[T | None, str | None]:
    """One retry for a crash, which is sometimes the machine (memory), not the page. A timeout is
    not retried: the limit counts the page's own CPU time (or a Tesseract that made no progress
    at all), which a second run would spend again. gate=False: the caller holds a slot already."""
    error = None
    for _attempt in range(2):
        if _cancelled.is_set():
            return None, CANCELLED
        try:
            return (_gated(fn) if gate else _call(fn)), None
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


def _config(dpi: int | None) -> str:
    return f"{_BASE_CONFIG} --dpi {int(dpi)}" if dpi else _BASE_CONFIG


def _as_ppm(img: Image.Image) -> Image.Image:
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


@dataclass(eq=False)
class _Request:
    """One prepared page waiting to be read; `fallback` set when its batch failed."""
    img: Image.Image
    dpi: int | None
    timeout: float
    done: threading.Event = field(default_factory=threading.Event)
    data: dict | None = None
    fallback: bool = False


def _read(img: Image.Image, dpi: int | None, timeout: float) -> OcrResult:
    """Read one prepared page, in one Tesseract process with other pages waiting at the time.

    Each Tesseract process loads the ind+eng models first, ~0.2 CPU-s or about a tenth of a
    page's reading; reading the pages that queue up while the cores are busy in one process
    pays that once per batch instead of once per page. A page whose batch fails is read alone,
    so one bad page still costs only itself."""
    pool = _get_pool()
    req = _Request(img, dpi, timeout)
    with pool.lock:
        pool.pending.append(req)
    while not req.done.is_set():
        with pool.gate:
            batch = pool.take(req)
            if len(batch) == 1:
                return _read_one(img, dpi, timeout, gate=False)
            if batch:
                _read_batch(batch)
        req.done.wait()
    if req.fallback:
        return _read_one(img, dpi, timeout)
    return parse_data(req.data or {})


def _read_batch(batch: list[_Request]) -> None:
    """One Tesseract over the batch's pages (a list file), results split by page_num. Runs
    with a slot of the gate held; never raises."""
    tmp = tempfile.mkdtemp(prefix="batch-", dir=scratch_dir())
    try:
        paths = []
        for n, r in enumerate(batch):
            path = os.path.join(tmp, f"{n}.pgm")
            r.img.save(path, format="PPM")   # PNM, as pytesseract writes a single page
            paths.append(path)
        listing = os.path.join(tmp, "pages.txt")
        with open(listing, "w", encoding="utf-8") as f:
            f.write("\n".join(paths) + "\n")
        data = pytesseract.image_to_data(listing, lang=LANG, config=_config(batch[0].dpi),
                                         output_type=pytesseract.Output.DICT,
                                         timeout=sum(r.timeout for r in batch))
        for r, page in zip(batch, split_pages(data, len(batch))):
            r.data = page
    except Exception:   # timeout, crash, a page it cannot open: each page is read on its own
        for r in batch:
            r.fallback = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for r in batch:
            r.done.set()


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


def _read_one(img: Image.Image, dpi: int | None, timeout: float, *, gate: bool = True) -> OcrResult:
    data, error = _with_retry(
        lambda: pytesseract.image_to_data(_as_ppm(img), lang=LANG, config=_config(dpi),
                                          output_type=pytesseract.Output.DICT, timeout=timeout),
        "OCR", gate=gate)
    if data is None:
        return OcrResult(error=error)
    return parse_data(data)


def _osd_rotation(img: Image.Image, dpi: int | None, timeout: float) -> int:
    config = "--psm 0" + (f" --dpi {int(dpi)}" if dpi else "")
    osd, _error = _with_retry(
        lambda: pytesseract.image_to_osd(_as_ppm(img), config=config,
                                         output_type=pytesseract.Output.DICT, timeout=timeout),
        "orientation detection", retry_errors=False)
    # OSD refuses pages with too few characters; then the first reading stands.
    rot = int(osd.get("rotate", 0)) if osd else 0
    return rot if rot in (90, 180, 270) else 0


def sideways(words: list[Word]) -> bool:
    """Most words of four or more characters stand taller than wide: Tesseract read the lines as
    vertical text. It often does so with high confidence, so that nothing else says the page (a
    photo stored on its side without an EXIF tag) is turned, yet the page's geometry (where its
    lower part and signature block are) is turned with it."""
    long = [w for w in words if sum(c.isalnum() for c in w.text) >= 4]
    return len(long) >= SIDEWAYS_MIN_WORDS and sum(w.height > w.width for w in long) > len(long) / 2


def _needs_orientation(r: OcrResult) -> bool:
    return r.error is None and ((r.confidence or 0.0) < LOW_CONFIDENCE or not usable_text(r.text)
                                or sideways(r.words))


def read_page(load: Callable[[], tuple[Image.Image, int | None]], *, timeout: float | None = None
              ) -> OcrResult:
    """Load a page image with `load()` (returning the image and its dpi or None), then read it.

    The page is loaded here, under the pool's preparation gate, rather than by the caller, so that
    nothing else holds the loaded image: once it is greyed and deskewed only the copy Tesseract
    reads stays in memory while the page waits for a slot. Exceptions raised by `load` reach the
    caller (it knows what could not be loaded); reading never raises.
    """
    timeout = timeout if timeout and timeout > 0 else limits.ocr_timeout_s()
    if _cancelled.is_set():   # queued before the run was stopped: not even loaded
        return OcrResult(error=CANCELLED)
    with _get_pool().prep:
        img, dpi = load()
        try:
            img, dpi, skew = _ready(img, dpi)
        except Exception as e:
            return _failed(e)
    if img is None:
        return OcrResult()
    try:
        result = _read(img, dpi, timeout)
        result.skew = skew
        if _needs_orientation(result):
            rot = _osd_rotation(img, dpi, timeout)
            if rot:
                # PIL turns counter-clockwise; OSD's "rotate" is clockwise.
                with _get_pool().prep:
                    turned, skew2 = deskew(img.rotate(-rot, expand=True, fillcolor=255))
                del img
                second = _read(turned, dpi, timeout)
                del turned
                # a reading of upright lines beats one of vertical text that lost no more than a
                # fifth of the confident characters: only its word boxes place the signature block
                upright = sideways(result.words) and not sideways(second.words)
                if second.error is None and second.score > result.score * (0.8 if upright else 1.0):
                    second.rotation, second.skew = rot, skew + skew2
                    result = second
        return result
    except Exception as e:  # a page must never take the document down with it
        return _failed(e)


# ---------------------------------------------------------------- the signature block's own read

# The closing block sits in the lower part of a page; a stamp over it (blue, purple, red ink) or a
# badly lit photo is where a page's first reading loses the name and NIP.
SIGNATURE_TOP = 0.45
_GOLONGAN = re.compile(r"(?:I{1,3}|IV)\s*/\s*[a-eA-E]\b")
_NIP_LABEL = re.compile(r"^[(\[/\\|'\"]*[NM][I1l|]P\b", re.I)
SURE_DIGITS = 90.0       # conf of a NIP word that needs no second reading


def signature_doubtful(result: OcrResult) -> bool:
    """The page's lower part, where the closing block sits, shows a signature block's traces (a
    NIP label, a golongan "(IV/c)") but no NIP read with confidence: worth a second reading of
    that part. Only then: a second reading costs about half a page of OCR."""
    words = result.words
    if result.error or not words:
        return False
    top = max(w.top + w.height for w in words) * SIGNATURE_TOP
    low = [w for w in words if w.top >= top]
    labels = [i for i, w in enumerate(low) if _NIP_LABEL.match(w.text)]
    if not labels:
        # a golongan "(IV/c)" is the line above a signatory's NIP: no label read below it
        return any(_GOLONGAN.search(w.text) for w in low)
    # the last NIP label is the signatory's (member tables above it carry their own NIPs): the
    # digits on its line after it
    label = low[labels[-1]]
    digits = [w for w in low[labels[-1] + 1:] if abs(w.top - label.top) <= label.height
              and any(c.isdigit() for c in w.text)]
    return sum(sum(c.isdigit() for c in w.text) for w in digits) < 18 or min(w.conf for w in digits) < SURE_DIGITS


def _signature_crop(img: Image.Image, rotation: int) -> tuple[Image.Image, float]:
    """The lower part of the page, upright, grey. In colour, each pixel keeps its lightest
    channel: black print stays black while the coloured ink of a stamp over it fades."""
    if img.mode == "RGB":
        from PIL import ImageChops
        r, g, b = img.split()
        img = ImageChops.lighter(ImageChops.lighter(r, g), b)
    img, scale = prepare(img)
    img = photo_page.flatten(img)   # the same sheet the first reading saw
    if rotation:
        img = img.rotate(-rotation, expand=True, fillcolor=255)
    img = img.crop((0, int(img.height * SIGNATURE_TOP), img.width, img.height))
    return deskew(img)[0], scale


def reread_signature(load: Callable[[], tuple[Image.Image, int | None]], rotation: int = 0, *,
                     timeout: float | None = None) -> str | None:
    """A second reading of the lower part of a page whose signature block the first reading lost
    (see signature_doubtful): the page loaded again, stamp colour faded, read as one block of text
    (psm 6). The text, or None when nothing was read."""
    timeout = timeout if timeout and timeout > 0 else limits.ocr_timeout_s()
    try:
        with _get_pool().prep:
            img, dpi = load()
            crop, scale = _signature_crop(img, rotation)
            del img
        config = _config(max(70, round(dpi * scale)) if dpi else None).replace("--psm 3", "--psm 6")
        data, _error = _with_retry(
            lambda: pytesseract.image_to_data(_as_ppm(crop), lang=LANG, config=config,
                                              output_type=pytesseract.Output.DICT, timeout=timeout),
            "signature OCR", retry_errors=False)
    except Exception:
        return None   # a second reading is a bonus; the first one stands
    if not data:
        return None
    text = parse_data(data).text
    return text if text.strip() else None


def _failed(e: Exception) -> OcrResult:
    return OcrResult(error=f"OCR failed: {type(e).__name__}: {e}")


def _ready(img: Image.Image, dpi: int | None) -> tuple[Image.Image | None, int | None, float]:
    """(the image Tesseract reads or None for a blank page, its dpi, the deskew angle)."""
    img, scale = prepare(img)
    if dpi and scale != 1.0:
        dpi = max(70, round(dpi * scale))
    img = photo_page.flatten(img)   # a phone photo's sheet, cut from the desk; else img itself
    if is_blank(img):
        return None, dpi, 0.0
    img, skew = deskew(img)
    return img, dpi, skew
