"""UNIT_MISMATCH: a document that names another unit than the one assessed (a template copied
from another region or agency). Abbreviations and region words come from the pack's `units`
table, so "Disdukcapil Sumenep" and "Dinas Kependudukan dan Pencatatan Sipil Kab. Sumenep" are
the same unit. Only a clearly different region or agency is flagged: an unrecognised name is
not evidence of a mismatch."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..context import CheckContext
from ..model import Look
from ..registry import check
from ..vocab import FlagCode
from ..text import contains_phrase, norm


@dataclass
class UnitName:
    agency: str | None
    region_type: str | None
    region: str | None
    residual: str
    government: bool   # "Pemerintah Kabupaten …": names a whole region's government
    parents: tuple[str, ...] = ()   # agencies named above the unit in the same name (letterhead)


class UnitTable:
    def __init__(self, table: dict):
        self.abbrev = {norm(k): norm(v) for k, v in (table.get("expand") or {}).items()}
        self.agencies = {key: sorted({norm(x) for x in names}, key=len, reverse=True)
                         for key, names in (table.get("agencies") or {}).items()}
        self.region_types = [norm(x) for x in table.get("region_types") or ["kabupaten", "kota", "provinsi"]]
        self.stop = {norm(x) for x in table.get("stopwords") or []}
        self.generic = {norm(x) for x in table.get("generic_words") or []}
        self.named = set(table.get("named_agencies") or [])
        # agency → the agencies above it (an UPTD Puskesmas is under the Dinas Kesehatan)
        self.parents = {k: set(v or []) for k, v in (table.get("parents") or {}).items()}
        self._parsed: dict[str, UnitName] = {}

    def expand(self, s: str) -> str:
        words = norm(s).split()
        return " ".join(self.abbrev.get(w, w) for w in words)

    def parse(self, s: str) -> UnitName:
        # The same few unit names recur in every document's letterhead and body.
        if s not in self._parsed:
            self._parsed[s] = self._parse(s)
        return self._parsed[s]

    def _parse(self, s: str) -> UnitName:
        text = self.expand(s)
        # Every agency the name holds, by where it starts: a letterhead reads top-down ("Dinas
        # Kesehatan UPTD Puskesmas Karang Intan"), so the last one is the issuing unit and the
        # others are its parents. At one position the longest name wins (RSUD over rumah sakit).
        found: dict[str, tuple[int, int, str]] = {}
        for key, names in self.agencies.items():
            for n in names:
                m = re.search(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])", text)
                if m and (key not in found or m.start() < found[key][0]):
                    found[key] = (m.start(), len(n), n)
        agency, parents = None, ()
        if found:
            order = sorted(found.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
            firsts = {}
            for key, (start, _, _) in order:
                firsts.setdefault(start, key)   # the longest name at each position
            keys = list(firsts.values())
            agency, parents = keys[-1], tuple(keys[:-1])
            for key in keys:
                n = found[key][2]
                text = re.sub(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])", " ", text, count=1)
        if agency is None:   # OCR noise in a long agency name ("Kependudukan dan Pencatatan Slpil")
            best = max(((fuzz.partial_ratio(n, text), key) for key, names in self.agencies.items()
                        for n in names if len(n) >= 15), default=(0, None))
            if best[0] >= 90:
                agency = best[1]
        region_type = region = None
        words = text.split()
        government = "pemerintah" in words
        for i, w in enumerate(words):
            if w in self.region_types:
                name = []
                for x in words[i + 1:]:
                    if x in self.stop or x in self.region_types or len(name) == 2:
                        break
                    name.append(x)
                if name:
                    region_type, region = w, " ".join(name)
                    text = text.replace(" ".join([w, *name]), " ")
                    break
        residual = [w for w in text.split() if w not in self.generic and w not in self.stop
                    and w not in self.region_types and not w.isdigit()]
        return UnitName(agency, region_type, region, " ".join(residual[:3]), government, parents)


def _region_differs(a: UnitName, b: UnitName, threshold: float) -> bool:
    if not (a.region and b.region):
        return False
    same_name = fuzz.token_set_ratio(a.region, b.region) >= threshold
    if a.region_type == b.region_type:
        return not same_name
    # A province contains the regency: different levels are not a conflict by themselves.
    if "provinsi" in (a.region_type, b.region_type):
        return False
    return not same_name   # Kota X vs Kabupaten Y


def _differs(doc_unit: UnitName, own: UnitName, issuer: bool, p: dict, table: UnitTable) -> str | None:
    region = _region_differs(doc_unit, own, p["region_threshold"])
    same_agency = doc_unit.agency is not None and doc_unit.agency == own.agency
    residual = (same_agency and doc_unit.agency in table.named and doc_unit.residual and own.residual
                and fuzz.token_set_ratio(doc_unit.residual, own.residual) < p["name_threshold"])
    if issuer:
        # The unit's parent (the Dinas over an UPTD; the regional government over any unit)
        # issues documents for it: a document naming the parent is the same unit's.
        parent = doc_unit.agency in table.parents.get(own.agency, ())
        if doc_unit.agency and own.agency and doc_unit.agency != own.agency and not parent:
            return "agency"
        if region:
            return "region"
        return "name" if residual else None
    if same_agency and region:
        return "region"
    if same_agency and residual:
        return "name"
    if doc_unit.government and doc_unit.agency is None and region:
        return "region"
    return None


def _part_of(name: str, own: set[str]) -> bool:
    """Whether a name is one of the unit's own names or a run of whole words of one: a letterhead
    whose line the reading cut ("RUMAH SAKIT" of "Rumah Sakit Umum Daerah Kabupaten Gowa", the
    rest on the next line or lost to a stamp) names the unit less exactly, not another unit."""
    return bool(name.strip()) and any(
        re.search(rf"(?<![a-z0-9]){re.escape(name.strip())}(?![a-z0-9])", n) for n in own)


@check(FlagCode.UNIT_MISMATCH, params={"region_threshold": 85.0, "name_threshold": 80.0, "check_mentions": True})
def unit_mismatch(ctx: CheckContext):
    table = UnitTable(ctx.pack.units)
    p = ctx.params
    names = [ctx.profile.unit, *ctx.profile.aliases]
    parsed = [table.parse(n) for n in names if n]
    if not parsed:
        return
    own = UnitName(agency=next((x.agency for x in parsed if x.agency), None),
                   region_type=next((x.region_type for x in parsed if x.region), None),
                   region=next((x.region for x in parsed if x.region), None),
                   residual=next((x.residual for x in parsed if x.residual), ""), government=False)
    # The unit's own names, and its agency's names ("rumah sakit umum daerah" for an RSUD).
    own_norm = {table.expand(n) for n in names if n} | set(table.agencies.get(own.agency, ()))
    for doc in ctx.docs:
        candidates = []
        if doc.fields.unit:
            candidates.append((doc.fields.unit, None, True))
        if p["check_mentions"]:
            candidates += [(m.raw or m.value, m.page, False) for m in doc.fields.unit_mentions]
        for value, page, issuer in candidates:
            if not value or _part_of(table.expand(value), own_norm):
                continue
            why = _differs(table.parse(value), own, issuer, p, table)
            if why:
                # the issuer is named in the letterhead of the first page
                yield ctx.flag(documents=[doc], found=" ".join(value.split()), expected=ctx.profile.unit,
                               page=page, variant=why,
                               look=Look.at("letterhead" if issuer else "unit", page or 1, value))
                break
