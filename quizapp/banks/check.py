"""What ``flask bank check --json`` prints of each question: everything it holds, plus its prompt
and answer read the same way for every type (pure: no Flask)."""
from __future__ import annotations

from typing import Any

from ..domain.questions import get_type
from .model import Bank
from .native import question_to_dict


def normalised(bank: Bank) -> list[dict[str, Any]]:
    """One dict per question: ``bank``, ``prompt`` (the first card as shown), ``choices`` (or items,
    or pairs), ``answers`` (the right answer(s) whatever the type calls them), ``weights``,
    ``explanation`` and ``tags``, then every other field the question holds as the native format
    writes it (tolerance, unit, alternatives, feedback, source, evidence, difficulty, extras...)."""
    out = []
    for q in bank.questions:
        f = q.fields
        qtype = get_type(q.type)
        row: dict[str, Any] = {
            "bank": bank.id, "id": q.id, "type": q.type, "prompt": qtype.prompt(f, (qtype.cards(f) or [0])[0]),
            "choices": f.get("choices") or f.get("items") or f.get("pairs"),
            "answers": f.get("answers") if "answers" in f else f.get("answer", f.get("back", f.get("text"))),
            "weights": f.get("weights"), "explanation": q.explanation, "tags": q.tags,
        }
        row.update({k: v for k, v in question_to_dict(q).items() if k not in row})
        out.append(row)
    return out


_LISTS = ("choices", "answers", "items", "distractors", "tags")


def previewable(data: dict[str, Any]) -> dict[str, Any]:
    """A question dict (``question_to_dict``) shaped so the upload preview can lay it out even when
    the file got it wrong (``items: 5``, ``pairs: [1, 2]``, ``evidence: {a: 1}``): a malformed list
    is shown as its text, a malformed pair as the text in its left side. The errors say what is
    wrong; the preview only shows what was written."""
    out = dict(data)
    for key in _LISTS:
        if key in out and not isinstance(out[key], (list, str)):
            out[key] = str(out[key])
    if "pairs" in out:
        pairs = out["pairs"] if isinstance(out["pairs"], list) else [out["pairs"]]
        out["pairs"] = [p if isinstance(p, list) and len(p) == 2 else [str(p), ""] for p in pairs]
    if "evidence" in out and not isinstance(out["evidence"], (list, str)):
        out["evidence"] = str(out["evidence"])
    return out
