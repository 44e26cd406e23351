"""User-facing strings, Indonesian by default and English with --lang en, kept as YAML catalogues
beside this file (`cli.yaml`, `ui.yaml`): `{key: {id: "...", en: "..."}}`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from extractors import yamlio

LANGS = ("id", "en")


@lru_cache(maxsize=None)
def catalogue(name: str) -> dict[str, dict[str, str]]:
    return yamlio.safe_load((Path(__file__).parent / f"{name}.yaml").read_text(encoding="utf-8"))


def text(name: str, key: str, lang: str = "id", **params) -> str:
    entry = catalogue(name)[key]
    template = entry.get(lang) or entry["id"]
    return template.format(**params) if params else template
