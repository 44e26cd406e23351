"""Every user-visible string comes from the catalogue, in the language asked for.

One generated unit folder (text PDFs and DOCX with planted defects and inflated self-assessment
answers, so claims, minima and every flag kind a text folder can raise are on the page) is checked
by the real `bukti check` in `id` and in `en`. Each output a person reads — report.html, every
sheet of report.xlsx, the Prefect artifact's markdown and table, the nightly dashboard, the CLI's
lines, `bukti review list` and a usage error — must hold no word that only the other language's
catalogue entries use, and no internal token (`name`/`nip` as a value, Python reprs, snake_case
codes that are not the contract's identifiers).

The word lists are built from the catalogues themselves (pipeline/i18n/*.yaml and the rule pack's
messages and labels): a word of the Indonesian entries that no English entry uses is Indonesian UI
wording, and the other way round. Words of the folder's own documents (file names, titles, unit
names, quotes) and of the LKE's regulation text (indicator and question wording, shown as the
regulation has it) are taken off the lists for that report: they are data, not UI.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from fixtures.folders import build_unit_folder
from fixtures.units import UNITS
from pipeline.orchestration import nightly
from pipeline.orchestration.artifacts import flags_table, summary_markdown
from pipeline.report.dashboard import render_dashboard

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("id", "en")
WORD = re.compile(r"[A-Za-z][a-z]{3,}")            # a word of four letters or more, not an ACRONYM
CODE = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")        # flag codes: identifiers of the contract
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
REPRS = [re.compile(p) for p in (r"\bNone\b", r"\bTrue\b", r"\bFalse\b", r"\{'", r"\['", r"'\]",
                                 r"<[\w.]+ object at ", r"\b[A-Z][A-Za-z]+\.[A-Z][A-Z_]+\b", r"\bnan\b")]
# Field names of the signature block a check passes as codes; a reader must get the catalogue's words.
FIELD_TOKENS = {"name", "nip", "place_or_date", "jabatan", "signatory", "none", "null"}


def _strings(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)
    elif isinstance(x, str):
        yield x


def _entries(x, lang: str):
    """Every string of `lang` in a catalogue, whichever of its two shapes:
    {key: {id, en}} (cli.yaml, messages.yaml) or {id: {…}, en: {…}} (ui.yaml)."""
    if isinstance(x, dict):
        for k, v in x.items():
            if k == lang:
                yield from _strings(v)
            elif k not in LANGS:
                yield from _entries(v, lang)
    elif isinstance(x, list):
        for v in x:
            yield from _entries(v, lang)


def words(texts) -> set[str]:
    return {w.lower() for t in texts for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", t))}


def catalogue_words() -> dict[str, set[str]]:
    sources = [ROOT / "pipeline/i18n/ui.yaml", ROOT / "pipeline/i18n/cli.yaml",
               ROOT / "rules/lke2021/messages.yaml", ROOT / "rules/lke2021/pack.yaml"]
    loaded = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sources]
    return {lang: words(s for c in loaded for s in _entries(c, lang)) for lang in LANGS}


def data_words(report: dict) -> set[str]:
    """Words a report shows because the folder or the regulation holds them."""
    texts = list(_strings(report.get("documents"))) + [report.get("unit") or "", report.get("evidence_dir") or ""]
    for f in report.get("flags", []):
        ev = f.get("evidence") or {}
        texts += [f.get("snippet") or "", *_strings(ev.get("found")), *_strings(ev.get("expected")),
                  (ev.get("region") or {}).get("text") or ""]   # what the page reads where the flag looked
    for i in report.get("indicators", []):
        texts.append(i.get("title") or "")
        for q in i.get("questions") or []:
            texts += [q.get("text") or "", *_strings(q.get("criteria"))]
    return words(texts)


class Text(HTMLParser):
    """What a reader sees of a page: text outside script/style and the attributes shown as text."""
    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in self.SHOWN and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> list[str]:
    t = Text()
    t.feed(html)
    return [p for p in t.parts if p.strip()]


def xlsx_text(path: Path) -> list[str]:
    wb = load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            out += [v for v in row if isinstance(v, str) and not v.startswith("=")]
    return out


def own_terms(lang: str) -> set[str]:
    """The rule pack's words for its codes in `lang` ("name" is English for the code "name")."""
    terms = yaml.safe_load((ROOT / "rules/lke2021/messages.yaml").read_text(encoding="utf-8"))["terms"]
    return {v[lang] for v in terms.values() if isinstance(v, dict) and isinstance(v.get(lang), str)}


def offences(texts: list[str], foreign: set[str], allowed_ids: set[str], lang: str = "id") -> list[str]:
    """Lines of text with a word of the other language or an internal token, each with why."""
    found = []
    tokens = FIELD_TOKENS - own_terms(lang)
    for t in texts:
        cleaned = CODE.sub(" ", t)
        for w in WORD.findall(cleaned):
            if w.lower() in foreign:
                found.append(f"{w!r} (other language) in: {t.strip()[:160]!r}")
        for rx in REPRS:
            if rx.search(t):
                found.append(f"{rx.pattern!r} (Python repr) in: {t.strip()[:160]!r}")
        for token in SNAKE.findall(t):
            if token not in allowed_ids:
                found.append(f"{token!r} (internal identifier) in: {t.strip()[:160]!r}")
        parts = {p.strip() for p in re.split(r"[,;\n]", t)}   # "NIP" is the acronym; "nip" a field code
        if parts & tokens:
            found.append(f"{sorted(parts & tokens)} (field token) in: {t.strip()[:160]!r}")
    return found


def bukti(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("lang")
    evidence = base / "unit"
    build_unit_folder(evidence, 11, unit=UNITS["rsud_situbondo"], formats=("text_pdf", "docx"), answers="inflated")
    store = str(base / "store.sqlite")
    out = {}
    for lang in LANGS:
        proc = bukti("check", str(evidence), "--out", str(base / lang), "--store", store, "--lang", lang)
        assert proc.returncode in (0, 1), proc.stderr
        report = json.loads((base / lang / "report.json").read_text(encoding="utf-8"))
        review = bukti("review", "list", "--out", str(base / lang), "--lang", lang)
        usage = bukti("check", str(base / "no-such-folder"), "--lang", lang)
        nightly_usage = bukti("nightly", str(base), "--out", str(base / "nightly"), "--lang", lang)
        assert usage.returncode == 2 and nightly_usage.returncode == 2
        out[lang] = {"dir": base / lang, "report": report,
                     "cli": [proc.stdout, proc.stderr, review.stdout, review.stderr, usage.stderr,
                             nightly_usage.stderr]}
    return out


def allowed_identifiers() -> set[str]:
    """Identifiers the contract names on purpose: document types (shown as codes beside their
    label) and the unit.yaml keys a hint tells the user to fill."""
    vocab = yaml.safe_load((ROOT / "rules/vocabulary.yaml").read_text(encoding="utf-8"))
    ids = set()
    for v in vocab.values():
        if isinstance(v, list):
            ids |= {x if isinstance(x, str) else next(iter(x)) for x in v if isinstance(x, (str, dict))}
        elif isinstance(v, dict):
            ids |= set(v)
    return ids | {"previous_predicate", "capaian_kinerja", "unit.yaml"}


def outputs(run: dict, lang: str) -> dict[str, list[str]]:
    report = run["report"]
    index = nightly.build_index(Path("/data/zona-integritas"), [nightly.unit_entry("unit", report, "checked")])
    return {
        "report.html": page_text((run["dir"] / "report.html").read_text(encoding="utf-8")),
        "report.xlsx": xlsx_text(run["dir"] / "report.xlsx"),
        "artifact markdown": summary_markdown(report).splitlines(),
        # column names, severities, messages and reviews (ids, codes, paths and keys are identifiers)
        "artifact table": [*flags_table(report)[0], *(str(v) for row in flags_table(report)
                                                     for v in list(row.values())[1:2] + list(row.values())[5:7])],
        "dashboard": page_text(render_dashboard(index, lang)),
        "cli": [line for out in run["cli"] for line in out.splitlines()
                if not line.startswith(("Prefect", "[", "WARNING", "INFO"))],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_every_output_speaks_one_language_and_no_internal_tokens(runs, lang):
    cat = catalogue_words()
    other = "en" if lang == "id" else "id"
    run = runs[lang]
    foreign = (cat[other] - cat[lang]) - data_words(run["report"])
    assert len(foreign) > 100, "the word list of the other language is too small to mean anything"
    allowed = allowed_identifiers()
    problems = {name: offences(texts, foreign, allowed, lang) for name, texts in outputs(run, lang).items()}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_check_finds_a_foreign_word_and_a_token():
    """The detector itself: an English sentence on an Indonesian page, a field token in a cell."""
    cat = catalogue_words()
    foreign = cat["en"] - cat["id"]
    assert offences(["Pengungkit only, from the evidence found; Hasil (surveys) is not in the folder."],
                    foreign, set())
    assert offences(["name, nip"], foreign, set()) and offences(["{'a': None}"], foreign, set())
    assert not offences(["Kesalahan yang belum dikecualikan"], foreign, set())
