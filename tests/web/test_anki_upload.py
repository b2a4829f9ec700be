"""Uploading an Anki package in the browser: its images in the preview, its review history offered
at saving and said in the notice, math typeset on the pages that show questions (and only there),
and a Basic-and-reversed note studied as two sibling cards."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, ImportJob, ReviewLog, User
from tests.banks.anki_support import PNG, Collection, add_note, export
from tests.conftest import AuthActions, csrf_from

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> bytes:
    root = tmp_path_factory.mktemp("upload")
    col = Collection(str(root / "c.anki2"))
    try:
        (root / "great wall.png").write_bytes(PNG)
        image = col.media.add_file(str(root / "great wall.png"))
        wall = add_note(col, "Basic", "China", Front="What is this?", Back=f'<img src="{image}"> The Great Wall')
        add_note(col, "Basic (and reversed card)", "China", Front="河", Back="river")
        add_note(col, "Basic", "China", Front="Area of a circle?", Back="[$]\\pi r^2[/$]")
        for n, (days, ease, kind, ivl) in enumerate([(0, 3, 0, 1), (1, 3, 1, 3), (4, 4, 1, 8)]):
            rid = int((START + timedelta(days=days)).timestamp() * 1000) + n
            col.db.execute("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                           "values (?, ?, -1, ?, ?, 0, 2500, 3000, ?)", rid, wall.cards()[0].id, ease, ivl, kind)
        return export(col, root / "china.apkg", with_scheduling=True)
    finally:
        col.close()


def upload(client, data: bytes) -> str:
    token = csrf_from(client.get("/teach/upload").get_data(as_text=True))
    response = client.post("/teach/upload", data={"csrf_token": token, "fmt": "auto",
                                                  "file": (io.BytesIO(data), "china.apkg")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def test_the_preview_shows_the_packages_images(teacher, package):
    url = upload(teacher, package)
    page = teacher.get(url).get_data(as_text=True)
    src = re.search(r'<img src="([^"]+)"', page).group(1)
    assert src == f"{url}/media/great%20wall.png"
    image = teacher.get(src)
    assert (image.status_code, image.mimetype, image.data) == (200, "image/png", PNG)
    assert teacher.get(f"{url}/media/nothing.png").status_code == 404


def test_another_teacher_and_a_student_get_no_image_of_the_upload(app, teacher, package, make_user):
    url = upload(teacher, package)
    for email, role, status in (("other@example.com", "teacher", 404), ("pupil@example.com", "student", 403)):
        make_user(email, role=role)
        other = app.test_client()
        AuthActions(other).login(email)
        response = other.get(f"{url}/media/great%20wall.png")
        assert response.status_code == status and PNG not in response.data


def test_history_is_offered_at_saving_and_the_notice_says_what_was_imported(app, teacher, package):
    url = upload(teacher, package)
    page = teacher.get(url).get_data(as_text=True)
    assert "Bring in the review history (3 reviews of 1 card) as my own progress" in page
    saved = teacher.post(url + "/save", data={"csrf_token": csrf_from(page), "import_history": "1"},
                         follow_redirects=True)
    assert "3 reviews of 1 card imported as your progress" in saved.get_data(as_text=True)
    with app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.email == "teacher@example.com"))
        assert len(db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == teacher_id)).all()) == 3


def test_history_not_asked_for_is_said_to_be_left_out(app, teacher, package):
    url = upload(teacher, package)
    page = teacher.get(url).get_data(as_text=True)
    saved = teacher.post(url + "/save", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert ("the package held a review history (3 reviews of 1 card), not imported"
            in saved.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalars(select(Card)).all() == []


KATEX = "vendor/katex/katex.min.js"


def test_math_is_typeset_on_pages_with_questions_only(app, teacher, package):
    url = upload(teacher, package)
    preview = teacher.get(url).get_data(as_text=True)
    assert KATEX in preview and "js/math.js" in preview and "vendor/katex/katex.min.css" in preview
    assert "\\(\\pi r^2\\)" in preview  # converted on import, typeset in the browser
    assert KATEX not in teacher.get("/teach/upload").get_data(as_text=True)
    assert KATEX not in teacher.get("/progress").get_data(as_text=True)
    # Study and feedback pages load it for cards with maths only: tests/web/test_rich_text.py.
    for asset in (KATEX, "vendor/katex/contrib/auto-render.min.js", "js/math.js"):
        response = teacher.get("/static/" + asset)
        response.close()
        assert response.status_code == 200, asset


def test_a_reversed_note_is_studied_as_two_sibling_cards(app, teacher, package):
    url = upload(teacher, package)
    page = teacher.get(url).get_data(as_text=True)
    teacher.post(url + "/save", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        job = db.session.scalars(select(ImportJob)).first()
        assert job.result["count"] == 3  # three notes, three questions (the reversed one is one)
    from quizapp.models import Question
    from quizapp.services import answers, study_queue

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "teacher@example.com"))
        river = next(q for q in db.session.scalars(select(Question)) if q.data.get("reverse"))
        now = datetime(2026, 3, 2, 12, tzinfo=UTC)
        answers.record_answer(user, river.id, 0, None, "r0", now=now, rating=3)
        later = now + timedelta(hours=2)
        shown = []
        while (pick := study_queue.next_card(user, [river.bank_id], later)) is not None and len(shown) < 10:
            shown.append((pick.question.id, pick.ordinal))
            answers.record_answer(user, pick.question.id, pick.ordinal, None, f"x{len(shown)}", now=later, rating=4)
        assert (river.id, 1) not in shown  # its sibling waits for another day, as in Anki
        tomorrow = now + timedelta(days=1)
        picks = []
        while (pick := study_queue.next_card(user, [river.bank_id], tomorrow)) is not None and len(picks) < 10:
            picks.append((pick.question.id, pick.ordinal))
            if pick.question.id == river.id and pick.ordinal == 1:
                view = study_queue.presentation(pick, "seed")
                assert (view["prompt"], view["back"]) == ("river", "河")  # back to front
                break
            answers.record_answer(user, pick.question.id, pick.ordinal, None, f"y{len(picks)}", now=tomorrow,
                                  rating=4)
        assert (river.id, 1) in picks
