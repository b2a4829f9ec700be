"""Learn and Match through the real routes: the pages, a round and a game played to the end, refusals."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, MatchBest, Question, ReviewLog, User
from quizapp.services import learn_mode
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank
from tests.services.test_study_modes import VOCAB


@pytest.fixture
def learner(app, client, make_user):
    with app.app_context():
        make_bank("vocab", VOCAB, title="Vocabulary")
    make_user()
    AuthActions(client).login()
    return client


def post(client, url: str, page_url: str, **form):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **form})


def card_form(page: str) -> dict:
    return {"question_id": re.search(r'name="question_id" value="(\d+)"', page).group(1),
            "ordinal": re.search(r'name="ordinal" value="(\d+)"', page).group(1)}


def options(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'name="choice" value="([^"]*)"', page)]


def right_answer(app, question_id: str) -> str:
    with app.app_context():
        q = db.session.get(Question, int(question_id))
        return learn_mode.target(q, 0).answer


def logs(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(r.kind, r.rating) for r in db.session.scalars(select(ReviewLog).order_by(ReviewLog.id))]


def test_a_learn_round_from_choice_to_typed_recall_to_the_end(app, learner):
    page = learner.get("/study/learn").get_data(as_text=True)
    assert "Start a round" in page and 'id="learn-size"' in page and "first</strong> answer in a round" in page
    response = post(learner, "/study/learn/start", "/study/learn", size="2")
    assert response.status_code == 302 and response.location == "/study/learn"
    page = learner.get("/study/learn").get_data(as_text=True)
    assert "0 of 2 mastered" in page and "Capital of France?" in page and len(options(page)) == 4
    form = card_form(page)
    right = right_answer(app, form["question_id"])
    wrong = next(o for o in options(page) if o != right)
    learner.post("/study/learn/answer", data={"csrf_token": csrf_from(page), **form, "choice": wrong})
    page = learner.get("/study/learn").get_data(as_text=True)
    assert "✗ Not quite" in page and f"the answer is <strong>{right}</strong>" in page and "Capital of Germany?" in page
    # Germany right as a choice, then France again: still a choice after the wrong pick.
    for _ in range(2):
        form = card_form(page)
        learner.post("/study/learn/answer", data={"csrf_token": csrf_from(page), **form,
                                                  "choice": right_answer(app, form["question_id"])})
        page = learner.get("/study/learn").get_data(as_text=True)
    assert "✓ Right" in page and "Next time you type it." in page
    assert "Capital of Germany?" in page and 'id="answer-text"' in page and not options(page)
    # Typed: a near-miss is refused, then both typed right.
    form = card_form(page)
    learner.post("/study/learn/answer", data={"csrf_token": csrf_from(page), **form, "answer": "Berlni"})
    page = learner.get("/study/learn").get_data(as_text=True)
    assert "✗ Not quite" in page and "a slip away from “Berlin”" in page and "0 of 2 mastered" in page
    for _ in range(3):
        form = card_form(page)
        learner.post("/study/learn/answer", data={"csrf_token": csrf_from(page), **form,
                                                  "answer": right_answer(app, form["question_id"]).upper()})
        page = learner.get("/study/learn").get_data(as_text=True)
        if "Round complete" in page:
            break
    assert "Round complete" in page and "2 of 2 mastered" in page
    assert logs(app) == [("learn", sched.AGAIN), ("learn", sched.GOOD)]  # one per card: its first answer
    post(learner, "/study/learn/end", "/study/learn")
    assert "Start a round" in learner.get("/study/learn").get_data(as_text=True)


def test_learn_refusals(app, learner):
    # No round: an answer is turned back, nothing recorded.
    response = post(learner, "/study/learn/answer", "/study/learn", question_id="1", ordinal="0", answer="Paris")
    assert response.status_code == 302 and "That round is over" in learner.get("/study/learn").get_data(as_text=True)
    post(learner, "/study/learn/start", "/study/learn", size="2")
    page = learner.get("/study/learn").get_data(as_text=True)
    form = card_form(page)
    # A choice not offered: asked again (400) with the message, the same card.
    response = learner.post("/study/learn/answer", data={"csrf_token": csrf_from(page), **form, "choice": "Lisbon"})
    assert response.status_code == 400
    assert "Choose one of the answers shown." in response.get_data(as_text=True)
    # Another card than the one asked (an older page): back to the current one.
    response = learner.post("/study/learn/answer", data={"csrf_token": csrf_from(page), "question_id": "999999",
                                                         "ordinal": "0", "answer": "x"})
    assert response.status_code == 302
    assert "not the one this round is asking" in learner.get("/study/learn").get_data(as_text=True)
    assert logs(app) == []
    # Out-of-range sizes are refused with a message.
    post(learner, "/study/learn/end", "/study/learn")
    post(learner, "/study/learn/start", "/study/learn", size="500")
    assert "A round holds from 1 to 20 cards." in learner.get("/study/learn").get_data(as_text=True)


def test_learn_with_no_flashcards_or_short_answers_says_so(app, client, make_user):
    with app.app_context():
        make_bank("mc", [VOCAB[-1]])
    make_user()
    AuthActions(client).login()
    post(client, "/study/learn/start", "/study/learn")
    assert "no flashcards or short-answer questions" in client.get("/study/learn").get_data(as_text=True)


def test_a_match_game_played_through_the_form(app, learner):
    page = learner.get("/study/match").get_data(as_text=True)
    assert "Vocabulary" in page and "13 pairs to match" in page
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id))
    response = post(learner, "/study/match/start", "/study/match", bank=str(bank_id))
    assert response.status_code == 302 and response.location == "/study/match/play"
    page = learner.get("/study/match/play").get_data(as_text=True)
    tiles = re.findall(r'aria-pressed="false"\s+data-tile="(\d+)" data-pair="(\d+)"', page)
    assert len(tiles) == 12 and 'src="/static/modes/match.js' in page and "<script>" not in page
    game = re.search(r'name="game" value="(\w+)"', page).group(1)
    # Pair 0 missed at its first try (paired with a tile of pair 1), one wrong pair in all.
    first, other = next(t for t, p in tiles if p == "0"), next(t for t, p in tiles if p == "1")
    response = learner.post("/study/match/finish", data={"csrf_token": csrf_from(page), "game": game, "wrong": "1",
                                                         "miss-0": other, "miss-1": first})
    assert response.status_code == 302
    page = learner.get("/study/match").get_data(as_text=True)
    assert "Done in" in page and "4 of 6 pairs right at the first try." in page and "A new best time!" in page
    assert sorted(logs(app)) == sorted([("match", sched.AGAIN)] * 2 + [("match", sched.GOOD)] * 4)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchBest)) == 1
    # The game is over: sending it again changes nothing.
    response = learner.post("/study/match/finish", data={"csrf_token": csrf_from(page), "game": game, "wrong": "0"})
    assert response.status_code == 302 and len(logs(app)) == 6
    assert "That game is over" in learner.get("/study/match").get_data(as_text=True)


def test_match_refusals(app, learner, make_user):
    with app.app_context():
        teacher = db.session.get(User, make_user("t@example.com", role="teacher"))
        make_bank("private", VOCAB[:4], builtin=False, owner=teacher)
        private = db.session.scalar(select(Bank.id).where(Bank.slug == "private"))
        vocab = db.session.scalar(select(Bank.id).where(Bank.slug == "vocab"))
    assert "private" not in learner.get("/study/match").get_data(as_text=True).lower()
    assert post(learner, "/study/match/start", "/study/match", bank=str(private)).status_code == 404
    assert learner.get("/study/match/play").status_code == 302  # no game
    post(learner, "/study/match/start", "/study/match", bank=str(vocab))
    page = learner.get("/study/match/play").get_data(as_text=True)
    game = re.search(r'name="game" value="(\w+)"', page).group(1)
    response = learner.post("/study/match/finish", data={"csrf_token": csrf_from(page), "game": game, "wrong": "1",
                                                         "miss-0": "9999"})
    assert response.status_code == 302
    assert "does not fit this game" in learner.get("/study/match").get_data(as_text=True)
    assert logs(app) == []


def test_a_card_retired_mid_round_or_mid_game_ends_it_with_a_note(app, learner):
    post(learner, "/study/learn/start", "/study/learn", size="2")
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id))
    post(learner, "/study/match/start", "/study/match", bank=str(bank_id))
    with app.app_context():
        for q in db.session.scalars(select(Question)):
            q.retired = True
        db.session.commit()
    response = learner.get("/study/learn")
    assert response.status_code == 302
    page = learner.get("/study/learn").get_data(as_text=True)
    assert "no longer in your banks, so the round ended" in page and "Start a round" in page
    assert learner.get("/study/match/play").status_code == 302
    assert "cards have changed: start a new game" in learner.get("/study/match").get_data(as_text=True)


def test_home_and_study_pages_link_to_both_modes(learner):
    for url in ("/", "/study"):
        page = learner.get(url).get_data(as_text=True)
        assert 'href="/study/learn"' in page and 'href="/study/match"' in page
