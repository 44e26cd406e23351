"""The run store against a real PostgreSQL (tests/pgserver.py starts and stops one): the schema
migrates itself, two processes migrating and recording at once do not collide, and two
`bukti nightly` runs at the same time both record their units."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import hostile
from tests.pgserver import pg_bin, running_postgres

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL is not installed")


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip("psycopg")
    with running_postgres() as url:
        yield url


RECORD = """
import sys
sys.path.insert(0, {root!r})
from pipeline.store import Store
store = Store({url!r})            # first use: both processes migrate at once
for n in range(20):
    run = store.start_run(unit={unit!r}, evidence_dir="/ev", out_dir="/out", rule_pack="lke-2021", lang="id")
    store.finish_run(run, {{"unit": {unit!r}, "summary": {{"documents": n, "flags": {{}}}}, "flags": []}})
store.close()
"""


def test_store_round_trip_and_concurrent_writers(pg_url):
    from pipeline.store import Store
    procs = [subprocess.Popen([sys.executable, "-c", RECORD.format(root=str(ROOT), url=pg_url, unit=u)],
                              stderr=subprocess.PIPE, text=True) for u in ("Dinas A", "Dinas B")]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-2000:]
    store = Store(pg_url)
    try:
        for unit in ("Dinas A", "Dinas B"):
            runs = store.list_runs(unit)
            assert len(runs) == 20, runs[:2]
            assert store.previous_report(unit)["summary"]["documents"] == 19
    finally:
        store.close()


def test_two_nightly_runs_at_once_record_every_unit(pg_url, tmp_path):
    from pipeline.store import Store
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BUKTI_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    procs = []
    for night in ("satu", "dua"):
        root = tmp_path / night
        unit = root / f"dinas-{night}"
        unit.mkdir(parents=True)
        (unit / "unit.yaml").write_text(f"unit: Dinas {night}\nperiod: 2024\n")
        (unit / "SK Tim ZI 2024.pdf").write_bytes(hostile.text_pdf_bytes(tag=night))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "nightly", str(root), "--out", str(tmp_path / f"out-{night}"),
             "--store", pg_url, "--lang", "en"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode in (0, 1), err[-3000:]
        assert "1 units: 1 checked" in out, out
    store = Store(pg_url)
    try:
        for night in ("satu", "dua"):
            [run] = store.list_runs(f"Dinas {night}")
            assert run["status"] == "finished", run
        assert store.extraction_counts()
    finally:
        store.close()
