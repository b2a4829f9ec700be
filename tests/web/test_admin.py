"""The admin pages: accounts listed and searched page by page, roles changed, accounts disabled
(signed out at once, cannot sign in) and enabled, and the site's counts. Admins only."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, Classroom, Question, ReviewLog, User
from quizapp.services import accounts, admin
from tests.conftest import AuthActions
from tests.factories import make_bank


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch):
    """Scrypt with a small work factor: these tests sign in many times and are not about the hash
    (tests/web/test_auth.py checks the real one)."""
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")


def browser(app, email: str, remember: bool = False):
    client = app.test_client()
    assert AuthActions(client).login(email, remember=remember).status_code == 302, email
    return client


def token(client) -> str:
    return AuthActions(client).token("/account")


@pytest.fixture
def site(app, make_user):
    ids = {"root": make_user("root@example.com", role="admin"), "ada": make_user("ada@example.com"),
           "tess": make_user("tess@example.com", role="teacher")}
    return {"ids": ids, "root": browser(app, "root@example.com")}


def user_rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', page)


def test_only_admins_get_the_admin_pages(app, site):
    ada_id = site["ids"]["ada"]
    anonymous = app.test_client()
    assert anonymous.get("/admin/").headers["Location"].startswith("/login")
    for email in ("ada@example.com", "tess@example.com"):
        other = browser(app, email)
        assert other.get("/admin/").status_code == 403
        assert "Admin</a>" not in other.get("/").get_data(as_text=True)
        refused = other.post(f"/admin/users/{ada_id}/role", data={"csrf_token": token(other), "role": "admin"})
        assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(User, ada_id).role == "student"
    page = site["root"].get("/admin/").get_data(as_text=True)
    assert 'href="/admin/"' in page and user_rows(page) == ["ada@example.com", "root@example.com", "tess@example.com"]


def test_search_by_email_and_pages(app, site, make_user):
    for n in range(7):
        make_user(f"pupil{n}@school.example")
    app.config["ADMIN_USERS_PER_PAGE"] = 3
    root = site["root"]
    first = root.get("/admin/?q=SCHOOL").get_data(as_text=True)
    assert user_rows(first) == ["pupil0@school.example", "pupil1@school.example", "pupil2@school.example"]
    assert "7 accounts whose email contains “school”" in first and "Page 1 of 3" in first
    last = root.get("/admin/?q=school&page=3").get_data(as_text=True)
    assert user_rows(last) == ["pupil6@school.example"] and "Next</a>" not in last and "Previous</a>" in last
    assert user_rows(root.get("/admin/?q=school&page=99").get_data(as_text=True)) == ["pupil6@school.example"]
    assert user_rows(root.get("/admin/?page=-1&q=school").get_data(as_text=True))[0] == "pupil0@school.example"
    # LIKE's own wildcards are searched as text: "_" matches an underscore only.
    assert user_rows(root.get("/admin/?q=pupil_").get_data(as_text=True)) == []
    assert "0 accounts" in root.get("/admin/?q=%25").get_data(as_text=True)


def test_an_admin_changes_a_role(app, site):
    root, ada_id = site["root"], site["ids"]["ada"]
    response = root.post(f"/admin/users/{ada_id}/role", data={"csrf_token": token(root), "role": "teacher",
                                                              "q": "ada", "page": "1"})
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/?q=ada&page=1")
    assert "ada@example.com is now a teacher." in root.get("/admin/").get_data(as_text=True)
    assert browser(app, "ada@example.com").get("/teach/").status_code == 200
    bad = root.post(f"/admin/users/{ada_id}/role", data={"csrf_token": token(root), "role": "owner"})
    assert bad.status_code == 400
    missing = root.post("/admin/users/999999/role", data={"csrf_token": token(root), "role": "admin"})
    assert missing.status_code == 404
    with app.app_context():
        assert db.session.get(User, ada_id).role == "teacher"


def test_a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled(app, site):
    root, ada_id = site["root"], site["ids"]["ada"]
    ada = browser(app, "ada@example.com", remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", ada.get_cookie("remember_token").value)
    assert remembered.get("/account").status_code == 200
    assert root.post(f"/admin/users/{ada_id}/access", data={"csrf_token": token(root),
                                                            "action": "disable"}).status_code == 302
    assert ada.get("/account").status_code == 302 and remembered.get("/account").status_code == 302
    refused = AuthActions(app.test_client()).login("ada@example.com")
    assert refused.status_code == 403 and "This account is disabled" in refused.get_data(as_text=True)
    wrong = AuthActions(app.test_client()).login("ada@example.com", password="a wrong password")
    assert wrong.status_code == 401 and "disabled" not in wrong.get_data(as_text=True)  # only the owner is told
    page = root.get("/admin/").get_data(as_text=True)
    assert "disabled since" in page and 'aria-label="Enable ada@example.com"' in page
    assert root.post(f"/admin/users/{ada_id}/access", data={"csrf_token": token(root),
                                                            "action": "enable"}).status_code == 302
    assert AuthActions(app.test_client()).login("ada@example.com").status_code == 302
    bad = root.post(f"/admin/users/{ada_id}/access", data={"csrf_token": token(root), "action": "delete"})
    assert bad.status_code == 400


def test_an_admin_cannot_lock_themselves_out(app, site):
    root, root_id = site["root"], site["ids"]["root"]
    for url, data in ((f"/admin/users/{root_id}/role", {"role": "student"}),
                      (f"/admin/users/{root_id}/access", {"action": "disable"})):
        response = root.post(url, data={"csrf_token": token(root), **data})
        assert response.status_code == 400 and "You cannot change your own account" in response.get_data(as_text=True)
    assert root.get("/admin/").status_code == 200
    assert f'action="/admin/users/{root_id}/' not in root.get("/admin/").get_data(as_text=True)


def test_the_site_counts(app, site, make_user):
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    with app.app_context():
        make_bank("demo")  # 9 questions
        question = db.session.scalar(select(Question).where(Question.key == "capital"))
        question_id = question.id
        question.retired = True
        db.session.add(Classroom(name="C", owner_id=site["ids"]["tess"], join_code="CCCCCCCC"))
        card = Card(user_id=site["ids"]["ada"], question_id=question_id)
        db.session.add(card)
        db.session.flush()
        for n, when in enumerate([now - timedelta(hours=16), now - timedelta(hours=14), now, now + timedelta(hours=9)]):
            db.session.add(ReviewLog(user_id=site["ids"]["ada"], card_id=card.id, client_id=f"c{n}", rating=3,
                                     reviewed_at=when, state_before={}, state_after={}))
        db.session.get(User, site["ids"]["tess"]).disabled_at = now
        db.session.commit()
        counts = admin.counts(now)
    assert counts.users_by_role == {"student": 1, "teacher": 1, "admin": 1} and counts.users == 3
    # 00:00 to 24:00 UTC of the 2nd: 01:00 and 15:00 count, 00:00 on the 3rd and 23:00 on the 1st do not.
    assert (counts.banks, counts.questions, counts.classes, counts.reviews_today) == (1, 8, 1, 2)
    assert (counts.disabled, counts.unverified) == (1, 0)
    page = site["root"].get("/admin/").get_data(as_text=True)
    assert re.search(r'data-stat="questions">.*?<b class="stat-value">8</b>', page, re.S)
    assert "1 student · 1 teacher · 1 admin" in page
