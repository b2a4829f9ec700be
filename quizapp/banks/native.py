"""The native bank format (../shared/docs/bank-format.md) as YAML or JSON, read and written without loss.

YAML is composed into nodes first so that every error can name the line of the field it is
about, not only a path into the structure. It is read by the YAML 1.2 core schema (``yaml_core``:
``on``, ``yes``, ``1:20`` and ``2024-01-01`` are text) and written so that it reads back the same.

Every reading step is bounded: nesting (MAX_NESTING), number length (MAX_NUMBER_CHARS) and what
aliases may expand to are refused with their line before they can recurse, overflow or fill
memory. A bank with images travels as a zip (``native_zip``).
"""
from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..domain.questions import REGISTRY, get_type
from . import yaml_core
from .encoding import utf8_text
from .limits import ALIAS_CHARS_PER_CHAR, ALIAS_NODES_PER_CHAR, MAX_NESTING, MAX_NUMBER_CHARS
from .model import Bank, BankIssue, ParseResult, Question, validate_bank

FORMAT_VERSION = 1
BANK_KEYS = ("bank", "id", "title", "description", "tags", "sources", "questions")
COMMON_KEYS = ("id", "type", "title", "explanation", "source", "evidence", "tags", "difficulty", "format")
MAX_NODES = 2_000_000  # an alias bomb expands past this long before memory runs out


class _Lines:
    """Walks a composed YAML tree, building the data and the line (1-based) of every path.

    Every node visited (an alias as often as it is used) spends from ``nodes``, every character of
    text from ``chars``: an alias bomb runs out of either long before memory does. With
    ``values=False`` only the lines are wanted (a JSON file, whose values json reads): scalars are
    not built and nesting past the limit is not walked."""

    def __init__(self, nodes: int, chars: int, values: bool = True) -> None:
        self.lines: dict[tuple, int] = {}
        self.nodes = nodes
        self.chars = chars
        self.values = values

    def _spend(self, node: yaml.Node, nodes: int, chars: int = 0) -> None:
        self.nodes -= nodes
        self.chars -= chars
        if self.nodes < 0 or self.chars < 0:
            raise yaml_core.Refused("the file expands, through its aliases (*name), to far more than it holds "
                                    "(an alias bomb?)", node)

    def build(self, node: yaml.Node, path: tuple = ()) -> Any:
        self._spend(node, 1)
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            self._spend(node, 0, len(node.value))
            return yaml_core.scalar(node) if self.values else None
        if len(path) >= MAX_NESTING:
            if not self.values:
                return None
            raise yaml_core.Refused(f"lists and mappings nest more than {MAX_NESTING} levels deep", node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != yaml_core.SEQ:
                raise yaml_core.Refused(f"the tag {node.tag!r} is not read in a bank (only plain lists)", node)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag != yaml_core.MAP:
            raise yaml_core.Refused(f"the tag {node.tag!r} is not read in a bank (only plain mappings)", node)
        out: dict[Any, Any] = {}
        for key_node, value_node in self._pairs(node, len(path)):
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml_core.Refused("a mapping key must be a plain value", key_node)
            key = yaml_core.scalar(key_node)
            sub = path + (key,)
            out[key] = self.build(value_node, sub)
            self.lines[sub] = key_node.start_mark.line + 1
        return out

    def _pairs(self, node: yaml.MappingNode, depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
        """The mapping's key/value pairs with ``<<`` merges applied (its own keys win, then the
        merged mappings in the order listed), every merged pair paid for."""
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != yaml_core.MERGE:
                own.append((key_node, value_node))
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in reversed(sources):
                if not isinstance(source, yaml.MappingNode):
                    raise yaml_core.Refused("'<<' merges only mappings (<<: *name or <<: [*a, *b])", source)
                if depth >= MAX_NESTING:
                    raise yaml_core.Refused(f"merges ('<<') nest more than {MAX_NESTING} levels deep", source)
                pairs = self._pairs(source, depth + 1)
                self._spend(source, len(pairs))
                merged += pairs
        return merged + own


def _compose(text: str, values: bool = True) -> tuple[Any, dict[tuple, int]]:
    # A real bank has a few nodes per line; far more than the text could hold means aliases expanding.
    walker = _Lines(min(MAX_NODES, ALIAS_NODES_PER_CHAR * len(text) + 10_000),
                    ALIAS_CHARS_PER_CHAR * len(text) + 1_000_000, values)
    root = yaml.compose(text, Loader=yaml_core.CoreLoader)
    if root is None:
        return None, {}
    return walker.build(root), walker.lines


class _JSONRefused(ValueError):
    """A JSON value refused while json reads it; ``_json_limits`` then finds its line."""


def _json_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_CHARS:
        raise _JSONRefused(digits)
    return int(digits)


# JSON's tokens that matter for the limits: strings (skipped whole, so brackets and digits inside
# them do not count), brackets, and runs of number characters. Each alternative consumes its text
# once (possessive), and it is only run over JSON that json has read (or read up to the point
# where it stopped), so every string it meets is closed: linear time.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[{]|[\]}]|[-+0-9.eE]++')


def _json_limits(text: str) -> tuple[int, str] | None:
    """(line, problem) for the first place the JSON nests past MAX_NESTING or writes a number
    longer than MAX_NUMBER_CHARS; None when it does neither."""
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        token = m.group()
        first = token[0]
        if first == '"':
            continue
        if first in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return (text.count("\n", 0, m.start()) + 1,
                        f"lists and mappings nest more than {MAX_NESTING} levels deep")
        elif first in "]}":
            depth -= 1
        elif len(token) > MAX_NUMBER_CHARS:
            return (text.count("\n", 0, m.start()) + 1,
                    f"a number of {len(token):,} characters (at most {MAX_NUMBER_CHARS} are read)")
    return None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _read_json(text: str) -> tuple[Any, dict[tuple, int]]:
    try:
        data = json.loads(text, parse_int=_json_int)
    except (RecursionError, _JSONRefused):
        data = None
    found = _json_limits(text)
    if found is not None:
        raise _NotABank(*found)
    if data is None and not text.strip().startswith("null"):
        raise _NotABank(None, "the file nests too deep to read")
    try:
        # JSON has no tabs but as whitespace, which YAML refuses in places, and YAML refuses escaped
        # surrogates (validate_bank reports them): both replaced, at the same length, to keep the lines.
        _, lines = _compose(_SURROGATE_ESCAPE.sub(r"\\uFFFD", text.replace("\t", " ")), values=False)
    except (yaml.YAMLError, RecursionError):
        lines = {}
    return data, lines


class _NotABank(ValueError):
    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


def parse_native(text: str | bytes, file: str = "bank.yaml") -> ParseResult:
    """Reads a native bank from YAML (or JSON, which is read as JSON but located via YAML). Bytes
    may also be a zip of the bank file and its media (``native_zip``)."""
    if isinstance(text, bytes):
        if text.startswith(b"PK\x03\x04"):
            from .native_zip import parse_archive

            return parse_archive(text, file)
        text, issue = utf8_text(text, file)
        if issue is not None:
            return ParseResult(None, [issue])
    lines: dict[tuple, int] = {}
    try:
        if file.lower().endswith(".json") or text.lstrip().startswith("{"):
            data, lines = _read_json(text)
        else:
            data, lines = _compose(text)
    except json.JSONDecodeError as exc:
        return ParseResult(None, [BankIssue(file, exc.lineno, f"not valid JSON: {exc.msg}")])
    except _NotABank as exc:
        return ParseResult(None, [BankIssue(file, exc.line, f"not a readable bank: {exc.problem}")])
    except yaml_core.Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return ParseResult(None, [BankIssue(file, line, f"not a readable bank: {exc.problem}")])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return ParseResult(None, [BankIssue(file, line, f"not valid YAML: {exc.problem or exc.context}")])
    except yaml.reader.ReaderError as exc:
        # A character YAML forbids (a control character): no mark, and libyaml's offset counts
        # bytes, so find the line of the character's first occurrence (the one YAML stopped at).
        code = exc.character if isinstance(exc.character, int) else None
        where = text.find(chr(code)) if code is not None else -1
        line = text.count("\n", 0, where) + 1 if where >= 0 else None
        what = f"the character U+{code:04X}" if code is not None else "a character"
        return ParseResult(None, [BankIssue(file, line, f"not valid YAML: {what} is not allowed ({exc.reason})")])
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return ParseResult(None, [BankIssue(file, None, f"not a readable bank: {exc}")])
    return from_data(data, file, lines)


def from_data(data: Any, file: str, lines: dict[tuple, int] | None = None) -> ParseResult:
    lines = lines or {}
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return ParseResult(None, [BankIssue(file, 1, "a bank is a mapping with a 'questions' list",
                                            field="questions")])
    errors: list[BankIssue] = []
    if data.get("bank", FORMAT_VERSION) != FORMAT_VERSION:
        errors.append(BankIssue(file, lines.get(("bank",)), f"format version must be {FORMAT_VERSION}",
                                field="bank"))
    sources = data.get("sources") or {}
    if isinstance(sources, list):  # also accepted: a list of {id, title, file}
        sources = {str(s.get("id", s.get("file"))): s for s in sources if isinstance(s, dict)}
    if not isinstance(sources, dict):
        errors.append(BankIssue(file, lines.get(("sources",)), "must be a mapping", field="sources"))
        sources = {}
    questions = []
    for n, raw in enumerate(data["questions"]):
        line = lines.get(("questions", n))
        if not isinstance(raw, dict):
            errors.append(BankIssue(file, line, "each question is a mapping of fields", question=f"#{n + 1}"))
            continue
        questions.append(question_from_dict(raw, line))
    tags = data.get("tags") or []
    bank = Bank(
        id=str(data.get("id", "")),
        title=str(data.get("title") or data.get("id") or ""),
        description=str(data.get("description") or ""),
        tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
        sources={str(k): v for k, v in sources.items()},
        questions=questions,
        extra={k: v for k, v in data.items() if k not in BANK_KEYS},
    )
    errors += validate_bank(bank, file, _question_lines(lines, data["questions"]))
    errors.sort(key=lambda e: e.line or 0)
    return ParseResult(bank if not errors else None, errors, partial=bank)


def _question_lines(lines: dict[tuple, int], raw_questions: list) -> dict[tuple, int]:
    """``lines`` with the paths of questions renumbered as the bank holds them: an entry that is not
    a mapping was left out of ``bank.questions``, so the entries after it move up one, and their
    fields' lines must move with them (else an error names a field of the entry before)."""
    kept = {raw: n for n, raw in enumerate(i for i, q in enumerate(raw_questions) if isinstance(q, dict))}
    if len(kept) == len(raw_questions):
        return lines
    out: dict[tuple, int] = {}
    for path, line in lines.items():
        if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
            if path[1] not in kept:
                continue
            path = ("questions", kept[path[1]], *path[2:])
        out[path] = line
    return out


def question_from_dict(raw: dict[str, Any], line: int | None = None) -> Question:
    qtype = str(raw.get("type", ""))
    own = get_type(qtype).fields if qtype in REGISTRY else ()
    evidence = raw.get("evidence")
    if evidence is None:
        evidence = []
    elif isinstance(evidence, str):
        evidence = [evidence]
    tags = raw.get("tags")
    tags = [] if tags is None else tags
    return Question(
        id=str(raw.get("id", "")),
        type=qtype,
        fields={k: raw[k] for k in own if k in raw},
        explanation=raw.get("explanation") or "",
        source=None if raw.get("source") is None else str(raw["source"]),
        evidence=evidence,
        tags=[str(t) for t in tags] if isinstance(tags, list) else tags,
        difficulty=raw.get("difficulty"),
        format=raw.get("format") or "plain",
        extra={k: v for k, v in raw.items() if k not in COMMON_KEYS and k not in own},
        title="" if raw.get("title") is None else raw["title"],
        line=line,
    )


def question_to_dict(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.type}
    if q.title:
        out["title"] = q.title
    own = get_type(q.type).fields if q.type in REGISTRY else tuple(q.fields)
    out.update({k: q.fields[k] for k in own if k in q.fields})
    if q.explanation:
        out["explanation"] = q.explanation
    if q.source is not None:
        out["source"] = q.source
    # A malformed upload's evidence or tags (a number, a mapping) are kept as written: the preview
    # of a refused file shows them with their error.
    if q.evidence:
        out["evidence"] = (q.evidence[0] if len(q.evidence) == 1 else list(q.evidence)) \
            if isinstance(q.evidence, list) else q.evidence
    if q.tags:
        out["tags"] = list(q.tags) if isinstance(q.tags, list) else q.tags
    if q.difficulty:
        out["difficulty"] = q.difficulty
    if q.format != "plain":
        out["format"] = q.format
    out.update(q.extra)
    return out


def to_data(bank: Bank) -> dict[str, Any]:
    data: dict[str, Any] = {"bank": FORMAT_VERSION, "id": bank.id, "title": bank.title}
    if bank.description:
        data["description"] = bank.description
    if bank.tags:
        data["tags"] = list(bank.tags)
    if bank.sources:
        data["sources"] = bank.sources
    data.update(bank.extra)
    data["questions"] = [question_to_dict(q) for q in bank.questions]
    return data


def dump_yaml(bank: Bank) -> str:
    """The bank as YAML; texts that YAML 1.1 or 1.2 would read as something else are quoted."""
    return yaml_core.dump(to_data(bank))


def dump_json(bank: Bank) -> str:
    return json.dumps(to_data(bank), ensure_ascii=False, indent=2) + "\n"
