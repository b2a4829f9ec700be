"""Source documents of a bank, and a question's quotes shown where they stand in their document."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select

from ..banks.passages import Passage, passages, unfound
from ..extensions import db
from ..models import Bank, Document, Question
from . import statements
from .bank_store import touch
from .errors import NotFound
from .unit import transactional

# A feedback page shows the question's quotes in their document: the document is read and turned
# into prose, and each quote found in it, once per app (worker process) rather than on every view.
# Passages are kept per (document id, uploaded_at, quotes): a replaced document, or one added in the
# place of a deleted one (whose id SQLite may give it), gets a later uploaded_at than any the bank
# had (save_documents makes sure of it), and an edited question brings other quotes.
Version = tuple[int, str]  # (document id, uploaded_at)
_TEXTS_MAX = 32  # documents (each a few hundred KB at most)
_PASSAGES_MAX = 20_000
_lock = threading.Lock()


_LISTS_MAX = 1_000  # banks' document lists


def _caches() -> tuple[OrderedDict, OrderedDict, OrderedDict]:
    """This app's document texts, passages and banks' document lists (an app is one database)."""
    with _lock:
        return current_app.extensions.setdefault("quizapp.passages", (OrderedDict(), OrderedDict(), OrderedDict()))


def _documents(bank: Bank) -> dict[str, Version]:
    """The bank's documents by name, each as its version (their texts are not read). Kept per bank
    version (id, updated_at: every change of its documents moves it, bank_store.touch), so a feedback
    page reads none: the bank came with its question."""
    return _cached(_caches()[2], (bank.id, bank.updated_at), _LISTS_MAX, lambda: {
        name: (doc_id, uploaded_at.isoformat())
        for doc_id, name, uploaded_at in statements.run(_BANK_DOCUMENTS, {"bank_id": bank.id})})


_BANK_DOCUMENTS = select(Document.id, Document.name, Document.uploaded_at).where(
    Document.bank_id == bindparam("bank_id"))


def _cached(cache: OrderedDict, key, limit: int, make):
    with _lock:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
            return value
    value = make()
    with _lock:
        cache[key] = value
        while len(cache) > limit:
            cache.popitem(last=False)
    return value


def _text(document: Version) -> str:
    doc_id, _ = document
    return _cached(_caches()[0], document, _TEXTS_MAX,
                   lambda: db.session.scalar(select(Document.text).where(Document.id == doc_id)) or "")


def passages_for(question: Question) -> list[Passage]:
    """The question's evidence quotes marked in clean prose of its source document (banks.passages)."""
    evidence = question.data.get("evidence") or []
    quotes = (evidence,) if isinstance(evidence, str) else tuple(str(q) for q in evidence)
    document = _source_document(question)
    if document is None:
        return [unfound(q) for q in quotes]
    key = (document, quotes)
    return list(_cached(_caches()[1], key, _PASSAGES_MAX, lambda: tuple(passages(_text(document), list(quotes)))))


def _source_document(question: Question) -> Version | None:
    """The version of the document the question quotes: its source's file, else the document named
    as its source, else the bank's only document."""
    documents = _documents(question.bank)
    if not documents:
        return None
    source = (question.bank.sources or {}).get(question.data.get("source") or "") or {}
    name = source.get("file") if isinstance(source, dict) else None
    document = documents.get(name or "") or documents.get(question.data.get("source") or "")
    if document is None and len(documents) == 1:
        document = next(iter(documents.values()))
    return document


def save_documents(bank_id: int, documents: dict[str, str], now: datetime) -> None:
    """Adds or replaces documents by name. Flushes: part of the caller's unit of work."""
    if not documents:
        return
    bank = db.session.get(Bank, bank_id)
    # Every change of a bank's documents moves its updated_at forward (touch), so the new reading is
    # later than every document the bank had, even at one clock reading: cached texts and passages are
    # known by (id, uploaded_at), and SQLite gives a deleted document's id to the next one.
    touch(bank, now)
    later = bank.updated_at
    current = {d.name: d for d in db.session.scalars(select(Document).where(Document.bank_id == bank_id))}
    for name, text in documents.items():
        row = current.get(name)
        if row is None:
            db.session.add(Document(bank_id=bank_id, name=name, text=text, uploaded_at=later))
        else:
            row.text, row.uploaded_at = text, max(later, row.uploaded_at + timedelta(microseconds=1))
    db.session.flush()


def of_bank(bank_id: int) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.bank_id == bank_id).order_by(Document.name)))


@transactional
def add(bank_id: int, documents: dict[str, str], now: datetime) -> None:
    """Adds or replaces the bank's documents by name."""
    save_documents(bank_id, documents, now)


@transactional
def delete(bank_id: int, document_id: int, now: datetime) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.bank_id != bank_id:
        raise NotFound("This bank has no such document.")
    db.session.delete(document)
    touch(db.session.get(Bank, bank_id), now)
    return document
