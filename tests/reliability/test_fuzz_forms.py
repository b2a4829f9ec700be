"""Whatever a browser, a script or an attacker posts to the forms (auth, study, quiz), the answer is
a page or a 4xx that says what was wrong: never a 5xx. Values mix real ids with the inputs that
break naive parsing: Unicode digits, 5,000-digit numbers, NaN, NUL characters, odd time zones.
JSON bodies sent by fetch callers get JSON errors back."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from quizapp.extensions import db, limiter
from quizapp.models import Question, QuizAttempt, ReviewLog
from tests.conftest import PASSWORD, AuthActions, csrf_from
from tests.factories import make_bank

# One app per test (a fixture), many requests against it: state piles up as on a real site.
FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ODD_NUMBERS = ["", "-1", "²", "١٢", "1e309", "nan", "sNaN", "inf", "9" * 25, "9" * 5000, "2147483648"]
ODD_TEXT = ["", " ", "\x00", "a\x00b", "x" * 5000, "<script>alert(1)</script>", "UTC", "Europe/London",
            "Etc/GMT+99", "../../etc/passwd", "ada@example.com", "bob@example.com", PASSWORD, "Moscow", "true"]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)
NUMBERS = st.integers(-(2**70), 2**70).map(str) | st.sampled_from(ODD_NUMBERS)
NUMERIC_FIELDS = {"question_id", "ordinal", "rating", "duration_ms", "shown_at", "log_id", "new_per_day",
                  "reviews_per_day", "day_start_hour", "desired_retention", "size", "bank", "position",
                  "position-0", "position-1"}


def value_for(field: str, real: list[str]):
    """A real id or answer now and then; otherwise something awkward, most often a known troublemaker."""
    if field in NUMERIC_FIELDS:
        return st.one_of(st.sampled_from(real), st.sampled_from(ODD_NUMBERS), NUMBERS, TEXT)
    return st.one_of(st.sampled_from(real), st.sampled_from(ODD_TEXT), TEXT)


def form(fields: list[str], real: list[str]):
    """A form with each of ``fields`` present or not (and a stray one), each sent once or repeated."""
    return st.fixed_dictionaries({}, optional={
        name: st.lists(value_for(name, real), min_size=1, max_size=2) for name in [*fields, "stray"]})


AUTH_FORMS = {
    "/register": ["name", "email", "password", "confirm", "timezone", "invite_code"],
    "/login": ["email", "password", "remember"],
    "/forgot-password": ["email"],
}
ACCOUNT_FORMS = {
    "/account/profile": ["name", "timezone", "day_start_hour"],
    "/account/password": ["current", "password", "confirm"],
    "/account/email": ["new_email", "email_password"],
}
STUDY_FORMS = {
    "/study/answer": ["question_id", "ordinal", "client_id", "answer", "rating", "duration_ms", "shown_at",
                      "match-0", "match-1", "item-0", "position-0", "item-1", "position-1"],
    "/study/rate": ["log_id", "rating"],
    "/study/undo": [],
    "/study/settings": ["desired_retention", "new_per_day", "reviews_per_day", "timezone", "day_start_hour"],
    "/quiz": ["size", "bank"],
}
QUIZ_ANSWER = ["position", "answer", "match-0", "item-0", "position-0", "duration_ms", "shown_at"]


@pytest.fixture
def site(app, make_user):
    """A bank, a student who has answered a card and started a quiz, and the ids a form could name."""
    with app.app_context():
        make_bank()
    make_user()
    client = app.test_client()
    AuthActions(client).login()
    page = client.get("/study").get_data(as_text=True)
    token = csrf_from(page)
    with app.app_context():
        questions = db.session.scalars(select(Question)).all()
        qids = [str(q.id) for q in questions]
        client.post("/study/answer", data={"csrf_token": token, "question_id": qids[0], "ordinal": "0",
                                           "client_id": "seed", "answer": "Moscow", "rating": "3"})
        client.post("/quiz", data={"csrf_token": token, "size": "5"})
        attempt = db.session.scalar(select(QuizAttempt.id))
        log = db.session.scalar(select(ReviewLog.id))
        bank = str(questions[0].bank_id)
    assert attempt is not None and log is not None
    return {"client": client, "token": token, "attempt": attempt,
            "real": [*qids, str(log), str(attempt), bank, "seed", "0", "1", "3", "0.9", "20"]}


def send(client, method: str, path: str, data: dict, token: str | None, as_json: bool = False):
    if as_json:  # the token in the header, as a fetch caller sends it
        return client.open(path, method=method, data=json.dumps(data), content_type="application/json",
                           headers={"Accept": "application/json", "X-CSRFToken": token or ""})
    if token is not None:
        data = {**data, "csrf_token": [token]}
    return client.open(path, method=method, data=data)


def assert_no_server_error(response, what) -> None:
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:500])


def reset_throttle(app) -> None:
    """Login throttling would turn most examples into 429s before they reach the form code."""
    with app.app_context():
        limiter.reset()


@pytest.mark.parametrize("path", sorted(AUTH_FORMS))
@FUZZ
@given(data=st.data(), valid_token=st.booleans())
def test_register_and_login_never_fail(app, site, path, data, valid_token):
    reset_throttle(app)
    visitor = app.test_client()  # a new browser each time: a success logs it in
    token = csrf_from(visitor.get(path).get_data(as_text=True)) if valid_token else "forged"
    fields = data.draw(form(AUTH_FORMS[path], site["real"]), label="form")
    assert_no_server_error(send(visitor, "POST", path, fields, token), (path, fields))


@pytest.mark.parametrize("path", sorted(ACCOUNT_FORMS))
@FUZZ
@given(data=st.data())
def test_account_forms_never_fail(app, site, path, data):
    fields = data.draw(form(ACCOUNT_FORMS[path], site["real"]), label="form")
    assert_no_server_error(send(site["client"], "POST", path, fields, site["token"]), (path, fields))
    assert_no_server_error(site["client"].get("/account"), ("the account page after", path, fields))


@pytest.mark.parametrize("path", [*sorted(STUDY_FORMS), "/quiz/{attempt}/answer"])
@FUZZ
@given(data=st.data())
def test_study_and_quiz_forms_never_fail(app, site, path, data):
    fields = data.draw(form(STUDY_FORMS.get(path, QUIZ_ANSWER), site["real"]), label="form")
    path = path.format(attempt=site["attempt"])
    assert_no_server_error(send(site["client"], "POST", path, fields, site["token"]), (path, fields))
    # The page the student goes on to see still renders (settings, undo and answers all change it).
    assert_no_server_error(site["client"].get("/study"), ("/study after", path, fields))


@FUZZ
@given(first=NUMBERS | TEXT, second=NUMBERS | TEXT,
       action=st.sampled_from(["suspend", "unsuspend", "bury", "delete", ""]))
def test_odd_ids_in_urls_are_never_a_server_error(app, site, first, second, action):
    client, token = site["client"], site["token"]
    for method, path, data in (
        ("GET", "/study", {"bank": [first, second]}),
        ("GET", f"/study/answered/{first}", None),
        ("GET", f"/quiz/{first}", None),
        ("POST", f"/study/card/{first}/{second}/{action}", {"csrf_token": token}),
        ("POST", f"/quiz/{first}/answer", {"csrf_token": token, "position": second}),
    ):
        response = client.get(path, query_string=data) if method == "GET" else client.post(path, data=data)
        assert_no_server_error(response, (method, path, data))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                           max_leaves=8)


@FUZZ
@given(path=st.sampled_from(sorted({**AUTH_FORMS, **ACCOUNT_FORMS, **STUDY_FORMS})),
       body=st.dictionaries(st.sampled_from(["question_id", "answer", "rating", "email", "password", "name",
                                             "client_id", "log_id", "size"]), JSON_VALUES, max_size=4))
def test_json_bodies_are_refused_clearly(app, site, path, body):
    """A fetch caller posting JSON to a form gets an error in JSON that says so, never a 5xx.
    (Flask-WTF would read the JSON into the form: ``{"password": true}`` was a 500.)"""
    reset_throttle(app)
    response = send(site["client"], "POST", path, body, site["token"], as_json=True)
    assert_no_server_error(response, (path, body))
    assert response.status_code == 415 and response.is_json, (path, response.status_code)
    assert "form" in response.get_json()["message"]


# -- the inputs the fuzzing above found (each was a 500 on SQLite, PostgreSQL or both) ------------
BIG = "9" * 25
FOUND = [
    ("GET", f"/study/answered/{BIG}", None),  # an id past the INTEGER range: OverflowError / DataError
    ("GET", f"/quiz/{BIG}", None),
    ("POST", f"/study/card/{BIG}/0/bury", {}),
    ("GET", "/study?bank=²", None),  # "²".isdigit() is True, int("²") raises
    ("GET", "/study?bank=" + "9" * 5000, None),  # int() refuses more than 4,300 digits
    ("POST", "/study/answer", {"question_id": "²"}),
    ("POST", "/study/answer", {"question_id": BIG}),
    ("POST", "/study/answer", {"question_id": "{qid}", "ordinal": "0", "client_id": "a\x00b", "rating": "3"}),
    ("POST", "/study/rate", {"log_id": BIG, "rating": "3"}),
    ("POST", "/study/settings", {"desired_retention": "sNaN", "new_per_day": "1", "reviews_per_day": "1",
                                 "timezone": "UTC", "day_start_hour": "4"}),  # NumberRange: float(sNaN) raises
    ("POST", "/account/profile", {"name": "a\x00b", "timezone": "UTC", "day_start_hour": "4"}),  # PostgreSQL: NUL
    ("POST", "/quiz", {"size": "5", "bank": "²"}),
    ("POST", "/study/answer", {"question_id": "{order}", "ordinal": "0", "client_id": "o", "item-0": "First",
                               "position-0": "²"}),  # an ordering answer's position: int("²") again
]


@pytest.mark.parametrize(("method", "path", "fields"), FOUND)
def test_inputs_that_were_server_errors(app, site, method, path, fields):
    client = site["client"]
    with app.app_context():
        ids = {"qid": site["real"][0],
               "order": str(db.session.scalar(select(Question.id).where(Question.key == "order")))}
    if fields is None:
        response = client.get(path)
    else:
        fields = {k: v.format(**ids) for k, v in fields.items()}
        response = client.post(path, data={**fields, "csrf_token": site["token"]})
    assert response.status_code < 500
    assert response.status_code in (200, 302, 400, 404), response.status_code


def test_a_json_body_with_values_that_are_not_text_is_refused(site):
    """Found by the fuzzing: Flask-WTF read ``{"password": true}`` into the form, and Length() raised."""
    response = send(site["client"], "POST", "/account/password", {"current": True, "password": True, "confirm": 1},
                    site["token"], as_json=True)
    assert response.status_code == 415 and response.get_json()["error"] == "Not a form"
