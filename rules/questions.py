"""The LKE's questions as the pack states them: answer types with their scores, the criteria of
each answer, and which documents can show an answer (`evidence_for`).

`evidence_for` maps an answer to what the folder must hold for it, in a small grammar kept as text
so that 110 questions stay readable in YAML:

    need     := group ( " + " group )*          every group must be met
    group    := item ( "|" item )* [ "*" N ]    N distinct documents matching any item (default 1)
    item     := doc_type [ ":" subject ( "," subject )* ]

    "sop + laporan_evaluasi:sop + laporan_tindak_lanjut:sop"
    "laporan_skm*4"                       four survey reports
    "laporan_kegiatan:gratifikasi|dokumentasi*2"

A subject narrows a report type to the mechanism it is about (`fields.subject` of
laporan_evaluasi / laporan_tindak_lanjut / laporan_kegiatan). Answers not listed cannot be shown by
documents; a question with no `evidence_for` needs the unit's own input (survey figures, counts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Score of each answer, by answer type (LKE 2021; a "%" answer scores its ratio, capped at 1).
ANSWER_SCORES: dict[str, dict[str, float]] = {
    "Ya/Tidak": {"Ya": 1.0, "Tidak": 0.0},
    "A/B/C": {"A": 1.0, "B": 0.5, "C": 0.0},
    "A/B/C/D": {"A": 1.0, "B": 0.67, "C": 0.33, "D": 0.0},
    "A/B/C/D/E": {"A": 1.0, "B": 0.75, "C": 0.5, "D": 0.25, "E": 0.0},
}
PERCENT = "%"
ANSWER_TYPES = (*ANSWER_SCORES, PERCENT)



@lru_cache(maxsize=1)
def subjects() -> tuple[str, ...]:
    """What a report's `subject` field may say: the ids of extractors/vocab/subjects.yaml."""
    from extractors.textnorm import load_vocab
    return tuple(load_vocab("subjects")["subjects"])

_ITEM = re.compile(r"^([a-z_]+)(?::([a-z_,]+))?$")


class NeedError(ValueError):
    """A `evidence_for` text that does not follow the grammar; str() says what is wrong."""


@dataclass(frozen=True)
class Item:
    doc_type: str
    subjects: tuple[str, ...] = ()

    def text(self) -> str:
        return self.doc_type + (":" + ",".join(self.subjects) if self.subjects else "")


@dataclass(frozen=True)
class Group:
    items: tuple[Item, ...]
    count: int = 1

    def text(self) -> str:
        return "|".join(i.text() for i in self.items) + (f"*{self.count}" if self.count > 1 else "")


@dataclass(frozen=True)
class Need:
    groups: tuple[Group, ...]

    def text(self) -> str:
        return " + ".join(g.text() for g in self.groups)

    def doc_types(self) -> set[str]:
        return {i.doc_type for g in self.groups for i in g.items}


def parse_need(text: str, known_types: set[str] | None = None) -> Need:
    if not isinstance(text, str) or not text.strip():
        raise NeedError("empty; expected e.g. 'sop + laporan_evaluasi:sop'")
    groups = []
    for raw in text.split("+"):
        raw = raw.strip()
        count = 1
        if "*" in raw:
            raw, _, n = raw.rpartition("*")
            if not n.strip().isdigit() or int(n) < 1:
                raise NeedError(f"'*{n}': a count must be a whole number >= 1")
            count = int(n)
        items = []
        for part in raw.split("|"):
            m = _ITEM.match(part.strip())
            if not m:
                raise NeedError(f"{part.strip()!r}: expected doc_type or doc_type:subject")
            doc_type, names = m.group(1), tuple(s for s in (m.group(2) or "").split(",") if s)
            if known_types and doc_type not in known_types:
                raise NeedError(f"unknown doc type {doc_type!r}")
            for s in names:
                if s not in subjects():
                    raise NeedError(f"unknown subject {s!r} (known: {', '.join(subjects())})")
            items.append(Item(doc_type, names))
        groups.append(Group(tuple(items), count))
    return Need(tuple(groups))


@dataclass
class Question:
    code: str                                  # I.P.i.a
    id: str                                    # a
    text: str
    answer_type: str
    criteria: dict[str, Any]
    evidence_for: dict[str, Need] = field(default_factory=dict)   # answer → need, best first
    inputs: list[str] = field(default_factory=list)               # counts a "%" question is built from
    data_dukung: list[str] = field(default_factory=list)

    @property
    def answers(self) -> list[str]:
        """Answers best first ([] for a percentage)."""
        return list(ANSWER_SCORES.get(self.answer_type, {}))

    @property
    def decidable(self) -> bool:
        """Whether documents can propose an answer (else the unit's figures are needed)."""
        return bool(self.evidence_for)

    @property
    def lowest(self) -> str | None:
        return self.answers[-1] if self.answers else None

    def score(self, answer: Any) -> float | None:
        """The LKE's score of an answer; None when it does not fit the answer type."""
        if answer is None:
            return None
        if self.answer_type == PERCENT:
            try:
                value = float(str(answer).strip().rstrip("%").replace(",", "."))
            except ValueError:
                return None
            ratio = value / 100.0 if (isinstance(answer, str) and answer.strip().endswith("%")) or value > 1 else value
            return max(0.0, min(1.0, ratio))
        return ANSWER_SCORES.get(self.answer_type, {}).get(str(answer).strip())

    def doc_types(self) -> set[str]:
        return {t for n in self.evidence_for.values() for t in n.doc_types()}
