"""Bad usage and bad input: exit 2 with one line on stderr, never a traceback, and no Prefect start."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_unit"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def assert_one_line_exit2(proc, *needles):
    assert proc.returncode == 2, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for n in needles:
        assert n in lines[0]


def test_missing_folder(tmp_path):
    assert_one_line_exit2(run("check", str(tmp_path / "nope"), "--out", str(tmp_path / "o")),
                          "folder bukti tidak ditemukan")


def test_missing_folder_english(tmp_path):
    assert_one_line_exit2(run("check", str(tmp_path / "nope"), "--lang", "en"), "evidence folder not found")


def test_folder_is_a_file(tmp_path):
    f = tmp_path / "f.pdf"
    f.write_bytes(b"%PDF-1.4")
    assert_one_line_exit2(run("check", str(f), "--out", str(tmp_path / "o")), "bukan folder")


def test_unreadable_profile(tmp_path):
    (tmp_path / "ev").mkdir()
    bad = tmp_path / "unit.yaml"
    bad.write_text("unit: [unclosed\n")
    assert_one_line_exit2(run("check", str(tmp_path / "ev"), "--profile", str(bad), "--out", str(tmp_path / "o")),
                          "profil unit", "YAML")


def test_profile_missing_file(tmp_path):
    (tmp_path / "ev").mkdir()
    assert_one_line_exit2(run("check", str(tmp_path / "ev"), "--profile", str(tmp_path / "x.yaml"),
                              "--out", str(tmp_path / "o")), "not found")


@pytest.mark.parametrize("body,needle", [
    ("unit: Dinas X\nperiod: dua ribu\n", "period"),
    ("unit: Dinas X\ntarget: WBX\n", "target"),
    ("unit: 12\n", "unit"),
    ("unit: Dinas X\ncheck_date: kemarin\n", "check_date"),
    ("- just\n- a list\n", "mapping"),
])
def test_profile_wrong_types(tmp_path, body, needle):
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "unit.yaml").write_text(body)
    assert_one_line_exit2(run("check", str(tmp_path / "ev"), "--out", str(tmp_path / "o")), needle)


def test_unknown_rule_pack(tmp_path):
    (tmp_path / "ev").mkdir()
    assert_one_line_exit2(run("check", str(tmp_path / "ev"), "--rules", "lke-1999", "--out", str(tmp_path / "o")),
                          "paket aturan")


def test_unknown_option_and_lang(tmp_path):
    assert_one_line_exit2(run("check", str(tmp_path), "--frobnicate"))
    assert_one_line_exit2(run("check", str(tmp_path), "--lang", "fr"))
    assert_one_line_exit2(run())


def test_report_dir_inside_evidence_refused(tmp_path):
    (tmp_path / "ev").mkdir()
    assert_one_line_exit2(run("check", str(tmp_path / "ev"), "--out", str(tmp_path / "ev" / "r")),
                          "di dalam folder bukti")
