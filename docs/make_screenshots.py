#!/usr/bin/env python3
"""Render the sample report (tests/reportfactory.py) and take the screenshots kept in docs/:

    docs/report-desktop.png   the page as a reviewer sees it (1280 px wide)
    docs/report-filtered.png  the same page filtered to errors (#severity=error)
    docs/report-print.png     page 1 of the print version (Chromium's PDF, rasterised by pdftoppm)
    docs/nightly-dashboard.png  the nightly dashboard after two real nightly runs over three
                                generated unit folders (--dashboard; ~1 min)

Run from the repository root:  .venv/bin/python docs/make_screenshots.py [--lang en] [--dashboard]

The headless-Chromium helpers here are also used by tests/test_browser.py. Chromium is driven by
plain subprocess calls (--dump-dom, --screenshot, --print-to-pdf): no driver, no websocket, nothing
to download. It is started with the flags this machine needs (docs of the python machine kind):
without the background-networking flags it keeps trying to reach Google's hosts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BASE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--no-default-browser-check",
]


def find_chromium() -> str | None:
    env = os.environ.get("BUKTI_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def run_chromium(args: list[str], *, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    exe = find_chromium()
    if not exe:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="bukti-chromium-") as profile:
        cmd = [exe, *BASE_FLAGS, f"--user-data-dir={profile}", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc


def file_url(path: Path, fragment: str = "") -> str:
    url = Path(path).resolve().as_uri()
    return f"{url}#{fragment.lstrip('#')}" if fragment else url


def dump_dom(html: Path, fragment: str = "", *, width: int = 1280) -> str:
    """The DOM after the page's scripts ran (filters applied from the fragment)."""
    proc = run_chromium([f"--window-size={width},1000", "--virtual-time-budget=3000", "--dump-dom",
                         file_url(html, fragment)])
    return proc.stdout


def screenshot(html: Path, png: Path, fragment: str = "", *, width: int = 1280, height: int = 2200) -> Path:
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    run_chromium([f"--window-size={width},{height}", "--virtual-time-budget=3000",
                  f"--screenshot={png}", file_url(html, fragment)])
    return png


def print_pdf(html: Path, pdf: Path) -> Path:
    pdf = Path(pdf).resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(["--virtual-time-budget=3000", "--no-pdf-header-footer", "--print-to-pdf-no-header",
                  f"--print-to-pdf={pdf}", file_url(html)])
    return pdf


def pdf_page_png(pdf: Path, png: Path, *, page: int = 1, dpi: int = 60) -> Path | None:
    """Rasterise one PDF page with poppler's pdftoppm; None when poppler-utils is absent."""
    exe = shutil.which("pdftoppm")
    if not exe:
        return None
    png = Path(png).resolve()
    stem = png.with_suffix("")
    subprocess.run([exe, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True, capture_output=True, timeout=60)
    return png


# folder (= unit key), seed, planted defects: the units of the dashboard's two nights
NIGHT_UNITS = (("disdukcapil_sumenep", 3, True), ("dpmptsp_malang", 4, False), ("puskesmas_lenteng", 5, True))
UNSIGNED_DOC = "SK Jam Pelayanan 2024.pdf"


def two_nights(base: Path, lang: str = "id") -> dict:
    """Three generated unit folders (text PDFs and DOCX: no OCR, so ~30 s in all) checked by two
    real nightly runs into one run store, with changes between the nights: Sumenep removes its
    unsigned SK (a flag resolved), Lenteng loses its public-service folder (its Pengungkit drops)."""
    from fixtures.folders import PP, build_unit_folder
    from fixtures.units import UNITS
    from pipeline.orchestration.nightly import nightly_flow

    root, out, store = base / "units", base / "out", str(base / "store.sqlite")
    for key, seed, defects in NIGHT_UNITS:
        build_unit_folder(root / key, seed, unit=UNITS[key], defects=defects, formats=("text_pdf", "docx"))
    for manifest in root.glob("*.expected.json"):   # the generator's answers, not part of the root
        manifest.unlink()
    first = nightly_flow(str(root), str(out), store=store, lang=lang)
    (root / "disdukcapil_sumenep" / UNSIGNED_DOC).unlink()
    shutil.rmtree(root / "puskesmas_lenteng" / PP)
    second = nightly_flow(str(root), str(out), store=store, lang=lang)
    return {"root": root, "out": out, "first": first, "second": second}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=["id", "en"], default="id")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--dashboard", action="store_true", help="only docs/nightly-dashboard.png")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    if args.dashboard:
        with tempfile.TemporaryDirectory(prefix="bukti-shots-") as tmp:
            nights = two_nights(Path(tmp), args.lang)
            png = screenshot(nights["out"] / "index.html", args.out / "nightly-dashboard.png", height=900)
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)
        return 0
    from pipeline.report.html_report import write_html
    from tests.reportfactory import build_report

    with tempfile.TemporaryDirectory(prefix="bukti-shots-") as tmp:
        html = write_html(build_report(args.lang), Path(tmp) / "report")
        made = [screenshot(html, args.out / "report-desktop.png", height=2400),
                screenshot(html, args.out / "report-filtered.png", "severity=error", height=1600)]
        pdf = print_pdf(html, Path(tmp) / "report.pdf")
        shot = pdf_page_png(pdf, args.out / "report-print.png", dpi=60)
        if shot:
            made.append(shot)
        else:
            print("pdftoppm not found (apt-get install poppler-utils): print screenshot skipped",
                  file=sys.stderr)
    for p in made:
        print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
