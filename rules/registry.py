"""The check registry. A check is a function decorated with @check("CODE", ...) in any module of
rules/checks/; the pack switches it on and gives its parameters. Adding a check never needs an
edit here or in the engine."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .vocab import FLAG_SEVERITY

if TYPE_CHECKING:
    from .context import CheckContext
    from .model import Flag

CheckFn = Callable[["CheckContext"], Iterable["Flag"]]


@dataclass
class CheckSpec:
    code: str
    fn: CheckFn
    severity: str
    defaults: dict[str, Any] = field(default_factory=dict)
    # "file" checks run first and see every document; "content" checks see only documents whose
    # text could be read, so a damaged file is reported once and not also as unsigned, undated …;
    # "claims" checks run last, over the answers the evidence supports (ctx.proposals, ctx.claims).
    stage: str = "content"
    blocks_content: bool = False   # documents this check flags are withheld from content checks
    validate: Callable[[dict[str, Any]], str | None] | None = None  # params → problem or None


REGISTRY: dict[str, CheckSpec] = {}
STAGES = ("file", "content", "claims")


def check(code: str, *, severity: str | None = None, params: dict[str, Any] | None = None,
          stage: str = "content", blocks_content: bool = False,
          validate: Callable[[dict[str, Any]], str | None] | None = None) -> Callable[[CheckFn], CheckFn]:
    if stage not in STAGES:
        raise ValueError(f"{code}: stage must be one of {', '.join(STAGES)}")

    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY and REGISTRY[code].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"check {code} registered twice ({REGISTRY[code].fn.__module__}, {fn.__module__})")
        REGISTRY[code] = CheckSpec(code=code, fn=fn, severity=severity or FLAG_SEVERITY.get(code, "warning"),
                                   defaults=dict(params or {}), stage=stage, blocks_content=blocks_content,
                                   validate=validate)
        return fn

    return register


_loaded = False


def ensure_loaded() -> None:
    """Import every module of rules.checks so their decorators run."""
    global _loaded
    if _loaded:
        return
    from . import checks as pkg
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        importlib.import_module(f"{pkg.__name__}.{info.name}")
    _loaded = True
