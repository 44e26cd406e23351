"""Shapes of real evidence folders that bukti's own textbook generators did not write at first,
taught to the generators (fixtures/) and asserted end to end: generate → text PDF → extract →
classify → fields → checks. Each shape is one a reviewer met as a false alarm:

- a Puskesmas letterhead naming its parent ("PEMERINTAH … / DINAS KESEHATAN … / UPT PUSKESMAS …");
- an SOP in the health-service accreditation format (no "Disahkan oleh", no "Nomor SOP");
- a monev report whose activity table sits straight under the team table;
- a monev report citing the number of the decree that formed the team.
"""
from __future__ import annotations

import datetime as dt
import random

import pytest

from extractors.classify import classify
from extractors.extract import extract_file
from extractors.fields import extract_fields
from extractors.sniff import sniff
from fixtures.documents import make_document
from fixtures.render.files import render_file
from fixtures.units import UNITS, make_roster
from rules.engine import evaluate
from rules.model import Document, Head, Profile
from rules.pack import load_pack

UNIT = UNITS["puskesmas_lenteng"]
YEAR = 2024


def _doc(tmp_path, name: str, doc_type: str, seed: int, **ov) -> Document:
    rng = random.Random(f"{seed}:{name}")
    spec = make_document(doc_type, UNIT, rng, year=YEAR, roster=ROSTER, **ov)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(render_file(spec, "text_pdf", rng))
    ex = extract_file(path, sniff(path))
    t, conf = classify(ex)
    return Document(path=path.name, sha256=f"{seed}{name}", size=path.stat().st_size, kind="pdf",
                    extraction=ex, doc_type=t, doc_type_confidence=conf, fields=extract_fields(ex, t))


ROSTER = make_roster(UNIT, random.Random("roster"), year=YEAR)
PROFILE = Profile(unit=UNIT.name, aliases=list(UNIT.aliases), head=Head(UNIT.head.name, UNIT.head.nip),
                  period=YEAR, check_date=dt.date(YEAR, 10, 1))


def _flags(docs, code):
    ev = evaluate(docs, PROFILE, [], load_pack(None), lang="id")
    return [f for f in ev.flags if f.code == code]


def test_the_fixture_unit_has_a_parent_in_its_letterhead():
    assert UNIT.parent_lines, "the shape under test: a Puskesmas under its Dinas Kesehatan"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_accreditation_sop_is_an_sop_with_its_own_sections(tmp_path, seed):
    d = _doc(tmp_path, "sop", "sop", seed, sop_format="akreditasi")
    assert d.doc_type == "sop"
    assert d.fields.signatory and d.fields.signatory.nip == UNIT.head.nip
    assert not _flags([d], "MISSING_SECTION")
    assert not _flags([d], "UNIT_MISMATCH")


@pytest.mark.parametrize("seed", [1, 2])
def test_monev_with_a_glued_activity_table_and_a_cited_decree(tmp_path, seed):
    sk = _doc(tmp_path, "sk", "sk_tim_zi", seed, date=dt.date(YEAR, 1, 10))
    team = [(next(e for e in ROSTER if e.nip == p.nip), p.role) for p in sk.fields.people
            if any(e.nip == p.nip for e in ROSTER)]
    assert sk.fields.nomor and team
    monev = _doc(tmp_path, "monev", "laporan_monev", seed, team=team, period="Triwulan I",
                 activity_table="glued", cite_sk=sk.fields.nomor, date=dt.date(YEAR, 4, 5))
    assert monev.doc_type == "laporan_monev"
    assert monev.fields.nomor is None                        # the cited number is the decree's
    assert all(p.nip for p in monev.fields.people)           # no activity read as a person
    docs = [sk, monev]
    assert not _flags(docs, "DUPLICATE_NUMBER")
    assert not _flags(docs, "MEMBER_MISMATCH")
    assert not _flags(docs, "UNIT_MISMATCH")
