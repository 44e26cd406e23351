"""The one settings object: every BUKTI_* variable read in one place, with the README's defaults,
a typo never turning a limit off, and command-line values winning over the environment."""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from pipeline.settings import ENV, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_are_the_documented_ones(tmp_path):
    s = Settings.from_env({"XDG_DATA_HOME": str(tmp_path)})
    assert s.home == tmp_path / "bukti" and s.store is None
    assert (s.ocr_timeout_s, s.max_ocr_pages, s.store_connect_timeout_s, s.server_health_timeout_s,
            s.unit_workers) == (120.0, 500, 10, 2.0, 2)
    assert s.ocr_workers == (os.cpu_count() or 1) and not s.timing and not s.debug


def test_every_variable_is_read_and_flags_win(tmp_path):
    env = {"BUKTI_HOME": str(tmp_path), "BUKTI_STORE": "none", "BUKTI_STORE_CONNECT_TIMEOUT": "3",
           "BUKTI_OCR_TIMEOUT": "2.5", "BUKTI_OCR_WORKERS": "1", "BUKTI_MAX_OCR_PAGES": "7",
           "BUKTI_UNIT_WORKERS": "4", "BUKTI_SERVER_HEALTH_TIMEOUT": "0.5", "BUKTI_TIMING": "1",
           "BUKTI_DEBUG": "1", "BUKTI_WARM_WORKER": "0"}
    s = Settings.from_env(env)
    assert s == Settings(home=tmp_path, store="none", store_connect_timeout_s=3, ocr_timeout_s=2.5,
                         ocr_workers=1, max_ocr_pages=7, unit_workers=4, server_health_timeout_s=0.5,
                         timing=True, debug=True, warm_worker=False)
    assert {var for var, _ in ENV.values()} | {"BUKTI_HOME"} == set(env)
    assert Settings.from_env(env, store="elsewhere.sqlite", ocr_workers=None).store == "elsewhere.sqlite"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.store = "x"  # type: ignore[misc]


@pytest.mark.parametrize("raw, on", [("1", True), ("yes", True), ("0", False), ("off", False),
                                     ("FALSE", False), ("no", False)])
def test_a_switch_says_off_in_words(raw, on):
    s = Settings.from_env({"BUKTI_TIMING": raw, "BUKTI_WARM_WORKER": raw})
    assert (s.timing, s.warm_worker) == (on, on)


@pytest.mark.parametrize("raw", ["0", "-3", "banyak", "2.5x"])
def test_a_bad_number_keeps_the_default(raw):
    s = Settings.from_env({"BUKTI_OCR_TIMEOUT": raw, "BUKTI_MAX_OCR_PAGES": raw})
    assert (s.ocr_timeout_s, s.max_ocr_pages) == (120.0, 500)


def test_no_module_but_settings_reads_a_bukti_variable():
    readers = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")) + sorted((ROOT / "extractors").rglob("*.py")) \
            + sorted((ROOT / "rules").rglob("*.py")):
        if path == ROOT / "pipeline" / "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(os\.environ|getenv)[^\n]*BUKTI_", text):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_readme_settings_table_matches_the_defaults():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    s = Settings(home=Path("."))
    for var, field in (("BUKTI_OCR_TIMEOUT", "ocr_timeout_s"), ("BUKTI_MAX_OCR_PAGES", "max_ocr_pages"),
                       ("BUKTI_STORE_CONNECT_TIMEOUT", "store_connect_timeout_s"),
                       ("BUKTI_SERVER_HEALTH_TIMEOUT", "server_health_timeout_s")):
        row = re.search(rf"^\| `{var}` \| ([0-9.]+) \|", readme, re.M)
        assert row and float(row.group(1)) == float(getattr(s, field)), var
