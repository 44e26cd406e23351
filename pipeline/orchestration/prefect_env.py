"""Prefect settings bukti needs, applied before Prefect is imported.

Ephemeral mode (no PREFECT_API_URL) starts a temporary local API server per process, seconds per
`bukti check` (benchmarks/RESULTS.md). Users who run bukti repeatedly start one long-lived
server (`bukti server start`) and every later command finds it through the state file.
No telemetry: bukti runs in government networks and must make no outside calls.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from pipeline.settings import Settings, current, data_dir

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # Nothing of a check run is worth persisting in Prefect's result store: the report is the result.
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    # Services a one-shot check never uses: fewer things to start in the ephemeral server.
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
}



def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API server answers its health endpoint within `timeout` seconds."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def server_state_file(settings: Settings | None = None) -> Path:
    return data_dir(settings) / "prefect-server.json"


_WARNED: set[tuple[int, str]] = set()


def configure(lang: str = "id", settings: Settings | None = None) -> str:
    """Set defaults (the user's own environment wins) and say which API mode is in use."""
    settings = current(settings)
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if os.environ.get("PREFECT_API_URL"):
        return "server"
    state = server_state_file(settings)
    if state.is_file():
        try:
            info = json.loads(state.read_text())
            pid = int(info["pid"])
            os.kill(pid, 0)
            api_url = str(info["api_url"])
        except (OSError, ValueError, KeyError, TypeError):
            return "ephemeral"  # stale state file: the server is gone
        # A live pid is not a working server: a stopped (SIGSTOP) one, or a recycled pid, would
        # make every command wait on its socket forever. Only a server that answers is used.
        if healthy(api_url, timeout=settings.server_health_timeout_s):
            os.environ["PREFECT_API_URL"] = api_url
            return "bukti-server"
        if (pid, api_url) in _WARNED:   # configure() runs again when a command starts a flow
            return "ephemeral"
        _WARNED.add((pid, api_url))
        import sys

        from pipeline.i18n import text
        from pipeline.terminal import printable
        print(f"bukti: {printable(text('cli', 'server_not_answering', lang, url=api_url, pid=pid))}",
              file=sys.stderr)
    return "ephemeral"


def one_shot_settings():
    """Prefect settings for a single `bukti check` in this process (a context manager).

    No flow-run heartbeats: they let a server notice a crashed run of a deployment, but a check
    run from the command line reports its own end, and Prefect's heartbeat thread sleeps in 1 s
    steps that the end of every run waits out (0.5 s on average). `bukti nightly` and served
    deployments keep them."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
