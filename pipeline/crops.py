"""Pictures of the evidence for report.html: for every flag that points at a page, the region the
check looked at (its rules.model.Look) with the words it rests on outlined; for every document, a
small picture of its first page.

A reviewer decides a flag by looking at the page; these bring the page to the report. Each picture
is a JPEG embedded as a data: URI (report.html's CSP allows img-src data: and nothing else).

Budget (tested in tests/test_crops.py): a crop is at most CROP_MAX_PX and CROP_MAX_BYTES, a
thumbnail THUMB_MAX_PX and THUMB_MAX_BYTES, all pictures of one report REPORT_MAX_BYTES (6 MB,
8 MB as base64; measured on the example unit a thumbnail is ~2.3 KB and a crop ~27 KB, so 300
documents with 100 flags take ~3.4 MB). Past the report budget
pictures are left out, and the page says how many; crops of UNVERIFIABLE flags never are: they
exist so that a person can look.

A DOCX has no page image (its layout is Word's to make): its flags carry the region's page and
excerpt, no picture. Pictures are cached by the file's content (sha256) and what was asked of it,
in the bukti data folder next to the run store, so a warm re-check renders nothing.

Off the run's critical path: a thumbnail depends on the file alone, so with a store each reader
renders it into the cache right after reading the file (cache_thumbnail); after evaluate only the
crops are left, rendered a document per task on two threads, each page drawn only where a crop
shows it (pipeline/page_cut.py). On the short bench folder (15 crops, 53 thumbnails) that stage
took 2.1 s of one core on a cold check and now ~0.9 s of CPU over two threads.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from extractors.model import Page, Word
from rules.model import Document, Flag, Look

from pipeline import regions

if TYPE_CHECKING:   # rendering's libraries load on a render: a warm re-check takes pictures from the cache
    import numpy as np
    from PIL import Image

    from pipeline.regions import Box

_log = logging.getLogger("bukti.crops")

MEDIA_VERSION = "1"           # part of every cache key: bump when pictures or regions change
CROP_DPI = 150                # print size a person reads without zooming
CROP_MAX_PX = (960, 640)      # width × height
CROP_MAX_BYTES = 80_000
THUMB_MAX_PX = (96, 136)
THUMB_MAX_BYTES = 6_000
REPORT_MAX_BYTES = 6_000_000  # every picture of one report, before base64 (×4/3)
JPEG_QUALITIES = (72, 55, 40)
OUTLINE = (230, 90, 0)        # the found words: orange, legible over black print and blue stamps


@dataclass
class Picture:
    src: str                  # data:image/jpeg;base64,…
    width: int
    height: int

    @property
    def size(self) -> int:
        """Bytes of the JPEG."""
        data = self.src[self.src.index(",") + 1:]
        return len(data) * 3 // 4 - data[-2:].count("=")


@dataclass
class Media:
    """What report.html embeds beside the report dict: crops by flag id, thumbnails by path."""
    crops: dict[str, Picture] = field(default_factory=dict)
    thumbnails: dict[str, Picture] = field(default_factory=dict)
    omitted: int = 0          # pictures left out for the report budget

    def total_bytes(self) -> int:
        return sum(p.size for p in [*self.crops.values(), *self.thumbnails.values()])

    def view(self) -> dict[str, Any]:
        """Plain data for the HTML writer (pipeline/report never imports the stages)."""
        return {"crops": {k: asdict(p) for k, p in self.crops.items()},
                "thumbnails": {k: asdict(p) for k, p in self.thumbnails.items()},
                "omitted": self.omitted}


def encode(img: Image.Image, max_px: tuple[int, int], max_bytes: int) -> Picture:
    """A JPEG within max_px and max_bytes: a lower quality first, then a smaller size."""
    from PIL import Image, ImageOps
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    if img.width > max_px[0] or img.height > max_px[1]:
        img = ImageOps.contain(img, max_px, Image.LANCZOS)
    while True:
        for q in JPEG_QUALITIES:
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=q, optimize=True)
            if buf.tell() <= max_bytes or min(img.size) <= 8:
                data = base64.b64encode(buf.getvalue()).decode("ascii")
                return Picture(f"data:image/jpeg;base64,{data}", img.width, img.height)
        img = img.resize((max(1, img.width * 3 // 4), max(1, img.height * 3 // 4)), Image.LANCZOS)


# ------------------------------------------------------------------ a page as a picture

@dataclass
class Frame:
    """A page rendered or loaded, with the map from its units to the picture's pixels."""
    size: tuple[int, int]              # the picture's pixels (width, height)
    picture: Callable[[tuple[int, int, int, int], float], Image.Image]   # a box of its pixels, scaled
    unit: str                          # "pt": PDF points; "px": pixels of the image file, upright
    width: float                       # the page, in `unit`
    height: float
    matrix: "np.ndarray"               # page units (top-left origin) → picture pixels
    find: Callable[[Look], list[Box]]       # a look → boxes of its words found, in page units
    excerpt: Callable[[Box], str]           # the text inside a box (page units)


def _text_frame(pdf, index: int) -> Frame:
    """A PDF page with a text layer: rendered at CROP_DPI; words found by PDFium's text search
    (character rectangles, PDF points)."""
    import numpy as np
    from extractors.pdf import PDFIUM_LOCK
    scale = CROP_DPI / 72
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            width, height = page.get_size()
            bitmap = page.render(scale=scale, grayscale=True)
            try:
                image = bitmap.to_pil().copy()
            finally:
                bitmap.close()
            turned = bool(page.get_rotation())   # its text boxes are not in the render's frame
        finally:
            page.close()

    def find(look: Look) -> list[Box]:
        if turned:
            return []
        with PDFIUM_LOCK:
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                return _search(textpage, look.anchors, height, _last(look))
            finally:
                textpage.close()
                page.close()

    def excerpt(box: Box) -> str:
        x0, top, x1, bottom = box
        with PDFIUM_LOCK:
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_bounded(x0, height - bottom, x1, height - top)
            finally:
                textpage.close()
                page.close()
        return _short(" ".join(text.split()))

    return Frame(image.size, lambda box, factor: _scaled(image.crop(box), factor), "pt", width, height,
                 np.diag([scale, scale, 1.0]), find, excerpt)


def _scaled(img: Image.Image, factor: float) -> Image.Image:
    from PIL import Image
    if factor == 1.0:
        return img
    return img.resize((max(1, round(img.width * factor)), max(1, round(img.height * factor))), Image.LANCZOS)


def _last(look: Look) -> bool:
    """Whether the last of equal matches is the one: a signature block closes its page."""
    return look.kind == "signature"


def _search(textpage, anchors: list[str], height: float, last: bool) -> list[Box]:
    out = []
    for anchor in anchors:
        for needle in _needles(anchor):
            searcher = textpage.search(needle, match_case=False)
            hit = searcher.get_next()
            while last and hit and (after := searcher.get_next()):
                hit = after
            if hit:
                index, count = hit
                rects = [textpage.get_rect(i) for i in range(textpage.count_rects(index, count))]
                out += [(l, height - t, r, height - b) for l, b, r, t in rects]
                break
    return out


def _needles(anchor: str) -> list[str]:
    """The anchor as the check read it, then its longest word: the text layer may break a name
    over two lines where the check's reading joined them."""
    anchor = " ".join(anchor.split())
    words = sorted((w for w in anchor.split() if len(w) >= 4), key=len, reverse=True)
    return [anchor] + ([words[0]] if words and words[0] != anchor else [])


def _ocr_frame(load: Callable[[], tuple[Image.Image, Any]], page: Page, unit: str,
               unit_per_px: Callable[[Image.Image], float]) -> Frame:
    """A page that OCR read: the picture Tesseract read, loaded again and scaled, turned and
    levelled as it was (a region of it drawn on demand: pipeline/page_cut.py), so that its word
    boxes fall where they were found. `unit_per_px`: page units per pixel of the loaded picture."""
    import numpy as np

    from extractors import ocr

    from pipeline.page_cut import PageCut
    loaded, _dpi = load()
    per_px = unit_per_px(loaded)
    grey, scale = ocr.prepare(loaded)
    del loaded   # a colour photo: three times the grey's memory
    cut = PageCut(grey, page.rotation, page.skew)
    size = cut.sheet_size   # a phone photo's sheet as OCR read it, cut from the desk
    matrix = regions.frame_matrix(scale / per_px, size, page.rotation, page.skew)
    inverse = np.linalg.inv(matrix)
    words: list[Word] = list(page.words or [])

    def find(look: Look) -> list[Box]:
        return [regions.map_box(inverse, regions.word_box(w))
                for run in regions.find_in_words(words, look.anchors, _last(look)) for w in run]

    def excerpt(box: Box) -> str:
        return _short(regions.words_inside(words, regions.map_box(matrix, box)))

    return Frame(cut.size, cut.cut, unit, size[0] / scale * per_px, size[1] / scale * per_px, matrix, find, excerpt)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame_size(path: Path, index: int) -> tuple[int, int]:
    """The size of the file's frame `index` as stored (its header: nothing is decoded)."""
    from PIL import Image
    with Image.open(path) as im:
        if index:
            im.seek(index)
        return im.size


def _upright(stored: tuple[int, int], loaded: Image.Image) -> tuple[int, int]:
    """The stored size turned as the loader turned the frame (EXIF orientation). The loaded
    picture is upright and at most drafted down, so its sides' ratio tells whether the stored
    sides swapped; asking the EXIF itself decodes a whole PNG (Pillow looks for its eXIf chunk
    past the pixels): 40 ms of a 2-MP scan, for one number."""
    w, h = stored
    lw, lh = loaded.size
    return (h, w) if abs(lw * w - lh * h) < abs(lw * h - lh * w) else (w, h)


# ------------------------------------------------------------------ one document

class _Source:
    """One evidence file opened for pictures (PDF or image); DOCX and others have none."""

    def __init__(self, doc: Document, path: Path):
        self.doc, self.path = doc, path
        self.pdf = None
        # the last page pictured: flags on one page (a signature block's name and NIP) share it,
        # and one page at a time bounds the memory (a 300-dpi page is ~9 MB)
        self.last: tuple[int, Frame] | None = None
        if doc.kind == "pdf":
            import pypdfium2 as pdfium
            from extractors.pdf import PDFIUM_LOCK
            with PDFIUM_LOCK:
                self.pdf = pdfium.PdfDocument(str(self.path))

    def close(self) -> None:
        if self.pdf is not None:
            from extractors.pdf import PDFIUM_LOCK
            with PDFIUM_LOCK:
                self.pdf.close()

    def frame(self, number: int) -> Frame | None:
        if self.last is None or self.last[0] != number:
            frame = self._frame(number)
            self.last = None if frame is None else (number, frame)
        return self.last[1] if self.last else None

    def _frame(self, number: int) -> Frame | None:
        page = next((p for p in self.doc.extraction.pages if p.number == number), None)
        if page is None or self.doc.kind not in ("pdf", "image"):
            return None
        if self.doc.kind == "pdf":
            if page.source != "ocr":
                return _text_frame(self.pdf, number - 1)
            from extractors.pdf import PDFIUM_LOCK, page_image
            with PDFIUM_LOCK:
                pdf_page = self.pdf[number - 1]
                width_pt = pdf_page.get_size()[0]
                pdf_page.close()
            return _ocr_frame(lambda: page_image(self.pdf, number - 1), page, "pt",
                              lambda img: width_pt / img.width)
        from extractors.images import _load_frame
        stored = _frame_size(self.path, number - 1)
        return _ocr_frame(lambda: _load_frame(self.path, number - 1), page, "px",
                          lambda img: _upright(stored, img)[0] / img.width)

    def thumbnail(self) -> Picture | None:
        from PIL import Image, ImageOps
        if self.doc.kind == "pdf":
            return self._pdf_thumbnail()
        if self.doc.kind == "image":
            with Image.open(self.path) as im:
                im.draft("L", (THUMB_MAX_PX[0] * 2, THUMB_MAX_PX[1] * 2))
                img = ImageOps.exif_transpose(im.convert("L"))
                img.thumbnail(THUMB_MAX_PX, Image.LANCZOS)
            return encode(img, THUMB_MAX_PX, THUMB_MAX_BYTES)
        return None

    def _pdf_thumbnail(self) -> Picture | None:
        from PIL import Image

        from extractors import limits
        from extractors.pdf import PDFIUM_LOCK, declared_image_pixels
        with PDFIUM_LOCK:
            page = self.pdf[0]
            try:
                if declared_image_pixels(page)[0] > limits.MAX_PDF_PAGE_IMAGE_PIXELS:
                    return None
                w, h = page.get_size()
                scale = min(THUMB_MAX_PX[0] / w, THUMB_MAX_PX[1] / h) * 2   # then reduced: smoother
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    img = bitmap.to_pil().copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        img.thumbnail(THUMB_MAX_PX, Image.LANCZOS)
        return encode(img, THUMB_MAX_PX, THUMB_MAX_BYTES)


def crop(frame: Frame, look: Look) -> tuple[dict[str, Any], Picture]:
    """The region of `look` on `frame`: (report.json's region, the picture)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageOps
    found = frame.find(look)
    box, located = regions.region(look.kind, found, frame.width, frame.height)
    region = {"kind": look.kind, "page": look.page, "unit": frame.unit,
              "box": [round(v, 1) for v in box], "located": located,
              "words": [[round(v, 1) for v in b] for b in found],
              # the lines of the words found (the region's margins cut through the lines around)
              "text": frame.excerpt((0.0, regions.union(found)[1] + 1, frame.width, regions.union(found)[3] - 1)
                                    if found else box)}
    x0, top, x1, bottom = regions.map_box(frame.matrix, box)
    x0, top = max(0, int(x0)), max(0, int(top))
    x1, bottom = min(frame.size[0], int(x1) + 1), min(frame.size[1], int(bottom) + 1)
    # a 300-dpi OCR picture is shown at CROP_DPI, like a rendered page
    per_pt = float(np.sqrt(abs(np.linalg.det(frame.matrix[:2, :2]))))
    f = CROP_DPI / 72 / per_pt if frame.unit == "pt" and per_pt > CROP_DPI / 72 * 1.1 else 1.0
    grey = frame.picture((x0, top, x1, bottom), f)
    # brought within CROP_MAX_PX while grey (a third of the work on colour), then outlined: an
    # outline 2 px wide at the page's scale, as it was drawn before the page was reduced
    picture = ImageOps.contain(grey, CROP_MAX_PX, Image.LANCZOS) \
        if grey.width > CROP_MAX_PX[0] or grey.height > CROP_MAX_PX[1] else grey
    s = picture.width / grey.width
    picture = picture.convert("RGB")
    draw = ImageDraw.Draw(picture)
    for b in found:
        bx0, btop, bx1, bbottom = regions.map_box(frame.matrix, b)
        draw.rectangle((((bx0 - x0) * f - 2) * s, ((btop - top) * f - 2) * s,
                        ((bx1 - x0) * f + 2) * s, ((bbottom - top) * f + 2) * s),
                       outline=OUTLINE, width=max(1, round(2 * s)))
    return region, encode(picture, CROP_MAX_PX, CROP_MAX_BYTES)


# ------------------------------------------------------------------ the run's pictures

# Threads that render one report's missing pictures, a document each at a time. Decoding,
# resampling, OpenCV's warps and JPEG encoding release the GIL (PDFium's calls take PDFIUM_LOCK),
# so two keep the machine kind's two cores busy after evaluate, when Tesseract is done; each
# holds one page at a time (a 300-dpi page is ~9 MB).
PICTURE_THREADS = 2


class _Cache:
    """Pictures and regions by content and question, one small JSON file each."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, key: str) -> dict | None:
        if self.folder is None:
            return None
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # the thread in the name: two readers may put the thumbnail of two copies of one file
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(value), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:   # a read-only home costs the next run a render, never this one
            _log.warning("picture cache unwritable: %s", exc)


def _crop_key(doc: Document, look: Look) -> str:
    return "|".join([MEDIA_VERSION, "crop", doc.sha256, look.kind, str(look.page), *look.anchors])


def _thumbnail_key(doc: Document) -> str:
    return "|".join([MEDIA_VERSION, "thumbnail", doc.sha256])


def _has_thumbnail(doc: Document) -> bool:
    return doc.readable and doc.kind in ("pdf", "image")


def _priority(flag: Flag) -> tuple:
    return (flag.code != "UNVERIFIABLE", {"error": 0, "warning": 1}.get(flag.severity, 2), flag.id)


def page_media(documents: list[Document], flags: list[Flag], root: Path, store=None,
               cache_dir: Path | None = None) -> Media:
    """Crops of the flags' looks (setting each flag's `region`) and thumbnails of the documents.

    `store`: the run store, for the OCR word boxes a cached extraction is loaded without.
    `cache_dir`: where pictures are kept by content across runs (None: nowhere). Never raises: a
    picture is a help, a failed one is logged and left out."""
    run = _Run(documents, Path(root), store, _Cache(cache_dir))
    try:
        flags = sorted(flags, key=_priority)
        run.render(flags, documents)
        for flag in flags:
            run.crop(flag)
        for doc in sorted(documents, key=lambda d: d.path):
            run.thumbnail(doc)
    except Exception as exc:   # a bug here costs pictures, never the report
        _log.warning("pictures left out: %s: %s", type(exc).__name__, exc)
    return run.media


def cache_thumbnail(doc: Document, path: Path, cache_dir: Path) -> None:
    """Put the thumbnail of `doc` (the file at `path`) in the picture cache unless it is there.

    A thumbnail depends on the file alone, so a reader renders it right after reading the file,
    while the run is still reading others; the pictures stage after evaluate, which the report
    waits for, then finds it in the cache (on the short bench folder, 53 thumbnails took ~0.5 s
    of one core there). Never raises: a thumbnail missed here is rendered there."""
    try:
        cache = _Cache(cache_dir)
        key = _thumbnail_key(doc)
        if not _has_thumbnail(doc) or cache.get(key) is not None:
            return
        hit = _render_document(doc, Path(path), None, {}, thumbnail=True).get(key)
        if hit is not None:
            cache.put(key, hit)
    except Exception as exc:
        _log.warning("no thumbnail of %s: %s: %s", doc.path, type(exc).__name__, exc)


@dataclass
class _Job:
    """A document's pictures to render: its crops by cache key, and whether its thumbnail."""
    doc: Document
    looks: dict[str, Look] = field(default_factory=dict)
    thumbnail: bool = False


class _Run:
    """One report's pictures: the cache, what it lacked rendered, the budget spent."""

    def __init__(self, documents: list[Document], root: Path, store, cache: _Cache):
        self.by_path = {d.path: d for d in documents}
        self.root, self.store, self.cache = root, store, cache
        self.media = Media()
        self.hits: dict[str, dict | None] = {}   # by cache key; None: no picture to be had

    def _target(self, flag: Flag) -> tuple[Document, Look] | None:
        look = flag.look
        doc = self.by_path.get(look.document or (flag.documents[0] if flag.documents else "")) if look else None
        return (doc, look) if doc is not None and doc.readable else None

    def render(self, flags: list[Flag], documents: list[Document]) -> None:
        """Every picture the report may show: from the cache, else rendered, a document per task
        on PICTURE_THREADS threads (one content rendered once). Only the rendering runs in
        parallel; what the report shows, and the budget, follow the flags' order in crop()."""
        jobs: dict[str, _Job] = {}

        def missing(key: str) -> bool:
            if key in self.hits:
                return False
            self.hits[key] = self.cache.get(key)
            return self.hits[key] is None

        for flag in flags:
            target = self._target(flag)
            if target is not None and missing(key := _crop_key(*target)):
                jobs.setdefault(target[0].sha256, _Job(target[0])).looks[key] = target[1]
        for doc in sorted(documents, key=lambda d: d.path):
            if _has_thumbnail(doc) and missing(_thumbnail_key(doc)):
                jobs.setdefault(doc.sha256, _Job(doc)).thumbnail = True
        # the long tasks first (the documents with the most crops), the thumbnails after: the two
        # threads then end close together
        todo = sorted(jobs.values(), key=lambda j: -len(j.looks))

        def run(job: _Job) -> dict[str, dict | None]:
            return _render_document(job.doc, self.root / job.doc.path, self.store, job.looks, job.thumbnail)

        if len(todo) > 1 and PICTURE_THREADS > 1:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(min(PICTURE_THREADS, len(todo)), thread_name_prefix="bukti-pictures") as pool:
                rendered = list(pool.map(run, todo))
        else:
            rendered = [run(job) for job in todo]
        for hits in rendered:
            for key, hit in hits.items():
                self.hits[key] = hit
                if hit is not None:
                    self.cache.put(key, hit)

    def fits(self, picture: Picture, must: bool) -> bool:
        if must or self.media.total_bytes() + picture.size <= REPORT_MAX_BYTES:
            return True
        self.media.omitted += 1
        return False

    def crop(self, flag: Flag) -> None:
        target = self._target(flag)
        hit = self.hits.get(_crop_key(*target)) if target is not None else None
        if hit is None:
            return
        flag.region = hit["region"]
        if hit.get("picture") and self.fits(Picture(**hit["picture"]), flag.code == "UNVERIFIABLE"):
            self.media.crops[flag.id] = Picture(**hit["picture"])

    def thumbnail(self, doc: Document) -> None:
        hit = self.hits.get(_thumbnail_key(doc)) if _has_thumbnail(doc) else None
        if hit and hit["picture"] and self.fits(Picture(**hit["picture"]), False):
            self.media.thumbnails[doc.path] = Picture(**hit["picture"])


def _render_document(doc: Document, path: Path, store, looks: dict[str, Look],
                     thumbnail: bool) -> dict[str, dict | None]:
    """One document's pictures by cache key, its file opened once: its crops page by page (the
    flags on one page share its frame), then its thumbnail. Never raises: a picture that fails
    is logged and left out."""
    out: dict[str, dict | None] = {}
    src = None
    try:
        if doc.kind in ("pdf", "image"):
            if looks:
                _with_words(doc, store)
            src = _Source(doc, path)
    except Exception as exc:
        _log.warning("no pictures of %s: %s", doc.path, exc)
    try:
        for key, look in sorted(looks.items(), key=lambda item: item[1].page or 0):
            out[key] = _render_crop(doc, look, src)
        if thumbnail:
            out[_thumbnail_key(doc)] = _render_thumbnail(doc, src)
    except Exception as exc:   # a bug here costs this document's pictures, never the others'
        _log.warning("pictures of %s left out: %s: %s", doc.path, type(exc).__name__, exc)
    finally:
        if src is not None:
            src.close()
    return out


def _render_thumbnail(doc: Document, src: _Source | None) -> dict:
    try:
        picture = src.thumbnail() if src else None
    except Exception as exc:
        _log.warning("no thumbnail of %s: %s", doc.path, exc)
        picture = None
    return {"picture": asdict(picture) if picture else None}


def _render_crop(doc: Document, look: Look, src: _Source | None) -> dict | None:
    if doc.kind == "docx":   # Word lays out its pages; bukti has no picture of them
        return {"region": {"kind": look.kind, "page": look.page, "unit": None, "box": None,
                           "located": False, "words": [], "text": _docx_excerpt(doc, look),
                           "no_image": "docx"}, "picture": None}
    if src is None:
        return None
    try:
        frame = src.frame(look.page)
        if frame is None:
            return None
        region, picture = crop(frame, look)
    except Exception as exc:
        _log.warning("no crop of %s page %s: %s", doc.path, look.page, exc)
        return None
    return {"region": region, "picture": asdict(picture)}


def _docx_excerpt(doc: Document, look: Look) -> str:
    page = next((p for p in doc.extraction.pages if p.number == look.page), None)
    if page is None:
        return ""
    for line in page.text.splitlines():
        if any(a.lower() in line.lower() for a in look.anchors):
            return _short(" ".join(line.split()))
    return ""


def _with_words(doc: Document, store) -> None:
    """OCR word boxes for a document whose extraction came from the store without them."""
    ocr_pages = [p for p in doc.extraction.pages if p.source == "ocr"]
    if store is None or not ocr_pages or any(p.words for p in ocr_pages):
        return
    full = store.get_extraction(doc.sha256, words=True)
    if full is not None:
        words = {p.number: p.words for p in full.pages}
        for p in ocr_pages:
            p.words = words.get(p.number)
