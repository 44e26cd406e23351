"""`bukti` command line. Exit codes (contract): 0 no error flag, 1 error flags, 2 bad usage/input.

Input problems are checked here, before Prefect starts, so a typo costs a one-line answer rather
than a server start-up and a traceback.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from pipeline.exitcodes import ExitCode, UsageError, UsageParser
from pipeline.i18n import LANGS, text
from pipeline.settings import Settings

_T0 = time.monotonic()


def _fail(line: str) -> "NoReturn":  # noqa: F821
    from pipeline.terminal import printable
    print(f"bukti: {printable(line)}", file=sys.stderr)
    raise SystemExit(ExitCode.USAGE)


def _lang_from(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[7:] in LANGS:
            return arg[7:]
    return "id"


def build_parser() -> UsageParser:
    """The one command tree: every `bukti` command and its arguments. Each command's own module
    adds its arguments (review, nightly/serve, server) and runs them; nothing here imports Prefect."""
    from pipeline.orchestration import serve, server
    from pipeline.report import review
    parser = UsageParser(prog="bukti", description="Periksa bukti dukung Zona Integritas (LKE PermenPAN-RB 90/2021).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=UsageParser)
    _check_arguments(sub.add_parser("check", help="verify an evidence folder / periksa folder bukti"))
    review.add_commands(sub.add_parser("review", help="waive/acknowledge flags: bukti review waive|ack|list …",
                                       description="Record reviewer decisions on flags."))
    serve.add_arguments(sub.add_parser("nightly", help="verify every unit folder under ROOT: "
                                                       "bukti nightly ROOT [--out OUT_ROOT]"), cron=False)
    serve.add_arguments(sub.add_parser("serve", help="nightly schedule as a Prefect deployment: "
                                                     "bukti serve ROOT --cron '0 1 * * *'"), cron=True)
    server.add_arguments(sub.add_parser("server", help="long-lived local Prefect server: bukti server start|stop|status",
                                        description="long-lived local Prefect API server for bukti"))
    return parser


def _check_arguments(p) -> None:
    p.add_argument("evidence_dir")
    p.add_argument("--profile", help="unit.yaml (default: EVIDENCE_DIR/unit.yaml)")
    p.add_argument("--out", default="bukti-report", help="report folder (default: ./bukti-report)")
    p.add_argument("--rules", help="rule pack: lke-2021 (default) or a path to a pack")
    p.add_argument("--lke", help="the unit's own LKE answers, CSV or XLSX (default: EVIDENCE_DIR/lke.csv or lke.xlsx)")
    p.add_argument("--lang", choices=LANGS, default="id")
    p.add_argument("--store", help="run store: SQLite file or database URL, 'none' to turn off "
                                   "(default: $BUKTI_STORE or store.sqlite in bukti's data folder)")


def _validate_check(args, settings: Settings) -> tuple[Path, Path]:
    from rules.pack import PackError, load_pack

    from pipeline.report.output import UnsafeLockFile, open_lock_file
    from pipeline.profile import ProfileError, load_profile, profile_path_for

    lang = args.lang
    evidence = Path(args.evidence_dir)
    if not evidence.exists():
        _fail(text("cli", "no_folder", lang, path=evidence))
    if not evidence.is_dir():
        _fail(text("cli", "not_a_folder", lang, path=evidence))
    evidence = evidence.resolve()
    try:
        load_profile(profile_path_for(evidence, args.profile))
    except ProfileError as exc:
        _fail(text("cli", "bad_profile", lang, reason=exc))
    try:
        load_pack(args.rules)
    except PackError as exc:
        _fail(text("cli", "bad_rules", lang, reason=exc))
    from pipeline.store import StoreError, check_store
    try:
        check_store(args.store, settings)
    except StoreError as exc:
        _fail(exc.message(lang))
    if args.lke and not Path(args.lke).is_file():
        _fail(text("cli", "no_answers", lang, path=args.lke))
    out = Path(args.out).resolve()
    if out == evidence or evidence in out.parents:
        _fail(text("cli", "out_inside_evidence", lang, path=out))
    # A damaged review.json is bad input like a damaged unit.yaml: running on without it would
    # turn the reviewer's waivers back into blocking errors (issue 16 row 7).
    from pipeline.report.review import load_decisions
    try:
        load_decisions(out)
    except ValueError as exc:
        _fail(text("cli", "bad_review", lang, reason=exc))
    try:
        out.mkdir(parents=True, exist_ok=True)
        # An unnamed temporary file: a fixed probe name could be a planted symlink, and writing
        # through it would truncate its target.
        import tempfile
        tempfile.TemporaryFile(dir=out).close()
        # The lock file is checked here too, so a planted link costs one line before any start-up.
        os.close(open_lock_file(out / ".bukti.lock"))
    except UnsafeLockFile as exc:
        _fail(_unsafe_lock_line(exc, lang))
    except OSError as exc:
        _fail(text("cli", "out_unwritable", lang, path=out, reason=exc.strerror or exc))
    return evidence, out


def _unsafe_lock_line(exc, lang: str) -> str:
    import errno
    why = text("cli", "lock_is_link" if exc.errno == errno.ELOOP else "lock_not_regular", lang)
    return text("cli", "out_lock_unsafe", lang, path=exc.filename, reason=why)


def _start_readahead(evidence: Path, store_spec: str | None, settings: Settings):
    """The files the store has not read start reading while Prefect starts (pipeline/read.py);
    the handle, or None. As many files as the flow has readers: handing read-ahead the whole of a
    first run's folder (largest first, the flow's readers taking what it had not started) was
    no faster on the short bench folder (cold check 51, 41, 138 s against 40, 31, 139 s, a loaded
    machine) and took more CPU (user 45.1, 47.3, 48.5 s against 45.3, 43.9, 46.7 s): more reads
    at once, fighting over the same two cores."""
    from extractors.limits import DOC_WORKERS

    from pipeline import read
    from pipeline.store import get_store, resolve_url
    try:
        url = resolve_url(store_spec, settings)
        return read.start(evidence, get_store(url, settings) if url else None, DOC_WORKERS,
                          read=lambda path, kind: read.extract_file(path, kind, settings))
    except Exception:
        return None  # the flow reads every file itself


def cmd_check(args, prefect_mode: str, settings: Settings) -> int:
    evidence, out = _validate_check(args, settings)
    lang = args.lang
    from pipeline import stopping
    stopping.install(lang)   # before the read-ahead starts its first Tesseract
    ahead = _start_readahead(evidence, args.store, settings)
    from pipeline import progress
    from pipeline.report.output import OutputLocked, UnsafeLockFile, locked
    from pipeline.orchestration.prefect_env import one_shot_settings
    from pipeline.timing import stage

    started = time.monotonic()
    print(text("cli", "starting", lang, path=evidence), file=sys.stderr)
    print(text("cli", "prefect_mode", lang, mode=prefect_mode), file=sys.stderr)
    try:
        with locked(out), progress.use(progress.for_stream(sys.stderr)), one_shot_settings():
            with stage("import"):
                from pipeline.check import exit_code
                from pipeline.orchestration.flow import check_flow
            _imported()
            report = check_flow(str(evidence), str(out), profile=args.profile, rules=args.rules, lang=lang,
                                lke=args.lke, store=args.store, settings=settings, ahead=ahead).report
    except OutputLocked:
        _fail(text("cli", "out_locked", lang, path=out))
    except UnsafeLockFile as exc:
        _fail(_unsafe_lock_line(exc, lang))
    finally:
        if ahead is not None:
            ahead.stop()
    s = report["summary"]
    print(text("cli", "summary", lang, documents=s["documents"], waived=s.get("waived", 0), **s["flags"]))
    print(text("cli", "indicators", lang, ok=s["indicators_ok"], total=s["indicators_total"]))
    from pipeline.i18n import score_line
    line = score_line(report, lang)
    if line:
        print(line)
    print(text("cli", "report_at", lang, path=out / "report.html"))
    if settings.timing:
        print(f"elapsed {time.monotonic() - started:.1f}s (since the start of the command: "
              f"{time.monotonic() - _T0:.1f}s)", file=sys.stderr)
        from extractors import ocr
        print(f"timing ocr-cpu {ocr.tesseract.children_cpu_s():.3f}s", file=sys.stderr)
        print(f"ocr-runs {json.dumps(ocr.tesseract.runs())}", file=sys.stderr)
    return exit_code(report)


def main(argv: list[str] | None = None, *, hand_off: bool = True) -> int:
    """`bukti` with `argv` (default: the command line). `hand_off`: a check may run in the warm
    worker of a `bukti server` (False in the worker's own child, which is that check)."""
    import gc
    as_command = argv is None
    if as_command:
        # Importing Prefect, pydantic and SQLAlchemy makes about a million long-lived objects;
        # collecting while they are made was a tenth of a warm re-check (benchmarks/RESULTS.md,
        # 'Measurements behind the code'). `_imported` freezes them (later collections skip them)
        # and turns collection back on.
        gc.disable()
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv), hand_off)
    finally:
        _imported()
    if as_command:
        # The command is about to exit: the interpreter's last garbage collection would walk
        # every object of the run (a second after a large check) only to free memory the OS takes
        # back anyway. Frozen objects are skipped; atexit handlers still run.
        gc.freeze()
    return code


def _imported() -> None:
    """The command's modules are loaded: keep what exists out of every later collection."""
    import gc
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _start(settings: Settings) -> None:
    """What the process needs set before any stage runs, from the one settings object."""
    from pipeline import timing
    timing.configure(settings.timing)
    # The OCR pool is sized from the settings by the read path (pipeline/read.py) when the first
    # file is read: importing the extractors here would cost a warm re-check, which reads none.


def _main(argv: list[str], hand_off: bool = True) -> int:
    lang = _lang_from(argv)
    settings = Settings.from_env()
    _start(settings)
    if hand_off and argv[:1] == ["check"]:
        # Before anything is imported: the worker has it all imported already.
        from pipeline.handoff import run_in_worker
        code = run_in_worker(argv, settings, _T0)
        if code is not None:
            return code
    # Prefect reads its settings once, at import: point it at a running `bukti server` before
    # anything (input validation imports pipeline.orchestration.flow) imports it.
    from pipeline.orchestration.prefect_env import configure
    prefect_mode = configure(lang, settings)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        _fail(str(exc))
    from pipeline.stopping import Interrupted
    if args.command != "check":
        _imported()
        if args.command == "review":
            from pipeline.report.review import run
            return run(args)
        if args.command == "server":
            from pipeline.orchestration.server import run
            return run(args)
        from pipeline.orchestration.serve import run
        try:
            return run(args.command, args)
        except Interrupted as exc:
            return exc.exit_code
    try:
        return cmd_check(args, prefect_mode, settings)
    except Interrupted as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so in one line rather than a traceback for users
        if settings.debug:
            raise
        print(f"bukti: {text('cli', 'internal_error', lang, reason=f'{exc.__class__.__name__}: {exc}')}",
              file=sys.stderr)
        return ExitCode.INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
