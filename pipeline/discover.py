"""Discover stage: list the evidence files of a folder, in a stable order, with their identity.

Evidence is read-only: this module only opens files for reading. Symbolic links are followed
only when they resolve inside the evidence folder, so a link cannot make bukti read (or loop
over) anything the unit did not put in its folder.
"""
from __future__ import annotations

import hashlib
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from extractors.sniff import sniff

# Files that describe the unit rather than evidence it: read by pipeline.profile.
# The unit's profile, roster and own LKE answers: read as inputs, never checked as evidence.
PROFILE_FILES = {"unit.yaml", "unit.yml", "roster.csv", "lke.csv", "lke.xlsx"}
# Operating-system droppings that are never evidence.
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class FoundFile:
    path: str        # relative to the evidence folder, POSIX separators
    abspath: str
    sha256: str
    size: int
    kind: str        # sniffed from content
    skipped: str | None = None   # why the file was not read (a link leading outside, a loop …)
    # stat signature taken before the bytes were read (see Identity); not part of equality
    stat: tuple[int, int, int, int, int] | None = field(default=None, compare=False, repr=False)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _special(path: str) -> str:
    mode = os.stat(path).st_mode
    for test, what in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return what
    return "special file"


def _rel(root: Path, path: str) -> str:
    rel = os.path.relpath(path, root)
    # Names in odd encodings come back with surrogate escapes; keep them printable in the report.
    return rel.replace(os.sep, "/").encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class Identity:
    """What a file's sha256 and kind were computed from: its stat signature at that time."""
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    sha256: str
    kind: str
    hashed_at_ns: int     # wall clock when the bytes were read

    @staticmethod
    def signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
        return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev

    def signature_of(self) -> tuple[int, int, int, int, int]:
        return self.size, self.mtime_ns, self.ctime_ns, self.inode, self.device

    def still_valid(self, st: os.stat_result) -> bool:
        """Whether the bytes cannot have changed since they were read.

        The change time cannot be set back by a user, and any write moves it. A file touched
        within the clock's granularity of its hashing could have changed unseen ("racy" entries,
        as git calls them): such entries are read again."""
        if Identity.signature(st) != self.signature_of():
            return False
        return max(st.st_mtime_ns, st.st_ctime_ns) < self.hashed_at_ns - _RACY_NS


_RACY_NS = 2_000_000_000


def discover(root: Path, known: dict[str, Identity] | None = None) -> list[FoundFile]:
    """`known`: identities from an earlier run, by absolute path (pipeline.store keeps them);
    a file whose stat signature still matches is not read again."""
    root = Path(root).resolve()
    known = known or {}
    found, regular = listing(root)
    # hashlib and file reads release the GIL: hashing on every core roughly halves a warm
    # re-check's discovery of a large folder.
    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        found += pool.map(lambda item: identify(*item, known.get(item[1])), regular)
    return sorted(found, key=lambda f: f.path)


HASH_WORKERS = min(4, os.cpu_count() or 1)


def listing(root: Path) -> tuple[list[FoundFile], list[tuple[str, str]]]:
    """The walk of `discover` without reading a byte: (what cannot be read, with why; the
    (relative, absolute) paths of the regular files, each to `identify`). `root`: resolved.
    Read-ahead (pipeline/read.py) identifies the files in an order of its own."""
    root = Path(root)
    found: list[FoundFile] = []
    regular: list[tuple[str, str]] = []   # (relative, full path) of regular files, identified below
    seen_dirs: set[tuple[int, int]] = set()

    def walk(directory: str) -> None:
        st = os.stat(directory)
        if (st.st_dev, st.st_ino) in seen_dirs:
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            # A folder we cannot list hides evidence: say so rather than report it as absent.
            if directory != str(root):
                found.append(FoundFile(_rel(root, directory), directory, "", 0, "missing",
                                       f"cannot read folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            full = entry.path
            rel = _rel(root, full)
            if entry.name in IGNORED_NAMES or entry.name.startswith("~$"):
                continue
            if directory == str(root) and entry.name in PROFILE_FILES:
                continue
            if entry.is_symlink():
                try:
                    target = Path(full).resolve(strict=True)
                except (OSError, RuntimeError):
                    found.append(FoundFile(rel, full, "", 0, "link", "broken or looping link"))
                    continue
                if root not in target.parents and target != root:
                    found.append(FoundFile(rel, full, "", 0, "link", "link leads outside the evidence folder"))
                    continue
                if target.is_dir():
                    continue  # its target lies inside the root and is walked on its own
            try:
                if entry.is_dir(follow_symlinks=True):
                    walk(full)
                elif entry.is_file(follow_symlinks=True):
                    regular.append((rel, full))
                else:
                    # Opening a pipe or a device could block the run forever: report it, never open it.
                    found.append(FoundFile(rel, full, "", 0, "special", f"not a regular file ({_special(full)})"))
            except OSError as exc:  # vanished or unreadable between listing and reading
                found.append(FoundFile(rel, full, "", 0, "missing", f"cannot read file: {exc.strerror or exc}"))

    walk(str(root))
    return found, regular


T = TypeVar("T")


def largest_first(items: Iterable[T], size: Callable[[T], int | tuple[bool, int]]) -> list[T]:
    """The order a check reads files in (its readers, pipeline/check.py, and read-ahead,
    pipeline/read.py): largest first, equal sizes in the order given. Scans and photos are the
    large files of an evidence folder (a text PDF is a few kB, a scanned page hundreds), so OCR,
    the long pole, heads the queue, and the text documents' short work fills the cores while the
    last Tesseracts finish instead of a scan that sorts last by name running alone at the end
    (the longest-first rule of scheduling). `size` may give (first, size): the readers put the
    files read-ahead found heavy for OCR first so."""
    return sorted(items, key=size, reverse=True)


def identify(rel: str, full: str, known: Identity | None = None) -> FoundFile:
    """One regular file's FoundFile: its sha256 and kind, or `known`'s while that still holds."""
    try:
        st = os.stat(full)
        sig = Identity.signature(st)
        if known is not None and known.still_valid(st):
            return FoundFile(rel, full, known.sha256, known.size, known.kind, stat=sig)
        return FoundFile(rel, full, _sha256(full), st.st_size, sniff(Path(full)), stat=sig)
    except OSError as exc:  # vanished or unreadable between listing and reading
        return FoundFile(rel, full, "", 0, "missing", f"cannot read file: {exc.strerror or exc}")


def identities(files: list[FoundFile], read_since_ns: int,
               known: dict[str, Identity] | None = None) -> list[tuple[str, Identity]]:
    """(absolute path, identity) of every file found now, for the next run's `known`.

    `read_since_ns`: wall clock before discovery began; a file whose stat no longer matches
    what was read (changed meanwhile) is left out. An entry of `known` that still held is kept
    as it was, so a folder where nothing changed gives back `known` itself."""
    known = known or {}
    out = []
    for f in files:
        old = known.get(f.abspath)
        if old is not None and f.stat == Identity.signature_of(old) and f.sha256 == old.sha256:
            out.append((f.abspath, old))
            continue
        if f.skipped or f.stat is None or not _encodable(f.abspath):
            continue
        try:
            if Identity.signature(os.stat(f.abspath)) != f.stat:
                continue
        except OSError:
            continue
        out.append((f.abspath, Identity(*f.stat, sha256=f.sha256, kind=f.kind, hashed_at_ns=read_since_ns)))
    return out


def _encodable(path: str) -> bool:
    # A name in another encoding (surrogate escapes) cannot be a database key: hashed each time.
    try:
        path.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


UNIT_FILES = ("unit.yaml", "unit.yml")


def find_units(root: Path) -> list[Path]:
    """Sub-folders of ROOT (one level) that hold a unit profile, in a stable order: the units a
    nightly run checks."""
    root = Path(root)
    units = [p for p in root.iterdir()
             if p.is_dir() and not p.name.startswith(".") and any((p / f).is_file() for f in UNIT_FILES)]
    return sorted(units, key=lambda p: p.name)
