"""Test data: banks and questions of every type, saved through the real bank store."""
from __future__ import annotations

from datetime import UTC, datetime

from quizapp.banks.native import from_data
from quizapp.extensions import db
from quizapp.services.bank_store import save_bank

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

QUESTIONS = [
    {"id": "capital", "type": "multiple_choice", "prompt": "Where did Mao travel in December 1949?",
     "choices": ["Moscow", "Beijing", "Warsaw", "Yalta"], "answer": "Moscow",
     "explanation": "Mao's first trip abroad.", "source": "doc", "evidence": "Mao went to Moscow in 1949."},
    {"id": "members", "type": "multiple_select", "prompt": "Which were communist states in 1950?",
     "choices": ["USSR", "PRC", "USA", "UK"], "answers": ["USSR", "PRC"]},
    {"id": "tf", "type": "true_false", "prompt": "The treaty was signed in 1950.", "answer": True},
    {"id": "who", "type": "short_answer", "prompt": "Who led the KMT?", "answers": ["Chiang Kai-shek", "Chiang"]},
    {"id": "year", "type": "numeric", "prompt": "When was the PRC proclaimed?", "answer": 1949},
    {"id": "cloze", "type": "cloze", "text": "{{c1::Mao}} met {{c2::Stalin}} in Moscow."},
    {"id": "order", "type": "ordering", "prompt": "Put in order", "items": ["First", "Second", "Third"]},
    {"id": "match", "type": "matching", "prompt": "Match", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"]]},
    {"id": "card", "type": "flashcard", "front": "Sino-Soviet split", "back": "The break of the 1960s"},
]


def make_bank(bank_id: str = "demo", questions: list[dict] | None = None, title: str = "Demo bank",
              now: datetime = NOW, bank_fields: dict | None = None, **kwargs):
    data = {"bank": 1, "id": bank_id, "title": title,
            "sources": {"doc": {"title": "A document", "file": "doc.txt"}},
            "questions": questions if questions is not None else QUESTIONS, **(bank_fields or {})}
    result = from_data(data, f"{bank_id}.yaml")
    assert result.ok, [str(e) for e in result.errors]
    report = save_bank(result.bank, now=now, builtin=kwargs.get("builtin", True), owner=kwargs.get("owner"))
    db.session.commit()
    return report
