"""What a check sees: the documents, the unit, the roster, its own parameters, the indicator
mapping, and a few helpers for dates and periods."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .mapping import FolderHint
from .model import Claim, Document, Flag, Look, Profile, RosterEntry
from .pack import CheckConfig, RulePack
from .text import iso_date
from .vocab import SEVERITY_RANK

QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass
class CheckContext:
    documents: list[Document]            # every document, including unreadable ones
    docs: list[Document]                 # documents whose content can be checked
    profile: Profile
    roster: list[RosterEntry]
    pack: RulePack
    config: CheckConfig
    params: dict[str, Any]
    doc_indicators: dict[str, list[str]]
    hints: dict[str, FolderHint] = field(default_factory=dict)
    proposals: dict[str, Any] = field(default_factory=dict)   # question code → Proposal ("claims" stage)
    claims: dict[str, Claim] = field(default_factory=dict)    # question code → the unit's own answer
    earlier_flags: list[Flag] = field(default_factory=list)    # what the file and content checks found

    @property
    def target(self) -> str:
        return (self.profile.target or "WBK").upper()

    @property
    def period(self) -> int:
        # A profile without a period (no unit.yaml) is judged against the year of the check.
        return self.profile.period or self.check_date.year

    @property
    def period_start(self) -> date:
        return date(self.period, 1, 1)

    @property
    def period_end(self) -> date:
        return date(self.period, 12, 31)

    @property
    def check_date(self) -> date:
        return self.profile.check_date or date.today()

    def docs_of(self, *types: str, readable_only: bool = True) -> list[Document]:
        pool = self.docs if readable_only else self.documents
        return [d for d in pool if d.doc_type in types]

    def indicator_docs(self, code: str) -> list[Document]:
        return [d for d in self.documents if code in self.doc_indicators.get(d.path, [])]

    def primary_indicator(self, doc: Document) -> str | None:
        codes = self.doc_indicators.get(doc.path) or []
        return codes[0] if codes else None

    @staticmethod
    def doc_date(doc: Document) -> date | None:
        d = iso_date(doc.fields.tanggal)
        if d is None and doc.fields.signatory:
            d = iso_date(doc.fields.signatory.date)
        return d

    def in_period(self, d: date) -> bool:
        return self.period_start <= d <= self.period_end

    def periods_ended(self, per: str) -> int:
        """How many quarters/semesters/years of the assessment period ended before check_date:
        a report for a period still running is not yet due."""
        months = {"quarter": 3, "semester": 6, "year": 12}[per]
        grace = int(self.pack.defaults.get("report_grace_days", 0) or 0)
        n = 0
        for k in range(12 // months):
            end_month = (k + 1) * months
            end = date(self.period, end_month, 1)
            end = date(end.year + (end_month == 12), 1 if end_month == 12 else end_month + 1, 1)
            # `end` is the first day after the period; due once check_date is past it (+ grace).
            if (self.check_date - end).days >= grace:
                n += 1
        return n

    def flag(self, *, documents: list[Document] | None = None, indicator: str | None = None,
             doc_type: str | None = None, found: Any = None, expected: Any = None,
             page: int | None = None, look: Look | None = None, severity: str | None = None,
             **params: Any) -> Flag:
        """`look`: the part of the page the check looked at (a reviewer is shown it). `severity` lets
        a check say less than its configured severity for one variant (never more: a pack that made
        the whole check milder stays milder)."""
        docs = documents or []
        if indicator is None and docs:
            indicator = self.primary_indicator(docs[0])
        if doc_type is None and len({d.doc_type for d in docs}) == 1 and docs[0].doc_type != "unknown":
            doc_type = docs[0].doc_type
        sev = self.config.severity
        if severity is not None and SEVERITY_RANK[severity] > SEVERITY_RANK[sev]:
            sev = severity
        return Flag(code=self.config.code, severity=sev,
                    documents=sorted({d.path for d in docs}), indicator=indicator, doc_type=doc_type,
                    found=found, expected=expected, page=page, params=params, look=look,
                    doc_sha256=sorted({d.sha256 for d in docs}))
