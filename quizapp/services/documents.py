"""Source documents of a bank, and a question's quotes shown where they stand in their document."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from ..banks.passages import Passage, passages, unfound
from ..extensions import db
from ..models import Document, Question


def _documents(bank_id: int) -> dict[str, str]:
    # Feedback pages show several quotes of one bank: read its documents once per request.
    cache = g.setdefault("bank_documents", {})
    if bank_id not in cache:
        cache[bank_id] = dict(db.session.execute(
            select(Document.name, Document.text).where(Document.bank_id == bank_id)).all())
    return cache[bank_id]


def passages_for(question: Question) -> list[Passage]:
    """The question's evidence quotes marked in clean prose of its source document (banks.passages)."""
    evidence = question.data.get("evidence") or []
    quotes = [evidence] if isinstance(evidence, str) else [str(q) for q in evidence]
    text = _source_text(question)
    return passages(text, quotes) if text else [unfound(q) for q in quotes]


def _source_text(question: Question) -> str | None:
    documents = _documents(question.bank_id)
    if not documents:
        return None
    source = (question.bank.sources or {}).get(question.data.get("source") or "") or {}
    name = source.get("file") if isinstance(source, dict) else None
    text = documents.get(name or "") or documents.get(question.data.get("source") or "")
    if text is None and len(documents) == 1:
        text = next(iter(documents.values()))
    return text
