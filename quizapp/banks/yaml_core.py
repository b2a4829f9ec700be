"""YAML read by the 1.2 core schema, and written so that 1.2 and 1.1 readers both read it back.

PyYAML resolves plain scalars by YAML 1.1: ``on``, ``yes``, ``no`` and ``off`` become booleans,
``1:20`` the number 80 (base 60), ``2024-01-01`` a date, ``012`` the octal 10. A tag named ``on`` or
a choice ``No`` then silently changes. Banks are read here by the YAML 1.2 core schema instead:
only ``true``/``false`` are booleans, only decimal (and ``0o``/``0x``) digits are integers, and
everything else plain is text. Only these core types are read: an explicit ``!!timestamp``,
``!!binary``, ``!!set`` or a custom tag is refused with its line (their values cannot be stored).

Writing quotes every text that either schema would read as something else (``on``, ``1:20``,
``1e3``, ``2024-01-01``, ``~``), so an exported bank reads back the same here and in any YAML 1.1
tool (PyYAML's ``safe_load``, ../shared/tools/bank_check.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.error import MarkedYAMLError
from yaml.nodes import Node

from .limits import MAX_NUMBER_CHARS

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
MERGE = "tag:yaml.org,2002:merge"  # ``<<: *defaults`` (a 1.1 key type, kept: banks use it)

# The core schema's plain scalars (YAML 1.2.2, 10.3.2). None of these can backtrack badly.
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z|0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z"
                    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_MERGE = re.compile(r"<<\Z")

_CORE_RESOLVERS = (
    (BOOL, _BOOL, "tTfF"),
    (INT, _INT, "-+0123456789"),
    (FLOAT, _FLOAT, "-+.0123456789"),
    (NULL, _NULL, ["~", "n", "N", ""]),
    (MERGE, _MERGE, "<"),
)


def _resolvers(*tables: Any) -> dict[Any, list[tuple[str, re.Pattern]]]:
    out: dict[Any, list[tuple[str, re.Pattern]]] = {}
    for table in tables:
        if isinstance(table, dict):  # PyYAML's own (1.1) table: {first character: [(tag, regexp)]}
            for first, entries in table.items():
                out.setdefault(first, []).extend(entries)
        else:
            for tag, regexp, firsts in table:
                for first in firsts:
                    out.setdefault(first, []).append((tag, regexp))
    return out


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present (about 8x faster)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class CoreLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes YAML with the core schema's implicit types (see ``scalar`` for building values)."""

    yaml_implicit_resolvers = _resolvers(_CORE_RESOLVERS)


class CoreDumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Writes plain only what both schemas read as written; anything either reads otherwise is quoted."""

    yaml_implicit_resolvers = _resolvers(_CORE_RESOLVERS, yaml.SafeDumper.yaml_implicit_resolvers)


class Refused(MarkedYAMLError):
    """Valid YAML that a bank may not hold (an unknown tag, a too-long number, too deep, a bomb)."""

    def __init__(self, problem: str, node: Node) -> None:
        super().__init__(problem=problem, problem_mark=node.start_mark)


def _number_text(value: str, node: Node) -> str:
    if len(value) > MAX_NUMBER_CHARS:
        raise Refused(f"a number of {len(value):,} characters (at most {MAX_NUMBER_CHARS} are read)", node)
    return value


def _int(value: str, node: Node) -> int:
    if not _INT.match(value):
        raise Refused(f"{value[:40]!r} is not an integer", node)
    value = _number_text(value, node)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)


def _float(value: str, node: Node) -> float:
    if not _FLOAT.match(value):
        raise Refused(f"{value[:40]!r} is not a number", node)
    value = _number_text(value, node)
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value)


def _bool(value: str, node: Node) -> bool:
    if not _BOOL.match(value):
        raise Refused(f"{value[:40]!r} is not true or false", node)
    return value.lower() == "true"


def _null(value: str, node: Node) -> None:
    if not _NULL.match(value):
        raise Refused(f"{value[:40]!r} is not null", node)
    return None


SCALARS: dict[str, Callable[[str, Node], Any]] = {
    STR: lambda value, node: value, INT: _int, FLOAT: _float, BOOL: _bool, NULL: _null,
}


def scalar(node: Node) -> Any:
    """The value of a scalar node by its (resolved or explicit) tag; Refused for other tags."""
    build = SCALARS.get(node.tag)
    if build is None:
        raise Refused(f"the tag {node.tag!r} is not read in a bank (only text, numbers, true/false and null)",
                      node)
    return build(node.value, node)


def dump(data: Any, width: int = 100) -> str:
    return yaml.dump(data, Dumper=CoreDumper, sort_keys=False, allow_unicode=True, width=width)
