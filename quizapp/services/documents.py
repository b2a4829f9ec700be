"""Source documents of a bank, and a question's quotes shown where they stand in their document."""
from __future__ import annotations

from datetime import datetime

from flask import g
from sqlalchemy import select

from ..banks.passages import Passage, passages, unfound
from ..extensions import db
from ..models import Document, Question
from .errors import NotFound
from .unit import transactional


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


def save_documents(bank_id: int, documents: dict[str, str], now: datetime) -> None:
    """Adds or replaces documents by name. Flushes: part of the caller's unit of work."""
    current = {d.name: d for d in db.session.scalars(select(Document).where(Document.bank_id == bank_id))}
    for name, text in documents.items():
        row = current.get(name)
        if row is None:
            db.session.add(Document(bank_id=bank_id, name=name, text=text, uploaded_at=now))
        else:
            row.text, row.uploaded_at = text, now
    db.session.flush()


def of_bank(bank_id: int) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.bank_id == bank_id).order_by(Document.name)))


@transactional
def add(bank_id: int, documents: dict[str, str], now: datetime) -> None:
    """Adds or replaces the bank's documents by name."""
    save_documents(bank_id, documents, now)


@transactional
def delete(bank_id: int, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.bank_id != bank_id:
        raise NotFound("This bank has no such document.")
    db.session.delete(document)
    return document
