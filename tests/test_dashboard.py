"""The nightly dashboard (OUT_ROOT/index.html) after two real nightly runs over generated unit
folders: scores, first failing minima, new/resolved flags, a trend per unit from the run store,
flags by code; and in a real Chromium (DevTools over a pipe, tests/cdp.py) sorting by a clicked
column heading and filtering by typed text.

The two nights are docs/make_screenshots.py's (which takes docs/nightly-dashboard.png from
them): text PDFs and DOCX only, no scans, so they take ~30 s together: the dashboard, not OCR, is
under test here."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from pipeline.i18n import fmt_num, minimum_sentence, ui_strings
from pipeline.report.dashboard import render_dashboard
from tests.cdp import Page
# docs/make_screenshots.py, and the fixture that skips (or, under CI, fails) without a browser
from tests.test_browser import chromium, shots  # noqa: F401

UNIT_FOLDERS = shots.NIGHT_UNITS


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    nights = shots.two_nights(tmp_path_factory.mktemp("nightly"))
    out = nights["out"]
    nights["reports"] = {u["folder"]: json.loads((out / u["folder"] / "report.json").read_text(encoding="utf-8"))
                         for u in nights["second"]["units"]}
    return nights


class Rows(HTMLParser):
    """The units table as (cell texts, attributes) per row, plus every svg of a trend."""
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.sparks: list[dict[str, str]] = []
        self.codes: dict[str, list[str]] = {}
        self._table = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._table = "units" if a.get("id") == "units" else a.get("class")
        elif tag == "tr" and self._table in ("units", "codes"):
            self.rows.append([]) if self._table == "units" else self.codes.setdefault(a.get("data-code", ""), [])
            self._row_kind = self._table if (self._table == "units" or a.get("data-code")) else None
        elif tag == "td" and getattr(self, "_row_kind", None):
            self._cell = []
        elif tag == "svg":
            self.sparks.append(a)
        elif tag == "title" and self._cell is not None:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "title" and self._skip:
            self._skip -= 1
        elif tag == "td" and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._row_kind == "units":
                self.rows[-1].append(text)
            else:
                self.codes[next(reversed(self.codes))].append(text)
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def parse(page: str) -> Rows:
    r = Rows()
    r.feed(page)
    r.rows = [row for row in r.rows if row]
    return r


def test_dashboard_shows_scores_failing_minima_changes_and_a_trend(two_nights):
    out, reports, second = two_nights["out"], two_nights["reports"], two_nights["second"]
    page = (out / "index.html").read_text(encoding="utf-8")
    s = ui_strings("id")
    parsed = parse(page)
    assert len(parsed.rows) == len(UNIT_FOLDERS)
    for row, entry in zip(parsed.rows, second["units"]):
        report = reports[entry["folder"]]
        score = report["score"]
        assert row[0].startswith(report["unit"]) and entry["folder"] in row[0]
        assert row[1] == s["dash_status_checked"]
        assert row[2] == f"{fmt_num(score['pengungkit'], 'id', 2)} / {fmt_num(score['pengungkit_max'], 'id')}"
        assert row[3] == minimum_sentence(score["first_failing"], score["target"], s, "id")
        assert row[4] == str(report["summary"]["flags"]["error"])
        assert f'href="./{entry["folder"]}/report.html"' in page
    # the trend: two points per unit, read from the run store
    assert [a.get("data-runs") for a in parsed.sparks] == ["2", "2", "2"]
    by_folder = {u["folder"]: u for u in second["units"]}
    lenteng = by_folder["puskesmas_lenteng"]["trend"]
    assert lenteng[1]["pengungkit"] < lenteng[0]["pengungkit"]
    lenteng_row = parsed.rows[[u["folder"] for u in second["units"]].index("puskesmas_lenteng")]
    assert lenteng_row[-1].startswith("-") or lenteng_row[-1].startswith("−")   # the delta, downwards
    assert 'class="spark spark-down"' in page
    # Sumenep's unsigned SK is gone: one flag resolved, the error count one lower than the first night
    first = {u["folder"]: u for u in two_nights["first"]["units"]}
    assert by_folder["disdukcapil_sumenep"]["changes"]["resolved"] >= 1
    assert by_folder["disdukcapil_sumenep"]["flags"]["error"] < first["disdukcapil_sumenep"]["flags"]["error"]
    # flags by code across all units
    all_codes: dict[str, int] = {}
    for r in reports.values():
        for f in r["flags"]:
            all_codes[f["code"]] = all_codes.get(f["code"], 0) + 1
    assert {c: int(v[2]) for c, v in parsed.codes.items() if v} == all_codes
    # one language per page, the page's policy as report.html's
    assert "diperiksa / checked" not in page and " / checked" not in page
    assert "script-src 'sha256-" in page and "default-src 'none'" in page


def test_index_json_keeps_the_trend_and_the_score(two_nights):
    data = json.loads((two_nights["out"] / "index.json").read_text(encoding="utf-8"))
    for u in data["units"]:
        assert len(u["trend"]) == 2 and u["score"]["pengungkit"] == u["trend"][-1]["pengungkit"]
        assert u["flag_codes"] == dict(sorted(u["flag_codes"].items()))


def test_english_dashboard_is_english(two_nights):
    page = render_dashboard(two_nights["second"], "en")
    s = ui_strings("en")
    assert '<html lang="en">' in page and s["dash_title"] in page and s["dash_status_checked"] in page
    assert ui_strings("id")["dash_status_checked"] not in page


@pytest.fixture
def page(chromium, two_nights):
    p = Page(chromium, shots.BASE_FLAGS)
    try:
        p.open(two_nights["out"] / "index.html")
        yield p
    finally:
        p.close()


VISIBLE_FOLDERS = ("Array.from(document.querySelectorAll('#units tbody tr')).filter(function (r) {"
                   " return !r.hidden && r.offsetParent !== null; }).map(function (r) {"
                   " return r.cells[0].querySelector('.small').textContent; })")


def test_clicking_a_heading_sorts_the_units(page, two_nights):
    reports = two_nights["reports"]
    by_score = sorted(reports, key=lambda f: (reports[f]["score"]["pengungkit"], f))
    assert page.eval(VISIBLE_FOLDERS) == sorted(reports)            # as written: by folder
    page.click("#units thead th:nth-child(3) button")                 # Pengungkit: highest first
    shown = page.eval(VISIBLE_FOLDERS)
    scores = [reports[f]["score"]["pengungkit"] for f in shown]
    assert scores == sorted(scores, reverse=True) and set(shown) == set(reports)
    assert page.eval("document.querySelector('#units thead th:nth-child(3)').getAttribute('aria-sort')") == "descending"
    page.click("#units thead th:nth-child(3) button")                 # again: lowest first
    assert [reports[f]["score"]["pengungkit"] for f in page.eval(VISIBLE_FOLDERS)] == \
        [reports[f]["score"]["pengungkit"] for f in by_score]
    page.click("#units thead th:nth-child(5) button")                 # errors: most first
    errors = [reports[f]["summary"]["flags"]["error"] for f in page.eval(VISIBLE_FOLDERS)]
    assert errors == sorted(errors, reverse=True) and errors[0] > errors[-1]
    page.click("#units thead th:nth-child(1) button")                 # unit name: A to Z
    names = [reports[f]["unit"].lower() for f in page.eval(VISIBLE_FOLDERS)]
    assert names == sorted(names)


def test_typing_in_the_filter_hides_the_other_units(page, two_nights):
    reports = two_nights["reports"]
    with_code = sorted(f for f, r in reports.items() if any(fl["code"] == "UNIT_MISMATCH" for fl in r["flags"]))
    assert 0 < len(with_code) < len(reports)
    page.type("#f-q", "unit_mismatch")
    assert page.eval(VISIBLE_FOLDERS) == with_code
    assert page.eval("document.getElementById('filter-status').textContent") == \
        ui_strings("id")["dash_filter_status"].format(shown=len(with_code), total=len(reports))
    page.eval("document.getElementById('f-q').select()")
    page.send("Input.insertText", text="Malang")                     # a word of one unit's name
    assert page.eval(VISIBLE_FOLDERS) == ["dpmptsp_malang"]
    page.eval("document.getElementById('f-q').select()")
    page.send("Input.insertText", text="no such unit")
    assert page.eval(VISIBLE_FOLDERS) == []
    assert page.eval("document.getElementById('filter-empty').hidden") is False
