"""``flask bank check`` and ``flask bank import`` with Quizlet's separators (--separator,
--card-separator), and the import's warning before a type change resets learners' progress."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from quizapp.banks.delimited import dump_csv
from quizapp.banks.native import from_data
from quizapp.extensions import db
from quizapp.models import Card, Question
from quizapp.models.reviews import REVIEW
from tests.factories import QUESTIONS

QUIZLET = "un - {one};deux - two, zwei;\ntrois - three;"


def test_check_reads_a_custom_quizlet_export_with_its_separators(runner, tmp_path):
    path = tmp_path / "quizlet.txt"
    path.write_text(QUIZLET, encoding="utf-8")
    result = runner.invoke(args=["bank", "check", str(path), "--separator", " - ", "--card-separator", "semicolon"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 3 questions checked\n"
    # Without them the comma is taken for the separator: the second line has no back, an error with its line.
    result = runner.invoke(args=["bank", "check", str(path)])
    assert result.exit_code == 1 and f"{path}:2: the row has no back" in result.stderr


def test_escapes_and_names_for_separators(runner, tmp_path):
    path = tmp_path / "cards.txt"
    path.write_text("un\t=\tone\n\n\ndeux\t=\ttwo\nlines\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "check", "--json", str(path), "--separator", "\\t=\\t",
                                 "--card-separator", "blank-line"])
    assert result.exit_code == 0, result.output
    assert '"answers": "two\\nlines"' in result.stdout


def test_a_bad_separator_is_a_usage_error(runner, tmp_path):
    path = tmp_path / "cards.txt"
    path.write_text("a,b\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "check", str(path), "--separator", ""])
    assert result.exit_code == 2 and "the separator (--separator) is empty" in result.output


def test_import_with_separators_saves_the_cards(runner, app, tmp_path):
    path = tmp_path / "quizlet.txt"
    path.write_text(QUIZLET, encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path), "--separator", " - ", "--card-separator", ";"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        backs = {q.key: q.data["back"] for q in db.session.scalars(select(Question))}
    assert backs == {"un": "{one}", "deux": "two, zwei", "trois": "three"}


def test_import_warns_before_a_type_change_resets_progress(runner, app, make_user, tmp_path):
    bank = from_data({"bank": 1, "id": "demo", "title": "Demo", "questions": QUESTIONS}, "d.yaml").bank
    typed = tmp_path / "demo.csv"
    typed.write_text(dump_csv(bank), encoding="utf-8")
    assert runner.invoke(args=["bank", "import", str(typed)]).exit_code == 0
    learner = make_user("ada@example.com")
    with app.app_context():
        capital = db.session.scalar(select(Question.id).where(Question.key == "capital"))
        db.session.add(Card(user_id=learner, question_id=capital, state=REVIEW, reps=4, stability=3.0))
        db.session.commit()
    # The same export again: nothing changes, nothing to warn of.
    again = runner.invoke(args=["bank", "import", str(typed), "--dry-run"])
    assert again.exit_code == 0 and "afresh" not in again.stderr
    assert "9 unchanged" in again.stdout
    # Front and back only (an old export): every typed question would turn into a flashcard.
    rows = [r[:6] for r in csv.reader(io.StringIO(dump_csv(bank))) if r and not r[0].startswith("#columns")]
    flat = tmp_path / "flat.csv"
    with flat.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    result = runner.invoke(args=["bank", "import", str(flat), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "question 'capital': its type changes from multiple choice to flashcard: on saving, 1 learner starts " \
           "this question afresh" in result.stderr
    assert "(dry run)" in result.stdout
