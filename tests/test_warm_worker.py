"""The warm worker of `bukti server start`, for real: a Prefect server and the worker started by the
command, `bukti check` commands handed to it. A check in the worker must be the same command as
one in a process of its own: same report, output, exit code, signals; and whenever the worker
could not give the same result the command runs in its own process."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures import hostile
from fixtures.folders import build_unit_folder
from pipeline.orchestration import warm
from tests.test_kill import comparable

ROOT = Path(__file__).resolve().parents[1]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "BUKTI_STORE", "BUKTI_WARM_WORKER")}
    return {**env, "BUKTI_HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def bukti(env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, **kw)


def _state(home: Path) -> dict:
    return json.loads((home / "prefect-server.json").read_text())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("warm-home")
    env = _env(home)
    started = bukti(env, "server", "start")
    assert started.returncode == 0, started.stderr
    assert "pekerja hangat" in started.stdout, started.stdout   # Indonesian unless --lang en
    assert _state(home)["worker_pid"]
    yield home, env
    bukti(env, "server", "stop")


@pytest.fixture(scope="module")
def unit(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("warm-unit") / "unit"
    build_unit_folder(folder, seed=23, formats=("text_pdf", "docx"))
    return folder


def _descendants(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [d for p in map(int, found) for d in [p, *_descendants(p)]]


def _tesseracts_under(pid: int) -> list[int]:
    return [p for p in _descendants(pid) if Path(f"/proc/{p}/comm").exists()
            and Path(f"/proc/{p}/comm").read_text().strip() == "tesseract"]


def test_a_check_in_the_worker_is_the_same_command(server, unit, tmp_path):
    home, env = server
    own = bukti({**env, "BUKTI_WARM_WORKER": "0", "BUKTI_TIMING": "1"}, "check", str(unit),
                "--out", str(tmp_path / "own"), "--store", "none", "--lang", "en")
    handed = bukti({**env, "BUKTI_TIMING": "1"}, "check", str(unit), "--out", str(tmp_path / "warm"),
                   "--store", "none", "--lang", "en")
    assert "timing worker-cpu" not in own.stderr
    assert "timing worker-cpu" in handed.stderr, handed.stderr   # it did run in the worker
    assert handed.returncode == own.returncode and own.returncode in (0, 1), own.stderr
    assert handed.stdout.replace(str(tmp_path / "warm"), "OUT") == own.stdout.replace(str(tmp_path / "own"), "OUT")
    a = json.loads((tmp_path / "own" / "report.json").read_text())
    b = json.loads((tmp_path / "warm" / "report.json").read_text())
    assert comparable(b) == comparable(a)
    # the command's own settings reached the check: English, its own output folder, its own lines
    assert "Memeriksa" not in handed.stderr and "Checking" in handed.stderr, handed.stderr


def test_a_check_in_the_worker_asks_tesseract_nothing_the_worker_knows(server, tmp_path):
    """pytesseract asks `tesseract --version` before a process's first reading, holding a pool
    slot; the worker asked at warm-up, so its checks start reading at once. Every Tesseract the
    check starts goes through a logging wrapper first on the command's PATH."""
    _home, env = server
    folder = tmp_path / "scans"
    hostile.scanned_pages_folder(folder, 2)
    (folder / "unit.yaml").write_text("unit: Dinas Pindai\nperiod: 2024\n")
    wrapper, log = tmp_path / "bin" / "tesseract", tmp_path / "tesseract-calls.log"
    wrapper.parent.mkdir()
    real = shutil.which("tesseract")
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    r = bukti({**env, "BUKTI_TIMING": "1", "PATH": f"{wrapper.parent}:{env['PATH']}"}, "check", str(folder),
              "--out", str(tmp_path / "out"), "--store", "none", "--lang", "en")
    assert r.returncode in (0, 1), r.stderr
    assert "timing worker-cpu" in r.stderr, r.stderr   # it ran in the worker
    calls = log.read_text().splitlines()
    assert any("_input." in c for c in calls), calls   # its pages went through the wrapper
    assert not [c for c in calls if "--version" in c], calls


def test_bad_usage_in_the_worker_is_one_line_and_exit_2(server, tmp_path):
    _home, env = server
    r = bukti(env, "check", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.count("bukti:") == 1 and "Traceback" not in r.stderr, r.stderr


def test_the_commands_folder_and_environment(server, unit, tmp_path):
    """A relative path means the command's working folder, and TMPDIR is the command's."""
    _home, env = server
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (tmp_path / "cwd").mkdir()
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "check", os.path.relpath(unit, tmp_path / "cwd"),
                        "--out", "rel-out", "--store", "none", "--lang", "en"], cwd=tmp_path / "cwd",
                       env={**env, "TMPDIR": str(scratch), "BUKTI_TIMING": "1"}, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode in (0, 1), r.stderr
    assert "timing worker-cpu" in r.stderr
    assert (tmp_path / "cwd" / "rel-out" / "report.json").exists()
    assert list(scratch.iterdir()) == []


def _check_under_way(home: Path, env: dict, tmp_path: Path, **streams) -> tuple[subprocess.Popen, int]:
    """A `bukti check` of scanned pages, handed to the worker, once a Tesseract reads in it:
    (the command, the worker's pid)."""
    folder = tmp_path / "scans"
    hostile.scanned_pages_folder(folder, 8)
    (folder / "unit.yaml").write_text("unit: Dinas Pindai\nperiod: 2024\n")
    worker = _state(home)["worker_pid"]
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "check", str(folder), "--out",
                             str(tmp_path / "out"), "--lang", "en", "--store", "none"], cwd=ROOT,
                            env={**env, "BUKTI_OCR_WORKERS": "1"}, start_new_session=True, **streams)
    deadline = time.monotonic() + 300
    while not _tesseracts_under(worker):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no OCR under way in time"
        time.sleep(0.05)
    return proc, worker


def test_ctrl_c_stops_the_check_in_the_worker(server, tmp_path):
    home, env = server
    proc, worker = _check_under_way(home, env, tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        live = _tesseracts_under(worker)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, err
    lines = [l for l in err.splitlines() if l.startswith("bukti:") or "Traceback" in l]
    assert len(lines) == 1 and "SIGINT" in lines[0], err
    time.sleep(0.5)
    assert not [p for p in live if Path(f"/proc/{p}").exists()], "Tesseract left running"
    assert not (tmp_path / "out" / "report.json").exists()


def test_a_killed_command_stops_its_check_and_the_worker_serves_on(server, unit, tmp_path):
    home, env = server
    proc, worker = _check_under_way(home, env, tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 60
    while _descendants(worker):
        assert time.monotonic() < deadline, f"the check went on without its command: {_descendants(worker)}"
        time.sleep(0.1)
    r = bukti({**env, "BUKTI_TIMING": "1"}, "check", str(unit), "--out", str(tmp_path / "again"), "--store", "none")
    assert r.returncode in (0, 1) and "timing worker-cpu" in r.stderr, r.stderr


def test_another_prefect_setup_runs_in_its_own_process(server, unit, tmp_path):
    _home, env = server
    r = bukti({**env, "BUKTI_TIMING": "1", "PREFECT_LOGGING_LEVEL": "ERROR"}, "check", str(unit),
              "--out", str(tmp_path / "out"), "--store", "none")
    assert r.returncode in (0, 1), r.stderr
    assert "timing worker-cpu" not in r.stderr and "timing import" in r.stderr


def test_changed_code_is_never_served_stale(tmp_path):
    """The worker compares its rooms' files with what it loaded before each check."""
    w = warm.Worker(tmp_path / "sock")
    w.fingerprint = warm.code_fingerprint()
    request = {"argv": ["check", "x"], "env": dict(os.environ)}
    assert w._refusal(request) is None
    w.fingerprint = w.fingerprint[:-1]
    assert w._refusal(request) == "stale"
    assert w._refusal({**request, "argv": ["review", "list"]}) == "command"


def test_stop_ends_the_worker_too(tmp_path):
    home = tmp_path / "home"
    env = _env(home)
    assert bukti(env, "server", "start").returncode == 0
    state = _state(home)
    pid, sock = state["worker_pid"], Path(state["worker_socket"])
    assert sock.exists() and oct(sock.stat().st_mode & 0o777) == "0o700"
    shown = bukti(env, "server", "status", "--lang", "en")
    assert shown.returncode == 0 and f"warm worker for bukti check: pid {pid}" in shown.stdout, shown.stdout
    assert bukti(env, "server", "stop").returncode == 0
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z":
        assert time.monotonic() < deadline, "warm worker still running"
        time.sleep(0.1)
    assert not sock.exists()
    # no worker: every check runs in its own process
    r = bukti({**env, "BUKTI_TIMING": "1"}, "check", str(tmp_path / "nothing"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "timing worker-cpu" not in r.stderr


def test_a_worker_of_older_code_restarts_and_the_command_runs_in_its_own_process(server, unit, tmp_path):
    home, env = server
    pid = _state(home)["worker_pid"]
    touched = ROOT / "rules" / "__init__.py"
    before = touched.stat()
    os.utime(touched, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))   # "the code changed"
    try:
        r = bukti({**env, "BUKTI_TIMING": "1"}, "check", str(unit), "--out", str(tmp_path / "a"), "--store", "none")
        assert r.returncode in (0, 1), r.stderr
        assert "timing worker-cpu" not in r.stderr and "timing import" in r.stderr
        deadline = time.monotonic() + 120
        while not Path(_state(home)["worker_socket"]).exists():   # the same pid, on the new code
            assert time.monotonic() < deadline, "the worker did not come back"
            time.sleep(0.1)
        r = bukti({**env, "BUKTI_TIMING": "1"}, "check", str(unit), "--out", str(tmp_path / "b"), "--store", "none")
        assert "timing worker-cpu" in r.stderr, r.stderr
        assert _state(home)["worker_pid"] == pid and Path(f"/proc/{pid}").exists()
    finally:
        os.utime(touched, ns=(before.st_atime_ns, before.st_mtime_ns))
