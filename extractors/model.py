"""Data passed from the extract stage to the understand stage.

Kept free of any library type so that every stage (and the run-store cache) can
serialise it with `dataclasses.asdict` and rebuild it with `Extraction.from_dict`.
"""
from __future__ import annotations
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

# Bump when extraction output changes in a way that must invalidate cached results.
# 3: the second reading of doubtful signature blocks (Page.signature_text); 4: a phone photo's page
# found and flattened, sideways readings turned (extractors/photo_page.py)
EXTRACTOR_VERSION = "4"


class ErrorKind(StrEnum):
    """Why a file's text could not be had. Each is also the flag code the rules raise for it."""
    CORRUPT_FILE = "CORRUPT_FILE"          # damaged, encrypted, empty, or not what its name says
    UNSUPPORTED_FILE = "UNSUPPORTED_FILE"  # a kind bukti does not read (video, archive, link …)
    UNREADABLE = "UNREADABLE"              # opened, but too little text could be recovered


@dataclass
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float


@dataclass
class Page:
    number: int                      # 1-based
    text: str
    source: str                      # "text" | "ocr" | "empty"
    confidence: float | None = None  # mean Tesseract word confidence (0-100) for OCR pages
    rotation: int = 0                # degrees the page image was turned to read it
    # counter-clockwise degrees the (turned) image was levelled by before Tesseract read it: with
    # `rotation`, what maps `words` back onto the page (pipeline/crops.py)
    skew: float = 0.0
    words: list[Word] | None = None  # OCR word boxes, when kept
    error: str | None = None         # why a page could not be read (timeout, crash …)
    # OCR pages whose signature block the first reading lost: a second reading of the page's lower
    # part (stamp colour faded, one text block), for the field extractors to try
    signature_text: str | None = None


@dataclass
class Extraction:
    kind: str                        # "pdf" | "image" | "docx" | …, sniffed from content
    pages: list[Page] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)  # rows of cells, any page
    error_code: str | None = None    # a flag code (CORRUPT_FILE, UNSUPPORTED_FILE, UNREADABLE)
    error_reason: str | None = None  # one line, English, for the evidence of that flag

    @property
    def text(self) -> str:
        return "\n\f\n".join(p.text for p in self.pages)

    @property
    def text_source(self) -> str | None:
        sources = {p.source for p in self.pages if p.source != "empty"}
        if not sources:
            return None
        return sources.pop() if len(sources) == 1 else "mixed"

    @property
    def ocr_confidence(self) -> float | None:
        confs = [p.confidence for p in self.pages if p.source == "ocr" and p.confidence is not None]
        return round(sum(confs) / len(confs), 1) if confs else None

    def to_dict(self, words: bool = True) -> dict[str, Any]:
        d = asdict(self)
        if not words:
            for page in d["pages"]:
                page["words"] = None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Extraction":
        pages = []
        for p in d.get("pages", []):
            words = [Word(**w) for w in p["words"]] if p.get("words") else None
            pages.append(Page(**{**p, "words": words}))
        return cls(kind=d["kind"], pages=pages, tables=d.get("tables", []),
                   error_code=d.get("error_code"), error_reason=d.get("error_reason"))


@dataclass
class Person:
    name: str
    nip: str | None = None           # 18 digits, no spaces, when present
    role: str | None = None          # jabatan or role in a team ("Ketua", "Anggota" …)
    page: int | None = None
    jabatan: str | None = None       # the position when a team role is given separately
    nip_conf: list[float] | None = None  # OCR confidence per NIP digit (see Signatory.nip_conf)


@dataclass
class Signatory:
    name: str | None = None          # as written, with academic titles
    nip: str | None = None
    jabatan: str | None = None
    pangkat: str | None = None
    place: str | None = None         # "Ditetapkan di <place>" / "<place>, <date>"
    date: str | None = None          # ISO date of signing
    page: int | None = None
    # OCR: Tesseract's confidence of each of the NIP's digits (that of the word holding it), so a
    # check can tell a misread digit from a wrong NIP; None for a text layer
    nip_conf: list[float] | None = None


@dataclass
class Mention:
    """A value found in the text, with where it was found (for flag evidence)."""
    value: str
    page: int | None = None
    raw: str | None = None           # the text as written (before normalising)


@dataclass
class Fields:
    nomor: str | None = None
    tanggal: str | None = None       # ISO date the document was issued/signed
    title: str | None = None         # the "TENTANG …" subject or the document's heading
    unit: str | None = None          # the unit that issued it (kop surat / body)
    signatory: Signatory | None = None
    people: list[Person] = field(default_factory=list)
    # Evidence for checks, beyond the contract's fields:
    dates: list[Mention] = field(default_factory=list)          # every date (ISO value)
    unit_mentions: list[Mention] = field(default_factory=list)  # every unit name seen
    period: str | None = None        # reporting period of a report ("Triwulan I", "Semester II" …)
    # "YYYY-MM" when the document is dated to the month only ("Sumenep, Januari 2024"); tanggal
    # then stays null because a day is never guessed
    tanggal_partial: str | None = None
    # the mechanism an evaluation/follow-up/activity report is about (vocab/subjects.yaml), else None
    subject: str | None = None
    # Set when the signatory is incomplete and the page region of the signature block was not
    # read reliably (scan or photo): value "trace" (a block's traces were read, not the block) or
    # "low_confidence", the page, and raw: what OCR made of it. UNSIGNED then asks a person to look.
    signature_unread: Mention | None = None

    def contract_dict(self) -> dict[str, Any]:
        """The `fields` object of report.json (contract: absent values are null)."""
        sig = None
        if self.signatory and (self.signatory.name or self.signatory.nip):
            sig = {"name": self.signatory.name, "nip": self.signatory.nip,
                   "jabatan": self.signatory.jabatan}
        return {"nomor": self.nomor, "tanggal": self.tanggal, "title": self.title,
                "unit": self.unit, "signatory": sig,
                "people": [{"name": p.name, "nip": p.nip, "role": p.role} for p in self.people],
                "subject": self.subject}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fields":
        sig = Signatory(**d["signatory"]) if d.get("signatory") else None
        return cls(nomor=d.get("nomor"), tanggal=d.get("tanggal"), title=d.get("title"),
                   unit=d.get("unit"), signatory=sig,
                   people=[Person(**p) for p in d.get("people", [])],
                   dates=[Mention(**m) for m in d.get("dates", [])],
                   unit_mentions=[Mention(**m) for m in d.get("unit_mentions", [])],
                   period=d.get("period"), tanggal_partial=d.get("tanggal_partial"), subject=d.get("subject"),
                   signature_unread=Mention(**d["signature_unread"]) if d.get("signature_unread") else None)
