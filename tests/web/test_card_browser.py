"""The card browser through the real routes: search, filters, pages, actions, "study just these"."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from quizapp.extensions import db
from quizapp.models import Card, Question, User
from quizapp.models.types import utcnow
from tests.answers import fill_card_form, response_for
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank
from tests.progress_seed import seed_learner
from tests.services.test_browse import _big_learner


def rows(page: str) -> list[str]:
    """The prompts of the table's rows, in order."""
    return [re.sub(r"\s+", " ", p).strip()
            for p in re.findall(r'<th scope="row" class="prompt-cell"[^>]*>\s*(?:<a [^>]*>)?([^<]+)', page)]


def card_of(app, key: str, user_email: str = "ada@example.com") -> Card | None:
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == user_email))
        return db.session.scalar(select(Card).join(Question).where(Question.key == key, Card.user_id == uid))


def test_the_browser_lists_every_card_with_its_state(client, seeded_learner):
    page = client.get("/study/cards").get_data(as_text=True)
    assert "<b>10</b> cards" in page and len(rows(page)) == 10
    assert "Mao met […] in Moscow." in page  # a cloze card never studied is listed too
    assert '<span class="badge">Leech</span>' in page and "Suspended</span>" in page
    assert "✗ wrong" in page and "✓ right" in page and ">never<" in page
    assert '<caption class="visually-hidden">Cards 1 to 10 of 10</caption>' in page
    assert page.count('<th scope="col"') == 8 and 'role="search"' in page


@pytest.mark.parametrize(("query", "expected"), [
    ("?state=new", ["Mao met […] in Moscow.", "Match", "Sino-Soviet split"]),
    ("?state=leech", ["When was the PRC proclaimed?"]),
    ("?tag=treaty", ["Where did Mao travel in December 1949?", "The treaty was signed in 1950."]),
    ("?q=kmt", ["Who led the KMT?"]),
    ("?lapses=1&sort=lapses", ["When was the PRC proclaimed?", "Which were communist states in 1950?"]),
    ("?last=wrong", ["Where did Mao travel in December 1949?", "Which were communist states in 1950?"]),
    ("?due=overdue&sort=due", ["When was the PRC proclaimed?", "Which were communist states in 1950?"]),
])
def test_filters_narrow_the_table(client, seeded_learner, query, expected):
    response = client.get("/study/cards" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and rows(page) == expected
    assert f"<b>{len(expected)}</b> card{'' if len(expected) == 1 else 's'} found" in page


def test_a_bad_filter_is_a_400_with_the_field_named(client, seeded_learner):
    for query, field in (("?lapses=abc", "Lapses at least"), ("?state=zombie", "State"), ("?tag=nope", "Tag"),
                         ("?q=" + "x" * 201, "Search")):
        response = client.get("/study/cards" + query)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "Please correct" in page and f">{field}</a>" in page, query
        assert rows(page) == []


def test_a_wrong_answer_shows_up_as_wrong_and_as_a_lapse(client, seeded_learner, app):
    """The failing learner: a card they knew (in review), answered wrong now through the study page."""
    token = csrf_from(client.get("/study/cards").get_data(as_text=True))
    with app.app_context():
        tf = db.session.scalar(select(Question).where(Question.key == "tf"))
        qid, wrong = tf.id, response_for(tf, right=False)
    response = client.post("/study/answer", data={"csrf_token": token, "question_id": qid, "ordinal": 0,
                                                  "client_id": "wrong-tf", "answer": str(wrong).lower()})
    assert response.status_code == 302
    page = client.get("/study/cards?last=wrong").get_data(as_text=True)
    assert "The treaty was signed in 1950." in rows(page)
    lapsed = client.get("/study/cards?lapses=1&state=learning").get_data(as_text=True)
    assert rows(lapsed) == ["The treaty was signed in 1950."] and "Relearning" in lapsed


def test_suspend_and_bury_one_card_then_come_back_to_the_same_filtered_page(client, seeded_learner, app):
    page = client.get("/study/cards?tag=treaty&sort=due").get_data(as_text=True)
    token = csrf_from(page)
    assert 'name="f_tag" value="treaty"' in page
    with app.app_context():
        capital = db.session.scalar(select(Question.id).where(Question.key == "capital"))
    response = client.post("/study/cards/act", data={"csrf_token": token, "one": f"suspend {capital}:0",
                                                     "f_tag": "treaty", "f_sort": "due", "f_page": "1"})
    assert response.status_code == 302 and response.location == "/study/cards?tag=treaty&sort=due"
    assert card_of(app, "capital").suspended
    after = client.get(response.location).get_data(as_text=True)
    assert "1 card suspended." in after and f'value="unsuspend {capital}:0"' in after
    client.post("/study/cards/act", data={"csrf_token": token, "one": f"bury {capital}:0"})
    assert card_of(app, "capital").buried_until is not None
    client.post("/study/cards/act", data={"csrf_token": token, "one": f"unbury {capital}:0"})
    client.post("/study/cards/act", data={"csrf_token": token, "one": f"unsuspend {capital}:0"})
    card = card_of(app, "capital")
    assert not card.suspended and card.buried_until is None


def test_bulk_actions_on_the_ticked_cards(client, seeded_learner, app):
    token = csrf_from(client.get("/study/cards").get_data(as_text=True))
    with app.app_context():
        ids = {q.key: q.id for q in db.session.scalars(select(Question))}
    ticked = [f"{ids['match']}:0", f"{ids['card']}:0", f"{ids['cloze']}:2"]
    response = client.post("/study/cards/act", data={"csrf_token": token, "bulk": "suspend", "card": ticked})
    assert response.status_code == 302
    page = client.get("/study/cards?state=suspended").get_data(as_text=True)
    assert "3 cards suspended." in page
    assert set(rows(page)) == {"Put in order", "Match", "Sino-Soviet split", "Mao met […] in Moscow."}
    nothing = client.post("/study/cards/act", data={"csrf_token": token, "bulk": "suspend"}, follow_redirects=True)
    assert "Tick the cards first" in nothing.get_data(as_text=True)
    assert client.post("/study/cards/act", data={"csrf_token": token, "bulk": "delete",
                                                 "card": ticked}).status_code == 400
    assert client.post("/study/cards/act", data={"csrf_token": token, "bulk": "bury",
                                                 "card": ["1:x"]}).status_code == 400


def test_study_just_the_filtered_cards_new_ones_included(client, seeded_learner, app):
    """'Study just these' on the new cards: the study page shows only them, the new ones in bank order
    before any learning step comes back, outside the daily limits."""
    page = client.get("/study/cards?state=new").get_data(as_text=True)
    response = client.post("/study/cards/focus", data={"csrf_token": csrf_from(page), "state": "new"})
    assert response.status_code == 302 and response.location == "/study"
    with app.app_context():
        keys = {q.id: q.key for q in db.session.scalars(select(Question))}
    seen = []
    for _ in range(12):
        study = client.get("/study").get_data(as_text=True)
        if "Studying the cards you found" not in study:
            break
        form = fill_card_form(study)
        seen.append((keys[int(form["question_id"])], int(form["ordinal"])))
        form.setdefault("rating", "3")
        assert client.post("/study/answer", data=form).status_code == 302
    assert seen[:3] == [("cloze", 2), ("match", 0), ("card", 0)]
    assert set(seen) == {("cloze", 2), ("match", 0), ("card", 0)}  # learning steps of the same, nothing else


def test_study_the_ticked_cards(client, seeded_learner, app):
    token = csrf_from(client.get("/study/cards").get_data(as_text=True))
    with app.app_context():
        tf = db.session.scalar(select(Question.id).where(Question.key == "tf"))
    response = client.post("/study/cards/act", data={"csrf_token": token, "bulk": "study", "card": [f"{tf}:0"]})
    assert response.location == "/study"
    study = client.get("/study").get_data(as_text=True)
    assert "The treaty was signed in 1950." in study and "Studying the cards you chose (1 card)" in study


def test_nothing_to_study_when_every_found_card_is_suspended(client, seeded_learner):
    page = client.get("/study/cards?state=suspended").get_data(as_text=True)
    response = client.post("/study/cards/focus", data={"csrf_token": csrf_from(page), "state": "suspended"},
                           follow_redirects=True)
    assert "None of these cards can be studied now" in response.get_data(as_text=True)


def test_another_student_sees_only_their_own_progress_and_cannot_act_on_a_private_bank(app, client, make_user):
    uid = make_user()
    teacher = make_user(email="t@example.com", role="teacher")
    make_user(email="bob@example.com", name="Bob")
    with app.app_context():
        seed_learner(uid, utcnow())
        make_bank("private", [{"id": "secret", "type": "true_false", "prompt": "A private prompt", "answer": True}],
                  title="Private bank", builtin=False, owner=db.session.get(User, teacher))
        secret = db.session.scalar(select(Question).where(Question.key == "secret"))
        secret_id, private_bank = secret.id, secret.bank_id
    AuthActions(client).login("bob@example.com")
    page = client.get("/study/cards").get_data(as_text=True)
    # Ada's suspended card, leech and wrong answers are hers: Bob sees the same bank, all new.
    assert "<b>10</b> cards" in page and "Leech" not in page.split("<table")[1] and "✗ wrong" not in page
    assert "Private bank" not in page and "A private prompt" not in page
    assert client.get(f"/study/cards?bank={private_bank}").status_code == 400
    token = csrf_from(page)
    response = client.post("/study/cards/act", data={"csrf_token": token, "one": f"suspend {secret_id}:0"})
    assert response.status_code == 404 and "A private prompt" not in response.get_data(as_text=True)
    assert card_of(app, "secret", "bob@example.com") is None and card_of(app, "order").suspended  # Ada's unchanged


def test_pages_of_5000_cards(app, client, make_user):
    uid = make_user()
    with app.app_context():
        _big_learner(uid, 5000)
    AuthActions(client).login()
    first = client.get("/study/cards").get_data(as_text=True)
    assert "<b>5000</b> cards, showing 1–50" in first and len(rows(first)) == 50
    assert 'href="/study/cards?page=2" rel="next"' in first or 'rel="next" href="/study/cards?page=2"' in first
    last = client.get("/study/cards?page=100").get_data(as_text=True)
    assert "Page 100 of 100" in last and len(rows(last)) == 50 and 'rel="next"' not in last
    assert "Page 100 of 100" in client.get("/study/cards?page=999999").get_data(as_text=True)
    assert "Page 1 of 100" in client.get("/study/cards?page=abc").get_data(as_text=True)
    filtered = client.get("/study/cards?tag=t3&page=2").get_data(as_text=True)
    assert "Page 2 of 15" in filtered and "/study/cards?tag=t3&amp;page=3" in filtered
    # The whole request, sign-in check and all: a fixed handful of statements, the cards read a page at a time.
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert len(rows(client.get("/study/cards?page=7&sort=due").get_data(as_text=True))) == 50
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 15, statements
    card_reads = [s for s in statements if "LEFT OUTER JOIN cards" in s and "count(" not in s]
    assert len(card_reads) == 1 and "LIMIT" in card_reads[0]


# -- flags, reset to new, set due date, a card's history (#17) ------------------------------------------
def ids_of(app) -> dict[str, int]:
    with app.app_context():
        return {q.key: q.id for q in db.session.scalars(select(Question))}


def act(client, **form):
    token = csrf_from(client.get("/study/cards").get_data(as_text=True))
    return client.post("/study/cards/act", data={"csrf_token": token, **form})


def test_flag_the_ticked_cards_then_find_them_by_flag(client, seeded_learner, app):
    ids = ids_of(app)
    response = act(client, bulk="flag", flag="3", card=[f"{ids['capital']}:0", f"{ids['match']}:0"],
                   f_flag="3")
    assert response.status_code == 302 and response.location == "/study/cards?flag=3"
    page = client.get(response.location).get_data(as_text=True)
    assert "2 cards flagged green." in page
    assert set(rows(page)) == {"Where did Mao travel in December 1949?", "Match"}
    assert page.count('<span class="card-flag card-flag-3">Green flag</span>') == 2
    assert rows(client.get("/study/cards?flag=1").get_data(as_text=True)) == []
    act(client, bulk="flag", flag="0", card=[f"{ids['capital']}:0"])
    assert rows(client.get("/study/cards?flag=any").get_data(as_text=True)) == ["Match"]
    response = act(client, bulk="flag", flag="7", card=[f"{ids['match']}:0"])
    assert response.status_code == 302
    assert "Choose a flag colour" in client.get(response.location).get_data(as_text=True)
    assert card_of(app, "match").flag == 3  # unchanged
    assert client.get("/study/cards?flag=purple").status_code == 400


def test_reset_to_new_and_set_due_date_from_the_browser(client, seeded_learner, app):
    ids = ids_of(app)
    response = act(client, bulk="forget", card=[f"{ids['year']}:0"], f_state="leech")
    page = client.get(response.location).get_data(as_text=True)
    assert "1 card reset to new." in page
    year = card_of(app, "year")
    assert year.state == 0 and year.due is None and year.lapses == 8
    assert "When was the PRC proclaimed?" in rows(client.get("/study/cards?state=new").get_data(as_text=True))
    day = (utcnow() + timedelta(days=5)).date()
    response = act(client, bulk="reschedule", due_on=day.isoformat(), card=[f"{ids['capital']}:0", f"{ids['tf']}:0"])
    assert f"2 cards due on {day.isoformat()}." in client.get(response.location).get_data(as_text=True)
    capital = card_of(app, "capital")
    assert capital.due.date() == day and capital.stability == 30.0
    # All or nothing: a new card among the ticked ones, a day in the past, no day, a day that is not one.
    before = card_of(app, "tf").due
    for form, message in (({"due_on": day.isoformat(), "card": [f"{ids['tf']}:0", f"{ids['match']}:0"]},
                           "A new card cannot be given a due date"),
                          ({"due_on": "2001-01-01", "card": [f"{ids['tf']}:0"]}, "Choose a day from today"),
                          ({"due_on": "", "card": [f"{ids['tf']}:0"]}, "Choose the day"),
                          ({"due_on": "31/12/2030", "card": [f"{ids['tf']}:0"]}, "Choose the day")):
        response = act(client, bulk="reschedule", **form)
        assert response.status_code == 302, form
        assert message in client.get(response.location).get_data(as_text=True), form
    assert card_of(app, "tf").due == before


def test_a_cards_history_page_lists_each_answer_and_acts_on_the_card(client, seeded_learner, app):
    ids = ids_of(app)
    token = csrf_from(client.get("/study/cards").get_data(as_text=True))
    who = ids["who"]
    # The failing learner: a wrong answer, then a right one, through the study page's form.
    for n, answer in enumerate(("Mao", "Chiang")):
        assert client.post("/study/answer", data={"csrf_token": token, "question_id": who, "ordinal": 0,
                                                  "client_id": f"hist-{n}", "answer": answer}).status_code == 302
    listing = client.get("/study/cards?q=kmt").get_data(as_text=True)
    assert f'href="/study/cards/{who}/0"' in listing
    page = client.get(f"/study/cards/{who}/0").get_data(as_text=True)
    assert "<h1>Who led the KMT?</h1>" in page and "Every answer" in page
    body = page.split("<tbody>")[1]
    assert body.index("Chiang") < body.index("Mao")  # latest first
    assert body.count("✓ right") == 2 and body.count("✗ wrong") == 1  # the seed's Good yesterday, and these two
    assert "Again" in body and "(UTC)" in page and "Right answer" in page
    # Its actions come back to it.
    response = client.post("/study/cards/act", data={"csrf_token": token, "bulk": "flag", "flag": "2",
                                                     "card": f"{who}:0", "f_card": f"{who}:0"})
    assert response.location == f"/study/cards/{who}/0"
    page = client.get(response.location).get_data(as_text=True)
    assert "1 card flagged orange." in page and '<span class="card-flag card-flag-2">Orange flag</span>' in page
    client.post("/study/cards/act", data={"csrf_token": token, "bulk": "forget", "card": f"{who}:0",
                                          "f_card": f"{who}:0"})
    page = client.get(f"/study/cards/{who}/0").get_data(as_text=True)
    assert "— (new)" in page and page.split("<tbody>")[1].count("✓ right") == 2  # reset, history kept
    never = client.get(f"/study/cards/{ids['match']}/0").get_data(as_text=True)
    assert "never been studied" in never


def test_history_of_a_card_not_the_learners_is_a_404(app, client, make_user):
    uid = make_user()
    teacher = make_user(email="t@example.com", role="teacher")
    with app.app_context():
        seed_learner(uid, utcnow())
        make_bank("private", [{"id": "secret", "type": "true_false", "prompt": "A private prompt", "answer": True}],
                  title="Private bank", builtin=False, owner=db.session.get(User, teacher))
    ids = ids_of(app)
    AuthActions(client).login()
    for url in (f"/study/cards/{ids['secret']}/0", f"/study/cards/{ids['cloze']}/5", "/study/cards/999999/0"):
        response = client.get(url)
        assert response.status_code == 404 and "A private prompt" not in response.get_data(as_text=True), url
    token = csrf_from(client.get("/study/cards").get_data(as_text=True))
    for action in ("forget", "flag", "reschedule"):
        response = client.post("/study/cards/act", data={"csrf_token": token, "bulk": action, "flag": "1",
                                                         "due_on": "2030-01-01",
                                                         "card": [f"{ids['capital']}:0", f"{ids['secret']}:0"]})
        assert response.status_code == 404, action
    assert card_of(app, "secret") is None and card_of(app, "capital").flag == 0


def test_suspended_cards_are_linked_with_their_count_from_the_study_page_and_the_dashboard(client, seeded_learner,
                                                                                           app):
    dashboard = client.get("/progress").get_data(as_text=True)
    assert '<a href="/study/cards?state=suspended">See and unsuspend your 1 suspended card</a>' in dashboard
    study = client.get("/study").get_data(as_text=True)
    assert 'href="/study/cards?state=suspended"' in study
    ids = ids_of(app)
    # Every other card suspended: the "All done" page says how many and links to them.
    others = [f"{ids[k]}:0" for k in ("capital", "members", "tf", "who", "year", "match", "card")]
    act(client, bulk="suspend", card=[*others, f"{ids['cloze']}:1", f"{ids['cloze']}:2"])
    done = client.get("/study").get_data(as_text=True)
    assert "All done for now" in done
    assert '<a href="/study/cards?state=suspended">10 suspended cards</a>' in done
