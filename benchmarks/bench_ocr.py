"""OCR throughput: raw tesseract CLI vs bukti's OCR path on the same dense A4 pages.

    .venv/bin/python -m benchmarks.bench_ocr [-n 12] [--keep DIR] [--no-pdf]

Target: bukti/raw <= 1.2 at the same number of processes. bukti does more than the CLI
(TSV with word boxes, deskew estimate, blank check, PNG decode in Python), so the ratio
is the price of that work.
"""
from __future__ import annotations

import argparse
import difflib
import os
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors import ocr  # noqa: E402
from extractors.extract import extract_file  # noqa: E402

FONT = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"
DPI = 300
A4 = (2480, 3508)

NAMES = ["Ahmad Fauzi", "Siti Aminah", "Budi Santoso", "Dewi Lestari", "Rudi Hartono",
         "Nur Hidayati", "Agus Salim", "Rina Kartika", "Hendra Wijaya", "Yuni Astuti"]
UNITS = ["Dinas Kependudukan dan Pencatatan Sipil", "Badan Pendapatan Daerah",
         "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Rumah Sakit Umum Daerah"]
PLACES = ["Sumenep", "Pamekasan", "Bangkalan", "Sampang"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli"]


def decree_text(rng: random.Random) -> tuple[list[str], list[str]]:
    """(bold heading lines, body paragraphs) of a plausible SK Tim ZI."""
    unit, place = rng.choice(UNITS), rng.choice(PLACES)
    year = rng.choice([2023, 2024])
    head = [f"PEMERINTAH KABUPATEN {place.upper()}", unit.upper(),
            f"KEPUTUSAN KEPALA {unit.split(' dan ')[0].upper()}",
            f"NOMOR 800/{rng.randint(10, 999)}/435.{rng.randint(100, 299)}/{year}",
            "TENTANG PEMBENTUKAN TIM KERJA PEMBANGUNAN ZONA INTEGRITAS"]
    body = [
        f"Menimbang: a. bahwa dalam rangka mewujudkan {unit} sebagai unit kerja yang "
        "berpredikat Wilayah Bebas dari Korupsi dan Wilayah Birokrasi Bersih dan Melayani, "
        "perlu dibentuk tim kerja pembangunan zona integritas; b. bahwa berdasarkan "
        "pertimbangan sebagaimana dimaksud dalam huruf a, perlu menetapkan keputusan kepala "
        "dinas tentang pembentukan tim kerja pembangunan zona integritas.",
        "Mengingat: 1. Undang-Undang Nomor 28 Tahun 1999 tentang Penyelenggaraan Negara yang "
        "Bersih dan Bebas dari Korupsi, Kolusi, dan Nepotisme; 2. Peraturan Presiden Nomor 81 "
        "Tahun 2010 tentang Grand Design Reformasi Birokrasi; 3. Peraturan Menteri "
        "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 90 Tahun 2021 tentang "
        "Pembangunan dan Evaluasi Zona Integritas Menuju Wilayah Bebas dari Korupsi.",
        "MEMUTUSKAN: Menetapkan: KESATU: Membentuk Tim Kerja Pembangunan Zona Integritas "
        f"dengan susunan keanggotaan sebagaimana tercantum dalam lampiran keputusan ini. KEDUA: "
        "Tim sebagaimana dimaksud dalam diktum KESATU bertugas menyusun rencana kerja, "
        "melaksanakan program manajemen perubahan, penataan tata laksana, penataan sistem "
        "manajemen sumber daya manusia, penguatan akuntabilitas kinerja, penguatan pengawasan, "
        "dan peningkatan kualitas pelayanan publik serta melaporkan hasilnya secara berkala.",
        "KETIGA: Segala biaya yang timbul akibat ditetapkannya keputusan ini dibebankan pada "
        f"Anggaran Pendapatan dan Belanja Daerah Tahun Anggaran {year}. KEEMPAT: Keputusan ini "
        "mulai berlaku pada tanggal ditetapkan.",
    ]
    members = rng.sample(NAMES, 5)
    body.append("Susunan tim: " + "; ".join(
        f"{i + 1}. {n}, NIP {rng.randint(19650101, 19991231)}{rng.randint(198801, 202312)}"
        f"{rng.randint(1, 2)}{rng.randint(1, 999):03d}" for i, n in enumerate(members)) + ".")
    day, month = rng.randint(1, 28), rng.choice(MONTHS)
    body.append(f"Ditetapkan di {place} pada tanggal {day} {month} {year} Kepala Dinas, "
                f"Dr. {rng.choice(NAMES)}, S.H., M.Si. Pembina Tingkat I NIP "
                f"1972031519980310{rng.randint(10, 99)}")
    return head, body


def render_page(seed: int) -> tuple[Image.Image, str]:
    rng = random.Random(seed)
    head, body = decree_text(rng)
    img = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(img)
    bold, regular = ImageFont.truetype(FONT_BOLD, 50), ImageFont.truetype(FONT, 46)
    y, lines = 240, []
    for line in head:
        w = draw.textlength(line, font=bold)
        draw.text(((A4[0] - w) / 2, y), line, font=bold, fill=0)
        lines.append(line)
        y += 70
    y += 40
    for para in body:
        for line in textwrap.wrap(para, width=88):
            draw.text((240, y), line, font=regular, fill=0)
            lines.append(line)
            y += 64
        y += 30
    return img, "\n".join(lines)


def accuracy(truth: str, text: str) -> float:
    a, b = " ".join(truth.split()), " ".join(text.split())
    matched = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched / max(1, len(a))


def cpu_seconds() -> float:
    """CPU of this process and its reaped children: unlike wall time, barely moved by
    other load on a shared machine."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def raw_cli(paths: list[Path], procs: int) -> tuple[float, list[str]]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> str:
        return subprocess.run(["tesseract", str(p), "stdout", "-l", "ind+eng"], env=env,
                              capture_output=True, text=True, check=True).stdout

    t = time.perf_counter()
    with ThreadPoolExecutor(procs) as ex:
        texts = list(ex.map(one, paths))
    return time.perf_counter() - t, texts


def bukti_images(paths: list[Path], workers: int) -> tuple[float, list[str]]:
    ocr.configure(workers)
    t = time.perf_counter()
    # One extract_file per image, spread over the shared pool like a folder of scans.
    results = ocr.map_pages(lambda p: extract_file(p, "image"), paths)
    return time.perf_counter() - t, [r.text for r in results]


def bukti_pdf(pdf: Path, workers: int) -> tuple[float, list[str]]:
    ocr.configure(workers)
    t = time.perf_counter()
    ex = extract_file(pdf, "pdf")
    return time.perf_counter() - t, [p.text for p in ex.pages]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=12, help="pages (default 12)")
    ap.add_argument("--keep", type=Path, help="write the page images here and keep them")
    ap.add_argument("--no-pdf", action="store_true", help="skip the scanned-PDF row")
    args = ap.parse_args(argv)

    tmp = None
    if args.keep:
        work = args.keep
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench_ocr_")
        work = Path(tmp.name)
    paths, truths = [], []
    for i in range(args.n):
        img, truth = render_page(1000 + i)
        path = work / f"page{i + 1:02d}.png"
        img.save(path, dpi=(DPI, DPI))
        paths.append(path)
        truths.append(truth)
    pdf_path = None
    if not args.no_pdf:
        from fpdf import FPDF
        pdf = FPDF(unit="pt", format="A4")
        for p in paths:
            pdf.add_page()
            pdf.image(str(p), x=0, y=0, w=pdf.w, h=pdf.h)
        pdf_path = work / "scan.pdf"
        pdf.output(str(pdf_path))

    raw_label = "raw `tesseract IMG stdout -l ind+eng`"
    img_label = "bukti `extract_file(png, 'image')`"
    # Raw and bukti alternate so that background load on a shared machine hits both alike.
    plan = [(raw_label, 1, lambda: raw_cli(paths, 1)), (img_label, 1, lambda: bukti_images(paths, 1)),
            (raw_label, 2, lambda: raw_cli(paths, 2)), (img_label, 2, lambda: bukti_images(paths, 2))]
    if pdf_path:
        plan.append(("bukti `extract_file(scan.pdf, 'pdf')` (render + OCR)", 2,
                     lambda: bukti_pdf(pdf_path, 2)))
    rows = []
    for label, procs, run in plan:
        cpu0 = cpu_seconds()
        secs, texts = run()
        cpu = cpu_seconds() - cpu0
        acc = sum(accuracy(t, x) for t, x in zip(truths, texts)) / len(truths)
        rows.append((label, procs, secs, cpu, acc))
        print(f"  {label} x{procs}: {secs:.1f} s wall, {cpu:.1f} s CPU", file=sys.stderr, flush=True)
    ocr.configure(None)

    raw = {procs: (secs, cpu) for label, procs, secs, cpu, _ in rows if label == raw_label}
    load = os.getloadavg()[0]
    print(f"\n{args.n} dense A4 pages at {DPI} dpi, {os.cpu_count()} CPUs, OMP_THREAD_LIMIT=1, "
          f"load average at end {load:.1f}\n")
    print("| path | processes | seconds | pages/s | bukti/raw (wall) | CPU s | bukti/raw (CPU) "
          "| chars matched |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, procs, secs, cpu, acc in rows:
        ratio = cpu_ratio = ""
        if label != raw_label:
            ratio, cpu_ratio = f"{secs / raw[procs][0]:.2f}", f"{cpu / raw[procs][1]:.2f}"
        print(f"| {label} | {procs} | {secs:.1f} | {args.n / secs:.2f} | {ratio} | {cpu:.1f} "
              f"| {cpu_ratio} | {acc:.1%} |")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
