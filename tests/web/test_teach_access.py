"""Nobody where they don't belong: every teacher route, walked from the URL map, refuses
anonymous visitors (to the login page), students (403) and other teachers (404 on whatever
belongs to someone else). A new route under /teach is covered without editing this file."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Assignment, Bank, Classroom, Document, ImportJob, Membership, Question
from tests.conftest import AuthActions, csrf_from

GIFT = "::capital::Where did Mao travel in 1949? {=Moscow ~Beijing}\n\n::tf::The treaty was signed in 1950. {T}\n"


@pytest.fixture
def world(app, client, make_user):
    """Teacher A with a bank, a document, an upload, a class with a student and an assignment."""
    app.config["IMPORT_RUNNER"] = "inline"
    make_user("a@example.com", role="teacher")
    make_user("b@example.com", role="teacher")
    student_id = make_user("s@example.com")
    make_user("admin@example.com", role="admin")
    a = app.test_client()
    AuthActions(a).login("a@example.com")
    token = csrf_from(a.get("/teach/upload").get_data(as_text=True))
    done = a.post("/teach/upload", data={"csrf_token": token, "fmt": "auto",
                                         "file": (io.BytesIO(GIFT.encode()), "mine.gift"),
                                         "documents": [(io.BytesIO(b"Mao went to Moscow."), "memo.txt")]},
                  content_type="multipart/form-data")
    job_url = done.headers["Location"]
    a.post(job_url + "/save", data={"csrf_token": token})
    a.post("/teach/upload", data={"csrf_token": token, "fmt": "auto", "file": (io.BytesIO(GIFT.encode()), "x.gift")},
           content_type="multipart/form-data")
    created = a.post("/teach/classes/new", data={"csrf_token": token, "name": "A's class"})
    class_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        a.post(f"/teach/classes/{class_id}/assign", data={"csrf_token": token, "bank": bank.id})
        code = db.session.get(Classroom, class_id).join_code
    s = app.test_client()
    AuthActions(s).login("s@example.com")
    s.post("/join", data={"csrf_token": csrf_from(s.get("/join").get_data(as_text=True)), "code": code})
    with app.app_context():
        args = {
            "slug": bank.slug, "bank_id": bank.id, "class_id": class_id, "user_id": student_id, "key": "capital",
            "type_name": "matching", "fmt": "gift", "name": "pic.png",
            "job_id": db.session.scalar(select(func.max(ImportJob.id))),
            "document_id": db.session.scalar(select(Document.id)),
            "assignment_id": db.session.scalar(select(Assignment.id)),
        }
        assert all(args.values()), args
    return args


def teacher_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("teach.")]
    assert len(rules) >= 20  # the walk really walks
    return rules


def url_for_rule(rule, args) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(args[m.group(1)]), rule.rule)


def calls(app, args):
    for rule in teacher_rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url_for_rule(rule, args), rule


def snapshot(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Question).where(Question.retired.is_(False))),
                db.session.scalar(select(func.count()).select_from(Document)),
                db.session.scalar(select(func.count()).select_from(Assignment)),
                db.session.scalar(select(func.count()).select_from(Membership)),
                db.session.scalar(select(Classroom.join_code).order_by(Classroom.id)),
                db.session.scalar(select(func.count()).select_from(Bank)))


def send(client, method, url, token):
    data = {"csrf_token": token, "name": "Hacked", "text": GIFT, "bank": "1", "key": "hacked",
            "f_prompt": "x", "code": "X"}
    return client.open(url, method=method, data=data if method == "POST" else None)


def test_anonymous_visitors_are_sent_to_log_in_on_every_teacher_route(app, client, world):
    before = snapshot(app)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for method, url, _ in calls(app, world):
        response = send(client, method, url, token)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
    assert snapshot(app) == before


def test_students_get_403_on_every_teacher_route(app, world):
    before = snapshot(app)
    s = app.test_client()
    AuthActions(s).login("s@example.com")
    token = csrf_from(s.get("/account").get_data(as_text=True))
    for method, url, _ in calls(app, world):
        assert send(s, method, url, token).status_code == 403, (method, url)
    assert snapshot(app) == before


def test_another_teacher_gets_404_on_everything_of_the_first(app, world):
    before = snapshot(app)
    b = app.test_client()
    AuthActions(b).login("b@example.com")
    token = csrf_from(b.get("/account").get_data(as_text=True))
    # B's own pages, nothing of A's in them.
    own_pages = {"teach.index", "teach.upload", "teach.new_class", "teach.library", "teach.imports_list"}
    for method, url, rule in calls(app, world):
        response = send(b, method, url, token)
        if rule.endpoint in own_pages:
            assert response.status_code in (200, 302, 400), (method, url)
            continue
        assert response.status_code == 404, (method, url, response.status_code)
    # B's own pages do not list A's things.
    index = b.get("/teach/").get_data(as_text=True)
    assert "A&#39;s class" not in index and "mine" not in index
    after = snapshot(app)
    assert after[:5] == before[:5]  # B's one upload may have made B a bank; nothing of A's changed


def test_an_admin_may_manage_any_teachers_bank_and_class(app, world):
    admin = app.test_client()
    AuthActions(admin).login("admin@example.com")
    assert admin.get(f"/teach/banks/{world['slug']}").status_code == 200
    assert admin.get(f"/teach/classes/{world['class_id']}").status_code == 200
    assert admin.get(f"/teach/imports/{world['job_id']}").status_code in (200, 302)


def test_a_student_sees_only_banks_of_their_own_classes(app, world, make_user):
    make_user("other@example.com")
    other = app.test_client()
    AuthActions(other).login("other@example.com")
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == world["slug"]))
    assert "Where did Mao travel" not in other.get(f"/study?bank={bank_id}").get_data(as_text=True)
    s = app.test_client()
    AuthActions(s).login("s@example.com")
    page = s.get(f"/study?bank={bank_id}").get_data(as_text=True)
    assert "Where did Mao travel" in page or "The treaty was signed" in page
