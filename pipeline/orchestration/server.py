"""`bukti server start|stop|status`: one long-lived local Prefect API server.

Without it every bukti command starts (and stops) a temporary Prefect server of its own, which
costs seconds per command (see pipeline/orchestration/prefect_env.py). The server started here listens on
127.0.0.1 only, keeps its database in bukti's data folder (its own PREFECT_HOME, so a user's own
Prefect set-up is left alone), and is found by later commands through the state file
`prefect_env.server_state_file()` = {"pid", "api_url", "worker_pid"}. It also runs the scheduler
that `bukti serve` needs for its cron schedule, which a temporary server does not. Beside it runs
the warm worker that `bukti check` hands its work to (pipeline/orchestration/warm.py).

PostgreSQL instead of SQLite for Prefect's own database: set PREFECT_API_DATABASE_CONNECTION_URL
(postgresql+asyncpg://user:pass@host/db) before `bukti server start`; it is passed through.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pipeline.exitcodes import ExitCode
from pipeline.i18n import LANGS, text
from pipeline.report.output import atomic_write_text
from pipeline import handoff
from pipeline.orchestration.prefect_env import DEFAULTS, healthy, server_state_file
from pipeline.settings import Settings, current, data_dir

START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(api_url: str, timeout: float = START_TIMEOUT_S, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if healthy(api_url):
            return True
        time.sleep(0.25)
    return False


def server_env(prefect_home: Path | None = None, base: dict[str, str] | None = None,
               settings: Settings | None = None) -> dict[str, str]:
    """The environment of a long-lived server: bukti's quiet defaults, minus what a one-shot check
    turns off but a server needs (the scheduler for `bukti serve`, late runs, cancellation …)."""
    env = dict(os.environ if base is None else base)
    env.pop("PREFECT_API_URL", None)
    for key, value in DEFAULTS.items():
        if key.startswith("PREFECT_SERVER_SERVICES_") and env.get(key) == value:
            env.pop(key)
        elif not key.startswith("PREFECT_SERVER_SERVICES_"):
            env.setdefault(key, value)
    if prefect_home is not None:
        env["PREFECT_HOME"] = str(prefect_home)
    else:
        env.setdefault("PREFECT_HOME", str(data_dir(settings) / "prefect"))
    return env


def read_state(settings: Settings | None = None) -> dict | None:
    try:
        info = json.loads(server_state_file(settings).read_text())
        return info if isinstance(info, dict) and "pid" in info and "api_url" in info else None
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is not a server.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _is_our_server(pid: int) -> bool:
    """Guard against a recycled pid: only a `prefect server start` process is ours to stop."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return _alive(pid)
    return b"server" in cmdline and any(b"prefect" in part for part in cmdline)


def status(settings: Settings | None = None) -> dict | None:
    """The running server's state, or None (a stale state file is removed)."""
    settings = current(settings)
    info = read_state(settings)
    if info is None:
        return None
    pid = int(info["pid"])
    if not (_alive(pid) and _is_our_server(pid)):
        server_state_file(settings).unlink(missing_ok=True)
        return None
    return {**info, "healthy": healthy(info["api_url"], timeout=settings.server_health_timeout_s)}


def start(port: int | None = None, ui: bool = False, timeout: float = START_TIMEOUT_S,
          settings: Settings | None = None) -> dict:
    """Start the server in the background (its own session: it outlives this command)."""
    settings = current(settings)
    running = status(settings)
    if running and not running["healthy"]:
        # Starting a second server would leave the state file to one of two; the user decides.
        raise RuntimeError(f"a bukti server (pid {running['pid']}) is running but not answering at "
                           f"{running['api_url']}; stop it with 'bukti server stop'")
    if running:
        if settings.warm_worker and not _worker_alive(running):
            # a server started before the worker existed, or whose worker died: start one now
            running.update(handoff.start_worker(running["api_url"], settings))
            atomic_write_text(server_state_file(settings), json.dumps(
                {k: v for k, v in running.items() if k != "healthy"}, indent=2) + "\n")
        return {**running, "already_running": True}
    port = port or free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    home = data_dir(settings)
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "prefect-server.log"
    env = server_env(settings=settings)
    env["PREFECT_SERVER_UI_ENABLED"] = "true" if ui else "false"
    prefect_cli = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect_cli)] if prefect_cli.exists() else [sys.executable, "-m", "prefect"]
    cmd += ["server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    if not wait_healthy(api_url, timeout, proc):
        _terminate(proc.pid)
        raise RuntimeError(f"Prefect server did not become healthy within {timeout:.0f} s; see {log_path}")
    info = {"pid": proc.pid, "api_url": api_url, "port": port, "log": str(log_path),
            "prefect_home": env["PREFECT_HOME"], "started_at": time.time()}
    if settings.warm_worker:
        info.update(handoff.start_worker(api_url, settings))
    atomic_write_text(server_state_file(settings), json.dumps(info, indent=2) + "\n")
    return info


def _terminate(pid: int, grace: float = 15.0) -> None:
    # The server was started in its own session, so its process group holds its uvicorn workers
    # and nothing else: signal that group (by its id), not processes found by name.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
            # A stopped (SIGSTOP) server handles SIGTERM only once it runs again.
            os.killpg(pid, signal.SIGCONT)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                reaped, _ = os.waitpid(pid, os.WNOHANG)
                if reaped:
                    return
            except ChildProcessError:
                pass  # not our child (started by an earlier command): poll instead
            if not _alive(pid):
                return
            time.sleep(0.1)


def _worker_alive(info: dict) -> bool:
    pid = info.get("worker_pid")
    return bool(pid) and _alive(int(pid)) and handoff.is_worker(int(pid))


def stop(settings: Settings | None = None) -> bool:
    info = status(settings)
    if info is None:
        return False
    if _worker_alive(info):
        _terminate(int(info["worker_pid"]))   # first: its checks need the API server to end well
    _terminate(int(info["pid"]))
    server_state_file(settings).unlink(missing_ok=True)
    return True


def add_arguments(p: argparse.ArgumentParser) -> None:
    """`bukti server`'s actions, on its parser in the command tree (pipeline/cli.py)."""
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    s = sub.add_parser("start", help="start it in the background")
    s.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    s.add_argument("--ui", action="store_true", help="also serve the Prefect UI")
    actions = [s, sub.add_parser("stop", help="stop it"), sub.add_parser("status", help="is it running, and where")]
    for action in actions:
        action.add_argument("--lang", choices=LANGS, default="id")


def run(args: argparse.Namespace) -> int:
    """`bukti server start|stop|status` with its parsed arguments."""
    lang = args.lang
    if args.action == "start":
        try:
            info = start(args.port, ui=args.ui)
        except RuntimeError as exc:
            print(f"bukti: {exc}", file=sys.stderr)
            return ExitCode.FLAGS
        key = "server_already_running" if info.get("already_running") else "server_started"
        print(text("cli", key, lang, url=info["api_url"], pid=info["pid"]))
        if info.get("worker_pid"):
            print(text("cli", "warm_worker_running", lang, pid=info["worker_pid"]))
        return ExitCode.OK
    if args.action == "stop":
        print(text("cli", "server_stopped" if stop() else "server_was_not_running", lang))
        return ExitCode.OK
    info = status()
    if info is None:
        print(text("cli", "server_none", lang))
        return ExitCode.FLAGS
    print(text("cli", "server_running" if info["healthy"] else "server_silent", lang,
               url=info["api_url"], pid=info["pid"]))
    print(text("cli", "warm_worker_running", lang, pid=info["worker_pid"]) if _worker_alive(info)
          else text("cli", "warm_worker_none", lang))
    return ExitCode.OK if info["healthy"] else ExitCode.FLAGS
