"""The process-wide pool that bounds Tesseract, and the batching of pages that wait for it.

Tesseract runs as a subprocess, so Python threads parallelise it fine; what must be bounded is
the number of tesseract processes, because each one wants a whole core (OpenMP inside tesseract
fights over cores: 6.4 s/page instead of 2.3 s, ../shared/notes/platform.md).
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, TypeVar

import pytesseract
from PIL import Image

from .. import limits
from . import cost, environment, tesseract
from .tesseract import OcrResult

T = TypeVar("T")
R = TypeVar("R")


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

    def waiting(self, req: "_Request") -> bool:
        with self.lock:
            return req in self.pending

    def take(self) -> list["_Request"]:
        """The pages to read now in one Tesseract ([] when none waits), by whichever thread holds
        a slot, its own page or not.

        A heavy page (cost.py) goes first and alone: read last it would end a check with the
        other cores idle, and in a batch it would hold the batch's pages back. Otherwise the pages
        in the order they came, a fair share of what waits (not all of it, up to the cap): at the
        end of a document the last pages then spread over every core instead of queueing behind
        one Tesseract."""
        with self.lock:
            if not self.pending:
                return []
            heavy = [r for r in self.pending if r.heavy]
            if heavy:
                batch = heavy[:1]
            else:
                # Any pages, whatever their dpi: each goes into the batch with its own (see _read_batch).
                share = math.ceil(len(self.pending) / self.workers)
                batch = self.pending[:min(limits.OCR_BATCH_PAGES, share)]
            taken = {id(r) for r in batch}
            self.pending = [r for r in self.pending if id(r) not in taken]
            return batch


_pool_lock = threading.Lock()
_pool: _Pool | None = None
_local = threading.local()


def get() -> _Pool:
    global _pool
    environment.ensure()
    with _pool_lock:
        if _pool is None:
            _pool = _Pool(limits.ocr_workers())
        return _pool


def resize(workers: int | None = None) -> int:
    """Replace the process-wide pool (None: BUKTI_OCR_WORKERS or the CPU count); work already
    queued finishes on the old pool. Returns the number of workers."""
    global _pool
    with _pool_lock:
        old, _pool = _pool, _Pool(workers if workers and workers > 0 else limits.ocr_workers())
    if old is not None:
        old.executor.shutdown(wait=False)
    return _pool.workers


def workers() -> int:
    return get().workers


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
    pool = get()

    def run(item: T) -> R:
        _local.in_pool = True
        try:
            return fn(item)
        finally:
            _local.in_pool = False

    futures = [pool.executor.submit(run, i) for i in items]
    return [f.result() for f in futures]


@dataclass(eq=False)
class _Request:
    """One prepared page waiting to be read; `fallback` set when its batch failed."""
    img: Image.Image
    dpi: int | None
    timeout: float
    heavy: bool = False
    kind: str = "page"   # what tesseract.count files its run under ("page", "rotated")
    done: threading.Event = field(default_factory=threading.Event)
    result: OcrResult | None = None
    fallback: bool = False


def read(img: Image.Image, dpi: int | None, timeout: float) -> OcrResult:
    """Read one prepared page, in one Tesseract process with other pages waiting at the time.

    Each Tesseract process loads the ind+eng models first, ~0.2 CPU-s or about a tenth of a
    page's reading; reading the pages that queue up while the cores are busy in one process
    pays that once per batch instead of once per page. A page whose batch fails is read alone,
    so one bad page still costs only itself.

    The thread that gets a slot reads what the queue says is next (pool.take), which may be
    other threads' pages; it goes on taking slots until its own page is read."""
    pool = get()
    req = _Request(img, dpi, timeout, heavy=cost.is_heavy(img), kind=tesseract.current_kind("page"))
    with pool.lock:
        pool.pending.append(req)
    while not req.done.is_set():
        with pool.gate:
            if pool.waiting(req):
                _read(pool.take())
        if not pool.waiting(req):   # read, or being read by another slot's thread
            req.done.wait()
    if req.fallback:
        return tesseract.read_one(img, dpi, timeout, gate=pool.gate)
    return req.result or OcrResult()


def _read(batch: list[_Request]) -> None:
    """Read the taken pages, a slot of the gate held: one page alone, several as a batch."""
    if not batch:
        return
    if len(batch) > 1:
        _read_batch(batch)
        return
    r = batch[0]
    try:
        with tesseract.count(r.kind):
            r.result = tesseract.read_one(r.img, r.dpi, r.timeout, gate=None)
    except Exception as e:   # the page may be another thread's: it gets the failure, not an empty page
        r.result = tesseract.failed(e)
    finally:
        r.done.set()


def _read_batch(batch: list[_Request]) -> None:
    """One Tesseract over the batch's pages (a list file), results split by page_num. Runs
    with a slot of the gate held; never raises.

    Each page is an uncompressed TIFF that carries its own resolution, and no --dpi is passed:
    Tesseract then takes each page's dpi from its file, so pages of any dpi share a batch (scans
    capped to the OCR size come at 269-277 dpi, so batches of one dpi were rare: eval-dev read
    69 of its 101 pages alone). Measured on eval-dev pages: each page's words, boxes and
    confidences are identical to reading it alone as PNM with --dpi, and a batch of 8 took 5.6
    CPU-s against 7.2 for eight processes. A page without a dpi gets no tag: Tesseract estimates
    it, as without --dpi."""
    tmp = tempfile.mkdtemp(prefix="batch-", dir=tesseract.scratch_dir())
    try:
        paths = []
        for n, r in enumerate(batch):
            path = os.path.join(tmp, f"{n}.tif")
            r.img.save(path, format="TIFF", **({"dpi": (r.dpi, r.dpi)} if r.dpi else {}))
            paths.append(path)
        listing = os.path.join(tmp, "pages.txt")
        with open(listing, "w", encoding="utf-8") as f:
            f.write("\n".join(paths) + "\n")
        with tesseract.count("batch", len(batch)):
            data = pytesseract.image_to_data(listing, lang=tesseract.LANG,
                                             config=tesseract.config(None),
                                             output_type=pytesseract.Output.DICT,
                                             timeout=sum(r.timeout for r in batch))
        for r, page in zip(batch, tesseract.split_pages(data, len(batch))):
            r.result = tesseract.parse_data(page)
    except Exception:   # timeout, crash, a page it cannot open: each page is read on its own
        for r in batch:
            r.fallback = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for r in batch:
            r.done.set()
