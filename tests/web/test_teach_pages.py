"""Teachers in the browser, without script: upload with preview and fixes, edit, export, classes."""
from __future__ import annotations

import io
import re
import threading
import time
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from quizapp.banks import formats
from quizapp.extensions import db
from quizapp.models import Bank, Card, Document, ImportJob, Question, ReviewLog
from tests.answers import fill_card_form
from tests.conftest import AuthActions, csrf_from

GIFT_WITH_TWO_ERRORS = """::capital::Where did Mao travel in December 1949? {=Moscow ~Beijing ~Warsaw}

::year::In which year was the PRC proclaimed? {#19x49}

::tf::The treaty was signed in 1950. {TRUE}

::who::Who led the KMT? {~Chiang ~Mao}
"""
GIFT_FIXED = GIFT_WITH_TWO_ERRORS.replace("#19x49", "#1949").replace("{~Chiang ~Mao}", "{=Chiang ~Mao}")


def upload(client, data: bytes | str, filename="history.gift", documents=()):
    token = csrf_from(client.get("/teach/upload").get_data(as_text=True))
    payload = {"csrf_token": token, "fmt": "auto",
               "file": (io.BytesIO(data.encode() if isinstance(data, str) else data), filename)}
    if documents:
        payload["documents"] = [(io.BytesIO(text.encode()), name) for name, text in documents]
    return client.post("/teach/upload", data=payload, content_type="multipart/form-data")


def job_page(client, response) -> tuple[str, str]:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def save(client, url: str):
    page = client.get(url).get_data(as_text=True)
    return client.post(url + "/save", data={"csrf_token": csrf_from(page)})


def test_upload_shows_every_error_with_its_line_then_fix_in_the_page_and_save(app, teacher):
    url, page = job_page(teacher, upload(teacher, GIFT_WITH_TWO_ERRORS))
    assert "2 errors to fix" in page
    assert re.search(r"line 3</strong>(?:</a>)?\s*question <code>year</code>", page)
    assert re.search(r"line 7</strong>(?:</a>)?\s*question <code>who</code>", page)
    # The questions that did parse are previewed already; nothing is in the database yet.
    assert "Where did Mao travel in December 1949?" in page and "Save 2" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0
    # Saving now is refused: nothing half-written.
    refused = save(teacher, url)
    assert refused.status_code == 409
    errors = teacher.get(url + "/errors.txt")
    assert errors.mimetype == "text/plain" and "attachment" in errors.headers["Content-Disposition"]
    assert errors.get_data(as_text=True).splitlines()[0].startswith("history.gift:3: question 'year'")

    # Fix the text in the page and check again.
    checked = teacher.post(url + "/recheck", data={"csrf_token": csrf_from(page), "text": GIFT_FIXED})
    url2, page2 = job_page(teacher, checked)
    assert url2 == url and "No errors" in page2 and "Save 4 questions" in page2  # the same upload, checked again
    saved = save(teacher, url2)
    assert saved.status_code == 302
    bank_page = teacher.get(saved.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "4 added" in bank_page and "Who led the KMT?" in bank_page
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        assert bank.slug == "history" and not bank.builtin and len(bank.questions) == 4


def test_a_failed_save_leaves_nothing_behind(app, teacher, monkeypatch):
    from quizapp.services import imports

    url, _ = job_page(teacher, upload(teacher, GIFT_FIXED, documents=[("doc.txt", "Some text.")]))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "save_documents", broken)  # fails after the questions were added
    save(teacher, url)
    page = teacher.get(url).get_data(as_text=True)
    assert "Nothing was saved" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0
        assert db.session.get(ImportJob, int(url.rsplit("/", 1)[1])).status == "failed"


def test_upload_through_the_job_queue_reports_progress_until_checked(app, client, make_user):
    from quizapp.services.jobs import Worker

    assert app.config["IMPORT_RUNNER"] == "queue"  # the default
    make_user("teacher@example.com", role="teacher")
    AuthActions(client).login("teacher@example.com")
    many = "\n\n".join(f"::q{i}::Question {i}? {{=right ~wrong}}" for i in range(1200))
    url, page = job_page(client, upload(client, many, filename="many.gift"))
    assert "Waiting to start" in page  # no worker yet: the job waits in the database
    worker = Worker(app, threads=1, poll=0.05)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    seen = []
    try:
        for _ in range(400):
            status = client.get(url + "/status.json").get_json()
            seen.append((status["status"], status["done"]))
            if status["status"] == "checked":
                break
            time.sleep(0.05)
    finally:
        worker.stop.set()
        thread.join(10)
    assert seen[-1][0] == "checked" and status["total"] == 1200 and status["done"] == 1200
    page = client.get(url).get_data(as_text=True)
    assert "Save 1200 questions" in page and "Page 1 of 12" in page
    shown = 'class="preview-prompt">Question {}?'
    assert shown.format(0) in page and shown.format(100) not in page
    assert shown.format(100) in client.get(url + "?page=2").get_data(as_text=True)


def test_quotes_are_checked_against_uploaded_documents_and_shown_in_context(app, teacher, make_user):
    native = """bank: 1
id: treaty
title: The treaty
sources:
  memo: {title: A memo, file: memo.md}
questions:
  - id: signed
    type: true_false
    prompt: The treaty was signed in 1950.
    answer: true
    source: memo
    evidence: "signed the treaty   in February 1950"
  - id: invented
    type: true_false
    prompt: Stalin visited Beijing.
    answer: false
    source: memo
    evidence: "Stalin flew to Beijing in 1951"
"""
    memo = "# Memo\n\nAfter long talks, the two sides signed the treaty in February 1950, in Moscow.\n\nLater."
    url, page = job_page(teacher, upload(teacher, native, filename="treaty.yaml", documents=[("memo.md", memo)]))
    assert "No errors" in page and "1 note" in page
    assert re.search(r"question <code>invented</code>\s*field <code>evidence</code>:\s*evidence not found verbatim",
                     page)
    assert "Save 2 questions" in page  # flagged, not blocked: the teacher decides
    save(teacher, url)
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        assert [d.name for d in db.session.scalars(select(Document))] == ["memo.md"]
        bank_id = bank.id
    # A student of a class with this bank sees the quote in its paragraph after answering.
    make_user("student@example.com")
    student = app.test_client()
    AuthActions(student).login("student@example.com")
    _assign_to_new_class(teacher, student, bank_id)
    card = student.get(f"/study?bank={bank_id}").get_data(as_text=True)
    form = {k: re.search(rf'name="{k}" value="([^"]*)"', card).group(1)
            for k in ("csrf_token", "question_id", "ordinal", "client_id")}
    answered = student.post("/study/answer", data={**form, "answer": "true"}, follow_redirects=True)
    feedback = answered.get_data(as_text=True)
    assert ('<blockquote class="quote-context">… After long talks, the two sides <mark>signed the treaty in '
            'February 1950</mark>, in Moscow. …</blockquote>') in feedback


def test_the_preview_shows_lint_findings_as_notes_that_do_not_block_saving(app, teacher):
    native = """bank: 1
id: lint-me
title: Giveaways
questions:
  - id: giveaway
    type: short_answer
    prompt: Which city, Moscow, did Mao visit in 1949?
    answers: [Moscow]
  - id: dated
    type: ordering
    prompt: Put these in order.
    items: [Mao visits Moscow (1949), The treaty is signed (1950), Stalin dies (1953)]
  - id: one-form
    type: short_answer
    prompt: Which campaign did Mao launch in 1958?
    answers: [Great Leap Forward]
"""
    url, page = job_page(teacher, upload(teacher, native, filename="lint.yaml"))
    assert "No errors, 3 notes" in page and "Save 3 questions" in page
    assert re.search(r'issue-warning"><span class="issue-level">warning</span>\s*(?:<a [^>]*>)?'
                     r'<strong>line 5</strong>(?:</a>)?\s*'
                     r"question <code>giveaway</code>\s*field <code>prompt</code>:\s*the prompt contains the "
                     r"accepted answer &#39;Moscow&#39;", page)
    assert re.search(r'issue-warning"><span class="issue-level">warning</span>\s*(?:<a [^>]*>)?'
                     r'<strong>line 9</strong>(?:</a>)?\s*'
                     r"question <code>dated</code>\s*field <code>items</code>:\s*every item carries a year", page)
    assert re.search(r'issue-notice"><span class="issue-level">notice</span>\s*(?:<a [^>]*>)?'
                     r'<strong>line 13</strong>(?:</a>)?\s*'
                     r"question <code>one-form</code>\s*field <code>answers</code>:\s*the only accepted answer", page)
    report = teacher.get(url + "/errors.txt").get_data(as_text=True)
    assert "lint.yaml:5: question 'giveaway' field 'prompt': the prompt contains the accepted answer " \
           "'Moscow'  [warning]" in report
    assert save(teacher, url).status_code == 302  # the teacher decides


class _Dangers(HTMLParser):
    """Collects what would run in a browser: script elements, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append("<script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value and \
                    value.strip().lower().replace("\t", "").startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def live_script(html: str) -> list[str]:
    parser = _Dangers()
    parser.feed(html)
    return parser.found


def _assign_to_new_class(teacher, student, bank_id: int) -> str:
    page = teacher.get("/teach/classes/new").get_data(as_text=True)
    created = teacher.post("/teach/classes/new", data={"csrf_token": csrf_from(page), "name": "History 9B"})
    class_url = created.headers["Location"]
    class_page = teacher.get(class_url).get_data(as_text=True)
    code = re.search(r'data-testid="join-code">([A-Z0-9]+)<', class_page).group(1)
    assigned = teacher.post(class_url + "/assign", data={"csrf_token": csrf_from(class_page), "bank": bank_id,
                                                         "due": "2030-06-01"})
    assert assigned.status_code == 302
    join = student.get(f"/join/{code.lower()}").get_data(as_text=True)
    joined = student.post("/join", data={"csrf_token": csrf_from(join), "code": code[:4] + "-" + code[4:]})
    assert joined.status_code == 302
    return class_url


def test_class_join_and_study_an_assigned_bank(app, teacher, make_user):
    url, _ = job_page(teacher, upload(teacher, GIFT_FIXED))
    save(teacher, url)
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id))
    make_user("student@example.com", name="Sam")
    student = app.test_client()
    AuthActions(student).login("student@example.com")
    assert bank_id and "History 9B" not in student.get("/").get_data(as_text=True)
    # Before joining, the teacher's bank is not the student's to study.
    assert "Where did Mao travel" not in student.get(f"/study?bank={bank_id}").get_data(as_text=True)
    class_url = _assign_to_new_class(teacher, student, bank_id)
    home = student.get("/").get_data(as_text=True)
    assert "from History 9B, due 2030-06-01" in home
    roster = teacher.get(class_url).get_data(as_text=True)
    assert "Sam" in roster and "student@example.com" in roster
    study = student.get(f"/study?bank={bank_id}").get_data(as_text=True)
    assert any(p in study for p in ("Where did Mao travel", "PRC proclaimed", "treaty was signed", "led the KMT"))
    # A wrong code is a clear 400, not a crash.
    page = student.get("/join").get_data(as_text=True)
    wrong = student.post("/join", data={"csrf_token": csrf_from(page), "code": "NOPE-NOPE"})
    assert wrong.status_code == 400 and "No class has this code" in wrong.get_data(as_text=True)


def test_edit_a_question_by_the_loaders_rules(app, teacher, make_user):
    url, _ = job_page(teacher, upload(teacher, GIFT_FIXED))
    save(teacher, url)
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        slug, bank_id = bank.slug, bank.id
    make_user("student@example.com")
    student = app.test_client()
    AuthActions(student).login("student@example.com")
    _assign_to_new_class(teacher, student, bank_id)
    # The student answers every card once.
    for _ in range(4):
        card = student.get(f"/study?bank={bank_id}").get_data(as_text=True)
        student.post("/study/answer", data=fill_card_form(card))

    edit_url = f"/teach/banks/{slug}/questions/capital/edit"
    form_page = teacher.get(edit_url).get_data(as_text=True)
    assert "Moscow\nBeijing\nWarsaw" in form_page  # the choices, one per line: a form for this type
    base = {"csrf_token": csrf_from(form_page), "key": "capital", "f_prompt": "Where did Mao go in 1949?",
            "f_choices": "Moscow\nBeijing\nWarsaw", "f_answer": "Moscow", "source": "", "difficulty": ""}
    # Same answer, new wording: progress kept.
    assert teacher.post(edit_url, data=base).status_code == 302
    # A right answer that is not among the choices: refused with the field named.
    bad = teacher.post(edit_url, data={**base, "f_answer": "Paris"})
    assert bad.status_code == 400 and 'id="f_answer-error"' in bad.get_data(as_text=True)
    # A new right answer: asked first, with how many learners restart; nothing saved yet.
    changed = {**base, "f_choices": "Moscow\nBeijing", "f_answer": "Beijing"}
    asked = teacher.post(edit_url, data=changed)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Its right answer changes: on saving, 1 learner starts this question afresh" in text
    with app.app_context():
        assert db.session.scalar(select(Question.version).where(Question.key == "capital")) == 1
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', text).group(1)
    # Confirmed: everyone's card for it starts fresh, history kept.
    assert teacher.post(edit_url, data={**changed, "confirm": confirm}).status_code == 302
    with app.app_context():
        q = db.session.scalar(select(Question).where(Question.key == "capital"))
        assert q.data["prompt"] == "Where did Mao go in 1949?" and q.version == 2
        card = db.session.scalar(select(Card).where(Card.question_id == q.id))
        assert card.reps == 0 and card.state == 0
        assert db.session.scalar(select(func.count()).select_from(ReviewLog).where(ReviewLog.card_id == card.id)) == 1
    # Delete: retired, hidden from the bank page, its history kept.
    page = teacher.get(f"/teach/banks/{slug}").get_data(as_text=True)
    assert teacher.post(f"/teach/banks/{slug}/questions/who/delete",
                        data={"csrf_token": csrf_from(page)}).status_code == 302
    with app.app_context():
        who = db.session.scalar(select(Question).where(Question.key == "who"))
        assert who.retired and db.session.scalar(select(func.count()).select_from(ReviewLog)) == 4
    assert "Who led the KMT?" not in teacher.get(f"/teach/banks/{slug}").get_data(as_text=True)

    # Add a question of another type with its own form.
    new_url = f"/teach/banks/{slug}/questions/new/matching"
    page = teacher.get(new_url).get_data(as_text=True)
    assert "One pair per line: left = right." in page
    added = teacher.post(new_url, data={"csrf_token": csrf_from(page), "key": "leaders", "f_prompt": "Match",
                                        "f_pairs": "Mao = PRC\nStalin = USSR", "source": "", "difficulty": ""})
    assert added.status_code == 302
    with app.app_context():
        q = db.session.scalar(select(Question).where(Question.key == "leaders"))
        assert q.data["pairs"] == [["Mao", "PRC"], ["Stalin", "USSR"]]


@pytest.mark.parametrize("fmt", ["yaml", "gift", "csv", "apkg"])
def test_export_reads_back_as_the_same_questions(app, teacher, fmt):
    url, _ = job_page(teacher, upload(teacher, GIFT_FIXED))
    save(teacher, url)
    response = teacher.get(f"/teach/banks/history/export/{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="history.')
    again = formats.parse(response.get_data(), f"history.{fmt}", fmt)
    assert again.ok, [str(e) for e in again.errors]
    prompts = {q.fields.get("prompt") or q.fields.get("front") for q in again.bank.questions}
    assert "Who led the KMT?" in prompts or any("Who led the KMT?" in str(p) for p in prompts)


def test_uploaded_script_renders_inert_in_preview_bank_page_and_study(app, teacher, make_user):
    evil = """bank: 1
id: evil
title: Evil
questions:
  - id: xss
    type: multiple_choice
    format: html
    prompt: 'Pick <script>alert(1)</script> one <img src=x onerror="alert(2)"> <a href="javascript:alert(3)">link</a>'
    choices: ['<b onmouseover="alert(4)">A</b>', 'B']
    answer: '<b onmouseover="alert(4)">A</b>'
    explanation: '<a href="javascript:alert(5)">why</a><script>alert(6)</script>'
  - id: plain
    type: flashcard
    front: '<script>alert(7)</script>'
    back: plain text
"""
    url, preview = job_page(teacher, upload(teacher, evil, filename="evil.yaml"))
    save(teacher, url)
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id))
    make_user("student@example.com")
    student = app.test_client()
    AuthActions(student).login("student@example.com")
    _assign_to_new_class(teacher, student, bank_id)
    pages = [preview, teacher.get("/teach/banks/evil").get_data(as_text=True),
             teacher.get("/teach/banks/evil/questions/xss/edit").get_data(as_text=True)]
    for _ in range(2):
        card = student.get(f"/study?bank={bank_id}").get_data(as_text=True)
        pages.append(card)
        form = {k: re.search(rf'name="{k}" value="([^"]*)"', card).group(1)
                for k in ("csrf_token", "question_id", "ordinal", "client_id")}
        pages.append(student.post("/study/answer", data={**form, "answer": "B"},
                                  follow_redirects=True).get_data(as_text=True))
    for page in pages:
        assert live_script(page.split("<main", 1)[1]) == []
    # The pages did show the question, sanitised: the image without its handler, the link without its URL.
    # (The preview has no bank media yet, so the bare image name is dropped: it would load a page path.)
    assert 'Pick  one <img> <a rel="noopener noreferrer nofollow">link</a>' in preview
    assert any('Pick  one <img src="/media/' in p for p in pages[3:])
    # And the detector finds the payloads when they are live.
    assert len(live_script(evil.split("prompt: ", 1)[1])) == 8
    # The plain-text flashcard shows its text as text.
    assert any("&lt;script&gt;alert(7)&lt;/script&gt;" in p for p in pages)


def test_an_upload_with_a_very_long_file_name_is_checked_not_a_500(app, teacher):
    """The upload's name is kept in a 255-character column: PostgreSQL refused longer ones (a 500)."""
    name = "x" * 400 + ".gift"
    url, page = job_page(teacher, upload(teacher, GIFT_FIXED, filename=name))
    assert "capital" in page or "Who led the KMT?" in page
