"""The native bank format (../shared/docs/bank-format.md) as YAML or JSON, read and written without loss.

YAML is composed into nodes first so that every error can name the line of the field it is
about, not only a path into the structure.
"""
from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from ..domain.questions import REGISTRY, get_type
from .model import Bank, BankIssue, ParseResult, Question, validate_bank

# libyaml's C parser when PyYAML has it (about 8x faster on large banks); the marks are the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FORMAT_VERSION = 1
BANK_KEYS = ("bank", "id", "title", "description", "tags", "sources", "questions")
COMMON_KEYS = ("id", "type", "explanation", "source", "evidence", "tags", "difficulty", "format")
MAX_NODES = 2_000_000  # an alias bomb expands past this long before memory runs out


class _Lines:
    """Walks a composed YAML tree, building the data and the line (1-based) of every path."""

    def __init__(self, limit: int = MAX_NODES) -> None:
        self.lines: dict[tuple, int] = {}
        self.nodes = 0
        self.limit = limit
        self.constructor = SafeConstructor()

    def build(self, node: yaml.Node, path: tuple = ()) -> Any:
        self.nodes += 1
        if self.nodes > self.limit:
            raise ValueError("the document is too large or nests too many aliases")
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                if isinstance(key, (list, dict)):
                    raise yaml.MarkedYAMLError(problem="a mapping key must be a plain value",
                                               problem_mark=key_node.start_mark)
                sub = path + (key,)
                self.lines[sub] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, sub)
                self.lines[sub] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)


def _compose(text: str) -> tuple[Any, dict[tuple, int]]:
    # A real bank has a few nodes per line; far more than the text could hold means aliases expanding.
    walker = _Lines(min(MAX_NODES, 20 * len(text) + 10_000))
    root = yaml.compose(text, Loader=_LOADER)
    if root is None:
        return None, {}
    return walker.build(root), walker.lines


def parse_native(text: str | bytes, file: str = "bank.yaml") -> ParseResult:
    """Reads a native bank from YAML (or JSON, which is read as JSON but located via YAML)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            return ParseResult(None, [BankIssue(file, line, "is not UTF-8 text (save it as UTF-8 and try again)")])
    lines: dict[tuple, int] = {}
    try:
        if file.lower().endswith(".json") or text.lstrip().startswith("{"):
            data = json.loads(text)
            try:
                _, lines = _compose(text)
            except (yaml.YAMLError, ValueError, RecursionError):
                lines = {}
        else:
            data, lines = _compose(text)
    except json.JSONDecodeError as exc:
        return ParseResult(None, [BankIssue(file, exc.lineno, f"not valid JSON: {exc.msg}")])
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
    # Paths stay as in the file; questions that were skipped as non-mappings keep numbering.
    return lines


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
        line=line,
    )


def question_to_dict(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.type}
    own = get_type(q.type).fields if q.type in REGISTRY else tuple(q.fields)
    out.update({k: q.fields[k] for k in own if k in q.fields})
    if q.explanation:
        out["explanation"] = q.explanation
    if q.source is not None:
        out["source"] = q.source
    if q.evidence:
        out["evidence"] = q.evidence[0] if len(q.evidence) == 1 else list(q.evidence)
    if q.tags:
        out["tags"] = list(q.tags)
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
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(to_data(bank), Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_json(bank: Bank) -> str:
    return json.dumps(to_data(bank), ensure_ascii=False, indent=2) + "\n"
