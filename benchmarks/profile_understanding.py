"""CPU cost of understanding text documents, stage by stage, per page.

    .venv/bin/python -m benchmarks.profile_understanding FOLDER [FOLDER …] [--repeat N]
        [--dump OUT.jsonl] [--profile OUT.prof]

For every PDF and DOCX under the folders, the text is extracted the way the read path does it
(extract_pdf / extract_docx) but without OCR: PDF pages without a usable text layer and the
pasted scans of a DOCX are left out, so only text pages are measured and no Tesseract runs.
Then the document is classified and its fields are extracted, as pipeline/understand.py does.

Reported, in CPU milliseconds (time.process_time of this single-threaded process; wall time on a
shared machine is noise):
- the one-off costs: importing the understand stage, building the spaCy pipeline
  (extractors.nlp.get_nlp), the first classify + fields call on a small built-in SK text (the
  vocabularies and the lexicon are loaded then);
- per text page (a DOCX counts as one page): text extraction, classify, fields, their sum.

With --repeat N each document goes through every stage N times and the least CPU time of each
stage counts (the other engineers' jobs only ever add time); the per-text caches of the
understand stage are cleared before each repetition, so every repetition does the work once.
--dump writes doc_type, confidence and fields of every document as sorted JSON lines, to diff the
results of two versions of the code. --profile writes a cProfile of classify + fields (one pass).
"""
from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import sys
import time
from pathlib import Path

SK_SAMPLE = """PEMERINTAH KABUPATEN CONTOH
DINAS KOMUNIKASI DAN INFORMATIKA
Jalan Contoh No. 1 Telepon (0321) 123456

KEPUTUSAN KEPALA DINAS KOMUNIKASI DAN INFORMATIKA
NOMOR : 800/12/KEP/2024

TENTANG
PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS

Menimbang : a. bahwa dalam rangka pembangunan zona integritas perlu dibentuk tim kerja;
Mengingat : 1. Peraturan Menteri PANRB Nomor 90 Tahun 2021;

MEMUTUSKAN:
Menetapkan : KEPUTUSAN TENTANG PEMBENTUKAN TIM KERJA.

Ditetapkan di Contoh
pada tanggal 5 Januari 2024
KEPALA DINAS KOMUNIKASI DAN INFORMATIKA,


BUDI SANTOSO, S.Kom.
Pembina
NIP. 19740718 200603 1 009
"""


def _cpu() -> float:
    return time.process_time()


def _extract(path: Path, kind: str):
    """The text pages of `path` as an Extraction (None when it has none)."""
    from extractors import docx_text
    from extractors.model import Extraction
    from extractors.pdf import extract_pdf

    if kind == "pdf":
        # max_ocr_pages=0: pages that need OCR come back as errored pages and are dropped below
        ex = extract_pdf(path, max_ocr_pages=0)
    else:
        scan_pages = docx_text._scan_pages
        docx_text._scan_pages = lambda *a, **k: []   # no OCR of pasted scans
        try:
            ex = docx_text.extract_docx(path)
        finally:
            docx_text._scan_pages = scan_pages
    if ex.error_code is not None and not ex.pages:
        return None
    pages = [p for p in ex.pages if p.source == "text" and p.text.strip()]
    if not pages:
        return None
    return Extraction(kind=ex.kind, pages=pages, tables=ex.tables)


def _clear_caches() -> None:
    """Forget what the understand stage remembers per text, so a repetition redoes the work.
    (Caches a version of the code does not have are skipped: the harness measures old and new.)"""
    from extractors import nlp, textnorm
    from extractors.fields import _doc
    nlp.markers.cache_clear()
    if hasattr(_doc, "_text_lines"):
        _doc._text_lines.cache_clear()
    if hasattr(textnorm, "_REPAIRED"):
        with textnorm._REPAIRED_LOCK:
            textnorm._REPAIRED.clear()


def _files(folders: list[Path]) -> list[tuple[Path, str]]:
    from extractors.sniff import sniff
    out = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix.lower() in (".pdf", ".docx"):
                kind = sniff(path)
                if kind in ("pdf", "docx"):
                    out.append((path, kind))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args(argv)

    t = _cpu()
    from extractors.classify import classify
    from extractors.fields import extract_fields
    from extractors.model import Extraction, Page
    from extractors.nlp import get_nlp
    import extractors.extract as ext
    ext.load_readers()
    one_off = {"import": _cpu() - t}
    t = _cpu()
    get_nlp()
    one_off["nlp build"] = _cpu() - t
    t = _cpu()
    sample = Extraction(kind="pdf", pages=[Page(number=1, text=SK_SAMPLE, source="text")])
    extract_fields(sample, classify(sample)[0])
    one_off["first use"] = _cpu() - t

    docs = []
    for path, kind in _files(args.folders):
        best = None
        ex = None
        for _ in range(args.repeat):
            t = _cpu()
            ex = _extract(path, kind)
            spent = _cpu() - t
            best = spent if best is None else min(best, spent)
        if ex is not None:
            docs.append({"path": path, "kind": kind, "ex": ex, "pages": len(ex.pages), "extract": best})

    results = {}
    for d in docs:
        for stage in ("classify", "fields"):
            d[stage] = None
        for _ in range(args.repeat):
            _clear_caches()
            t = _cpu()
            doc_type, conf = classify(d["ex"])
            t1 = _cpu()
            fields = extract_fields(d["ex"], doc_type)
            t2 = _cpu()
            d["classify"] = min(x for x in (d["classify"], t1 - t) if x is not None)
            d["fields"] = min(x for x in (d["fields"], t2 - t1) if x is not None)
        results[str(d["path"])] = {"doc_type": doc_type, "confidence": conf,
                                   "fields": dataclasses.asdict(fields)}

    if args.profile:
        _clear_caches()
        prof = cProfile.Profile()
        prof.enable()
        for d in docs:
            extract_fields(d["ex"], classify(d["ex"])[0])
        prof.disable()
        prof.dump_stats(str(args.profile))

    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for key in sorted(results):
                fh.write(json.dumps({"file": key, **results[key]}, sort_keys=True, ensure_ascii=False,
                                    default=str) + "\n")

    print("one-off CPU ms: " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in one_off.items()))
    print(f"{'documents':<12}{'n':>5}{'pages':>7}{'extract':>10}{'classify':>10}{'fields':>9}"
          f"{'total':>9}   (CPU ms per page, least of {args.repeat})")
    for label, kinds in (("pdf", {"pdf"}), ("docx", {"docx"}), ("all", {"pdf", "docx"})):
        sel = [d for d in docs if d["kind"] in kinds]
        pages = sum(d["pages"] for d in sel)
        if not pages:
            continue
        per = {s: sum(d[s] for d in sel) * 1000 / pages for s in ("extract", "classify", "fields")}
        print(f"{label:<12}{len(sel):>5}{pages:>7}{per['extract']:>10.1f}{per['classify']:>10.1f}"
              f"{per['fields']:>9.1f}{sum(per.values()):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
