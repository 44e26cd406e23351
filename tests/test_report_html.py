"""report.html: content, language, links, escaping, self-containment."""
from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from markupsafe import escape

from pipeline.report.html_report import evidence_href, render_html, script_json, write_html
from pipeline.report.review import apply_decisions
from tests import reportfactory as rf


class Elements(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and (cls is None or cls in a.get("class", "").split())]


def parse(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    return p


@pytest.fixture
def report():
    return rf.build_report()


def test_writes_one_file_with_every_flag(tmp_path, report):
    path = write_html(report, tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    html = path.read_text(encoding="utf-8")
    flags = parse(html).find("article", "flag")
    assert sorted(a["id"] for a in flags) == sorted(f"flag-{f['id']}" for f in report["flags"])
    for f in report["flags"]:
        assert str(escape(f["message"])) in html
        assert f["key"] in html
    # nothing else written next to it (atomic write leaves no temp file)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html"]


def test_flag_data_attributes_drive_filters(tmp_path, report):
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    flags = {a["id"]: a for a in parse(html).find("article", "flag")}
    unsigned = flags["flag-F0002"]
    assert unsigned["data-severity"] == "error"
    assert unsigned["data-code"] == "UNSIGNED"
    assert unsigned["data-area"] == "1"
    assert "laporan monev triwulan ii.pdf" in unsigned["data-files"]
    # a flag without an indicator takes its area from its document's indicators (none here)
    assert flags["flag-F0011"]["data-area"] == ""


def test_header_counts_score_and_changes(tmp_path, report):
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    assert "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sumenep" in html
    assert "1 Oktober 2024" in html and ">2024<" in html and "<strong>WBK</strong>" in html
    assert "perkiraan" in html.lower()
    assert "WBK 75" in html and "WBBM 85" in html
    assert "≈ 40,7" in html  # Indonesian decimal comma
    cards = re.findall(r'card-sev sev-(\w+)".*?card-num">(\d+)<', html, re.S)
    assert dict(cards) == {"error": "6", "warning": "4", "info": "2"}
    assert "Perubahan sejak pemeriksaan sebelumnya" in html
    assert 'href="#flag-F0002"' in html and 'href="#flag-F0008"' in html
    assert "Perjanjian Kinerja bertanggal 2023" in html  # resolved flag


def test_english_labels(tmp_path):
    html = write_html(rf.build_report("en"), tmp_path).read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    for label in ("Flags", "estimate", "Changes since the previous check", "Areas and indicators",
                  "Errors not waived", "Search file name", "Found", "Expected"):
        assert label in html, label
    for label in ("Temuan baru", "Kesalahan yang belum", "perkiraan", "Cari nama berkas"):
        assert label not in html, label


def test_indonesian_is_the_default(tmp_path, report):
    report.pop("lang")
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    assert '<html lang="id">' in html and "Temuan" in html


def test_ui_strings_complete_in_both_languages():
    data = yaml.safe_load((Path(__file__).parent.parent / "pipeline/i18n/ui.yaml").read_text(encoding="utf-8"))
    assert set(data["id"]) == set(data["en"])
    assert set(data["id"]["codes"]) == set(data["en"]["codes"])


def test_evidence_links_are_relative_and_resolve(tmp_path):
    evidence = tmp_path / "Bukti ZI #2024"
    out = tmp_path / "hasil" / "report"
    report = rf.build_report(evidence_dir=str(evidence))
    for d in report["documents"]:
        f = evidence / d["path"]
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"%PDF-1.4\n")
    html = write_html(report, out).read_text(encoding="utf-8")
    hrefs = [a["href"] for a in parse(html).find("a", "file")]
    assert hrefs, "no evidence links"
    for href in hrefs:
        assert not href.startswith(("/", "file:", "http")), href
        assert "#" not in href and " " not in href
        assert (out / unquote(href)).resolve().is_file(), href
    sk = evidence_href(str(evidence), "1. Manajemen Perubahan/1.1 Tim Kerja/SK Tim Kerja ZI 2024.pdf", out)
    assert sk == "../../Bukti%20ZI%20%232024/1.%20Manajemen%20Perubahan/1.1%20Tim%20Kerja/SK%20Tim%20Kerja%20ZI%202024.pdf"
    # a page reference opens the PDF at that page
    assert f'href="{hrefs[0].split("/")[0]}/' in html
    assert re.search(r'class="page-link" href="[^"]+SK%20Agen%20Perubahan\.pdf#page=3"', html)


def test_hostile_names_cannot_become_urls(tmp_path):
    assert evidence_href(str(tmp_path), "javascript:alert(1)", tmp_path) == "javascript%3Aalert%281%29"
    assert evidence_href(str(tmp_path), 'a"><b>.pdf', tmp_path) == "a%22%3E%3Cb%3E.pdf"
    assert evidence_href(None, "x.pdf", tmp_path) is None


def test_document_text_is_escaped(tmp_path):
    report = rf.build_hostile_report()
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    for raw in (rf.XSS_SCRIPT, rf.XSS_IMG, rf.XSS_MARK_SCRIPT, rf.XSS_MARK_IMG, rf.XSS_CLOSE,
                "<img", "<script>alert", "<script>document"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # the only script elements are the page's own two
    tags = parse(html).tags
    scripts = [a for t, a in tags if t == "script"]
    assert scripts == [{"type": "application/json", "id": "bukti-data"}, {}]
    assert not [t for t, _ in tags if t == "img"]
    assert not any(k.startswith("on") for _, a in tags for k in a)
    # waived flag stays visible, marked, with its (escaped) reason
    evil = [a for a in parse(html).find("article", "flag") if a["id"] == "flag-F0099"][0]
    assert "is-waived" in evil["class"] and evil["data-review"] == "waived"
    assert "Alasan: <q>&#34;&#39;&gt;&lt;img" in html


def test_script_json_cannot_close_its_element():
    payload = {"x": rf.XSS_CLOSE + "<!-- & \u2028", "y": [rf.XSS_IMG]}
    out = str(script_json(payload))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == payload


def test_content_security_policy_allows_only_the_page_script(tmp_path, report):
    import base64
    import hashlib

    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline'; img" not in csp
    body = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_self_contained_no_network(tmp_path, report):
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r'(src|href|action)="(https?:)?//', html)
    assert "http://" not in html and "https://" not in html
    assert "<style>" in html and "</style>" in html


def test_print_stylesheet(tmp_path, report):
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    css = html[html.index("@media print"):]
    assert ".filters" in css and "display: none" in css
    assert "break-inside: avoid" in css and "article.flag" in css


def test_waived_and_acknowledged_flags_rendered(tmp_path, report):
    f_waive, f_ack = report["flags"][0], report["flags"][6]
    apply_decisions(report, {
        f_waive["key"]: {"decision": "waived", "reason": "SK 2023 masih berlaku", "at": "2024-10-02T10:00:00+07:00"},
        f_ack["key"]: {"decision": "acknowledged", "reason": None, "at": "2024-10-02T10:05:00+07:00"},
    })
    html = write_html(report, tmp_path).read_text(encoding="utf-8")
    flags = {a["id"]: a for a in parse(html).find("article", "flag")}
    assert len(flags) == len(report["flags"])  # waived ones stay
    assert "is-waived" in flags[f"flag-{f_waive['id']}"]["class"]
    assert flags[f"flag-{f_ack['id']}"]["data-review"] == "acknowledged"
    assert "SK 2023 masih berlaku" in html and "Sudah ditinjau" in html
    # one error is waived: the blocking card shows 5
    assert re.search(r'card-blocking has-blocking">\s*<span class="card-num">5<', html)


def test_minimal_report_without_extensions(tmp_path):
    report = rf.build_report(with_changes=False, with_score=False)
    for key in ("evidence_dir", "changes", "score", "lang"):
        report.pop(key)
    for f in report["flags"]:
        for key in ("key", "review", "snippet"):
            f.pop(key)
    for i in report["indicators"]:
        i.pop("area_code")
        i.pop("weight")
    html = render_html(report, tmp_path)
    assert "Nilai Pengungkit" not in html and "Perubahan sejak" not in html
    assert len(parse(html).find("article", "flag")) == len(report["flags"])
    assert not parse(html).find("a", "file")  # no evidence folder known: names, not links


def test_rewrite_replaces_atomically(tmp_path, report):
    out = tmp_path / "r"
    first = write_html(report, out)
    report["unit"] = "Unit Baru"
    second = write_html(report, out)
    assert first == second and "Unit Baru" in second.read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["report.html"]
    assert oct(os.stat(second).st_mode & 0o777) == "0o644"


def test_odd_values_do_not_break_rendering(tmp_path):
    from pipeline.report.xlsx_report import build_workbook

    report = rf.build_report()
    report["flags"][0]["evidence"]["page"] = "3"
    report["flags"][1]["severity"] = "critical"
    report["flags"][2]["review"] = {"decision": "unexpected"}
    report["flags"][3]["evidence"] = {"found": {"a": [1, 2]}, "expected": [1, "x"], "page": None}
    report["indicators"][0]["status"] = "unknown"
    report["generated_at"] = "not a date"
    report["summary"] = {}
    report["documents"][0]["fields"] = None
    html = render_html(report, tmp_path)
    assert len(parse(html).find("article", "flag")) == len(report["flags"])
    assert "{&#34;a&#34;: [1, 2]}" in html and "1, x" in html
    build_workbook(report)
