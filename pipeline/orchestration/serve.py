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

from pipeline.discover import find_units
from pipeline.exitcodes import ExitCode
from pipeline.i18n import LANGS

DEPLOYMENT_NAME = "nightly"


def parameters(root: Path, out_root: Path, rules: str | None, lang: str, store: str | None) -> dict:
    return {"root": str(root), "out_root": str(out_root), "rules": rules, "lang": lang, "store": store}


def ensure_server() -> tuple[str, str]:
    """(mode, api_url) of a server with a scheduler, starting bukti's own when there is none."""
    from pipeline.orchestration.prefect_env import configure
    mode = configure()
    if mode == "ephemeral":
        from pipeline.orchestration import server
        info = server.start()
        os.environ["PREFECT_API_URL"] = info["api_url"]
        mode = "bukti-server (started)"
    return mode, os.environ["PREFECT_API_URL"]


def serve(root: Path, out_root: Path, cron: str, *, rules: str | None = None, lang: str = "id",
          store: str | None = None, name: str = DEPLOYMENT_NAME, run_now: bool = False) -> None:
    mode, api_url = ensure_server()
    print(f"Prefect: {mode} {api_url}", file=sys.stderr)
    # Absolute imports: the runner's subprocess loads the flow from its entrypoint file.
    from pipeline.orchestration.nightly import nightly_flow
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


# ---------------------------------------------------------------------- command line

def _usage_error(prog: str, line: str) -> int:
    print(f"{prog}: {line}", file=sys.stderr)
    return ExitCode.USAGE


def add_arguments(p, *, cron: bool) -> None:
    """`bukti nightly` (cron=False) and `bukti serve`'s arguments, on their parsers in the command
    tree (pipeline/cli.py)."""
    p.add_argument("root", help="folder holding one sub-folder per unit, each with its unit.yaml")
    p.add_argument("--out", help="reports: OUT/<unit-folder>/report.* and OUT/index.html "
                                 "(default: ./bukti-nightly)")
    p.add_argument("--rules", help="rule pack: lke-2021 (default) or a path to a pack")
    p.add_argument("--lang", choices=LANGS, default="id")
    p.add_argument("--store", help="run store: SQLite file or database URL (default: $BUKTI_STORE "
                                   "or store.sqlite in bukti's data folder)")
    if cron:
        p.add_argument("--cron", default="0 1 * * *", help="schedule, cron syntax (default: 01:00 daily)")
        p.add_argument("--name", default="nightly", help="deployment name (default: nightly)")
        p.add_argument("--run-now", action="store_true", help="also start one run at once")


def _validate(prog: str, args) -> tuple[Path, Path] | int:
    root = Path(args.root)
    if not root.is_dir():
        return _usage_error(prog, f"not a folder: {root}")
    root = root.resolve()
    if not find_units(root):
        return _usage_error(prog, f"no unit folders (sub-folders with unit.yaml) under {root}")
    out = Path(args.out or "bukti-nightly").resolve()
    if out == root or root in out.parents:
        return _usage_error(prog, f"the report folder must not be inside the evidence root: {out}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _usage_error(prog, f"cannot write the report folder: {out} ({exc.strerror or exc})")
    from pipeline.store import StoreError, check_store
    try:
        check_store(args.store)
    except StoreError as exc:
        return _usage_error(prog, exc.message(args.lang))
    return root, out


def run(command: str, args) -> int:
    """`bukti nightly|serve` with their parsed arguments. Kept free of Prefect imports until the
    API server is chosen: Prefect reads its settings once, when first imported."""
    prog = f"bukti {command}"
    checked = _validate(prog, args)
    if isinstance(checked, int):
        return checked
    root, out = checked
    if command == "serve":
        try:
            serve(root, out, args.cron, rules=args.rules, lang=args.lang, store=args.store,
                  name=args.name, run_now=args.run_now)
        except RuntimeError as exc:   # no server could be had (one that does not answer, …)
            print(f"{prog}: {exc}", file=sys.stderr)
            return ExitCode.FLAGS
        return ExitCode.OK
    from pipeline import progress, stopping
    from pipeline.orchestration.nightly import nightly_flow
    stopping.install(args.lang)
    from pipeline.orchestration.prefect_env import configure
    print(f"Prefect: {configure()}", file=sys.stderr)
    with progress.use(progress.for_stream(sys.stderr)):
        index = nightly_flow(str(root), str(out), rules=args.rules, lang=args.lang, store=args.store)
    s = index["summary"]
    print(f"{s['units']} units: {s['checked']} checked, {s['failed']} not checked, "
          f"{s['units_with_errors']} with errors; flags: {s['flags']['error']} error, "
          f"{s['flags']['warning']} warning, {s['flags']['info']} info")
    print(f"Index: {out / 'index.html'}")
    return ExitCode.FLAGS if (s["units_with_errors"] or s["failed"]) else ExitCode.OK
