"""Hostile and broken inputs: every bad file becomes a flag with a reason, never a crash or a lost run.

Most cases go through ONE real `bukti check` (module fixture `hostile_run`) over a folder built by
fixtures/hostile.py, so Prefect starts once; each case then asserts its exact outcome in report.json.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import pytesseract

from extractors.sniff import sniff
from fixtures import hostile
from pipeline import cli
from pipeline import check
from pipeline.report.output import locked
from pipeline.report.json_report import validate

FILE_CODES = {"CORRUPT_FILE", "UNSUPPORTED_FILE", "UNREADABLE"}
VANISHING = "akan-hilang.pdf"

# Hangs on one page width and crashes on another; every other page goes to the real tesseract.
FAKE_TESSERACT = f"""#!/bin/sh
hdr=$(head -c 16 "$1" 2>/dev/null | tr '\\n' ' ')
case "$hdr" in
  "P5 {hostile.HANG_WIDTH} "*) exec sleep 120 ;;
  "P5 {hostile.CRASH_WIDTH} "*) kill -SEGV $$ ;;
esac
exec {shutil.which("tesseract")} "$@"
"""


def snapshot(folder: Path) -> dict[bytes, tuple]:
    """Every entry's type, content hash and mtime (links by lstat: their targets are not ours)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(folder)):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                digest = os.readlink(p)
            else:
                digest = None
            out[p] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, digest)
    return out


def run_cli(folder: Path, out: Path, *extra) -> tuple[int, dict]:
    rc = cli.main(["check", str(folder), "--out", str(out), "--store", "none", "--lang", "en", *extra])
    return rc, json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    evidence, outside, out = base / "evidence", base / "outside", base / "report"
    cases = hostile.build_hostile_folder(evidence, outside)
    fake = base / "tesseract"
    fake.write_text(FAKE_TESSERACT)
    fake.chmod(0o755)
    real_discover = check.discover

    def discover_then_delete(root, known=None):
        found = real_discover(root, known)
        os.unlink(Path(root) / VANISHING)   # gone between discovery and extraction
        return found

    before = snapshot(evidence)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pytesseract.pytesseract, "tesseract_cmd", str(fake))
        mp.setenv("BUKTI_OCR_TIMEOUT", "3")
        mp.setenv("BUKTI_HOME", str(base / "home"))
        mp.setattr(check, "discover", discover_then_delete)
        rc, report = run_cli(evidence, out)
    after = snapshot(evidence)
    return {"rc": rc, "report": report, "cases": cases, "out": out, "outside": outside,
            "before": before, "after": after, "evidence": evidence}


def _flags_of(report: dict, path: str) -> list[dict]:
    return [f for f in report["flags"] if path in f["documents"]]


def test_every_hostile_file_gets_its_exact_outcome(hostile_run):
    report = hostile_run["report"]
    docs = {d["path"]: d for d in report["documents"]}
    problems = []
    for case in hostile_run["cases"]:
        if case.path not in docs:
            problems.append(f"{case.path}: missing from report.documents")
            continue
        file_flags = [f for f in _flags_of(report, case.path) if f["code"] in FILE_CODES]
        if case.code is None:
            if file_flags:
                problems.append(f"{case.path} ({case.what}): unexpected {[f['message'] for f in file_flags]}")
            continue
        if [f["code"] for f in file_flags] != [case.code]:
            problems.append(f"{case.path} ({case.what}): want one {case.code}, got "
                            f"{[(f['code'], f['message']) for f in file_flags]}")
            continue
        [flag] = file_flags
        said = flag["message"] + " " + json.dumps(flag["evidence"], ensure_ascii=False)
        if flag["documents"] != [case.path] or case.path not in flag["message"]:
            problems.append(f"{case.path}: flag does not name the document: {flag}")
        if case.reason.lower() not in said.lower():
            problems.append(f"{case.path} ({case.what}): reason {case.reason!r} not in {said!r}")
    assert not problems, "\n".join(problems)


def test_the_good_documents_are_still_verified(hostile_run):
    docs = {d["path"]: d for d in hostile_run["report"]["documents"]}
    good = [c.path for c in hostile_run["cases"] if c.extra.get("good")]
    assert len(good) == 3
    for path in good:
        assert docs[path]["doc_type"] not in (None, "unknown"), docs[path]
        assert docs[path]["fields"]["tanggal"], docs[path]


def test_content_not_extension_decides(hostile_run):
    docs = {d["path"]: d for d in hostile_run["report"]["documents"]}
    assert docs["rusak/pdf-bernama.jpg"]["text_source"] == "text"
    assert docs["rusak/jpeg-bernama.pdf"]["text_source"] == "ocr"
    assert docs["rusak/jpeg-bernama.pdf"]["doc_type"] == "sk_tim_zi"
    assert docs["rusak/500-halaman.pdf"]["pages"] == 500
    assert docs["rusak/terkunci-cetak.pdf"]["text_source"] == "text"
    xref = docs["rusak/xref-rusak.pdf"]
    assert xref["text_source"] == "text" and xref["pages"] == 1


def test_sniffed_kinds(hostile_run):
    ev = hostile_run["evidence"]
    for case in hostile_run["cases"]:
        p = ev / case.path
        if case.kind and case.kind != "link" and p.is_file() and not p.is_symlink() and case.path.isascii():
            assert sniff(p) == case.kind, case.path


def test_odd_names_are_read(hostile_run):
    docs = {d["path"]: d for d in hostile_run["report"]["documents"]}
    latin = "nama/" + hostile.LATIN1_NAME.decode("utf-8", "replace")
    assert docs[latin]["text_source"] == "text"
    longest = max(docs, key=len)
    assert len(longest.rsplit("/", 1)[-1].encode()) == 254 and docs[longest]["text_source"] == "text"


def test_links_never_leave_the_folder(hostile_run):
    report = hostile_run["report"]
    secret = (hostile_run["outside"] / "rahasia.pdf").read_bytes()
    text = json.dumps(report, ensure_ascii=False)
    assert hashlib.sha256(secret).hexdigest() not in text
    assert "RAHASIA DI LUAR" not in text
    docs = {d["path"]: d for d in report["documents"]}
    assert docs["tautan/ke-luar.pdf"]["sha256"] == "" and docs["tautan/ke-luar.pdf"]["pages"] == 0
    # The link to the parent folder is not walked again: every file appears once.
    assert not any(p.startswith("tautan/induk/") for p in docs)
    dup = [f for f in report["flags"] if f["code"] == "DUPLICATE_FILE"]
    assert [f["documents"] for f in dup] == [["baik/SK UPG 2024.pdf", "tautan/sk-upg.pdf"]]


def test_exit_code_schema_and_summary(hostile_run):
    report = hostile_run["report"]
    validate(report)
    assert hostile_run["rc"] == 1  # error flags (CORRUPT_FILE …) but no crash: never 3
    assert report["summary"]["documents"] == len(hostile_run["cases"])


def test_roster_bad_rows_are_warnings(hostile_run):
    warnings = hostile_run["report"]["profile_warnings"]
    assert any(w.startswith("roster.csv:3:") and "without a name" in w for w in warnings), warnings
    assert any(w.startswith("roster.csv:4:") and "not a number" in w for w in warnings), warnings


def test_evidence_folder_is_untouched(hostile_run):
    before, after = hostile_run["before"], hostile_run["after"]
    deleted = [p for p in before if p.endswith(VANISHING.encode())]
    assert len(deleted) == 1   # the test itself removed it mid-run
    assert set(after) == set(before) - set(deleted)
    assert {p: after[p] for p in after} == {p: before[p] for p in after}


def test_report_files_are_whole_and_readable(hostile_run):
    out = hostile_run["out"]
    names = sorted(p.name for p in out.iterdir())
    assert names == [".bukti.lock", "report.html", "report.json", "report.xlsx"], names
    for name in ("report.html", "report.json", "report.xlsx"):
        assert (out / name).stat().st_mode & 0o044 == 0o044, name


# ---------------------------------------------------------------- more folders, fewer cases each

def test_empty_folder(tmp_path):
    (tmp_path / "ev").mkdir()
    rc, report = run_cli(tmp_path / "ev", tmp_path / "out")
    assert rc == 1
    assert report["documents"] == []
    codes = {f["code"] for f in report["flags"]}
    assert codes == {"MISSING_EVIDENCE"}
    validate(report)


def test_folder_of_only_unsupported_files(tmp_path):
    names = hostile.only_unsupported_folder(tmp_path / "ev")
    rc, report = run_cli(tmp_path / "ev", tmp_path / "out")
    assert rc == 1   # everything is missing
    unsupported = {f["documents"][0]: f for f in report["flags"] if f["code"] == "UNSUPPORTED_FILE"}
    assert sorted(unsupported) == names
    assert "MP4 video" in unsupported["Video Pencanangan.mp4"]["message"]
    assert "Excel workbook" in unsupported["rekap.xlsx"]["message"]
    assert "legacy Office" in unsupported["lama.doc"]["message"]
    assert all(f["severity"] == "info" for f in unsupported.values())
    assert {f["code"] for f in report["flags"]} == {"UNSUPPORTED_FILE", "MISSING_EVIDENCE"}


@pytest.mark.parametrize("body, needle", [
    ("unit: [1, 2]\nperiod: 2024\n", "'unit'"),
    ("unit: Dinas X\nperiod: dua ribu\n", "'period'"),
    ("unit: Dinas X\nperiod: 2024\ntarget: 7\n", "'target'"),
    ("unit: Dinas X\nhead: Budi\n", "'head'"),
    ("unit: Dinas X\ncheck_date: kemarin\n", "'check_date'"),
    ("- just\n- a list\n", "mapping"),
    ("unit: [unclosed\n", "YAML"),
])
def test_unit_yaml_with_wrong_types_exits_2_in_one_line(tmp_path, capsys, body, needle):
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "unit.yaml").write_text(body)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["check", str(ev), "--out", str(tmp_path / "out"), "--store", "none"])
    assert exit_.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], lines


def test_second_writer_of_a_report_dir_gets_exit_2(tmp_path, capsys):
    ev = tmp_path / "ev"
    ev.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text('{"earlier": true}')
    with locked(out):   # another run is writing this report directory
        with pytest.raises(SystemExit) as exit_:
            cli.main(["check", str(ev), "--out", str(out), "--store", "none", "--lang", "en"])
    assert exit_.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip().startswith("bukti:")]
    assert len(lines) == 1 and str(out) in lines[0], lines
    assert (out / "report.json").read_text() == '{"earlier": true}'
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


# ---------------------------------------------------------------- unit level: no Prefect run

def test_unreadable_file_and_folder_are_flagged_not_dropped(tmp_path, monkeypatch):
    """Permission denied (simulated: the tests run as root, for whom chmod 000 changes nothing)."""
    from pipeline import discover as disc
    from pipeline.read import extract
    ev = tmp_path / "ev"
    (ev / "terkunci").mkdir(parents=True)
    (ev / "terkunci" / "sk.pdf").write_bytes(hostile.text_pdf_bytes())
    (ev / "dilarang.pdf").write_bytes(hostile.text_pdf_bytes(tag="dilarang"))
    (ev / "baik.pdf").write_bytes(hostile.text_pdf_bytes(tag="baik"))
    real_scandir, real_sha = os.scandir, disc._sha256

    def scandir(path):
        if str(path).endswith("terkunci"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def sha(path):
        if path.endswith("dilarang.pdf"):
            raise PermissionError(13, "Permission denied")
        return real_sha(path)

    monkeypatch.setattr(disc.os, "scandir", scandir)
    monkeypatch.setattr(disc, "_sha256", sha)
    found = {f.path: f for f in disc.discover(ev)}
    assert sorted(found) == ["baik.pdf", "dilarang.pdf", "terkunci"]
    for path, what in (("dilarang.pdf", "cannot read file"), ("terkunci", "cannot read folder")):
        ex = extract(found[path])
        assert ex.error_code == "CORRUPT_FILE" and what in ex.error_reason and "Permission denied" in ex.error_reason
    assert extract(found["baik.pdf"]).error_code is None


def test_a_file_that_vanished_mid_read_is_not_cached(tmp_path):
    from pipeline.discover import discover
    from pipeline.store import Store
    from pipeline.read import extract_cached
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "sk.pdf").write_bytes(hostile.text_pdf_bytes())
    [found] = discover(ev)
    (ev / "sk.pdf").unlink()
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        ex, cached = extract_cached(found, store)
        assert ex.error_code == "CORRUPT_FILE" and "No such file" in ex.error_reason and not cached
        # When the file is back, it is read, not answered with the old failure.
        assert store.get_extraction(found.sha256) is None
        (ev / "sk.pdf").write_bytes(hostile.text_pdf_bytes())
        ex, cached = extract_cached(found, store)
        assert ex.error_code is None and not cached
        assert extract_cached(found, store)[1]
    finally:
        store.close()
