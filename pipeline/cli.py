"""`bukti` command line. Exit codes (contract): 0 no error flag, 1 error flags, 2 bad usage/input.

Input problems are checked here, before Prefect starts, so a typo costs a one-line answer rather
than a server start-up and a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from pipeline import timing  # noqa: F401  (first: its clock starts with the command)
from pipeline.exitcodes import ExitCode
from pipeline.i18n import LANGS, text

_T0 = time.monotonic()


class _Parser(argparse.ArgumentParser):
    """argparse prints the whole usage on error; the contract wants one clear line."""

    def error(self, message: str):  # type: ignore[override]
        _fail(f"{message} (see '{self.prog} --help')")


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


def _check_parser(sub) -> None:
    p = sub.add_parser("check", help="verify an evidence folder / periksa folder bukti")
    p.add_argument("evidence_dir")
    p.add_argument("--profile", help="unit.yaml (default: EVIDENCE_DIR/unit.yaml)")
    p.add_argument("--out", default="bukti-report", help="report folder (default: ./bukti-report)")
    p.add_argument("--rules", help="rule pack: lke-2021 (default) or a path to a pack")
    p.add_argument("--lke", help="the unit's own LKE answers, CSV or XLSX (default: EVIDENCE_DIR/lke.csv or lke.xlsx)")
    p.add_argument("--lang", choices=LANGS, default="id")
    p.add_argument("--store", help="run store: SQLite file or database URL, 'none' to turn off "
                                   "(default: $BUKTI_STORE or store.sqlite in bukti's data folder)")


def _validate_check(args) -> tuple[Path, Path]:
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
        check_store(args.store)
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


def _start_readahead(evidence: Path, store_spec: str | None) -> None:
    """Changed files start reading while Prefect starts (pipeline/readahead.py)."""
    from extractors.limits import DOC_WORKERS

    from pipeline import readahead
    from pipeline.store import get_store, resolve_url
    try:
        url = resolve_url(store_spec)
        from pipeline.understand import extract_file
        readahead.start(evidence, get_store(url) if url else None, DOC_WORKERS, read=extract_file)
    except Exception:
        pass  # the flow reads every file itself


def cmd_check(args, prefect_mode: str) -> int:
    evidence, out = _validate_check(args)
    lang = args.lang
    from pipeline import stopping
    stopping.install(lang)   # before the read-ahead starts its first Tesseract
    _start_readahead(evidence, args.store)
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
                from pipeline.orchestration.flow import check_flow
                from pipeline.report.review import blocking_errors
            _imported()
            report = check_flow(str(evidence), str(out), profile=args.profile, rules=args.rules, lang=lang,
                                lke=args.lke,
                                store=args.store).report
    except OutputLocked:
        _fail(text("cli", "out_locked", lang, path=out))
    except UnsafeLockFile as exc:
        _fail(_unsafe_lock_line(exc, lang))
    s = report["summary"]
    print(text("cli", "summary", lang, documents=s["documents"], waived=s.get("waived", 0), **s["flags"]))
    print(text("cli", "indicators", lang, ok=s["indicators_ok"], total=s["indicators_total"]))
    from pipeline.i18n import score_line
    line = score_line(report, lang)
    if line:
        print(line)
    print(text("cli", "report_at", lang, path=out / "report.html"))
    if os.environ.get("BUKTI_TIMING"):
        print(f"elapsed {time.monotonic() - started:.1f}s (since the start of the command: "
              f"{time.monotonic() - _T0:.1f}s)", file=sys.stderr)
        from extractors import ocr
        print(f"timing ocr-cpu {ocr.tesseract.children_cpu_s():.3f}s", file=sys.stderr)
        print(f"ocr-runs {json.dumps(ocr.tesseract.runs())}", file=sys.stderr)
    return ExitCode.FLAGS if blocking_errors(report) else ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    import gc
    as_command = argv is None
    if as_command:
        # Importing Prefect, pydantic and SQLAlchemy makes ~1 M long-lived objects; collecting
        # while they are made took ~0.5 s (10 %) of a warm re-check. `_imported` freezes them
        # (later collections skip them) and turns collection back on.
        gc.disable()
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        _imported()
    if as_command:
        # The command is about to exit: the interpreter's last garbage collection would walk
        # every object of the run (≈ 1 s after a 300-document check) only to free memory the
        # OS takes back anyway. Frozen objects are skipped; atexit handlers still run.
        gc.freeze()
    return code


def _imported() -> None:
    """The command's modules are loaded: keep what exists out of every later collection."""
    import gc
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _main(argv: list[str]) -> int:
    lang = _lang_from(argv)
    # Prefect reads its settings once, at import: point it at a running `bukti server` before
    # anything (input validation imports pipeline.orchestration.flow) imports it.
    from pipeline.orchestration.prefect_env import configure
    prefect_mode = configure(lang)
    if argv and argv[0] == "review":
        from pipeline.report.review import review_main
        _imported()
        return review_main(argv[1:])
    from pipeline.stopping import Interrupted
    # OCR's process settings (one OpenMP thread per Tesseract, …) before any page is read.
    from extractors import ocr
    ocr.configure()
    if argv and argv[0] in ("nightly", "serve", "server"):
        from pipeline.orchestration.serve import cli_main
        _imported()
        try:
            return cli_main(argv[0], argv[1:])
        except Interrupted as exc:
            return exc.exit_code
    parser = _Parser(prog="bukti", description="Periksa bukti dukung Zona Integritas (LKE PermenPAN-RB 90/2021).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _check_parser(sub)
    sub.add_parser("review", help="waive/acknowledge flags: bukti review waive|ack|list …")
    sub.add_parser("nightly", help="verify every unit folder under ROOT: bukti nightly ROOT [--out OUT_ROOT]")
    sub.add_parser("serve", help="nightly schedule as a Prefect deployment: bukti serve ROOT --cron '0 1 * * *'")
    sub.add_parser("server", help="long-lived local Prefect server: bukti server start|stop|status")
    args = parser.parse_args(argv)
    try:
        return cmd_check(args, prefect_mode)
    except Interrupted as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so in one line rather than a traceback for users
        if os.environ.get("BUKTI_DEBUG"):
            raise
        print(f"bukti: {text('cli', 'internal_error', lang, reason=f'{exc.__class__.__name__}: {exc}')}",
              file=sys.stderr)
        return ExitCode.INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
