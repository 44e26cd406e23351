"""Handing `bukti check` to the warm worker of `bukti server` (pipeline/orchestration/warm.py), and
starting that worker. Only the standard library here: the command that hands its check over must
not pay for the imports the worker exists to save."""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path

from pipeline.settings import Settings, data_dir

PROTOCOL = b"BUKTI-WARM-1"
# The rooms whose files a worker has loaded: a change to any of them (code, rule packs,
# vocabularies) makes the worker's copy stale.
ROOMS = ("pipeline", "extractors", "rules")
REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 90.0
# protocol tag, length of the JSON request that follows, which of fds 0-2 come with it
HEADER = struct.Struct("!12sIB")


def socket_path(settings: Settings | None = None) -> Path:
    return data_dir(settings) / "warm-worker.sock"


# ---------------------------------------------------------------------- the command's side

def run_in_worker(argv: list[str], settings: Settings, started: float) -> int | None:
    """Run `bukti <argv>` in the warm worker and return its exit code; None when there is no
    worker that would give the same result (the caller then runs the command itself). `started`:
    when the command started (time.monotonic(), one clock for every process of the machine)."""
    if not settings.warm_worker or not argv or argv[0] != "check":
        return None
    path = socket_path(settings)
    if not path.exists():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(settings.server_health_timeout_s)
        conn.connect(str(path))
        request = json.dumps({
            "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": _umask(),
            "t0": started,
            "streams": [[s.encoding, s.errors] if s is not None else None
                        for s in (sys.stdin, sys.stdout, sys.stderr)],
        }).encode()
        fds = [fd for fd in (0, 1, 2) if _is_open(fd)]
        mask = sum(1 << fd for fd in fds)
        socket.send_fds(conn, [HEADER.pack(PROTOCOL, len(request), mask)], fds)
        conn.sendall(request)
        reader = conn.makefile("rb")
        first = _message(reader)
        if first is None or "pid" not in first:
            return None   # refused (stale, other set-up) or gone: run here
    except (OSError, ValueError):
        return None
    conn.settimeout(None)
    return _follow(first["pid"], reader, settings)


def _follow(pid: int, reader, settings: Settings) -> int:
    """Wait for the child's exit code, forwarding the user's signals to it (the terminal sends
    Ctrl-C to this process only: the child is in a process group of its own)."""
    from pipeline.exitcodes import ExitCode
    forwarded: list[int] = []

    def forward(signum, _frame):
        # A closed terminal (SIGHUP) stops the check as SIGTERM does: its Tesseracts are its own
        # children, out of the terminal's process group, and would outlive a plain hang-up.
        signum = signal.SIGTERM if signum == signal.SIGHUP else signum
        forwarded.append(signum)
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    while True:
        try:
            last = _message(reader)
        except OSError:
            last = None
        if last is None:
            # The child ended without a word: stopped by a forwarded signal after its grace time
            # (pipeline/stopping.py exits directly then), or killed.
            return ExitCode.for_signal(forwarded[0]) if forwarded else ExitCode.INTERNAL
        if "exit" in last:
            if settings.timing:
                # The work was done by the child and its Tesseracts, not by this process: the
                # benchmarks add it to the command's own CPU time.
                print(f"timing worker-cpu {last['cpu_s']:.3f}s", file=sys.stderr)
            return int(last["exit"])


def _message(reader) -> dict | None:
    line = reader.readline()
    return json.loads(line) if line else None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------- starting it

def start_worker(api_url: str, settings: Settings) -> dict:
    """Start the worker in the background (its own session, like the API server) and wait until
    it serves: {"worker_pid", "worker_socket"}, or {} when it could not start (every check then
    runs in its own process; the log says why)."""
    import subprocess
    path = socket_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    log_path = data_dir(settings) / "warm-worker.log"
    env = {**os.environ, "PREFECT_API_URL": api_url}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.orchestration.warm", str(path)],
                                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists():
            return {"worker_pid": proc.pid, "worker_socket": str(path)}
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    return {}


def is_worker(pid: int) -> bool:
    """Guard against a recycled pid: only a warm worker process is ours to stop."""
    try:
        return b"pipeline.orchestration.warm" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
