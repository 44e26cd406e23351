"""The fixture generators are deterministic, cover every doc type and describe what they wrote."""
from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageOps

from extractors.fields.subject import applies_to as subject_applies_to
from fixtures.build_example import EXAMPLE_DIR
from fixtures.build_example import build as build_example
from fixtures.documents import DOC_TYPES, make_document
from fixtures.folders import build_unit_folder
from fixtures.people import format_nip, nip_is_valid
from fixtures.render import scan
from fixtures.render.docx import render_docx
from fixtures.render.files import render_file
from fixtures.render.text_pdf import render_text_pdf
from fixtures.units import UNITS, make_roster

VOCAB = Path(__file__).resolve().parents[1] / "rules" / "vocabulary.yaml"
SPEC_VOCAB = Path(__file__).resolve().parents[2] / "shared" / "spec" / "vocabulary.yaml"   # ../shared beside the checkout
UNIT = UNITS["disdukcapil_sumenep"]


def _doc(doc_type: str, seed: int = 7, **ov):
    return make_document(doc_type, UNIT, random.Random(seed), year=2024, **ov)


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def test_every_vocabulary_doc_type_has_a_generator():
    path = VOCAB if VOCAB.exists() else SPEC_VOCAB
    types = set(yaml.safe_load(path.read_text())["doc_types"]) - {"unknown"}
    assert types <= set(DOC_TYPES)


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_every_doc_type_renders_with_truth(doc_type):
    spec = _doc(doc_type)
    pdf, info = render_text_pdf(spec)
    assert pdf.startswith(b"%PDF") and info.pages >= 1
    assert render_docx(spec)[:2] == b"PK"
    f = spec.truth["fields"]
    assert spec.truth["doc_type"] == doc_type
    # report types that are about a mechanism also carry its subject (None when none is named)
    assert set(f) == {"nomor", "tanggal", "title", "unit", "signatory", "people"} | (
        {"subject"} if subject_applies_to(doc_type) else set())
    assert f["title"] and f["unit"] == UNIT.name and f["tanggal"].startswith("2024-")
    assert f["signatory"] and nip_is_valid(f["signatory"]["nip"])
    for p in f["people"]:
        assert set(p) == {"name", "nip", "role"} and nip_is_valid(p["nip"])


def test_nips_are_valid_and_format_with_spaces():
    roster = make_roster(UNIT, random.Random(3), year=2024)
    assert 15 <= len(roster) <= 30 and roster[0] == UNIT.head
    assert all(nip_is_valid(e.nip) for e in roster)
    assert len({e.nip for e in roster}) == len(roster)
    assert format_nip("197203151998031004") == "19720315 199803 1 004"
    assert not nip_is_valid("197213151998031004") and not nip_is_valid("19720315199803100")


def test_defect_overrides_change_truth():
    assert _doc("sk_upg", signed=False).truth["fields"]["signatory"] is None
    other = UNITS["dpmptsp_malang"]
    assert _doc("sop", as_unit=other).truth["fields"]["unit"] == other.name
    bad = _doc("sk_upg", invalid_nip=True).truth["fields"]["people"]
    assert any(not nip_is_valid(p["nip"]) for p in bad)
    from fixtures.layout import Heading, Paragraph
    spec = _doc("sk_tim_zi", drop_section=True)
    assert not any(isinstance(b, Heading) and "MEMUTUSKAN" in b.text.replace(" ", "") for b in spec.blocks)
    spec = _doc("maklumat_pelayanan", placeholder="[NAMA UNIT]")
    assert any(isinstance(b, Paragraph) and "[NAMA UNIT]" in b.text for b in spec.blocks)


def test_same_seed_same_bytes():
    for fmt in ("text_pdf", "docx", "scan_pdf", "mixed_pdf"):
        a = render_file(_doc("berita_acara_pencanangan", 11), fmt, random.Random(1),
                        style=scan.ScanStyle(dpi=100) if fmt in ("scan_pdf", "mixed_pdf") else None)
        b = render_file(_doc("berita_acara_pencanangan", 11), fmt, random.Random(1),
                        style=scan.ScanStyle(dpi=100) if fmt in ("scan_pdf", "mixed_pdf") else None)
        assert _sha(a) == _sha(b), fmt
    c = render_file(_doc("berita_acara_pencanangan", 12), "text_pdf", random.Random(1))
    assert _sha(c) != _sha(a)


def test_photo_jpg_exif_orientation_turns_upright():
    spec = _doc("maklumat_pelayanan")
    data = render_file(spec, "jpg", random.Random(2), style=scan.ScanStyle(dpi=60, photo=True, grey=False))
    stored = Image.open(io.BytesIO(data))
    assert stored.getexif().get(scan.EXIF_ORIENTATION) in (6, 8)
    assert stored.width > stored.height                      # stored sideways
    upright = ImageOps.exif_transpose(stored)
    assert upright.height > upright.width


def test_multipage_tiff():
    spec = _doc("sk_upg")
    data = render_file(spec, "tiff", random.Random(2), style=scan.ScanStyle(dpi=60))
    im = Image.open(io.BytesIO(data))
    assert getattr(im, "n_frames", 1) == render_text_pdf(spec)[1].pages > 1


def _check_manifest(root: Path, manifest: dict) -> None:
    paths = {d["path"] for d in manifest["documents"]}
    for p in paths:
        assert (root / p).is_file(), p
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    # besides the documents: the profile, the roster and (when asked for) the unit's own answers
    assert on_disk - paths == {"unit.yaml", "roster.csv"} | ({"lke.csv"} if manifest.get("answers") else set())
    for f in manifest["flags"]:
        assert set(f["documents"]) <= paths


def test_manifest_and_defects(tmp_path):
    dest = tmp_path / "unit"
    m = build_unit_folder(dest, 5, unit=UNIT, defects=True, formats=("text_pdf", "docx"))
    _check_manifest(dest, m)
    assert json.loads((tmp_path / "unit.expected.json").read_text()) == m
    codes = sorted(f["code"] for f in m["flags"])
    assert codes == sorted(["OUT_OF_PERIOD", "UNIT_MISMATCH", "UNSIGNED", "TEMPLATE_PLACEHOLDER", "CORRUPT_FILE",
                            "UNSUPPORTED_FILE", "DUPLICATE_FILE", "MISSING_EVIDENCE"])
    types = {d["truth"]["doc_type"] for d in m["documents"] if d["truth"]}
    assert len(types) >= 20 and "sk_agen_perubahan" not in types
    dup = next(f for f in m["flags"] if f["code"] == "DUPLICATE_FILE")["documents"]
    assert _sha((dest / dup[0]).read_bytes()) == _sha((dest / dup[1]).read_bytes())
    # Pakta integritas covers every employee of the roster.
    roster = {line.split(",")[-2] for line in (dest / "roster.csv").read_text().splitlines()[1:]}
    pakta = next(d for d in m["documents"] if d["truth"] and d["truth"]["doc_type"] == "pakta_integritas")
    assert {p["nip"] for p in pakta["truth"]["fields"]["people"]} == roster
    clean = build_unit_folder(tmp_path / "clean", 5, unit=UNIT, defects=False, formats=("text_pdf", "docx"))
    assert clean["flags"] == []
    assert "sk_agen_perubahan" in {d["truth"]["doc_type"] for d in clean["documents"]}


def test_example_folder_matches_regeneration(tmp_path):
    assert EXAMPLE_DIR.is_dir(), "run: python -m fixtures.build_example"
    dest = tmp_path / EXAMPLE_DIR.name
    m = build_example(dest)       # the same call as `python -m fixtures.build_example`
    committed = json.loads((EXAMPLE_DIR.parent / (EXAMPLE_DIR.name + ".expected.json")).read_text())
    assert committed == json.loads(json.dumps(m))
    _check_manifest(EXAMPLE_DIR, committed)
    ours = {p.relative_to(dest).as_posix(): _sha(p.read_bytes()) for p in dest.rglob("*") if p.is_file()}
    theirs = {p.relative_to(EXAMPLE_DIR).as_posix(): _sha(p.read_bytes()) for p in EXAMPLE_DIR.rglob("*")
              if p.is_file()}
    assert ours == theirs
    size = sum(p.stat().st_size for p in EXAMPLE_DIR.rglob("*") if p.is_file())
    assert size < 3_000_000
