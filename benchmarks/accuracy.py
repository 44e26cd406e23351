"""How right bukti is, per document type, per form, per field and per flag code, and write
RESULTS_ACCURACY.md. A benchmark, not a timed test: it reads every document and takes minutes.

    .venv/bin/python -m benchmarks.accuracy [--dev ../shared/eval-dev] [--dev-reports DIR]
                                            [--corpora scan,photo,text,folder] [--out FILE]

Two sources of documents, because each catches what the other cannot:
- bukti's own fixtures (fixtures/, deterministic seeds, the same corpora as tests/test_accuracy.py
  and tests/test_photo_page.py): each document goes through sniff, extract, classify and fields in
  this process, a field counts only when it is exactly the truth; and a unit folder with planted
  defects goes through `bukti check` for its flags;
- the development set of an independent generator (`--dev`): `bukti check` on every folder (or the
  reports already written under `--dev-reports`), a field judged by the dev set's own rule
  (its score.py's `field_ok`, imported from there at run time: e.g. a unit name is right at a
  similarity of 0.92), flags matched to its expected flags by code and document.

Precision and recall, everywhere the same way (`prf`): a field or type given and right is a true
positive; given and wrong a false positive (and, where the truth had one, a miss as well); not
given where the truth has one a miss. A flag matched to an expected one is a true positive, an
error or warning flag matched to none a false alarm (info flags that match nothing are counted
apart, as the dev set's scorer does), an expected flag no report raised a miss.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work" / "accuracy"
DEFAULT_DEV = REPO.parent / "shared" / "eval-dev"
FIELDS = ("nomor", "tanggal", "signatory_nip", "unit")
# fixture formats as the dev set names its forms (the older scan corpus's JPGs are phone photos)
FORM_OF = {"text_pdf": "text", "docx": "docx", "scan_pdf": "scan", "tiff": "scan", "png": "scan",
           "mixed_pdf": "scan", "jpg": "photo"}
# the fixture corpora: (builder name in fixtures.folders, seed, documents, keyword arguments)
CORPORA = {
    "scan": ("build_scan_corpus", 7, 40, {}),
    "scan_lke": ("build_scan_corpus", 13, 63, {"lke": True}),
    "photo": ("build_photo_corpus", 17, 12, {}),
    "text": ("build_text_corpus", 11, None, {}),   # None: every type twice
}


# ---------------------------------------------------------------------- scoring

@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Count") -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn


def prf(c: Count) -> tuple[float | None, float | None]:
    """(precision, recall); None where nothing was given, or nothing was to be found."""
    given, wanted = c.tp + c.fp, c.tp + c.fn
    return (c.tp / given if given else None), (c.tp / wanted if wanted else None)


def judge(got, want, right: bool) -> Count:
    """One value against its truth; `right`: whether got is the truth by the corpus's rule."""
    if got in (None, "") and want in (None, ""):
        return Count()
    if got in (None, ""):
        return Count(fn=1)
    if right:
        return Count(tp=1)
    return Count(fp=1, fn=int(want not in (None, "")))


@dataclass
class DocResult:
    """One document as read, against its truth: (got, want, right) per field."""
    source: str            # "fixtures" | "dev"
    form: str              # text | docx | scan | photo
    doc_type: str          # the truth's
    got_type: str | None
    fields: dict[str, tuple[object, object, bool]] = field(default_factory=dict)
    typed: bool = True     # whether its type is judged (the dev set judges some documents' fields only)


def score_documents(docs: list[DocResult]) -> dict[str, dict[str, Count]]:
    """Counts by table: "type" (doc type by its true type, and what was given), "form_type",
    "form_fields" (all fields by form), "field" (by field), "field_form" (field/form)."""
    out: dict[str, dict[str, Count]] = collections.defaultdict(lambda: collections.defaultdict(Count))
    for d in docs:
        if not d.typed:
            pass
        elif d.got_type == d.doc_type:
            out["type"][d.doc_type].tp += 1
            out["form_type"][d.form].tp += 1
        else:
            out["type"][d.doc_type].fn += 1
            out["form_type"][d.form].fn += 1
            if d.got_type not in (None, "unknown"):
                out["type"][d.got_type].fp += 1
                out["form_type"][d.form].fp += 1
        for name, (got, want, right) in d.fields.items():
            c = judge(got, want, right)
            for table, key in (("field", name), ("field_form", f"{name}/{d.form}"), ("form_fields", d.form)):
                out[table][key].add(c)
    return out


def _matches(flag: dict, want: dict) -> bool:
    if flag.get("code") != want.get("code"):
        return False
    paths = set(flag.get("documents") or [])
    wanted = set(want.get("documents") or ([want["path"]] if want.get("path") else []))
    if wanted:
        return bool(paths & wanted)
    return want.get("doc_type") in (flag.get("doc_type"), None) or want.get("doc_type", "") in (flag.get("message") or "")


def score_flags(reported: list[dict], expected: list[dict], tolerated: list[dict] | None = None
                ) -> tuple[dict[str, Count], collections.Counter]:
    """(counts by flag code, wrong info flags by code). Expected flags name their documents
    (`documents` or `path`) or, for a document that is missing, its `doc_type`; a waived flag is
    the reviewer's and not counted; a tolerated one is neither right nor wrong."""
    counts: dict[str, Count] = collections.defaultdict(Count)
    info: collections.Counter = collections.Counter()
    found = [False] * len(expected)
    for fl in reported:
        if (fl.get("review") or {}).get("status") == "waived":
            continue
        hits = [i for i, e in enumerate(expected) if _matches(fl, e)]
        for i in hits:
            found[i] = True
        if hits or any(_matches(fl, t) for t in tolerated or []):
            continue
        if fl.get("severity") == "info":
            info[fl["code"]] += 1
        else:
            counts[fl["code"]].fp += 1
    for e, hit in zip(expected, found):
        if hit:
            counts[e["code"]].tp += 1
        else:
            counts[e["code"]].fn += 1
    return counts, info


# ---------------------------------------------------------------------- running

def _fixture_docs(name: str, work: Path) -> list[DocResult]:
    from extractors.classify import classify
    from extractors.extract import extract_file
    from extractors.fields import extract_fields
    from extractors.sniff import sniff
    from fixtures import folders
    from fixtures.documents import DOC_TYPES

    builder, seed, n, kw = CORPORA[name]
    root = work / name
    manifest = getattr(folders, builder)(root, seed, n or 2 * len(DOC_TYPES), workers=2, **kw)

    def one(entry: dict) -> DocResult:
        path = root / entry["path"]
        ex = extract_file(path, sniff(path))
        doc_type, _ = classify(ex)
        got = extract_fields(ex, doc_type).contract_dict()
        want = entry["truth"]["fields"]
        pairs = {"nomor": (got.get("nomor"), want.get("nomor")),
                 "tanggal": (got.get("tanggal"), want.get("tanggal")),
                 "signatory_nip": ((got.get("signatory") or {}).get("nip"), (want.get("signatory") or {}).get("nip")),
                 "unit": (got.get("unit"), want.get("unit"))}
        return DocResult("fixtures", entry.get("form") or FORM_OF[entry["format"]], entry["truth"]["doc_type"],
                         doc_type, {k: (g, w, g == w) for k, (g, w) in pairs.items()})

    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(one, [e for e in manifest["documents"] if e["truth"]]))


def _check(evidence: Path, out: Path, home: Path) -> dict:
    env = {**os.environ, "BUKTI_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    subprocess.run([sys.executable, "-m", "pipeline.cli", "check", str(evidence), "--out", str(out)],
                   cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _fixture_folder(work: Path) -> tuple[dict[str, Count], collections.Counter]:
    from fixtures.folders import build_unit_folder

    root = work / "folder"
    manifest = build_unit_folder(root, 2024)
    report = _check(root, work / "folder-report", work / "home")
    return score_flags(report.get("flags", []), manifest["flags"])


def _load_dev_scorer(dev: Path):
    spec = importlib.util.spec_from_file_location("eval_dev_score", dev / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dev(dev: Path, reports: Path, work: Path, run: bool
         ) -> tuple[list[DocResult], dict[str, Count], collections.Counter, str]:
    scorer = _load_dev_scorer(dev)
    docs: list[DocResult] = []
    flags: dict[str, Count] = collections.defaultdict(Count)
    info: collections.Counter = collections.Counter()
    for ej in sorted((dev / "corpus").glob("*/expected.json")):
        exp = json.loads(ej.read_text(encoding="utf-8"))
        out = reports / ej.parent.name
        if run:
            _check(ej.parent / "evidence", out, work / "home")
        rp = out / "report.json"
        report = json.loads(rp.read_text(encoding="utf-8")) if rp.exists() else {"documents": [], "flags": []}
        by_path = {d["path"]: d for d in report.get("documents", [])}
        for d in exp["documents"]:
            got = by_path.get(d["path"]) or {}
            gf = got.get("fields") or {}
            judged = {}
            for f in d.get("score_fields") or []:
                if d["fields"].get(f) is None and f != "nomor":
                    continue
                value = (gf.get("signatory") or {}).get("nip") if f == "signatory_nip" else gf.get(f)
                judged[f] = (value, d["fields"].get(f), scorer.field_ok(f, gf, d))
            if d.get("score_doc_type") or judged:
                docs.append(DocResult("dev", d["form"], d["doc_type"], got.get("doc_type"), judged,
                                      typed=bool(d.get("score_doc_type"))))
        c, i = score_flags(report.get("flags", []), exp["flags"], exp.get("tolerated"))
        for code, n in c.items():
            flags[code].add(n)
        info.update(i)
    # the dev set's own scorer over the same reports, for comparison with the tables
    said = subprocess.run([sys.executable, str(dev / "score.py"), str(dev / "corpus"), str(reports)],
                          capture_output=True, text=True).stdout.splitlines()
    # its line per folder and its two summary lines
    names = {ej.parent.name for ej in (dev / "corpus").glob("*/expected.json")}
    folders = [x for x in said if x.split(":")[0] in names]
    return docs, flags, info, "\n".join(folders + [x for x in said if x.strip()][-2:])


# ---------------------------------------------------------------------- writing

def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _table(title: str, counts: dict[str, Count], label: str) -> list[str]:
    lines = [f"#### {title}", "", f"| {label} | tp | fp | fn | precision | recall |", "|---|---|---|---|---|---|"]
    for key in sorted(counts):
        c = counts[key]
        p, r = prf(c)
        lines.append(f"| {key} | {c.tp} | {c.fp} | {c.fn} | {_f(p)} | {_f(r)} |")
    total = Count()
    for c in counts.values():
        total.add(c)
    p, r = prf(total)
    lines += [f"| **all** | {total.tp} | {total.fp} | {total.fn} | {_f(p)} | {_f(r)} |", ""]
    return lines


def _section(name: str, docs: list[DocResult], flags: dict[str, Count] | None,
             info: collections.Counter | None) -> list[str]:
    s = score_documents(docs)
    lines = [f"### {name}", "", f"{len(docs)} documents; forms "
             + ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(d.form for d in docs).items())), ""]
    lines += _table("Document type, by true type (fp: documents given this type wrongly)", s["type"], "type")
    lines += _table("Document type, by form", s["form_type"], "form")
    lines += _table("Fields (nomor, tanggal, signatory NIP, unit), by form", s["form_fields"], "form")
    lines += _table("By field", s["field"], "field")
    lines += _table("By field and form", s["field_form"], "field/form")
    if flags is not None:
        lines += _table("Flags by code (fp: error/warning flags matching no planted defect)", flags, "code")
        if info:
            lines += ["Info flags matching nothing expected (not counted above): "
                      + ", ".join(f"{k} {v}" for k, v in sorted(info.items())), ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.accuracy", description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="the development set (with score.py)")
    ap.add_argument("--dev-reports", type=Path, help="score the reports already written here instead of "
                    "running bukti check on every dev folder")
    ap.add_argument("--no-dev", action="store_true")
    ap.add_argument("--corpora", default="scan,scan_lke,photo,text,folder",
                    help="fixture corpora to run (of " + ",".join([*CORPORA, "folder"]) + "; empty for none)")
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS_ACCURACY.md")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    a.work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    names = [n for n in a.corpora.split(",") if n]
    fixture_docs: list[DocResult] = []
    for name in names:
        if name in CORPORA:
            fixture_docs += _fixture_docs(name, a.work)
            print(f"fixtures {name}: {time.monotonic() - t0:.0f} s", file=sys.stderr)
    folder_flags, folder_info = _fixture_folder(a.work) if "folder" in names else (None, None)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    lines = ["# Accuracy of bukti: bukti's own fixtures and an independent development set", "",
             f"Written by `python -m benchmarks.accuracy {' '.join(argv if argv is not None else sys.argv[1:])}` "
             f"on {dt.date.today().isoformat()} at commit {commit}. How each count is made: the module's "
             "docstring. `–`: nothing given, or nothing to find.", ""]
    if fixture_docs or folder_flags is not None:
        lines += ["## bukti's fixtures", "", "Corpora: " + ", ".join(
            f"{n} (seed {CORPORA[n][1]})" for n in names if n in CORPORA)
            + ("; flags from a unit folder with planted defects (seed 2024) through `bukti check`"
               if folder_flags is not None else "") + ".", ""]
        lines += _section("Fixtures", fixture_docs, folder_flags, folder_info)
    if not a.no_dev:
        reports = a.dev_reports or a.work / "dev-reports"
        docs, flags, info, theirs = _dev(a.dev, reports, a.work, run=a.dev_reports is None)
        lines += ["## Development set (independent generator)", "",
                  f"`{a.dev}`; its own scorer over the same reports says:", "", "```", theirs, "```", ""]
        lines += _section("Development set", docs, flags, info)
    lines.append(f"Run time: {time.monotonic() - t0:.0f} s.")
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
