"""Scale-out path, for real: a `prefect server start` on 127.0.0.1 (its own PREFECT_HOME, SQLite),
a process work pool, the nightly flow deployed from this repository's source, a worker that picks
the run up, and a root folder of 2 units checked end to end. The only test that starts a server.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path


from pipeline.orchestration.server import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEADLINE_S = 240


def build_root(base: Path) -> Path:
    """Two small, text-only units (fast to read: no OCR), or copies of the example unit."""
    root = base / "units"
    try:
        from fixtures.folders import build_unit_folder
        for i, seed in enumerate((11, 12)):
            build_unit_folder(root / f"unit-{i + 1}", seed=seed, formats=("text_pdf",))
    except ImportError:
        import shutil
        for i in range(2):
            shutil.copytree(ROOT / "fixtures" / "example_unit", root / f"unit-{i + 1}")
    # build_unit_folder writes its manifest beside each unit; keep only unit folders in ROOT.
    for stray in root.glob("*.json"):
        stray.unlink()
    return root


DEPLOY_AND_RUN = textwrap.dedent("""
    import sys
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments import run_deployment

    repo, root, out, store = sys.argv[1:5]
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="bukti-test", type="process"))
    flow.from_source(source=repo, entrypoint="pipeline/orchestration/nightly.py:nightly_flow").deploy(
        name="test", work_pool_name="bukti-test",
        parameters={"root": root, "out_root": out, "store": store}, print_next_steps=False)
    run = run_deployment("bukti-nightly/test", timeout=0)
    print(run.id)
""")

STATE_OF = textwrap.dedent("""
    import sys
    from prefect.client.orchestration import get_client
    with get_client(sync_client=True) as client:
        print(client.read_flow_run(sys.argv[1]).state.type.value)
""")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)   # its own session: the server/worker and its children
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_nightly_deployment_runs_on_a_worker(tmp_path):
    started = time.monotonic()
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING", "BUKTI_HOME": str(tmp_path / "bukti-home"),
           "OMP_THREAD_LIMIT": "1"}
    env.pop("PREFECT_API_URL", None)
    server_log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=server_log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    worker = None
    try:
        assert wait_healthy(api_url, timeout=150, proc=server), (tmp_path / "server.log").read_text()[-3000:]
        client_env = {**env, "PREFECT_API_URL": api_url}
        root, out = build_root(tmp_path), tmp_path / "reports"
        deployed = subprocess.run([sys.executable, "-c", DEPLOY_AND_RUN, str(ROOT), str(root), str(out),
                                   str(tmp_path / "store.sqlite")],
                                  env=client_env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert deployed.returncode == 0, deployed.stderr[-3000:]
        flow_run_id = deployed.stdout.split()[-1]

        worker_log = open(tmp_path / "worker.log", "wb")
        worker = subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "bukti-test",
                                   "--run-once", "--limit", "1"], env=client_env, stdout=worker_log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True, cwd=tmp_path)
        remaining = DEADLINE_S - (time.monotonic() - started)
        worker.wait(timeout=max(30, remaining))
        log = (tmp_path / "worker.log").read_text(errors="replace")
        state = subprocess.run([sys.executable, "-c", STATE_OF, flow_run_id], env=client_env,
                               capture_output=True, text=True, timeout=60).stdout.strip()
        assert state == "COMPLETED", f"flow run {state}: {log[-4000:]}"

        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        assert [u["folder"] for u in index["units"]] == ["unit-1", "unit-2"]
        assert all(u["status"] == "checked" for u in index["units"]), index["units"]
        for unit in ("unit-1", "unit-2"):
            report = json.loads((out / unit / "report.json").read_text(encoding="utf-8"))
            assert report["summary"]["documents"] > 0
            assert (out / unit / "report.html").is_file()
        assert (out / "index.html").is_file()
        # The worker's run recorded both units in the run store named by the deployment.
        from pipeline.store import Store
        store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
        assert sorted(r["status"] for r in store.list_runs()) == ["finished", "finished"]
        store.close()
    finally:
        if worker is not None:
            _stop(worker)
        _stop(server)
        server_log.close()
