"""The progress page, its CSV downloads and "study just these", through the test client."""
from __future__ import annotations

import csv
import io
import re

import pytest
from flask_login import login_user
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, User
from quizapp.models.types import utcnow
from quizapp.progress.views import render_dashboard
from tests.conftest import AuthActions, csrf_from
from tests.progress_seed import EXPECTED, seed_learner

TABLES = ["forecast", "heatmap", "counts", "retention", "mastery", "weakest"]


@pytest.fixture
def seeded(app, client, make_user):
    """Ada, logged in, with the seeded progress; Eve, another student, with her own private bank."""
    ada = make_user()
    eve = make_user(email="eve@example.com", name="Eve")
    with app.app_context():
        ids = seed_learner(ada, utcnow())
        seed_learner(eve, utcnow(), bank_id="eves", title="=Eve's private bank", builtin=False,
                     owner=db.session.get(User, eve))
    AuthActions(client).login()
    return {"ada": ada, "eve": eve, "ids": ids}


def text_of(page: str, marker: str) -> str:
    """The text of the element carrying ``marker`` (a data- attribute), tags removed."""
    start = page.index(marker)
    chunk = page[start:page.index("</div>", start)] if "data-stat" in marker else page[start:page.index("</tr>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", chunk.split(">", 1)[1]).split())


@pytest.mark.parametrize("method, path", [("GET", "/progress"), ("GET", "/progress.csv?table=forecast"),
                                          ("POST", "/progress/focus"), ("POST", "/progress/focus/clear")])
def test_login_required(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code in (302, 400) and (response.status_code == 400 or "/login" in response.location)


def test_anonymous_get_redirects_to_login(client):
    response = client.get("/progress")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_page_shows_the_learners_numbers(seeded, client):
    page = client.get("/progress").get_data(as_text=True)
    assert text_of(page, 'data-stat="due"').startswith(f"Due today {EXPECTED['due']} {EXPECTED['overdue']} overdue")
    assert re.fullmatch(r"This week \d+ reviews? · last week \d+", text_of(page, 'data-stat="week"'))
    assert text_of(page, 'data-stat="streak"').startswith(f"Streak {EXPECTED['streak']} days")
    assert f"{EXPECTED['reviews_today']} today" in text_of(page, 'data-stat="streak"')
    # 5 reviews of review cards: too few for a percentage.
    # The term's "?" (templates/_terms.html) reads "What “True retention” means" to a screen reader.
    assert text_of(page, 'data-stat="retention"') == (
        "True retention ? What “True retention” means – not enough reviews yet: 5 of 20")
    for name in ("new", "learning", "young", "mature", "suspended"):
        assert text_of(page, f'data-count="{name}"').split()[-1] == str(EXPECTED[name]), name
    assert "every review of a card already in review" in page and "Again" in page  # says what retention counts
    assert page.count('role="img"') == 3 and page.count("<desc id=") == 3  # forecast, heatmap, retention charts
    assert 'id="forecast-table"' in page and 'id="heatmap-table"' in page and 'id="retention-weeks-table"' in page
    assert "Study just these" in page and 'name="question"' in page
    assert "private bank" not in page  # nothing of Eve's
    assert 'aria-current="page">Progress</a>' in page


def test_no_inline_style_or_script(seeded, client):
    page = client.get("/progress").get_data(as_text=True)
    assert " style=" not in page and "<style" not in page and "<script>" not in page


@pytest.mark.parametrize("table", TABLES)
def test_every_table_downloads_as_csv(seeded, client, table):
    response = client.get(f"/progress.csv?table={table}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="progress-{table}-\d{{4}}-\d\d-\d\d\.csv"; filename\*=UTF-8\'\'\S+',
                        disposition)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)


def test_a_new_learner_gets_an_empty_dashboard_and_empty_tables(client, make_user):
    make_user()
    AuthActions(client).login()
    page = client.get("/progress").get_data(as_text=True)
    assert "Nothing studied yet." in page and "Study just these" not in page
    for table in TABLES:
        response = client.get(f"/progress.csv?table={table}")
        assert response.status_code == 200 and response.get_data(as_text=True).count("\r\n") >= 1, table


def test_csv_numbers_match_the_page(seeded, client):
    forecast = list(csv.reader(io.StringIO(client.get("/progress.csv?table=forecast").get_data(as_text=True))))
    assert {i: int(r[1]) for i, r in enumerate(forecast[1:]) if r[1] != "0"} == EXPECTED["forecast"]
    counts = dict(csv.reader(io.StringIO(client.get("/progress.csv?table=counts").get_data(as_text=True))))
    assert counts["mature"] == str(EXPECTED["mature"]) and counts["new"] == str(EXPECTED["new"])
    weakest = list(csv.reader(io.StringIO(client.get("/progress.csv?table=weakest").get_data(as_text=True))))
    assert weakest[1][:2] == [EXPECTED["weakest_first"], "Demo bank"] and weakest[1][-1] == "yes"


def test_csv_cells_are_formula_safe(app, client, make_user):
    eve = make_user(email="eve@example.com")
    with app.app_context():
        seed_learner(eve, utcnow(), bank_id="eves", title="=HYPERLINK(\"http://x\")", builtin=False,
                     owner=db.session.get(User, eve))
    AuthActions(client).login(email="eve@example.com")
    text = client.get("/progress.csv?table=mastery").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:2] == ["bank", "'=HYPERLINK(\"http://x\")"]


def test_unknown_csv_table_is_404(seeded, client):
    assert client.get("/progress.csv?table=users").status_code == 404
    assert client.get("/progress.csv").status_code == 404


def test_a_student_cannot_see_another_students_dashboard_by_any_url(app, seeded, client):
    eve = str(seeded["eve"])
    own = client.get("/progress").get_data(as_text=True)
    paths = [f"/progress?user={eve}", f"/progress?user_id={eve}", f"/progress?student={eve}", f"/progress/{eve}",
             f"/progress.csv?table=mastery&user_id={eve}", f"/progress.csv?table=weakest&user={eve}"]
    paths += [r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("progress.") and "GET" in r.methods]
    for path in paths:
        response = client.get(path if "?" in path or not path.endswith(".csv") else path + "?table=mastery")
        body = response.get_data(as_text=True)
        assert "private bank" not in body, path
        if response.status_code == 200 and path.startswith("/progress?"):
            assert body == own or re.sub(r'value="[^"]+"', "", body) == re.sub(r'value="[^"]+"', "", own), path


def test_read_only_view_hides_every_action(app, seeded):
    """What a teacher's view of a student gets: the same numbers, no buttons, no forms."""
    with app.test_request_context("/teach/student"):
        ada = db.session.get(User, seeded["ada"])
        teacher = User(email="t@example.com", name="Teacher", password_hash="x", role="teacher")
        login_user(teacher)
        page = render_dashboard(ada, read_only=True, heading="Ada's progress")
    assert "Ada&#39;s progress" in page and "Study just these" not in page
    assert "<form" not in page.split('<main id="content"')[1].split("</main>")[0]
    main = page.split('<main id="content"')[1].split("</main>")[0]
    assert 'type="checkbox"' not in main and "Study the" not in main and "Download" not in main
    assert "/study" not in main and "Desired retention: <strong>90%</strong>" in main
    assert re.search(rf'data-count="mature">.*?</th><td>{EXPECTED["mature"]}</td>', page)


def test_study_just_these_then_back_to_all(seeded, client):
    ids = seeded["ids"]
    page = client.get("/progress").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post("/progress/focus", data={"csrf_token": token, "question": [ids["capital"], ids["tf"]]})
    assert response.status_code == 302 and response.location == "/study"
    study = client.get("/study").get_data(as_text=True)
    assert "Studying 2 chosen questions" in study and "back to all" in study
    shown = int(re.search(r'name="question_id" value="(\d+)"', study).group(1))
    assert shown in (ids["capital"], ids["tf"])  # not due for 20 days, shown because chosen
    back = client.post("/progress/focus/clear", data={"csrf_token": token}, follow_redirects=True)
    page = back.get_data(as_text=True)
    assert "Back to all your cards." in page and "chosen question" not in page


def test_the_focus_session_ends_when_every_chosen_card_is_answered(seeded, client):
    ids = seeded["ids"]
    token = csrf_from(client.get("/progress").get_data(as_text=True))
    client.post("/progress/focus", data={"csrf_token": token, "question": [str(ids["capital"])]})
    study = client.get("/study").get_data(as_text=True)
    assert "Studying 1 chosen question " in study
    form = {k: re.search(rf'name="{k}" value="([^"]*)"', study).group(1)
            for k in ("csrf_token", "question_id", "ordinal", "client_id", "shown_at")}
    assert form["question_id"] == str(ids["capital"])
    client.post("/study/answer", data={**form, "answer": "Moscow"})
    after = client.get("/study").get_data(as_text=True)
    assert "You have studied the 1 chosen question: back to all your cards." in after
    assert "chosen question —" not in after


def test_focus_refuses_questions_that_are_not_the_learners(seeded, client, app):
    token = csrf_from(client.get("/progress").get_data(as_text=True))
    with app.app_context():
        eves_bank = db.session.scalar(select(Bank.id).where(Bank.slug == "eves"))
        from quizapp.models import Question
        eves_question = db.session.scalar(select(Question.id).where(Question.bank_id == eves_bank).limit(1))
    response = client.post("/progress/focus", data={"csrf_token": token, "question": [str(eves_question), "x"]},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Choose at least one of the questions" in page and "chosen question" not in page


def test_focus_without_csrf_is_refused(seeded, client):
    assert client.post("/progress/focus", data={"question": [str(seeded["ids"]["capital"])]}).status_code == 400
