"""Teachers' housekeeping through the pages (issue 18): banks renamed, described, shared, retired and
restored, deleted while unstudied, copied; uploads listed and discarded; classes renamed, archived,
restored and deleted; a student leaving a class; a join link through registration and login.
Each with the refusal that goes with it: another teacher gets 404, a student 403."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Classroom, Document, ImportJob, Membership, Question, ReviewLog, User
from quizapp.services import answers
from tests.answers import response_for
from tests.conftest import AuthActions, csrf_from
from tests.factories import NOW, make_bank

ALGEBRA = [
    {"id": "sum", "type": "short_answer", "prompt": "What is two plus two?", "answers": ["4", "four"]},
    {"id": "square", "type": "numeric", "prompt": "What is three squared?", "answer": 9},
]


def browser(app, email: str):
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


def token(client, path: str = "/account") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


@pytest.fixture
def site(app, make_user):
    """Teacher A with a private bank (and a document) and a class the student is in, with the bank
    assigned; teacher B; the student; an admin; a built-in bank."""
    app.config["IMPORT_RUNNER"] = "inline"
    ids = {"a": make_user("a@example.com", role="teacher", name="Ada Teacher"),
           "b": make_user("b@example.com", role="teacher", name="Ben Teacher"),
           "s": make_user("s@example.com", name="Sam Student"),
           "admin": make_user("root@example.com", role="admin")}
    with app.app_context():
        make_bank("algebra", ALGEBRA, title="Algebra basics", builtin=False,
                  owner=db.session.get(User, ids["a"]), bank_fields={"sources": {}})
        make_bank("history", title="History (built-in)")
        bank = db.session.scalar(select(Bank).where(Bank.slug == "algebra"))
        db.session.add(Document(bank_id=bank.id, name="notes.txt", text="Two plus two makes four, as ever."))
        db.session.commit()
        ids["bank"] = bank.id
    a = browser(app, "a@example.com")
    created = a.post("/teach/classes/new", data={"csrf_token": token(a), "name": "Maths 7"})
    ids["class"] = int(created.headers["Location"].rsplit("/", 1)[1])
    assert a.post(f"/teach/classes/{ids['class']}/assign",
                  data={"csrf_token": token(a), "bank": ids["bank"]}).status_code == 302
    with app.app_context():
        ids["code"] = db.session.get(Classroom, ids["class"]).join_code
    s = browser(app, "s@example.com")
    assert s.post("/join", data={"csrf_token": token(s), "code": ids["code"]}).status_code == 302
    return ids


def study(app, user_id: int, slug: str = "algebra", key: str = "sum") -> None:
    """The user answers one question of the bank (through the study service)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        question = db.session.scalar(select(Question).join(Bank).where(Bank.slug == slug, Question.key == key))
        answers.record_answer(user, question.id, 0, response_for(question), f"t-{user_id}-{key}", now=NOW)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- banks -------------------------------------------------------------------------------------------
def test_a_teacher_renames_describes_and_shares_a_bank(app, site):
    a = browser(app, "a@example.com")
    page = a.get("/teach/banks/algebra").get_data(as_text=True)
    saved = a.post("/teach/banks/algebra/details", data={"csrf_token": csrf_from(page), "title": "Algebra, year 7",
                                                         "description": "Sums and squares.", "sharing": "teachers"})
    assert saved.status_code == 302
    page = a.get("/teach/banks/algebra").get_data(as_text=True)
    assert "<h1>Algebra, year 7</h1>" in page and "Sums and squares." in page and "Shared with teachers" in page
    # An empty title is refused with the field named; nothing changes.
    refused = a.post("/teach/banks/algebra/details", data={"csrf_token": csrf_from(page), "title": " ",
                                                           "description": "", "sharing": "private"})
    assert refused.status_code == 400 and 'id="title-error"' in refused.get_data(as_text=True)
    assert "<h1>Algebra, year 7</h1>" in a.get("/teach/banks/algebra").get_data(as_text=True)
    # The new title is what the student reads.
    s = browser(app, "s@example.com")
    assert "Algebra, year 7" in s.get("/").get_data(as_text=True)


def test_retiring_takes_a_bank_out_of_study_and_dropdowns_keeping_history_and_restoring_brings_it_back(app, site):
    study(app, site["s"])
    a, s = browser(app, "a@example.com"), browser(app, "s@example.com")
    assert "Algebra basics" in s.get("/").get_data(as_text=True)
    assert a.post("/teach/banks/algebra/retire", data={"csrf_token": token(a)}).status_code == 302
    # Gone from the student's home, their study and their quiz choices; its question refused.
    assert "Algebra basics" not in s.get("/").get_data(as_text=True)
    assert "What is three squared?" not in s.get(f"/study?bank={site['bank']}").get_data(as_text=True)
    assert "Algebra basics" not in s.get("/quiz").get_data(as_text=True)
    # Gone from the assign dropdown of a new class; the teacher's page says it is retired.
    created = a.post("/teach/classes/new", data={"csrf_token": token(a), "name": "Maths 8"})
    new_class = a.get(created.headers["Location"]).get_data(as_text=True)
    assert f'value="{site["bank"]}"' not in new_class
    assert "Retired" in a.get("/teach/banks/algebra").get_data(as_text=True)
    assert "Retired banks" in a.get("/teach/").get_data(as_text=True)
    # History kept.
    assert count(app, ReviewLog) == 1 and count(app, Question, Question.retired.is_(False)) == 11
    assert a.post("/teach/banks/algebra/restore", data={"csrf_token": token(a)}).status_code == 302
    assert "Algebra basics" in s.get("/").get_data(as_text=True)
    assert f'value="{site["bank"]}"' in a.get(created.headers["Location"]).get_data(as_text=True)


def test_a_bank_nobody_studied_is_deleted_and_a_studied_one_is_refused_with_the_reason(app, site):
    a = browser(app, "a@example.com")
    asked = a.get("/teach/banks/algebra/delete").get_data(as_text=True)
    assert "Delete Algebra basics?" in asked and "Delete bank" in asked
    study(app, site["s"])
    asked = a.get("/teach/banks/algebra/delete").get_data(as_text=True)
    assert "1 learner has studied this bank, so it cannot be deleted. Retire it instead" in asked
    assert "Delete bank</button>" not in asked
    refused = a.post("/teach/banks/algebra/delete", data={"csrf_token": token(a)})
    assert refused.status_code == 409 and "Retire it instead" in refused.get_data(as_text=True)
    assert count(app, Bank, Bank.slug == "algebra") == 1
    # An unstudied copy goes, with its questions and documents; the class loses nothing else.
    copied = a.post("/teach/banks/algebra/copy", data={"csrf_token": token(a)})
    copy_slug = copied.headers["Location"].rsplit("/", 1)[1]
    assert copy_slug == "algebra-2"
    deleted = a.post(f"/teach/banks/{copy_slug}/delete", data={"csrf_token": token(a)})
    assert deleted.status_code == 302
    assert count(app, Bank, Bank.slug == copy_slug) == 0 and count(app, Document) == 1
    assert count(app, Question) == 11  # the history bank's 9 and algebra's 2


def test_a_teacher_copies_a_built_in_or_shared_bank_to_edit_but_not_a_private_one(app, site):
    a, b = browser(app, "a@example.com"), browser(app, "b@example.com")
    # B reads nothing of A's private bank, and cannot copy it.
    assert b.get("/teach/banks/algebra").status_code == 404
    assert b.post("/teach/banks/algebra/copy", data={"csrf_token": token(b)}).status_code == 404
    assert "Algebra basics" not in b.get("/teach/library").get_data(as_text=True)
    # Once A shares it, B reads it (read-only), sees it among the banks to copy, and copies it.
    a.post("/teach/banks/algebra/details", data={"csrf_token": token(a), "title": "Algebra basics",
                                                 "description": "", "sharing": "teachers"})
    library = b.get("/teach/library").get_data(as_text=True)
    assert "Algebra basics" in library and "shared by Ada Teacher" in library and "History (built-in)" in library
    shared = b.get("/teach/banks/algebra").get_data(as_text=True)
    assert "What is two plus two?" in shared and "read-only" in shared
    assert "/questions/sum/edit" not in shared and "Save details" not in shared
    assert b.get("/teach/banks/algebra/questions/sum/edit").status_code == 404
    assert b.post("/teach/banks/algebra/retire", data={"csrf_token": token(b)}).status_code == 404
    copied = b.post("/teach/banks/algebra/copy", data={"csrf_token": token(b)})
    assert copied.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Bank).where(Bank.slug == copied.headers["Location"].rsplit("/", 1)[1]))
        original = db.session.scalar(select(Bank).where(Bank.slug == "algebra"))
        assert copy.owner_id == site["b"] and copy.title == "Algebra basics (copy)" and copy.sharing == "private"
        assert [q.data for q in copy.questions] == [q.data for q in original.questions]
        names = db.session.scalars(select(Document.name).where(Document.bank_id == copy.id)).all()
        assert names == ["notes.txt"]
        slug = copy.slug
    # The copy is B's to edit; the original is untouched.
    page = b.get(f"/teach/banks/{slug}/questions/sum/edit").get_data(as_text=True)
    assert b.post(f"/teach/banks/{slug}/questions/sum/edit", data={
        "csrf_token": csrf_from(page), "key": "sum", "f_prompt": "What is 2 + 2?", "f_answers": "4\nfour",
        "source": "", "difficulty": ""}).status_code == 302
    assert "What is two plus two?" in a.get("/teach/banks/algebra").get_data(as_text=True)
    # A built-in bank, too.
    assert b.post("/teach/banks/history/copy", data={"csrf_token": token(b)}).status_code == 302
    assert count(app, Bank, Bank.owner_id == site["b"]) == 2


def test_a_public_bank_is_studied_by_every_student_and_a_private_one_by_none(app, site, make_user):
    make_user("other@example.com")
    other = browser(app, "other@example.com")  # in no class of A's
    assert "Algebra basics" not in other.get("/").get_data(as_text=True)
    a = browser(app, "a@example.com")
    a.post("/teach/banks/algebra/details", data={"csrf_token": token(a), "title": "Algebra basics",
                                                 "description": "", "sharing": "school"})
    assert "Algebra basics" in other.get("/").get_data(as_text=True)
    assert "What is" in other.get(f"/study?bank={site['bank']}").get_data(as_text=True)


def test_students_and_other_teachers_touch_no_bank_or_class_of_a_teacher(app, site):
    """Every new route, as a student (403) and as teacher B (404); nothing changes."""
    s, b = browser(app, "s@example.com"), browser(app, "b@example.com")
    posts = ["/teach/banks/algebra/details", "/teach/banks/algebra/retire", "/teach/banks/algebra/restore",
             "/teach/banks/algebra/delete", "/teach/banks/algebra/copy", "/teach/banks/algebra/questions/sum/restore",
             f"/teach/classes/{site['class']}/rename", f"/teach/classes/{site['class']}/archive",
             f"/teach/classes/{site['class']}/restore", f"/teach/classes/{site['class']}/delete"]
    gets = ["/teach/banks/algebra/delete", f"/teach/classes/{site['class']}/delete", "/teach/library",
            "/teach/imports", "/teach/banks/algebra/questions/sum/delete"]
    form = {"title": "Hacked", "name": "Hacked", "sharing": "school", "description": ""}
    for client, status in ((s, 403), (b, 404)):
        for url in posts:
            assert client.post(url, data={"csrf_token": token(client), **form}).status_code == status, url
        for url in gets:
            got = client.get(url).status_code
            assert got == (200 if client is b and url in ("/teach/library", "/teach/imports") else status), url
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "algebra"))
        classroom = db.session.get(Classroom, site["class"])
        assert (bank.title, bank.sharing, bank.retired_at) == ("Algebra basics", "private", None)
        assert (classroom.name, classroom.archived_at) == ("Maths 7", None)
    assert count(app, Bank) == 2


# -- questions ---------------------------------------------------------------------------------------
def test_deleting_a_question_asks_first_and_can_be_undone_with_progress_kept(app, site):
    study(app, site["s"])
    a = browser(app, "a@example.com")
    asked = a.get("/teach/banks/algebra/questions/sum/delete").get_data(as_text=True)
    assert "Delete question sum?" in asked and "What is two plus two?" in asked and "can undo" in asked
    assert count(app, Question, Question.key == "sum", Question.retired.is_(True)) == 0  # asking deletes nothing
    done = a.post("/teach/banks/algebra/questions/sum/delete", data={"csrf_token": csrf_from(asked)})
    page = a.get(done.headers["Location"]).get_data(as_text=True)
    assert "Undo: restore sum" in page and "Deleted questions" in page
    assert "What is two plus two?" not in page
    restored = a.post("/teach/banks/algebra/questions/sum/restore", data={"csrf_token": csrf_from(page)})
    assert restored.status_code == 302
    page = a.get("/teach/banks/algebra").get_data(as_text=True)
    assert "What is two plus two?" in page and "Deleted questions" not in page
    with app.app_context():
        q = db.session.scalar(select(Question).where(Question.key == "sum"))
        assert not q.retired and q.version == 1 and q.position == 0  # where it was, progress kept
    s = browser(app, "s@example.com")
    assert "1 learner" not in s.get("/").get_data(as_text=True)  # (a page that works)
    assert count(app, ReviewLog) == 1


def test_a_new_question_gets_a_readable_id_from_its_prompt_and_missing_fields_are_named_together(app, site):
    a = browser(app, "a@example.com")
    url = "/teach/banks/algebra/questions/new/short_answer"
    page = a.get(url).get_data(as_text=True)
    # Nothing filled in: every missing field at once, in the same words.
    empty = a.post(url, data={"csrf_token": csrf_from(page), "key": "", "f_prompt": "", "f_answers": "",
                              "source": "", "difficulty": ""})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert re.search(r'id="f_prompt-error">This field is required\.', text)
    assert re.search(r'id="f_answers-error">This field is required\.', text)
    assert 'id="key-error"' not in text  # the id is made from the prompt once there is one
    # A prompt with accents: the id is made from it, transliterated.
    made = a.post(url, data={"csrf_token": csrf_from(page), "key": "", "f_prompt": "Où est la Ville-Lumière ?",
                             "f_answers": "Paris", "source": "", "difficulty": ""})
    assert made.status_code == 302 and made.headers["Location"].endswith("#q-ou-est-la-ville-lumiere")
    # The same prompt again gets the next free id; a typed id is kept as typed.
    again = a.post(url, data={"csrf_token": csrf_from(page), "key": "", "f_prompt": "Où est la Ville-Lumière ?",
                              "f_answers": "Paris", "source": "", "difficulty": ""})
    assert again.headers["Location"].endswith("#q-ou-est-la-ville-lumiere-2")
    typed = a.post(url, data={"csrf_token": csrf_from(page), "key": "capital-fr", "f_prompt": "Capitale ?",
                              "f_answers": "Paris", "source": "", "difficulty": ""})
    assert typed.headers["Location"].endswith("#q-capital-fr")
    # A typed id that is not an id is refused, with the other missing fields named beside it.
    bad = a.post(url, data={"csrf_token": csrf_from(page), "key": "two words", "f_prompt": "",
                            "f_answers": "Paris", "source": "", "difficulty": ""}).get_data(as_text=True)
    assert "Use letters, digits" in bad and re.search(r'id="f_prompt-error">This field is required\.', bad)


def test_a_new_question_may_not_take_the_id_of_a_deleted_one(app, site):
    a = browser(app, "a@example.com")
    a.post("/teach/banks/algebra/questions/sum/delete", data={"csrf_token": token(a)})
    page = a.get("/teach/banks/algebra/questions/new/short_answer").get_data(as_text=True)
    refused = a.post("/teach/banks/algebra/questions/new/short_answer", data={
        "csrf_token": csrf_from(page), "key": "sum", "f_prompt": "Another", "f_answers": "x", "source": "",
        "difficulty": ""})
    assert refused.status_code == 400
    assert "A deleted question of this bank had this id" in refused.get_data(as_text=True)
    # Left empty, the made id avoids it too.
    made = a.post("/teach/banks/algebra/questions/new/short_answer", data={
        "csrf_token": csrf_from(page), "key": "", "f_prompt": "Sum", "f_answers": "x", "source": "", "difficulty": ""})
    assert made.headers["Location"].endswith("#q-sum-2")


def test_an_uploaded_document_is_picked_as_source_and_quotes_are_checked_before_saving(app, site):
    a = browser(app, "a@example.com")
    url = "/teach/banks/algebra/questions/sum/edit"
    page = a.get(url).get_data(as_text=True)
    assert '<option value="document:notes.txt">notes.txt (uploaded document)</option>' in page
    form = {"csrf_token": csrf_from(page), "key": "sum", "f_prompt": "What is two plus two?", "f_answers": "4\nfour",
            "source": "document:notes.txt", "difficulty": "", "evidence": "Two plus two makes five"}
    # A quote that is not in the document: a warning, nothing saved.
    warned = a.post(url, data=form)
    text = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "Evidence not found verbatim in notes.txt: &#39;Two plus two makes five&#39;" in text
    assert "Save anyway" in text
    with app.app_context():
        assert "evidence" not in db.session.scalar(select(Question).where(Question.key == "sum")).data
    # Fixed: saved at once, the document now a source of the bank.
    saved = a.post(url, data={**form, "evidence": "Two plus two\nmakes four"})
    assert saved.status_code == 302
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "algebra"))
        q = db.session.scalar(select(Question).where(Question.key == "sum"))
        assert bank.sources == {"notes": {"title": "notes.txt", "file": "notes.txt"}}
        assert q.data["source"] == "notes" and q.data["evidence"] == ["Two plus two", "makes four"]
    # The form now offers it as a source (no longer as a loose document), selected.
    page = a.get(url).get_data(as_text=True)
    assert '<option selected value="notes">notes.txt</option>' in page and "document:notes.txt" not in page
    # "Save anyway" saves a quote that is not there, once the teacher confirms these very warnings.
    warned = a.post(url, data={**form, "source": "notes", "evidence": "Not in the notes at all"}).get_data(as_text=True)
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', warned).group(1)
    stale = a.post(url, data={**form, "source": "notes", "evidence": "Something else, not there", "confirm": confirm})
    assert stale.status_code == 200  # other warnings than those confirmed: asked again
    assert a.post(url, data={**form, "source": "notes", "evidence": "Not in the notes at all",
                             "confirm": confirm}).status_code == 302


def test_feedback_never_says_source_none(app, site):
    """A question with quotes and no source: the feedback says "Source", not "Source: None"."""
    a = browser(app, "a@example.com")
    page = a.get("/teach/banks/algebra/questions/sum/edit").get_data(as_text=True)
    a.post("/teach/banks/algebra/questions/sum/edit", data={
        "csrf_token": csrf_from(page), "key": "sum", "f_prompt": "What is two plus two?", "f_answers": "4",
        "source": "", "difficulty": "", "evidence": "Two plus two makes four", "confirm": ""})
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.key == "sum")).data.get("evidence")
    s = browser(app, "s@example.com")
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.key == "sum"))
    answered = s.post("/study/answer", data={"csrf_token": token(s), "question_id": qid, "ordinal": 0,
                                             "client_id": "src-1", "answer": "4", "rating": 3})
    feedback = s.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Two plus two makes four" in feedback
    assert "Source: None" not in feedback and "None</cite>" not in feedback
    assert re.search(r'<h3 id="src-\d+">Source\s', feedback)


def test_item_analysis_names_each_question_by_its_text(app, site):
    study(app, site["s"])
    a = browser(app, "a@example.com")
    page = a.get("/teach/banks/algebra/stats").get_data(as_text=True)
    assert re.search(r'<a class="stats-prompt" href="[^"]+/questions/sum/edit">What is two plus two\?</a>', page)
    csv = a.get("/teach/banks/algebra/stats.csv").get_data(as_text=True).splitlines()
    assert csv[0].endswith(",question text") and csv[1].startswith("sum,") and csv[1].endswith(",What is two plus two?")


# -- uploads -----------------------------------------------------------------------------------------
def test_my_uploads_are_listed_with_their_state_and_an_unsaved_one_is_discarded(app, site):
    a, b = browser(app, "a@example.com"), browser(app, "b@example.com")
    gift = "::q1::Two plus two? {=4 ~5}\n"
    for name in ("first.gift", "second.gift"):
        a.post("/teach/upload", data={"csrf_token": token(a), "fmt": "auto",
                                      "file": (io.BytesIO(gift.encode()), name)}, content_type="multipart/form-data")
    bad = a.post("/teach/upload", data={"csrf_token": token(a), "fmt": "auto",
                                        "file": (io.BytesIO(b"::x:: {=}\n"), "broken.gift")},
                 content_type="multipart/form-data")
    a.post(bad.headers["Location"].replace("http://localhost", "") + "/save", data={"csrf_token": token(a)})
    saved_url = a.post("/teach/upload", data={"csrf_token": token(a), "fmt": "auto",
                                              "file": (io.BytesIO(gift.encode()), "kept.gift")},
                       content_type="multipart/form-data").headers["Location"]
    assert a.post(saved_url + "/save", data={"csrf_token": token(a)}).status_code == 302
    page = a.get("/teach/imports").get_data(as_text=True)
    rows = re.findall(r'<tr data-job="(\d+)" data-state="(\w+)">', page)
    with app.app_context():
        jobs = {j.filename: j for j in db.session.scalars(select(ImportJob))}
    assert [int(i) for i, _ in rows] == [jobs[n].id for n in ("kept.gift", "broken.gift", "second.gift", "first.gift")]
    assert [s for _, s in rows] == ["saved", "checked", "checked", "checked"]
    assert "checked, not saved" in page and "error to fix" in page and "Open the bank" in page
    assert page.count(">Discard<") == 3  # a saved upload is a bank now
    # B sees none of A's uploads and cannot discard one.
    assert "first.gift" not in b.get("/teach/imports").get_data(as_text=True)
    first = jobs["first.gift"].id
    assert b.post(f"/teach/imports/{first}/discard", data={"csrf_token": token(b)}).status_code == 404
    # A discards one, from the list or from its own page: gone, no bank changed.
    assert "Discard this upload" in a.get(f"/teach/imports/{first}").get_data(as_text=True)
    banks = count(app, Bank)
    assert a.post(f"/teach/imports/{first}/discard", data={"csrf_token": token(a)}).status_code == 302
    assert count(app, ImportJob, ImportJob.id == first) == 0 and count(app, Bank) == banks
    assert a.get(f"/teach/imports/{first}").status_code == 404
    # A saved one is not discarded: its bank stays.
    refused = a.post(f"/teach/imports/{jobs['kept.gift'].id}/discard", data={"csrf_token": token(a)})
    assert refused.status_code == 409 and "saved" in refused.get_data(as_text=True)


def test_an_upload_a_worker_holds_is_not_discarded(app, site):
    a = browser(app, "a@example.com")
    app.config["IMPORT_RUNNER"] = "queue"  # stays queued: nobody runs it
    url = a.post("/teach/upload", data={"csrf_token": token(a), "fmt": "auto",
                                        "file": (io.BytesIO(b"::q::Two? {=2 ~3}\n"), "held.gift")},
                 content_type="multipart/form-data").headers["Location"]
    job_id = int(url.rsplit("/", 1)[1])
    with app.app_context():
        from quizapp.services.jobs import claim

        assert claim("a-worker:1:x", NOW) == job_id
    refused = a.post(f"/teach/imports/{job_id}/discard", data={"csrf_token": token(a)})
    assert refused.status_code == 409 and "being checked right now" in refused.get_data(as_text=True)
    assert count(app, ImportJob, ImportJob.id == job_id) == 1


# -- classes -----------------------------------------------------------------------------------------
def test_a_class_is_renamed_archived_read_only_restored_and_deleted(app, site):
    study(app, site["s"])
    a, s = browser(app, "a@example.com"), browser(app, "s@example.com")
    url = f"/teach/classes/{site['class']}"
    assert a.post(url + "/rename", data={"csrf_token": token(a), "name": "Maths 7B"}).status_code == 302
    assert "<h1>Maths 7B</h1>" in a.get(url).get_data(as_text=True)
    assert a.post(url + "/rename", data={"csrf_token": token(a), "name": ""}).status_code == 400
    # Archived: read-only, its statistics kept, its banks out of its students' study, nobody joins.
    assert a.post(url + "/archive", data={"csrf_token": token(a)}).status_code == 302
    page = a.get(url).get_data(as_text=True)
    assert "Archived" in page and "Assign bank" not in page and "Rename class" not in page
    assert a.get(url + "/progress").status_code == 200
    assert a.post(url + "/assign", data={"csrf_token": token(a), "bank": site["bank"]}).status_code == 409
    assert a.post(url + "/code", data={"csrf_token": token(a)}).status_code == 409
    assert "Algebra basics" not in s.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.delete(db.session.scalar(select(Membership)))
        db.session.commit()
    rejoin = s.post("/join", data={"csrf_token": token(s), "code": site["code"]})
    assert rejoin.status_code == 400 and "is archived" in rejoin.get_data(as_text=True)
    assert "0 students · archived" in a.get("/teach/").get_data(as_text=True)
    # Restored: open again.
    assert a.post(url + "/restore", data={"csrf_token": token(a)}).status_code == 302
    assert s.post("/join", data={"csrf_token": token(s), "code": site["code"]}).status_code == 302
    assert "Algebra basics" in s.get("/").get_data(as_text=True)
    # Deleted, after asking: roster and assignments go; the student's own progress stays.
    asked = a.get(url + "/delete").get_data(as_text=True)
    assert "Delete Maths 7B?" in asked and "1 student" in asked and "archive the class instead" in asked
    assert a.post(url + "/delete", data={"csrf_token": csrf_from(asked)}).status_code == 302
    assert a.get(url).status_code == 404 and count(app, Membership) == 0 and count(app, ReviewLog) == 1
    assert "Maths 7B" not in a.get("/teach/").get_data(as_text=True)


def test_the_class_page_offers_only_unassigned_banks_and_changes_a_due_date(app, site):
    a = browser(app, "a@example.com")
    url = f"/teach/classes/{site['class']}"
    page = a.get(url).get_data(as_text=True)
    dropdown = page[page.index('<select id="bank"'):].split("</select>", 1)[0]
    assert "Algebra basics" not in dropdown and "History (built-in)" in dropdown
    # The assigned bank's own date form changes its due date.
    assert a.post(url + "/assign", data={"csrf_token": csrf_from(page), "bank": site["bank"],
                                         "due": "2031-01-15"}).status_code == 302
    assert "due 2031-01-15" in a.get(url).get_data(as_text=True)
    with app.app_context():
        history = db.session.scalar(select(Bank.id).where(Bank.slug == "history"))
    a.post(url + "/assign", data={"csrf_token": csrf_from(page), "bank": history})
    page = a.get(url).get_data(as_text=True)
    assert "Every bank you can assign is assigned already." in page


def test_a_student_leaves_a_class_and_cannot_leave_one_they_are_not_in(app, site, make_user):
    s = browser(app, "s@example.com")
    page = s.get("/join").get_data(as_text=True)
    assert "Maths 7" in page and f'action="/classes/{site["class"]}/leave"' in page
    make_user("other@example.com")
    other = browser(app, "other@example.com")
    assert other.post(f"/classes/{site['class']}/leave", data={"csrf_token": token(other)}).status_code == 404
    a = browser(app, "a@example.com")  # the teacher is not a member either
    assert a.post(f"/classes/{site['class']}/leave", data={"csrf_token": token(a)}).status_code == 404
    assert count(app, Membership) == 1
    left = s.post(f"/classes/{site['class']}/leave", data={"csrf_token": csrf_from(page)})
    assert left.status_code == 302
    after = s.get("/join").get_data(as_text=True)
    assert "You left Maths 7" in after and 'id="my-classes"' not in after
    assert "Algebra basics" not in s.get("/").get_data(as_text=True)
    assert count(app, Membership) == 0
    assert "Sam Student" not in a.get(f"/teach/classes/{site['class']}").get_data(as_text=True)


@pytest.mark.parametrize("way", ["register", "login"])
def test_a_join_link_survives_registering_or_logging_in(app, client, site, make_user, way):
    link = client.get(f"/join/{site['code'].lower()}")
    assert link.status_code == 302 and link.headers["Location"].startswith("/login")
    login_page = client.get(link.headers["Location"]).get_data(as_text=True)
    assert "you will join the class at once" in login_page
    assert "Maths 7" not in login_page  # the class is named only once signed in
    if way == "register":
        done = AuthActions(client).register("newbie@example.com", name="Nia New")
    else:
        make_user("old@example.com", name="Olly Old")
        done = AuthActions(client).login("old@example.com")
    assert done.status_code == 302
    home = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "You joined Maths 7." in home and "Algebra basics" in home
    assert count(app, Membership) == 2
    # The code is used once: a later login joins nothing more.
    AuthActions(client).logout()
    assert "You joined" not in client.get(AuthActions(client).login(
        "newbie@example.com" if way == "register" else "old@example.com").headers["Location"]).get_data(as_text=True)


def test_a_join_link_to_an_unknown_class_says_so_after_logging_in(app, client, site, make_user):
    make_user("old@example.com")
    client.get("/join/NOPENOPE")
    done = AuthActions(client).login("old@example.com")
    assert "no longer works" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert count(app, Membership) == 1


def test_assignments_against_their_due_dates_late_ones_first(app, site, make_user):
    """Two students, a bank due yesterday: one finished it on time, one has not (late, listed first)."""
    make_user("tia@example.com", name="Tia Two")
    t = browser(app, "tia@example.com")
    t.post("/join", data={"csrf_token": token(t), "code": site["code"]})
    with app.app_context():
        from datetime import timedelta

        from quizapp.models import Assignment

        assignment = db.session.scalar(select(Assignment))
        assignment.due_at = NOW + timedelta(days=1)
        db.session.commit()
    for key in ("sum", "square"):
        study(app, site["s"], key=key)  # Sam: both cards, before the due date
    a = browser(app, "a@example.com")
    page = a.get(f"/teach/classes/{site['class']}/progress").get_data(as_text=True)
    rows = re.findall(r'<tr data-student="(\d+)" data-bank="\d+" data-state="([\w ]+)">', page)
    with app.app_context():
        tia = db.session.scalar(select(User.id).where(User.email == "tia@example.com"))
    assert rows == [(str(tia), "late"), (str(site["s"]), "done")]
    assert "done on time" in page and "1 of 2 done on time" in page and "1 late" in page
