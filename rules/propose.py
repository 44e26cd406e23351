"""The best answer the folder's evidence supports, question by question, with its basis.

A document counts as support when it could be read and no error flag rejects it (an evaluator
does not accept evidence that is unreadable, of another unit, out of period, unsigned …): such a
document is named in the basis as found but not counted. A question's proposal is the best answer
whose `evidence_for` need is met; where several answers need the same documents (the LKE tells
them apart by how many SOPs, how regularly …, which documents cannot show), the best of them is
proposed and the basis says so. Questions without `evidence_for` are left to the unit's input."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Document, Flag
from .questions import Group, Item, Need, Question
from .vocab import FlagCode

# Flags about a collection or a claim, not about the documents they name: the documents stay usable.
_NOT_ABOUT_DOCUMENT = {FlagCode.MISSING_EVIDENCE, FlagCode.INSUFFICIENT_EVIDENCE, FlagCode.CLAIM_UNSUPPORTED}


@dataclass
class GroupResult:
    group: Group
    found: list[Document] = field(default_factory=list)      # usable documents that match
    rejected: list[Document] = field(default_factory=list)   # matching, but an error flag rejects them

    @property
    def met(self) -> bool:
        return len({d.sha256 for d in self.found}) >= self.group.count


@dataclass
class Proposal:
    question: Question
    answer: str | None                     # None: documents cannot decide (needs input)
    score: float | None
    evidence: list[str] = field(default_factory=list)        # paths that carry the answer
    met: list[GroupResult] = field(default_factory=list)      # what the proposed answer rests on
    missing: list[GroupResult] = field(default_factory=list)  # what the next better answer lacks
    better: str | None = None                                 # that next better answer
    ties: list[str] = field(default_factory=list)             # answers documents cannot tell apart


def matches(doc: Document, item: Item) -> bool:
    if doc.doc_type != item.doc_type:
        return False
    if not item.subjects:
        return True
    return getattr(doc.fields, "subject", None) in item.subjects


class Evidence:
    """The documents a proposal may rest on, indexed once per run."""

    def __init__(self, documents: list[Document], flags: list[Flag]):
        rejected = {p for f in flags if f.severity == "error" and f.code not in _NOT_ABOUT_DOCUMENT
                    for p in f.documents}
        self.usable = [d for d in documents if d.readable and d.path not in rejected]
        self.rejected = [d for d in documents if d.readable and d.path in rejected]

    def group(self, group: Group) -> GroupResult:
        res = GroupResult(group)
        for d in self.usable:
            if any(matches(d, i) for i in group.items):
                res.found.append(d)
        for d in self.rejected:
            if any(matches(d, i) for i in group.items):
                res.rejected.append(d)
        return res

    def need(self, need: Need) -> list[GroupResult]:
        return [self.group(g) for g in need.groups]


def propose(question: Question, evidence: Evidence) -> Proposal:
    if not question.decidable:
        return Proposal(question, None, None)
    answers = list(question.evidence_for)
    for n, answer in enumerate(answers):
        results = evidence.need(question.evidence_for[answer])
        if all(r.met for r in results):
            need = question.evidence_for[answer].text()
            ties = [a for a in answers if a != answer and question.evidence_for[a].text() == need]
            paths = sorted({d.path for r in results for d in r.found})
            better = _better(question, answer, evidence)
            return Proposal(question, answer, question.score(answer), paths, results,
                            better[1] if better else [], better[0] if better else None, ties)
    # No answer's need is met: the lowest answer, and what the weakest listed answer lacks.
    weakest = answers[-1]
    results = evidence.need(question.evidence_for[weakest])
    return Proposal(question, question.lowest, question.score(question.lowest), [], [],
                    [r for r in results if not r.met], weakest)


def _better(question: Question, answer: str, evidence: Evidence) -> tuple[str, list[GroupResult]] | None:
    """The next answer above `answer` that needs other documents, and what of them is missing."""
    answers = list(question.evidence_for)
    need = question.evidence_for[answer].text()
    for a in reversed(answers[:answers.index(answer)]):
        if question.evidence_for[a].text() != need:
            return a, [r for r in evidence.need(question.evidence_for[a]) if not r.met]
    return None


def propose_all(questions: list[Question], documents: list[Document], flags: list[Flag]) -> dict[str, Proposal]:
    evidence = Evidence(documents, flags)
    return {q.code: propose(q, evidence) for q in questions}


def basis_text(p: Proposal, label: Any, lang: str, templates: dict[str, dict[str, str]]) -> str:
    """One sentence for the reviewer: what the answer rests on, what a better one lacks.
    `label(item)` names a doc type (with its subject) in the report language."""
    def t(key: str) -> str:
        entry = templates.get(key) or {}
        return entry.get(lang) or entry.get("id") or key

    def items(g: GroupResult | Group) -> str:
        group = g.group if isinstance(g, GroupResult) else g
        text = t("or").join(label(i) for i in group.items)
        return f"{text} ×{group.count}" if group.count > 1 else text

    if p.answer is None:
        return t("needs_input")
    parts = []
    if p.met:
        found = "; ".join(f"{items(r)} ({len({d.sha256 for d in r.found})})" for r in p.met)
        parts.append(t("found").format(answer=p.answer, found=found))
    else:
        parts.append(t("none_found").format(answer=p.answer))
    if p.ties:
        parts.append(t("ties").format(answers="/".join([p.answer, *p.ties])))
    if p.better and p.missing:
        parts.append(t("missing").format(answer=p.better, missing="; ".join(items(r) for r in p.missing)))
    rejected = sorted({d.path for r in (*p.met, *p.missing) for d in r.rejected})
    if rejected:
        parts.append(t("rejected").format(documents=", ".join(rejected)))
    return " ".join(parts)
