"""YAML reading for every data file of bukti: vocabularies, rule packs, unit.yaml, UI text.

libyaml's C loader when PyYAML was built with it (its wheels are): the bundled rule pack took
~0.4 s to load with the pure-Python loader, a tenth of a warm re-check's budget.
"""
from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: Any) -> Any:
    """yaml.safe_load, faster; raises yaml.YAMLError the same way."""
    return yaml.load(stream, Loader=_LOADER)
