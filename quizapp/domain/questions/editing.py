"""A question's type-specific fields as the texts of its edit form, and back.

Each type lists its inputs in ``QuestionType.editor``; this module only knows the input kinds.
Fields the form does not show (weights, feedback, ...) are kept from the question being edited.
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


def to_text(field: EditorField, value: Any) -> str:
    if value is None:
        return ""
    if field.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if field.kind == "pairs":
        return "\n".join(f"{left} = {right}" for left, right in value) if isinstance(value, list) else str(value)
    if field.kind == "bool":
        return "y" if value else ""
    return str(value)


def from_text(field: EditorField, text: str) -> Any:
    """The field's value from what was typed; None means "leave the field out"."""
    text = (text or "").replace("\r\n", "\n")
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
        value = from_text(f, values.get(f.name, ""))
        # A switch left at its default is left out, so the question reads as it did before.
        at_default = f.kind == "bool" and f.name in qtype.defaults and value == qtype.defaults[f.name]
        if value is None or (at_default and f.name not in fields):
            fields.pop(f.name, None)
        else:
            fields[f.name] = value
    return fields
