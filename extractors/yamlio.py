"""YAML reading for every data file of bukti: vocabularies, rule packs, unit.yaml, UI text.

libyaml's C loader when PyYAML was built with it (its wheels are): the pure-Python loader took a
tenth of a warm re-check's budget over the bundled rule pack (benchmarks/RESULTS.md).

Inputs are bounded before they are built into Python objects. Aliases share one node, so a
697-byte file of nested aliases ("billion laughs") loads as a small graph that expands to ~10⁹
values the moment anything walks it (a profile error message spent 24 s and 1.5 GB printing one);
nesting thousands deep overflows the constructor's recursion instead. So: a size cap, a depth cap,
and the graph's size counted *as expanded* (each shared node once, with memoised sizes, so the
count itself costs only the distinct nodes).
"""
from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The bundled rule pack's largest file is ~7 KB, a unit.yaml well under 1 KB: these are far above
# any real input and far below what hurts.
MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64


class YamlLimitError(yaml.YAMLError):
    """The document is over a size bound: refused before it is built (not a syntax error)."""


def safe_load(stream: Any) -> Any:
    """yaml.safe_load, faster and bounded; raises yaml.YAMLError (YamlLimitError over a bound)."""
    text = stream if isinstance(stream, (str, bytes)) else stream.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        raise YamlLimitError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, 0)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(node: yaml.Node, sizes: dict[int, int], depth: int) -> int:
    """How many nodes `node` stands for once every alias is expanded; raises over a bound."""
    if depth > MAX_DEPTH:
        raise YamlLimitError(f"nested deeper than {MAX_DEPTH} levels (line {node.start_mark.line + 1})")
    known = sizes.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes, depth + 1) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes, depth + 1) + _expanded_size(v, sizes, depth + 1)
                    for k, v in node.value)
    if size > MAX_NODES:
        raise YamlLimitError(f"more than {MAX_NODES} values once its aliases (*name) are expanded "
                             f"(line {node.start_mark.line + 1})")
    sizes[id(node)] = size
    return size
