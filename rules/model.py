"""What the rule engine reads (documents, the unit's profile and roster) and what it writes (flags,
indicator results, the score estimate). The pipeline builds these; checks only read them."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extractors.model import Extraction, Fields


@dataclass
class Document:
    path: str                         # relative to the evidence folder, POSIX separators
    sha256: str
    size: int
    kind: str                         # sniffed from content: pdf, image, docx, empty, unknown …
    extraction: Extraction
    doc_type: str = "unknown"
    doc_type_confidence: float = 0.0
    fields: Fields = field(default_factory=Fields)
    indicators: list[str] = field(default_factory=list)  # set by the engine's mapping step

    @property
    def folder(self) -> str:
        """Parent folder relative to the evidence root ('' at the top): a hint of the indicator."""
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def readable(self) -> bool:
        return self.extraction.error_code is None


@dataclass
class Head:
    name: str | None = None
    nip: str | None = None


@dataclass
class Profile:
    unit: str
    aliases: list[str] = field(default_factory=list)
    head: Head = field(default_factory=Head)
    period: int = 0
    target: str = "WBK"
    check_date: date = field(default_factory=date.today)
    hasil: dict[str, Any] = field(default_factory=dict)   # ipak, ipkp (1-4), capaian_kinerja (A-E)
    previous_predicate: str | None = None                 # WBBM needs an earlier WBK


@dataclass
class Claim:
    """One answer of the unit's own LKE (lke.csv / lke.xlsx)."""
    question: str                    # I.P.i.a
    answer: str                      # as the question's answer type writes it: Ya, B, 87%
    eviden: list[str] = field(default_factory=list)          # evidence paths the unit lists
    penjelasan: str | None = None
    line: int = 0                                            # row in the sheet, for messages
    listed_missing: list[str] = field(default_factory=list)  # listed files not in the folder


@dataclass
class RosterEntry:
    name: str
    nip: str | None = None
    jabatan: str | None = None
    line: int = 0


@dataclass
class Look:
    """The part of a page a check looked at, for a reviewer to see: what kind of region, on which
    page, and the words it rests on as the text reads them (a name, a date as written, a
    placeholder). pipeline/crops.py finds these words' boxes and renders the region."""
    kind: str                         # signature | letterhead | date | nomor | nip | placeholder | table_row | unit | page
    page: int
    anchors: list[str] = field(default_factory=list)
    document: str | None = None       # which of the flag's documents (default: the first)

    @classmethod
    def at(cls, kind: str, page: int | None, *anchors: str | None) -> "Look | None":
        """None where the page is not known: such a flag points at no page."""
        if not page:
            return None
        return cls(kind=kind, page=page, anchors=list(dict.fromkeys(a.strip() for a in anchors if a and a.strip())))


@dataclass
class Flag:
    code: str
    severity: str
    documents: list[str] = field(default_factory=list)   # relative paths
    indicator: str | None = None
    doc_type: str | None = None
    found: Any = None
    expected: Any = None
    page: int | None = None
    params: dict[str, Any] = field(default_factory=dict)  # values the message template uses
    message: str = ""                                     # rendered by the engine in the report language
    doc_sha256: list[str] = field(default_factory=list)   # content identity of `documents`
    id: str = ""                                           # F0001 …, assigned after sorting

    legacy_indicators: list[str] = field(default_factory=list)  # the indicator's pre-2021 codes
    look: Look | None = None                               # the page region the check looked at
    # where `look` was found (page, box in PDF points …), set by the pipeline: report.json's
    # evidence.region
    region: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        """Stable identity across runs: survives renamed files and re-ordering (content hashes,
        not paths), so a reviewer's waiver keeps applying."""
        return self._key(self.indicator)

    @property
    def legacy_keys(self) -> list[str]:
        """The keys this flag had when its indicator was numbered the pre-2021 way ("1.1" for
        I.P.i): a waiver recorded then still applies."""
        return [self._key(code) for code in self.legacy_indicators]

    def _key(self, indicator: str | None) -> str:
        basis = "|".join([self.code, ",".join(sorted(self.doc_sha256)), indicator or "",
                          str(self.expected if self.doc_sha256 else self.found)])
        return f"{self.code}:{hashlib.sha256(basis.encode()).hexdigest()[:12]}"

    def contract_dict(self) -> dict[str, Any]:
        # plain strings: the report is data for JSON, YAML and database drivers, not enum members
        return {"id": self.id, "code": str(self.code), "severity": str(self.severity),
                "documents": sorted(self.documents), "indicator": self.indicator,
                "doc_type": self.doc_type, "message": self.message,
                "evidence": {"found": self.found, "expected": self.expected, "page": self.page,
                             **({"region": self.region} if self.region else {})}}
