"""Checks on the files themselves, before any content is trusted."""
from __future__ import annotations

from collections import defaultdict

from extractors.model import ErrorKind
from extractors.limits import OVER_PAGE_LIMIT

from ..context import CheckContext
from ..model import Look
from ..registry import check
from ..vocab import FlagCode


@check(FlagCode.CORRUPT_FILE, stage="file", blocks_content=True)
def corrupt_file(ctx: CheckContext):
    for doc in ctx.documents:
        if doc.extraction.error_code == ErrorKind.CORRUPT_FILE:
            yield ctx.flag(documents=[doc], found=doc.extraction.error_reason or doc.kind, expected=None,
                           kind=doc.kind)


@check(FlagCode.UNSUPPORTED_FILE, stage="file", blocks_content=True)
def unsupported_file(ctx: CheckContext):
    for doc in ctx.documents:
        if doc.extraction.error_code == ErrorKind.UNSUPPORTED_FILE:
            ext = doc.path.rsplit(".", 1)[-1].lower() if "." in doc.path.rsplit("/", 1)[-1] else doc.kind
            yield ctx.flag(documents=[doc], found=ext, expected=None, kind=doc.kind,
                           reason=doc.extraction.error_reason or "")


@check(FlagCode.UNREADABLE, stage="file", blocks_content=True,
       params={"min_ocr_confidence": 55.0, "min_chars": 80,
               # A picture with (almost) no text and no type is a photo of an activity (dokumentasi),
               # which is legitimate evidence, not a failed scan.
               "photo_max_chars": 15, "photo_kinds": ["image"]})
def unreadable(ctx: CheckContext):
    p = ctx.params
    for doc in ctx.documents:
        ex = doc.extraction
        if ex.error_code in (ErrorKind.CORRUPT_FILE, ErrorKind.UNSUPPORTED_FILE):
            continue
        chars = len("".join(ex.text.split()))  # non-space characters, at C speed
        if ex.error_code == ErrorKind.UNREADABLE:
            yield ctx.flag(documents=[doc], found=ex.error_reason or "unreadable", expected=None,
                           variant="error", chars=chars)
            continue
        skipped = [pg for pg in ex.pages if (pg.error or "").startswith(OVER_PAGE_LIMIT)]
        if skipped:
            # A file with more pages to OCR than the limit: what was read is kept, what was not
            # is said (the rest of the file cannot be verified).
            yield ctx.flag(documents=[doc], found=f"{len(skipped)} of {len(ex.pages)} pages, from page "
                           f"{skipped[0].number}: {skipped[0].error}", expected=None,
                           page=skipped[0].number, variant="error", chars=chars)
            continue
        if doc.kind in p["photo_kinds"] and doc.doc_type == "unknown" and chars <= p["photo_max_chars"]:
            continue
        conf = ex.ocr_confidence
        if conf is not None and conf < p["min_ocr_confidence"]:
            low = min((pg for pg in ex.pages if pg.source == "ocr" and pg.confidence is not None),
                      key=lambda pg: pg.confidence, default=None)
            yield ctx.flag(documents=[doc], found=conf, expected=p["min_ocr_confidence"],
                           page=low.number if low else None, look=Look.at("page", low.number if low else None),
                           variant="confidence")
        elif chars < p["min_chars"]:
            yield ctx.flag(documents=[doc], found=chars, expected=p["min_chars"], variant="little_text")


@check(FlagCode.DUPLICATE_FILE, stage="file")
def duplicate_file(ctx: CheckContext):
    groups: dict[str, list] = defaultdict(list)
    for doc in ctx.documents:
        if doc.size:   # empty files are all "identical"; they are reported as unreadable instead
            groups[doc.sha256].append(doc)
    for sha, docs in sorted(groups.items()):
        if len(docs) > 1:
            paths = sorted(d.path for d in docs)
            yield ctx.flag(documents=docs, found=paths, expected=None, count=len(paths))
