"""A question's type-specific fields as the texts of its edit form, and back.

Each type lists its inputs in ``QuestionType.editor``; this module only knows the input kinds.
Fields the form does not show (a true/false question's feedback, ...) are kept from the question being edited.
"""
from __future__ import annotations

from typing import Any

from .base import EditorField, get_type


def _number(text: str) -> Any:
    text = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    try:
        value = float(text)
    except ValueError:
        return text  # left as typed: the type's validation names the field and says why
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _credit(text: str) -> Any:
    """A credit as typed: 0.5, 50% (half marks), -25% (a penalty); text that is none is kept as typed."""
    text = text.strip()
    if text.endswith("%"):
        value = _number(text[:-1])
        return value / 100 if isinstance(value, (int, float)) else text
    return _number(text)


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _keyed(text: str, keys: list[str], last: bool) -> tuple[str, str] | None:
    """``item = value`` split where the item is one of ``keys`` (the longest that fits, so a choice
    may itself hold "="); otherwise at the last "=" (a credit has none) or the first (feedback)."""
    for key in sorted(keys, key=len, reverse=True):
        if key and text.startswith(key) and text[len(key):].lstrip().startswith("="):
            return key, text[len(key):].lstrip()[1:].strip()
    left, sep, right = text.rpartition("=") if last else text.partition("=")
    return (left.strip(), right.strip()) if sep else None


def _alternative(line: str) -> dict[str, Any]:
    answer, tolerance, credit, feedback = ([p.strip() for p in line.split("|", 3)] + ["", "", ""])[:4]
    alt: dict[str, Any] = {"answer": _number(answer)}
    if tolerance:
        alt["tolerance"] = _number(tolerance)
    alt["weight"] = _credit(credit) if credit else 0
    if feedback:
        alt["feedback"] = feedback
    return alt


def to_text(field: EditorField, value: Any) -> str:
    if value is None:
        return ""
    if field.kind in ("credits", "notes"):
        return "\n".join(f"{k} = {_shown(v)}" for k, v in value.items()) if isinstance(value, dict) else str(value)
    if field.kind == "alternatives":
        if not isinstance(value, list):
            return str(value)
        return "\n".join(" | ".join([_shown(a.get("answer", "")), _shown(a.get("tolerance", 0)),
                                     _shown(a.get("weight", 0)), str(a.get("feedback") or "")]).rstrip(" |")
                         if isinstance(a, dict) else str(a) for a in value)
    if field.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if field.kind == "pairs":
        return "\n".join(f"{left} = {right}" for left, right in value) if isinstance(value, list) else str(value)
    if field.kind == "bool":
        return "y" if value else ""
    return str(value)


def from_text(field: EditorField, text: str, keys: list[str] | None = None) -> Any:
    """The field's value from what was typed; None means "leave the field out". ``keys``: the items
    a credits or notes field names (the question's choices or answers)."""
    text = (text or "").replace("\r\n", "\n")
    if field.kind in ("credits", "notes"):
        found: dict[str, Any] = {}
        for line in text.split("\n"):
            if line.strip():
                # A line without "=" names the whole line as the item, with nothing after it: the
                # type's check then says which item has no valid value.
                key, value = _keyed(line.strip(), [str(k) for k in keys or []], field.kind == "credits") or (
                    line.strip(), "")
                found[key] = _credit(value) if field.kind == "credits" else value
        return found or None
    if field.kind == "alternatives":
        return [_alternative(line) for line in text.split("\n") if line.strip()] or None
    if field.kind == "lines":
        items = [line.strip() for line in text.split("\n") if line.strip()]
        return items or None
    if field.kind == "pairs":
        pairs = []
        for line in text.split("\n"):
            if line.strip():
                left, sep, right = line.partition("=")
                pairs.append([left.strip(), right.strip()] if sep else [line.strip(), ""])
        return pairs or None
    if field.kind == "bool":
        return text.strip().lower() in ("y", "yes", "true", "on", "1")
    if field.kind == "number":
        return _number(text) if text.strip() else None
    return text.strip() or None


def form_values(type_name: str, fields: dict[str, Any]) -> dict[str, str]:
    qtype = get_type(type_name)
    # A switch shows its default when absent ("typos" is on unless turned off).
    return {f.name: to_text(f, fields.get(f.name, qtype.defaults.get(f.name) if f.kind == "bool" else None))
            for f in qtype.editor}


def fields_from_form(type_name: str, values: dict[str, str], keep: dict[str, Any] | None = None) -> dict[str, Any]:
    """The type's fields: the form's inputs over ``keep`` (the question's current fields)."""
    fields = dict(keep or {})
    qtype = get_type(type_name)
    for f in qtype.editor:
        keys = fields.get(f.keys) if f.keys else None
        value = from_text(f, values.get(f.name, ""), keys if isinstance(keys, list) else None)
        # A switch left at its default is left out, so the question reads as it did before.
        at_default = f.kind == "bool" and f.name in qtype.defaults and value == qtype.defaults[f.name]
        if value is None or (at_default and f.name not in fields):
            fields.pop(f.name, None)
        else:
            fields[f.name] = value
    return fields
