"""The home page's bank tiles (quizapp/services/bank_progress.py): due, studied and mastered per bank,
mastered counted as the progress page counts it."""
from __future__ import annotations

from quizapp.services import bank_progress, progress
from tests.factories import NOW, make_bank
from tests.progress_seed import seed_learner


def test_each_bank_shows_the_same_mastered_count_as_the_progress_page(learner):
    seed_learner(learner.id, NOW)
    make_bank("unopened", [{"id": "q", "type": "true_false", "prompt": "Stalin died in 1953.", "answer": True}],
              title="Unopened bank")
    tiles = {g.bank.title: g for g in bank_progress.glance(learner, NOW)}
    dash = {m.name: m.mastery for m in progress.dashboard_context(learner, NOW).mastery_banks}
    demo = tiles["Demo bank"]
    assert (demo.cards, demo.studied) == (10, dash["Demo bank"].studied)
    assert demo.mastered == dash["Demo bank"].mastered == 2 and demo.due == 3
    unopened = tiles["Unopened bank"]
    assert (unopened.cards, unopened.studied, unopened.mastered, unopened.due) == (1, 0, 0, 0)
