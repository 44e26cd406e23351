"""`kill -9` in the middle of a run loses no finished extraction, and the re-run's report equals a
clean run's. The killed run is a real `bukti check` process with its own BUKTI_HOME (run store)."""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fixtures import hostile
from pipeline import cli

ROOT = Path(__file__).resolve().parents[1]
PAGES = 10


def cached_extractions(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM extractions").fetchone()[0]
    except sqlite3.OperationalError:   # created but not migrated yet
        return 0


def bukti(folder: Path, out: Path, env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "check", str(folder), "--out", str(out),
                             "--lang", "en", *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("generated_at", "changes")}


def test_kill_9_mid_run_then_rerun_loses_nothing(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "scans"
    hostile.scanned_pages_folder(folder, PAGES)
    home = tmp_path / "home"
    db = home / "store.sqlite"
    out = tmp_path / "report"
    env = {**os.environ, "BUKTI_HOME": str(home), "BUKTI_OCR_WORKERS": "1", "PYTHONPATH": str(ROOT)}
    env.pop("BUKTI_STORE", None)

    # The clean run (no store) runs alongside, so the two Prefect start-ups overlap.
    clean_out = tmp_path / "clean"
    clean = bukti(folder, clean_out, {**env, "BUKTI_OCR_WORKERS": "1"}, "--store", "none")
    proc = bukti(folder, out, env)
    deadline = time.monotonic() + 180
    try:
        while cached_extractions(db) < 2:
            assert proc.poll() is None, f"run ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() < deadline, "no extraction was stored in time"
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    kept = cached_extractions(db)
    assert 2 <= kept < PAGES, kept
    assert not (out / "report.json").exists()

    # The re-run (in this process: its Prefect may already be up) takes the same report folder: the
    # dead run's lock went with its process.
    monkeypatch.setenv("BUKTI_HOME", str(home))
    monkeypatch.delenv("BUKTI_STORE", raising=False)
    capsys.readouterr()
    rc = cli.main(["check", str(folder), "--out", str(out), "--lang", "en"])
    assert rc in (0, 1)
    [done] = [line for line in capsys.readouterr().err.splitlines() if "done:" in line]
    assert f"{PAGES}/{PAGES} files" in done
    assert int(re.search(r"(\d+) files from cache", done).group(1)) == kept, done
    assert cached_extractions(db) == PAGES
    resumed = json.loads((out / "report.json").read_text(encoding="utf-8"))

    _, clean_err = clean.communicate(timeout=300)
    assert clean.returncode == rc, clean_err
    clean_report = json.loads((clean_out / "report.json").read_text(encoding="utf-8"))
    assert comparable(resumed) == comparable(clean_report)
    assert [d["text_source"] for d in clean_report["documents"]] == ["ocr"] * PAGES
