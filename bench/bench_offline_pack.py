"""Offline pack size (issue #22): the bytes of GET /study/offline/pack for 200 cards.

Run: .venv/bin/python bench/bench_offline_pack.py [--cards 200] [--due 150]
A bank of every question type (in the demo bank's proportions) with prompts of 10-18 words,
explanations of 25-40 words and a quoted source passage per question, as the built-in banks
have; the learner has ``--due`` cards studied and due within the pack's horizon and the rest new
(the daily new-card limit set to take them all). Printed: the cards in the pack, its JSON size,
gzip-compressed size (what a server or proxy compressing JSON sends), bytes per card, and the time
to build it (best of 3). The database is a SQLite file under QUIZAPP_BENCH_DIR (/tmp/quizapp-bench).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import BENCH_DIR, BENCH_SECRET, machine  # noqa: E402

VOCABULARY = ("treaty alliance border famine congress delegation harvest soviet republic reform province army "
         "socialist cadre campaign movement market rural urban industry steel grain commune leader party "
         "student worker peasant revolution document archive telegram envoy summit ministry plan")
WORDS = VOCABULARY.split()


def sentence(rng: random.Random, lo: int, hi: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize()


def question(rng: random.Random, i: int) -> dict:
    kind = ["multiple_choice", "multiple_select", "true_false", "short_answer", "numeric", "cloze",
            "ordering", "matching", "flashcard"][i % 9]
    evidence = sentence(rng, 20, 30) + "."
    base = {"id": f"q{i}", "type": kind, "explanation": sentence(rng, 25, 40) + ".", "source": "doc",
            "evidence": evidence}
    prompt = sentence(rng, 10, 18) + "?"
    choices = [sentence(rng, 2, 5) + f" {i}-{k}" for k in range(4)]
    if kind == "multiple_choice":
        return {**base, "prompt": prompt, "choices": choices, "answer": choices[0]}
    if kind == "multiple_select":
        return {**base, "prompt": prompt, "choices": choices, "answers": choices[:2]}
    if kind == "true_false":
        return {**base, "prompt": sentence(rng, 10, 18) + ".", "answer": bool(i % 2)}
    if kind == "short_answer":
        return {**base, "prompt": prompt, "answers": [f"answer {i}", f"alt {i}"]}
    if kind == "numeric":
        return {**base, "prompt": prompt, "answer": 1900 + i}
    if kind == "cloze":
        return {**base, "text": f"{sentence(rng, 5, 9)} {{{{c1::word{i}}}}} {sentence(rng, 5, 9)}."}
    if kind == "ordering":
        return {**base, "prompt": prompt, "items": [f"{sentence(rng, 2, 4)} {i}-{k}" for k in range(4)]}
    if kind == "matching":
        return {**base, "prompt": prompt, "pairs": [[f"left {i}-{k}", f"right {i}-{k}"] for k in range(4)]}
    return {**base, "front": prompt, "back": sentence(rng, 8, 15)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--due", type=int, default=150)
    args = parser.parse_args()

    from quizapp import create_app
    from quizapp.banks.native import from_data
    from quizapp.domain import scheduling as sched
    from quizapp.extensions import db
    from quizapp.models import Card, Question
    from quizapp.models.types import utcnow
    from quizapp.services import answers
    from quizapp.services.accounts import create_user
    from quizapp.services.bank_store import save_bank
    from tests.answers import response_for

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / "offline_pack.db"
    path.unlink(missing_ok=True)
    app = create_app({"TESTING": True, "SECRET_KEY": BENCH_SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "WTF_CSRF_ENABLED": False, "REQUIRE_EMAIL_VERIFICATION": False, "MAIL_SERVER": None},
                     instance_path=str(BENCH_DIR / "instance"))
    rng = random.Random(22)
    now = utcnow()
    with app.app_context():
        db.create_all()
        questions = [question(rng, i) for i in range(args.cards)]
        parsed = from_data({"bank": 1, "id": "pack", "title": "Pack bench",
                            "sources": {"doc": {"title": "A document", "file": "doc.txt"}},
                            "questions": questions}, "pack.yaml")
        assert parsed.ok, [str(e) for e in parsed.errors]
        save_bank(parsed.bank, now=now, builtin=True)
        user = create_user("bench@example.com", "correct horse battery")
        user.new_per_day, user.reviews_per_day = args.cards - args.due, 9999
        db.session.commit()
        # Studied cards: two Good answers two days ago make a review card due within days.
        for q in db.session.query(Question).order_by(Question.position).limit(args.due):
            for step, minutes in enumerate((0, 10)):
                when = now - timedelta(days=2) + timedelta(minutes=minutes)
                ordinal = 1 if q.type == "cloze" else 0
                answers.record_answer(user, q.id, ordinal, response_for(q, ordinal), f"{q.id}-{step}", now=when,
                                      rating=sched.GOOD)
        late = db.session.query(Card).filter(Card.due > now + timedelta(days=6)).count()
        print(f"{machine()}")
        print(f"studied cards due beyond the horizon: {late}")

    client = app.test_client()
    login = client.post("/login", data={"email": "bench@example.com", "password": "correct horse battery"})
    assert login.status_code == 302, login.status_code
    timings = []
    body = b""
    for _ in range(3):
        start = time.perf_counter()
        response = client.get("/study/offline/pack", headers={"Accept": "application/json"})
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        body = response.get_data()
    pack = json.loads(body)
    cards = len(pack["cards"])
    new = sum(c["new"] for c in pack["cards"])
    zipped = len(gzip.compress(body, 6))
    parts = {name: sum(len(json.dumps(c[name])) for c in pack["cards"])
             for name in ("form_html", "feedback_html", "expected_html", "grading", "state")}
    print("per part: " + ", ".join(f"{name} {size / max(cards, 1):,.0f}" for name, size in parts.items())
          + " bytes a card")
    print(f"pack: {cards} cards ({cards - new} due, {new} new), {len(body):,} bytes JSON "
          f"({len(body) / max(cards, 1):,.0f} a card), {zipped:,} bytes gzip ({zipped / max(cards, 1):,.0f} a card); "
          f"built in {min(timings) * 1000:.0f} ms (best of 3)")


if __name__ == "__main__":
    main()
