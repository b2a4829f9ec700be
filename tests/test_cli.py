"""The ``flask`` commands as an operator runs them: bank check/import/export/list/load, users, demo logins.

Exit status: 0 on success, 1 on invalid input (errors on stderr), 2 on usage errors.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, User
from tests.conftest import PASSWORD, SHARED, AuthActions
from tests.factories import QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ROOT / "questions"
DOCUMENT = "Mao went to Moscow in 1949. He met Stalin there and signed a treaty in 1950."


def bank_data(questions: list[dict] | None = None, bank_id: str = "demo") -> dict:
    return {"bank": 1, "id": bank_id, "title": "Demo bank",
            "sources": {"doc": {"title": "A document", "file": "doc.txt"}},
            "questions": copy.deepcopy(QUESTIONS if questions is None else questions)}


def write_bank(path: Path, data: dict | None = None) -> Path:
    path.write_text(yaml.safe_dump(data or bank_data(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def ok(result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def failed(result, code: int = 1) -> str:
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.stderr


def stored(app, slug: str = "demo") -> dict[str, Question]:
    """The live questions of a stored bank, by id."""
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
        if bank is None:
            return {}
        return {q.key: q for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id))
                if not q.retired}


def bank_row(app, slug: str = "demo") -> tuple[bool, str | None] | None:
    """(built-in, owner email) of a stored bank, or None."""
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
        if bank is None:
            return None
        owner = db.session.get(User, bank.owner_id) if bank.owner_id else None
        return bank.builtin, owner.email if owner else None


# -- bank check ------------------------------------------------------------------------------------


def test_check_passes_the_built_in_banks(runner):
    out = ok(runner.invoke(args=["bank", "check", str(BUILTIN)]))
    count = sum(len(yaml.safe_load(p.read_text())["questions"]) for p in BUILTIN.glob("*.yaml"))
    assert out.strip() == f"OK: {count} questions checked"


@pytest.mark.skipif(not (SHARED / "documents").is_dir(), reason="../shared/documents is absent")
def test_built_in_evidence_is_quoted_verbatim_from_the_documents(runner):
    ok(runner.invoke(args=["bank", "check", str(BUILTIN), "--documents", str(SHARED / "documents")]))


def test_check_reports_every_error_with_file_and_line_and_exits_1(runner, tmp_path):
    data = bank_data()
    data["questions"][0]["answer"] = "Paris"  # capital: not one of the choices
    data["questions"][4]["answer"] = "soon"  # year: not a number
    bad = write_bank(tmp_path / "bad.yaml", data)
    good = write_bank(tmp_path / "good.yaml", bank_data(bank_id="other"))
    result = runner.invoke(args=["bank", "check", str(good), str(bad)])
    err = failed(result)
    lines = err.strip().splitlines()
    text = bad.read_text().splitlines()
    assert lines[0].startswith(f"{bad}:") and "question 'capital' field 'answer'" in lines[0]
    assert "question 'year' field 'answer': must be a number" in lines[1]
    # Each line number points at the offending field in the file.
    for line, field_value in zip(lines[:2], ("answer: Paris", "answer: soon")):
        number = int(line.split(":")[1])
        assert text[number - 1].strip() == field_value
    assert lines[-1] == "2 problem(s) in 2 path(s)"
    assert "OK" not in result.stdout


def test_check_of_an_unreadable_file_reports_it(runner, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("bank: 1\nid: demo\nquestions: [\n", encoding="utf-8")
    err = failed(runner.invoke(args=["bank", "check", str(bad)]))
    assert err.startswith(f"{bad}:") and "not valid YAML" in err
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("bank: 1\nid: demo\ntitle: Café\nquestions: []\n".encode("latin-1"))
    assert f"{latin}:3: is not UTF-8 text" in failed(runner.invoke(args=["bank", "check", str(latin)]))


def test_check_with_documents_catches_a_quote_not_in_its_document(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "doc.txt").write_text(DOCUMENT, encoding="utf-8")
    data = bank_data([QUESTIONS[0], {**QUESTIONS[2], "source": "doc", "evidence": "signed  a treaty\nin 1950"}])
    path = write_bank(tmp_path / "demo.yaml", data)
    assert ok(runner.invoke(args=["bank", "check", str(path), "--documents", str(docs)])).startswith("OK: 2")
    data["questions"][1]["evidence"] = "signed a treaty in 1951."
    write_bank(path, data)
    err = failed(runner.invoke(args=["bank", "check", str(path), "--documents", str(docs)]))
    assert "question 'tf' field 'evidence': evidence not found verbatim in doc.txt: 'signed a treaty in 1951.'" in err
    assert "capital" not in err
    # Without --documents, the same file passes.
    ok(runner.invoke(args=["bank", "check", str(path)]))


def test_check_json_prints_every_question_normalised(runner, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")
    out = ok(runner.invoke(args=["bank", "check", "--json", str(path)]))
    rows = json.loads(out)
    assert [(r["bank"], r["id"], r["type"]) for r in rows] == [("demo", q["id"], q["type"]) for q in QUESTIONS]
    by_id = {r["id"]: r for r in rows}
    assert by_id["capital"] == {
        "bank": "demo", "id": "capital", "type": "multiple_choice", "prompt": "Where did Mao travel in December 1949?",
        "choices": ["Moscow", "Beijing", "Warsaw", "Yalta"], "answers": "Moscow", "weights": None,
        "explanation": "Mao's first trip abroad.", "tags": [],
        # and everything else the question holds, as the native format writes it
        "answer": "Moscow", "source": "doc", "evidence": "Mao went to Moscow in 1949."}
    assert by_id["members"]["answers"] == ["USSR", "PRC"]
    assert by_id["tf"]["answers"] is True
    assert by_id["year"]["answers"] == 1949
    assert by_id["cloze"]["prompt"] == "[…] met Stalin in Moscow."
    assert by_id["order"]["choices"] == ["First", "Second", "Third"]
    assert by_id["match"]["choices"] == [["Mao", "PRC"], ["Stalin", "USSR"]]
    assert (by_id["card"]["prompt"], by_id["card"]["answers"]) == ("Sino-Soviet split", "The break of the 1960s")


# -- bank import -----------------------------------------------------------------------------------


def test_import_yaml_saves_a_built_in_bank(runner, app, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")
    out = ok(runner.invoke(args=["bank", "import", str(path)]))
    assert out.strip() == "demo: 9 added, 0 changed (0 with a new answer: progress reset), 0 retired, 0 unchanged"
    questions = stored(app)
    assert sorted(questions) == sorted(q["id"] for q in QUESTIONS)
    assert questions["capital"].data["answer"] == "Moscow"
    assert bank_row(app) == (True, None)


def test_import_gift(runner, app, tmp_path):
    path = tmp_path / "cold-war.gift"
    path.write_text("$CATEGORY: Cold War\n\n"
                    "::capital::Where did Mao travel in 1949?{=Moscow ~Beijing ~Warsaw}\n\n"
                    "::tf::The treaty was signed in 1950.{TRUE}\n\n"
                    "::year::When was the PRC proclaimed?{#1949:0}\n", encoding="utf-8")
    out = ok(runner.invoke(args=["bank", "import", str(path), "--json"]))
    report = json.loads(out)
    assert (report["bank"], report["added"], report["dry_run"]) == ("cold-war", ["capital", "tf", "year"], False)
    questions = stored(app, "cold-war")
    assert questions["capital"].data["choices"] == ["Moscow", "Beijing", "Warsaw"]
    assert questions["tf"].data["answer"] is True
    assert questions["year"].data["answer"] == 1949
    assert "cold-war\t3 questions\tbuilt-in\tCold War" in ok(runner.invoke(args=["bank", "list"]))


def test_import_with_a_forced_format(runner, app, tmp_path):
    path = tmp_path / "quiz.txt"
    path.write_text("::q1::Mao met Stalin in Moscow.{T}\n", encoding="utf-8")
    ok(runner.invoke(args=["bank", "import", str(path), "--format", "gift"]))
    assert stored(app, "quiz")["q1"].type == "true_false"


def test_dry_run_saves_nothing(runner, app, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")
    out = ok(runner.invoke(args=["bank", "import", str(path), "--dry-run"]))
    assert out.startswith("(dry run) demo: 9 added")
    assert bank_row(app) is None and stored(app) == {}
    report = json.loads(ok(runner.invoke(args=["bank", "import", str(path), "--dry-run", "--json"])))
    assert report["dry_run"] is True and len(report["added"]) == 9
    assert bank_row(app) is None


def test_import_for_an_owner(runner, app, make_user, tmp_path):
    make_user("teacher@example.com", role="teacher")
    path = write_bank(tmp_path / "demo.yaml")
    ok(runner.invoke(args=["bank", "import", str(path), "--owner", " Teacher@Example.com "]))
    assert bank_row(app) == (False, "teacher@example.com")
    assert "demo\t9 questions\tteacher@example.com\tDemo bank" in ok(runner.invoke(args=["bank", "list"]))
    # The same id may not be taken over as a built-in bank.
    err = failed(runner.invoke(args=["bank", "import", str(path)]))
    assert "already used by another bank" in err
    assert bank_row(app) == (False, "teacher@example.com")


def test_import_for_an_unknown_owner_exits_1_and_saves_nothing(runner, app, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")
    err = failed(runner.invoke(args=["bank", "import", str(path), "--owner", "nobody@example.com"]))
    assert err.strip() == "no user with email nobody@example.com"
    assert bank_row(app) is None


def test_reimporting_an_edited_file_updates_by_id(runner, app, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")
    ok(runner.invoke(args=["bank", "import", str(path)]))
    before = stored(app)
    data = bank_data()
    by_id = {q["id"]: q for q in data["questions"]}
    by_id["capital"]["explanation"] = "His first trip abroad, to meet Stalin."  # wording only
    by_id["year"]["answer"] = 1950  # a new answer: progress resets
    data["questions"] = [q for q in data["questions"] if q["id"] != "card"]  # removed: retired
    data["questions"].append({"id": "premier", "type": "short_answer", "prompt": "China's first premier?",
                              "answers": ["Zhou Enlai"]})
    write_bank(path, data)
    report = json.loads(ok(runner.invoke(args=["bank", "import", str(path), "--json"])))
    assert report == {"bank": "demo", "added": ["premier"], "changed": ["capital", "year"], "reset": ["year"],
                      "retired": ["card"], "notices": [], "dry_run": False}
    after = stored(app)
    assert sorted(after) == sorted(set(before) - {"card"} | {"premier"})
    assert after["year"].data["answer"] == 1950 and after["year"].version == before["year"].version + 1
    assert after["capital"].version == before["capital"].version  # same answer, same version
    assert after["capital"].id == before["capital"].id  # updated in place, not replaced
    # Back to the first file, in the plain summary: capital, year and the returning card change.
    write_bank(path, bank_data())
    out = ok(runner.invoke(args=["bank", "import", str(path)]))
    assert out.strip() == "demo: 0 added, 3 changed (1 with a new answer: progress reset), 1 retired, 6 unchanged"
    assert "card" in stored(app) and "premier" not in stored(app)


def test_a_bad_file_imports_nothing(runner, app, tmp_path):
    data = bank_data()
    data["questions"][3]["answers"] = []
    path = write_bank(tmp_path / "demo.yaml", data)
    err = failed(runner.invoke(args=["bank", "import", str(path)]))
    assert f"{path}:" in err and "question 'who' field 'answers': is required" in err
    assert bank_row(app) is None
    # Nor does a bad file change a bank already stored.
    ok(runner.invoke(args=["bank", "import", str(write_bank(tmp_path / "good.yaml"))]))
    before = {k: q.data for k, q in stored(app).items()}
    failed(runner.invoke(args=["bank", "import", str(path)]))
    assert {k: q.data for k, q in stored(app).items()} == before


# -- bank export -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json", "gift"])
def test_export_then_reimport_gives_the_same_questions(runner, app, tmp_path, fmt):
    source = write_bank(tmp_path / "demo.yaml")
    ok(runner.invoke(args=["bank", "import", str(source)]))
    out = tmp_path / f"export.{fmt}"
    assert ok(runner.invoke(args=["bank", "export", "demo", "--format", fmt, "-o", str(out)])).strip() == (
        f"wrote {out}")
    original = json.loads(ok(runner.invoke(args=["bank", "check", "--json", str(source)])))
    exported = json.loads(ok(runner.invoke(args=["bank", "check", "--json", str(out)])))
    assert exported == original
    report = json.loads(ok(runner.invoke(args=["bank", "import", str(out), "--json"])))
    assert (report["bank"], report["added"], report["retired"]) == ("demo", [], [])
    if fmt != "gift":
        assert report["changed"] == []


def test_reimporting_a_gift_export_keeps_learners_progress(runner, tmp_path):
    ok(runner.invoke(args=["bank", "import", str(write_bank(tmp_path / "demo.yaml"))]))
    out = tmp_path / "export.gift"
    ok(runner.invoke(args=["bank", "export", "demo", "--format", "gift", "-o", str(out)]))
    report = json.loads(ok(runner.invoke(args=["bank", "import", str(out), "--json"])))
    assert report["reset"] == []


def test_export_of_an_unknown_bank_exits_1(runner, tmp_path):
    out = tmp_path / "x.yaml"
    err = failed(runner.invoke(args=["bank", "export", "nope", "--format", "yaml", "-o", str(out)]))
    assert "no bank with id 'nope'" in err
    assert not out.exists()


def test_export_leaves_out_retired_questions(runner, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")
    ok(runner.invoke(args=["bank", "import", str(path)]))
    write_bank(path, bank_data(QUESTIONS[:2]))
    ok(runner.invoke(args=["bank", "import", str(path)]))
    out = tmp_path / "export.json"
    ok(runner.invoke(args=["bank", "export", "demo", "--format", "json", "-o", str(out)]))
    assert [q["id"] for q in json.loads(out.read_text())["questions"]] == ["capital", "members"]


# -- bank list and load ----------------------------------------------------------------------------


def test_list_of_no_banks_is_empty(runner):
    assert ok(runner.invoke(args=["bank", "list"])) == ""


def test_load_is_idempotent_and_list_shows_every_bank(runner):
    files = sorted(BUILTIN.glob("*.yaml"))
    counts = {p.stem: len(yaml.safe_load(p.read_text())["questions"]) for p in files}
    first = ok(runner.invoke(args=["bank", "load", str(BUILTIN)])).strip().splitlines()
    assert first[-1] == f"{len(files)} bank(s) loaded from {BUILTIN}"
    assert first[:-1] == [f"{slug}: {n} added, 0 changed (0 with a new answer: progress reset), 0 retired, 0 unchanged"
                          for slug, n in counts.items()]
    second = ok(runner.invoke(args=["bank", "load", str(BUILTIN)])).strip().splitlines()
    assert second[:-1] == [f"{slug}: 0 added, 0 changed (0 with a new answer: progress reset), 0 retired, "
                           f"{n} unchanged" for slug, n in counts.items()]
    rows = [line.split("\t") for line in ok(runner.invoke(args=["bank", "list"])).strip().splitlines()]
    assert [(slug, n, owner) for slug, n, owner, _ in rows] == [
        (slug, f"{n} questions", "built-in") for slug, n in sorted(counts.items())]


def test_load_refuses_a_folder_with_any_bad_file_and_saves_nothing(runner, app, tmp_path):
    write_bank(tmp_path / "a.yaml", bank_data(bank_id="good"))
    data = bank_data(bank_id="bad")
    data["questions"][0]["choices"] = ["Moscow"]
    write_bank(tmp_path / "b.yaml", data)
    err = failed(runner.invoke(args=["bank", "load", str(tmp_path)]))
    assert "b.yaml" in err and "field 'choices'" in err
    assert bank_row(app, "good") is None


# -- users -----------------------------------------------------------------------------------------


def test_user_create_makes_a_teacher_who_can_log_in(runner, app, client):
    out = ok(runner.invoke(args=["user", "create", "Grace@Example.com", "--role", "teacher",
                                 "--name", "Grace Hopper", "--password", PASSWORD]))
    assert out.strip() == "created teacher grace@example.com"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "grace@example.com"))
        assert (user.role, user.name) == ("teacher", "Grace Hopper")
    assert AuthActions(client).login("grace@example.com", PASSWORD).status_code == 302


def test_user_create_asks_for_the_password_when_not_given(runner, app):
    result = runner.invoke(args=["user", "create", "ada@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "created student ada@example.com" in ok(result)
    assert PASSWORD not in result.output  # never echoed
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == "ada@example.com")) == "ada"


def test_user_create_refuses_a_duplicate_email(runner, app, make_user):
    make_user("ada@example.com")
    err = failed(runner.invoke(args=["user", "create", "ADA@example.com", "--password", PASSWORD]))
    assert "already exists" in err
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_user_create_refuses_a_short_password(runner, app):
    err = failed(runner.invoke(args=["user", "create", "ada@example.com", "--password", "short"]))
    assert err.strip() == "the password needs at least 8 characters"
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_demo_users_prints_both_logins_idempotently_and_the_password_works(runner, app, client):
    first = ok(runner.invoke(args=["demo-users"]))
    lines = first.strip().splitlines()
    assert lines[0].startswith("Demo logins")
    assert [line.split()[:2] for line in lines[1:]] == [["teacher", "teacher@example.com"],
                                                       ["student", "student@example.com"]]
    password = lines[1].split("password: ")[1]
    assert lines[2].split("password: ")[1] == password and len(password) >= 8
    assert ok(runner.invoke(args=["demo-users"])) == first  # same logins, no new accounts
    with app.app_context():
        roles = {u.email: u.role for u in db.session.scalars(select(User))}
    assert roles == {"teacher@example.com": "teacher", "student@example.com": "student"}
    assert (Path(app.instance_path) / "demo-password").read_text() == password
    actions = AuthActions(client)
    assert actions.login("student@example.com", "not the password").status_code == 401
    assert actions.login("student@example.com", password).status_code == 302
    actions.logout()
    assert actions.login("teacher@example.com", password).status_code == 302


# -- lint ------------------------------------------------------------------------------------------

GIVEAWAY = {"id": "giveaway", "type": "short_answer", "prompt": "Which city, Moscow, did Mao visit in 1949?",
            "answers": ["Moscow"]}


def question_line(path: Path, qid: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(f"- id: {qid}") + 1


def test_lint_passes_a_bank_with_warnings_only(runner, tmp_path):
    path = write_bank(tmp_path / "demo.yaml")  # its ordering items are First, Second, Third
    out = ok(runner.invoke(args=["bank", "lint", str(path)]))
    assert f"{path}:{question_line(path, 'order')}: warning: question 'order': items carry sequence words" in out
    assert out.splitlines()[-1] == "0 error(s), 1 warning(s) in 9 questions of 1 file(s)"


def test_lint_exits_1_on_an_error_naming_file_line_and_question(runner, tmp_path):
    path = write_bank(tmp_path / "demo.yaml", bank_data([*QUESTIONS, GIVEAWAY]))
    result = runner.invoke(args=["bank", "lint", str(path)])
    assert result.exit_code == 1, result.output
    assert (f"{path}:{question_line(path, 'giveaway')}: error: question 'giveaway': the prompt contains the "
            "accepted answer 'Moscow' [answer-in-prompt]") in result.stdout
    assert result.stdout.splitlines()[-1] == "1 error(s), 1 warning(s) in 10 questions of 1 file(s)"


def test_lint_json_is_a_list_of_findings(runner, tmp_path):
    path = write_bank(tmp_path / "demo.yaml", bank_data([*QUESTIONS, GIVEAWAY]))
    result = runner.invoke(args=["bank", "lint", "--json", str(path)])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    assert isinstance(findings, list) and len(findings) == 2
    assert all(set(f) == {"level", "check", "file", "line", "bank", "question", "field", "message", "other"}
               for f in findings)
    error = next(f for f in findings if f["level"] == "error")
    assert error == {"level": "error", "check": "answer-in-prompt", "file": str(path),
                     "line": question_line(path, "giveaway"), "bank": "demo", "question": "giveaway",
                     "field": "prompt", "message": "the prompt contains the accepted answer 'Moscow'", "other": None}
    clean = write_bank(tmp_path / "clean.yaml", bank_data(QUESTIONS[:1]))
    assert json.loads(ok(runner.invoke(args=["bank", "lint", "--json", str(clean)]))) == []


def test_lint_finds_a_question_repeated_in_another_file(runner, tmp_path):
    first = write_bank(tmp_path / "a.yaml", bank_data(QUESTIONS[:1], "first"))
    copied = dict(QUESTIONS[0], id="capital-again")
    second = write_bank(tmp_path / "b.yaml", bank_data([QUESTIONS[1], copied], "second"))
    result = runner.invoke(args=["bank", "lint", "--json", str(tmp_path)])
    assert result.exit_code == 1, result.output
    (dup,) = [f for f in json.loads(result.stdout) if f["check"] == "duplicate"]
    assert (dup["file"], dup["line"], dup["question"]) == (str(second), question_line(second, "capital-again"),
                                                           "capital-again")
    assert dup["other"] == {"file": str(first), "line": question_line(first, "capital"), "bank": "first",
                            "question": "capital"}
    ok(runner.invoke(args=["bank", "lint", str(first), str(first)]))  # one file named twice is no repeat


def test_lint_reports_an_unreadable_file_as_an_error(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bank: 1\nid: x\nquestions: [\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "lint", str(bad)])
    assert result.exit_code == 1 and f"{bad}:" in result.stdout and "[invalid]" in result.stdout


# -- usage errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["bank", "check"],
    ["bank", "check", "no/such/folder"],
    ["bank", "lint"],
    ["bank", "lint", "no/such/folder"],
    ["bank", "import"],
    ["bank", "import", "no-such-file.yaml"],
    ["bank", "import", "pyproject.toml", "--format", "docx"],
    ["bank", "export", "demo", "-o", "x.yaml"],
    ["bank", "export", "demo", "--format", "pdf", "-o", "x.pdf"],
    ["bank", "load", "no/such/folder"],
    ["bank", "frobnicate"],
    ["user", "create", "ada@example.com", "--role", "king", "--password", PASSWORD],
    ["user", "create"],
])
def test_usage_errors_exit_2(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output or "Error:" in result.output
