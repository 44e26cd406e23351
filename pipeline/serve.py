"""`bukti serve ROOT --cron "0 1 * * *"`: the nightly flow as a Prefect deployment on this machine.

Embedded: `nightly_flow.serve()` registers the deployment and polls for its scheduled runs in
this process, running each as a subprocess. Schedules are turned into runs by the Prefect server's
scheduler service, which a temporary (ephemeral) server does not run, so when no server is
configured this starts the long-lived one (`bukti server start`) first and leaves it running.

`limit=1`: one nightly run at a time, so one OCR pool (one Tesseract per core) is ever busy.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

DEPLOYMENT_NAME = "nightly"


def parameters(root: Path, out_root: Path, rules: str | None, lang: str, store: str | None) -> dict:
    return {"root": str(root), "out_root": str(out_root), "rules": rules, "lang": lang, "store": store}


def ensure_server() -> tuple[str, str]:
    """(mode, api_url) of a server with a scheduler, starting bukti's own when there is none."""
    from .prefect_env import configure
    mode = configure()
    if mode == "ephemeral":
        from . import server
        info = server.start()
        os.environ["PREFECT_API_URL"] = info["api_url"]
        mode = "bukti-server (started)"
    return mode, os.environ["PREFECT_API_URL"]


def serve(root: Path, out_root: Path, cron: str, *, rules: str | None = None, lang: str = "id",
          store: str | None = None, name: str = DEPLOYMENT_NAME, run_now: bool = False) -> None:
    mode, api_url = ensure_server()
    print(f"Prefect: {mode} {api_url}", file=sys.stderr)
    # Absolute imports: the runner's subprocess loads the flow from its entrypoint file.
    from pipeline.nightly import nightly_flow
    print(f"bukti-nightly/{name}: {root} → {out_root}, cron '{cron}' (Ctrl-C stops serving)",
          file=sys.stderr)
    if run_now:
        _run_soon(nightly_flow, name, parameters(root, out_root, rules, lang, store), cron)
    nightly_flow.serve(name=name, cron=cron, limit=1,
                       parameters=parameters(root, out_root, rules, lang, store),
                       description="Verify every unit folder under ROOT (bukti nightly)",
                       print_starting_message=False)


def _run_soon(flow_obj, name: str, params: dict, cron: str) -> None:
    """Register the deployment and ask for one run at once (for trying a set-up out)."""
    from prefect.deployments import run_deployment
    flow_obj.to_deployment(name=name, cron=cron, parameters=params).apply()
    run_deployment(f"{flow_obj.name}/{name}", timeout=0)
