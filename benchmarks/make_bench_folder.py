"""Generate (once) the benchmark evidence folder: a unit with ~300 documents / 1,500 pages, 30 % of
the pages scanned, in LKE area sub-folders, rendered by the fixtures' renderers (deterministic).

    .venv/bin/python -m benchmarks.make_bench_folder [--small | --short] [--force]

--short is the other shape a unit's folder often has (issue 19): many one- or two-page documents,
40 % of the pages scanned at 150-200 dpi with noise or photographed with a phone.

Writes benchmarks/bench_folder/<full|small>/ (git-ignored) with unit.yaml, roster.csv, the
documents and bench_manifest.json (outside the evidence tree: benchmarks/bench_folder/<size>.json)
listing every file with its format, page count and which pages are scanned. A folder whose
manifest matches the requested parameters is reused as it is.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CACHE = HERE / "bench_folder"
GENERATOR_VERSION = 1   # bump when the output of this script changes

SIZES = {"full": {"docs": 300, "pages": 1500}, "small": {"docs": 30, "pages": 150},
         "short": {"docs": 60, "pages": 90}}
SCANNED_SHARE = 0.30
# The short folder: low-resolution scans and phone photos among short documents.
SHAPES = {"short": {"scanned_share": 0.40, "scan_dpis": [150, 150, 200], "lengths": [1, 1, 1, 2, 2, 3]}}
YEAR = 2024

AREAS = {
    "1. Manajemen Perubahan": ["sk_tim_zi", "sk_agen_perubahan", "rencana_kerja_zi", "laporan_monev",
                               "berita_acara_pencanangan", "notulen_rapat", "daftar_hadir"],
    "2. Penataan Tatalaksana": ["sop", "sk_sop"],
    "4. Penguatan Akuntabilitas": ["perjanjian_kinerja"],
    "5. Penguatan Pengawasan": ["sk_upg", "laporan_gratifikasi", "sk_pengaduan", "laporan_pengaduan",
                                "sk_wbs", "sk_benturan_kepentingan", "pakta_integritas"],
    "6. Peningkatan Kualitas Pelayanan Publik": ["maklumat_pelayanan", "standar_pelayanan",
                                                 "sk_standar_pelayanan", "laporan_skm"],
    "Lain-lain": ["sk_other"],
}
AREA_OF = {t: a for a, types in AREAS.items() for t in types}
# Appendix pages ("lampiran") that units staple behind a document to make it longer.
APPENDIX_TYPES = ["daftar_hadir", "notulen_rapat", "laporan_monev", "sop"]


def folder_for(size: str) -> Path:
    return CACHE / size


def manifest_path(size: str) -> Path:
    return CACHE / f"{size}.json"


def _params(size: str, seed: int) -> dict:
    return {"generator": GENERATOR_VERSION, "seed": seed, **SIZES[size], "scanned_share": SCANNED_SHARE,
            **SHAPES.get(size, {})}


def _merge_pdfs(parts: list[bytes], pages: int) -> bytes:
    import pypdfium2 as pdfium
    out = pdfium.PdfDocument.new()
    for data in parts:
        src = pdfium.PdfDocument(data)
        take = min(len(src), pages - len(out))
        if take > 0:
            out.import_pages(src, list(range(take)))
        src.close()
        if len(out) >= pages:
            break
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    return buf.getvalue()


def _page_targets(rng: random.Random, docs: int, pages: int,
                  lengths: tuple[int, ...] = (1, 1, 2, 2, 3, 4, 6, 9, 14)) -> list[int]:
    """Document lengths like a real folder: many 1-3 page letters, some long reports."""
    weights = [rng.choice(lengths) for _ in range(docs)]
    scale = pages / sum(weights)
    targets = [max(1, round(w * scale)) for w in weights]
    i = 0
    while sum(targets) != pages:  # land exactly on the page budget
        j = i % docs
        if sum(targets) > pages and targets[j] > 1:
            targets[j] -= 1
        elif sum(targets) < pages:
            targets[j] += 1
        i += 1
    return targets


def generate(size: str = "full", seed: int = 2024, force: bool = False, quiet: bool = False) -> Path:
    from fixtures.documents import DOC_TYPES, make_document
    from fixtures.render import scan
    from fixtures.render.docx import render_docx
    from fixtures.render.text_pdf import render_text_pdf
    from fixtures.units import get_unit, make_roster

    dest, mpath = folder_for(size), manifest_path(size)
    params = _params(size, seed)
    if not force and dest.is_dir() and mpath.is_file():
        try:
            if json.loads(mpath.read_text())["params"] == params:
                return dest
        except (ValueError, KeyError):
            pass
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    started = time.monotonic()
    rng = random.Random(seed)
    unit = get_unit("disdukcapil_sumenep")
    roster = make_roster(unit, rng, year=YEAR, size=30)
    (dest / "unit.yaml").write_text(yaml.safe_dump(
        unit.yaml_dict(period=YEAR, check_date=f"{YEAR}-10-01"), allow_unicode=True, sort_keys=False))
    with open(dest / "roster.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["nama", "nip", "jabatan"])
        for e in roster:
            w.writerow([e.name, e.nip, e.jabatan])

    n_docs, n_pages = SIZES[size]["docs"], SIZES[size]["pages"]
    shape = SHAPES.get(size, {})
    share = shape.get("scanned_share", SCANNED_SHARE)
    targets = _page_targets(rng, n_docs, n_pages, *([shape["lengths"]] if shape else []))
    types = [t for t in DOC_TYPES if t in AREA_OF]
    files, total, scanned_total = [], 0, 0

    def spec_of(doc_type: str):
        return make_document(doc_type, unit, rng, year=YEAR, roster=roster)

    for i, target in enumerate(targets):
        doc_type = types[i % len(types)] if i < len(types) else rng.choice(types)
        spec = spec_of(doc_type)
        want_scan = scanned_total < share * (total + target)
        if want_scan:
            fmt = "jpg" if target == 1 and rng.random() < 0.5 else (
                "png" if target == 1 else rng.choice(["scan_pdf"] * 5 + ["tiff"]))
        else:
            fmt = "docx" if target == 1 and rng.random() < 0.4 else "text_pdf"
        name = f"{i + 1:03d}_{doc_type}"
        rel = Path(AREA_OF[doc_type]) / name
        if fmt == "docx":
            data, pages = render_docx(spec), None   # DOCX has no fixed pages; counted as read
            rel = rel.with_suffix(".docx")
        else:
            pdf = render_text_pdf(spec, font=rng.choice(["Times", "Times", "Helvetica"]))
            parts, have = [pdf], pdf[1].pages
            while have < target:  # staple appendices behind it
                extra = render_text_pdf(spec_of(rng.choice(APPENDIX_TYPES)))
                parts.append(extra)
                have += extra[1].pages
            if fmt == "text_pdf":
                data = _merge_pdfs([p[0] for p in parts], target)
                rel = rel.with_suffix(".pdf")
            else:
                dpi = rng.choice(shape["scan_dpis"]) if shape else None
                style = scan.ScanStyle.random(rng, photo=fmt == "jpg", dpi=dpi)
                style.rotate_page = None
                images = _scan_parts(parts, spec, rng, style, target)
                if fmt == "scan_pdf":
                    data, rel = scan.images_to_pdf(images, style.dpi, style.jpeg_quality), rel.with_suffix(".pdf")
                elif fmt == "tiff":
                    data, rel = scan.tiff_bytes(images, style.jpeg_quality), rel.with_suffix(".tif")
                elif fmt == "jpg":
                    data, rel = scan.photo_jpg(images[0], rng, style.jpeg_quality), rel.with_suffix(".jpg")
                else:
                    data, rel = scan.png_bytes(images[0]), rel.with_suffix(".png")
            pages = target
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        counted = pages or 1
        scanned = counted if fmt in ("scan_pdf", "tiff", "jpg", "png") else 0
        total += counted
        scanned_total += scanned
        files.append({"path": rel.as_posix(), "format": fmt, "doc_type": doc_type, "pages": counted,
                      "scanned_pages": scanned, "bytes": len(data)})
        if not quiet and (i + 1) % 25 == 0:
            print(f"  {i + 1}/{n_docs} documents, {total} pages ({scanned_total} scanned), "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    manifest = {"params": params, "unit": unit.name, "documents": len(files), "pages": total,
                "scanned_pages": scanned_total, "files": files,
                "generated_in_s": round(time.monotonic() - started, 1)}
    mpath.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return dest


def _scan_parts(parts, spec, rng, style, target):
    """Scan every stapled part (its own letterhead, signatures and stamps) and keep `target` pages."""
    from fixtures.render import scan
    images = []
    for pdf in parts:
        images += scan.scan_pages(spec, rng, style, pdf=pdf)
        if len(images) >= target:
            break
    return images[:target]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true", help="30 documents / 150 pages")
    p.add_argument("--short", action="store_true", help="60 short documents / 90 pages, low-dpi scans")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--force", action="store_true", help="generate again even if cached")
    args = p.parse_args(argv)
    size = "short" if args.short else "small" if args.small else "full"
    path = generate(size, args.seed, args.force)
    m = json.loads(manifest_path(size).read_text())
    print(f"{path}: {m['documents']} documents, {m['pages']} pages, {m['scanned_pages']} scanned")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
