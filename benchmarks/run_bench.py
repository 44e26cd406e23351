"""Measure `bukti check` on the bench folder against raw tools, in one run, and write RESULTS.md.

    .venv/bin/python -m benchmarks.run_bench [--small]

Measured: cold check (empty run store), warm re-check (nothing changed), re-check after one
scanned file changed, the same warm re-check in Prefect's ephemeral mode (start-up cost), raw
`tesseract` CLI over the same scanned page images (one process per core, OMP_THREAD_LIMIT=1), raw
pypdfium2 text extraction over the text pages, peak RSS of the bukti process tree (sampled from
/proc: the CLI process and every tesseract under it) and CPU use while OCR runs (/proc/stat, and
how often `cores` tesseracts were alive at once). Checks run against a long-lived `bukti server`
and its warm worker (pipeline/orchestration/warm.py), started for the bench (its own BUKTI_HOME under benchmarks/work/), as a user who checks repeatedly
would run them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks import make_bench_folder as mbf

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
CORES = os.cpu_count() or 1
TESS_ARGS = ["-l", "ind+eng", "--psm", "3", "--oem", "1"]   # as extractors/ocr/tesseract.py calls it
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------- /proc sampling

def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _tree(pid: int) -> list[int]:
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


class Sampler(threading.Thread):
    """Every `interval` s: RSS of the process tree, live tesseracts in it, machine CPU busy share."""

    def __init__(self, pid: int, interval: float = 0.25, worker: int | None = None):
        super().__init__(daemon=True)
        # worker: a `bukti server`'s warm worker; the check then runs in a child of it (the
        # command only waits), so that child and its Tesseracts are the check's memory too
        self.pid, self.interval, self.worker = pid, interval, worker
        self.peak_rss = 0
        self.peak_by: dict[str, int] = {}   # at the peak: MB per process name (which one held it)
        self.ocr_samples: list[tuple[int, float]] = []   # (tesseracts alive, machine busy share)
        self.stop_event = threading.Event()

    def run(self) -> None:
        busy0, total0 = _cpu_times()
        while not self.stop_event.wait(self.interval):
            pids = _tree(self.pid) + ([p for p in _tree(self.worker) if p != self.worker] if self.worker else [])
            rss = {p: _rss(p) for p in pids}
            if sum(rss.values()) > self.peak_rss:
                self.peak_rss = sum(rss.values())
                by: dict[str, int] = {}
                for p, r in rss.items():
                    by[_comm(p)] = by.get(_comm(p), 0) + r
                self.peak_by = {name: round(r / 2**20) for name, r in by.items()}
            tess = sum(1 for p in pids if _comm(p) == "tesseract")
            busy1, total1 = _cpu_times()
            share = (busy1 - busy0) / max(1, total1 - total0)
            busy0, total0 = busy1, total1
            if tess:
                self.ocr_samples.append((tess, share))

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


# ---------------------------------------------------------------------- runs

def bench_env(home: Path, store: Path) -> dict[str, str]:
    env = {**os.environ, "BUKTI_HOME": str(home), "BUKTI_STORE": str(store), "OMP_THREAD_LIMIT": "1",
           "BUKTI_TIMING": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)
    return env


def _cpu_seconds(pid: int | None, *, tree: bool = True) -> float:
    """User + system CPU of a process and its children still alive (/proc, clock ticks); with
    tree=False of the process alone (the warm worker, without the check it forked)."""
    if not pid:
        return 0.0
    total = 0
    for p in (_tree(pid) if tree else [pid]):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def server_pid(env: dict[str, str], key: str = "pid") -> int | None:
    """The Prefect API server's pid, or with key="worker_pid" its warm worker's."""
    try:
        return int(json.loads((Path(env["BUKTI_HOME"]) / "prefect-server.json").read_text())[key])
    except (OSError, ValueError, KeyError):
        return None


WARM_RUNS = 5
CHANGED_RUNS = 3


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


def run_check(label: str, unit: Path, out: Path, env: dict[str, str], log_dir: Path) -> dict:
    log = log_dir / f"{label}.log"
    worker = server_pid(env, "worker_pid")
    server_cpu0 = _cpu_seconds(server_pid(env)) + _cpu_seconds(worker, tree=False)
    t0 = time.monotonic()
    with open(log, "wb") as f:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "check", str(unit), "--out", str(out)],
                                env=env, stdout=f, stderr=subprocess.STDOUT, cwd=REPO)
        sampler = Sampler(proc.pid, worker=worker)
        sampler.start()
        # wait4: the CPU time of the check and of every process it waited for (its Tesseracts)
        _pid, status, usage = os.wait4(proc.pid, 0)
        rc = proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
    wall = time.monotonic() - t0
    samples = sampler.ocr_samples
    stages, runs = _stages(log)
    # a check run by the warm worker: its CPU (and its Tesseracts') as the worker's child reported it
    in_worker = stages.pop("worker-cpu", 0.0)
    result = {"label": label, "wall_s": round(wall, 1), "rc": rc, "ocr_runs": runs, "in_worker": bool(in_worker),
              "cpu_s": round(usage.ru_utime + usage.ru_stime + in_worker, 1),
              "peak_rss_mb": round(sampler.peak_rss / 2**20),
              "peak_rss_by_process_mb": sampler.peak_by,
              "ocr_samples": len(samples),
              "ocr_both_cores_share": round(sum(1 for t, _ in samples if t >= CORES) / len(samples), 2) if samples else None,
              "ocr_machine_busy": round(statistics.mean(s for _, s in samples), 2) if samples else None,
              "log": str(log),
              # The API server shares the cores: its work for this run is part of the cost.
              "server_cpu_s": round(_cpu_seconds(server_pid(env)) + _cpu_seconds(worker, tree=False) - server_cpu0, 1),
              "stages": stages}
    if rc not in (0, 1):
        result["error"] = log.read_text(errors="replace")[-2000:]
    print(f"  {label}: {result['wall_s']} s, rc {rc}, peak RSS {result['peak_rss_mb']} MB", file=sys.stderr)
    return result


def _stages(log: Path) -> tuple[dict[str, float], dict]:
    """The BUKTI_TIMING lines of a run ("timing reuse 0.104s"), and its Tesseract runs by kind."""
    out, runs = {}, {}
    for line in log.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "timing" and parts[2].endswith("s"):
            out[parts[1]] = float(parts[2][:-1])
        elif line.startswith("ocr-runs "):
            runs = json.loads(line[len("ocr-runs "):])
    return out, runs


def ocr_images(unit: Path, dest: Path) -> dict[str, list[tuple[Path, int | None]]]:
    """Every page image bukti hands Tesseract on its first reading, as it hands it: loaded as the
    extractors load it (a scan PDF's own JPEG scaled to the 300-dpi render size, or a render; an
    image file's frame, a large JPEG drafted down), prepared by extractors.ocr.preparation (grey,
    size cap, deskew; blank pages skipped), with the dpi bukti passes (`--dpi`). Saved as PGM,
    as bukti writes them. PDF pages whose text layer is usable are not read by OCR and skipped.
    {file: [(image, dpi)]}"""
    out: dict[str, list[tuple[Path, int | None]]] = {}
    for src in sorted(p for p in unit.rglob("*") if p.is_file()):
        rel = src.relative_to(unit).as_posix()
        try:
            paths = _file_images(src, dest / rel.replace("/", "_"))
        except Exception:
            continue   # a damaged file: bukti reports it, nobody reads it
        if paths:
            out[rel] = paths
    return out


def _file_images(src: Path, stem: Path) -> list[tuple[Path, int | None]]:
    import pypdfium2 as pdfium
    from PIL import Image

    from extractors import ocr
    from extractors.images import _PAGED_FORMATS, _load_frame
    from extractors.pdf import _text_layer, page_image
    ext = src.suffix.lower()
    if ext == ".pdf":
        doc = pdfium.PdfDocument(str(src))
        loads = [(i, lambda i=i: page_image(doc, i)) for i in range(len(doc))
                 if not ocr.usable_text(_text_layer(doc, i))]
    elif ext in (".jpg", ".jpeg", ".png", ".tif", ".tiff"):
        with Image.open(src) as im:
            frames = getattr(im, "n_frames", 1) if im.format in _PAGED_FORMATS else 1
        loads = [(i, lambda i=i: _load_frame(src, i)) for i in range(frames)]
    else:
        return []
    paths = []
    for i, load in loads:
        img, dpi, _skew = ocr.preparation.ready(*load())
        if img is None:
            continue
        p = Path(f"{stem}.{i + 1:03d}.pgm")
        img.save(p, format="PPM")
        paths.append((p, dpi))
    if ext == ".pdf":
        doc.close()
    return paths


def raw_tesseract(images: list[tuple[Path, int | None]]) -> dict:
    """The raw CLI over the images, one process per core: wall time, and the CPU time the
    processes took (wait4), which a loaded machine changes far less than the wall time."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    times: dict[Path, float] = {}
    cpu: dict[Path, float] = {}

    def one(item: tuple[Path, int | None]) -> None:
        p, dpi = item
        t = time.monotonic()
        proc = subprocess.Popen(["tesseract", str(p), "stdout", *TESS_ARGS, *(["--dpi", str(dpi)] if dpi else [])],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        times[p] = time.monotonic() - t
        cpu[p] = usage.ru_utime + usage.ru_stime

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(one, images))
    wall = time.monotonic() - t0
    return {"pages": len(images), "wall_s": round(wall, 1), "sum_page_s": round(sum(times.values()), 1),
            "cpu_s": round(sum(cpu.values()), 1),
            "per_page_s": round(sum(times.values()) / max(1, len(images)), 2), "times": times}


def raw_text(unit: Path) -> dict:
    """pypdfium2's text of every PDF page that has a usable text layer."""
    import pypdfium2 as pdfium

    from extractors import ocr
    pages, t0, c0 = 0, time.monotonic(), time.process_time()
    for src in sorted(unit.rglob("*.pdf")):
        try:
            doc = pdfium.PdfDocument(str(src))
        except pdfium.PdfiumError:
            continue   # a damaged file: bukti reports it, nobody reads it
        for i in range(len(doc)):
            tp = doc[i].get_textpage()
            pages += ocr.usable_text(tp.get_text_range())
            tp.close()
        doc.close()
    return {"pages": pages, "wall_s": round(time.monotonic() - t0, 2), "cpu_s": round(time.process_time() - c0, 2)}


def server(action: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "server", action], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300).stdout.strip()


def machine() -> dict:
    mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1]
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"nproc": CORES, "memory_gib": round(int(mem) / 2**20, 1), "cpu": model, "tesseract": tess,
            "python": platform.python_version(), "load_avg_at_start": os.getloadavg()}


# ---------------------------------------------------------------------- main

EVAL_DEV = REPO.parent / "shared" / "eval-dev" / "corpus"   # ../shared beside the checkout, as the README has it
SHAPE_NAMES = {"full": "bench folder (300 documents)", "small": "bench folder, small (30 documents)",
               "short": "short documents, 150-200 dpi scans and phone photos",
               "evaldev": "eval-dev corpus, six unit folders"}


def shape_units(shape: str) -> tuple[dict[str, Path], dict | None]:
    """The folders a shape checks ({name: folder}) and the generator's manifest if it has one."""
    if shape == "evaldev":
        return {d.name: d / "evidence" for d in sorted(EVAL_DEV.iterdir()) if (d / "evidence").is_dir()}, None
    folder = mbf.generate(shape)
    return {shape: folder}, json.loads(mbf.manifest_path(shape).read_text())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shape", choices=sorted(SHAPE_NAMES), default="full")
    p.add_argument("--small", action="store_true", help="--shape small: 30 documents / 150 pages")
    p.add_argument("--quick", action="store_true",
                   help="cold, 3 warm re-checks and the raw tools only (no one-file-changed, no ephemeral)")
    p.add_argument("--no-ephemeral", action="store_true", help="skip the ephemeral-mode re-check")
    p.add_argument("--rounds", type=int, default=1,
                   help="cold check and raw side, back to back per folder, this many times; the"
                        " round of median ratio (of an even number, the higher middle one) stands for"
                        " the shape; every round is kept")
    args = p.parse_args(argv)
    size = "small" if args.small else args.shape
    info = machine()
    print(f"bench ({size}) on {info['nproc']} cores, load {info['load_avg_at_start']}", file=sys.stderr)
    sources, manifest = shape_units(size)
    work = WORK / size
    if work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    logs.mkdir(parents=True)
    units = {name: work / "units" / name for name in sources}
    for name, src in sources.items():
        shutil.copytree(src, units[name])
    env = bench_env(work / "home", work / "store.sqlite")
    results: dict = {"size": size, "shape": SHAPE_NAMES[size], "machine": info,
                     "documents": sum(1 for u in units.values() for f in u.rglob("*") if f.is_file()),
                     "units": len(units)}
    if manifest:
        results.update(pages=manifest["pages"], scanned_pages=manifest["scanned_pages"])

    # The page images of every folder, as bukti hands them to Tesseract, for the raw side;
    # made before the server starts, so that nothing else runs meanwhile.
    image_dir = tempfile.TemporaryDirectory(dir=work)
    images: dict[str, dict[str, list[tuple[Path, int | None]]]] = {}
    for name, u in units.items():
        (Path(image_dir.name) / name).mkdir()
        images[name] = ocr_images(u, Path(image_dir.name) / name)
    all_images = [item for per in images.values() for items in per.values() for item in items]
    results["ocr_dpi"] = {str(d or "none"): sum(1 for _, x in all_images if (x or 0) == d)
                          for d in sorted({x or 0 for _, x in all_images})}
    t0 = time.monotonic()
    results["server_start"] = server("start", env)
    results["server_start_s"] = round(time.monotonic() - t0, 1)
    worker = server_pid(env, "worker_pid")
    # the warm worker's own memory at rest (what it keeps between checks, shared with each check)
    results["warm_worker_rss_mb"] = round(_rss(worker) / 2**20) if worker else None
    try:
        with image_dir:
            rounds = [measure_round(i, max(1, args.rounds), units, images, work, logs)
                      for i in range(max(1, args.rounds))]
        # The round of median ratio stands for the shape (of an even number, the higher middle
        # one: never the kinder); every round's figures are kept.
        chosen = sorted(rounds, key=lambda r: r["ratio"])[len(rounds) // 2]
        results["rounds"] = [{**{k: r[k] for k in ("round", "ratio", "cold_s", "raw_limit_s", "order",
                                                   "tesseract_cpu_s", "by_folder")},
                              "raw_tesseract_cpu_s": r["raw_tesseract"]["cpu_s"]} for r in rounds]
        results["raw_text"], results["raw_tesseract"] = chosen["raw_text"], chosen["raw_tesseract"]
        results["cold"], results["cold_runs"] = _summed(chosen["colds"]), chosen["colds"]
        print(f"  rounds: {[r['ratio'] for r in rounds]}, median {chosen['ratio']}", file=sys.stderr)
        env = bench_env(work / "home", rounds[-1]["store"])   # warm re-checks use the last round's store
        per_file = rounds[-1]["per_file"]
        # Short runs on a shared machine vary by a second or more: several, and the median.
        warm_runs = 3 if args.quick else WARM_RUNS
        warms = {name: [run_check(f"warm-{name}-{i}", u, work / "out" / name, env, logs)
                        for i in range(1, warm_runs + 1)] for name, u in units.items()}
        results["warm"] = max((_median_run(w) for w in warms.values()), key=lambda r: r["wall_s"])
        results["warm_runs_s"] = {name: [w["wall_s"] for w in ws] for name, ws in warms.items()}
        if not args.quick and manifest:
            unit, out = units[size], work / "out" / size
            # Scanned multi-page PDFs change one at a time (a re-scan): only that file is read again.
            scans = sorted((f for f in manifest["files"] if f["format"] == "scan_pdf"), key=lambda f: f["pages"])
            mid = len(scans) // 2
            changed_runs = []
            for i, changed in enumerate(scans[max(0, mid - 1):mid + CHANGED_RUNS - 1], start=1):
                with open(unit / changed["path"], "ab") as f:
                    f.write(b"\n%bench: re-scanned\n")
                pages = changed["pages"]
                own_ocr = per_file[f"{size}/{changed['path']}"] / min(CORES, pages)
                run = run_check(f"one-changed-{i}", unit, out, env, logs)
                run["changed_file"] = {"path": changed["path"], "pages": pages, "own_ocr_s": round(own_ocr, 1)}
                run["margin_s"] = round(own_ocr + 5 - run["wall_s"], 1)
                changed_runs.append(run)
            results["one_changed_runs"] = changed_runs
            results["one_changed"] = sorted(changed_runs, key=lambda r: r["margin_s"])[len(changed_runs) // 2]
            results["changed_file"] = results["one_changed"]["changed_file"]
    finally:
        server("stop", env)
    if not args.quick and not args.no_ephemeral and manifest:
        # Same warm re-check without the long-lived server: Prefect's per-command start-up.
        # (Same store: a copy of the .sqlite file alone would miss what is still in its WAL.)
        env_eph = {**env, "BUKTI_HOME": str(work / "home-ephemeral")}
        results["warm_ephemeral"] = run_check("warm-ephemeral", units[size], work / "out" / size, env_eph, logs)

    (work / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    if "one_changed" in results:
        write_results(results)
    write_shapes()
    return 0


def measure_round(i: int, rounds: int, units: dict[str, Path],
                  images: dict[str, dict[str, list[tuple[Path, int | None]]]], work: Path, logs: Path) -> dict:
    """One round: each folder's raw side (pypdfium2's text, the raw CLI over its page images) and
    its cold check with an empty store, the two back to back, so that both see the machine as it
    is that minute. On a shared machine the same check varies by 10-30 % over half an hour: a
    raw side measured once at the start would compare minutes apart. Odd rounds put the check
    first, so a machine that slows or speeds steadily favours neither side. The last round's
    store and output folders are the ones the warm re-checks then use."""
    last = i == rounds - 1
    store = work / ("store.sqlite" if last else f"store-{i + 1}.sqlite")
    out_root = work / ("out" if last else f"out-{i + 1}")
    env = bench_env(work / "home", store)
    check_first = i % 2 == 1
    colds, texts, raws, by_folder, per_file = [], [], [], {}, {}
    for name, u in units.items():
        def raw() -> None:
            texts.append(raw_text(u))
            raws.append(raw_tesseract([item for items in images[name].values() for item in items]))

        def cold() -> None:
            # Report pictures are kept by content beside the store (pipeline.check.picture_cache):
            # a cold check must not find the previous round's.
            shutil.rmtree(work / "home" / "pictures", ignore_errors=True)
            colds.append(run_check(f"cold-{name}" + (f"-r{i + 1}" if rounds > 1 else ""), u, out_root / name, env, logs))

        for step in ((cold, raw) if check_first else (raw, cold)):
            step()
        times = raws[-1].pop("times")
        per_file.update({f"{name}/{path}": sum(times[p] for p, _ in items) for path, items in images[name].items()})
        # Each folder's own limit, so a shape of several folders shows which one is far off.
        own = raws[-1]["sum_page_s"] / CORES + texts[-1]["wall_s"]
        colds[-1]["raw_limit_s"] = round(own, 1)
        colds[-1]["ratio"] = round(colds[-1]["wall_s"] / own, 2) if own else None
        by_folder[name] = colds[-1]["ratio"]
    limit = sum(c["raw_limit_s"] for c in colds)
    cold_s = sum(c["wall_s"] for c in colds)
    raw_tess = {"pages": sum(r["pages"] for r in raws), "wall_s": round(sum(r["wall_s"] for r in raws), 1),
                "sum_page_s": round(sum(r["sum_page_s"] for r in raws), 1),
                "cpu_s": round(sum(r["cpu_s"] for r in raws), 1)}
    raw_tess["per_page_s"] = round(raw_tess["sum_page_s"] / max(1, raw_tess["pages"]), 2)
    result = {"round": i + 1, "order": "check, raw" if check_first else "raw, check",
              "ratio": round(cold_s / limit, 2) if limit else None, "cold_s": round(cold_s, 1),
              "raw_limit_s": round(limit, 1), "by_folder": by_folder, "store": store, "colds": colds,
              "per_file": per_file,   # {folder/file: its pages' raw CLI seconds}
              "tesseract_cpu_s": round(sum(c["stages"].get("ocr-cpu", 0.0) for c in colds), 1),
              "raw_tesseract": raw_tess,
              "raw_text": {k: round(sum(t[k] for t in texts), 2) for k in ("pages", "wall_s", "cpu_s")}}
    print(f"  round {i + 1}: cold {result['cold_s']} s / raw limit {result['raw_limit_s']} s = {result['ratio']}",
          file=sys.stderr)
    return result


def _summed(runs: list[dict]) -> dict:
    """Several checks as one: wall and stages summed, peak RSS the largest, OCR runs added up."""
    out = {"wall_s": round(sum(r["wall_s"] for r in runs), 1), "rc": max(r["rc"] for r in runs),
           "cpu_s": round(sum(r["cpu_s"] for r in runs), 1),
           "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "stages": {}, "ocr_runs": {},
           "ocr_both_cores_share": runs[0]["ocr_both_cores_share"], "ocr_machine_busy": runs[0]["ocr_machine_busy"],
           "server_cpu_s": round(sum(r["server_cpu_s"] for r in runs), 1)}
    for r in runs:
        for k, v in r["stages"].items():
            out["stages"][k] = round(out["stages"].get(k, 0) + v, 3)
        for k, v in r["ocr_runs"].items():
            row = out["ocr_runs"].setdefault(k, {"runs": 0, "pages": 0})
            row["runs"] += v["runs"]
            row["pages"] += v["pages"]
    return out


def _cpu_ratio(r: dict) -> str:
    cold, raw = r["cold"], r["raw_tesseract"].get("cpu_s", 0) + r["raw_text"].get("cpu_s", 0)
    if "cpu_s" not in cold or not raw:
        return "—"
    bukti = cold["cpu_s"] + cold.get("server_cpu_s", 0)
    return f"{bukti:.0f} s / {raw:.0f} s = **{bukti / raw:.2f} ×**"


def _spread(r: dict) -> str:
    """With several rounds: every round's ratio, in the order they ran (the cell's figures are
    the median round's)."""
    ratios = [x["ratio"] for x in r.get("rounds", [])]
    return f" (median of {len(ratios)} rounds: {', '.join(f'{x:.2f}' for x in ratios)})" if len(ratios) > 1 else ""


SHAPES_BEGIN, SHAPES_END = "<!-- shapes: written by run_bench -->", "<!-- /shapes -->"


def write_shapes() -> None:
    """The table of every shape measured in this checkout (benchmarks/work/*/results.json), between
    the markers of RESULTS.md (added at its top the first time)."""
    rows = []
    for path in sorted(WORK.glob("*/results.json")):
        r = json.loads(path.read_text())
        cold, tess, text = r["cold"], r["raw_tesseract"], r["raw_text"]
        limit = tess["sum_page_s"] / r["machine"]["nproc"] + text["wall_s"]
        bukti_cpu = cold["stages"].get("ocr-cpu")
        runs = ", ".join(f"{k} {v['runs']}" + (f" ({v['pages']} p.)" if v["pages"] != v["runs"] else "")
                         for k, v in sorted(cold["ocr_runs"].items()))
        warm = max(max(ws) if isinstance(ws, list) else ws for ws in (r["warm_runs_s"].values()
                   if isinstance(r["warm_runs_s"], dict) else [r["warm_runs_s"]]))
        rows.append(
            f"| {r.get('shape', r['size'])} | {r['units']} / {r['documents']} | {tess['pages']} "
            f"({', '.join(f'{k} dpi: {v}' for k, v in r.get('ocr_dpi', {}).items())}) | {text['pages']} | "
            f"{cold['wall_s']} s | {limit:.1f} s | **{cold['wall_s'] / limit:.2f} ×**{_spread(r)} | "
            f"{bukti_cpu if bukti_cpu is not None else '—'} s / {tess.get('cpu_s', '—')} s | "
            f"{_cpu_ratio(r)} | {runs} | "
            f"{r['warm']['wall_s']} s (worst of medians; slowest run {warm} s) | "
            f"{max(cold['peak_rss_mb'], r['warm']['peak_rss_mb'])} MB | "
            f"{time.strftime('%m-%d %H:%M', time.localtime(path.stat().st_mtime))}, load "
            f"{r['machine']['load_avg_at_start'][0]:.1f} |")
    section = "\n".join([
        SHAPES_BEGIN, "## Every shape (`python -m benchmarks.run_bench --shape S --quick [--rounds N]`)", "",
        "Raw limit = the raw `tesseract` CLI's summed page times ÷ cores + pypdfium2's text time, on the"
        " very page images (and `--dpi`) bukti hands Tesseract. Tesseract CPU: bukti's Tesseract"
        " processes (every run: pages, batches, OSD, rotated and signature re-reads) against the raw"
        " CLI's, both measured as process CPU time, which the machine's load changes far less than"
        " wall time. Warm: a re-check with nothing changed, per folder. Each folder's raw side and"
        " cold check run back to back; with --rounds N that is done N times (the order turned each"
        " round) and the row is the round of median ratio.", "",
        "| shape | folders / files | OCR pages | text pages | cold | raw limit | ratio | Tesseract CPU bukti / raw"
        " | all CPU: bukti (check + Tesseracts + Prefect server) / raw (Tesseract + text) | bukti's Tesseract runs"
        " | warm re-check | peak RSS | when, load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|", *rows, SHAPES_END])
    path = HERE / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if SHAPES_BEGIN in old and SHAPES_END in old:
        head, rest = old.split(SHAPES_BEGIN, 1)
        new = head + section + rest.split(SHAPES_END, 1)[1]
    else:
        first, _, body = old.partition("\n")
        new = f"{first}\n\n{section}\n{body}"
    path.write_text(new, encoding="utf-8")
    print(section)


def write_results(r: dict) -> None:
    m = r["machine"]
    tess, text = r["raw_tesseract"], r["raw_text"]
    cold_target = 1.25 * (tess["sum_page_s"] / m["nproc"] + text["wall_s"])
    own = r["changed_file"]["own_ocr_s"]
    peak = max(r[k]["peak_rss_mb"] for k in ("cold", "warm", "one_changed"))

    def ok(v: bool | None) -> str:
        return "—" if v is None else ("✅" if v else "❌")

    both = r["cold"]["ocr_both_cores_share"]
    warm_runs = r["warm_runs_s"][r["size"]] if isinstance(r["warm_runs_s"], dict) else r["warm_runs_s"]
    rows = [
        ("cold check (empty store)", f"{r['cold']['wall_s']} s", f"≤ {cold_target:.0f} s = 1.25 × ({tess['sum_page_s']} s ÷ {m['nproc']} + {text['wall_s']} s)",
         ok(r["cold"]["wall_s"] <= cold_target)),
        (f"warm re-check, nothing changed (median of {len(warm_runs)}: {warm_runs})",
         f"{r['warm']['wall_s']} s", "≤ 5 s", ok(r["warm"]["wall_s"] <= 5)),
        (f"re-check, one scanned file changed ({r['changed_file']['pages']} pages; median margin of "
         f"{len(r['one_changed_runs'])} files: " + ", ".join(
             f"{c['wall_s']} s for {c['changed_file']['pages']} p. (limit {c['changed_file']['own_ocr_s'] + 5:.1f})"
             for c in r["one_changed_runs"]) + ")", f"{r['one_changed']['wall_s']} s",
         f"≤ {own + 5:.1f} s = its OCR {own} s + 5 s", ok(r["one_changed"]["wall_s"] <= own + 5)),
        ("peak RSS of the bukti process tree", f"{peak} MB", "≤ 1024 MB", ok(peak <= 1024)),
        ("OCR: share of samples with a tesseract on every core", f"{both}", "(the rest: Python work on a core)", ""),
        ("OCR: machine CPU busy (/proc/stat)", f"{r['cold']['ocr_machine_busy']}", "both cores busy",
         ok(r["cold"]["ocr_machine_busy"] is not None and r["cold"]["ocr_machine_busy"] >= 0.9)),
        ("Prefect API server CPU during the cold check", f"{r['cold'].get('server_cpu_s')} s", "", ""),
        (f"raw tesseract CLI, {tess['pages']} scanned pages, {m['nproc']} processes", f"{tess['wall_s']} s wall",
         f"{tess['per_page_s']} s/page, {tess['sum_page_s']} s summed", ""),
        (f"raw pypdfium2 text, {text['pages']} text pages", f"{text['wall_s']} s", "", ""),
        ("`bukti server start` (once)", f"{r['server_start_s']} s", "", ""),
    ]
    if "warm_ephemeral" in r:
        rows.insert(2, ("warm re-check, ephemeral Prefect (no `bukti server`)", f"{r['warm_ephemeral']['wall_s']} s",
                        "for comparison", ""))
    lines = [
        f"# Benchmark results ({r['size']} bench folder)", "",
        f"Generated by `.venv/bin/python -m benchmarks.run_bench{' --small' if r['size'] == 'small' else ''}`"
        f" on {time.strftime('%Y-%m-%d %H:%M')}.", "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['tesseract']}, Python {m['python']}; "
        f"load average at start {tuple(round(x, 2) for x in m['load_avg_at_start'])} "
        "(a shared machine: other work running at the same time slows every row).", "",
        f"Folder: {r['documents']} documents, {r['pages']} pages, {r['scanned_pages']} scanned "
        f"({100 * r['scanned_pages'] / r['pages']:.0f} %). Checks run with a long-lived `bukti server`; "
        "wall times are whole `bukti check` commands (Python start, Prefect, reports).", "",
        "| measure | result | target | |", "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows], "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
