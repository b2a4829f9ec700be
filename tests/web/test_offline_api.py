"""The offline study API over HTTP (docs/offline.md): the pack as JSON with the card page's own HTML,
and the sync with its CSRF header, its size limits and JSON errors that say what and where."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog
from quizapp.models.types import utcnow
from quizapp.services import offline
from tests.conftest import csrf_from
from tests.factories import make_bank

JSON = {"Accept": "application/json"}


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def learner(csrf_app, student):
    """The signed-in student of tests/web/conftest.py (the demo bank of every type), with CSRF on:
    the token of their pages."""
    return csrf_from(student.get("/account").get_data(as_text=True))


def question_ids(app) -> dict[str, int]:
    with app.app_context():
        return {q.key: q.id for q in db.session.scalars(select(Question))}


def logs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ReviewLog.id)))


def answer(qid: int, client_id: str, fields: dict, minutes_ago: int = 5, **extra) -> dict:
    return {"client_id": client_id, "question_id": qid, "ordinal": 0, "fields": fields, "rating": None,
            "answered_at": (utcnow() - timedelta(minutes=minutes_ago)).isoformat(), "duration_ms": 4000,
            "question_version": 1, **extra}


def sync(client, token, body, **headers):
    return client.post("/study/offline/sync", data=json.dumps(body) if not isinstance(body, bytes) else body,
                       content_type="application/json", headers={"X-CSRFToken": token, **JSON, **headers})


def test_the_pack_has_each_card_with_the_card_page_inputs_and_the_feedback_parts(app, client, learner):
    response = client.get("/study/offline/pack", headers=JSON)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    pack = response.get_json()
    assert pack["version"] == 1 and pack["horizon_days"] == 7
    assert pack["user"]["new_per_day"] == 20 and len(pack["user"]["fsrs_parameters"]) == 21
    by_type = {c["type"]: c for c in pack["cards"]}
    assert len(by_type) == 9 and all(c["new"] and c["state"] is None for c in pack["cards"])
    capital = by_type["multiple_choice"]
    # The same inputs, by the same names, as the online card page's form.
    page = client.get(f"/study?bank={capital['bank_id']}").get_data(as_text=True)
    assert 'name="answer"' in capital["form_html"] and 'value="Moscow"' in capital["form_html"]
    assert 'name="question_id"' not in capital["form_html"]  # the hidden fields are the client's
    assert capital["grading"]["data"]["answer"] == "Moscow" and "Moscow" in capital["grading"]["view"]["choices"]
    assert "Mao&#39;s first trip abroad." in capital["feedback_html"]
    assert "<blockquote>Mao went to Moscow in 1949.</blockquote>" in capital["feedback_html"]
    assert capital["expected_html"] == "Moscow"
    assert 'name="match-0"' in by_type["matching"]["form_html"]
    assert "The break of the 1960s" in by_type["flashcard"]["expected_html"]
    assert "Choose one answer" in page and "Choose one answer" in capital["form_html"]


def test_a_synced_answer_is_recorded_and_its_feedback_page_opens_online(app, client, learner):
    ids = question_ids(app)
    body = {"answers": [answer(ids["capital"], "dev-1", {"answer": ["Moscow"]}),
                        answer(ids["who"], "dev-2", {"answer": ["Chiang"]}, minutes_ago=4)]}
    response = sync(client, learner, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert [(r["client_id"], r["status"], r["score"]) for r in results] == [("dev-1", "applied", 1.0),
                                                                           ("dev-2", "applied", 1.0)]
    again = sync(client, learner, body).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"] and logs(app) == 2
    feedback = client.get(f"/study/answered/{results[0]['log_id']}").get_data(as_text=True)
    assert "Right" in feedback and "Moscow" in feedback


def test_without_the_csrf_header_nothing_is_recorded(app, client, learner):
    ids = question_ids(app)
    body = {"answers": [answer(ids["capital"], "dev-1", {"answer": ["Moscow"]})]}
    response = client.post("/study/offline/sync", json=body, headers=JSON)
    assert response.status_code == 400
    assert "expired or was not sent from this site" in response.get_json()["message"]
    response = sync(client, "not-the-token", body)
    assert response.status_code == 400 and logs(app) == 0


def test_signed_out_gets_a_401_in_json(app, client):
    assert client.get("/study/offline/pack", headers=JSON).status_code == 401
    response = client.post("/study/offline/sync", json={"answers": []}, headers=JSON)
    assert response.status_code in (400, 401)  # CSRF first (no session, no token), or 401: never applied


@pytest.mark.parametrize(("body", "where"), [
    (b"{not json", None),
    ({"answers": "all of them"}, "answers"),
    ({"answers": [{"client_id": "x", "question_id": 1, "answered_at": "2026-13-45T00:00:00Z",
                   "question_version": 1}]}, "answers[0].answered_at"),
    ({"answers": [{"client_id": "", "question_id": 1}]}, "answers[0].client_id"),
    ({"answers": [{"client_id": "x", "question_id": 1.5}]}, "answers[0].question_id"),
    (b'{"answers": [{"client_id": "x", "question_id": 1, "response": NaN}]}', None),  # no database keeps NaN
    ("{\"answers\": []}".encode("utf-16"), None),
    (b'{"answers": [{"client_id": "\\ud800", "question_id": 1}]}', "answers[0].client_id"),  # a lone surrogate
])
def test_bad_input_is_a_400_that_says_what_and_where(app, client, learner, body, where):
    response = sync(client, learner, body)
    assert response.status_code == 400
    error = response.get_json()
    assert error["where"] == where and error["message"] and logs(app) == 0


def test_too_many_answers_or_too_large_a_body_is_refused_unread(app, client, learner):
    ids = question_ids(app)
    many = {"answers": [answer(ids["capital"], f"id-{i}", {"answer": ["Moscow"]})
                        for i in range(offline.MAX_ANSWERS + 1)]}
    response = sync(client, learner, many)
    assert response.status_code == 400 and response.get_json()["where"] == "answers"
    huge = {"answers": [answer(ids["who"], "big", {"answer": ["x" * (offline.MAX_BODY_BYTES + 10)]})]}
    response = sync(client, learner, huge)
    assert response.status_code == 413 and response.is_json
    # One answer too long to keep: that answer alone is refused (the online form asks again), the rest applied.
    big_answer = {"answers": [answer(ids["who"], "big", {"answer": ["x" * (offline.MAX_ANSWER_BYTES + 10)]}),
                              answer(ids["capital"], "fine", {"answer": ["Moscow"]})]}
    response = sync(client, learner, big_answer)
    assert response.status_code == 200
    assert [(r["status"], r["log_id"] is None) for r in response.get_json()["results"]] == [("refused", True),
                                                                                           ("applied", False)]
    assert "longer than 8 KB" in response.get_json()["results"][0]["message"]
    assert logs(app) == 1


def test_another_learners_bank_is_neither_packed_nor_answerable(app, client, learner, make_user):
    from quizapp.models import User

    teacher = make_user("t@example.com", role="teacher")
    with app.app_context():
        make_bank("private", title="Teacher's own", builtin=False, owner=db.session.get(User, teacher),
                  questions=[{"id": "secret", "type": "short_answer", "prompt": "Which secret word?",
                              "answers": ["Penrose"]}])
    ids = question_ids(app)
    with app.app_context():
        private = db.session.scalar(select(Question.bank_id).where(Question.key == "secret"))
    pack = client.get(f"/study/offline/pack?bank={private}", headers=JSON).get_json()
    assert "Which secret word?" not in json.dumps(pack) and all(b["id"] != private for b in pack["banks"])
    response = sync(client, learner, {"answers": [answer(ids["secret"], "steal", {"answer": ["Penrose"]})]})
    [result] = response.get_json()["results"]
    assert response.status_code == 200 and result["status"] == "refused" and result["log_id"] is None
    with app.app_context():
        assert db.session.scalar(select(func.count(Card.id))) == 0
    assert logs(app) == 0


def test_a_bad_horizon_is_a_400(app, client, learner):
    response = client.get("/study/offline/pack?horizon=99", headers=JSON)
    assert response.status_code == 400 and response.get_json()["where"] == "horizon"
    assert client.get("/study/offline/pack?horizon=2", headers=JSON).get_json()["horizon_days"] == 2


ODD = st.sampled_from([None, True, 1.5, -1, 0, 2**31, 2**70, "", "\x00", "a\x00b", "\ud800", "²", "nan", "9" * 5000,
                       "2026-02-30T10:00:00Z", "2026-03-02T12:00:00", "9999-12-31T23:59:59+14:00",
                       "0001-01-01T00:00:00-12:00", [], {}, ["Moscow"], {"answer": ["Moscow"]},
                       {"answer": "Moscow"}, {"answer": [1, 2]}, {"text": "1949", "value": "x"}])
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=3), max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_whatever_is_posted_the_answer_is_json_and_never_a_server_error(app, client, learner, data):
    """Real ids and answers mixed with odd values in every field: a 200 with one result per answer,
    or a 4xx in JSON that says where; never a 5xx."""
    ids = list(question_ids(app).values())
    real = {"client_id": st.text(min_size=1, max_size=64), "question_id": st.sampled_from(ids),
            "ordinal": st.sampled_from([0, 1, 2]), "fields": st.sampled_from([{"answer": ["Moscow"]}, {}]),
            "response": JSON_VALUES, "rating": st.sampled_from([None, 1, 3, 4]),
            "answered_at": st.sampled_from([(utcnow() - timedelta(minutes=3)).isoformat(), "2026-12-02T10:00:00Z"]),
            "shown_at": st.none(), "duration_ms": st.sampled_from([None, 0, 4000]), "question_version": st.just(1)}
    item = st.fixed_dictionaries({}, optional={name: st.one_of(value, ODD, JSON_VALUES)
                                               for name, value in real.items()})
    body = data.draw(st.one_of(st.fixed_dictionaries({"answers": st.lists(item, max_size=4)}), JSON_VALUES))
    response = sync(client, learner, body)
    assert response.status_code < 500 and response.is_json, (body, response.status_code)
    if response.status_code == 200:
        assert len(response.get_json()["results"]) == len(body["answers"])
    else:
        assert response.status_code == 400 and response.get_json()["message"]
