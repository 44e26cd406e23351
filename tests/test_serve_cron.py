"""`bukti serve` for real: a cron schedule a minute or two ahead fires on its own, and the run it
starts checks the unit and records it in the run store. Starts bukti's own Prefect server (in a
temporary BUKTI_HOME) and stops it at the end."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixtures import hostile

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_S = 300


def cron_ahead(now: dt.datetime) -> tuple[str, dt.datetime]:
    """A cron line for the first minute boundary at least 45 s ahead (UTC, Prefect's default)."""
    at = (now + dt.timedelta(seconds=45 + 60)).replace(second=0, microsecond=0)
    return f"{at.minute} {at.hour} * * *", at


def test_cron_schedule_fires_and_records_a_run(tmp_path):
    from pipeline.store import Store
    root = tmp_path / "units"
    unit = root / "dinas-a"
    unit.mkdir(parents=True)
    (unit / "unit.yaml").write_text("unit: Dinas A\nperiod: 2024\n")
    (unit / "SK Tim ZI 2024.pdf").write_bytes(hostile.text_pdf_bytes())
    out, db = tmp_path / "out", tmp_path / "store.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BUKTI_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    cron, at = cron_ahead(dt.datetime.now(dt.timezone.utc))
    serve = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", str(root), "--out", str(out),
                              "--cron", cron, "--store", str(db), "--lang", "en"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not (out / "index.json").exists():
            assert serve.poll() is None, serve.communicate()[0][-3000:]
            assert time.monotonic() < deadline, f"no scheduled run by {at:%H:%M} UTC (cron '{cron}')"
            time.sleep(1)
        started = dt.datetime.now(dt.timezone.utc)
        assert started >= at - dt.timedelta(seconds=5), "the run came before its schedule"
        index = json.loads((out / "index.json").read_text())
        assert [u["status"] for u in index["units"]] == ["checked"]
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.communicate()
        subprocess.run([sys.executable, "-m", "pipeline.cli", "server", "stop"], cwd=ROOT, env=env,
                       capture_output=True, timeout=60)
    store = Store(f"sqlite:///{db}")
    try:
        [run] = store.list_runs("Dinas A")
        assert run["status"] == "finished", run
    finally:
        store.close()
