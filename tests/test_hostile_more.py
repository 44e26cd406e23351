"""The second hostile probe (issue 16): links planted as lock files, names that are URLs or clash
with the nightly's own files, alias bombs, damaged review.json, control characters, wrong types in
a pack. Each test reproduces the input of one row of the issue's table and asserts its outcome.

Runs that need Prefect share one check where they can; the rest are unit level.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import hostile
from pipeline import cli
from pipeline.orchestration import nightly
from pipeline.report.output import UnsafeLockFile, locked

ROOT = Path(__file__).resolve().parents[1]


def _usage_exit(capsys, argv: list[str]) -> str:
    """Run the CLI expecting exit 2 with exactly one line on stderr; that line."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


# ---------------------------------------------------------------- 1: lock files are never followed

def test_symlinked_report_lock_is_refused_and_its_target_untouched(tmp_path, capsys):
    ev, out = tmp_path / "ev", tmp_path / "out"
    ev.mkdir()
    out.mkdir()
    victim = tmp_path / "SK Tim ZI 2024.pdf"
    victim.write_bytes(hostile.text_pdf_bytes())
    before = victim.read_bytes()
    (out / ".bukti.lock").symlink_to(victim)
    line = _usage_exit(capsys, ["check", str(ev), "--out", str(out), "--store", "none", "--lang", "en"])
    assert "lock file" in line and "symbolic link; not followed" in line and ".bukti.lock" in line, line
    assert victim.read_bytes() == before


def test_fifo_as_lock_is_refused_without_blocking(tmp_path):
    import os
    os.mkfifo(tmp_path / ".bukti.lock")
    with pytest.raises(UnsafeLockFile, match="not a regular file"):
        with locked(tmp_path):
            pass


def test_existing_lock_file_keeps_its_bytes(tmp_path):
    (tmp_path / ".bukti.lock").write_bytes(b"left by an earlier run")
    with locked(tmp_path):
        pass
    assert (tmp_path / ".bukti.lock").read_bytes() == b"left by an earlier run"


def test_symlinked_migration_lock_is_refused(tmp_path):
    from pipeline.store import StoreError, check_store
    victim = tmp_path / "evidence.pdf"
    victim.write_bytes(b"%PDF-1.4 precious")
    db = tmp_path / "store.sqlite"
    Path(f"{db}.migrate.lock").symlink_to(victim)
    with pytest.raises(StoreError) as err:
        check_store(str(db))
    assert "symbolic link" in err.value.message("en")
    assert victim.read_bytes() == b"%PDF-1.4 precious"


# ---------------------------------------------------------------- 2, 13: nightly index

HOSTILE_UNIT_FOLDERS = ["javascript:alert(document.domain)", "index.html", "_index.html", "a?b#c"]


def test_index_links_are_relative_paths_and_the_page_has_a_csp(tmp_path):
    entries = [nightly.unit_entry(name, {"unit": f"Unit {i}", "summary": {}}, "checked")
               for i, name in enumerate(HOSTILE_UNIT_FOLDERS)]
    nightly.write_index(nightly.build_index(tmp_path, entries), tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    hrefs = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
    assert hrefs and all(h.startswith("./") and ":" not in h and "?" not in h and "#" not in h for h in hrefs), hrefs
    assert './javascript%3Aalert%28document.domain%29/report.html' in hrefs
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page


def test_unit_folders_never_share_a_report_folder_with_each_other_or_the_index():
    names = HOSTILE_UNIT_FOLDERS + ["index.json", "__index.html", "plain"]
    dirs = [nightly.report_dir_name(n) for n in names]
    assert len(set(dirs)) == len(dirs)
    assert not set(dirs) & nightly.OWN_FILES
    assert nightly.report_dir_name("plain") == "plain"


def test_nightly_with_a_unit_folder_named_index_html(tmp_path, monkeypatch):
    """The real nightly flow (its check replaced by a small flow, as in test_nightly.py)."""
    from prefect import flow

    import pipeline.orchestration.flow

    @flow(name="bukti-check", persist_result=False)
    def fake_check(evidence_dir, out_dir, profile=None, rules=None, lang="id", store=None):
        report = {"unit": Path(evidence_dir).name, "summary": {"documents": 0, "flags": {}}, "flags": []}
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "report.html").write_text("<p>unit report</p>")
        return pipeline.orchestration.flow.CheckResult(report)

    monkeypatch.setattr(pipeline.orchestration.flow, "check_flow", fake_check)
    root, out = tmp_path / "units", tmp_path / "out"
    for name in ("index.html", "javascript:alert(document.domain)"):
        (root / name).mkdir(parents=True)
        (root / name / "unit.yaml").write_text("unit: X\nperiod: 2024\n")
    index = nightly.nightly_flow(str(root), str(out), store="none")
    assert [u["status"] for u in index["units"]] == ["checked", "checked"]
    assert (out / "index.html").is_file() and "Ringkasan" in (out / "index.html").read_text()
    assert (out / "_index.html" / "report.html").is_file()


# ---------------------------------------------------------------- 3: YAML alias bombs

def test_alias_bomb_in_unit_yaml_is_refused_fast_in_one_line(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "unit.yaml").write_text(hostile.billion_laughs_yaml())
    assert (ev / "unit.yaml").stat().st_size < 1000
    # A fresh process: its peak RSS is this input's cost alone. VmHWM, not ru_maxrss: Linux carries
    # ru_maxrss over exec from the forking process (pytest, hundreds of MB late in the suite).
    probe = (f"import sys, re; sys.path.insert(0, {str(ROOT)!r}); from pipeline import cli\n"
             f"try:\n    cli.main(['check', {str(ev)!r}, '--out', {str(tmp_path / 'out')!r}, '--store', 'none'])\n"
             "finally:\n    hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
             "    print('rss_mb', int(hwm) // 1024, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("bukti:")]
    assert len(lines) == 1 and "aliases" in lines[0] and "unit.yaml" in lines[0] and len(lines[0]) < 400, lines
    rss = int(proc.stderr.rsplit("rss_mb", 1)[1])
    assert rss < 400, rss


def test_alias_bomb_and_deep_nesting_in_a_rule_pack(tmp_path):
    from rules.pack import PackError, load_pack
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(hostile.billion_laughs_yaml().replace("aliases:", "terms:"))
    with pytest.raises(PackError, match="aliases"):
        load_pack(str(bomb))
    deep = tmp_path / "deep.yaml"
    deep.write_text("id: x\nterms: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(PackError, match="nested deeper"):
        load_pack(str(deep))


def test_modest_anchors_still_load():
    from extractors import yamlio
    data = yamlio.safe_load("base: &b {min: 1}\nx: *b\ny: [*b, *b]\n")
    assert data["x"] == {"min": 1} and data["y"] == [{"min": 1}] * 2


# ---------------------------------------------------------------- 7: damaged review.json

def test_damaged_review_json_is_bad_input(tmp_path, monkeypatch, capsys):
    """Every kind of damage is one line naming review.json where it is read; `bukti check` stops
    with exit 2 before any work (running on would drop the reviewer's waivers) and leaves the file
    as it is. A run that reaches the flow anyway (nightly) warns and writes its report."""
    from pipeline.report.review import load_decisions
    for kind in hostile.DAMAGED_REVIEW:
        out = tmp_path / f"out-{kind}"
        hostile.write_damaged_review(out, kind)
        with pytest.raises(ValueError) as err:
            load_decisions(out)
        assert "review.json" in str(err.value) and "\n" not in str(err.value) and len(str(err.value)) < 300, kind
    ev, out = tmp_path / "ev", tmp_path / "out-truncated"
    ev.mkdir()
    (ev / "unit.yaml").write_text(hostile.control_chars_unit_yaml())
    monkeypatch.setenv("BUKTI_HOME", str(tmp_path / "home"))
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        cli.main(["check", str(ev), "--out", str(out), "--store", "none", "--lang", "en"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "review.json" in err[0] and "review decisions cannot be used" in err[0]
    assert (out / "review.json").read_bytes() == hostile.DAMAGED_REVIEW["truncated"]
    assert not (out / "report.json").exists()
    # the flow itself (as nightly runs it) warns and writes the report
    from pipeline.orchestration.flow import check_flow
    report = check_flow(str(ev), str(out), store="none", lang="en").report
    assert any("review.json" in w and "not applied" in w for w in report["profile_warnings"])
    # 8: control characters in unit: gone from the report and its XLSX, which was written.
    assert report["unit"] == "Dinas [31mKependudukan [0m dan Pencatatan Sipil"
    assert (out / "report.xlsx").stat().st_size > 0


def test_review_list_with_damaged_review_json_is_one_line(tmp_path):
    from pipeline.report.review import review_main
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text(json.dumps({"flags": [], "summary": {}}))
    hostile.write_damaged_review(out, "deep")
    import io
    err = io.StringIO()
    assert review_main(["list", "--out", str(out)], stdout=io.StringIO(), stderr=err) == 2
    assert len(err.getvalue().splitlines()) == 1 and "review.json" in err.getvalue()


# ---------------------------------------------------------------- 8: control characters reach no terminal

def test_control_characters_are_escaped_on_the_terminal(tmp_path):
    from pipeline.report.review import review_main
    from pipeline.terminal import printable
    assert printable("a\x1b[31mb\x07\rc") == "a\\x1b[31mb\\x07\\rc"
    out = tmp_path / "out"
    out.mkdir()
    flag = {"id": "F0001", "severity": "error", "code": "UNSIGNED", "key": "UNSIGNED:1",
            "documents": ["sk\x1b]0;pwned\x07.pdf"]}
    (out / "report.json").write_text(json.dumps({"flags": [flag], "summary": {}}))
    (out / "review.json").write_text(json.dumps({"version": 1, "decisions": {
        "UNSIGNED:1": {"decision": "waived", "reason": "ok\x1b[2J", "at": None}}}))
    import io
    stdout = io.StringIO()
    assert review_main(["list", "--out", str(out)], stdout=stdout, stderr=io.StringIO()) == 0
    assert "\x1b" not in stdout.getvalue() and "\x07" not in stdout.getvalue()
    assert "\\x1b]0;pwned" in stdout.getvalue()


def test_progress_lines_escape_the_unit_name():
    import io

    from pipeline import progress
    stream = io.StringIO()
    p = progress.for_stream(stream)
    p.begin("Dinas \x1b[2J", 1)
    assert "\x1b" not in stream.getvalue() and "\\x1b[2J" in stream.getvalue()


# ---------------------------------------------------------------- 9: wrong types in defaults:

@pytest.mark.parametrize("key, value", [("subject_chars", "banyak"), ("hasil_max", [40]),
                                        ("report_grace_days", -3), ("subject_chars", None)])
def test_wrong_type_in_pack_defaults_exits_2_naming_the_key(tmp_path, capsys, key, value):
    import yaml
    pack = tmp_path / "ketat.yaml"
    pack.write_text(yaml.safe_dump({"extends": "lke-2021", "id": "ketat", "defaults": {key: value}}))
    ev = tmp_path / "ev"
    ev.mkdir()
    line = _usage_exit(capsys, ["check", str(ev), "--out", str(tmp_path / "out"), "--store", "none",
                                "--rules", str(pack)])
    assert f"defaults.{key}" in line and "ketat.yaml" in line, line


# ---------------------------------------------------------------- 10: DOCX over spaCy's 1 M characters

def test_docx_over_a_million_characters_is_read_and_classified(tmp_path):
    from pipeline.discover import discover
    from pipeline.read import extract
    from pipeline.understand import understand
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "SK Tim ZI dengan lampiran.docx").write_bytes(hostile.long_docx())
    [found] = discover(ev)
    ex = extract(found)
    assert ex.error_code is None and len(ex.text) > 1_000_000
    doc = understand(found, ex)
    assert doc.doc_type == "sk_tim_zi"
    assert doc.fields.nomor == "800/123/435.201/2024" and doc.fields.tanggal == "2024-01-15"


def test_markers_of_a_long_text_keep_their_offsets():
    from extractors.nlp import chunks, markers
    filler = "baris lampiran tanpa penanda apa pun\n" * 40_000
    text = filler + "Kepala Dinas Kependudukan dan Pencatatan Sipil\n"
    pieces = chunks(text)
    assert len(pieces) > 1 and "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p for o, p in pieces)
    found = [m for m in markers(text) if m.label == "UNIT"]
    assert found and text[found[-1].start:found[-1].end] == found[-1].text


# ---------------------------------------------------------------- 11: a database that never answers

def test_store_whose_server_accepts_and_never_answers_fails_fast(monkeypatch):
    pytest.importorskip("psycopg")
    import socket
    import time

    from pipeline.store import StoreError, check_store
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))    # loopback only
    silent.listen(8)                 # the kernel accepts; nobody ever answers
    port = silent.getsockname()[1]
    monkeypatch.setenv("BUKTI_STORE_CONNECT_TIMEOUT", "2")
    started = time.monotonic()
    try:
        with pytest.raises(StoreError) as err:
            check_store(f"postgresql+psycopg://bukti:rahasia@127.0.0.1:{port}/bukti")
    finally:
        silent.close()
    # libpq's default would wait ~130 s; the bound is loose so a busy machine cannot fail it.
    assert time.monotonic() - started < 60
    line = err.value.message("en")
    assert "timeout" in line.lower() and "rahasia" not in line and "\n" not in line, line


# ---------------------------------------------------------------- 12: a bukti server that does not answer

SILENT_SERVER = """
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("kind", ["accepts-never-answers", "closed-port"])
def test_stale_or_stopped_server_falls_back_to_ephemeral(tmp_path, monkeypatch, capsys, kind):
    import time

    from pipeline.orchestration import prefect_env, server
    proc = subprocess.Popen([sys.executable, "-c", SILENT_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        if kind == "closed-port":
            port = server.free_port()
        monkeypatch.setenv("BUKTI_HOME", str(tmp_path))
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
        monkeypatch.setenv("BUKTI_SERVER_HEALTH_TIMEOUT", "1")
        prefect_env.server_state_file().write_text(json.dumps(
            {"pid": proc.pid, "api_url": f"http://127.0.0.1:{port}/api"}))
        started = time.monotonic()
        assert prefect_env.configure("en") == "ephemeral"
        assert time.monotonic() - started < 30   # a hang would be forever; 1 s expected
        assert "PREFECT_API_URL" not in __import__("os").environ
        line = capsys.readouterr().err.strip()
        assert "does not answer" in line and str(proc.pid) in line and "\n" not in line, line
        # `bukti serve` would use it for its schedule: refused with a clear message instead.
        monkeypatch.setattr(server, "_is_our_server", lambda pid: True)
        with pytest.raises(RuntimeError, match="not answering"):
            server.start()
    finally:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- 4, 5: PDF memory and page bounds
# (the 46000x46000 image: tests/test_hostile_limits.py, in a process of its own for its peak RSS)

def test_pdf_pages_over_the_ocr_cap_are_reported_not_dropped(tmp_path, monkeypatch):
    from extractors import pdf
    from extractors.model import Page
    from tests import rulefactory as rf
    from tests.test_checks import flags, run
    read = []

    def fake_ocr_page(doc, index, layer, timeout, *_):   # the cap is the point, not Tesseract
        read.append(index)
        return Page(number=index + 1, text="KEPUTUSAN KEPALA DINAS tentang tim kerja", source="ocr", confidence=90.0)

    monkeypatch.setattr(pdf, "_ocr_page", fake_ocr_page)
    monkeypatch.setenv("BUKTI_MAX_OCR_PAGES", "3")
    path = tmp_path / "lampiran-pindai.pdf"
    path.write_bytes(hostile.tiny_image_pages_pdf(pages=7))
    from pipeline.read import extract_file   # the read path hands the setting to the extractor
    ex = extract_file(path, "pdf")
    assert sorted(read) == [0, 1, 2]
    assert len(ex.pages) == 7 and ex.error_code is None
    assert [p.number for p in ex.pages if p.error and "limit of pages to OCR" in p.error] == [4, 5, 6, 7]
    doc = rf.doc("lampiran-pindai.pdf", "sk_other", nomor="1/2/3")
    doc.extraction = ex
    [flag] = flags(run(rf.clean_folder() + [doc]), "UNREADABLE")
    assert flag.documents == ["lampiran-pindai.pdf"] and flag.page == 4 and "4 of 7 pages" in flag.found


# ---------------------------------------------------------------- 14: results that do not depend on load

SLOW_BUT_LIGHT = """
import time
for _ in range(20):          # ~0.4 CPU-s spread over ~4.5 s: what a starved Tesseract looks like
    t = time.process_time()
    while time.process_time() - t < 0.02:
        pass
    time.sleep(0.2)
"""


def _popen(*cmd: str) -> subprocess.Popen:
    return subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_ocr_time_limit_counts_cpu_time_not_wall_time():
    import time

    from extractors import ocr
    # Over the limit in wall time, far under it in CPU time: finishes (a wall-clock limit killed it).
    with ocr._supervised(_popen(sys.executable, "-c", SLOW_BUT_LIGHT), 2) as err:
        assert err == b""
    # Hung (no CPU at all): killed after about the limit, not left to run.
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="timeout"):
        with ocr._supervised(_popen("sleep", "60"), 1):
            pass
    assert time.monotonic() - started < 30
    # Over the limit in CPU time: killed.
    with pytest.raises(RuntimeError, match="timeout"):
        with ocr._supervised(_popen(sys.executable, "-c", "while True: pass"), 1):
            pass


BUSY = "import time\nend = time.monotonic() + 240\nwhile time.monotonic() < end: pass\n"


def test_report_on_a_loaded_machine_equals_the_idle_one(tmp_path, monkeypatch):
    """Four bounded busy loops beside a check whose OCR limit (2 CPU-s) is ~6x what a page needs."""
    from tests.test_kill import comparable
    folder = tmp_path / "scans"
    hostile.scanned_pages_folder(folder, 4)
    monkeypatch.setenv("BUKTI_OCR_TIMEOUT", "2")
    monkeypatch.setenv("BUKTI_HOME", str(tmp_path / "home"))
    reports = {}
    for state in ("idle", "loaded"):
        busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(4 if state == "loaded" else 0)]
        try:
            out = tmp_path / state
            rc = cli.main(["check", str(folder), "--out", str(out), "--store", "none", "--lang", "en"])
            reports[state] = (rc, json.loads((out / "report.json").read_text(encoding="utf-8")))
        finally:
            for p in busy:
                p.kill()
                p.wait()
    (rc_idle, idle), (rc_loaded, loaded) = reports["idle"], reports["loaded"]
    assert [d["text_source"] for d in idle["documents"]] == ["ocr"] * 4
    assert not [f for f in idle["flags"] if f["code"] == "UNREADABLE"]
    assert rc_loaded == rc_idle and comparable(loaded) == comparable(idle)


def test_oversized_roster_is_a_warning_not_a_read(tmp_path, monkeypatch):
    from pipeline import profile
    monkeypatch.setattr(profile, "MAX_ROSTER_BYTES", 1000)
    path = tmp_path / "roster.csv"
    path.write_text("nama,nip\n" + "Budi,199001012015031002\n" * 100)
    entries, warnings = profile.load_roster(path)
    assert entries == [] and warnings == ["roster.csv: larger than 0 MB; roster ignored"]
