"""Who may do what, for EVERY rule of the URL map, as six people: anonymous, student A, student B,
teacher A, teacher B and an admin. URLs and forms carry the ids of real objects of student A
(a review log, a quiz attempt) and of teacher A (bank, class with A in it, upload, document,
question, assignment, image), made through the real forms (tests/security/world.py).

ACCESS below is the one table of who may use each endpoint. A route added to the app and not
to the table fails ``test_every_endpoint_of_the_url_map_is_classified``: a new route cannot
slip through without someone deciding who it is for.

For each role, method and URL (POSTs carry a valid CSRF token, so refusals are about who asks):
  * anonymous: sent to /login (or 401 for JSON), except on public pages;
  * students: 403 on every teacher route;
  * others than the owner: 404 (403 for students on teacher routes) on the owner's objects, and
    no marker of student A or teacher A anywhere in the body of any answer they get;
  * admins: allowed on every teacher route, teacher A's objects included;
  * the admin pages: admins only, everyone else signed in gets 403;
  * a refused request changes no row of any table.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from tests.images import png
from tests.security.world import GIFT, ROLES, STUDENT_A_ANSWER, USERS, World, token

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any signed-in user; works on their own account and data only
STUDENT_A = "student A's"  # an object of student A: A only; everyone else 404
BANK_READERS = "bank readers"  # teacher A's bank content: its owner and members of a class it is assigned to
TEACHER = "teacher"  # teachers and admins (students 403), nothing of another teacher named
TEACHER_A = "teacher A's"  # an object of teacher A: teacher A and admins; other teachers 404, students 403
ADMIN = "admin"  # the site's administration: admins only, every other signed-in role 403

ACCESS = {
    "static": PUBLIC,
    "main.index": PUBLIC,  # the welcome page, or the signed-in user's home
    "main.health": PUBLIC,
    "main.help_page": PUBLIC,
    "main.service_worker": PUBLIC,  # /sw.js: the same script for everyone, nothing per user
    "main.offline_study": PUBLIC,  # the offline study page's shell: nobody's data (the pack is fetched by script)
    "main.offline_token": SIGNED_IN,  # the signed-in user's own CSRF token and id
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.account_profile": SIGNED_IN,
    "auth.account_password": SIGNED_IN,
    "auth.end_sessions": SIGNED_IN,  # only the signed-in user's own other sessions
    "auth.forgot_password": PUBLIC,  # the same answer for any address
    "auth.reset_password": PUBLIC,  # the emailed token is the key (here an invalid one: 400)
    "auth.verify_email": PUBLIC,  # the emailed token is the key
    "auth.confirm_email": PUBLIC,  # the emailed token is the key
    "auth.account_email": SIGNED_IN,  # the signed-in user's own address, with their password
    "auth.delete_account": SIGNED_IN,  # the signed-in user's own account, with their password
    "auth.data_json": SIGNED_IN,  # only the signed-in user's own rows (markers of A caught if not)
    "auth.data_csv": SIGNED_IN,
    "admin.index": ADMIN,  # every account's email
    "admin.set_role": ADMIN,  # user_id: student A
    "admin.set_access": ADMIN,
    "main.ping": SIGNED_IN,
    "enrol.join": SIGNED_IN,  # the code is the key: whoever holds it may join
    "progress.index": SIGNED_IN,  # always the signed-in learner's own dashboard
    "progress.csv": SIGNED_IN,
    "progress.focus_start": SIGNED_IN,  # only questions the learner has studied are taken
    "progress.focus_clear": SIGNED_IN,
    "study.index": SIGNED_IN,
    "study.leeches": SIGNED_IN,
    "study.settings": SIGNED_IN,
    "study.optimise": SIGNED_IN,
    "study.undo": SIGNED_IN,
    "study.quiz_new": SIGNED_IN,  # banks the user cannot read are ignored
    "study.answered": STUDENT_A,  # /study/answered/<review log>
    "study.rate": STUDENT_A,  # log_id in the form
    "study.count_as_right": STUDENT_A,  # log_id in the form
    "study.pending_answer": SIGNED_IN,  # the answer kept in the user's own session
    "study.quiz_take": STUDENT_A,  # /quiz/<attempt>
    "study.quiz_history": SIGNED_IN,  # the signed-in learner's own attempts
    "study.quiz_answer": STUDENT_A,
    "study.quiz_summary": STUDENT_A,  # /quiz/<attempt>/summary
    "study.quiz_finish": STUDENT_A,
    "study.quiz_retry": STUDENT_A,  # a new attempt of the wrong ones of A's attempt
    "study.answer": BANK_READERS,  # question_id in the form
    "study.card_action": BANK_READERS,  # /study/card/<question>/<ordinal>/<action>
    "study.browse_cards": SIGNED_IN,  # the card browser: the signed-in learner's own banks and cards only
    "study.browse_act": BANK_READERS,  # "suspend <question>:<ordinal>" in the form
    "study.browse_focus": SIGNED_IN,  # "study just these": cards the filter finds in the learner's banks
    "study.bank_options_list": SIGNED_IN,  # the learner's own options for the banks they study
    "study.bank_options_edit": BANK_READERS,  # /study/options/<bank>: the learner's own options of a bank they study
    "study.card_history": BANK_READERS,  # /study/cards/<question>/<ordinal>: the learner's own card of their bank
    "study.custom": SIGNED_IN,  # custom study: sessions of the learner's own cards
    # Offline study (docs/offline.md): the pack of the learner's own banks; a synced answer to a question
    # not in them is refused inside the 200 answer, nothing written.
    "study.offline_pack": SIGNED_IN,
    "study.offline_sync": SIGNED_IN,
    # Study modes (issue 17): Learn rounds and Match games live in the learner's own session cookie.
    "study.learn": SIGNED_IN,
    "study.learn_start": SIGNED_IN,  # the learner's chosen banks; banks they cannot read are ignored
    "study.learn_answer": SIGNED_IN,  # only the card the session's round asks
    "study.learn_end": SIGNED_IN,
    "study.match": SIGNED_IN,  # the learner's own banks and best times
    "study.match_start": BANK_READERS,  # bank id in the form
    "study.match_play": SIGNED_IN,  # the game in the learner's own session
    "study.match_finish": SIGNED_IN,
    "main.media": BANK_READERS,  # /media/<bank>/<name>
    "teach.index": TEACHER,
    "teach.upload": TEACHER,
    "teach.new_class": TEACHER,
    "teach.bank": TEACHER_A,
    "teach.bank_stats": TEACHER_A,
    "teach.bank_stats_csv": TEACHER_A,
    "teach.export": TEACHER_A,
    "teach.add_documents": TEACHER_A,
    "teach.delete_document": TEACHER_A,
    "teach.new_question": TEACHER_A,
    "teach.edit_question": TEACHER_A,
    "teach.delete_question": TEACHER_A,
    "teach.class_page": TEACHER_A,  # the roster: names and emails of the class
    "teach.class_progress_page": TEACHER_A,
    "teach.class_progress_csv": TEACHER_A,
    "teach.class_answers": TEACHER_A,  # an assigned bank of the teacher's class
    "teach.class_answers_csv": TEACHER_A,
    "teach.class_student": TEACHER_A,  # a member's dashboard, read-only: only members of the teacher's class
    "teach.class_student_csv": TEACHER_A,
    "teach.assign": TEACHER_A,
    "teach.unassign": TEACHER_A,
    "teach.remove_member": TEACHER_A,
    "teach.new_code": TEACHER_A,
    "teach.import_job": TEACHER_A,
    "teach.import_status": TEACHER_A,
    "teach.import_errors": TEACHER_A,
    "teach.import_media": TEACHER_A,  # an image of an unsaved upload (an Anki package), for its preview
    "teach.import_recheck": TEACHER_A,
    "teach.import_save": TEACHER_A,
    # Housekeeping (issue 18): banks, questions, uploads, classes.
    "teach.library": TEACHER,  # built-in banks and those other teachers share: never a private one (markers)
    "teach.imports_list": TEACHER,  # the signed-in teacher's own uploads only
    "teach.bank_details": TEACHER_A,  # rename, describe, share
    "teach.retire_bank": TEACHER_A,
    "teach.restore_bank": TEACHER_A,
    "teach.delete_bank": TEACHER_A,  # GET asks; POST refused (409) here: student A has studied it
    "teach.copy_bank": TEACHER_A,  # a private bank: only its owner (and admins) may copy it
    "teach.restore_question": TEACHER_A,
    "teach.import_discard": TEACHER_A,
    "teach.add_image": TEACHER_A,  # an image into the bank's media, from the question editor
    "teach.rename_class": TEACHER_A,
    "teach.archive_class": TEACHER_A,
    "teach.restore_class": TEACHER_A,
    "teach.delete_class": TEACHER_A,  # GET asks; POST deletes
    "enrol.leave_class": STUDENT_A,  # only a member leaves, and only themselves: everyone else 404
}
# How a refusal looks where it is not 404 (study.answer: "That question is not in any of your banks.",
# a 404 as for a retired question).
REFUSAL: dict[str, int] = {}
# What an allowed request may get: a page, a redirect, or a form's own complaint (400; 409 for saving
# an upload that cannot be saved). Logging in with a wrong password is a 401 for anyone; logging out
# ends on the login page.
ALLOWED_ANSWERS = {"auth.login": (401,),
                   # The world's unsaved upload is GIFT, which has no images: its owner gets a 404 for one
                   # (tests/web/test_anki_upload.py shows an owner gets the image of an .apkg upload).
                   "teach.import_media": (404,)}
# Allowed requests whose answer is the login page: logging out, and "forgot password" (check your
# email, then log in).
ENDS_AT_LOGIN = ("auth.logout", "auth.forgot_password")
# Pages that must show the owner's data to those allowed: proof that the markers would be seen.
SHOWS = {
    "study.answered": STUDENT_A_ANSWER,
    "study.quiz_take": "tessellation",
    "teach.class_page": USERS["student_a"][1],
    "teach.class_progress_page": USERS["student_a"][1],
    "teach.class_student": USERS["student_a"][1],
    "teach.bank": "tess-memo.txt",
    "teach.export": "Which tessellation secret",
    "admin.index": USERS["student_a"][0],
}
# Allowed requests that undo parts of the world run last, after every page was seen.
LAST = ("study.quiz_finish", "study.quiz_retry",  # a retry needs the attempt finished first
        "study.undo", "teach.import_discard", "teach.delete_question", "teach.restore_question",
        "teach.delete_document", "teach.unassign", "teach.remove_member", "teach.retire_bank", "teach.restore_bank",
        "teach.delete_bank", "teach.archive_class", "teach.restore_class", "teach.delete_class", "enrol.leave_class",
        "admin.set_role", "admin.set_access", "auth.end_sessions",
        "auth.logout")


def forms(world: World, endpoint: str) -> dict:
    """What each POST sends: a request that would take effect if the sender were allowed."""
    ids = world.ids
    return {
        "auth.login": {"email": USERS["student_b"][0], "password": "a wrong password"},
        "auth.register": {"name": "Mallory", "email": "mallory@example.com"},
        "auth.account_profile": {"name": "Renamed Person", "timezone": "UTC", "day_start_hour": "5"},
        "auth.account_password": {"current": "a wrong password", "password": "n3w password", "confirm": "x"},
        "auth.forgot_password": {"email": USERS["student_a"][0]},
        "auth.reset_password": {"password": "n3w password", "confirm": "n3w password"},
        "auth.account_email": {"new_email": "planted@example.com", "email_password": "a wrong password"},
        "auth.delete_account": {"password": "a wrong password", "understood": "y"},
        "admin.set_role": {"role": "teacher"},
        "admin.set_access": {"action": "disable"},
        "enrol.join": {"code": "NOPE-NOPE"},
        "progress.focus_start": {"question": ids["question_id"]},
        "study.quiz_new": {"bank": ids["bank_id"], "size": "2"},
        "study.browse_act": {"one": f"suspend {ids['question_id']}:0"},
        "study.browse_focus": {"q": "tessellation"},
        "study.bank_options_edit": {"new_order": "random", "learning_steps": "5", "leech_threshold": "3",
                                    "leech_action": "suspend", "bury_siblings": "y"},
        "study.custom": {"mode": "ahead", "ahead_days": "30"},
        "study.match_start": {"bank": ids["bank_id"]},
        "study.learn_start": {"size": "5"},
        "study.quiz_answer": {"position": "0", "answer": "Rhombus"},
        "study.answer": {"question_id": ids["question_id"], "ordinal": "0", "client_id": world.fresh_id(),
                         "answer": "Penrose", "rating": "3"},
        "study.rate": {"log_id": ids["log_id"], "rating": "4"},
        "study.count_as_right": {"log_id": ids["log_id"]},
        "study.settings": {"desired_retention": "0.8", "new_per_day": "5", "reviews_per_day": "50",
                           "timezone": "UTC", "day_start_hour": "3"},
        "teach.upload": {"fmt": "auto", "text": GIFT},
        "teach.new_class": {"name": "Another class"},
        "teach.assign": {"bank": ids["bank_id"], "due": "2030-01-01"},
        "teach.add_documents": {"documents": [(io.BytesIO(b"Planted text."), "planted.txt")]},
        "teach.new_question": {"key": "planted", "f_front": "Planted front", "f_back": "Planted back"},
        "teach.edit_question": {"key": "who", "f_prompt": "Planted prompt?", "f_answers": "Penrose"},
        "teach.import_recheck": {"text": GIFT},
        "teach.add_image": {"image": (io.BytesIO(png()), "planted.png"), "alt": "Planted"},
        "teach.bank_details": {"title": "Planted title", "description": "Planted", "sharing": "school"},
        "teach.rename_class": {"name": "Planted class"},
    }.get(endpoint, {})


def json_body(world: World, endpoint: str) -> dict | None:
    """What each JSON POST sends (with the CSRF token in the X-CSRFToken header): a request that would
    take effect if the sender were allowed."""
    if endpoint == "study.offline_sync":
        from quizapp.models.types import utcnow

        return {"answers": [{"client_id": world.fresh_id(), "question_id": world.ids["question_id"], "ordinal": 0,
                             "fields": {"answer": ["Penrose"]}, "rating": None, "question_version": 1,
                             "answered_at": utcnow().isoformat(), "duration_ms": 4000}]}
    return None


# Query strings an endpoint needs to do anything.
QUERY = {"progress.csv": "?table=mastery", "teach.class_student_csv": "?table=mastery",
         "auth.data_csv": "?table=reviews"}


@dataclass(frozen=True)
class Call:
    endpoint: str
    method: str
    url: str


def url_of(rule, ids: dict[str, object]) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"{rule.rule}: give tests/security/world.py a value for <{name}>"
        return str(ids[name])

    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def calls(app, ids) -> list[Call]:
    return [Call(rule.endpoint, method, url_of(rule, ids) + QUERY.get(rule.endpoint, ""))
            for rule in app.url_map.iter_rules()
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]


def expected(role: str, endpoint: str) -> str | int:
    """"allow", "login" (sent to log in) or the status code of the refusal."""
    access = ACCESS[endpoint]
    if access == PUBLIC:
        return "allow"
    if role == "anonymous":
        return "login"
    student = role.startswith("student")
    allowed = {
        SIGNED_IN: True,
        STUDENT_A: role == "student_a",
        BANK_READERS: role in ("student_a", "teacher_a"),
        TEACHER: not student,
        TEACHER_A: role in ("teacher_a", "admin"),
        ADMIN: role == "admin",
    }[access]
    if allowed:
        return "allow"
    if (student and access in (TEACHER, TEACHER_A)) or access == ADMIN:
        return 403
    return REFUSAL.get(endpoint, 404)


def snapshot(app) -> dict[str, list[str]]:
    """Every row of every table (login sessions and rate-limit counters aside: signing in and
    counting attempts are not what is tested)."""
    with app.app_context():
        return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
                for table in db.metadata.sorted_tables if table.name not in ("login_sessions", "rate_limits")}


def send(world: World, browser, call: Call, csrf: str) -> tuple[int, str, str]:
    """Status, Location and body of one request."""
    data = {"csrf_token": csrf, **forms(world, call.endpoint)} if call.method == "POST" else None
    body = json_body(world, call.endpoint) if call.method == "POST" else None
    if body is not None:
        response = browser.open(call.url, method=call.method, json=body,
                                headers={"X-CSRFToken": csrf, "Accept": "application/json"})
    else:
        response = browser.open(call.url, method=call.method, data=data)
    try:
        body = response.get_data().decode("utf-8", "replace")
        return response.status_code, response.headers.get("Location", ""), body
    finally:
        response.close()


def leaked(world: World, role: str, call: Call, body: str) -> list[str]:
    """Markers of student A and teacher A in the body of a response to someone who may not see them
    (a marker the URL itself holds, such as a join code in /join/<code>, may be echoed)."""
    if role in ("student_a", "teacher_a", "admin"):
        return []
    markers = world.markers["student_a"] + world.markers["teacher_a"]
    return [m for m in markers if m in body and m not in call.url]


def test_every_endpoint_of_the_url_map_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - ACCESS.keys()) == [], "new endpoints: decide who may use them in ACCESS"
    assert sorted(ACCESS.keys() - endpoints) == [], "endpoints gone from the app: remove them from ACCESS"


def test_the_table_is_not_empty_of_refusals():
    """Each kind of protection is exercised by at least one endpoint (the walk really walks)."""
    kinds = set(ACCESS.values())
    assert kinds == {PUBLIC, SIGNED_IN, STUDENT_A, BANK_READERS, TEACHER, TEACHER_A, ADMIN}
    assert sum(v == TEACHER_A for v in ACCESS.values()) >= 15


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, world, role):
    browser = world.client(role)
    csrf = token(browser)
    all_calls = calls(app, world.ids)
    refused = [c for c in all_calls if expected(role, c.endpoint) != "allow"]
    allowed = [c for c in all_calls if expected(role, c.endpoint) == "allow"]
    allowed.sort(key=lambda c: (c.endpoint in LAST, LAST.index(c.endpoint) if c.endpoint in LAST else 0,
                                c.method != "GET"))
    problems: list[str] = []

    before = snapshot(app)
    for call in refused:
        got, location, body = send(world, browser, call, csrf)
        want = expected(role, call.endpoint)
        if want == "login":
            if not ((got == 302 and location.startswith("/login")) or got == 401):
                problems.append(f"{call.method} {call.url}: {got}, not sent to log in")
            if call.method == "GET":  # as a script's fetch asks: still nothing but "log in"
                response = browser.get(call.url, headers={"Accept": "application/json"})
                if not ((response.status_code == 302 and response.location.startswith("/login"))
                        or response.status_code == 401):
                    problems.append(f"GET {call.url} (JSON): {response.status_code}, not sent to log in")
                response.close()
        elif got != want:
            problems.append(f"{call.method} {call.url}: {got}, expected {want}")
        problems += [f"{call.method} {call.url}: shows {m!r}" for m in leaked(world, role, call, body)]
        after = snapshot(app)
        if after != before:
            changed = sorted(name for name in after if after[name] != before[name])
            problems.append(f"{call.method} {call.url}: refused ({got}) yet changed {changed}")
            before = after

    for call in allowed:
        got, location, body = send(world, browser, call, csrf)
        answers = (200, 302, 400, 409, *ALLOWED_ANSWERS.get(call.endpoint, ()))
        to_login = location.startswith("/login") and call.endpoint not in ENDS_AT_LOGIN
        if got not in answers or to_login or got == REFUSAL.get(call.endpoint):
            problems.append(f"{call.method} {call.url}: {got} {location}, expected it allowed")
        if call.method == "GET" and call.endpoint in SHOWS and SHOWS[call.endpoint] not in body:
            problems.append(f"GET {call.url}: allowed yet without {SHOWS[call.endpoint]!r}")
        problems += [f"{call.method} {call.url}: shows {m!r}" for m in leaked(world, role, call, body)]

    assert refused and allowed  # every role is refused something, and allowed something
    assert problems == [], "\n".join(problems)


def test_a_teacher_reaches_no_student_outside_their_class_through_their_own_class(app, world):
    """Routes naming a user under a class: teacher A, with A's own class, naming student B (in no
    class of A's) gets a 404 and nothing of B, and nothing changes."""
    teacher = world.client("teacher_a")
    csrf = token(teacher)
    ids = {**world.ids, "user_id": world.user_ids["student_b"]}
    named = [Call(rule.endpoint, method, url_of(rule, ids) + QUERY.get(rule.endpoint, ""))
             for rule in app.url_map.iter_rules() if {"class_id", "user_id"} <= rule.arguments
             for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    assert len(named) >= 2  # removing a member, and a member's dashboard
    before = snapshot(app)
    for call in named:
        got, _, body = send(world, teacher, call, csrf)
        assert got == 404, (call, got)
        assert USERS["student_b"][1] not in body and USERS["student_b"][0] not in body
    assert snapshot(app) == before
