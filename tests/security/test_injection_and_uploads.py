"""SQL injection strings in every path argument of the URL map, every query parameter the app reads
and every id or filter field of its forms; and hostile uploads through /teach/upload.

Injection: each argument of each rule, one at a time, takes each string below while the others keep
the real ids of the owner (teacher A for teacher routes, student A for the rest: tests/security/world.py).
Every answer is a page or a 4xx, never a 5xx; no page shows data of teacher B or student B; afterwards
every table is still there with the same rows.

Uploads: a body over MAX_CONTENT_LENGTH is a 413 with the site's error page; a zip bomb and an .apkg
whose media names climb out of their folder are errors listed in the preview, cannot be saved, leave
no bank, question or image behind, and write no file anywhere.
"""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from quizapp.banks.apkg import dump_apkg
from quizapp.banks.limits import MB
from quizapp.banks.model import Bank as ParsedBank
from quizapp.banks.model import Question as ParsedQuestion
from quizapp.extensions import db
from quizapp.models import Bank, ImportJob, Media, Question
from tests.banks.test_limits import make_zip
from tests.conftest import AuthActions
from tests.factories import make_bank
from tests.security.test_authorization_matrix import snapshot
from tests.security.world import PNG, World, token, upload

INJECTIONS = ["' OR 1=1 --", "1; DROP TABLE users", "%' --", "1) UNION SELECT email, password_hash FROM users --"]
# Every query parameter the app reads (grep request.args), and a few it could be expected to.
QUERY = ("bank", "page", "table", "next", "reveal", "user", "user_id", "q", "sort")
# The form fields that name ids or pick what is looked up, per endpoint (names and free text are data).
FORM_FIELDS = {
    "auth.login": ("email",),
    "auth.register": ("email", "timezone"),
    "auth.account_profile": ("timezone", "day_start_hour"),
    "enrol.join": ("code",),
    "progress.focus_start": ("question",),
    "study.answer": ("question_id", "ordinal", "rating", "duration_ms", "shown_at"),
    "study.rate": ("log_id", "rating"),
    "study.settings": ("timezone", "desired_retention", "new_per_day", "reviews_per_day", "day_start_hour"),
    "study.quiz_new": ("bank", "size"),
    "study.quiz_answer": ("position",),
    "teach.upload": ("fmt",),
    "teach.assign": ("bank", "due"),
    "teach.new_question": ("key", "source", "difficulty"),
    "teach.edit_question": ("key", "source", "difficulty"),
}


def owner_of(endpoint: str) -> str:
    return "teacher_a" if endpoint.startswith("teach.") else "student_a"


def args_of(rule) -> list[tuple[str, str]]:
    """(converter, name) of each argument of ``rule``."""
    return re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)


def url_with(rule, ids: dict, replace: str | None = None, value: str = "") -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        return quote(value, safe="") if name == replace else str(ids[name])

    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def requests(app, world: World):
    """(role, method, url, form) for every injection point."""
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        role = owner_of(rule.endpoint)
        for method in methods:
            for n, injection in enumerate(INJECTIONS):
                for converter, name in args_of(rule):
                    # An <int:> argument takes digits only (anything else is a 404 before the view):
                    # one string shows it; text and path arguments reach the view and get them all.
                    if converter != "int" or n == 0:
                        yield role, method, url_with(rule, world.ids, name, injection), {}
                if method == "GET":
                    query = "&".join(f"{k}={quote(injection, safe='')}" for k in QUERY)
                    yield role, method, url_with(rule, world.ids) + "?" + query, {}
                elif method == "POST" and rule.endpoint in FORM_FIELDS:
                    yield role, method, url_with(rule, world.ids), {k: injection for k in FORM_FIELDS[rule.endpoint]}


def others(world: World, role: str) -> list[str]:
    """What ``role`` must never see: the other teacher's and the other student's data."""
    return world.markers["teacher_b"] + world.markers["student_b"]


def test_injection_strings_are_4xx_or_pages_never_errors_nor_others_data(app, world):
    browsers = {role: world.client(role) for role in ("student_a", "teacher_a")}
    tokens = {role: token(browser) for role, browser in browsers.items()}
    before = snapshot(app)
    problems, sent = [], 0
    for role, method, url, form in requests(app, world):
        data = {"csrf_token": tokens[role], **form} if method == "POST" else None
        response = browsers[role].open(url, method=method, data=data)
        body = response.get_data().decode("utf-8", "replace")
        response.close()
        sent += 1
        if response.status_code >= 500:
            problems.append(f"{method} {url} {form and 'form'}: {response.status_code}")
        problems += [f"{method} {url}: shows {m!r}" for m in others(world, role) if m in body]
    assert sent > 250, sent  # the walk really walks
    assert problems == [], "\n".join(problems)
    after = snapshot(app)
    assert after.keys() == before.keys()  # every table is still there
    changed = {name for name in before if after[name] != before[name]}
    # Reading with odd parameters writes nothing; the forms' refusals neither. The quiz form may take
    # effect: an unknown bank is ignored, so the quiz is of the learner's own banks.
    assert changed <= {"quiz_attempts", "quiz_items"}, changed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(db.metadata.tables["users"])) == 5


def test_an_injection_string_as_a_filter_finds_nothing(app, world):
    """A learner's ?bank= filter with an injection picks no bank (so the learner's own stay), and a
    teacher's ?page= is just a page number."""
    student, teacher = world.client("student_a"), world.client("teacher_a")
    for injection in INJECTIONS:
        page = student.get("/study?bank=" + quote(injection)).get_data(as_text=True)
        assert "Thornbury Hidden Bank" not in page
        assert "Tessellated Secrets" in page  # the learner's own bank, as without a filter
        job = teacher.get(f"/teach/imports/{world.ids['job_id']}?page=" + quote(injection))
        assert job.status_code == 200 and "Which tiling is aperiodic?" in job.get_data(as_text=True)


def test_odd_question_ids_for_a_focus_session_are_refused_not_a_server_error(app, make_user):
    """Regression: "²".isdigit() is true and int("²") raised (a 500); 25 digits overflow an id column
    (a 500 on PostgreSQL). The learner has a bank, so the ids do reach the database query."""
    with app.app_context():
        make_bank()
    make_user()
    student = app.test_client()
    AuthActions(student).login()
    csrf = token(student)
    for value in ["²", "١٢", "9" * 25, "2147483648", "-1", " 1", "1e3"]:
        response = student.post("/progress/focus", data={"csrf_token": csrf, "question": value})
        assert response.status_code == 302 and response.headers["Location"] == "/progress", value


# -- uploads ---------------------------------------------------------------------------------------

def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def nothing_saved(app) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0
        assert db.session.scalar(select(func.count()).select_from(Media)) == 0


@pytest.fixture
def teacher(app, make_user):
    make_user("teacher@example.com", role="teacher")
    browser = app.test_client()
    AuthActions(browser).login("teacher@example.com")
    return browser


def test_an_upload_over_the_size_cap_is_a_413_with_the_sites_error_page(app, teacher):
    app.config["MAX_CONTENT_LENGTH"] = 1 * MB
    builder = EnvironBuilder(path="/teach/upload", method="POST", data={
        "csrf_token": token(teacher), "fmt": "auto", "file": (io.BytesIO(b"x" * (MB + 1)), "big.gift")})
    environ = builder.get_environ()
    try:  # a body this large is spooled to a temporary file, which the refused request never reads
        response = teacher.open(environ)
        page = response.get_data(as_text=True)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 413
    assert "File too large" in page and "Uploads are limited to 1 MB." in page
    assert '<main id="content"' in page and "Skip to content" in page  # the site's layout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    nothing_saved(app)


def refused_in_preview(app, teacher, data: bytes, filename: str, tmp_path: Path) -> str:
    """Uploads ``data``; the preview's page, once checked that it cannot be saved and left nothing."""
    before = files_under(tmp_path)
    passwd = os.stat("/etc/passwd") if os.path.exists("/etc/passwd") else None
    response = upload(teacher, data, filename)
    if response.status_code == 400:  # refused at the form: the reason is on the upload page
        page = response.get_data(as_text=True)
    else:
        assert response.status_code == 302, response.status_code
        job_url = response.headers["Location"]
        page = teacher.get(job_url).get_data(as_text=True)
        assert re.search(r"\d+ errors? to fix", page), page[:2000]
        saved = teacher.post(job_url + "/save", data={"csrf_token": token(teacher)})
        assert saved.status_code == 409
    nothing_saved(app)
    new = files_under(tmp_path) - before
    assert all(re.search(r"\.db(-wal|-shm|-journal)?$", name) for name in new), new
    assert not any("passwd" in name or "boot.ini" in name for name in files_under(tmp_path))
    if passwd is not None:
        assert os.stat("/etc/passwd").st_mtime == passwd.st_mtime
    return page


def test_a_zip_bomb_package_is_an_error_in_the_preview_and_saves_nothing(app, teacher, tmp_path):
    bomb = make_zip({"collection.anki21": bytes(8 * MB), "media": b"{}"})
    assert len(bomb) < 64 * 1024  # small on the wire, 8 MB once inflated
    page = refused_in_preview(app, teacher, bomb, "bomb.apkg", tmp_path)
    assert "zip entry &#39;collection.anki21&#39; expands" in page and "(limit 100:1)" in page


def repack(package: bytes, replace: dict[str, bytes]) -> bytes:
    """``package`` with some entries replaced or added (as tests/banks/test_apkg.py does)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name not in replace:
                dst.writestr(name, src.read(name))
        for name, data in replace.items():
            dst.writestr(name, data)
    return out.getvalue()


CLIMBERS = {"0": "../../etc/passwd", "1": "/etc/passwd", "2": "..\\..\\boot.ini", "3": "C:evil.png"}


def test_a_package_whose_media_names_climb_out_is_an_error_and_writes_no_file(app, teacher, tmp_path):
    bank = ParsedBank("pics", "Pictures", [ParsedQuestion("q", "flashcard", {
        "front": '<img src="pic.png">', "back": "a picture"}, format="html")], media={"pic.png": PNG})
    package = repack(dump_apkg(bank), {"media": json.dumps(CLIMBERS).encode(), **{n: b"root:x:0:0" for n in CLIMBERS}})
    page = refused_in_preview(app, teacher, package, "climb.apkg", tmp_path)
    assert "media file name &#39;../../etc/passwd&#39; points outside the media folder" in page
    assert "&#39;/etc/passwd&#39; is an absolute path" in page
    assert "contains a backslash" in page and "starts with a drive letter" in page
    # The unmodified package is fine: the refusal is about the names.
    fine = upload(teacher, dump_apkg(bank), "fine.apkg")
    assert "No errors" in teacher.get(fine.headers["Location"]).get_data(as_text=True)


def test_the_error_list_of_an_upload_with_any_file_name_is_a_valid_download(app, teacher):
    """The name of the uploaded file goes into a header: Latin-1 only, or servers such as gunicorn
    answer 500 instead of the file."""
    response = upload(teacher, "::q::Broken? {=a ~b\n", "历史 'quiz'.gift")
    errors = teacher.get(response.headers["Location"] + "/errors.txt")
    disposition = errors.headers["Content-Disposition"]
    assert errors.status_code == 200 and errors.get_data(as_text=True)
    disposition.encode("latin-1")  # raises if a server could not send it
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition
    assert quote("历史 'quiz'-errors.txt", safe="") in disposition
