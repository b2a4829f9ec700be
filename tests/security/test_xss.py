"""Stored and reflected XSS: script payloads in every field a user fills, rendered on every page that
shows that field, never run.

The payloads: ``<script>alert(1)</script>``, ``<img src=x onerror=alert(1)>``, ``"><svg onload=alert(1)>``
(an attribute break-out) and ``javascript:alert(1)`` links. They go into user names (register and
profile), class names, join codes, a bank's title, description, source title and question fields
(an upload in native YAML with format html, markdown and plain), document and upload file names,
a learner's typed answer, query parameters (?bank=, ?page=, ?table=, next=) and paths of error pages.

``live_script`` parses a page as a browser would (html.parser) and lists what could run: a script
element other than the app's own files under /static/, an on* attribute, a javascript:, vbscript: or
data:text/html URL, srcdoc, or a frame/object/embed/base element. Every page must give an empty
list. Where a page shows the value as text, ``shows_escaped`` also checks the same page with its
character references decoded would run script: the payload did reach the page, and the detector
would catch it if the escaping were missing.
"""
from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Classroom, ImportJob, User
from tests.conftest import PASSWORD, AuthActions, csrf_from
from tests.security.world import token, upload, upload_and_save

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOAD = SCRIPT + IMG + SVG  # 77 characters: fits a user name (80)
LINK = f'<a href="{JS_URL}">a link</a>'

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
                  "srcset", "ping"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def script_url(value: str) -> bool:
    """Browsers drop ASCII whitespace and control characters inside a URL's scheme."""
    squeezed = "".join(ch for ch in value if ord(ch) > 0x20).lower()
    return squeezed.startswith(SCRIPT_SCHEMES)


class _Live(HTMLParser):
    """What would run in a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            self.in_script = True
            src = values.get("src") or ""
            if not src.startswith("/static/"):
                self.found.append(f"<script src={src!r}>")
        if tag in ("iframe", "frame", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name == "srcdoc" or (name in URL_ATTRIBUTES and script_url(value)):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif tag == "meta" and name == "content" and "url=" in value.lower() and \
                    script_url(value.lower().split("url=", 1)[1]):
                self.found.append(f"<meta content={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def live_script(page: str) -> list[str]:
    parser = _Live()
    parser.feed(page)
    parser.close()
    return parser.found


def shows_escaped(page: str) -> bool:
    """The page holds a payload as text: decoding its character references makes it live."""
    return bool(live_script(html.unescape(page)))


class Pages:
    """Pages to check, with a label each; ``echo`` marks those that must show a payload as text."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.count = 0

    def check(self, label: str, response, echo: bool = False, status: int | tuple[int, ...] = 200) -> str:
        statuses = (status,) if isinstance(status, int) else status
        page = response.get_data(as_text=True)
        self.count += 1
        if response.status_code not in statuses:
            self.problems.append(f"{label}: status {response.status_code}")
        if found := live_script(page):
            self.problems.append(f"{label}: live {found}")
        if echo and not shows_escaped(page):
            self.problems.append(f"{label}: the payload is not on the page (the check would prove nothing)")
        return page

    def done(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


# -- the detector -----------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [SCRIPT, IMG, SVG, LINK, f"<iframe srcdoc='{SCRIPT}'>",
                                     '<a href="&#106;ava&#x09;script:alert(1)">x</a>',
                                     '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'])
def test_the_detector_finds_each_payload_when_live(payload):
    assert live_script(f"<p>{payload}</p>")
    assert live_script(f"<p>{html.escape(payload)}</p>") == []
    assert live_script(f'<input value="{html.escape(payload)}">') == []
    assert shows_escaped(f"<p>{html.escape(payload)}</p>")


def test_the_detector_finds_an_attribute_break_out():
    assert live_script(f'<input value="{SVG}">') == ["<svg onload='alert(1)'>"]
    assert live_script(f'<input value="{html.escape(SVG)}">') == []
    assert shows_escaped(f'<input value="{html.escape(SVG)}">')


def test_the_apps_own_script_file_is_not_a_finding(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<script src="/static/js/app\.js\?v=[0-9a-f]+" defer></script>', page)  # fingerprinted
    assert live_script(page) == []
    assert live_script(page.replace("</main>", f"{SCRIPT}</main>")) == ["<script src=''>", "inline script 'alert(1)'"]


# -- stored: names, classes, join codes --------------------------------------------------------------

def register(app, email: str, name: str, **extra):
    browser = app.test_client()
    response = AuthActions(browser).register(email=email, name=name, **extra)
    return browser, response


def test_names_and_class_names_render_inert_for_everyone_who_sees_them(app):
    pages = Pages()
    # A failed registration shows the name back in its field.
    browser = app.test_client()
    failed = AuthActions(browser).register(email="x@example.com", name=PAYLOAD, password="short")
    pages.check("register with errors", failed, echo=True, status=400)

    teacher, response = register(app, "teacher@example.com", PAYLOAD, invite_code="teach-me")
    assert response.status_code == 302
    pages.check("teacher's home after register (welcome flash)", teacher.get("/"), echo=True)
    pages.check("account page", teacher.get("/account"), echo=True)
    created = teacher.post("/teach/classes/new", data={"csrf_token": token(teacher), "name": PAYLOAD + LINK})
    assert created.status_code == 302
    class_url = created.headers["Location"]
    pages.check("class page with its flash", teacher.get(class_url), echo=True)
    pages.check("teach index", teacher.get("/teach/"), echo=True)
    pages.check("new class form refused", teacher.post("/teach/classes/new", data={
        "csrf_token": token(teacher), "name": PAYLOAD * 2}), echo=True, status=400)
    with app.app_context():
        code = db.session.scalar(select(Classroom.join_code))

    student, response = register(app, "student@example.com", PAYLOAD)
    assert response.status_code == 302
    pages.check("join page with a code in the path", student.get("/join/" + quote(SVG + IMG, safe="")), echo=True)
    pages.check("join with a wrong code", student.post("/join", data={"csrf_token": token(student),
                                                                      "code": SVG + IMG}), echo=True, status=400)
    joined = student.post("/join", data={"csrf_token": token(student), "code": code}, follow_redirects=True)
    pages.check("study page after joining (flash with the class name)", joined, echo=True)
    pages.check("join page listing the class and its teacher", student.get("/join"), echo=True)
    renamed = student.post("/account/profile", data={"csrf_token": token(student), "name": SVG + IMG,
                                                     "timezone": "UTC", "day_start_hour": "4"},
                           follow_redirects=True)
    pages.check("account after renaming", renamed, echo=True)
    # Refused for its length (the profile has the name only; time zone and day start are study settings).
    pages.check("profile refused with the name echoed", student.post("/account/profile", data={
        "csrf_token": token(student), "name": PAYLOAD + "x" * 10}),
        echo=True, status=400)
    pages.check("roster as the teacher sees it", teacher.get(class_url), echo=True)
    pages.check("the class's progress", teacher.get(class_url + "/progress"), echo=True)
    with app.app_context():
        student_id = db.session.scalar(select(User.id).where(User.email == "student@example.com"))
    pages.check("a student's dashboard as the teacher sees it", teacher.get(f"{class_url}/students/{student_id}"),
                echo=True)
    assert "&lt;svg onload=alert(1)&gt;" in teacher.get(class_url).get_data(as_text=True)
    pages.done()


# -- stored: a bank uploaded in every text format ----------------------------------------------------

DOCUMENT_TEXT = f"Notes. The vault {SCRIPT} opens at dawn, said the memo."
BANK = f"""bank: 1
id: xss-bank
title: '{PAYLOAD}'
description: '{PAYLOAD} {JS_URL}'
sources:
  memo: {{title: '{PAYLOAD}', file: memo.txt}}
questions:
  - id: html-q
    type: multiple_choice
    format: html
    prompt: '<p>Pick {LINK} {IMG} {SCRIPT} {SVG}</p>'
    choices: ['<b onmouseover="alert(1)">Alpha</b>', 'Beta {IMG}']
    answer: '<b onmouseover="alert(1)">Alpha</b>'
    explanation: '<a href="{JS_URL}">why</a>{SCRIPT}'
  - id: md-q
    type: flashcard
    format: markdown
    front: 'Front [md link]({JS_URL}) {SCRIPT} {IMG}'
    back: 'Back {SVG} <a href="{JS_URL}">x</a>'
  - id: plain-q
    type: short_answer
    prompt: '{PAYLOAD} {JS_URL}'
    answers: ['{SVG}']
    explanation: '{PAYLOAD}'
    source: memo
    evidence: 'The vault {SCRIPT} opens'
"""
# No '/' (a file name keeps only what follows the last one) and no '"' (browsers send it as %22).
EVIL_DOCUMENT = IMG + ".txt"


@pytest.fixture
def bank_site(app, make_user):
    """A teacher who uploaded the bank (one upload left unsaved) and a student of a class it is assigned to."""
    make_user("teacher@example.com", role="teacher", name="Teacher")
    make_user("student@example.com", name="Student")
    teacher, student = app.test_client(), app.test_client()
    AuthActions(teacher).login("teacher@example.com")
    AuthActions(student).login("student@example.com")
    return teacher, student


def study_everything(student, pages: Pages, bank_id: int) -> None:
    """Answers every card of the bank once (the plain question with a payload as the answer)."""
    seen = set()
    for _ in range(6):
        card = student.get(f"/study?bank={bank_id}")
        page = card.get_data(as_text=True)
        if 'name="question_id"' not in page:
            break
        form = {k: re.search(rf'name="{k}" value="([^"]*)"', page).group(1)
                for k in ("csrf_token", "question_id", "ordinal", "client_id")}
        kind = re.search(r'data-type="(\w+)"', page).group(1)
        seen.add(kind)
        pages.check(f"study card ({kind})", card, echo=kind != "multiple_choice")
        if kind == "flashcard":
            pages.check("flashcard revealed", student.get("/study?reveal=1"), echo=True)
            form["rating"] = "3"
        answer = {"short_answer": PAYLOAD, "multiple_choice": "Beta " + IMG}.get(kind, "")
        done = student.post("/study/answer", data={**form, "answer": answer}, follow_redirects=True)
        pages.check(f"feedback ({kind})", done, echo=kind != "multiple_choice")
    assert seen == {"multiple_choice", "flashcard", "short_answer"}


def test_a_bank_in_html_markdown_and_plain_text_renders_inert_everywhere(app, bank_site):
    teacher, student = bank_site
    pages = Pages()
    refused = upload(teacher, "::q::x? {=a ~b}\n", "q.gift")
    assert refused.status_code == 302
    bad_document = teacher.post("/teach/upload", data={
        "csrf_token": token(teacher), "fmt": "auto", "file": (io.BytesIO(BANK.encode()), "bank.yaml"),
        "documents": [(io.BytesIO(b"x"), IMG + ".pdf")]}, content_type="multipart/form-data")
    pages.check("upload refused, naming the document", bad_document, echo=True, status=400)

    unsaved = upload(teacher, BANK, IMG + ".yaml", {"memo.txt": DOCUMENT_TEXT, EVIL_DOCUMENT: "text"})
    pages.check("preview of the upload", teacher.get(unsaved.headers["Location"]), echo=True)
    pages.check("preview, a page number that is a payload",
                teacher.get(unsaved.headers["Location"] + "?page=" + quote(PAYLOAD)), echo=True)
    pages.check("teach index listing the unsaved upload", teacher.get("/teach/"), echo=True)
    upload_and_save(teacher, BANK, "xss-bank.yaml", {"memo.txt": DOCUMENT_TEXT, EVIL_DOCUMENT: "text"})
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == "xss-bank"))
    added = teacher.post("/teach/banks/xss-bank/documents", data={
        "csrf_token": token(teacher), "documents": [(io.BytesIO(b"more"), "'><svg onload=alert(1)>.md")]},
        content_type="multipart/form-data", follow_redirects=True)
    pages.check("bank page with the 'Added' flash", added, echo=True)
    bank_page = pages.check("bank page", teacher.get("/teach/banks/xss-bank"), echo=True)
    assert html.escape(EVIL_DOCUMENT, quote=False) in bank_page  # the document name, shown as text
    for key in ("html-q", "md-q", "plain-q"):
        pages.check(f"edit form of {key}", teacher.get(f"/teach/banks/xss-bank/questions/{key}/edit"), echo=True)
    pages.check("item analysis", teacher.get("/teach/banks/xss-bank/stats"), echo=True)

    created = teacher.post("/teach/classes/new", data={"csrf_token": token(teacher), "name": "History"})
    class_url = created.headers["Location"]
    teacher.post(class_url + "/assign", data={"csrf_token": token(teacher), "bank": bank_id})
    pages.check("class page with the bank assigned", teacher.get(class_url), echo=True)
    with app.app_context():
        code = db.session.scalar(select(Classroom.join_code))
    student.post("/join", data={"csrf_token": token(student), "code": code})
    pages.check("student's home", student.get("/"), echo=True)
    study_everything(student, pages, bank_id)
    quiz = student.post("/quiz", data={"csrf_token": token(student), "bank": bank_id, "size": "5"})
    for _ in range(3):
        item = student.get(quiz.headers["Location"])
        page = pages.check("quiz", item)
        if 'name="position"' not in page:
            break
        position = re.search(r'name="position" value="(\d+)"', page).group(1)
        student.post(quiz.headers["Location"] + "/answer", data={
            "csrf_token": csrf_from(page), "position": position, "answer": PAYLOAD})
    pages.check("quiz result with the answers given", student.get(quiz.headers["Location"]), echo=True)
    pages.check("progress page", student.get("/progress"), echo=True)
    pages.check("leeches page", student.get("/study/leeches"))
    pages.check("quiz form listing the bank", student.get("/quiz"), echo=True)
    with app.app_context():
        assert db.session.scalar(select(ImportJob.filename).where(ImportJob.status != "saved")) is not None
    assert pages.count >= 25
    pages.done()


# -- reflected: query parameters, paths and error pages ------------------------------------------------

REFLECTED = [PAYLOAD, JS_URL, LINK, "'" + SVG]


@pytest.mark.parametrize("payload", REFLECTED)
def test_query_parameters_and_error_pages_never_run_what_they_echo(app, client, make_user, payload):
    make_user("teacher@example.com", role="teacher")
    pages = Pages()
    q = quote(payload, safe="")
    segment = quote(payload.replace("/", ""), safe="")  # a path segment: an encoded '/' would split it
    pages.check("login page with next=", client.get(f"/login?next={q}"))
    pages.check("404 page for a path", client.get("/" + q), status=404)
    pages.check("404 page, JSON not asked", client.get(f"/static/{q}"), status=404)
    logged_in = client.post(f"/login?next={q}", data={"csrf_token": token(client), "email": "teacher@example.com",
                                                      "password": PASSWORD})
    location = logged_in.headers["Location"]
    assert logged_in.status_code == 302 and not script_url(location) and location.startswith("/")
    assert not location.startswith("//")
    checks = [
        ("study with ?bank=", f"/study?bank={q}", 200), ("home with ?bank=", f"/?bank={q}", 200),
        ("study with ?reveal=", f"/study?reveal={q}", 200),
        ("progress CSV with ?table=", f"/progress.csv?table={q}", 404),
        ("progress with ?table=", f"/progress?table={q}", 200), ("join code in the path", f"/join/{segment}", 200),
        ("bank slug", f"/teach/banks/{segment}", 404),
        ("question type", f"/teach/banks/{segment}/questions/new/{segment}", 404),
        ("export format", f"/teach/banks/{segment}/export/{segment}", 404),
        ("import page", f"/teach/imports/{segment}", 404), ("study card action", f"/study/card/1/0/{segment}", 405),
    ]
    for label, url, status in checks:
        pages.check(label, client.get(url), status=status)
    pages.check("CSRF refusal", client.post("/join", data={"code": payload}), status=400)
    code = payload[:32]  # the field's limit; echoed in the field's value, which only '">' could leave
    pages.check("join with the code", client.post("/join", data={"csrf_token": token(client), "code": code}),
                echo=SVG in code, status=400)
    pages.done()
