"""Reviewer decisions on flags, kept in REPORT_DIR/review.json.

A decision is keyed by the flag's stable key (code + content hash of its documents + indicator,
see rules.model.Flag.key), never by its id or a path: ids are renumbered on every run and files
get renamed, but a waiver must keep applying to the same finding about the same content.

review.json:
    {"version": 1,
     "decisions": {"UNSIGNED:3fa9c2d1e0b4": {"decision": "waived", "reason": "...", "at": "ISO"}}}
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from pipeline.exitcodes import ExitCode, UsageError, UsageParser
from pipeline.report.output import atomic_write_bytes
from pipeline.terminal import printable
from pipeline.i18n import LANGS, ui_strings

REVIEW_FILE = "review.json"
DEFAULT_REPORT_DIR = "bukti-report"
DECISIONS = ("waived", "acknowledged")
VERSION = 1
# Thousands of decisions are ~1 MB; anything far beyond is not a reviewer's file.
MAX_BYTES = 16 * 1024 * 1024


def _path(report_dir: Path | str) -> Path:
    return Path(report_dir) / REVIEW_FILE


def load_decisions(report_dir: Path | str) -> dict[str, dict[str, Any]]:
    """Decisions by flag key; {} when there is no review.json yet.

    A damaged review.json raises ValueError rather than being read as empty: silently dropping
    a reviewer's waivers would turn them back into blocking errors."""
    path = _path(report_dir)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:   # a directory, a permission, an I/O error
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise ValueError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:   # [[[[…]]]] nested deeper than the parser's stack
        raise ValueError(f"{path}: not valid JSON (nested too deeply)") from None
    decisions = data.get("decisions") if isinstance(data, dict) else None
    if not isinstance(decisions, dict):
        raise ValueError(f"{path}: no 'decisions' object")
    out: dict[str, dict[str, Any]] = {}
    for key, d in decisions.items():
        if isinstance(d, dict) and d.get("decision") in DECISIONS:
            out[str(key)] = {"decision": d["decision"], "reason": d.get("reason"), "at": d.get("at")}
    return out


def _save(report_dir: Path | str, decisions: dict[str, dict[str, Any]]) -> None:
    body = {"version": VERSION, "decisions": {k: decisions[k] for k in sorted(decisions)}}
    atomic_write_bytes(_path(report_dir),
                       (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _decide(report_dir: Path | str, key: str, decision: str, reason: str | None) -> dict[str, Any]:
    decisions = load_decisions(report_dir)
    entry = {"decision": decision, "reason": reason, "at": _now()}
    decisions[key] = entry
    _save(report_dir, decisions)
    return entry


def waive(report_dir: Path | str, key: str, reason: str) -> dict[str, Any]:
    """Record that the flag `key` is accepted as not a real problem. A reason is required: the
    evaluator will ask why an error was set aside."""
    if not reason or not reason.strip():
        raise ValueError("a waiver needs a reason")
    return _decide(report_dir, key, "waived", reason.strip())


def ack(report_dir: Path | str, key: str) -> dict[str, Any]:
    """Record that the flag `key` was seen; it keeps its severity and still blocks if an error."""
    return _decide(report_dir, key, "acknowledged", None)


def apply_decisions(report: dict[str, Any], decisions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Set flags[].review and summary.waived from `decisions`. Waived flags stay in the list.

    Updates `report` in place and returns it. Decisions whose key no longer matches a flag (the
    problem was fixed) are ignored and stay on file in case it comes back."""
    waived = 0
    for flag in report.get("flags", []):
        d = decisions.get(flag.get("key") or "")
        for old in flag.get("legacy_keys") or []:
            # a decision recorded when the indicator had its pre-2021 code ("1.1" for I.P.i)
            d = d or decisions.get(old)
        flag["review"] = dict(d) if d else None
        if d and d.get("decision") == "waived":
            waived += 1
    report.setdefault("summary", {})["waived"] = waived
    return report


def blocking_errors(report: dict[str, Any]) -> int:
    """Error flags not waived: what decides `bukti check`'s exit code."""
    return sum(1 for f in report.get("flags", [])
               if f.get("severity") == "error" and (f.get("review") or {}).get("decision") != "waived")


# --------------------------------------------------------------------------- CLI

def add_commands(p: argparse.ArgumentParser) -> None:
    """`bukti review`'s own sub-commands, on its parser in the command tree (pipeline/cli.py)."""
    common = UsageParser(add_help=False)
    common.add_argument("--out", default=DEFAULT_REPORT_DIR, metavar="REPORT_DIR",
                        help=f"report folder (default: {DEFAULT_REPORT_DIR})")
    common.add_argument("--lang", choices=LANGS, default="id", help="message language")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=UsageParser)
    w = sub.add_parser("waive", parents=[common], help="waive a flag (it stays listed, marked waived)")
    w.add_argument("key")
    w.add_argument("--reason")
    a = sub.add_parser("ack", parents=[common], help="mark a flag as seen")
    a.add_argument("key")
    sub.add_parser("list", parents=[common], help="list flags with their keys and decisions")


def _load_report(out: Path, s: dict[str, Any]) -> dict[str, Any]:
    path = out / "report.json"
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except FileNotFoundError:
        raise UsageError(s["cli_no_report"].format(out=out)) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(s["cli_bad_report"].format(out=out, err=exc)) from None
    if not isinstance(report, dict):
        raise UsageError(s["cli_bad_report"].format(out=out, err="not an object"))
    return report


def _list(report: dict[str, Any], decisions: dict[str, dict[str, Any]], s: dict[str, Any], stdout: TextIO) -> None:
    apply_decisions(report, decisions)
    flags = report.get("flags", [])
    if not flags:
        print(s["cli_list_empty"], file=stdout)
        return
    print(_row(s["xl_id"], s["xl_severity"], s["xl_code"], s["xl_key"], s["xl_review"]).upper(), file=stdout)
    for f in flags:
        review = f.get("review") or {}
        if review.get("decision") == "waived":
            state = s["review_waived"] + (f": {review['reason']}" if review.get("reason") else "")
        elif review.get("decision") == "acknowledged":
            state = s["review_acknowledged"]
        else:
            state = "—"
        sev = s.get(f"severity_{f.get('severity')}", f.get("severity", ""))
        print(_row(f.get("id", ""), sev, f.get("code", ""), f.get("key") or "", _one_line(state)), file=stdout)
        docs = ", ".join(f.get("documents", []))
        if docs:
            print(f"       {_one_line(docs)}", file=stdout)
    print(s["cli_list_summary"].format(n=len(flags), waived=report["summary"]["waived"],
                                       blocking=blocking_errors(report)), file=stdout)


def _row(fid: str, sev: str, code: str, key: str, state: str) -> str:
    return f"{fid:<6} {sev:<10} {code:<22} {key:<34} {state}".rstrip()


def _one_line(text: str) -> str:
    # Reasons and file names are free text; a newline in them must not fake another flag's line,
    # and an ESC in them must not drive the reviewer's terminal.
    return printable(" ".join(str(text).split()))


def review_main(argv: list[str] | None = None, *, stdout: TextIO | None = None,
                stderr: TextIO | None = None) -> int:
    """`bukti review waive KEY --reason "…" | ack KEY | list [--out REPORT_DIR] [--lang id|en]`.

    Exit 0 on success, 2 with one line on stderr for bad usage, an unknown key or a missing
    report.json."""
    stderr = stderr or sys.stderr
    p = UsageParser(prog="bukti review", description="Record reviewer decisions on flags.")
    add_commands(p)
    try:
        args = p.parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        print(f"bukti review: {_one_line(str(exc))}", file=stderr)
        return exc.exit_code
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return run(args, stdout=stdout, stderr=stderr)


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """`bukti review` with its parsed arguments."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    s = ui_strings(args.lang)
    try:
        out = Path(args.out)
        if args.cmd == "waive" and not (args.reason or "").strip():
            raise UsageError(s["cli_need_reason"])
        report = _load_report(out, s)
        try:
            decisions = load_decisions(out)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if args.cmd == "list":
            _list(report, decisions, s, stdout)
            return ExitCode.OK
        keys = {f.get("key") for f in report.get("flags", []) if f.get("key")}
        if args.key not in keys:
            raise UsageError(s["cli_unknown_key"].format(key=args.key, out=out))
        if args.cmd == "waive":
            waive(out, args.key, args.reason)
            print(s["cli_saved_waive"].format(key=args.key), file=stdout)
        else:
            ack(out, args.key)
            print(s["cli_saved_ack"].format(key=args.key), file=stdout)
        return ExitCode.OK
    except UsageError as exc:
        print(f"bukti review: {_one_line(str(exc))}", file=stderr)
        return exc.exit_code


if __name__ == "__main__":
    raise SystemExit(review_main())
