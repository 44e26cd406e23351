"""The unit's profile (unit.yaml) and employee roster (roster.csv).

A profile that cannot be used is bad input (exit 2, one line); a roster with some bad rows is
still useful, so bad rows become warnings in the report instead of stopping the run.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import yaml

from extractors import yamlio
from pipeline.terminal import without_controls
from rules.model import Head, Profile, RosterEntry

TARGETS = ("WBK", "WBBM")
# A roster of every civil servant of a large province is ~5 MB; more is not a unit's roster.
MAX_ROSTER_BYTES = 32 * 1024 * 1024


class ProfileError(ValueError):
    """unit.yaml is unreadable or has values of the wrong type."""


def _date(value, key: str, source: Path) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ProfileError(f"{source}: '{key}' must be a date YYYY-MM-DD, got {value!r}") from None


def clean_name(text: str) -> str:
    """A name as one line without control characters: they mean nothing in a unit's name, would
    reach the terminal raw, and an XLSX file cannot hold them (writing one failed the run)."""
    return " ".join(without_controls(text).split())


def profile_path_for(evidence_dir: Path, profile: str | None) -> Path | None:
    """--profile wins; otherwise the folder's own unit.yaml, if it has one."""
    if profile:
        return Path(profile)
    for name in ("unit.yaml", "unit.yml"):
        if (evidence_dir / name).is_file():
            return evidence_dir / name
    return None


def load_profile(path: Path | None, today: dt.date | None = None) -> Profile:
    """Without a profile the unit is unknown (unit ""): checks that need its identity are skipped,
    and the period is the current year."""
    today = today or dt.date.today()
    if path is None:
        return Profile(unit="", period=today.year, check_date=today)
    try:
        with open(path, encoding="utf-8") as fh:   # a stream: only the size bound is read
            data = yamlio.safe_load(fh)
    except FileNotFoundError:
        raise ProfileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    except yamlio.YamlLimitError as exc:
        raise ProfileError(f"{path}: refused, {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ProfileError(f"{path}:{where} not valid YAML") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping with 'unit', 'period', 'target'")
    unit = data.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        raise ProfileError(f"{path}: 'unit' must be the unit's full name (text)")
    aliases = data.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ProfileError(f"{path}: 'aliases' must be a list of names")
    head = data.get("head") or {}
    if not isinstance(head, dict):
        raise ProfileError(f"{path}: 'head' must be a mapping with 'name' and 'nip'")
    nip = head.get("nip")
    if nip is not None and not isinstance(nip, (str, int)):
        raise ProfileError(f"{path}: 'head.nip' must be text")
    check_date = _date(data["check_date"], "check_date", path) if data.get("check_date") else today
    period = data.get("period", check_date.year)
    if isinstance(period, bool) or not isinstance(period, int) or not 2000 <= period <= 2100:
        raise ProfileError(f"{path}: 'period' must be a year such as 2024, got {period!r}")
    target = str(data.get("target", "WBK")).upper()
    if target not in TARGETS:
        raise ProfileError(f"{path}: 'target' must be WBK or WBBM, got {data.get('target')!r}")
    name = head.get("name")
    if name is not None and not isinstance(name, str):
        raise ProfileError(f"{path}: 'head.name' must be text")
    hasil = data.get("hasil") or {}
    if not isinstance(hasil, dict):
        raise ProfileError(f"{path}: 'hasil' must be a mapping such as {{ipak: 3.62, ipkp: 3.41, capaian_kinerja: B}}")
    for key, value in hasil.items():
        if key in ("ipak", "ipkp"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 4:
                raise ProfileError(f"{path}: 'hasil.{key}' must be an index from 1 to 4, got {value!r}")
        elif key == "capaian_kinerja":
            if str(value).strip().upper() not in ("A", "B", "C", "D", "E"):
                raise ProfileError(f"{path}: 'hasil.capaian_kinerja' must be a grade A-E, got {value!r}")
        else:
            raise ProfileError(f"{path}: 'hasil.{key}': unknown (known: ipak, ipkp, capaian_kinerja)")
    previous = data.get("previous_predicate")
    if previous is not None and str(previous).upper() not in TARGETS:
        raise ProfileError(f"{path}: 'previous_predicate' must be WBK or WBBM, got {previous!r}")
    return Profile(unit=clean_name(unit), aliases=[clean_name(a) for a in aliases],
                   head=Head(name=clean_name(name) if name else None, nip=str(nip).replace(" ", "") if nip else None),
                   period=period, target=target, check_date=check_date, hasil=dict(hasil),
                   previous_predicate=str(previous).upper() if previous else None)


def load_roster(path: Path) -> tuple[list[RosterEntry], list[str]]:
    """Rows of roster.csv (nama,nip,jabatan) and one warning per row that could not be used."""
    entries: list[RosterEntry] = []
    warnings: list[str] = []
    if not path.is_file():
        return entries, warnings
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        return entries, [f"{path.name}: cannot read ({exc.strerror or exc}); roster ignored"]
    if len(raw) > MAX_ROSTER_BYTES:
        return entries, [f"{path.name}: larger than {MAX_ROSTER_BYTES // (1024 * 1024)} MB; roster ignored"]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        warnings.append(f"{path.name}: not UTF-8, read as Latin-1")
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    fields = {(f or "").strip().lower(): f for f in (reader.fieldnames or [])}
    name_key = fields.get("nama") or fields.get("name")
    if not name_key:
        return entries, [f"{path.name}: no 'nama' column; roster ignored"]
    for line, row in enumerate(reader, start=2):
        name = (row.get(name_key) or "").strip()
        if not name:
            warnings.append(f"{path.name}:{line}: row without a name skipped")
            continue
        nip = "".join((row.get(fields.get("nip", ""), "") or "").split()) or None
        if nip and not nip.isdigit():
            warnings.append(f"{path.name}:{line}: NIP {nip!r} is not a number; kept without NIP")
            nip = None
        jabatan = (row.get(fields.get("jabatan", ""), "") or "").strip() or None
        entries.append(RosterEntry(name=name, nip=nip, jabatan=jabatan, line=line))
    return entries, warnings
