"""Words for newcomers (issue 17): each term of the trade explained where it appears and on the help
page, keyboard hints and their "?" list, a cloze blank that does not give away the answer's length,
the main form of a right answer first, one place for the study day's settings, and the "All done"
page's next card as it will really come."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, Question, User
from quizapp.models.types import utcnow
from quizapp.web.clock import clock_time, day_phrase
from tests.conftest import csrf_from
from tests.factories import make_bank

TERM_LINK = re.compile(r'<a class="term-help" href="/help#term-([a-z-]+)" title="([^"]*)" data-term="([a-z_]+)">')


def term_links(page: str) -> dict[str, str]:
    """Each "?" of the page: the help anchor it leads to -> its tooltip."""
    return {anchor: html.unescape(title) for anchor, title, _ in TERM_LINK.findall(page)}


def glossary(client) -> dict[str, str]:
    page = client.get("/help").get_data(as_text=True)
    return {anchor: html.unescape(text) for anchor, text in
            re.findall(r'<dt id="term-([a-z-]+)">[^<]*</dt><dd>([^<]*)</dd>', page)}


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def answer(client, app, key: str, **fields) -> str:
    """Answers question ``key`` of the demo bank with ``fields``; the feedback page."""
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.key == key))
    page = client.get("/study").get_data(as_text=True)
    form = {k: hidden(page, k) for k in ("csrf_token", "client_id", "shown_at")}
    response = client.post("/study/answer", data={**form, "question_id": str(qid), "ordinal": "0", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


# -- 1. terms ----------------------------------------------------------------------------------------

def test_the_help_page_explains_every_term_once_with_an_anchor(client):
    words = glossary(client)
    for anchor in ("leech", "bury", "suspend", "true-retention", "mastery", "lapses", "stability", "difficulty",
                   "retrievability", "facility", "discrimination", "sd", "discrimination-index"):
        assert len(words.get(anchor, "")) > 20, anchor
    assert len(set(words.values())) == len(words)  # no two terms explained alike


def test_progress_page_terms_link_to_the_glossary_with_the_same_words(client, seeded_learner):
    links = term_links(client.get("/progress").get_data(as_text=True))
    assert {"true-retention", "mastery", "leech", "lapses", "suspend", "retrievability"} <= links.keys()
    words = glossary(client)
    assert all(links[a] == words[a] for a in links)  # one wording everywhere
    # The screen reader's name says what the "?" is for.
    page = client.get("/progress").get_data(as_text=True)
    assert '<span class="visually-hidden">What “Mastery” means</span>' in page


def test_study_card_explains_bury_and_suspend(student):
    links = term_links(student.get("/study").get_data(as_text=True))
    assert links.keys() >= {"bury", "suspend"} and "next study day" in links["bury"]


def test_leeches_and_card_browser_explain_their_words(client, seeded_learner):
    assert {"leech", "lapses"} <= term_links(client.get("/study/leeches").get_data(as_text=True)).keys()
    browser = client.get("/study/cards").get_data(as_text=True)
    assert "lapses" in term_links(browser)
    # The browser's own list of states uses the same sentences as the glossary.
    words = glossary(client)
    assert f"<dt>Leech</dt><dd>{html.escape(words['leech'], quote=False)}</dd>" in browser


def test_teacher_item_analysis_explains_facility_sd_and_discrimination(app, client, teacher):
    with app.app_context():
        make_bank(builtin=False, owner=db.session.scalar(select(User).where(User.role == "teacher")))
    page = client.get("/teach/banks/demo/stats").get_data(as_text=True)
    assert {"facility", "sd", "discrimination-index", "discrimination"} <= term_links(page).keys()


# -- 2. keyboard hints ---------------------------------------------------------------------------------

def test_card_and_feedback_pages_carry_the_shortcut_list(student, app):
    card = student.get("/study").get_data(as_text=True)
    assert '<dialog id="shortcuts"' in card and "Check the answer" in card and "Pick the choice" in card
    assert "/static/js/keys.js" in card
    feedback = answer(student, app, "capital", answer="Beijing")
    assert '<dialog id="shortcuts"' in feedback and "Continue to the next card" in feedback
    # Hidden by default: the stylesheet shows hints only once keys.js marks a keyboard in use.
    response = student.get("/static/css/app.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "kbd, .kbd-only { display: none; }" in css and ".keys kbd { display: inline; }" in css


# -- 3. cloze blanks -----------------------------------------------------------------------------------

def test_a_cloze_blank_is_the_same_box_whatever_the_answer(app, client, make_user):
    from tests.conftest import AuthActions

    with app.app_context():
        make_bank(questions=[{"id": "short", "type": "cloze", "text": "The {{c1::PRC}} was proclaimed."}])
        make_bank("long", title="Long", questions=[
            {"id": "long", "type": "cloze", "text": "The {{c1::People's Republic of China}} was proclaimed."}])
    make_user()
    AuthActions(client).login()
    boxes = []
    for bank in ("demo", "long"):
        page = client.get(f"/study?bank={_bank_id(app, bank)}").get_data(as_text=True)
        boxes.append(re.search(r'<input type="text" class="blank"[^>]*>', page, re.S).group(0))
    assert boxes[0] == boxes[1]
    assert "maxlength" not in boxes[0] and "style" not in boxes[0]


def _bank_id(app, slug: str) -> int:
    from quizapp.models import Bank

    with app.app_context():
        return db.session.scalar(select(Bank.id).where(Bank.slug == slug))


# -- 4. the right answer's main form first ----------------------------------------------------------

def test_short_answer_shows_the_main_form_then_also_accepted(student, app):
    page = answer(student, app, "who", answer="Mao")
    assert re.search(r'<dt>Right answer</dt><dd><span class="main-form">Chiang Kai-shek</span>'
                     r'<span class="also-accepted muted">also accepted: Chiang</span></dd>', page)
    assert "Chiang Kai-shek / Chiang" not in page


def test_numeric_shows_the_main_number_then_full_mark_alternatives(app, client, make_user):
    from tests.conftest import AuthActions

    with app.app_context():
        make_bank(questions=[{"id": "pop", "type": "numeric", "prompt": "Population (millions)?", "answer": 26,
                              "unit": "million", "alternatives": [{"answer": 26.5, "weight": 1},
                                                                  {"answer": 20, "weight": 0.5}]}])
    make_user()
    AuthActions(client).login()
    page = answer(client, app, "pop", answer="30")
    assert "read as 30 million" in page
    assert re.search(r'<span class="main-form">26 million</span><span class="also-accepted muted">'
                     r'also accepted: 26.5 million</span>', page)
    assert "20 million" not in page  # half marks are not "accepted"


def test_a_single_form_has_no_also_accepted(student, app):
    page = answer(student, app, "year", answer="1950")
    assert '<span class="main-form">1949</span></dd>' in page and "also accepted" not in page


# -- 5. one place for the time zone and the day start ------------------------------------------------

def test_time_zone_and_day_start_are_set_in_study_settings_only(student, app):
    account = student.get("/account").get_data(as_text=True)
    assert 'name="timezone"' not in account and 'name="day_start_hour"' not in account
    assert 'href="/study/settings#sched-heading"' in account and "<strong>UTC</strong>" in account
    settings = student.get("/study/settings").get_data(as_text=True)
    assert 'name="timezone"' in settings and 'name="day_start_hour"' in settings
    # A profile form from an old page that still sends them changes the name only.
    student.post("/account/profile", data={"csrf_token": csrf_from(account), "name": "Ada",
                                           "timezone": "Asia/Tokyo", "day_start_hour": "9"})
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.name, user.timezone, user.day_start_hour) == ("Ada", "UTC", 4)


# -- 6. the "All done" page -------------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "shown"), [("Europe/Berlin", r"\d\d:\d\d"),
                                             ("America/New_York", r"\d{1,2}:\d\d [AP]M")])
def test_all_done_gives_the_next_card_that_really_comes(student, app, zone, shown):
    now = utcnow()
    with app.app_context():
        user = db.session.scalar(select(User))
        user.timezone, user.new_per_day = zone, 0
        questions = db.session.scalars(select(Question).order_by(Question.id)).all()
        due = {"capital": (timedelta(minutes=40), {}),  # buried: not before tomorrow
               "members": (timedelta(minutes=50), {"suspended": True}),
               "tf": (timedelta(hours=3), {}),  # the one that really comes next
               "who": (timedelta(hours=5), {})}
        for q in questions:
            if q.key in due:
                delta, extra = due[q.key]
                db.session.add(Card(user_id=user.id, question_id=q.id, ordinal=0, state=sched.LEARNING, step=0,
                                    stability=1.0, difficulty=5.0, due=now + delta, last_review=now, reps=1,
                                    buried_until=now + timedelta(days=1) if q.key == "capital" else None,
                                    **extra))
        db.session.commit()
    page = student.get("/study").get_data(as_text=True)
    assert "All done for now" in page
    expected = clock_time(now + timedelta(hours=3), zone)
    assert re.fullmatch(shown, expected)
    phrase = day_phrase(now + timedelta(hours=3), now, zone)
    assert f"comes back {phrase} at <time" in page
    assert re.search(rf'data-tz="{zone}">{re.escape(expected)}</time>', page)
    assert clock_time(now + timedelta(minutes=40), zone) not in page


def test_clock_time_follows_the_zone():
    from datetime import UTC, datetime

    moment = datetime(2026, 7, 1, 19, 5, tzinfo=UTC)
    assert clock_time(moment, "Europe/Berlin") == "21:05"
    assert clock_time(moment, "America/New_York") == "3:05 PM"
    assert clock_time(moment, "Asia/Kolkata") == "12:35 AM"
    assert clock_time(moment, "Nowhere/Else") == "19:05"
    assert day_phrase(moment, moment - timedelta(hours=20), "Europe/Berlin") == "today"  # 01:05 and 21:05
    assert day_phrase(moment, moment - timedelta(hours=22), "Europe/Berlin") == "tomorrow"
    assert day_phrase(moment, moment - timedelta(days=3), "UTC") == "on Wed 1 Jul"


def test_all_done_without_learning_cards_gives_the_next_study_days_start(student, app):
    now = utcnow()
    with app.app_context():
        user = db.session.scalar(select(User))
        user.timezone, user.day_start_hour, user.new_per_day = "Asia/Shanghai", 5, 0
        question = db.session.scalar(select(Question).where(Question.key == "tf"))
        # Its only learning card is suspended: it never comes back by itself.
        db.session.add(Card(user_id=user.id, question_id=question.id, ordinal=0, state=sched.LEARNING, step=0,
                            stability=1.0, difficulty=5.0, due=now + timedelta(minutes=30), last_review=now,
                            reps=1, suspended=True))
        db.session.commit()
    page = student.get("/study").get_data(as_text=True)
    start = sched.study_day(now, "Asia/Shanghai", 5)[1]
    assert clock_time(start, "Asia/Shanghai") == "05:00"
    assert (f"starts, {day_phrase(start, now, 'Asia/Shanghai')} at <time datetime=\"{start.isoformat()}\" "
            f'data-local-time data-tz="Asia/Shanghai">05:00</time>') in page
    # Not the suspended card's time (as shown text: "+00:00" in any ISO datetime attribute is no clock).
    assert f">{clock_time(now + timedelta(minutes=30), 'Asia/Shanghai')}<" not in page
