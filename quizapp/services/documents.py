"""Source documents of a bank, and a quote shown where it stands in its document."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from ..banks.grounding import QuoteContext, quote_context
from ..extensions import db
from ..models import Document, Question


def _documents(bank_id: int) -> dict[str, str]:
    # Feedback pages show several quotes of one bank: read its documents once per request.
    cache = g.setdefault("bank_documents", {})
    if bank_id not in cache:
        cache[bank_id] = dict(db.session.execute(
            select(Document.name, Document.text).where(Document.bank_id == bank_id)).all())
    return cache[bank_id]


def context_for(question: Question, quote: str) -> QuoteContext | None:
    """The quote in its paragraph of the question's source document, when the bank has it."""
    documents = _documents(question.bank_id)
    if not documents:
        return None
    source = (question.bank.sources or {}).get(question.data.get("source") or "") or {}
    name = source.get("file") if isinstance(source, dict) else None
    text = documents.get(name or "") or documents.get(question.data.get("source") or "")
    if text is None and len(documents) == 1:
        text = next(iter(documents.values()))
    return quote_context(text, quote) if text else None
